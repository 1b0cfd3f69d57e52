//! `medical_diagnosis` (openIMIS `tblICDCodes`): ICD codes.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "medical_diagnosis" {
        uuid: Uuid,
        /// Unique among current diagnoses, at most 6 characters.
        code: String,
        name: String,
        /// `text::fold(name)` (D19).
        name_search: String,
    }
}
