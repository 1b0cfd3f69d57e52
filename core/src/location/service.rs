//! Business functions of locations and health facilities: rights (D8) and location scope (D9) are
//! checked first, then the openIMIS validations; writes run inside the caller's mutation
//! transaction ([`MutationCtx`]) with history rows (D7).

use crate::app::AppState;
use crate::auth::{Principal, Requirement, require_user};
use crate::entity::{health_facility, hf_catchment, location};
use crate::error::{AppError, AppResult};
use crate::mutation::MutationCtx;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::LikeExpr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const RIGHT_LOCATION_CREATE: i32 = 121902;
pub const RIGHT_LOCATION_UPDATE: i32 = 121903;
pub const RIGHT_LOCATION_DELETE: i32 = 121904;
pub const RIGHT_LOCATION_MOVE: i32 = 121905;
pub const RIGHT_REGION_DISTRICT: i32 = 121906;
pub const RIGHT_HF_CREATE: i32 = 121102;
pub const RIGHT_HF_UPDATE: i32 = 121103;
pub const RIGHT_HF_DELETE: i32 = 121104;

/// Location levels, top to bottom.
pub const LOCATION_TYPES: [&str; 4] = ["R", "D", "W", "V"];
pub const HF_SAVING_EVENT: &str = "health_facility.saving";

fn level_of(t: &str) -> Option<usize> {
    LOCATION_TYPES.iter().position(|x| *x == t)
}

async fn require_allowed(
    conn: &impl ConnectionTrait,
    p: &Principal,
    location: i64,
) -> AppResult<()> {
    if p.scope.allows(conn, Some(location)).await? {
        Ok(())
    } else {
        Err(AppError::location_denied())
    }
}

fn check_len(field: &str, value: &str, max: usize) -> AppResult<()> {
    if value.trim().is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        ));
    }
    Ok(())
}

fn check_opt_len(field: &str, value: &Option<String>, max: usize) -> AppResult<()> {
    match value {
        Some(v) if v.chars().count() > max => Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

use crate::text::{code_condition, name_condition, upper_like};

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

/// Filters of `locations` / `locationsAll` / `locationsStr`.
#[derive(Debug, Clone, Default)]
pub struct LocationFilter {
    pub id: Option<i64>,
    pub uuid: Option<Uuid>,
    pub uuid_in: Option<Vec<Uuid>>,
    pub code: Option<String>,
    pub code_istartswith: Option<String>,
    pub code_icontains: Option<String>,
    pub code_iexact: Option<String>,
    pub name: Option<String>,
    pub name_istartswith: Option<String>,
    pub name_icontains: Option<String>,
    pub name_iexact: Option<String>,
    pub location_type: Option<String>,
    pub parent_uuid: Option<Uuid>,
    pub parent_uuid_in: Option<Vec<Uuid>>,
    pub parent_parent_uuid: Option<Uuid>,
    pub parent_id: Option<i64>,
    pub parent_id_in: Option<Vec<i64>>,
    /// `locationsStr`: code or folded name contains this.
    pub str: Option<String>,
}

async fn ids_of_uuids(conn: &impl ConnectionTrait, uuids: &[Uuid]) -> AppResult<Vec<i64>> {
    if uuids.is_empty() {
        return Ok(vec![]);
    }
    Ok(location::Entity::find()
        .filter(location::Column::Uuid.is_in(uuids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect())
}

/// The current locations the caller may see (allowed ones and their ancestors), filtered.
pub async fn locations_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &LocationFilter,
) -> AppResult<Select<location::Entity>> {
    let p = require_user(principal, Requirement::Authenticated)?;
    let conn = &state.db.conn;
    use location::Column as C;
    let mut q = location::Entity::find().filter(C::ValidityTo.is_null());
    if let Some(visible) = p.scope.visible_locations(conn).await? {
        q = q.filter(C::Id.is_in(visible.iter().copied()));
    }
    if let Some(id) = f.id {
        q = q.filter(C::Id.eq(id));
    }
    if let Some(u) = f.uuid {
        q = q.filter(C::Uuid.eq(u));
    }
    if let Some(us) = &f.uuid_in {
        q = q.filter(C::Uuid.is_in(us.iter().copied()));
    }
    q = q.filter(code_condition(
        C::Code,
        &f.code,
        &f.code_istartswith,
        &f.code_icontains,
        &f.code_iexact,
    ));
    q = q.filter(name_condition(
        C::NameSearch,
        &f.name,
        &f.name_istartswith,
        &f.name_icontains,
        &f.name_iexact,
    ));
    if let Some(t) = &f.location_type {
        q = q.filter(C::LocationType.eq(t.clone()));
    }
    let mut parents: Option<Vec<i64>> = None;
    let mut restrict = |ids: Vec<i64>| {
        parents = Some(match parents.take() {
            None => ids,
            Some(prev) => prev.into_iter().filter(|i| ids.contains(i)).collect(),
        })
    };
    if let Some(u) = f.parent_uuid {
        restrict(ids_of_uuids(conn, &[u]).await?);
    }
    if let Some(us) = &f.parent_uuid_in {
        restrict(ids_of_uuids(conn, us).await?);
    }
    if let Some(id) = f.parent_id {
        restrict(vec![id]);
    }
    if let Some(ids) = &f.parent_id_in {
        restrict(ids.clone());
    }
    if let Some(u) = f.parent_parent_uuid {
        let gp = ids_of_uuids(conn, &[u]).await?;
        let ids: Vec<i64> = if gp.is_empty() {
            vec![]
        } else {
            location::Entity::find()
                .filter(C::ParentId.is_in(gp))
                .filter(C::ValidityTo.is_null())
                .all(conn)
                .await?
                .into_iter()
                .map(|m| m.id)
                .collect()
        };
        restrict(ids);
    }
    if let Some(ps) = parents {
        q = q.filter(C::ParentId.is_in(ps));
    }
    if let Some(s) = f.str.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let code = upper_like(
            C::Code,
            format!("%{}%", crate::text::like_escape(&s.to_uppercase())),
        );
        let name = C::NameSearch.like(
            LikeExpr::new(format!(
                "%{}%",
                crate::text::like_escape(&crate::text::fold(s))
            ))
            .escape('\\'),
        );
        q = q.filter(Condition::any().add(code).add(name));
    }
    Ok(q)
}

/// The given locations and the ids of all their ancestors, in one recursive query.
pub async fn ancestor_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM core_location WHERE id IN ({}) \
         UNION SELECT l.id, l.parent_id FROM core_location l JOIN up ON l.id = up.parent_id) SELECT id FROM up",
        crate::text::ids_sql(ids.iter().copied())
    );
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            sql,
        ))
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?)
}

