use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "core_health_facility")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub code: String,
    pub name: String,
    pub name_search: String,
    pub acc_code: Option<String>,
    pub legal_form: String,
    pub level: String,
    pub sub_level: Option<String>,
    pub location_id: i64,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    pub care_type: String,
    pub offline: bool,
    pub contract_start_date: Option<Date>,
    pub contract_end_date: Option<Date>,
    pub status: String,
    pub json_ext: Option<String>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::versioned_model!(Model);
