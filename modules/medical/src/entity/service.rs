//! `medical_service` (openIMIS `tblServices`): medical services, possibly packages of items and
//! other services ([`super::service_content`]).

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "medical_service" {
        uuid: Uuid,
        /// Unique among current services, at most 6 characters.
        code: String,
        name: String,
        /// `text::fold(name)` (D19).
        name_search: String,
        /// `P` preventive, `C` curative.
        service_type: String,
        /// `S` simple service, `V` visit, `D` day of stay, `H` hospital case.
        level: String,
        /// `S` surgery, `D` delivery, `A` antenatal, `H` hospitalization, `C` consultation, `V` visit,
        /// `O` other; empty = none.
        category: Option<String>,
        /// Money in minor units.
        price: i64,
        /// Money in minor units.
        maximum_amount: Option<i64>,
        /// `I`, `O`, `B`.
        care_type: String,
        frequency: Option<i32>,
        /// Bit mask as for items.
        patient_category: i32,
        /// `S` simple (default), `P` package, `F` flat-rate package.
        packagetype: String,
        manual_price: bool,
    }
}
