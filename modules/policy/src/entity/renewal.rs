use sea_orm::entity::prelude::*;

/// A renewal reminder (openIMIS `PolicyRenewal`, reference §7.9).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "policy_renewal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub renewal_prompt_date: Date,
    pub renewal_date: Date,
    pub new_officer_id: Option<i64>,
    pub phone_number: Option<String>,
    pub sms_status: i32,
    /// The family head.
    pub insuree_id: i64,
    pub policy_id: i64,
    pub new_product_id: i64,
    /// Bit mask: 1 no valid product, 2 no officer, 4 officer no longer working on the renewal date.
    pub renewal_warnings: i32,
    pub response_status: Option<i32>,
    pub response_date: Option<DateTimeUtc>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