/// Loads the given locations and all their ancestors (one recursive query), by id.
pub async fn locations_with_ancestors(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, location::Model>> {
    let ids: Vec<i64> = ids
        .iter()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let all = ancestor_ids(conn, &ids).await?;
    let models = location::Entity::find()
        .filter(location::Column::Id.is_in(all))
        .all(conn)
        .await?;
    Ok(models.into_iter().map(|m| (m.id, m)).collect())
}

/// Ids of `root` and every current descendant.
pub async fn subtree_ids(conn: &impl ConnectionTrait, root: i64) -> AppResult<Vec<i64>> {
    let sql = format!(
        "WITH RECURSIVE sub(id) AS (SELECT id FROM core_location WHERE id = {root} \
         UNION SELECT l.id FROM core_location l JOIN sub ON l.parent_id = sub.id WHERE l.validity_to IS NULL) SELECT id FROM sub"
    );
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            sql,
        ))
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?)
}

/// `validateLocationCode`: true when no current location has this code.
pub async fn validate_location_code(
    state: &AppState,
    principal: Option<&Principal>,
    code: &str,
) -> AppResult<bool> {
    require_user(principal, Requirement::Authenticated)?;
    Ok(!location_code_taken(&state.db.conn, code, None).await?)
}

async fn location_code_taken(
    conn: &impl ConnectionTrait,
    code: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    let mut q = location::Entity::find()
        .filter(location::Column::Code.eq(code.trim()))
        .filter(location::Column::ValidityTo.is_null());
    if let Some(id) = except {
        q = q.filter(location::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

/// `officerLocations`: the villages (or locations of `location_type`) of the officer with this code.
pub async fn officer_locations(
    state: &AppState,
    principal: Option<&Principal>,
    officer_code: &str,
    location_type: Option<&str>,
) -> AppResult<Vec<location::Model>> {
    let p = require_user(principal, Requirement::Authenticated)?;
    let conn = &state.db.conn;
    let stmt = crate::db::stmt(
        conn.get_database_backend(),
        "SELECT ov.location_id AS id FROM core_officer_village ov JOIN core_user u ON u.id = ov.user_id \
         WHERE u.officer_code = ? AND u.validity_to IS NULL AND ov.validity_to IS NULL",
        vec![officer_code.into()],
    );
    let rows = conn.query_all_raw(stmt).await?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut q = location::Entity::find()
        .filter(location::Column::Id.is_in(ids))
        .filter(location::Column::ValidityTo.is_null());
    if let Some(t) = location_type {
        q = q.filter(location::Column::LocationType.eq(t));
    }
    if let Some(allowed) = p.scope.allowed_locations(conn).await? {
        q = q.filter(location::Column::Id.is_in(allowed.iter().copied()));
    }
    Ok(sea_orm::QueryOrder::order_by_asc(q, location::Column::Code)
        .all(conn)
        .await?)
}

/// `userDistricts`: the caller's districts with their region (IMIS administrators: every district).
pub async fn user_districts(
    state: &AppState,
    principal: Option<&Principal>,
) -> AppResult<Vec<(location::Model, Option<location::Model>)>> {
    let p = require_user(principal, Requirement::Authenticated)?;
    let conn = &state.db.conn;
    let mut q = location::Entity::find()
        .filter(location::Column::ValidityTo.is_null())
        .filter(location::Column::LocationType.eq("D"));
    if !p.is_admin {
        let stmt = crate::db::stmt(
            conn.get_database_backend(),
            "SELECT location_id FROM core_user_district WHERE user_id = ? AND validity_to IS NULL",
            vec![p.user_id.into()],
        );
        let rows = conn.query_all_raw(stmt).await?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get::<i64>("", "location_id"))
            .collect::<Result<_, _>>()?;
        q = q.filter(location::Column::Id.is_in(ids));
    }
    let districts = sea_orm::QueryOrder::order_by_asc(q, location::Column::Code)
        .all(conn)
        .await?;
    let parent_ids: Vec<i64> = districts.iter().filter_map(|d| d.parent_id).collect();
    let parents: HashMap<i64, location::Model> = if parent_ids.is_empty() {
        HashMap::new()
    } else {
        location::Entity::find()
            .filter(location::Column::Id.is_in(parent_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect()
    };
    Ok(districts
        .into_iter()
        .map(|d| {
            let parent = d.parent_id.and_then(|id| parents.get(&id).cloned());
            (d, parent)
        })
        .collect())
}

/// Filters of `healthFacilities` / `healthFacilitiesStr`.
#[derive(Debug, Clone, Default)]
pub struct HealthFacilityFilter {
    pub id: Option<i64>,
    pub uuid: Option<Uuid>,
    pub code: Option<String>,
    pub code_istartswith: Option<String>,
    pub code_icontains: Option<String>,
    pub code_iexact: Option<String>,
    pub name: Option<String>,
    pub name_istartswith: Option<String>,
    pub name_icontains: Option<String>,
    pub name_iexact: Option<String>,
    pub level: Option<String>,
    pub sub_level: Option<String>,
    pub care_type: Option<String>,
    pub legal_form: Option<String>,
    pub status: Option<String>,
    pub location_id: Option<i64>,
    pub location_uuid: Option<Uuid>,
    pub location_uuid_in: Option<Vec<Uuid>>,
    /// Region: facilities of its districts.
    pub location_parent_uuid: Option<Uuid>,
    /// `healthFacilitiesStr`: code or folded name contains this.
    pub str: Option<String>,
    /// `healthFacilitiesStr(ignoreLocation: true)` skips the scope filter (still Authenticated).
    pub ignore_location: bool,
}

/// The current health facilities the caller may see, filtered.
pub async fn health_facilities_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &HealthFacilityFilter,
) -> AppResult<Select<health_facility::Entity>> {
    let p = require_user(principal, Requirement::Authenticated)?;
    let conn = &state.db.conn;
    use health_facility::Column as C;
    let mut q = health_facility::Entity::find().filter(C::ValidityTo.is_null());
    if !f.ignore_location
        && let Some(allowed) = p.scope.allowed_locations(conn).await?
    {
        q = q.filter(C::LocationId.is_in(allowed.iter().copied()));
    }
    if let Some(id) = f.id {
        q = q.filter(C::Id.eq(id));
    }
    if let Some(u) = f.uuid {
        q = q.filter(C::Uuid.eq(u));
    }
    q = q.filter(code_condition(
        C::Code,
        &f.code,
        &f.code_istartswith,
        &f.code_icontains,
        &f.code_iexact,
    ));
    q = q.filter(name_condition(
        C::NameSearch,
        &f.name,
        &f.name_istartswith,
        &f.name_icontains,
        &f.name_iexact,
    ));
    if let Some(v) = &f.level {
        q = q.filter(C::Level.eq(v.clone()));
    }
    if let Some(v) = &f.sub_level {
        q = q.filter(C::SubLevel.eq(v.clone()));
    }
    if let Some(v) = &f.care_type {
        q = q.filter(C::CareType.eq(v.clone()));
    }
    if let Some(v) = &f.legal_form {
        q = q.filter(C::LegalForm.eq(v.clone()));
    }
    if let Some(v) = &f.status {
        q = q.filter(C::Status.eq(v.clone()));
    }
    if let Some(v) = f.location_id {
        q = q.filter(C::LocationId.eq(v));
    }
    let mut locs: Vec<Uuid> = vec![];
    locs.extend(f.location_uuid);
    if let Some(us) = &f.location_uuid_in {
        locs.extend(us.iter().copied());
    }
    if f.location_uuid.is_some() || f.location_uuid_in.is_some() {
        q = q.filter(C::LocationId.is_in(ids_of_uuids(conn, &locs).await?));
    }
    if let Some(r) = f.location_parent_uuid {
        let region = ids_of_uuids(conn, &[r]).await?;
        let districts: Vec<i64> = if region.is_empty() {
            vec![]
        } else {
            location::Entity::find()
                .filter(location::Column::ParentId.is_in(region))
                .filter(location::Column::ValidityTo.is_null())
                .all(conn)
                .await?
                .into_iter()
                .map(|m| m.id)
                .collect()
        };
        q = q.filter(C::LocationId.is_in(districts));
    }
    if let Some(s) = f.str.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let code = upper_like(
            C::Code,
            format!("%{}%", crate::text::like_escape(&s.to_uppercase())),
        );
        let name = C::NameSearch.like(
            LikeExpr::new(format!(
                "%{}%",
                crate::text::like_escape(&crate::text::fold(s))
            ))
            .escape('\\'),
        );
        q = q.filter(Condition::any().add(code).add(name));
    }
    Ok(q)
}

/// Current catchments of the given facilities.
pub async fn catchments_for(
    conn: &impl ConnectionTrait,
    hf_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<hf_catchment::Model>>> {
    let mut out: HashMap<i64, Vec<hf_catchment::Model>> = HashMap::new();
    if hf_ids.is_empty() {
        return Ok(out);
    }
    let rows = hf_catchment::Entity::find()
        .filter(hf_catchment::Column::HealthFacilityId.is_in(hf_ids.iter().copied()))
        .filter(hf_catchment::Column::ValidityTo.is_null())
        .all(conn)
        .await?;
    for r in rows {
        out.entry(r.health_facility_id).or_default().push(r);
    }
    Ok(out)
}

/// `validateHealthFacilityCode`: true when no current facility has this code.
pub async fn validate_health_facility_code(
    state: &AppState,
    principal: Option<&Principal>,
    code: &str,
) -> AppResult<bool> {
    require_user(principal, Requirement::Authenticated)?;
    Ok(!hf_code_taken(&state.db.conn, code, None).await?)
}

async fn hf_code_taken(
    conn: &impl ConnectionTrait,
    code: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    let mut q = health_facility::Entity::find()
        .filter(health_facility::Column::Code.eq(code.trim()))
        .filter(health_facility::Column::ValidityTo.is_null());
    if let Some(id) = except {
        q = q.filter(health_facility::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

// ---------------------------------------------------------------------------------------------
// Location writes
// ---------------------------------------------------------------------------------------------

/// Input of `createLocation` / `updateLocation`.
#[derive(Debug, Clone, Default)]
pub struct LocationInput {
    pub uuid: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub location_type: String,
    pub parent_uuid: Option<Uuid>,
    pub male_population: Option<i32>,
    pub female_population: Option<i32>,
    pub other_population: Option<i32>,
    pub families: Option<i32>,
}

async fn current_location_by_uuid(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
) -> AppResult<location::Model> {
    location::Entity::find()
        .filter(location::Column::Uuid.eq(uuid))
        .filter(location::Column::ValidityTo.is_null())
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("location"))
}

/// [`current_location_by_uuid`] under the row lock, for a change: a concurrent change of the same
/// location waits for this transaction, then reads what it wrote (D7).
async fn lock_location_by_uuid(tx: &DatabaseTransaction, uuid: Uuid) -> AppResult<location::Model> {
    location::Entity::find()
        .filter(location::Column::Uuid.eq(uuid))
        .filter(location::Column::ValidityTo.is_null())
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("location"))
}

/// The current locations among `ids`, read under their row locks top-down: by level (regions
/// first), then by id, so that two writes on overlapping subtrees lock in the same order. At most
/// one statement per level and 500 ids.
async fn lock_locations_top_down(
    tx: &DatabaseTransaction,
    ids: &[i64],
) -> AppResult<Vec<location::Model>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for t in LOCATION_TYPES {
        for chunk in ids.chunks(500) {
            out.extend(
                location::Entity::find()
                    .filter(location::Column::Id.is_in(chunk.iter().copied()))
                    .filter(location::Column::LocationType.eq(t))
                    .filter(location::Column::ValidityTo.is_null())
                    .order_by_asc(location::Column::Id)
                    .lock_exclusive()
                    .all(tx)
                    .await?,
            );
            if out.len() == ids.len() {
                return Ok(out);
            }
        }
    }
    Ok(out)
}
fn location_code_taken_error(code: &str) -> AppError {
    AppError::validation("location.code_taken").with("code", code.trim())
}

fn hf_code_taken_error(code: &str) -> AppError {
    AppError::validation("health_facility.code_taken").with("code", code.trim())
}

/// Checks code, name, type and parent; returns the parent.
async fn validate_location(
    conn: &impl ConnectionTrait,
    input: &LocationInput,
    except: Option<i64>,
) -> AppResult<Option<location::Model>> {
    check_len("code", &input.code, 8)?;
    check_len("name", &input.name, 50)?;
    let level = level_of(&input.location_type)
        .ok_or_else(|| AppError::validation("location.type_invalid"))?;
    for (field, v) in [
        ("malePopulation", input.male_population),
        ("femalePopulation", input.female_population),
        ("otherPopulation", input.other_population),
        ("families", input.families),
    ] {
        if v.is_some_and(|v| v < 0) {
            return Err(AppError::invalid(field, "must not be negative"));
        }
    }
    let parent = match input.parent_uuid {
        Some(u) => Some(
            current_location_by_uuid(conn, u)
                .await
                .map_err(|_| parent_invalid(&input.location_type))?,
        ),
        None => None,
    };
    let parent_ok = match (&parent, level) {
        (None, 0) => true,
        (Some(p), l) if l > 0 => level_of(&p.location_type) == Some(l - 1),
        _ => false,
    };
    if !parent_ok {
        return Err(parent_invalid(&input.location_type));
    }
    if location_code_taken(conn, &input.code, except).await? {
        return Err(location_code_taken_error(&input.code));
    }
    Ok(parent)
}

fn parent_invalid(t: &str) -> AppError {
    let parent_type = level_of(t)
        .and_then(|l| l.checked_sub(1))
        .map(|l| LOCATION_TYPES[l])
        .unwrap_or("-");
    AppError::validation("location.parent_invalid")
        .with("type", t)
        .with("parentType", parent_type)
}

fn require_location_right(p: &Principal, base: i32, location_type: &str) -> AppResult<()> {
    if !p.has_right(base) {
        return Err(AppError::forbidden());
    }
    if matches!(location_type, "R" | "D") && !p.has_right(RIGHT_REGION_DISTRICT) {
        return Err(AppError::forbidden());
    }
    Ok(())
}

fn location_matches(m: &location::Model, i: &LocationInput, parent: Option<i64>) -> bool {
    m.code == i.code.trim()
        && m.name == i.name.trim()
        && m.location_type == i.location_type
        && m.parent_id == parent
        && m.male_population == i.male_population
        && m.female_population == i.female_population
        && m.other_population == i.other_population
        && m.families == i.families
}

/// `createLocation` (121902; R and D also need 121906).
pub async fn create_location(
    m: &MutationCtx<'_>,
    input: LocationInput,
) -> AppResult<location::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_LOCATION_CREATE]))?;
    require_location_right(p, RIGHT_LOCATION_CREATE, &input.location_type)?;
    let tx: &DatabaseTransaction = m.tx;
    if let Some(u) = input.uuid
        && let Some(existing) = location::Entity::find()
            .filter(location::Column::Uuid.eq(u))
            .one(tx)
            .await?
    {
        let parent = match input.parent_uuid {
            Some(pu) => location::Entity::find()
                .filter(location::Column::Uuid.eq(pu))
                .one(tx)
                .await?
                .map(|l| l.id),
            None => None,
        };
        if existing.validity_to.is_none() && location_matches(&existing, &input, parent) {
            return Ok(existing);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", u));
    }
    let parent = validate_location(tx, &input, None).await?;
    match &parent {
        Some(par) => require_allowed(tx, p, par.id).await?,
        None => {
            if p.scope.allowed_locations(tx).await?.is_some() {
                return Err(AppError::location_denied());
            }
        }
    }
    let now = m.state.clock.now();
    let model = location::ActiveModel {
        uuid: Set(input.uuid.unwrap_or_else(Uuid::now_v7)),
        code: Set(input.code.trim().to_string()),
        name: Set(input.name.trim().to_string()),
        name_search: Set(crate::text::fold(input.name.trim())),
        parent_id: Set(parent.as_ref().map(|p| p.id)),
        location_type: Set(input.location_type.clone()),
        male_population: Set(input.male_population),
        female_population: Set(input.female_population),
        other_population: Set(input.other_population),
        families: Set(input.families),
        json_ext: Set(None),
        validity_from: Set(now),
        validity_to: Set(None),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    }
    .insert(tx)
    .await
    .map_err(|e| {
        crate::error::unique_or(e, &["code"], input.uuid, || {
            location_code_taken_error(&input.code)
        })
    })?;
    if model.location_type == "D" && !p.is_admin {
        let stmt = crate::db::stmt(
            tx.get_database_backend(),
            "INSERT INTO core_user_district (user_id, location_id, validity_from, audit_user_id) VALUES (?, ?, ?, ?)",
            vec![
                p.user_id.into(),
                model.id.into(),
                now.into(),
                m.actor().into(),
            ],
        );
        tx.execute_raw(stmt).await?;
    }
    Ok(model)
}

