//! `payment_payment`: money received (mobile money, bank, cash) to be matched to policies
//! (openIMIS `tblPayment`, reference §10.1). History in `core_history` under `payment`.

use sea_orm::entity::prelude::*;

imis_core::versioned_entity! {
    "payment_payment" {
        uuid: Uuid,
        /// Minor units.
        expected_amount: Option<i64>,
        /// Minor units.
        received_amount: Option<i64>,
        officer_code: Option<String>,
        phone_number: Option<String>,
        request_date: Option<Date>,
        received_date: Option<Date>,
        /// openIMIS payment status: 1 created, 2 control number requested, 3 control number received,
        /// 4 received (waiting to be matched), 5 matched; negative values: failures.
        status: i32,
        transaction_no: Option<String>,
        origin: Option<String>,
        matched_date: Option<Date>,
        receipt_no: Option<String>,
        payment_date: Option<Date>,
        rejected_reason: Option<String>,
        date_last_sms: Option<Date>,
        language_name: Option<String>,
        type_of_payment: Option<String>,
        /// Minor units.
        transfer_fee: Option<i64>,
        reconc_req_id: Option<String>,
        reconciliation_date: Option<DateTimeUtc>,
    }
}
