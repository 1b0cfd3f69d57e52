//! The claim module's public API: what other modules may use. Claim statuses, the module's
//! rights, and the events the module publishes with their payloads.

pub use crate::events::{
    CLAIM_PROCESSED, CLAIM_REVIEWED, CLAIM_SUBMITTED, CLAIM_VALUATED, ClaimChanged,
};
pub use crate::rights::{
    RIGHT_CLAIM_ADD, RIGHT_CLAIM_DELETE, RIGHT_CLAIM_FEEDBACK, RIGHT_CLAIM_LOAD, RIGHT_CLAIM_PRINT,
    RIGHT_CLAIM_PROCESS, RIGHT_CLAIM_RESTORE, RIGHT_CLAIM_REVIEW, RIGHT_CLAIM_SEARCH,
    RIGHT_CLAIM_SUBMIT, RIGHT_CLAIM_UPDATE, RIGHT_CLAIMS,
};
pub use crate::service::{
    STATUS_CHECKED, STATUS_ENTERED, STATUS_PROCESSED, STATUS_REJECTED, STATUS_VALUATED,
};
