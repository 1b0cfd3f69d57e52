use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    /// A photo's metadata; the image itself is a file in the core file store (D29).
    "insuree_photo" {
        uuid: Uuid,
        insuree_id: i64,
        chf_id: Option<String>,
        folder: Option<String>,
        filename: Option<String>,
        officer_id: Option<i64>,
        date: Option<Date>,
    }
}
