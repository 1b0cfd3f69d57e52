use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "core_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub username: String,
    pub last_name: String,
    pub other_names: String,
    /// Folded names for searches that ignore case and accents (D19).
    pub last_name_search: String,
    pub other_names_search: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    #[serde(skip_serializing, default)]
    pub password_hash: String,
    pub is_interactive: bool,
    pub is_officer: bool,
    pub is_claim_admin: bool,
    pub is_technical: bool,
    pub health_facility_id: Option<i64>,
    pub birth_date: Option<Date>,
    pub address: Option<String>,
    pub officer_code: Option<String>,
    pub officer_location_id: Option<i64>,
    pub works_to: Option<Date>,
    pub substitution_officer_id: Option<i64>,
    pub phone_communication: Option<bool>,
    pub last_login: Option<DateTimeUtc>,
    pub tokens_valid_after: i64,
    pub json_ext: Option<String>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::versioned_model!(Model);
