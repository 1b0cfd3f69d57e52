//! `payment_payment_detail`: what a payment pays for — an insurance number and a product code,
//! resolved to a premium by matching (openIMIS `tblPaymentDetails`, reference §10.1).

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "payment_payment_detail" {
        uuid: Uuid,
        payment_id: i64,
        product_code: Option<String>,
        /// The insuree's insurance number (chfId).
        insurance_number: Option<String>,
        /// `N` new, `R` renewal.
        policy_stage: Option<String>,
        /// Minor units: the share of the payment credited to this line.
        amount: Option<i64>,
        premium_id: Option<i64>,
        enrollment_date: Option<Date>,
        /// Minor units.
        expected_amount: Option<i64>,
    }
}
