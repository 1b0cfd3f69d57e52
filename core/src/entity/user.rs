use sea_orm::entity::prelude::*;

crate::versioned_entity! {
    "core_user" {
        uuid: Uuid,
        username: String,
        last_name: String,
        other_names: String,
        /// Folded names for searches that ignore case and accents (D19).
        last_name_search: String,
        other_names_search: String,
        email: Option<String>,
        phone: Option<String>,
        language: String,
        #[serde(skip_serializing, default)]
        password_hash: String,
        is_interactive: bool,
        is_officer: bool,
        is_claim_admin: bool,
        is_technical: bool,
        health_facility_id: Option<i64>,
        birth_date: Option<Date>,
        address: Option<String>,
        officer_code: Option<String>,
        officer_location_id: Option<i64>,
        works_to: Option<Date>,
        substitution_officer_id: Option<i64>,
        phone_communication: Option<bool>,
        last_login: Option<DateTimeUtc>,
        tokens_valid_after: i64,
        json_ext: Option<String>,
    }
}
