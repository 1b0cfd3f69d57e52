use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "insuree_insuree" {
        uuid: Uuid,
        family_id: Option<i64>,
        /// The insurance number (openIMIS `chfId`).
        chf_id: String,
        last_name: String,
        other_names: String,
        /// Folded names for searches that ignore case and accents (D19).
        last_name_search: String,
        other_names_search: String,
        gender: String,
        dob: Date,
        head: bool,
        marital: Option<String>,
        passport: Option<String>,
        phone: Option<String>,
        email: Option<String>,
        current_address: Option<String>,
        geolocation: Option<String>,
        current_village_id: Option<i64>,
        photo_id: Option<i64>,
        photo_date: Option<Date>,
        card_issued: bool,
        relationship: Option<i32>,
        profession: Option<i32>,
        education: Option<i32>,
        type_of_id: Option<String>,
        health_facility_id: Option<i64>,
        offline: bool,
        status: String,
        status_date: Option<Date>,
        status_reason: Option<String>,
        json_ext: Option<String>,
    }
}
