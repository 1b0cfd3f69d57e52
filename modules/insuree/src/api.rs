//! The insuree module's public API: what other modules may use. Everything here returns owned
//! summaries (never the module's sea-orm models) or typed sea-query building blocks that select
//! from the module's tables, so that other modules stay set-based without naming those tables.
//!
//! - look-ups: [`find_by_chf_id`], [`find_family`], [`find_family_by_id`], [`families_by_ids`],
//!   [`insurees_by_ids`], [`members_of`], [`members_by_family`], [`families_page`],
//!   [`insuree_by_uuid`] (rights and location scope);
//! - location scope (D9): [`check_family_scope`], [`check_insuree_scope`], [`insuree_in_scope`];
//! - sub-queries: [`families_in_locations`], [`current_families`], [`family_id_column`],
//!   [`family_member_count`], [`current_insuree_ids_of_families`];
//! - GraphQL: [`InsureeGQLType`], [`FamilyGQLType`] and [`insuree_nodes`] / [`family_nodes`]
//!   that build them for a page, as the root lists would show them;
//! - events the module publishes (names and payloads), rights, insurance-number validators.

use crate::entity::{family, insuree};
use crate::graphql::load_page_data;
use chrono::{DateTime, NaiveDate, Utc};
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::error::{AppError, AppResult};
use imis_core::kit::CurrentRows;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// Relationship "others" (openIMIS relation 7): such members count as the "other" members of a
/// policy's value (D13).
pub use crate::codes::RELATION_OTHER;
pub use crate::events::{
    INSUREE_ADDED, INSUREE_DELETED, INSUREE_MOVED, INSUREE_REMOVED, INSUREE_STATUS_CHANGED,
    InsureeAdded, InsureeDeleted, InsureeMoved, InsureeRemoved, InsureeStatusChanged,
};
pub use crate::graphql::{FamilyGQLType, InsureeGQLType, InsureeStatus};
pub use crate::number::{NumberValidator, with_check_digit};
pub use crate::rights::{
    RIGHT_FAMILY_ADD, RIGHT_FAMILY_DELETE, RIGHT_FAMILY_EDIT, RIGHT_FAMILY_SEARCH,
    RIGHT_INSUREE_ADD, RIGHT_INSUREE_DELETE, RIGHT_INSUREE_EDIT, RIGHT_INSUREE_ENQUIRE,
    RIGHT_INSUREE_SEARCH, RIGHTS_DESK_LOOKUP,
};
/// The deterministic generator of the scale data, shared so that every module's generated rows
/// follow from the same seed.
pub use crate::scale::Rng;

/// Status of an active insuree (openIMIS `AC`); the others are `IN` (inactive) and `DE` (deceased).
pub const STATUS_ACTIVE: &str = "AC";

/// What other modules know of an insuree (one version of it: current when `validity_to` is None).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InsureeSummary {
    pub id: i64,
    pub uuid: Uuid,
    /// The insurance number (openIMIS `chfId`).
    pub chf_id: String,
    pub last_name: String,
    pub other_names: String,
    pub gender: String,
    pub dob: NaiveDate,
    pub family_id: Option<i64>,
    /// Head of their family.
    pub head: bool,
    /// Relationship to the head (openIMIS relation id).
    pub relationship: Option<i32>,
    pub current_village_id: Option<i64>,
    /// First service point.
    pub health_facility_id: Option<i64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// `AC`, `IN` or `DE`.
    pub status: String,
    pub status_date: Option<NaiveDate>,
    /// When the current photo was taken (renewal reminders list members whose photo is old).
    pub photo_date: Option<NaiveDate>,
    pub validity_from: DateTime<Utc>,
    pub validity_to: Option<DateTime<Utc>>,
}

impl From<insuree::Model> for InsureeSummary {
    fn from(m: insuree::Model) -> Self {
        Self {
            id: m.id,
            uuid: m.uuid,
            chf_id: m.chf_id,
            last_name: m.last_name,
            other_names: m.other_names,
            gender: m.gender,
            dob: m.dob,
            family_id: m.family_id,
            head: m.head,
            relationship: m.relationship,
            current_village_id: m.current_village_id,
            health_facility_id: m.health_facility_id,
            phone: m.phone,
            email: m.email,
            status: m.status,
            status_date: m.status_date,
            photo_date: m.photo_date,
            validity_from: m.validity_from,
            validity_to: m.validity_to,
        }
    }
}