/// `updateLocation` (121903; R and D also need 121906). Population fields not given become null.
pub async fn update_location(
    m: &MutationCtx<'_>,
    input: LocationInput,
) -> AppResult<location::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_LOCATION_UPDATE]))?;
    require_location_right(p, RIGHT_LOCATION_UPDATE, &input.location_type)?;
    let tx: &DatabaseTransaction = m.tx;
    let uuid = input
        .uuid
        .ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let old = lock_location_by_uuid(tx, uuid).await?;
    require_allowed(tx, p, old.id).await?;
    let parent = validate_location(tx, &input, Some(old.id)).await?;
    if let Some(par) = &parent
        && Some(par.id) != old.parent_id
    {
        require_allowed(tx, p, par.id).await?;
        if subtree_ids(tx, old.id).await?.contains(&par.id) {
            return Err(AppError::validation("location.move_into_own_subtree"));
        }
    }
    if old.location_type != input.location_type
        && location::Entity::find()
            .filter(location::Column::ParentId.eq(old.id))
            .filter(location::Column::ValidityTo.is_null())
            .one(tx)
            .await?
            .is_some()
    {
        return Err(AppError::invalid(
            "type",
            "a location with children cannot change type",
        ));
    }
    let now = m.state.clock.now();
    crate::history::save(
        tx,
        "location",
        old.id,
        &old,
        old.validity_from,
        now,
        m.actor(),
    )
    .await?;
    let mut am: location::ActiveModel = old.into();
    am.code = Set(input.code.trim().to_string());
    am.name = Set(input.name.trim().to_string());
    am.name_search = Set(crate::text::fold(input.name.trim()));
    am.parent_id = Set(parent.map(|p| p.id));
    am.location_type = Set(input.location_type.clone());
    am.male_population = Set(input.male_population);
    am.female_population = Set(input.female_population);
    am.other_population = Set(input.other_population);
    am.families = Set(input.families);
    am.validity_from = Set(now);
    am.audit_user_id = Set(m.actor());
    am.update(tx).await.map_err(|e| {
        crate::error::unique_or(e, &["code"], None, || {
            location_code_taken_error(&input.code)
        })
    })
}

