//! `payment_premium`: a contribution paid on a policy (openIMIS `tblPremium`, reference §8.1).
//!
//! The current version stays here (`validity_to IS NULL`); previous versions go to
//! `core_history` under `premium` (D7); deletes are soft. `product_id` is copied from the policy
//! at creation so that receipts are unique per product with an index of this table.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "payment_premium" {
        uuid: Uuid,
        policy_id: i64,
        /// The policy's product (current product row id), copied at creation.
        product_id: i64,
        payer_id: Option<i64>,
        /// Minor units.
        amount: i64,
        receipt: String,
        pay_date: Date,
        /// `C` cash, `B` bank transfer, `M` mobile phone, `F` funding.
        pay_type: String,
        is_photo_fee: bool,
        is_offline: bool,
        reporting_id: Option<i64>,
        reporting_commission_id: Option<i64>,
        overview_commission_report: Option<DateTimeUtc>,
        all_details_commission_report: Option<DateTimeUtc>,
        source: Option<String>,
        source_version: Option<String>,
        created_date: DateTimeUtc,
    }
}