/// What other modules know of a family (one version of it: current when `validity_to` is None).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FamilySummary {
    pub id: i64,
    pub uuid: Uuid,
    pub head_insuree_id: i64,
    /// The family's village.
    pub location_id: i64,
    pub poverty: Option<bool>,
    pub family_type: Option<String>,
    pub validity_from: DateTime<Utc>,
    pub validity_to: Option<DateTime<Utc>>,
}

impl From<family::Model> for FamilySummary {
    fn from(m: family::Model) -> Self {
        Self {
            id: m.id,
            uuid: m.uuid,
            head_insuree_id: m.head_insuree_id,
            location_id: m.location_id,
            poverty: m.poverty,
            family_type: m.family_type,
            validity_from: m.validity_from,
            validity_to: m.validity_to,
        }
    }
}

// ----------------------------------------------------------------------------------------------
// Look-ups
// ----------------------------------------------------------------------------------------------

/// The current insuree with this insurance number (no rights check: the caller decides).
pub async fn find_by_chf_id(
    conn: &impl ConnectionTrait,
    chf_id: &str,
) -> AppResult<Option<InsureeSummary>> {
    Ok(crate::service::find_by_chf_id(conn, chf_id)
        .await?
        .map(Into::into))
}

/// The current family with this uuid; `not_found` otherwise.
pub async fn find_family(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<FamilySummary> {
    Ok(crate::service::find_family(conn, uuid).await?.into())
}

/// The current family with this id.
pub async fn find_family_by_id(
    conn: &impl ConnectionTrait,
    id: i64,
) -> AppResult<Option<FamilySummary>> {
    Ok(crate::service::find_family_by_id(conn, id)
        .await?
        .map(Into::into))
}

/// Families by id, whatever their validity.
pub async fn families_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, FamilySummary>> {
    Ok(crate::service::families_by_ids(conn, ids)
        .await?
        .into_iter()
        .map(|(id, f)| (id, f.into()))
        .collect())
}

/// Insurees by id, whatever their validity.
pub async fn insurees_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, InsureeSummary>> {
    Ok(crate::service::insurees_by_ids(conn, ids)
        .await?
        .into_iter()
        .map(|(id, i)| (id, i.into()))
        .collect())
}

/// Current members of a family, head first then by date of birth.
pub async fn members_of(
    conn: &impl ConnectionTrait,
    family_id: i64,
) -> AppResult<Vec<InsureeSummary>> {
    Ok(crate::service::members_of(conn, family_id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Current members of many families, by family, each list ordered by insuree id; with
/// `active_only`, only active insurees (status `AC`). Reads in chunks of 500 families.
pub async fn members_by_family(
    conn: &impl ConnectionTrait,
    family_ids: &[i64],
    active_only: bool,
) -> AppResult<HashMap<i64, Vec<InsureeSummary>>> {
    let mut out: HashMap<i64, Vec<InsureeSummary>> = HashMap::new();
    for chunk in family_ids.chunks(500) {
        let mut q = insuree::Entity::find()
            .filter(insuree::Column::FamilyId.is_in(chunk.to_vec()))
            .current();
        if active_only {
            q = q.filter(insuree::Column::Status.eq(STATUS_ACTIVE));
        }
        for m in q.order_by_asc(insuree::Column::Id).all(conn).await? {
            if let Some(f) = m.family_id {
                out.entry(f).or_default().push(m.into());
            }
        }
    }
    Ok(out)
}

/// A current family as the paged walk [`families_page`] gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyRow {
    pub id: i64,
    pub head_insuree_id: i64,
    /// The family's village.
    pub location_id: i64,
}

/// Up to `limit` current families with an id above `after_id`, by id, that also satisfy
/// `condition` (an expression over [`family_id_column`], e.g. `NOT EXISTS` a row of the caller's
/// own table): the set-based walk of seeders and jobs over every family.
pub async fn families_page(
    conn: &impl ConnectionTrait,
    after_id: i64,
    limit: u64,
    condition: Option<Expr>,
) -> AppResult<Vec<FamilyRow>> {
    let mut q = family::Entity::find()
        .select_only()
        .columns([
            family::Column::Id,
            family::Column::HeadInsureeId,
            family::Column::LocationId,
        ])
        .filter(family::Column::Id.gt(after_id))
        .current();
    if let Some(c) = condition {
        q = q.filter(c);
    }
    let rows: Vec<(i64, i64, i64)> = q
        .order_by_asc(family::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, head_insuree_id, location_id)| FamilyRow {
            id,
            head_insuree_id,
            location_id,
        })
        .collect())
}

/// The current insuree with this uuid as `caller` may see it: the insuree search right is
/// required (an error otherwise); an insuree outside the caller's locations (D9) is `None`, as
/// is an unknown uuid.
pub async fn insuree_by_uuid(
    state: &AppState,
    caller: &Principal,
    uuid: Uuid,
) -> AppResult<Option<InsureeSummary>> {
    let p = require_user(
        Some(caller),
        Requirement::AnyOf(&[crate::rights::RIGHT_INSUREE_SEARCH]),
    )?;
    let conn = &state.db.conn;
    let Some(m) = insuree::Entity::find()
        .filter(insuree::Column::Uuid.eq(uuid))
        .current()
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if !crate::service::insuree_in_scope(conn, p, &m).await? {
        return Ok(None);
    }
    Ok(Some(m.into()))
}

// ----------------------------------------------------------------------------------------------
// Location scope (D9)
// ----------------------------------------------------------------------------------------------

/// Refuses a family outside the caller's locations (through its village).
pub async fn check_family_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    f: &FamilySummary,
) -> AppResult<()> {
    crate::service::check_location_scope(conn, p, f.location_id).await
}