/// The current location named by uuid or code, read under its row lock (for a change).
async fn find_location_target(
    tx: &DatabaseTransaction,
    uuid: Option<Uuid>,
    code: Option<&str>,
) -> AppResult<location::Model> {
    let mut q = location::Entity::find().filter(location::Column::ValidityTo.is_null());
    match (uuid, code) {
        (Some(u), _) => q = q.filter(location::Column::Uuid.eq(u)),
        (None, Some(c)) => q = q.filter(location::Column::Code.eq(c.trim())),
        (None, None) => return Err(AppError::invalid("uuid", "required")),
    }
    q.lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("location"))
}

/// Saves the current version to history and updates it in place.
async fn rewrite_location(
    tx: &DatabaseTransaction,
    old: location::Model,
    now: DateTime<Utc>,
    actor: Option<i64>,
    change: impl FnOnce(&mut location::ActiveModel),
) -> AppResult<location::Model> {
    crate::history::save(tx, "location", old.id, &old, old.validity_from, now, actor).await?;
    let mut am: location::ActiveModel = old.into();
    change(&mut am);
    am.validity_from = Set(now);
    am.audit_user_id = Set(actor);
    Ok(am.update(tx).await?)
}

/// Soft-deletes a location: history row, `validity_to` set; a district's user links are closed.
async fn close_location(
    tx: &DatabaseTransaction,
    old: location::Model,
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<()> {
    let id = old.id;
    let is_district = old.location_type == "D";
    crate::history::save(tx, "location", id, &old, old.validity_from, now, actor).await?;
    let mut am: location::ActiveModel = old.into();
    am.validity_to = Set(Some(now));
    am.audit_user_id = Set(actor);
    am.update(tx).await?;
    if is_district {
        let stmt = crate::db::stmt(
            tx.get_database_backend(),
            "UPDATE core_user_district SET validity_to = ? WHERE location_id = ? AND validity_to IS NULL",
            vec![now.into(), id.into()],
        );
        tx.execute_raw(stmt).await?;
    }
    Ok(())
}

/// `deleteLocation` (121904): with `new_parent_uuid` the children move to that location, otherwise
/// the whole subtree is closed. Refused (`location.in_use`) while a current health facility lies
/// in a closed location.
pub async fn delete_location(
    m: &MutationCtx<'_>,
    uuid: Option<Uuid>,
    code: Option<&str>,
    new_parent_uuid: Option<Uuid>,
) -> AppResult<location::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_LOCATION_DELETE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let target = find_location_target(tx, uuid, code).await?;
    require_allowed(tx, p, target.id).await?;
    let actor = m.actor();
    // What moves to the new parent, and what is closed: the target is locked; the rows below it
    // are locked before anything is written (children in id order, a subtree top-down).
    let (moving, closing): (Option<(i64, Vec<location::Model>)>, Vec<i64>) = match new_parent_uuid {
        Some(np) => {
            let new_parent = current_location_by_uuid(tx, np).await?;
            require_allowed(tx, p, new_parent.id).await?;
            if new_parent.id == target.id || new_parent.location_type != target.location_type {
                return Err(AppError::validation("location.parent_invalid")
                    .with(
                        "type",
                        level_of(&target.location_type)
                            .and_then(|l| LOCATION_TYPES.get(l + 1))
                            .unwrap_or(&"-"),
                    )
                    .with("parentType", &target.location_type));
            }
            let children = location::Entity::find()
                .filter(location::Column::ParentId.eq(target.id))
                .filter(location::Column::ValidityTo.is_null())
                .order_by_asc(location::Column::Id)
                .lock_exclusive()
                .all(tx)
                .await?;
            (Some((new_parent.id, children)), vec![target.id])
        }
        None => (None, subtree_ids(tx, target.id).await?),
    };
    let rows = lock_locations_top_down(tx, &closing).await?;
    let in_use = health_facility::Entity::find()
        .filter(health_facility::Column::LocationId.is_in(closing))
        .filter(health_facility::Column::ValidityTo.is_null())
        .one(tx)
        .await?;
    if in_use.is_some() {
        return Err(AppError::validation("location.in_use")
            .with("code", &target.code)
            .with("what", "health facilities"));
    }
    // After the locks: the versions ended here end after any a concurrent writer made.
    let now = m.state.clock.now();
    if let Some((new_parent_id, children)) = moving {
        for child in children {
            rewrite_location(tx, child, now, actor, |am| {
                am.parent_id = Set(Some(new_parent_id))
            })
            .await?;
        }
    }
    for row in rows {
        close_location(tx, row, now, actor).await?;
    }
    Ok(target)
}

