//! `submitClaims` (reference §1.5, D20): checks entered claims against the insuree's coverage,
//! the registers, the facility's price lists and the products, each claim committed on its own
//! (D26).

use super::visible;
use crate::rights::RIGHT_CLAIM_SUBMIT;
use crate::service::{self as svc, filters, submission};
use async_graphql::{Context, Object};
use imis_core::graphql::{parse_uuid, principal, state};
use imis_core::{AppResult, kit};
use uuid::Uuid;

imis_core::mutation_inputs! {
    SubmitClaimsMutationInput {
        uuids: Option<Vec<String>>,
        /// A JSON object of `claims` filters choosing the Entered claims to submit (among
        /// `uuids` when given).
        additional_filters: Option<String>,
    }
}
imis_core::mutation_payload!(SubmitClaimsMutationPayload);

/// The claims to submit, as the runner's keys in (dateClaimed, id) order: with
/// `additionalFilters`, the Entered claims they choose (among `uuids` when given); otherwise
/// `uuids`. Only a caller who may submit learns anything from the order or the filters.
async fn submission_keys(
    ctx: &Context<'_>,
    input: &SubmitClaimsMutationInput,
) -> AppResult<Vec<String>> {
    let (st, p) = (state(ctx), principal(ctx));
    let Some(json) = filters::given(&input.additional_filters) else {
        let keys = input.uuids.clone().unwrap_or_default();
        return match svc::require(p, &[RIGHT_CLAIM_SUBMIT]) {
            Ok(p) => submission::scoped_submission_order(st, p, keys).await,
            // The runner refuses the caller and logs the refusal.
            Err(_) => Ok(keys),
        };
    };
    svc::require(p, &[RIGHT_CLAIM_SUBMIT])?;
    let among = input
        .uuids
        .as_ref()
        .map(|list| {
            list.iter()
                .map(|u| parse_uuid(u, "uuids"))
                .collect::<AppResult<Vec<Uuid>>>()
        })
        .transpose()?;
    submission::chosen_for_submission(st, p, among, json).await
}

#[derive(Default)]
pub struct ClaimSubmissionMutation;

#[Object]
impl ClaimSubmissionMutation {
    /// Submits entered claims (111007): each claim in the caller's scope is checked (D20) and
    /// becomes Checked (4), with its lines' products and approved amount, or Rejected (1), with
    /// the reasons of its lines. Claims are handled by (dateClaimed, id), each committed on its
    /// own and seeing what the earlier ones used; a claim given by `uuids` that is not Entered
    /// is refused (`claim.not_entered`) without stopping the others. `additionalFilters` (a
    /// JSON object of `claims` filters, read with the search right 111001 and the caller's
    /// scope) chooses the Entered claims matching it, among `uuids` when both are given. The
    /// mutation log's outcome lists each claim's status and counts of passed and rejected items
    /// and services, its `jsonExt` the totals (`claim_stats`).
    #[graphql(visible = "visible")]
    async fn submit_claims(
        &self,
        ctx: &Context<'_>,
        input: SubmitClaimsMutationInput,
    ) -> async_graphql::Result<SubmitClaimsMutationPayload> {
        let keys = match submission_keys(ctx, &input).await {
            Ok(keys) => keys,
            // A refusal before any claim runs (no right, bad filters) is logged like any other.
            Err(e) => {
                return kit::mutate(
                    ctx,
                    "submitClaims",
                    &input.envelope,
                    &input,
                    &[RIGHT_CLAIM_SUBMIT],
                    async |_| Err::<(), _>(e),
                )
                .await;
            }
        };
        kit::mutate_batches(
            ctx,
            "submitClaims",
            &input.envelope,
            &input,
            &[RIGHT_CLAIM_SUBMIT],
            keys,
            Some(submission::claim_stats),
            async |m, keys| submission::submit_claims(m, keys).await,
        )
        .await
    }
}
