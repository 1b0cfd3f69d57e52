//! A user's links to locations as openIMIS shows them: an officer's villages
//! (`OfficerGQLType.officerVillages`), an interactive user's districts
//! (`InteractiveUserGQLType.userdistrictSet`) and an officer's substitute. The schema may carry a
//! [`UserLinksLoader`] (see [`user_links_loader`]) so a list asks for them in one query per batch;
//! without it each look-up runs alone. Links outside the caller's locations are left out (D9).

use super::*;
use crate::db::stmt;
use crate::state::AppState;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// One current row of `core_officer_village` or `core_user_district`.
#[derive(Clone, Debug)]
pub struct LocationLink {
    pub id: i64,
    pub user_id: i64,
    pub location_id: i64,
    pub validity_from: chrono::DateTime<chrono::Utc>,
    pub validity_to: Option<chrono::DateTime<chrono::Utc>>,
    pub audit_user_id: Option<i64>,
}

/// The current villages of the officer with this user id.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct OfficerVillagesOf(pub i64);

/// The current districts of the interactive user with this user id.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct UserDistrictsOf(pub i64);

/// The current officer with this user id.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct CurrentOfficer(pub i64);

/// Loads users' location links and officers by user id.
pub struct UserLinksLoader {
    state: AppState,
}

/// The loader the schema carries as data (`Schema::build(…).data(user_links_loader(&state))`).
pub fn user_links_loader(state: &AppState) -> DataLoader<UserLinksLoader> {
    DataLoader::new(
        UserLinksLoader {
            state: state.clone(),
        },
        tokio::spawn,
    )
}

/// The link tables this file reads; fixed names, never client input.
#[derive(Clone, Copy)]
enum LinkTable {
    OfficerVillages,
    UserDistricts,
}

impl LinkTable {
    fn name(self) -> &'static str {
        match self {
            LinkTable::OfficerVillages => "core_officer_village",
            LinkTable::UserDistricts => "core_user_district",
        }
    }
}

/// The current links of `user_ids` in `table`, by user id, each list ordered by location id.
async fn current_links(
    conn: &impl ConnectionTrait,
    table: LinkTable,
    user_ids: &[i64],
) -> crate::AppResult<HashMap<i64, Vec<LocationLink>>> {
    let mut out: HashMap<i64, Vec<LocationLink>> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT id, user_id, location_id, validity_from, validity_to, audit_user_id FROM {t} \
         WHERE validity_to IS NULL AND user_id IN ({ids}) ORDER BY user_id, location_id, id",
        t = table.name(),
        ids = crate::text::ids_sql(user_ids.iter().copied())
    );
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, vec![]))
        .await?;
    for r in rows {
        let link = LocationLink {
            id: r.try_get_by_index(0)?,
            user_id: r.try_get_by_index(1)?,
            location_id: r.try_get_by_index(2)?,
            validity_from: r.try_get_by_index(3)?,
            validity_to: r.try_get_by_index(4)?,
            audit_user_id: r.try_get_by_index(5)?,
        };
        out.entry(link.user_id).or_default().push(link);
    }
    Ok(out)
}

/// Those of `ids` that are current officers.
async fn current_officers(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> crate::AppResult<HashMap<i64, user::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .filter(user::Column::IsOfficer.eq(true))
        .current()
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

impl Loader<OfficerVillagesOf> for UserLinksLoader {
    type Value = Vec<LocationLink>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[OfficerVillagesOf],
    ) -> Result<HashMap<OfficerVillagesOf, Vec<LocationLink>>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let found = current_links(&self.state.db.conn, LinkTable::OfficerVillages, &ids).await?;
        Ok(keys
            .iter()
            .map(|k| (*k, found.get(&k.0).cloned().unwrap_or_default()))
            .collect())
    }
}

impl Loader<UserDistrictsOf> for UserLinksLoader {
    type Value = Vec<LocationLink>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[UserDistrictsOf],
    ) -> Result<HashMap<UserDistrictsOf, Vec<LocationLink>>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let found = current_links(&self.state.db.conn, LinkTable::UserDistricts, &ids).await?;
        Ok(keys
            .iter()
            .map(|k| (*k, found.get(&k.0).cloned().unwrap_or_default()))
            .collect())
    }
}

impl Loader<CurrentOfficer> for UserLinksLoader {
    type Value = user::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CurrentOfficer],
    ) -> Result<HashMap<CurrentOfficer, user::Model>, AppError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        Ok(current_officers(&self.state.db.conn, &ids)
            .await?
            .into_iter()
            .map(|(id, u)| (CurrentOfficer(id), u))
            .collect())
    }
}

/// The current links of `user_id` in `table`, batched through the schema's loader.
async fn links_of(
    ctx: &Context<'_>,
    table: LinkTable,
    user_id: i64,
) -> crate::AppResult<Vec<LocationLink>> {
    if let Some(loader) = ctx.data_opt::<DataLoader<UserLinksLoader>>() {
        let links = match table {
            LinkTable::OfficerVillages => loader.load_one(OfficerVillagesOf(user_id)).await?,
            LinkTable::UserDistricts => loader.load_one(UserDistrictsOf(user_id)).await?,
        };
        return Ok(links.unwrap_or_default());
    }
    Ok(current_links(&state(ctx).db.conn, table, &[user_id])
        .await?
        .remove(&user_id)
        .unwrap_or_default())
}

