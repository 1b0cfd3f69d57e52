//! `payment_payment`: money received (mobile money, bank, cash) to be matched to policies
//! (openIMIS `tblPayment`, reference §10.1). History in `core_history` under `payment`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "payment_payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uuid: Uuid,
    /// Minor units.
    pub expected_amount: Option<i64>,
    /// Minor units.
    pub received_amount: Option<i64>,
    pub officer_code: Option<String>,
    pub phone_number: Option<String>,
    pub request_date: Option<Date>,
    pub received_date: Option<Date>,
    /// openIMIS payment status: 1 created, 2 control number requested, 3 control number received,
    /// 4 received (waiting to be matched), 5 matched; negative values: failures.
    pub status: i32,
    pub transaction_no: Option<String>,
    pub origin: Option<String>,
    pub matched_date: Option<Date>,
    pub receipt_no: Option<String>,
    pub payment_date: Option<Date>,
    pub rejected_reason: Option<String>,
    pub date_last_sms: Option<Date>,
    pub language_name: Option<String>,
    pub type_of_payment: Option<String>,
    /// Minor units.
    pub transfer_fee: Option<i64>,
    pub reconc_req_id: Option<String>,
    pub reconciliation_date: Option<DateTimeUtc>,
    pub validity_from: DateTimeUtc,
    pub validity_to: Option<DateTimeUtc>,
    pub audit_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
