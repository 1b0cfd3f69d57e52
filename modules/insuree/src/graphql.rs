//! GraphQL roots of the insuree module.

use async_graphql::{Context, Object};

fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, "insuree")
}

#[derive(Default)]
pub struct InsureeQuery;

#[Object]
impl InsureeQuery {
    /// Version of the insuree module.
    #[graphql(visible = "visible")]
    async fn insuree_module_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

#[derive(Default)]
pub struct InsureeMutation;

#[Object]
impl InsureeMutation {
    /// Placeholder until the module's mutations land.
    #[graphql(visible = "visible")]
    async fn insuree_module_ping(&self) -> bool {
        true
    }
}
