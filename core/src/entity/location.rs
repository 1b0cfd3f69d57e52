use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "core_location")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub code: String,
    pub name: String,
    /// `name` folded to lower case without accents, for searches (D19).
    pub name_search: String,
    pub parent_id: Option<i64>,
    #[sea_orm(column_name = "type")]
    pub location_type: String,
    pub male_population: Option<i32>,
    pub female_population: Option<i32>,
    pub other_population: Option<i32>,
    pub families: Option<i32>,
    pub json_ext: Option<String>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::versioned_model!(Model);
