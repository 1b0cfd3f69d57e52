//! GraphQL of claims, with openIMIS's names (D3): the `claims` list and `claim`, the entry
//! mutations, `submitClaims`, review and feedback, `processClaims`. Resolvers convert arguments
//! and call one function of the service, which checks the right and the scope; they are built on
//! `imis_core::kit`. Every root field is hidden, and refused with `module.disabled`, when the
//! module is off.

mod codes;

use async_graphql::{Context, MergedObject};

pub(crate) fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

/// The module's query root.
#[derive(MergedObject, Default)]
pub struct ClaimQuery(codes::ClaimCodeQuery);

/// The module's mutation root.
#[derive(MergedObject, Default)]
pub struct ClaimMutation(codes::ClaimCodeMutation);
