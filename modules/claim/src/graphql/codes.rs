//! `validateClaimCode` and `deleteClaims`.

use super::visible;
use crate::service as svc;
use async_graphql::{Context, Object};
use imis_core::graphql::{GqlResult, parse_uuid, principal, state};
use imis_core::kit;

imis_core::mutation_inputs! {
    DeleteClaimsMutationInput { uuids: Vec<String> }
}
imis_core::mutation_payload!(DeleteClaimsMutationPayload);

#[derive(Default)]
pub struct ClaimCodeQuery;

#[Object]
impl ClaimCodeQuery {
    /// Whether `claimCode` is free for a new claim (right 111001 or 111002).
    #[graphql(visible = "visible")]
    async fn validate_claim_code(
        &self,
        ctx: &Context<'_>,
        claim_code: String,
    ) -> async_graphql::Result<bool> {
        svc::validate_claim_code(state(ctx), principal(ctx), &claim_code)
            .await
            .gql(ctx)
    }
}

#[derive(Default)]
pub struct ClaimCodeMutation;

#[Object]
impl ClaimCodeMutation {
    /// Deletes entered claims with their lines and attachments (111004), each claim committed
    /// on its own (D26): a claim in another status is refused (`claim.not_deletable`), one out of
    /// the caller's reach is not found, without stopping the others. The mutation log's outcome
    /// lists each claim's result (its id) or error.
    #[graphql(visible = "visible")]
    async fn delete_claims(
        &self,
        ctx: &Context<'_>,
        input: DeleteClaimsMutationInput,
    ) -> async_graphql::Result<DeleteClaimsMutationPayload> {
        kit::mutate_each(
            ctx,
            "deleteClaims",
            &input.envelope,
            &input,
            &[crate::rights::RIGHT_CLAIM_DELETE],
            input.uuids.clone(),
            async |m, key| svc::delete_claim(m, parse_uuid(key, "uuids")?).await,
        )
        .await
    }
}
