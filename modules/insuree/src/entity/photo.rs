use sea_orm::entity::prelude::*;

/// A photo's metadata; the image itself is a file in the core file store (D29).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "insuree_photo")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub insuree_id: i64,
    pub chf_id: Option<String>,
    pub folder: Option<String>,
    pub filename: Option<String>,
    pub officer_id: Option<i64>,
    pub date: Option<Date>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
