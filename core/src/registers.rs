//! The core registers' facade for modules: the reads other crates may make of core's users
//! (officers), locations and health facilities. Modules call these instead of naming core's
//! tables or entities, so core may change its storage without touching them.
//!
//! Every function reads current rows only (`validity_to IS NULL`); none checks rights or
//! location scope: the calling service does that, as it does for its own rows.

use crate::entity::{health_facility, location, user};
use crate::error::AppResult;
use crate::kit::CurrentRows;
use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoCondition, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TryGetableMany,
};
use std::collections::HashMap;
use uuid::Uuid;

/// An officer (an enrolment officer's user row) as modules see it: owned values, no storage type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    pub id: i64,
    pub uuid: Uuid,
    pub username: String,
    /// The officer code; older officers may have none, then the username stands for it.
    pub code: Option<String>,
    pub last_name: String,
    pub other_names: String,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// The officer's own location (usually a district).
    pub location_id: Option<i64>,
    /// The last day the officer works; `None` while there is no end.
    pub works_to: Option<NaiveDate>,
    pub substitution_officer_id: Option<i64>,
    pub phone_communication: Option<bool>,
    pub validity_from: chrono::DateTime<chrono::Utc>,
    pub validity_to: Option<chrono::DateTime<chrono::Utc>>,
}

impl Officer {
    /// The code shown for the officer: the officer code, or the username when there is none.
    pub fn display_code(&self) -> &str {
        self.code.as_deref().unwrap_or(&self.username)
    }
}

impl From<user::Model> for Officer {
    fn from(u: user::Model) -> Self {
        Self {
            id: u.id,
            uuid: u.uuid,
            username: u.username,
            code: u.officer_code,
            last_name: u.last_name,
            other_names: u.other_names,
            birth_date: u.birth_date,
            phone: u.phone,
            email: u.email,
            address: u.address,
            location_id: u.officer_location_id,
            works_to: u.works_to,
            substitution_officer_id: u.substitution_officer_id,
            phone_communication: u.phone_communication,
            validity_from: u.validity_from,
            validity_to: u.validity_to,
        }
    }
}

/// A health facility as modules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthFacilitySummary {
    pub id: i64,
    pub uuid: Uuid,
    pub code: String,
    pub name: String,
    pub location_id: i64,
    /// `H` hospital, `C` health centre, `D` dispensary.
    pub level: String,
    /// `I` in-patient, `O` out-patient, `B` both; may be empty.
    pub care_type: String,
}

impl From<health_facility::Model> for HealthFacilitySummary {
    fn from(h: health_facility::Model) -> Self {
        Self {
            id: h.id,
            uuid: h.uuid,
            code: h.code,
            name: h.name,
            location_id: h.location_id,
            level: h.level,
            care_type: h.care_type,
        }
    }
}

/// `column` of the current `E` row matching `condition`: the registers' one-value reads.
async fn current_value<E, T>(
    conn: &impl ConnectionTrait,
    column: E::Column,
    condition: impl IntoCondition,
) -> AppResult<Option<T>>
where
    E: EntityTrait,
    T: TryGetableMany,
{
    Ok(E::find()
        .select_only()
        .column(column)
        .filter(condition)
        .current()
        .into_tuple::<T>()
        .one(conn)
        .await?)
}

/// `column` of every current `E` row matching `condition`, ordered by `order`: the registers'
/// id-list reads.
async fn current_values<E, T>(
    conn: &impl ConnectionTrait,
    column: E::Column,
    condition: impl IntoCondition,
    order: E::Column,
) -> AppResult<Vec<T>>
where
    E: EntityTrait,
    T: TryGetableMany,
{
    Ok(E::find()
        .select_only()
        .column(column)
        .filter(condition)
        .current()
        .order_by_asc(order)
        .into_tuple::<T>()
        .all(conn)
        .await?)
}

/// The current location with this uuid.
pub async fn location_id_by_uuid(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
) -> AppResult<Option<i64>> {
    current_value::<location::Entity, i64>(
        conn,
        location::Column::Id,
        location::Column::Uuid.eq(uuid),
    )
    .await
}