/// `moveLocation` (121905): re-parents the location (no parent = it becomes a region); when the
/// new parent is not exactly one level above, the location and its descendants get the types of
/// their new depth (the deepest level stays `V`).
pub async fn move_location(
    m: &MutationCtx<'_>,
    uuid: Uuid,
    new_parent_uuid: Option<Uuid>,
) -> AppResult<location::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_LOCATION_MOVE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let target = lock_location_by_uuid(tx, uuid).await?;
    require_allowed(tx, p, target.id).await?;
    let new_parent = match new_parent_uuid {
        Some(u) => Some(current_location_by_uuid(tx, u).await?),
        None => None,
    };
    match &new_parent {
        Some(np) => require_allowed(tx, p, np.id).await?,
        None => {
            if p.scope.allowed_locations(tx).await?.is_some() {
                return Err(AppError::location_denied());
            }
        }
    }
    let subtree = subtree_ids(tx, target.id).await?;
    if let Some(np) = &new_parent
        && subtree.contains(&np.id)
    {
        return Err(AppError::validation("location.move_into_own_subtree"));
    }
    let depth = new_parent
        .as_ref()
        .map(|np| level_of(&np.location_type).unwrap_or(0) + 1)
        .unwrap_or(0);
    let new_type = LOCATION_TYPES[depth.min(3)].to_string();
    let retype = level_of(&target.location_type) != Some(depth.min(3));
    if retype {
        // The descendants are retyped below: every one is locked first, top-down (the children
        // read below are then current until this transaction ends; a location created under
        // one of them waits for its parent's lock).
        lock_locations_top_down(tx, &subtree).await?;
    }
    let now = m.state.clock.now();
    let actor = m.actor();
    let target_id = target.id;
    let moved = rewrite_location(tx, target, now, actor, |am| {
        am.parent_id = Set(new_parent.as_ref().map(|np| np.id));
        am.location_type = Set(new_type.clone());
    })
    .await?;
    if retype {
        // Breadth-first over the subtree, each level one below its parent.
        let mut frontier = vec![(target_id, depth.min(3))];
        while let Some((parent_id, parent_level)) = frontier.pop() {
            let children = location::Entity::find()
                .filter(location::Column::ParentId.eq(parent_id))
                .filter(location::Column::ValidityTo.is_null())
                .all(tx)
                .await?;
            let level = (parent_level + 1).min(3);
            for child in children {
                let cid = child.id;
                if level_of(&child.location_type) != Some(level) {
                    let t = LOCATION_TYPES[level].to_string();
                    rewrite_location(tx, child, now, actor, |am| am.location_type = Set(t)).await?;
                }
                frontier.push((cid, level));
            }
        }
    }
    Ok(moved)
}

