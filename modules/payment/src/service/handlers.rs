//! In-transaction handlers of the policy module's events (wired in the descriptor):
//!
//! - `policy.created` with `isPaid: true`: a premium for the full policy value, paid on the
//!   enrolment date in cash, with the given receipt (unique within the product, else
//!   `premium.receipt_taken` vetoes the enrolment) or `RE-<productCode>-<enrollDate>-<n>`, and
//!   the optional payer, which must be one the acting user may see (D9, else
//!   `auth.location_denied` vetoes the enrolment); then the policy module records it (D15).
//! - `policy.deleting`: the policy's premiums are soft-deleted (history kept) and the payment
//!   detail lines that pointed at them are detached (`premium_id` = null).

use super::*;
use crate::entity::{payment_detail, premium};
use futures::future::BoxFuture;
use imis_core::events::{Event, Wiring};
use imis_policy::api::{
    EVENT_POLICY_CREATED, EVENT_POLICY_DELETING, PolicyCreated, PolicyDeleting, PremiumAction,
};
use sea_orm::{DatabaseTransaction, QueryOrder};

pub fn wire(w: &mut Wiring) {
    w.on_in_tx(EVENT_POLICY_CREATED, on_policy_created);
    w.on_in_tx(EVENT_POLICY_DELETING, on_policy_deleting);
}

fn on_policy_created<'a>(
    state: &'a AppState,
    tx: &'a DatabaseTransaction,
    event: &'a Event,
) -> BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        let facts: PolicyCreated = serde_json::from_value(event.payload.clone())?;
        if facts.is_paid {
            paid_at_enrolment(state, tx, event.actor, &facts).await?;
        }
        Ok(())
    })
}

/// The premium of an `isPaid` enrolment.
pub async fn paid_at_enrolment(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    facts: &PolicyCreated,
) -> AppResult<Option<premium::Model>> {
    // The policy was created in this transaction: its lock is this transaction's already.
    let opened =
        imis_policy::api::open_policy_by_id_for_contribution(state, tx, None, facts.policy_id)
            .await?;
    let pol = opened.policy;
    if pol.value <= 0 {
        // A zero-value policy is already Active (D15): nothing to pay.
        return Ok(None);
    }
    let product_code = opened.terms.product_code;
    let receipt = match text(facts.receipt.as_deref(), "receipt", 50)? {
        Some(r) => {
            if super::premiums::receipt_taken(tx, pol.product_id, &r, None).await? {
                return Err(AppError::conflict("premium.receipt_taken")
                    .with("receipt", &r)
                    .with("productCode", &product_code));
            }
            r
        }
        None => {
            super::premiums::auto_receipt(tx, pol.product_id, &product_code, pol.enroll_date)
                .await?
        }
    };
    let payer_id = match opt_uuid(facts.payer_uuid.as_deref(), "payerUuid")? {
        Some(u) => {
            let payer = super::premiums::find_payer_by_uuid(tx, u).await?;
            if let Some(user_id) = actor
                && !payer_visible_to(tx, user_id, payer.location_id).await?
            {
                return Err(AppError::location_denied());
            }
            Some(payer.id)
        }
        None => None,
    };
    let created = super::premiums::insert_premium(
        state,
        tx,
        actor,
        super::premiums::NewPremium {
            payer_id,
            is_offline: pol.is_offline,
            ..super::premiums::NewPremium::cash(&pol, pol.value, receipt, pol.enroll_date)
        },
    )
    .await?;
    super::premiums::record(
        state,
        tx,
        actor,
        pol.id,
        pol.enroll_date,
        PremiumAction::Wait,
    )
    .await?;
    Ok(Some(created))
}

/// Whether the acting user may see a payer located at `location_id` (the rule of
/// [`super::payers::payer_visible`], D9), with the user's scope read inside the publisher's
/// transaction.
async fn payer_visible_to(
    tx: &DatabaseTransaction,
    user_id: i64,
    location_id: i64,
) -> AppResult<bool> {
    let Some(scope) = imis_core::users::service::scope_of_user(tx, user_id).await? else {
        return Ok(false);
    };
    Ok(scope
        .visible_locations(tx)
        .await?
        .is_none_or(|v| v.contains(&location_id)))
}

fn on_policy_deleting<'a>(
    state: &'a AppState,
    tx: &'a DatabaseTransaction,
    event: &'a Event,
) -> BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        let facts: PolicyDeleting = serde_json::from_value(event.payload.clone())?;
        remove_premiums_of_policy(state, tx, event.actor, facts.policy_id).await
    })
}

/// Soft-deletes a policy's premiums and detaches the payment detail lines that named them. The
/// caller holds the policy's row lock (`deletePolicies`), which every premium write takes before
/// it reads a premium: the premiums read here are current until the transaction ends (they are
/// not locked one by one, so that a payment line written under its payment's lock, whose
/// foreign-key check shares the premium row, never waits for this transaction in a cycle). The
/// lines are read under their row locks, in id order.
pub async fn remove_premiums_of_policy(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    policy_id: i64,
) -> AppResult<()> {
    let now = state.clock.now();
    let premiums = premium::Entity::find()
        .filter(premium::Column::PolicyId.eq(policy_id))
        .current()
        .order_by_asc(premium::Column::Id)
        .all(tx)
        .await?;
    if premiums.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = premiums.iter().map(|p| p.id).collect();
    let details = payment_detail::Entity::find()
        .filter(payment_detail::Column::PremiumId.is_in(ids))
        .current()
        .order_by_asc(payment_detail::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    if !details.is_empty() {
        // The lines stay on their payments, without a premium (two statements for all).
        imis_core::history::save_many(
            tx,
            HISTORY_PAYMENT_DETAIL,
            details.iter().map(|d| (d.id, d, d.validity_from)),
            now,
            actor,
        )
        .await?;
        payment_detail::Entity::update_many()
            .col_expr(payment_detail::Column::PremiumId, Expr::value(None::<i64>))
            .col_expr(payment_detail::Column::ValidityFrom, Expr::value(now))
            .col_expr(payment_detail::Column::AuditUserId, Expr::value(actor))
            .filter(payment_detail::Column::Id.is_in(details.iter().map(|d| d.id)))
            .exec(tx)
            .await?;
    }
    super::premiums::soft_delete(tx, actor, &premiums, now).await
}
