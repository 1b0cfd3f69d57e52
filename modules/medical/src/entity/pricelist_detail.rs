//! `medical_pricelist_detail` (openIMIS `tblPLItemsDetail` / `tblPLServicesDetail`): an item or
//! service of a price list, with an optional price that overrides its own price. One current row
//! per (list, item or service); a changed override keeps the previous version in history.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "medical_pricelist_detail" {
        pricelist_id: i64,
        /// The list's kind, repeated: `I` (`medical_id` is an item) or `S` (a service).
        kind: String,
        medical_id: i64,
        /// Money in minor units; empty = the item's or service's own price.
        price_overrule: Option<i64>,
    }
}
