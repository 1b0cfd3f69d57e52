//! Location reads: the filtered lists, the tree's ancestors and subtrees, code checks, officer
//! and user locations.

use super::*;

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

pub(super) async fn ids_of_uuids(
    conn: &impl ConnectionTrait,
    uuids: &[Uuid],
) -> AppResult<Vec<i64>> {
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
    let mut q = location::Entity::find().current();
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
        restrict(child_ids(conn, u).await?);
    }
    if let Some(ps) = parents {
        q = q.filter(C::ParentId.is_in(ps));
    }
    if let Some(search) = code_or_name_contains(C::Code, C::NameSearch, &f.str) {
        q = q.filter(search);
    }
    Ok(q)
}

/// The given locations and the ids of all their ancestors, in one recursive query.
pub async fn ancestor_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let rows = conn
        .query_all_raw(crate::location::tree::ancestors_statement(
            conn.get_database_backend(),
            ids,
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
    code_free::<location::Entity>(state, principal, code).await
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
        .current();
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
        .current()
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
