use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "insuree_family")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub head_insuree_id: i64,
    /// The family's village.
    pub location_id: i64,
    pub poverty: Option<bool>,
    pub family_type: Option<String>,
    pub address: Option<String>,
    pub is_offline: bool,
    pub ethnicity: Option<String>,
    pub confirmation_no: Option<String>,
    pub confirmation_type: Option<String>,
    pub json_ext: Option<String>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
