//! The payment module's public API: what other modules may use of it. Everything else in the
//! crate is private to it (the gateway composes [`crate::graphql`]'s roots only).
//!
//! - Reads: [`PremiumSummary`] (an owned copy of a premium row) and
//!   [`current_premiums_of_policies`]; [`paid_total`] (D15 "paid" of a policy).
//! - Events: `payment.premium_recorded` with its payload [`PremiumRecorded`], published in the
//!   transaction that saves a premium.

use crate::entity::premium;
use chrono::NaiveDate;
use imis_core::error::AppResult;
use imis_core::kit::CurrentRows;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

pub use crate::events::{EVENT_PREMIUM_RECORDED, PremiumRecorded};
pub use crate::rights::{
    RIGHT_PAYER_SEARCH, RIGHT_PAYMENT_SEARCH, RIGHT_PREMIUM_ADD, RIGHT_PREMIUM_SEARCH,
};

/// A contribution (premium) as other modules see it; amounts in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PremiumSummary {
    pub id: i64,
    pub uuid: Uuid,
    pub policy_id: i64,
    pub product_id: i64,
    pub payer_id: Option<i64>,
    pub amount: i64,
    pub receipt: String,
    pub pay_date: NaiveDate,
    /// C cash, B bank transfer, M mobile phone, F funding.
    pub pay_type: String,
    pub is_photo_fee: bool,
}

impl From<premium::Model> for PremiumSummary {
    fn from(p: premium::Model) -> Self {
        Self {
            id: p.id,
            uuid: p.uuid,
            policy_id: p.policy_id,
            product_id: p.product_id,
            payer_id: p.payer_id,
            amount: p.amount,
            receipt: p.receipt,
            pay_date: p.pay_date,
            pay_type: p.pay_type,
            is_photo_fee: p.is_photo_fee,
        }
    }
}

/// The current premiums of each of these policies, in id order (policies without one are
/// absent).
pub async fn current_premiums_of_policies(
    conn: &impl ConnectionTrait,
    policy_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<PremiumSummary>>> {
    let mut out: HashMap<i64, Vec<PremiumSummary>> = HashMap::new();
    for chunk in policy_ids.chunks(500) {
        for p in premium::Entity::find()
            .filter(premium::Column::PolicyId.is_in(chunk.iter().copied()))
            .current()
            .order_by_asc(premium::Column::Id)
            .all(conn)
            .await?
        {
            out.entry(p.policy_id).or_default().push(p.into());
        }
    }
    Ok(out)
}

/// Σ of the current premiums of a policy that are not photo fees (D15 "paid"), in minor units.
pub async fn paid_total(conn: &impl ConnectionTrait, policy_id: i64) -> AppResult<i64> {
    crate::service::paid_total(conn, policy_id).await
}