/// The current location a client names in any of the ways openIMIS clients do: its uuid, its
/// integer id (the web front end sends decoded ids, sometimes as strings) or its global id
/// (`LocationGQLType:<id>`). `None` when no current location matches; a value of none of these
/// forms is `input.invalid_id` on `field`.
pub async fn location_id_by_ref(
    conn: &impl ConnectionTrait,
    reference: &str,
    field: &str,
) -> AppResult<Option<i64>> {
    let reference = reference.trim();
    if let Ok(uuid) = Uuid::parse_str(reference) {
        return location_id_by_uuid(conn, uuid).await;
    }
    let id = crate::graphql::parse_pk(reference, "LocationGQLType")
        .map_err(|_| crate::error::AppError::invalid(field, "not a location id or UUID"))?;
    current_value::<location::Entity, i64>(conn, location::Column::Id, location::Column::Id.eq(id))
        .await
}

/// The current location with this code.
pub async fn location_id_by_code(
    conn: &impl ConnectionTrait,
    code: &str,
) -> AppResult<Option<i64>> {
    current_value::<location::Entity, i64>(
        conn,
        location::Column::Id,
        location::Column::Code.eq(code),
    )
    .await
}

/// The type (`R`, `D`, `W`, `V`) of the current location `id`.
pub async fn location_type(conn: &impl ConnectionTrait, id: i64) -> AppResult<Option<String>> {
    current_value::<location::Entity, String>(
        conn,
        location::Column::LocationType,
        location::Column::Id.eq(id),
    )
    .await
}

/// The current locations of one type, ordered by id.
pub async fn location_ids_of_type(
    conn: &impl ConnectionTrait,
    location_type: &str,
) -> AppResult<Vec<i64>> {
    current_values::<location::Entity, i64>(
        conn,
        location::Column::Id,
        location::Column::LocationType.eq(location_type),
        location::Column::Id,
    )
    .await
}

/// The current direct children of a location, ordered by id.
pub async fn child_location_ids(
    conn: &impl ConnectionTrait,
    parent_id: i64,
) -> AppResult<Vec<i64>> {
    current_values::<location::Entity, i64>(
        conn,
        location::Column::Id,
        location::Column::ParentId.eq(parent_id),
        location::Column::Id,
    )
    .await
}

/// Whether a current health facility has this id.
pub async fn health_facility_exists(conn: &impl ConnectionTrait, id: i64) -> AppResult<bool> {
    Ok(health_facility_location_id(conn, id).await?.is_some())
}

/// The location of the current health facility `id`.
pub async fn health_facility_location_id(
    conn: &impl ConnectionTrait,
    id: i64,
) -> AppResult<Option<i64>> {
    current_value::<health_facility::Entity, i64>(
        conn,
        health_facility::Column::LocationId,
        health_facility::Column::Id.eq(id),
    )
    .await
}

/// The ids of all current health facilities, ordered by id.
pub async fn health_facility_ids(conn: &impl ConnectionTrait) -> AppResult<Vec<i64>> {
    current_values::<health_facility::Entity, i64>(
        conn,
        health_facility::Column::Id,
        sea_orm::Condition::all(),
        health_facility::Column::Id,
    )
    .await
}

/// The codes of those of `ids` that are current health facilities.
pub async fn health_facility_codes(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = health_facility::Entity::find()
        .select_only()
        .column(health_facility::Column::Id)
        .column(health_facility::Column::Code)
        .filter(health_facility::Column::Id.is_in(ids.iter().copied()))
        .current()
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The current health facility with this uuid.
pub async fn health_facility_id_by_uuid(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
) -> AppResult<Option<i64>> {
    current_value::<health_facility::Entity, i64>(
        conn,
        health_facility::Column::Id,
        health_facility::Column::Uuid.eq(uuid),
    )
    .await
}

/// The current health facility `id`.
pub async fn health_facility_by_id(
    conn: &impl ConnectionTrait,
    id: i64,
) -> AppResult<Option<HealthFacilitySummary>> {
    Ok(health_facility::Entity::find_by_id(id)
        .current()
        .one(conn)
        .await?
        .map(HealthFacilitySummary::from))
}

/// The health facilities `ids` (whatever their validity), by id, in one query on `conn` (the
/// caller's transaction, for bulk claim work).
pub async fn health_facilities_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, HealthFacilitySummary>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(health_facility::Entity::find()
        .filter(health_facility::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|h| (h.id, HealthFacilitySummary::from(h)))
        .collect())
}

/// The officer-village table's name and columns; kept here so no other file spells them.
fn officer_village() -> Alias {
    Alias::new("core_officer_village")
}

