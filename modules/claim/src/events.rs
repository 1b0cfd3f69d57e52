//! Events the module publishes, inside the transaction that causes them (and to the outbox), with
//! typed payloads for the batch, reporting and DHIS2 work that subscribes to them.

use imis_core::events::Wiring;
use serde::{Deserialize, Serialize};

/// A claim was submitted: it is now Checked (4) or Rejected (1).
pub const CLAIM_SUBMITTED: &str = "claim.submitted";
/// A claim's review was delivered.
pub const CLAIM_REVIEWED: &str = "claim.reviewed";
/// A claim was processed and awaits the batch run (Processed, 8).
pub const CLAIM_PROCESSED: &str = "claim.processed";
/// A claim was valued (Valuated, 16).
pub const CLAIM_VALUATED: &str = "claim.valuated";

/// The payload of every claim event: the claim as it stands after the change. Amounts are in
/// minor units of the currency.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ClaimChanged {
    pub claim_id: i64,
    pub claim_uuid: uuid::Uuid,
    pub insuree_id: i64,
    pub health_facility_id: i64,
    pub status: i32,
    pub claimed: i64,
    pub approved: Option<i64>,
    pub valuated: Option<i64>,
}

pub(crate) fn wire(_w: &mut Wiring) {}