// ---------------------------------------------------------------------------------------------
// Health facility writes
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatchmentInput {
    pub location_id: i64,
    pub catchment: Option<i32>,
}

/// Input of `createHealthFacility` / `updateHealthFacility` (an update is complete: omitted
/// optional fields become null).
#[derive(Debug, Clone, Default)]
pub struct HealthFacilityInput {
    pub uuid: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub acc_code: Option<String>,
    pub legal_form: String,
    pub level: String,
    pub sub_level: Option<String>,
    pub location_id: i64,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    pub care_type: String,
    pub services_pricelist_id: Option<i64>,
    pub items_pricelist_id: Option<i64>,
    pub offline: Option<bool>,
    pub catchments: Option<Vec<CatchmentInput>>,
    pub contract_start_date: Option<NaiveDate>,
    pub contract_end_date: Option<NaiveDate>,
    pub status: Option<String>,
}

fn one_of(field: &str, value: &str, allowed: &[&str]) -> AppResult<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            &format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

async fn validate_hf(
    m: &MutationCtx<'_>,
    p: &Principal,
    i: &HealthFacilityInput,
    except: Option<i64>,
) -> AppResult<()> {
    let tx: &DatabaseTransaction = m.tx;
    check_len("code", &i.code, 8)?;
    check_len("name", &i.name, 100)?;
    check_opt_len("accCode", &i.acc_code, 25)?;
    check_opt_len("address", &i.address, 100)?;
    check_opt_len("phone", &i.phone, 50)?;
    check_opt_len("fax", &i.fax, 50)?;
    check_opt_len("email", &i.email, 50)?;
    one_of("legalFormId", &i.legal_form, &["C", "D", "G", "P"])?;
    one_of("level", &i.level, &["D", "C", "H"])?;
    if let Some(s) = &i.sub_level {
        one_of("subLevelId", s, &["I", "N", "R"])?;
    }
    one_of("careType", &i.care_type, &["I", "O", "B"])?;
    if let Some(s) = &i.status {
        one_of("status", s, &["AC", "IN", "DE", "ID"])?;
    }
    match (i.contract_start_date, i.contract_end_date) {
        (None, None) => {}
        (Some(s), Some(e)) if e > s => {}
        _ => return Err(AppError::validation("health_facility.contract_dates")),
    }
    let loc = location::Entity::find()
        .filter(location::Column::Id.eq(i.location_id))
        .filter(location::Column::ValidityTo.is_null())
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("location"))?;
    if loc.location_type != "D" {
        return Err(AppError::validation(
            "health_facility.location_not_district",
        ));
    }
    require_allowed(tx, p, loc.id).await?;
    if let Some(cs) = &i.catchments {
        let ids: Vec<i64> = cs.iter().map(|c| c.location_id).collect();
        let villages: HashSet<i64> = location::Entity::find()
            .filter(location::Column::Id.is_in(ids))
            .filter(location::Column::ValidityTo.is_null())
            .filter(location::Column::LocationType.eq("V"))
            .all(tx)
            .await?
            .into_iter()
            .map(|l| l.id)
            .collect();
        let mut seen = HashSet::new();
        for c in cs {
            if !villages.contains(&c.location_id) {
                return Err(
                    AppError::validation("health_facility.catchment_not_village")
                        .with("id", c.location_id),
                );
            }
            if !seen.insert(c.location_id) {
                return Err(AppError::invalid("catchments", "a village is listed twice"));
            }
            if c.catchment.is_some_and(|v| !(0..=100).contains(&v)) {
                return Err(AppError::validation("health_facility.catchment_percent"));
            }
        }
    }
    if (i.items_pricelist_id.is_some() || i.services_pricelist_id.is_some())
        && !m.state.bus.has_in_tx_handler(HF_SAVING_EVENT)
    {
        return Err(AppError::module_disabled("medical"));
    }
    if hf_code_taken(tx, &i.code, except).await? {
        return Err(hf_code_taken_error(&i.code));
    }
    Ok(())
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn fill_hf(am: &mut health_facility::ActiveModel, i: &HealthFacilityInput) {
    am.code = Set(i.code.trim().to_string());
    am.name = Set(i.name.trim().to_string());
    am.name_search = Set(crate::text::fold(i.name.trim()));
    am.acc_code = Set(trimmed(&i.acc_code));
    am.legal_form = Set(i.legal_form.clone());
    am.level = Set(i.level.clone());
    am.sub_level = Set(i.sub_level.clone());
    am.location_id = Set(i.location_id);
    am.address = Set(trimmed(&i.address));
    am.phone = Set(trimmed(&i.phone));
    am.fax = Set(trimmed(&i.fax));
    am.email = Set(trimmed(&i.email));
    am.care_type = Set(i.care_type.clone());
    am.offline = Set(i.offline.unwrap_or(false));
    am.contract_start_date = Set(i.contract_start_date);
    am.contract_end_date = Set(i.contract_end_date);
    am.status = Set(i.status.clone().unwrap_or_else(|| "AC".into()));
}

fn hf_matches(m: &health_facility::Model, i: &HealthFacilityInput) -> bool {
    m.code == i.code.trim()
        && m.name == i.name.trim()
        && m.acc_code == trimmed(&i.acc_code)
        && m.legal_form == i.legal_form
        && m.level == i.level
        && m.sub_level == i.sub_level
        && m.location_id == i.location_id
        && m.address == trimmed(&i.address)
        && m.phone == trimmed(&i.phone)
        && m.fax == trimmed(&i.fax)
        && m.email == trimmed(&i.email)
        && m.care_type == i.care_type
        && m.offline == i.offline.unwrap_or(false)
        && m.contract_start_date == i.contract_start_date
        && m.contract_end_date == i.contract_end_date
        && m.status == i.status.clone().unwrap_or_else(|| "AC".into())
}

