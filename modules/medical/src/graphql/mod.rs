//! GraphQL of the medical module, with openIMIS names (D3): items, services, diagnoses and
//! price lists. Resolvers are thin: they convert arguments, call one function of
//! [`crate::service`] (which checks rights and scope) and shape the output; nested data (package
//! content, price-list details, locations) is loaded once per page. Every root field is hidden
//! when the module is disabled.

mod diagnoses;
mod items;
mod pricelists;
mod scalars;
mod services;
mod types;

pub use scalars::{PatientCategories, ServiceCodeInputType, ServicePackagetype, TinyInt};
pub use types::*;

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
    let rows = sea_orm::ConnectionTrait::query_all_raw(
        &st.db.conn,
        imis_core::db::stmt(
            st.db.backend(),
            "SELECT o.entity_id FROM core_mutation_log_object o JOIN core_mutation_log l ON l.id = o.mutation_id \
             WHERE l.user_id = ? AND l.client_mutation_id = ? AND o.entity = ?",
            vec![p.user_id.into(), client_mutation_id.into(), entity.into()],
        ),
    )
    .await?;
    rows.iter()
        .map(|r| r.try_get::<i64>("", "entity_id").map_err(Into::into))
        .collect()
}

/// The global-id type names this module resolves for the gateway's `node(id:)`.
pub const NODE_TYPES: &[&str] = &[
    "ItemGQLType",
    "ItemGQLTypeHistory",
    "ServiceGQLType",
    "ServiceGQLTypeHistory",
    "DiagnosisGQLType",
    "DiagnosisGQLTypeHistory",
];

/// An item, service or diagnosis by global id (current or historical version).
pub enum MedicalNode {
    Item(ItemGQLType),
    Service(ServiceGQLType),
    Diagnosis(DiagnosisGQLType),
}

/// Resolves a global id of [`NODE_TYPES`]; reference lists are open to any logged-in user (D8).
pub async fn resolve_node(
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
