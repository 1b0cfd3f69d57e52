//! `cm_hiv_facility_site`: the programme's site code of a health facility that dispenses ART.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "cm_hiv_facility_site" {
        uuid: Uuid,
        /// A current health facility of the core register; one current site per facility.
        health_facility_id: i64,
        /// Unique among current sites, e.g. `LT-DLA01`.
        site_code: String,
    }
}