async fn insert_catchments(
    tx: &DatabaseTransaction,
    hf_id: i64,
    cs: &[CatchmentInput],
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<()> {
    for c in cs {
        hf_catchment::ActiveModel {
            health_facility_id: Set(hf_id),
            location_id: Set(c.location_id),
            catchment: Set(c.catchment.unwrap_or(100)),
            validity_from: Set(now),
            validity_to: Set(None),
            audit_user_id: Set(actor),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

async fn publish_saving(m: &MutationCtx<'_>, hf_id: i64, i: &HealthFacilityInput) -> AppResult<()> {
    if m.state.bus.has_in_tx_handler(HF_SAVING_EVENT) {
        m.publish(
            HF_SAVING_EVENT,
            serde_json::json!({
                "healthFacilityId": hf_id,
                "itemsPricelistId": i.items_pricelist_id,
                "servicesPricelistId": i.services_pricelist_id,
            }),
        )
        .await?;
    }
    Ok(())
}

/// `createHealthFacility` (121102). A known `uuid` returns the existing facility when its content
/// matches (D4).
pub async fn create_health_facility(
    m: &MutationCtx<'_>,
    input: HealthFacilityInput,
) -> AppResult<health_facility::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_HF_CREATE]))?;
    let tx: &DatabaseTransaction = m.tx;
    if let Some(u) = input.uuid
        && let Some(existing) = health_facility::Entity::find()
            .filter(health_facility::Column::Uuid.eq(u))
            .one(tx)
            .await?
    {
        let same_catchments = match &input.catchments {
            None => true,
            Some(cs) => {
                let mut have: Vec<(i64, i32)> = catchments_for(tx, &[existing.id])
                    .await?
                    .remove(&existing.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| (c.location_id, c.catchment))
                    .collect();
                let mut want: Vec<(i64, i32)> = cs
                    .iter()
                    .map(|c| (c.location_id, c.catchment.unwrap_or(100)))
                    .collect();
                have.sort();
                want.sort();
                have == want
            }
        };
        if existing.validity_to.is_none() && same_catchments && hf_matches(&existing, &input) {
            return Ok(existing);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", u));
    }
    validate_hf(m, p, &input, None).await?;
    let now = m.state.clock.now();
    let mut am = health_facility::ActiveModel {
        uuid: Set(input.uuid.unwrap_or_else(Uuid::now_v7)),
        json_ext: Set(None),
        validity_from: Set(now),
        validity_to: Set(None),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    };
    fill_hf(&mut am, &input);
    let model = am.insert(tx).await.map_err(|e| {
        crate::error::unique_or(e, &["code"], input.uuid, || {
            hf_code_taken_error(&input.code)
        })
    })?;
    if let Some(cs) = &input.catchments {
        insert_catchments(tx, model.id, cs, now, m.actor()).await?;
    }
    publish_saving(m, model.id, &input).await?;
    Ok(model)
}

/// The current facility named by uuid or code, read under its row lock (for a change): a
/// concurrent change of the same facility waits, then reads what this one wrote (D7).
async fn find_hf_target(
    tx: &DatabaseTransaction,
    uuid: Option<Uuid>,
    code: Option<&str>,
) -> AppResult<health_facility::Model> {
    let mut q =
        health_facility::Entity::find().filter(health_facility::Column::ValidityTo.is_null());
    match (uuid, code) {
        (Some(u), _) => q = q.filter(health_facility::Column::Uuid.eq(u)),
        (None, Some(c)) => q = q.filter(health_facility::Column::Code.eq(c.trim())),
        (None, None) => return Err(AppError::invalid("uuid", "required")),
    }
    q.lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("health_facility"))
}

async fn close_catchments(
    tx: &DatabaseTransaction,
    hf_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let stmt = crate::db::stmt(
        tx.get_database_backend(),
        "UPDATE core_hf_catchment SET validity_to = ? WHERE health_facility_id = ? AND validity_to IS NULL",
        vec![now.into(), hf_id.into()],
    );
    tx.execute_raw(stmt).await?;
    Ok(())
}

/// `updateHealthFacility` (121103): saves the previous version, replaces every field and, when
/// `catchments` is given, the catchments (old rows are closed).
pub async fn update_health_facility(
    m: &MutationCtx<'_>,
    input: HealthFacilityInput,
) -> AppResult<health_facility::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_HF_UPDATE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let uuid = input
        .uuid
        .ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let old = find_hf_target(tx, Some(uuid), None).await?;
    require_allowed(tx, p, old.location_id).await?;
    validate_hf(m, p, &input, Some(old.id)).await?;
    let now = m.state.clock.now();
    crate::history::save(
        tx,
        "health_facility",
        old.id,
        &old,
        old.validity_from,
        now,
        m.actor(),
    )
    .await?;
    let id = old.id;
    let mut am: health_facility::ActiveModel = old.into();
    fill_hf(&mut am, &input);
    am.validity_from = Set(now);
    am.audit_user_id = Set(m.actor());
    let model = am.update(tx).await.map_err(|e| {
        crate::error::unique_or(e, &["code"], None, || hf_code_taken_error(&input.code))
    })?;
    if let Some(cs) = &input.catchments {
        close_catchments(tx, id, now).await?;
        insert_catchments(tx, id, cs, now, m.actor()).await?;
    }
    publish_saving(m, id, &input).await?;
    Ok(model)
}

