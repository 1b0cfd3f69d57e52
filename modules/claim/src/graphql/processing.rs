//! `processClaims` (reference §1.7, D22): values Checked claims, each committed on its own (D26).

use super::visible;
use crate::service::{STATUS_PROCESSED, STATUS_VALUATED, processing};
use async_graphql::{Context, Object};
use imis_core::kit::{self, BulkOutcome};
use serde_json::{Map, Value, json};

imis_core::mutation_inputs! {
    ProcessClaimsMutationInput { uuids: Vec<String> }
}
imis_core::mutation_payload!(ProcessClaimsMutationPayload);

/// The log's `claim_stats`: claims handled, now Processed, now Valuated, and refused.
fn claim_stats(outcome: &BulkOutcome<processing::Processed>) -> Map<String, Value> {
    let with_status = |status: i32| {
        outcome
            .items
            .iter()
            .filter(|i| i.result.is_some_and(|r| r.status == status))
            .count()
    };
    let stats = json!({
        "submitted": outcome.items.len(),
        "processed": with_status(STATUS_PROCESSED),
        "valuated": with_status(STATUS_VALUATED),
        "rejected": outcome.failed(),
    });
    Map::from_iter([("claim_stats".to_string(), stats)])
}

#[derive(Default)]
pub struct ClaimProcessingMutation;

#[Object]
impl ClaimProcessingMutation {
    /// Processes Checked claims (111011): each claim in the caller's scope is valued with the
    /// deductibles, co-insurance and ceilings of the products that pay its lines and becomes
    /// Processed (8, a line has a relative price) or Valuated (16). Claims are handled in the
    /// order given, each committed on its own; a claim that is not Checked is refused
    /// (`claim.not_checked`) without stopping the others. The mutation log's outcome lists each
    /// claim's status or error, and its `jsonExt.claim_stats` the counts `{submitted, processed,
    /// valuated, rejected}` (rejected: claims refused).
    #[graphql(visible = "visible")]
    async fn process_claims(
        &self,
        ctx: &Context<'_>,
        input: ProcessClaimsMutationInput,
    ) -> async_graphql::Result<ProcessClaimsMutationPayload> {
        kit::mutate_batches(
            ctx,
            "processClaims",
            &input.envelope,
            &input,
            &[crate::rights::RIGHT_CLAIM_PROCESS],
            input.uuids.clone(),
            Some(claim_stats),
            async |m, keys| processing::process_claims(m, keys).await,
        )
        .await
    }
}