/// The villages an officer currently works in, ordered by id.
pub async fn officer_village_ids(
    conn: &impl ConnectionTrait,
    officer_user_id: i64,
) -> AppResult<Vec<i64>> {
    let select = Query::select()
        .column(Alias::new("location_id"))
        .from(officer_village())
        .and_where(Expr::col(Alias::new("user_id")).eq(officer_user_id))
        .and_where(Expr::col(Alias::new("validity_to")).is_null())
        .order_by(Alias::new("location_id"), sea_orm::Order::Asc)
        .to_owned();
    let rows = conn.query_all(&select).await?;
    rows.iter()
        .map(|r| Ok(r.try_get_by_index::<i64>(0)?))
        .collect()
}

/// Every current (village, officer user id) assignment whose officer is a current user,
/// ordered by officer id descending (so a map built from it keeps the lowest officer id).
pub async fn officer_villages(conn: &impl ConnectionTrait) -> AppResult<Vec<(i64, i64)>> {
    let ov = Alias::new("ov");
    let select = Query::select()
        .column((ov.clone(), Alias::new("location_id")))
        .column((ov.clone(), Alias::new("user_id")))
        .from_as(officer_village(), ov.clone())
        .and_where(Expr::col((ov.clone(), Alias::new("validity_to"))).is_null())
        .and_where(
            Expr::col((ov.clone(), Alias::new("user_id"))).in_subquery(current_users().to_owned()),
        )
        .order_by((ov, Alias::new("user_id")), sea_orm::Order::Desc)
        .to_owned();
    let rows = conn.query_all(&select).await?;
    rows.iter()
        .map(|r| Ok((r.try_get_by_index::<i64>(0)?, r.try_get_by_index::<i64>(1)?)))
        .collect()
}

/// `SELECT id FROM <users> WHERE validity_to IS NULL`.
fn current_users() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .and_where(Expr::col(user::Column::ValidityTo).is_null())
        .to_owned()
}

/// The current officer `id` (a current user flagged as officer).
pub async fn officer_by_id(conn: &impl ConnectionTrait, id: i64) -> AppResult<Option<Officer>> {
    Ok(user::Entity::find_by_id(id)
        .filter(user::Column::IsOfficer.eq(true))
        .current()
        .one(conn)
        .await?
        .map(Officer::from))
}

/// The current officer with this officer code.
pub async fn officer_by_code(
    conn: &impl ConnectionTrait,
    code: &str,
) -> AppResult<Option<Officer>> {
    Ok(user::Entity::find()
        .filter(user::Column::OfficerCode.eq(code))
        .filter(user::Column::IsOfficer.eq(true))
        .current()
        .one(conn)
        .await?
        .map(Officer::from))
}

/// Those of `ids` that are current officers.
pub async fn officers_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, Officer>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .filter(user::Column::IsOfficer.eq(true))
        .current()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|u| (u.id, Officer::from(u))).collect())
}

/// The condition "`user_id` is a current user whose officer location is one of `locations` or
/// who currently works in one of the villages `locations`", for set-based scoping of rows that
/// carry an officer.
pub fn officer_in_locations(user_id: SimpleExpr, locations: &[i64]) -> SimpleExpr {
    let by_own_location = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .and_where(Expr::col(user::Column::ValidityTo).is_null())
        .and_where(Expr::col(user::Column::OfficerLocationId).is_in(locations.iter().copied()))
        .to_owned();
    let by_village = Query::select()
        .column(Alias::new("user_id"))
        .from(officer_village())
        .and_where(Expr::col(Alias::new("validity_to")).is_null())
        .and_where(Expr::col(Alias::new("location_id")).is_in(locations.iter().copied()))
        .to_owned();
    Expr::expr(user_id.clone())
        .in_subquery(by_own_location)
        .or(Expr::expr(user_id).in_subquery(by_village))
}

// --- added for insuree ---

/// The location with this uuid, whatever its validity (a filter on a location the caller names:
/// a deleted one still selects the rows recorded under it).
pub async fn location_id_by_uuid_any_validity(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
) -> AppResult<Option<i64>> {
    Ok(location::Entity::find()
        .select_only()
        .column(location::Column::Id)
        .filter(location::Column::Uuid.eq(uuid))
        .order_by_asc(location::Column::Id)
        .into_tuple::<i64>()
        .one(conn)
        .await?)
}