/// Whether an insuree is within the caller's locations: through their current village, else
/// their family's village (a current insuree only through a current family). An insuree with
/// neither is within reach of unrestricted users only.
pub async fn insuree_in_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    i: &InsureeSummary,
) -> AppResult<bool> {
    if p.scope.unrestricted {
        return Ok(true);
    }
    let family = match (i.current_village_id, i.family_id) {
        (None, Some(f)) => family::Entity::find_by_id(f).one(conn).await?,
        _ => None,
    };
    let village = crate::service::scope_village(
        i.current_village_id,
        i.family_id,
        i.validity_to.is_none(),
        family.as_ref(),
    );
    p.scope.allows(conn, village).await
}

/// Refuses an insuree outside the caller's locations (see [`insuree_in_scope`]).
pub async fn check_insuree_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    i: &InsureeSummary,
) -> AppResult<()> {
    if insuree_in_scope(conn, p, i).await? {
        Ok(())
    } else {
        Err(AppError::location_denied())
    }
}

// ----------------------------------------------------------------------------------------------
// Sub-queries for set-based joins
// ----------------------------------------------------------------------------------------------

/// The id column of the family table, for conditions correlated with [`current_families`] and
/// [`families_page`] (e.g. `family_id_column().equals((Policy, FamilyId))`).
pub fn family_id_column() -> Expr {
    Expr::col((family::Entity, family::Column::Id))
}

/// `id, location_id` of the current families: add conditions, order and limits to it.
pub fn current_families() -> SelectStatement {
    Query::select()
        .column((family::Entity, family::Column::Id))
        .column((family::Entity, family::Column::LocationId))
        .from(family::Entity)
        .and_where(Expr::col((family::Entity, family::Column::ValidityTo)).is_null())
        .to_owned()
}

/// The ids of the current families located in `villages`: restricts another module's rows to
/// the families in scope (D9), e.g. `Expr::col(FamilyId).in_subquery(families_in_locations(..))`.
pub fn families_in_locations(villages: &[i64]) -> SelectStatement {
    Query::select()
        .column((family::Entity, family::Column::Id))
        .from(family::Entity)
        .and_where(Expr::col((family::Entity, family::Column::ValidityTo)).is_null())
        .and_where(
            Expr::col((family::Entity, family::Column::LocationId)).is_in(villages.iter().copied()),
        )
        .to_owned()
}

/// The ids of the current insurees who are members of the families `family_ids` selects (a
/// sub-query of family ids, e.g. [`families_in_locations`]).
pub fn current_insuree_ids_of_families(family_ids: SelectStatement) -> SelectStatement {
    Query::select()
        .column((insuree::Entity, insuree::Column::Id))
        .from(insuree::Entity)
        .and_where(Expr::col((insuree::Entity, insuree::Column::ValidityTo)).is_null())
        .and_where(Expr::col((insuree::Entity, insuree::Column::FamilyId)).in_subquery(family_ids))
        .to_owned()
}

