//! The events the payment module publishes, with their typed payloads, and (in
//! [`crate::service::handlers`]) the handlers of the policy module's events it subscribes to.
//!
//! - `payment.premium_recorded` ([`PremiumRecorded`]): a contribution (premium) was saved on a
//!   policy: by `createPremium`, by an `isPaid` enrolment, or by payment matching. Published in
//!   the saving transaction, before the policy module applies activation (which publishes
//!   `policy.activated` itself when the policy becomes Active).

use crate::entity::premium;
use chrono::NaiveDate;
use imis_core::AppState;
use imis_core::error::AppResult;
use imis_core::events::Event;
use imis_core::money::Money;
use rust_decimal::Decimal;
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

/// A premium was saved on a policy.
pub const EVENT_PREMIUM_RECORDED: &str = "payment.premium_recorded";

/// Payload of `payment.premium_recorded`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PremiumRecorded {
    pub premium_id: i64,
    pub premium_uuid: Uuid,
    pub policy_id: i64,
    pub product_id: i64,
    pub payer_id: Option<i64>,
    /// In the currency's units (`core.currency_minor_digits` decimals).
    pub amount: Decimal,
    pub receipt: String,
    pub pay_date: NaiveDate,
    /// C cash, B bank transfer, M mobile phone, F funding.
    pub pay_type: String,
    pub is_photo_fee: bool,
}

/// Publishes `payment.premium_recorded` for a premium just inserted in `tx`.
pub(crate) async fn publish_premium_recorded(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    p: &premium::Model,
) -> AppResult<()> {
    let payload = PremiumRecorded {
        premium_id: p.id,
        premium_uuid: p.uuid,
        policy_id: p.policy_id,
        product_id: p.product_id,
        payer_id: p.payer_id,
        amount: Money(p.amount).to_decimal(state.config.core.currency_minor_digits),
        receipt: p.receipt.clone(),
        pay_date: p.pay_date,
        pay_type: p.pay_type.clone(),
        is_photo_fee: p.is_photo_fee,
    };
    let event = Event {
        name: EVENT_PREMIUM_RECORDED.to_string(),
        payload: serde_json::to_value(payload)?,
        actor,
    };
    state.bus.publish(state, tx, event).await
}
