//! `payment_premium`: a contribution paid on a policy (openIMIS `tblPremium`, reference §8.1).
//!
//! The current version stays here (`validity_to IS NULL`); previous versions go to
//! `core_history` under `premium` (D7); deletes are soft. `product_id` is copied from the policy
//! at creation so that receipts are unique per product with an index of this table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "payment_premium")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub policy_id: i64,
    /// The policy's product (current product row id), copied at creation.
    pub product_id: i64,
    pub payer_id: Option<i64>,
    /// Minor units.
    pub amount: i64,
    pub receipt: String,
    pub pay_date: Date,
    /// `C` cash, `B` bank transfer, `M` mobile phone, `F` funding.
    pub pay_type: String,
    pub is_photo_fee: bool,
    pub is_offline: bool,
    pub reporting_id: Option<i64>,
    pub reporting_commission_id: Option<i64>,
    pub overview_commission_report: Option<DateTimeUtc>,
    pub all_details_commission_report: Option<DateTimeUtc>,
    pub source: Option<String>,
    pub source_version: Option<String>,
    pub created_date: DateTimeUtc,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
