//! `medical_pricelist`: items price lists (`kind` `I`, openIMIS `tblPLItems`) and services price
//! lists (`kind` `S`, `tblPLServices`) in one table.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "medical_pricelist" {
        uuid: Uuid,
        /// `I` items price list, `S` services price list.
        kind: String,
        /// Unique among current price lists of the same kind.
        name: String,
        /// `text::fold(name)` (D19).
        name_search: String,
        /// openIMIS `DatePL`: the list applies to care given on or after this date.
        pricelist_date: Date,
        /// Region or district; empty = national.
        location_id: Option<i64>,
    }
}
