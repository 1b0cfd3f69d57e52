//! `payment_funding`: money a payer gives to a product (openIMIS `tblFunding`, reference §8.3).
//! No pseudo family, insuree or policy is created for it (a deliberate difference).

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "payment_funding" {
        uuid: Uuid,
        payer_id: i64,
        product_id: i64,
        /// Minor units.
        amount: i64,
        pay_date: Date,
        receipt: String,
        /// `N` pending, `P` paid, `A` awaiting reconciliation, `R` reconciled.
        status: String,
        json_ext: Option<String>,
        version: i32,
        created_at: DateTimeUtc,
        created_by: Option<i64>,
    }
}
