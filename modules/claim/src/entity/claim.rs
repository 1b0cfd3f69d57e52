//! `claim_claim`: a health facility's claim for the care it gave one insuree (openIMIS
//! `tblClaim`, reference §1.1). Amounts are minor units of the currency; the current row has no
//! `validity_to`.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "claim_claim" {
        uuid: Uuid,
        /// Unique among current claims.
        code: String,
        /// Folded code (`text::fold`) for the case-insensitive code filters.
        code_search: String,
        /// The insuree (insuree module), read through `imis_insuree::api`.
        insuree_id: i64,
        /// The facility that gave the care (core register).
        health_facility_id: i64,
        /// The claim administrator (a core user of that facility) who entered it.
        admin_id: Option<i64>,
        date_from: Date,
        date_to: Option<Date>,
        date_claimed: Date,
        date_processed: Option<Date>,
        /// Main diagnosis and up to four secondary ones (medical module's diagnoses).
        icd_id: i64,
        icd1_id: Option<i64>,
        icd2_id: Option<i64>,
        icd3_id: Option<i64>,
        icd4_id: Option<i64>,
        /// `O` other, `E` emergency, `R` referral.
        visit_type: String,
        refer_from_id: Option<i64>,
        refer_to_id: Option<i64>,
        referral_code: Option<String>,
        /// `IPD` or `OPD`, as the front end sends.
        care_type: Option<String>,
        /// `H` healed, `D` deceased, `E` escaped, `R` referred.
        patient_condition: Option<String>,
        pre_authorization: bool,
        guarantee_id: Option<String>,
        explanation: Option<String>,
        adjustment: Option<String>,
        /// Set at submission: S, D, A, H, C or V.
        category: Option<String>,
        /// 1 rejected, 2 entered, 4 checked, 8 processed, 16 valuated.
        status: i32,
        /// 1 idle, 2 not selected, 4 selected, 8 delivered, 16 bypassed.
        review_status: i32,
        feedback_status: i32,
        approval_status: i32,
        /// Claim-level reason: 0, or 1 when every line was rejected, or a claim-level code.
        rejection_reason: i32,
        claimed: i64,
        approved: Option<i64>,
        valuated: Option<i64>,
        remunerated: Option<i64>,
        feedback_available: bool,
        batch_run_id: Option<i64>,
        submit_stamp: Option<DateTimeUtc>,
        process_stamp: Option<DateTimeUtc>,
        audit_user_id_submit: Option<i64>,
        audit_user_id_review: Option<i64>,
        audit_user_id_process: Option<i64>,
        validity_from_review: Option<DateTimeUtc>,
        validity_to_review: Option<DateTimeUtc>,
        /// The rejected claim this one restores.
        restore_id: Option<i64>,
        json_ext: Option<String>,
    }
}