/// `deleteHealthFacility` (121104): soft delete with a history row; its catchments are closed.
pub async fn delete_health_facility(
    m: &MutationCtx<'_>,
    uuid: Option<Uuid>,
    code: Option<&str>,
) -> AppResult<health_facility::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_HF_DELETE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let old = find_hf_target(tx, uuid, code).await?;
    require_allowed(tx, p, old.location_id).await?;
    let now = m.state.clock.now();
    crate::history::save(
        tx,
        "health_facility",
        old.id,
        &old,
        old.validity_from,
        now,
        m.actor(),
    )
    .await?;
    let id = old.id;
    let mut am: health_facility::ActiveModel = old.into();
    am.validity_to = Set(Some(now));
    am.audit_user_id = Set(m.actor());
    let model = am.update(tx).await?;
    close_catchments(tx, id, now).await?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(level_of("R"), Some(0));
        assert_eq!(level_of("V"), Some(3));
        assert_eq!(level_of("X"), None);
        let e = parent_invalid("W");
        assert_eq!(e.params.get("parentType").map(String::as_str), Some("D"));
    }

    #[test]
    fn lengths() {
        assert!(check_len("code", "12345678", 8).is_ok());
        assert!(check_len("code", "123456789", 8).is_err());
        assert!(check_len("name", "  ", 50).is_err());
    }

    fn admin() -> Principal {
        Principal {
            user_id: 1,
            user_uuid: Uuid::now_v7(),
            username: "admin".into(),
            language: "en".into(),
            rights: Default::default(),
            is_admin: true,
            kinds: Default::default(),
            health_facility_id: None,
            scope: crate::auth::Scope::unrestricted(),
            jti: None,
            login_id: None,
            token_exp: 0,
            tokens_valid_after: 0,
            csrf: crate::auth::Csrf::Satisfied,
        }
    }

    #[tokio::test]
    async fn demo_and_writes() {
        let dir = std::env::temp_dir().join(format!("imis-loc-{}", Uuid::now_v7()));
        let cfg = crate::config::Config::for_tests("sqlite::memory:", &dir);
        let state = AppState::build(cfg, true).await.unwrap();
        let tx = state.db.begin_write().await.unwrap();
        let demo = crate::location::demo::seed(&state, &*tx, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(demo.districts.len(), 2);
        assert_eq!(demo.health_facilities.len(), 3);
        let p = admin();
        let env = crate::mutation::Envelope::default();
        let input = serde_json::json!({});
        let douala = location::Entity::find_by_id(demo.districts[0])
            .one(&state.db.conn)
            .await
            .unwrap()
            .unwrap();
        // create a ward, then a village below it
        let r: crate::mutation::Outcome<i64> = crate::mutation::run(
            &state,
            Some(&p),
            "en",
            "createLocation",
            &env,
            &input,
            async |m| {
                let w = create_location(
                    m,
                    LocationInput {
                        code: "W0099".into(),
                        name: "Bali".into(),
                        location_type: "W".into(),
                        parent_uuid: Some(douala.uuid),
                        ..Default::default()
                    },
                )
                .await?;
                let v = create_location(
                    m,
                    LocationInput {
                        code: "V0099".into(),
                        name: "Bonapriso".into(),
                        location_type: "V".into(),
                        parent_uuid: Some(w.uuid),
                        ..Default::default()
                    },
                )
                .await?;
                let e = create_location(
                    m,
                    LocationInput {
                        code: "V0099".into(),
                        name: "X".into(),
                        location_type: "V".into(),
                        parent_uuid: Some(w.uuid),
                        ..Default::default()
                    },
                )
                .await
                .unwrap_err();
                assert_eq!(e.code, "location.code_taken");
                let e = create_location(
                    m,
                    LocationInput {
                        code: "V0098".into(),
                        name: "X".into(),
                        location_type: "V".into(),
                        parent_uuid: Some(douala.uuid),
                        ..Default::default()
                    },
                )
                .await
                .unwrap_err();
                assert_eq!(e.code, "location.parent_invalid");
                // move the ward under the region: it becomes a district, the village a ward
                let region = location::Entity::find_by_id(demo.region)
                    .one(&**m.tx)
                    .await?
                    .unwrap();
                let moved = move_location(m, w.uuid, Some(region.uuid)).await?;
                assert_eq!(moved.location_type, "D");
                let v2 = location::Entity::find_by_id(v.id)
                    .one(&**m.tx)
                    .await?
                    .unwrap();
                assert_eq!(v2.location_type, "W");
                let e = move_location(m, w.uuid, Some(v.uuid)).await.unwrap_err();
                assert_eq!(e.code, "location.move_into_own_subtree");
                delete_location(m, Some(w.uuid), None, None).await?;
                assert!(
                    location::Entity::find_by_id(v.id)
                        .one(&**m.tx)
                        .await?
                        .unwrap()
                        .validity_to
                        .is_some()
                );
                // health facility
                let village = demo.villages[0];
                let hf = create_health_facility(
                    m,
                    HealthFacilityInput {
                        code: "HF99".into(),
                        name: "Clinique Saint-Éloi".into(),
                        legal_form: "P".into(),
                        level: "C".into(),
                        location_id: douala.id,
                        care_type: "O".into(),
                        catchments: Some(vec![CatchmentInput {
                            location_id: village,
                            catchment: Some(30),
                        }]),
                        ..Default::default()
                    },
                )
                .await?;
                assert_eq!(hf.name_search, "clinique saint-eloi");
                let e = create_health_facility(
                    m,
                    HealthFacilityInput {
                        code: "HF98".into(),
                        name: "X".into(),
                        legal_form: "P".into(),
                        level: "C".into(),
                        location_id: douala.id,
                        care_type: "O".into(),
                        items_pricelist_id: Some(1),
                        ..Default::default()
                    },
                )
                .await
                .unwrap_err();
                assert_eq!(e.code, "module.disabled");
                let up = update_health_facility(
                    m,
                    HealthFacilityInput {
                        uuid: Some(hf.uuid),
                        code: "HF99".into(),
                        name: "Clinique".into(),
                        legal_form: "P".into(),
                        level: "C".into(),
                        location_id: douala.id,
                        care_type: "B".into(),
                        catchments: Some(vec![]),
                        ..Default::default()
                    },
                )
                .await?;
                assert_eq!(up.care_type, "B");
                assert!(catchments_for(&**m.tx, &[hf.id]).await?.is_empty());
                let versions = crate::history::versions::<health_facility::Model>(
                    &**m.tx,
                    "health_facility",
                    &[hf.id],
                )
                .await?;
                assert_eq!(versions.len(), 1);
                let same = create_health_facility(
                    m,
                    HealthFacilityInput {
                        uuid: Some(hf.uuid),
                        code: "HF99".into(),
                        name: "Clinique".into(),
                        legal_form: "P".into(),
                        level: "C".into(),
                        location_id: douala.id,
                        care_type: "B".into(),
                        ..Default::default()
                    },
                )
                .await?;
                assert_eq!(same.id, hf.id);
                delete_health_facility(m, None, Some("HF99")).await?;
                Ok(hf.id)
            },
        )
        .await
        .unwrap();
        assert!(r.result > 0);
        let f = LocationFilter {
            name_icontains: Some("DEIDO".into()),
            ..Default::default()
        };
        let rows = locations_select(&state, Some(&p), &f)
            .await
            .unwrap()
            .all(&state.db.conn)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        let f = HealthFacilityFilter {
            str: Some("bonassama".into()),
            ..Default::default()
        };
        let rows = health_facilities_select(&state, Some(&p), &f)
            .await
            .unwrap()
            .all(&state.db.conn)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        let f = LocationFilter {
            code_istartswith: Some("v00".into()),
            ..Default::default()
        };
        let rows = locations_select(&state, Some(&p), &f)
            .await
            .unwrap()
            .all(&state.db.conn)
            .await
            .unwrap();
        assert_eq!(rows.len(), 11);
        assert!(
            !validate_location_code(&state, Some(&p), "D0001")
                .await
                .unwrap()
        );
        assert_eq!(user_districts(&state, Some(&p)).await.unwrap().len(), 2);
    }
}
