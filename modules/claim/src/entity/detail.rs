//! `claim_detail`: one item (`kind` `I`) or service (`S`) line of a claim (openIMIS
//! `tblClaimItems` / `tblClaimServices`, reference §1.1). Quantities are hundredths, amounts minor
//! units; a line is replaced by closing it and inserting its next version (D7).

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "claim_detail" {
        uuid: Uuid,
        claim_id: i64,
        /// `I` item, `S` service.
        kind: String,
        /// The medical item or service id (medical module).
        medical_id: i64,
        /// 1 passed, 2 rejected.
        status: i32,
        availability: bool,
        qty_provided: i64,
        qty_approved: Option<i64>,
        price_asked: i64,
        price_adjusted: Option<i64>,
        price_approved: Option<i64>,
        price_valuated: Option<i64>,
        remunerated_amount: Option<i64>,
        deductable_amount: Option<i64>,
        exceed_ceiling_amount: Option<i64>,
        exceed_ceiling_amount_category: Option<i64>,
        /// The product and policy that pay the line (set at submission).
        product_id: Option<i64>,
        policy_id: Option<i64>,
        /// `P` price list, `O` provider's own price, `R` relative price.
        price_origin: Option<String>,
        /// `C` co-insurance, `F` fixed amount.
        limitation: Option<String>,
        /// As the product line stores it: a percentage for `C`, minor units for `F`.
        limitation_value: Option<i64>,
        explanation: Option<String>,
        justification: Option<String>,
        /// Reference §1.2: −1 medical officer, 0 accepted, 1–19 the submission checks.
        rejection_reason: Option<i32>,
        /// The facts that decided the reason (JSON object), for `rejectionExplanation`.
        rejection_facts: Option<String>,
        validity_from_review: Option<DateTimeUtc>,
        validity_to_review: Option<DateTimeUtc>,
        audit_user_id_review: Option<i64>,
    }
}
