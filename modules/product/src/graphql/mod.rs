//! GraphQL roots of the product module, with openIMIS names (D3). Resolvers convert arguments
//! and call [`crate::service`], which checks rights and scope. Locations, conversion products,
//! lines and relative prices of a page of products are loaded once per page (no N+1).

use crate::entity::{product, relative_distribution};
use crate::service::{
    self, LineInput, LineKind, ProductFilter, ProductInput, ProductLine, RelativePriceInput,
};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::graphql::connection::{Page, PageArgs};
use imis_core::graphql::scalars::{Date, DateTime};
use imis_core::graphql::{
    GqlResult, MutationEnvelopeInput, decode_global_id, global_id, parse_uuid, principal, state,
};
use imis_core::kit::{Sorting, check_list_csrf, mutate, page_of};
use imis_core::location::graphql::{LocationGQLType, location_nodes};
use imis_core::money::Money;
use imis_core::{AppError, AppResult, AppState};
use imis_medical::api::{ItemGQLType, ServiceGQLType, item_nodes, service_nodes};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

imis_core::connection_type!(
    ProductConnection,
    ProductConnName,
    ProductEdgeName,
    ProductGQLType,
    "ProductGQLType"
);
imis_core::connection_type!(
    ProductItemConnection,
    ProductItemConnName,
    ProductItemEdgeName,
    ProductItemGQLType,
    "ProductItemGQLType"
);
imis_core::connection_type!(
    ProductServiceConnection,
    ProductServiceConnName,
    ProductServiceEdgeName,
    ProductServiceGQLType,
    "ProductServiceGQLType"
);

mod enums;
mod inputs;
mod products;
mod types;

pub(crate) use enums::*;
pub(crate) use inputs::*;
pub use products::*;
/// A product node (other modules reach it through `api`).
pub use types::ProductGQLType;
pub(crate) use types::*;

/// The global-id type names this module resolves in `node(id:)`: a product, or one of its
/// history versions.
pub const NODE_TYPES: &[&str] = &["ProductGQLType", "ProductGQLTypeHistory"];

/// The descriptor's node registration.
pub(crate) fn register_nodes(registry: &mut async_graphql::registry::Registry) {
    imis_core::graphql::relay::register_implementer::<ProductGQLType>(registry);
}

/// The descriptor's node resolver: the `product(id:)` query of the global id; null when the
/// module is hidden from the caller or the caller may not read products (as for the other
/// node types, no error).
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
        let id = global_id(type_name, key);
        Ok(match ProductQuery.product(ctx, Some(id), None).await {
            Ok(found) => found.map(NodeValue::new),
            Err(_) => None,
        })
    })
}
