//! GraphQL of the medical module, with openIMIS names (D3): items, services, diagnoses and
//! price lists. Resolvers are thin: they convert arguments, call one function of
//! [`crate::service`] (which checks rights and scope) and shape the output; nested data (package
//! content, price-list details, locations) is loaded once per page. Every root field is hidden
//! when the module is disabled.

mod diagnoses;
mod items;
mod pricelist_types;
mod pricelists;
mod scalars;
mod services;
mod types;

pub(crate) use types::*;
/// The item, service and diagnosis nodes (other modules reach items and services through `api`).
pub use types::{DiagnosisGQLType, ItemGQLType, ServiceGQLType};

use async_graphql::{Context, MergedObject};
use imis_core::AppResult;
use imis_core::graphql::connection::PageArgs;
use imis_core::graphql::{GqlResult, parse_uuid, principal};
use uuid::Uuid;

pub(crate) fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

/// The medical module's query root.
#[derive(MergedObject, Default)]
pub struct MedicalQuery(
    items::ItemQuery,
    services::ServiceQuery,
    diagnoses::DiagnosisQuery,
    pricelists::PricelistQuery,
    pricelists::ItemsPricelistQuery,
    pricelists::ServicesPricelistQuery,
);

/// The medical module's mutation root.
#[derive(MergedObject, Default)]
pub struct MedicalMutation(
    items::ItemMutation,
    services::ServiceMutation,
    diagnoses::DiagnosisMutation,
    pricelists::ItemsPricelistMutation,
    pricelists::ServicesPricelistMutation,
);

/// List queries of cookie sessions must carry the CSRF token (D31).
pub(crate) fn check_list(ctx: &Context<'_>) -> async_graphql::Result<()> {
    if let Some(p) = principal(ctx) {
        p.check_csrf().gql(ctx)?;
    }
    Ok(())
}

pub(crate) fn opt_uuid(v: &Option<String>, field: &str) -> AppResult<Option<Uuid>> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_uuid(s, field))
        .transpose()
}

pub(crate) fn uuid_list(v: &Option<Vec<Option<String>>>, field: &str) -> AppResult<Vec<Uuid>> {
    v.iter()
        .flatten()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_uuid(s, field))
        .collect()
}

pub(crate) fn page_args(
    first: Option<i32>,
    last: Option<i32>,
    after: Option<String>,
    before: Option<String>,
    offset: Option<i32>,
    order_by: Option<Vec<String>>,
) -> PageArgs {
    PageArgs {
        first,
        last,
        after,
        before,
        offset,
        order_by,
    }
}

/// Whether the client selected `edges { node { <field> } }` on this connection.
pub(crate) fn node_wants(ctx: &Context<'_>, field: &str) -> bool {
    ctx.look_ahead()
        .field("edges")
        .field("node")
        .field(field)
        .exists()
}

/// The currency's minor digits.
pub(crate) fn digits(ctx: &Context<'_>) -> u32 {
    imis_core::graphql::state(ctx)
        .config
        .core
        .currency_minor_digits
}

/// Each of these amounts must be an amount of the currency: `input.invalid` naming its GraphQL
/// field otherwise (more decimals than the currency, or beyond what storage holds). Checked
/// before the service (which owns signs and every other rule), so a bad amount is named whatever
/// else the input holds.
pub(crate) fn check_amounts<'a>(
    digits: u32,
    amounts: impl IntoIterator<Item = (&'a str, Option<rust_decimal::Decimal>)>,
) -> AppResult<()> {
    for (field, v) in amounts {
        if let Some(d) = v {
            imis_core::money::Money::parse(field, d, digits)?;
        }
    }
    Ok(())
}

/// Ids of the objects a mutation with this `clientMutationId` of the caller created or changed.
pub(crate) async fn mutation_objects(
    ctx: &Context<'_>,
    client_mutation_id: &str,
    entity: &str,
) -> AppResult<Vec<i64>> {
    let st = imis_core::graphql::state(ctx);
    let Some(p) = principal(ctx) else {
        return Ok(vec![]);
    };
    imis_core::mutation::objects_of_client_mutation(
        &st.db.conn,
        p.user_id,
        client_mutation_id,
        entity,
    )
    .await
}

