use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "insuree_family" {
        uuid: Uuid,
        head_insuree_id: i64,
        /// The family's village.
        location_id: i64,
        poverty: Option<bool>,
        family_type: Option<String>,
        address: Option<String>,
        is_offline: bool,
        ethnicity: Option<String>,
        confirmation_no: Option<String>,
        confirmation_type: Option<String>,
        json_ext: Option<String>,
    }
}