/// The number of current members of the family whose id is `family_id` (an expression of the
/// caller's query, e.g. `Expr::col((Policy, FamilyId))`), as a scalar sub-query.
pub fn family_member_count(family_id: Expr) -> Expr {
    Expr::SubQuery(
        None,
        Box::new(
            Query::select()
                .expr(Expr::col((insuree::Entity, insuree::Column::Id)).count())
                .from(insuree::Entity)
                .and_where(Expr::col((insuree::Entity, insuree::Column::FamilyId)).eq(family_id))
                .and_where(Expr::col((insuree::Entity, insuree::Column::ValidityTo)).is_null())
                .to_owned()
                .into(),
        ),
    )
}

// ----------------------------------------------------------------------------------------------
// GraphQL nodes for other modules' nested fields
// ----------------------------------------------------------------------------------------------

/// The insurees `ids` (whatever their validity) as GraphQL nodes, loaded with what they refer to
/// in a fixed number of queries, keeping only those `caller` may see (D9: their current village,
/// else their family's village).
pub async fn insuree_nodes(
    state: &AppState,
    caller: &Principal,
    ids: &[i64],
) -> AppResult<HashMap<i64, InsureeGQLType>> {
    let conn = &state.db.conn;
    let insurees = crate::service::insurees_by_ids(conn, ids).await?;
    let refs: Vec<_> = insurees.values().collect();
    let page = Arc::new(load_page_data(state, &refs, &[], false).await?);
    let mut out = HashMap::new();
    for i in insurees.values() {
        let location = i.current_village_id.or_else(|| {
            i.family_id
                .and_then(|f| page.families.get(&f))
                .map(|f| f.location_id)
        });
        if !caller.scope.allows(conn, location).await? {
            continue;
        }
        out.insert(
            i.id,
            InsureeGQLType {
                model: i.clone(),
                history_id: None,
                data: page.clone(),
            },
        );
    }
    Ok(out)
}

/// The families `ids` (whatever their validity) as GraphQL nodes, keeping only those `caller`
/// may see (D9: through their village).
pub async fn family_nodes(
    state: &AppState,
    caller: &Principal,
    ids: &[i64],
) -> AppResult<HashMap<i64, FamilyGQLType>> {
    let conn = &state.db.conn;
    let mut families = crate::service::families_by_ids(conn, ids).await?;
    let mut hidden = vec![];
    for f in families.values() {
        if !caller.scope.allows(conn, Some(f.location_id)).await? {
            hidden.push(f.id);
        }
    }
    families.retain(|id, _| !hidden.contains(id));
    let refs: Vec<_> = families.values().collect();
    let page = Arc::new(load_page_data(state, &[], &refs, false).await?);
    Ok(families
        .into_values()
        .map(|f| {
            (
                f.id,
                FamilyGQLType {
                    model: f,
                    history_id: None,
                    data: page.clone(),
                },
            )
        })
        .collect())
}

/// The insurance number of the most recently created current insuree (benchmarks and smoke
/// tests use it as a sample), if any.
pub async fn sample_chf_id(conn: &impl ConnectionTrait) -> AppResult<Option<String>> {
    Ok(insuree::Entity::find()
        .select_only()
        .column(insuree::Column::ChfId)
        .current()
        .order_by_desc(insuree::Column::Id)
        .into_tuple::<String>()
        .one(conn)
        .await?)
}

// -- for the claim module: claims filters

/// Conditions on an insuree for another module's list that filters its rows by their insuree
/// (openIMIS's `insuree_*` lookups, e.g. `claims(insuree_LastName_Istartswith:)`). Every
/// condition given must hold. Names compare folded (D19) on the indexed search columns; an exact
/// name must also equal the name as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InsureeMatch {
    pub uuid: Option<Uuid>,
    /// The insurance number as stored (`insuree_ChfId`).
    pub chf_id: Option<String>,
    /// The insurance number, case ignored (`_Iexact`, `_Istartswith`, `_Icontains`).
    pub chf_id_iexact: Option<String>,
    pub chf_id_istartswith: Option<String>,
    pub chf_id_icontains: Option<String>,
    pub last_name: Option<String>,
    pub last_name_iexact: Option<String>,
    pub last_name_istartswith: Option<String>,
    pub last_name_icontains: Option<String>,
    pub other_names: Option<String>,
    pub other_names_iexact: Option<String>,
    pub other_names_istartswith: Option<String>,
    pub other_names_icontains: Option<String>,
    pub dob: Option<NaiveDate>,
    pub dob_lt: Option<NaiveDate>,
    pub dob_lte: Option<NaiveDate>,
    pub dob_gt: Option<NaiveDate>,
    pub dob_gte: Option<NaiveDate>,
    /// The gender code (`M`, `F`, `O`; `insuree_Gender_Code`).
    pub gender: Option<String>,
    /// Head of their family.
    pub head: Option<bool>,
    /// The insuree's status (`insuree_Status`).
    pub status: Option<InsureeStatus>,
    /// D9: only insurees whose current village, else whose current family's village, is one of
    /// these locations (a restricted caller's allowed locations); `None` restricts nothing.
    pub locations: Option<Vec<i64>>,
}

