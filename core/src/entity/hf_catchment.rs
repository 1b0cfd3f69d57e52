use sea_orm::entity::prelude::*;

crate::versioned_entity! {
    "core_hf_catchment" {
        health_facility_id: i64,
        location_id: i64,
        catchment: i32,
    }
}