/// The current officer `id`, batched through the schema's loader.
async fn officer_of(ctx: &Context<'_>, id: i64) -> crate::AppResult<Option<user::Model>> {
    match ctx.data_opt::<DataLoader<UserLinksLoader>>() {
        Some(loader) => loader.load_one(CurrentOfficer(id)).await,
        None => Ok(current_officers(&state(ctx).db.conn, &[id])
            .await?
            .remove(&id)),
    }
}

/// The links of `user_id` in `table` whose location the caller may see (D9, as
/// `OfficerGQLType.location` shows locations), each with its location node.
async fn visible_links(
    ctx: &Context<'_>,
    table: LinkTable,
    user_id: i64,
) -> Result<Vec<(LocationLink, LocationGQLType)>> {
    let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
    let visible = p
        .scope
        .visible_locations(&state(ctx).db.conn)
        .await
        .gql(ctx)?;
    let links: Vec<LocationLink> = links_of(ctx, table, user_id)
        .await
        .gql(ctx)?
        .into_iter()
        .filter(|l| visible.as_ref().is_none_or(|v| v.contains(&l.location_id)))
        .collect();
    // Awaited together so the location loader answers them in one batch.
    let nodes =
        futures::future::try_join_all(links.iter().map(|l| location_node(ctx, l.location_id)))
            .await
            .gql(ctx)?;
    Ok(links
        .into_iter()
        .zip(nodes)
        .filter_map(|(link, node)| node.map(|n| (link, n)))
        .collect())
}

/// The officer's current villages the caller may see.
pub(super) async fn officer_villages(
    ctx: &Context<'_>,
    officer: &user::Model,
) -> Result<Vec<OfficerVillageGQLType>> {
    Ok(visible_links(ctx, LinkTable::OfficerVillages, officer.id)
        .await?
        .into_iter()
        .map(|(link, location)| OfficerVillageGQLType {
            link,
            officer: officer.clone(),
            location,
        })
        .collect())
}

/// The interactive user's current districts the caller may see.
pub(super) async fn user_districts(
    ctx: &Context<'_>,
    u: &InteractiveUserGQLType,
) -> Result<Vec<UserDistrictType>> {
    Ok(visible_links(ctx, LinkTable::UserDistricts, u.user.id)
        .await?
        .into_iter()
        .map(|(link, location)| UserDistrictType {
            link,
            user: u.clone(),
            location,
        })
        .collect())
}

/// The officer's substitute: its current officer, when the caller may see it (D9: its officer
/// district or one of its villages lies within the caller's locations, or it is the caller).
pub(super) async fn substitution_officer(
    ctx: &Context<'_>,
    officer: &user::Model,
) -> Result<Option<OfficerGQLType>> {
    let Some(id) = officer.substitution_officer_id else {
        return Ok(None);
    };
    let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
    let Some(substitute) = officer_of(ctx, id).await.gql(ctx)? else {
        return Ok(None);
    };
    if let Some(allowed) = p
        .scope
        .allowed_locations(&state(ctx).db.conn)
        .await
        .gql(ctx)?
        && substitute.id != p.user_id
    {
        let in_scope = substitute
            .officer_location_id
            .is_some_and(|l| allowed.contains(&l))
            || links_of(ctx, LinkTable::OfficerVillages, substitute.id)
                .await
                .gql(ctx)?
                .iter()
                .any(|l| allowed.contains(&l.location_id));
        if !in_scope {
            return Ok(None);
        }
    }
    Ok(Some(OfficerGQLType(substitute)))
}

/// A village an enrolment officer works in (openIMIS `OfficerVillageGQLType`).
#[derive(Clone)]
pub struct OfficerVillageGQLType {
    link: LocationLink,
    officer: user::Model,
    location: LocationGQLType,
}

#[Object(name = "OfficerVillageGQLType")]
impl OfficerVillageGQLType {
    async fn id(&self) -> ID {
        global_id("OfficerVillageGQLType", self.link.id)
    }
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.link.validity_from, self.link.validity_to)
    }
    /// Current rows only: no version points to another row.
    async fn legacy_id(&self) -> Option<i64> {
        None
    }
    async fn officer(&self) -> OfficerGQLType {
        OfficerGQLType(self.officer.clone())
    }
    async fn location(&self) -> &LocationGQLType {
        &self.location
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.link.audit_user_id
    }
}

/// A district an interactive user works in (openIMIS `UserDistrictType`).
#[derive(Clone)]
pub struct UserDistrictType {
    link: LocationLink,
    user: InteractiveUserGQLType,
    location: LocationGQLType,
}

#[Object(name = "UserDistrictType")]
impl UserDistrictType {
    async fn id(&self) -> ID {
        global_id("UserDistrictType", self.link.id)
    }
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.link.validity_from, self.link.validity_to)
    }
    /// Current rows only: no version points to another row.
    async fn legacy_id(&self) -> Option<i64> {
        None
    }
    async fn user(&self) -> &InteractiveUserGQLType {
        &self.user
    }
    async fn location(&self) -> &LocationGQLType {
        &self.location
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.link.audit_user_id
    }
}
