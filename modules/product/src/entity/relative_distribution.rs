//! `product_relative_distribution`: the relative-price distribution of a product, openIMIS
//! `tblRelDistr`. One row per (care type, period); replaced (closed and re-inserted) when the
//! product is saved, like its lines.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "product_relative_distribution" {
        uuid: Uuid,
        product_id: i64,
        /// `B` both (general), `I` in-patient, `O` out-patient.
        care_type: String,
        /// Number of periods: 1 (year), 4 (quarters) or 12 (months).
        distr_type: i32,
        /// 1..=distr_type.
        period: i32,
        /// Hundredths of a percent (0..=10000).
        percent: i64,
    }
}