impl InsureeMatch {
    /// Whether no condition on the insuree is given (`locations` aside).
    pub fn is_empty(&self) -> bool {
        !self.has_identifier() && !self.has_attribute()
    }

    /// Whether the only conditions are exact identifiers (uuid, insurance number as stored or
    /// case ignored): the facility desk's exact look-ups, which D9 lets reach any insuree for
    /// holders of [`RIGHTS_DESK_LOOKUP`].
    pub fn is_exact_lookup(&self) -> bool {
        self.has_identifier() && !self.has_attribute()
    }

    fn has_identifier(&self) -> bool {
        self.uuid.is_some() || self.chf_id.is_some() || self.chf_id_iexact.is_some()
    }

    /// Any condition but the exact identifiers.
    fn has_attribute(&self) -> bool {
        let texts = [
            &self.chf_id_istartswith,
            &self.chf_id_icontains,
            &self.last_name,
            &self.last_name_iexact,
            &self.last_name_istartswith,
            &self.last_name_icontains,
            &self.other_names,
            &self.other_names_iexact,
            &self.other_names_istartswith,
            &self.other_names_icontains,
            &self.gender,
        ];
        let dates = [
            self.dob,
            self.dob_lt,
            self.dob_lte,
            self.dob_gt,
            self.dob_gte,
        ];
        texts.iter().any(|v| v.is_some())
            || dates.iter().any(Option::is_some)
            || self.head.is_some()
            || self.status.is_some()
    }
}

/// A folded-name lookup: exact (folded and as stored), case ignored, prefix (an index-served
/// range) or substring (scanned within the other conditions).
fn name_condition(
    stored: insuree::Column,
    search: insuree::Column,
    [exact, iexact, istartswith, icontains]: [&Option<String>; 4],
) -> sea_orm::Condition {
    use imis_core::text::{fold, like_escape, starts_with};
    let mut c = sea_orm::Condition::all();
    if let Some(v) = exact {
        c = c.add(search.eq(fold(v.trim()))).add(stored.eq(v.trim()));
    }
    if let Some(v) = iexact {
        c = c.add(search.eq(fold(v.trim())));
    }
    if let Some(v) = istartswith {
        c = c.add(starts_with(search, &fold(v.trim())));
    }
    if let Some(v) = icontains {
        let pattern = format!("%{}%", like_escape(&fold(v.trim())));
        c = c.add(search.like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')));
    }
    c
}

/// Insurance-number lookups ignoring case. Numbers without letters (the usual case) compare as
/// stored, so that `ux_insuree_chf_id` serves the exact value and the prefix; others compare
/// upper-cased.
fn chf_id_condition(m: &InsureeMatch) -> sea_orm::Condition {
    use imis_core::text::{like_escape, starts_with, upper_like};
    let col = insuree::Column::ChfId;
    let caseless = |v: &str| v.to_uppercase() == v.to_lowercase();
    let mut c = sea_orm::Condition::all();
    if let Some(v) = &m.chf_id {
        c = c.add(col.eq(v.trim()));
    }
    if let Some(v) = m.chf_id_iexact.as_deref().map(str::trim) {
        c = c.add(if caseless(v) {
            col.eq(v)
        } else {
            upper_like((insuree::Entity, col), like_escape(&v.to_uppercase()))
        });
    }
    if let Some(v) = m.chf_id_istartswith.as_deref().map(str::trim) {
        c = c.add(if caseless(v) {
            starts_with(col, v)
        } else {
            sea_orm::Condition::all().add(upper_like(
                (insuree::Entity, col),
                format!("{}%", like_escape(&v.to_uppercase())),
            ))
        });
    }
    if let Some(v) = m.chf_id_icontains.as_deref().map(str::trim) {
        c = c.add(upper_like(
            (insuree::Entity, col),
            format!("%{}%", like_escape(&v.to_uppercase())),
        ));
    }
    c
}

/// The stored code of an insuree status.
fn status_code(s: InsureeStatus) -> &'static str {
    match s {
        InsureeStatus::Ac => STATUS_ACTIVE,
        InsureeStatus::In => "IN",
        InsureeStatus::De => "DE",
    }
}

