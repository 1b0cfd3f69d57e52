//! Resolution of the core's global ids for the gateway's Relay `node(id:)` (D4, D7): the global id names the type and the key;
//! history ids (`<TypeName>History:<history pk>`) resolve to that version. Lookups apply the same
//! rights and location scope as the lists (D8, D9): a row outside them answers null.

use crate::auth::{Requirement, require_user};
use crate::entity::{health_facility, mutation_log, role};
use crate::error::AppError;
use crate::graphql::relay::{NodeValue, register_implementer};
use crate::graphql::{GqlResult, decode_global_id, global_id, principal, state};
use crate::kit::CurrentRows;
use crate::location::graphql::{
    HealthFacilityGQLType, LocationGQLType, health_facility_nodes, location_nodes,
};
use crate::location::service::{self as locations, HealthFacilityFilter, LocationFilter};
use crate::registry::NodeDef;
use crate::users::graphql::{MutationLogGQLType, RoleGQLType, UserGQLType};
use crate::users::service as users;
use async_graphql::{Context, ID, Result};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The global-id type names the core resolves (the gateway's `node` dispatches on them).
pub const NODE_TYPES: &[&str] = &[
    "LocationGQLType",
    "HealthFacilityGQLType",
    "HealthFacilityGQLTypeHistory",
    "UserGQLType",
    "UserGQLTypeHistory",
    "RoleGQLType",
    "RoleGQLTypeHistory",
    "MutationLogGQLType",
];

/// A core object found by its global id; the gateway's `Node` interface wraps it.
pub enum CoreNode {
    Location(LocationGQLType),
    HealthFacility(HealthFacilityGQLType),
    User(UserGQLType),
    Role(RoleGQLType),
    MutationLog(MutationLogGQLType),
}

fn bad_id(id: &str) -> AppError {
    AppError::validation("input.invalid_id").with("id", id)
}

/// The core object of a global id, or None when it does not exist or lies outside the caller's
/// rights and locations.
pub async fn resolve(ctx: &Context<'_>, id: &ID) -> Result<Option<CoreNode>> {
    require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
    let (type_name, key) = decode_global_id(id).gql(ctx)?;
    resolve_key(ctx, &type_name, &key, id).await
}

/// The core's entry in the registry's `node(id:)`: its object types and its resolver.
pub(crate) const NODES: NodeDef = NodeDef {
    type_names: NODE_TYPES,
    register: |registry| {
        register_implementer::<LocationGQLType>(registry);
        register_implementer::<HealthFacilityGQLType>(registry);
        register_implementer::<UserGQLType>(registry);
        register_implementer::<RoleGQLType>(registry);
        register_implementer::<MutationLogGQLType>(registry);
    },
    resolve: |ctx, type_name, key| {
        Box::pin(async move {
            require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
            let id = global_id(type_name, key);
            Ok(resolve_key(ctx, type_name, key, &id)
                .await?
                .map(CoreNode::into_value))
        })
    },
};

impl CoreNode {
    /// The object as the registry's `Node` interface carries it.
    pub fn into_value(self) -> NodeValue {
        match self {
            CoreNode::Location(x) => NodeValue::new(x),
            CoreNode::HealthFacility(x) => NodeValue::new(x),
            CoreNode::User(x) => NodeValue::new(x),
            CoreNode::Role(x) => NodeValue::new(x),
            CoreNode::MutationLog(x) => NodeValue::new(x),
        }
    }
}

/// The core object of type `type_name` with key `key` (`id`, the global id, names it in errors).
async fn resolve_key(
    ctx: &Context<'_>,
    type_name: &str,
    key: &str,
    id: &ID,
) -> Result<Option<CoreNode>> {
    {
        let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let st = state(ctx);
        let conn = &st.db.conn;
        let pk = || key.parse::<i64>().map_err(|_| bad_id(id)).gql(ctx);
        let uuid = || uuid::Uuid::parse_str(key).map_err(|_| bad_id(id)).gql(ctx);
        // The caller sees itself, and other users when managing users in their locations.
        let user_visible = async |user_id: i64| -> async_graphql::Result<bool> {
            Ok(user_id == p.user_id
                || (p.has_right(users::RIGHT_USER_SEARCH)
                    && users::visible_user_ids(conn, p, &[user_id])
                        .await
                        .gql(ctx)?
                        .contains(&user_id)))
        };
        Ok(match type_name {
            "LocationGQLType" => {
                let filter = LocationFilter {
                    id: Some(pk()?),
                    ..Default::default()
                };
                let Some(m) = locations::locations_select(st, Some(p), &filter)
                    .await
                    .gql(ctx)?
                    .one(conn)
                    .await
                    .map_err(AppError::from)
                    .gql(ctx)?
                else {
                    return Ok(None);
                };
                location_nodes(conn, &[m.id])
                    .await
                    .gql(ctx)?
                    .remove(&m.id)
                    .map(CoreNode::Location)
            }
            "HealthFacilityGQLType" | "HealthFacilityGQLTypeHistory" => {
                // The current facility `id` when the caller's locations include it.
                let visible_facility = async |id: i64| -> async_graphql::Result<_> {
                    let filter = HealthFacilityFilter {
                        id: Some(id),
                        ..Default::default()
                    };
                    locations::health_facilities_select(st, Some(p), &filter)
                        .await
                        .gql(ctx)?
                        .one(conn)
                        .await
                        .map_err(AppError::from)
                        .gql(ctx)
                };
                let (model, version) = if type_name.ends_with("History") {
                    let hid = pk()?;
                    let found = crate::history::version_by_history_id::<health_facility::Model>(
                        conn,
                        "health_facility",
                        hid,
                    )
                    .await
                    .gql(ctx)?;
                    let Some(m) = found else { return Ok(None) };
                    (m, Some(hid))
                } else {
                    let Some(m) = visible_facility(pk()?).await? else {
                        return Ok(None);
                    };
                    (m, None)
                };
                // A version is shown only when its current row is within scope.
                if version.is_some() && visible_facility(model.id).await?.is_none() {
                    return Ok(None);
                }
                health_facility_nodes(st, vec![(model, version)], true, true)
                    .await
                    .gql(ctx)?
                    .pop()
                    .map(CoreNode::HealthFacility)
            }
            "UserGQLType" => {
                let u = crate::entity::user::Entity::find()
                    .filter(crate::entity::user::Column::Uuid.eq(uuid()?))
                    .current()
                    .one(conn)
                    .await
                    .map_err(AppError::from)
                    .gql(ctx)?;
                let Some(u) = u else { return Ok(None) };
                if !user_visible(u.id).await? {
                    return Ok(None);
                }
                let roles = users::roles_of_users(conn, &[u.id])
                    .await
                    .gql(ctx)?
                    .into_iter()
                    .map(|(_, r)| r)
                    .collect();
                Some(CoreNode::User(UserGQLType {
                    user: u,
                    roles,
                    history_id: None,
                }))
            }
            "RoleGQLType" | "RoleGQLTypeHistory" => {
                if !p.has_right(users::RIGHT_ROLE_SEARCH) {
                    return Ok(None);
                }
                let (found, history_id) = if type_name.ends_with("History") {
                    let hid = pk()?;
                    let found =
                        crate::history::version_by_history_id::<role::Model>(conn, "role", hid)
                            .await
                            .gql(ctx)?;
                    (found, Some(hid))
                } else {
                    let found = role::Entity::find_by_id(pk()?)
                        .current()
                        .one(conn)
                        .await
                        .map_err(AppError::from)
                        .gql(ctx)?;
                    (found, None)
                };
                let Some(r) = found else { return Ok(None) };
                let rights = users::rights_of_roles(conn, &[r.id]).await.gql(ctx)?;
                Some(CoreNode::Role(RoleGQLType {
                    role: r,
                    rights,
                    history_id,
                }))
            }
            "UserGQLTypeHistory" => {
                let hid = pk()?;
                let found = crate::history::version_by_history_id::<crate::entity::user::Model>(
                    conn, "user", hid,
                )
                .await
                .gql(ctx)?;
                let Some(u) = found else { return Ok(None) };
                if !user_visible(u.id).await? {
                    return Ok(None);
                }
                Some(CoreNode::User(UserGQLType {
                    user: u,
                    roles: vec![],
                    history_id: Some(hid),
                }))
            }
            "MutationLogGQLType" => {
                let mut q =
                    mutation_log::Entity::find().filter(mutation_log::Column::Uuid.eq(uuid()?));
                if !p.is_admin {
                    q = q.filter(mutation_log::Column::UserId.eq(p.user_id));
                }
                q.one(conn)
                    .await
                    .map_err(AppError::from)
                    .gql(ctx)?
                    .map(|m| CoreNode::MutationLog(MutationLogGQLType(m)))
            }
            _ => return Err(bad_id(id).to_gql(&crate::graphql::lang(ctx))),
        })
    }
}
