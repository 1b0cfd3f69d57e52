use sea_orm::entity::prelude::*;

crate::versioned_entity! {
    "core_health_facility" {
        uuid: Uuid,
        code: String,
        name: String,
        name_search: String,
        acc_code: Option<String>,
        legal_form: String,
        level: String,
        sub_level: Option<String>,
        location_id: i64,
        address: Option<String>,
        phone: Option<String>,
        fax: Option<String>,
        email: Option<String>,
        care_type: String,
        offline: bool,
        contract_start_date: Option<Date>,
        contract_end_date: Option<Date>,
        status: String,
        json_ext: Option<String>,
    }
}