/// The global-id type names this module resolves for the gateway's `node(id:)`.
pub(crate) const NODE_TYPES: &[&str] = &[
    "ItemGQLType",
    "ItemGQLTypeHistory",
    "ServiceGQLType",
    "ServiceGQLTypeHistory",
    "DiagnosisGQLType",
    "DiagnosisGQLTypeHistory",
];

/// An item, service or diagnosis by global id (current or historical version).
pub(crate) enum MedicalNode {
    Item(ItemGQLType),
    Service(ServiceGQLType),
    Diagnosis(DiagnosisGQLType),
}

/// Resolves a global id of [`NODE_TYPES`]; reference lists are open to any logged-in user (D8).
pub(crate) async fn resolve_node(
    ctx: &async_graphql::Context<'_>,
    type_name: &str,
    key: &str,
) -> async_graphql::Result<Option<MedicalNode>> {
    use crate::entity::{diagnosis, item, service};
    use crate::service as svc;
    use imis_core::auth::{Requirement, require_user};
    use imis_core::graphql::{GqlResult, principal, state};
    use imis_core::history::version_by_history_id;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
    let conn = &state(ctx).db.conn;
    let pk: i64 = key
        .parse()
        .map_err(|_| imis_core::AppError::validation("input.invalid_id").with("id", key))
        .gql(ctx)?;
    let history = type_name.ends_with("History").then_some(pk);
    let db = |e: sea_orm::DbErr| imis_core::AppError::from(e);
    Ok(match type_name.trim_end_matches("History") {
        "ItemGQLType" => {
            let m = match history {
                Some(h) => version_by_history_id::<item::Model>(conn, svc::ENTITY_ITEM, h)
                    .await
                    .gql(ctx)?,
                None => item::Entity::find_by_id(pk)
                    .filter(item::Column::ValidityTo.is_null())
                    .one(conn)
                    .await
                    .map_err(db)
                    .gql(ctx)?,
            };
            m.map(|model| {
                MedicalNode::Item(ItemGQLType {
                    model,
                    history_id: history,
                })
            })
        }
        "ServiceGQLType" => {
            let m = match history {
                Some(h) => version_by_history_id::<service::Model>(conn, svc::ENTITY_SERVICE, h)
                    .await
                    .gql(ctx)?,
                None => service::Entity::find_by_id(pk)
                    .filter(service::Column::ValidityTo.is_null())
                    .one(conn)
                    .await
                    .map_err(db)
                    .gql(ctx)?,
            };
            m.map(|model| {
                let mut n = ServiceGQLType::new(model);
                n.history_id = history;
                MedicalNode::Service(n)
            })
        }
        _ => {
            let m = match history {
                Some(h) => {
                    version_by_history_id::<diagnosis::Model>(conn, svc::ENTITY_DIAGNOSIS, h)
                        .await
                        .gql(ctx)?
                }
                None => diagnosis::Entity::find_by_id(pk)
                    .filter(diagnosis::Column::ValidityTo.is_null())
                    .one(conn)
                    .await
                    .map_err(db)
                    .gql(ctx)?,
            };
            m.map(|model| {
                MedicalNode::Diagnosis(DiagnosisGQLType {
                    model,
                    history_id: history,
                })
            })
        }
    })
}

/// The descriptor's node registration: the medical types implementing `Node`.
pub(crate) fn register_nodes(registry: &mut async_graphql::registry::Registry) {
    use imis_core::graphql::relay::register_implementer;
    register_implementer::<ItemGQLType>(registry);
    register_implementer::<ServiceGQLType>(registry);
    register_implementer::<DiagnosisGQLType>(registry);
}

/// The descriptor's node resolver: [`resolve_node`] as a registry `NodeValue` (null when the
/// module is hidden from the caller).
pub(crate) fn resolve_node_value<'a>(
    ctx: &'a Context<'_>,
    type_name: &'a str,
    key: &'a str,
) -> imis_core::registry::NodeFuture<'a> {
    use imis_core::graphql::relay::NodeValue;
    Box::pin(async move {
        if !visible(ctx) {
            return Ok(None);
        }
        Ok(resolve_node(ctx, type_name, key).await?.map(|n| match n {
            MedicalNode::Item(x) => NodeValue::new(x),
            MedicalNode::Service(x) => NodeValue::new(x),
            MedicalNode::Diagnosis(x) => NodeValue::new(x),
        }))
    })
}