/// The health facilities `ids` (whatever their validity) as GraphQL nodes with their locations,
/// by id: for other modules' nested `healthFacility` fields.
pub async fn health_facility_nodes_by_ids(
    state: &crate::AppState,
    ids: &[i64],
) -> AppResult<HashMap<i64, crate::location::graphql::HealthFacilityGQLType>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let models = health_facility::Entity::find()
        .filter(health_facility::Column::Id.is_in(ids.iter().copied()))
        .all(&state.db.conn)
        .await?;
    let nodes = crate::location::graphql::health_facility_nodes(
        state,
        models.into_iter().map(|m| (m, None)).collect(),
        false,
        false,
    )
    .await?;
    Ok(nodes.into_iter().map(|n| (n.model.id, n)).collect())
}

// --- added for medical ---

/// Sub-query of the ids (column `id`) of the locations, whatever their validity, with one of
/// these uuids: a filter on locations the caller names.
pub fn location_ids_with_uuids(uuids: &[Uuid]) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(location::Column::Id)
        .from(location::Entity)
        .and_where(location::Column::Uuid.is_in(uuids.iter().copied()))
        .to_owned()
}

/// Sub-query of the ids of the locations, whatever their validity, with this code.
pub fn location_ids_with_code(code: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(location::Column::Id)
        .from(location::Entity)
        .and_where(location::Column::Code.eq(code))
        .to_owned()
}

/// Sub-query of the ids of the locations, whatever their validity, of this type (`R`, `D`, …).
pub fn location_ids_with_type(location_type: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(location::Column::Id)
        .from(location::Entity)
        .and_where(location::Column::LocationType.eq(location_type))
        .to_owned()
}

/// Sub-query of the ids of the locations, whatever their validity, whose parent has this uuid.
pub fn location_ids_with_parent_uuid(parent: Uuid) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(location::Column::Id)
        .from(location::Entity)
        .and_where(location::Column::ParentId.in_subquery(location_ids_with_uuids(&[parent])))
        .to_owned()
}

/// The code of the current location `id`.
pub async fn location_code(conn: &impl ConnectionTrait, id: i64) -> AppResult<Option<String>> {
    Ok(location::Entity::find_by_id(id)
        .select_only()
        .column(location::Column::Code)
        .filter(location::Column::ValidityTo.is_null())
        .into_tuple::<String>()
        .one(conn)
        .await?)
}

/// The uuid of location `id`, whatever its validity.
pub async fn location_uuid(conn: &impl ConnectionTrait, id: i64) -> AppResult<Option<Uuid>> {
    Ok(location::Entity::find_by_id(id)
        .select_only()
        .column(location::Column::Uuid)
        .into_tuple::<Uuid>()
        .one(conn)
        .await?)
}

// --- added for policy ---

/// The users `ids` as officer records, whatever their validity or kind, by id: a policy keeps
/// the officer who enrolled it, and a renewal follows the substitution chain through officers
/// who left.
pub async fn officers_by_ids_any_validity(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, Officer>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for u in user::Entity::find()
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            out.insert(u.id, Officer::from(u));
        }
    }
    Ok(out)
}

// --- added for policy ---

/// What an officer list selects; every constraint given must hold. Texts are trimmed; a
/// "contains" text that is empty after trimming constrains nothing.
#[derive(Debug, Clone, Default)]
pub struct OfficerFilter {
    /// Text the officer code contains (case ignored) or a name contains (case and accents
    /// ignored, the same way on SQLite and PostgreSQL).
    pub search: Option<String>,
    /// Sets of locations: the officer works (own location or a village) in one location of
    /// each set, e.g. the caller's locations and the district asked for.
    pub location_sets: Vec<Vec<i64>>,
    /// Only these officers (user ids); `Some` of an empty list selects none.
    pub ids: Option<Vec<i64>>,
    pub uuid: Option<Uuid>,
    /// The officer code is exactly this, case kept (an officer without a code never matches).
    pub code: Option<String>,
    /// The officer code contains this, case ignored.
    pub code_contains: Option<String>,
    /// The last name is this, ignoring case and accents (D19), as insuree name filters do.
    pub last_name: Option<String>,
    /// The last name contains this, ignoring case and accents.
    pub last_name_contains: Option<String>,
    /// The other names are this, ignoring case and accents.
    pub other_names: Option<String>,
    /// The other names contain this, ignoring case and accents.
    pub other_names_contains: Option<String>,
    pub birth_date: Option<NaiveDate>,
}

