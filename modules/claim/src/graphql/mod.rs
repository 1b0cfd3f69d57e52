//! GraphQL of claims, with openIMIS's names (D3): the `claims` list and `claim`, the entry
//! mutations, `submitClaims`, review and feedback, `processClaims`. Resolvers convert arguments
//! and call one function of the service, which checks the right and the scope; they are built on
//! `imis_core::kit`. Every root field is hidden, and refused with `module.disabled`, when the
//! module is off.

pub(crate) mod attachments;
mod claims;
mod codes;
mod entry;
pub(crate) mod explanations;
mod lines;
mod processing;
mod review;
mod submission;
mod types;

pub(crate) use claims::NODES;
pub use entry::{ClaimItemInputType, ClaimServiceInputType};
pub use types::{ClaimGQLType, ClaimItemGQLType, ClaimServiceGQLType, FeedbackGQLType};

use async_graphql::{Context, MergedObject};

pub(crate) fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

/// The module's query root.
#[derive(MergedObject, Default)]
pub struct ClaimQuery(
    codes::ClaimCodeQuery,
    claims::ClaimListQuery,
    attachments::ClaimAttachmentQuery,
);

/// The module's mutation root.
#[derive(MergedObject, Default)]
pub struct ClaimMutation(
    attachments::ClaimAttachmentMutation,
    codes::ClaimCodeMutation,
    entry::ClaimEntryMutation,
    processing::ClaimProcessingMutation,
    review::ClaimReviewMutation,
    submission::ClaimSubmissionMutation,
);
