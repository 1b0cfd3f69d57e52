//! `medical_item` (openIMIS `tblItems`): drugs and medical consumables.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "medical_item" {
        uuid: Uuid,
        /// Unique among current items, at most 6 characters.
        code: String,
        name: String,
        /// `text::fold(name)`, for searches ignoring case and accents (D19).
        name_search: String,
        /// `D` drug, `M` medical consumable.
        item_type: String,
        package: Option<String>,
        /// Money in minor units (`core.currency_minor_digits`).
        price: i64,
        /// Hundredths (openIMIS `decimal(18,2)`).
        quantity: Option<i64>,
        /// Money in minor units.
        maximum_amount: Option<i64>,
        /// `I` in-patient, `O` out-patient, `B` both.
        care_type: String,
        /// Minimum number of days between two provisions to one patient; empty or 0 = no limit.
        frequency: Option<i32>,
        /// Bit mask: 1 male, 2 female, 4 adult, 8 minor (15 = everybody; 0 = no restriction).
        patient_category: i32,
    }
}
