//! GraphQL roots of the medical module.

use async_graphql::{Context, Object};

fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, "medical")
}

#[derive(Default)]
pub struct MedicalQuery;

#[Object]
impl MedicalQuery {
    /// Version of the medical module.
    #[graphql(visible = "visible")]
    async fn medical_module_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

#[derive(Default)]
pub struct MedicalMutation;

#[Object]
impl MedicalMutation {
    /// Placeholder until the module's mutations land.
    #[graphql(visible = "visible")]
    async fn medical_module_ping(&self) -> bool {
        true
    }
}
