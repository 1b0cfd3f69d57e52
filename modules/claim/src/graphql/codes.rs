//! `validateClaimCode` and `deleteClaims`.

use super::visible;
use crate::service as svc;
use async_graphql::{Context, Object};
use imis_core::AppResult;
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
    /// Deletes entered claims and their lines (111004); other statuses are refused.
    #[graphql(visible = "visible")]
    async fn delete_claims(
        &self,
        ctx: &Context<'_>,
        input: DeleteClaimsMutationInput,
    ) -> async_graphql::Result<DeleteClaimsMutationPayload> {
        kit::mutate(
            ctx,
            "deleteClaims",
            &input.envelope,
            &input,
            &[crate::rights::RIGHT_CLAIM_DELETE],
            async |m| {
                let uuids = input
                    .uuids
                    .iter()
                    .map(|u| parse_uuid(u, "uuids"))
                    .collect::<AppResult<Vec<_>>>()?;
                let ids = svc::delete_claims(m, &uuids).await?;
                for id in &ids {
                    m.link(svc::ENTITY_CLAIM, *id);
                }
                Ok(ids)
            },
        )
        .await
    }
}
