//! `payment_payment_detail`: what a payment pays for — an insurance number and a product code,
//! resolved to a premium by matching (openIMIS `tblPaymentDetails`, reference §10.1).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "payment_payment_detail")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub payment_id: i64,
    pub product_code: Option<String>,
    /// The insuree's insurance number (chfId).
    pub insurance_number: Option<String>,
    /// `N` new, `R` renewal.
    pub policy_stage: Option<String>,
    /// Minor units: the share of the payment credited to this line.
    pub amount: Option<i64>,
    pub premium_id: Option<i64>,
    pub enrollment_date: Option<Date>,
    /// Minor units.
    pub expected_amount: Option<i64>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
