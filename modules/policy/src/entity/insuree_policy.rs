use sea_orm::entity::prelude::*;

/// Coverage of one insuree by one policy (openIMIS `InsureePolicy`, D16).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "policy_insuree_policy")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub insuree_id: i64,
    pub policy_id: i64,
    pub enrollment_date: Date,
    pub start_date: Date,
    /// Empty until the member's contribution is paid.
    pub effective_date: Option<Date>,
    pub expiry_date: Date,
    pub is_offline: bool,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
