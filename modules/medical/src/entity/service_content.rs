//! `medical_service_content`: what a package service contains (openIMIS `ServiceItem` /
//! `tblProductContainedPackage` for items, `ServiceService` / `tblServiceContainedPackage` for
//! services). Rows are replaced on update: old rows are closed (`validity_to`), new ones inserted.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "medical_service_content" {
        /// The package (parent) service.
        service_id: i64,
        /// `I`: `medical_id` is an item; `S`: a service.
        kind: String,
        medical_id: i64,
        qty_provided: Option<i32>,
        /// Money in minor units.
        price_asked: Option<i64>,
        status: bool,
        created_at: DateTimeUtc,
    }
}
