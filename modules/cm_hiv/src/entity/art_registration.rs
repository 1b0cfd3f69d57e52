//! `cm_hiv_art_registration`: an insuree's ART (antiretroviral therapy) register number at a
//! treatment site. The current row has no `validity_to`; replaced versions are in the history.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "cm_hiv_art_registration" {
        uuid: Uuid,
        /// The insuree (insuree module), read through `imis_insuree::api`.
        insuree_id: i64,
        /// The facility of the treatment site whose code the ART number carries.
        health_facility_id: i64,
        /// Normalised (trimmed, upper case) `<site code>/<YYYY>/<NNNNN>`; unique among current rows.
        art_number: String,
    }
}
