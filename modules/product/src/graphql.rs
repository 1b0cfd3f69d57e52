//! GraphQL roots of the product module.

use async_graphql::{Context, Object};

fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, "product")
}

#[derive(Default)]
pub struct ProductQuery;

#[Object]
impl ProductQuery {
    /// Version of the product module.
    #[graphql(visible = "visible")]
    async fn product_module_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

#[derive(Default)]
pub struct ProductMutation;

#[Object]
impl ProductMutation {
    /// Placeholder until the module's mutations land.
    #[graphql(visible = "visible")]
    async fn product_module_ping(&self) -> bool {
        true
    }
}