impl OfficerFilter {
    /// The exact filters (all but `search` and `location_sets`) as one condition on core_user.
    fn exact_condition(&self) -> sea_orm::Condition {
        use crate::text::{code_condition, name_condition};
        let trimmed = |v: &Option<String>| v.as_deref().map(|s| s.trim().to_string());
        let contains = |v: &Option<String>| trimmed(v).filter(|s| !s.is_empty());
        let mut c = sea_orm::Condition::all()
            .add(code_condition(
                user::Column::OfficerCode,
                &trimmed(&self.code),
                &None,
                &contains(&self.code_contains),
                &None,
            ))
            .add(name_condition(
                user::Column::LastNameSearch,
                &trimmed(&self.last_name),
                &None,
                &contains(&self.last_name_contains),
                &None,
            ))
            .add(name_condition(
                user::Column::OtherNamesSearch,
                &trimmed(&self.other_names),
                &None,
                &contains(&self.other_names_contains),
                &None,
            ));
        if let Some(ids) = &self.ids {
            c = c.add(user::Column::Id.is_in(ids.iter().copied()));
        }
        if let Some(uuid) = self.uuid {
            c = c.add(user::Column::Uuid.eq(uuid));
        }
        if let Some(dob) = self.birth_date {
            c = c.add(user::Column::BirthDate.eq(dob));
        }
        c
    }
}

/// One page of the current officers matching `filter`, sortable by `code` (the default order).
/// Every constraint is applied in the database, so paging and `totalCount` count matches only.
pub async fn officers_page(
    conn: &impl ConnectionTrait,
    filter: &OfficerFilter,
    args: &crate::graphql::connection::PageArgs,
    want_total: bool,
    cfg: &crate::config::GraphqlConfig,
) -> AppResult<crate::graphql::connection::Page<Officer>> {
    use crate::text::{fold, like_escape, upper_like};
    let mut q = user::Entity::find()
        .filter(user::Column::ValidityTo.is_null())
        .filter(user::Column::IsOfficer.eq(true))
        .filter(filter.exact_condition());
    for locations in &filter.location_sets {
        q = q.filter(officer_in_locations(
            Expr::col((user::Entity, user::Column::Id)),
            locations,
        ));
    }
    if let Some(s) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let name = || {
            sea_orm::sea_query::LikeExpr::new(format!("%{}%", like_escape(&fold(s)))).escape('\\')
        };
        q = q.filter(
            sea_orm::Condition::any()
                .add(upper_like(
                    (user::Entity, user::Column::OfficerCode),
                    format!("%{}%", like_escape(&s.to_uppercase())),
                ))
                .add(user::Column::LastNameSearch.like(name()))
                .add(user::Column::OtherNamesSearch.like(name())),
        );
    }
    let page = crate::graphql::connection::fetch_page(
        conn,
        q,
        args,
        &[("code", user::Column::OfficerCode)],
        &[],
        user::Column::Id,
        &["code"],
        want_total,
        cfg,
    )
    .await?;
    Ok(crate::graphql::connection::Page {
        rows: page
            .rows
            .into_iter()
            .map(|(cursor, u)| (cursor, Officer::from(u)))
            .collect(),
        has_next: page.has_next,
        has_previous: page.has_previous,
        total: page.total,
    })
}

/// Sub-query of the ids of the users, whatever their validity or kind, with this officer code
/// (a filter on the officer who enrolled a row).
pub fn user_ids_with_officer_code(code: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .and_where(Expr::col(user::Column::OfficerCode).eq(code))
        .to_owned()
}

// --- added for claim ---

/// A claim administrator (a user attached to one health facility, openIMIS `tblClaimAdmin`) as
/// modules see it. Its code is its username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimAdminSummary {
    pub id: i64,
    pub uuid: Uuid,
    pub code: String,
    pub last_name: String,
    pub other_names: String,
    pub health_facility_id: Option<i64>,
}

impl From<user::Model> for ClaimAdminSummary {
    fn from(u: user::Model) -> Self {
        Self {
            id: u.id,
            uuid: u.uuid,
            code: u.username,
            last_name: u.last_name,
            other_names: u.other_names,
            health_facility_id: u.health_facility_id,
        }
    }
}

/// The current claim administrator `id` (a current user flagged as claim administrator).
pub async fn claim_admin_by_id(
    conn: &impl ConnectionTrait,
    id: i64,
) -> AppResult<Option<ClaimAdminSummary>> {
    Ok(user::Entity::find_by_id(id)
        .filter(user::Column::IsClaimAdmin.eq(true))
        .current()
        .one(conn)
        .await?
        .map(ClaimAdminSummary::from))
}

