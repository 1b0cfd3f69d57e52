//! `payment_funding`: money a payer gives to a product (openIMIS `tblFunding`, reference §8.3).
//! No pseudo family, insuree or policy is created for it (a deliberate difference).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "payment_funding")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    pub payer_id: i64,
    pub product_id: i64,
    /// Minor units.
    pub amount: i64,
    pub pay_date: Date,
    pub receipt: String,
    /// `N` pending, `P` paid, `A` awaiting reconciliation, `R` reconciled.
    pub status: String,
    pub json_ext: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub created_by: Option<i64>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