/// The ids of the current insurees matching `m`, for another module's
/// `insuree_id IN (insuree_ids_where(..))`. Served by the insuree table's indexes on uuid,
/// insurance number, folded names and date of birth; gender, head and status only narrow the
/// others.
pub fn insuree_ids_where(m: &InsureeMatch) -> SelectStatement {
    use insuree::Column as C;
    let mut c = sea_orm::Condition::all()
        .add(C::ValidityTo.is_null())
        .add(chf_id_condition(m))
        .add(name_condition(
            C::LastName,
            C::LastNameSearch,
            [
                &m.last_name,
                &m.last_name_iexact,
                &m.last_name_istartswith,
                &m.last_name_icontains,
            ],
        ))
        .add(name_condition(
            C::OtherNames,
            C::OtherNamesSearch,
            [
                &m.other_names,
                &m.other_names_iexact,
                &m.other_names_istartswith,
                &m.other_names_icontains,
            ],
        ));
    if let Some(v) = m.uuid {
        c = c.add(C::Uuid.eq(v));
    }
    if let Some(d) = m.dob {
        c = c.add(C::Dob.eq(d));
    }
    if let Some(d) = m.dob_lt {
        c = c.add(C::Dob.lt(d));
    }
    if let Some(d) = m.dob_lte {
        c = c.add(C::Dob.lte(d));
    }
    if let Some(d) = m.dob_gt {
        c = c.add(C::Dob.gt(d));
    }
    if let Some(d) = m.dob_gte {
        c = c.add(C::Dob.gte(d));
    }
    if let Some(v) = &m.gender {
        c = c.add(C::Gender.eq(v.trim()));
    }
    if let Some(v) = m.head {
        c = c.add(C::Head.eq(v));
    }
    if let Some(s) = m.status {
        c = c.add(C::Status.eq(status_code(s)));
    }
    if let Some(locations) = &m.locations {
        // The same rule as the insuree lists' scope (D9); ids inline, as many as the caller has.
        let ids = imis_core::text::ids_sql(locations.iter().copied());
        c = c.add(Expr::cust(format!(
            "(insuree_insuree.current_village_id IN ({ids}) OR (insuree_insuree.current_village_id IS NULL AND insuree_insuree.family_id IN (SELECT id FROM insuree_family WHERE validity_to IS NULL AND location_id IN ({ids}))))"
        )));
    }
    Query::select()
        .column((insuree::Entity, C::Id))
        .from(insuree::Entity)
        .cond_where(c)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    #[test]
    fn families_in_locations_selects_current_family_ids() {
        assert_eq!(
            families_in_locations(&[3, 5]).to_string(SqliteQueryBuilder),
            r#"SELECT "insuree_family"."id" FROM "insuree_family" WHERE "insuree_family"."validity_to" IS NULL AND "insuree_family"."location_id" IN (3, 5)"#
        );
    }

    #[test]
    fn member_count_is_a_correlated_scalar_sub_query() {
        let q = Query::select()
            .expr(family_member_count(Expr::col((
                sea_orm::sea_query::Alias::new("p"),
                sea_orm::sea_query::Alias::new("family_id"),
            ))))
            .from_as(
                sea_orm::sea_query::Alias::new("policy"),
                sea_orm::sea_query::Alias::new("p"),
            )
            .to_string(PostgresQueryBuilder);
        assert_eq!(
            q,
            r#"SELECT (SELECT COUNT("insuree_insuree"."id") FROM "insuree_insuree" WHERE "insuree_insuree"."family_id" = "p"."family_id" AND "insuree_insuree"."validity_to" IS NULL) FROM "policy" AS "p""#
        );
    }

    #[test]
    fn members_of_families_nest_the_family_sub_query() {
        let q = current_insuree_ids_of_families(families_in_locations(&[7]))
            .to_string(SqliteQueryBuilder);
        assert_eq!(
            q,
            r#"SELECT "insuree_insuree"."id" FROM "insuree_insuree" WHERE "insuree_insuree"."validity_to" IS NULL AND "insuree_insuree"."family_id" IN (SELECT "insuree_family"."id" FROM "insuree_family" WHERE "insuree_family"."validity_to" IS NULL AND "insuree_family"."location_id" IN (7))"#
        );
    }
}
