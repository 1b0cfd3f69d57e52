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

/// The `clientMutationId` filter of a list: the first object of `entity` that this mutation of
/// the caller created or changed (0, matching nothing, when none); `None` when not asked.
pub(crate) async fn mutation_object_id(
    ctx: &Context<'_>,
    client_mutation_id: Option<String>,
    entity: &str,
) -> AppResult<Option<i64>> {
    let Some(c) = client_mutation_id.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let ids = match principal(ctx) {
        Some(p) => {
            let conn = &imis_core::graphql::state(ctx).db.conn;
            imis_core::mutation::objects_of_client_mutation(conn, p.user_id, &c, entity).await?
        }
        None => vec![],
    };
    Ok(Some(ids.first().copied().unwrap_or(0)))
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

/// The row of `E` a global id names: the version `history` when given, else the current row
/// `pk`.
async fn version_or_current<E>(
    conn: &impl sea_orm::ConnectionTrait,
    entity: &str,
    pk: i64,
    history: Option<i64>,
) -> AppResult<Option<E::Model>>
where
    E: sea_orm::EntityTrait,
    E::Model: imis_core::history::Versioned,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i64>,
{
    use imis_core::kit::CurrentRows;
    match history {
        Some(h) => imis_core::history::version_by_history_id::<E::Model>(conn, entity, h).await,
        None => Ok(E::find_by_id(pk).current().one(conn).await?),
    }
}

/// Resolves a global id of [`NODE_TYPES`]; reference lists are open to any logged-in user (D8).
pub(crate) async fn resolve_node(
    ctx: &async_graphql::Context<'_>,
    type_name: &str,
    key: &str,
) -> async_graphql::Result<Option<MedicalNode>> {
    use crate::entity::{diagnosis, item, service};
    use crate::service as svc;
    imis_core::kit::caller(ctx, &[]).gql(ctx)?;
    let conn = &imis_core::graphql::state(ctx).db.conn;
    let pk: i64 = key
        .parse()
        .map_err(|_| imis_core::AppError::validation("input.invalid_id").with("id", key))
        .gql(ctx)?;
    let history_id = type_name.ends_with("History").then_some(pk);
    let run = async {
        Ok(match type_name.trim_end_matches("History") {
            "ItemGQLType" => {
                version_or_current::<item::Entity>(conn, svc::ENTITY_ITEM, pk, history_id)
                    .await?
                    .map(|model| MedicalNode::Item(ItemGQLType { model, history_id }))
            }
            "ServiceGQLType" => {
                version_or_current::<service::Entity>(conn, svc::ENTITY_SERVICE, pk, history_id)
                    .await?
                    .map(|model| {
                        let mut n = ServiceGQLType::new(model);
                        n.history_id = history_id;
                        MedicalNode::Service(n)
                    })
            }
            _ => {
                version_or_current::<diagnosis::Entity>(conn, svc::ENTITY_DIAGNOSIS, pk, history_id)
                    .await?
                    .map(|model| MedicalNode::Diagnosis(DiagnosisGQLType { model, history_id }))
            }
        })
    };
    run.await.gql(ctx)
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
