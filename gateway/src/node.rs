//! Relay `node(id:)` over the enabled modules (D4): the global id names the GraphQL type; the
//! module whose descriptor lists that type (`nodes`, [`imis_core::registry::NodeDef`]) resolves
//! it with its own rights and location scope, and the object comes back through the one `Node`
//! interface ([`NodeValue`]), whose implementers the modules register themselves. The gateway
//! names no module here: a new module's node types need no edit.

use async_graphql::{Context, ID, Object, Result};
use imis_core::auth::{Requirement, require_user};
use imis_core::graphql::relay::NodeValue;
use imis_core::graphql::{GqlResult, decode_global_id, lang, principal, state};
use imis_core::registry::module_visible;

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object of a global id, or null when it does not exist or lies outside the caller's
    /// rights and locations.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<NodeValue>> {
        require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let (type_name, key) = decode_global_id(&id).gql(ctx)?;
        for module in state(ctx).modules.iter() {
            if let Some(nodes) = &module.nodes
                && nodes.type_names.contains(&type_name.as_str())
                && module_visible(ctx, module.name)
            {
                return (nodes.resolve)(ctx, &type_name, &key).await;
            }
        }
        Err(imis_core::AppError::validation("input.invalid_id")
            .with("id", id.as_str())
            .to_gql(&lang(ctx)))
    }
}