/// The first current claim administrator (lowest id) of each of these facilities, by facility.
pub async fn claim_admins_of_facilities(
    conn: &impl ConnectionTrait,
    facility_ids: &[i64],
) -> AppResult<HashMap<i64, ClaimAdminSummary>> {
    if facility_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = user::Entity::find()
        .filter(user::Column::IsClaimAdmin.eq(true))
        .filter(user::Column::HealthFacilityId.is_in(facility_ids.iter().copied()))
        .current()
        .order_by_desc(user::Column::Id)
        .all(conn)
        .await?;
    // Descending ids: the lowest id of each facility is inserted last and kept.
    Ok(rows
        .into_iter()
        .filter_map(|u| {
            u.health_facility_id
                .map(|hf| (hf, ClaimAdminSummary::from(u)))
        })
        .collect())
}

/// The users `ids` (whatever their validity or kind) as `ClaimAdminGQLType` nodes, by id: a claim
/// keeps the administrator who entered it, even one who left.
pub async fn claim_admin_nodes_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, crate::users::graphql::ClaimAdminGQLType>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for u in user::Entity::find()
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            out.insert(u.id, crate::users::graphql::ClaimAdminGQLType(u));
        }
    }
    Ok(out)
}

/// What a filter on claim administrators selects (openIMIS `admin_*` filters); every constraint
/// given must hold. Names ignore case and accents (D19); codes compare case-insensitively in
/// the "contains" form.
#[derive(Debug, Clone, Default)]
pub struct ClaimAdminFilter {
    pub uuid: Option<Uuid>,
    /// The code (username) is exactly this.
    pub code: Option<String>,
    pub code_contains: Option<String>,
    pub last_name: Option<String>,
    pub last_name_contains: Option<String>,
    pub other_names: Option<String>,
    pub other_names_contains: Option<String>,
}

/// Sub-query of the ids of the users, whatever their validity, flagged as claim administrators
/// and matching `f`: a filter on the administrator of another module's rows.
pub fn claim_admin_ids_matching(f: &ClaimAdminFilter) -> sea_orm::sea_query::SelectStatement {
    use crate::text::{code_condition, name_condition};
    let trimmed = |v: &Option<String>| v.as_deref().map(|s| s.trim().to_string());
    let mut c = sea_orm::Condition::all()
        .add(user::Column::IsClaimAdmin.eq(true))
        .add(code_condition(
            user::Column::Username,
            &trimmed(&f.code),
            &None,
            &trimmed(&f.code_contains),
            &None,
        ))
        .add(name_condition(
            user::Column::LastNameSearch,
            &trimmed(&f.last_name),
            &None,
            &trimmed(&f.last_name_contains),
            &None,
        ))
        .add(name_condition(
            user::Column::OtherNamesSearch,
            &trimmed(&f.other_names),
            &None,
            &trimmed(&f.other_names_contains),
            &None,
        ));
    if let Some(u) = f.uuid {
        c = c.add(user::Column::Uuid.eq(u));
    }
    Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .cond_where(c)
        .to_owned()
}

/// The current officers (current users flagged as officers) currently working in each of the
/// villages `village_ids`, by village, each list by officer id: indexed reads 500 keys at a
/// time (`ix_core_officer_village_location`, then the users by primary key), never the whole
/// officer–village table.
pub async fn officers_of_villages(
    conn: &impl ConnectionTrait,
    village_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<Officer>>> {
    let mut out: HashMap<i64, Vec<Officer>> = HashMap::new();
    for chunk in village_ids.chunks(500) {
        let select = Query::select()
            .column(Alias::new("location_id"))
            .column(Alias::new("user_id"))
            .from(officer_village())
            .and_where(Expr::col(Alias::new("validity_to")).is_null())
            .and_where(Expr::col(Alias::new("location_id")).is_in(chunk.iter().copied()))
            .to_owned();
        let links: Vec<(i64, i64)> = conn
            .query_all(&select)
            .await?
            .iter()
            .map(|r| Ok((r.try_get_by_index::<i64>(0)?, r.try_get_by_index::<i64>(1)?)))
            .collect::<AppResult<_>>()?;
        let mut user_ids: Vec<i64> = links.iter().map(|(_, u)| *u).collect();
        user_ids.sort_unstable();
        user_ids.dedup();
        let mut officers = HashMap::new();
        for users in user_ids.chunks(500) {
            officers.extend(officers_by_ids(conn, users).await?);
        }
        for (village, user) in links {
            if let Some(o) = officers.get(&user) {
                out.entry(village).or_default().push(o.clone());
            }
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|o| o.id);
        list.dedup_by_key(|o| o.id);
    }
    Ok(out)
}
