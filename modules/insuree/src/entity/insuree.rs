use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "insuree_insuree")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub family_id: Option<i64>,
    /// The insurance number (openIMIS `chfId`).
    pub chf_id: String,
    pub last_name: String,
    pub other_names: String,
    /// Folded names for searches that ignore case and accents (D19).
    pub last_name_search: String,
    pub other_names_search: String,
    pub gender: String,
    pub dob: Date,
    pub head: bool,
    pub marital: Option<String>,
    pub passport: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub current_address: Option<String>,
    pub geolocation: Option<String>,
    pub current_village_id: Option<i64>,
    pub photo_id: Option<i64>,
    pub photo_date: Option<Date>,
    pub card_issued: bool,
    pub relationship: Option<i32>,
    pub profession: Option<i32>,
    pub education: Option<i32>,
    pub type_of_id: Option<String>,
    pub health_facility_id: Option<i64>,
    pub offline: bool,
    pub status: String,
    pub status_date: Option<Date>,
    pub status_reason: Option<String>,
    pub json_ext: Option<String>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
