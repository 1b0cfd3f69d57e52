use sea_orm::entity::prelude::*;

crate::versioned_entity! {
    "core_location" {
        uuid: Uuid,
        code: String,
        name: String,
        /// `name` folded to lower case without accents, for searches (D19).
        name_search: String,
        parent_id: Option<i64>,
        #[sea_orm(column_name = "type")]
        location_type: String,
        male_population: Option<i32>,
        female_population: Option<i32>,
        other_population: Option<i32>,
        families: Option<i32>,
        json_ext: Option<String>,
    }
}
