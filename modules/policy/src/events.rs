//! The events the policy module publishes, with their typed payloads. Every one is published
//! inside the transaction that makes the change (in-transaction handlers may veto it) and written
//! to the outbox in that transaction, so after-commit subscribers (reporting, DHIS2) hear of it
//! once it is committed.
//!
//! - `policy.created` ([`PolicyCreated`]): a policy was enrolled (new or renewal); the payment
//!   module records the `isPaid` premium.
//! - `policy.deleting` ([`PolicyDeleting`]): a policy is about to be deleted; a handler may veto
//!   (claims) or clean up what it owns (premiums, payment details).
//! - `policy.activated` ([`PolicyStatusChanged`]): a policy became Active (a contribution or a
//!   matched payment reached its value, ENFORCE, or a zero-value enrolment).
//! - `policy.suspended` ([`PolicyStatusChanged`]): `suspendPolicies` or a SUSPEND contribution.
//! - `policy.expired` ([`PoliciesExpired`]): the daily expiry job (D17) expired these policies;
//!   one event per chunk of at most [`EXPIRED_CHUNK`] policies so that a national run stays a
//!   few thousand outbox rows.
//! - `policy.renewed` ([`PolicyRenewed`]): a renewal policy was created (`renewPolicy` or payment
//!   matching renewing an Active policy).

use crate::entity::policy;
use chrono::NaiveDate;
use imis_core::AppState;
use imis_core::error::AppResult;
use imis_core::events::Event;
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

/// Published after a policy is created or renewed: the payment module records the `isPaid`
/// premium (an openIMIS input field it owns).
pub const EVENT_POLICY_CREATED: &str = "policy.created";
/// Published before a policy is deleted: a handler may veto (claims) or clean up what it owns
/// (premiums, payment details).
pub const EVENT_POLICY_DELETING: &str = "policy.deleting";
/// A policy became Active.
pub const EVENT_POLICY_ACTIVATED: &str = "policy.activated";
/// A policy became Suspended.
pub const EVENT_POLICY_SUSPENDED: &str = "policy.suspended";
/// The expiry job expired policies (payload [`PoliciesExpired`]).
pub const EVENT_POLICY_EXPIRED: &str = "policy.expired";
/// A renewal policy was created (payload [`PolicyRenewed`]).
pub const EVENT_POLICY_RENEWED: &str = "policy.renewed";

/// Most policies named by one `policy.expired` event.
pub const EXPIRED_CHUNK: usize = 1000;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyCreated {
    pub policy_id: i64,
    pub is_paid: bool,
    pub receipt: Option<String>,
    pub payer_uuid: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDeleting {
    pub policy_id: i64,
}

/// Payload of `policy.activated` and `policy.suspended`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyStatusChanged {
    pub policy_id: i64,
    pub policy_uuid: Uuid,
    pub family_id: i64,
    pub product_id: i64,
    /// Status before the change (1 Idle, 2 Active, 4 Suspended, 8 Expired, 16 Ready); None for a
    /// policy Active from its enrolment.
    pub status_before: Option<i32>,
    pub status: i32,
    /// When coverage starts (Active policies).
    pub effective_date: Option<NaiveDate>,
    pub expiry_date: NaiveDate,
}

/// Payload of `policy.expired`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PoliciesExpired {
    /// The policies the job expired (ascending ids).
    pub policy_ids: Vec<i64>,
    /// The job's day: each of them had expired before it.
    pub expired_before: NaiveDate,
}

/// Payload of `policy.renewed`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRenewed {
    /// The new (renewal) policy.
    pub policy_id: i64,
    pub policy_uuid: Uuid,
    /// The policy it renews.
    pub previous_policy_id: Option<i64>,
    pub family_id: i64,
    pub product_id: i64,
    pub enroll_date: NaiveDate,
    pub start_date: NaiveDate,
    pub expiry_date: NaiveDate,
    /// Contribution due, in minor units.
    pub value: i64,
}

/// Publishes `name` with `payload` inside `tx` (handlers run, outbox row written).
pub(crate) async fn publish<T: serde::Serialize>(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    name: &str,
    payload: &T,
) -> AppResult<()> {
    let event = Event {
        name: name.to_string(),
        payload: serde_json::to_value(payload)?,
        actor,
    };
    state.bus.publish(state, tx, event).await
}

/// Publishes `policy.activated` or `policy.suspended` when the policy's status changed to
/// Active or Suspended (nothing otherwise).
pub(crate) async fn publish_status_change(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    status_before: Option<i32>,
    after: &policy::Model,
) -> AppResult<()> {
    if status_before == Some(after.status) {
        return Ok(());
    }
    let name = match after.status {
        crate::service::STATUS_ACTIVE => EVENT_POLICY_ACTIVATED,
        crate::service::STATUS_SUSPENDED => EVENT_POLICY_SUSPENDED,
        _ => return Ok(()),
    };
    let payload = PolicyStatusChanged {
        policy_id: after.id,
        policy_uuid: after.uuid,
        family_id: after.family_id,
        product_id: after.product_id,
        status_before,
        status: after.status,
        effective_date: after.effective_date,
        expiry_date: after.expiry_date,
    };
    publish(state, tx, actor, name, &payload).await
}

/// Publishes `policy.renewed` for a renewal policy just created.
pub(crate) async fn publish_renewed(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    renewal: &policy::Model,
) -> AppResult<()> {
    let payload = PolicyRenewed {
        policy_id: renewal.id,
        policy_uuid: renewal.uuid,
        previous_policy_id: renewal.previous_policy_id,
        family_id: renewal.family_id,
        product_id: renewal.product_id,
        enroll_date: renewal.enroll_date,
        start_date: renewal.start_date,
        expiry_date: renewal.expiry_date,
        value: renewal.value,
    };
    publish(state, tx, actor, EVENT_POLICY_RENEWED, &payload).await
}

/// Publishes `policy.expired` for `policy_ids` (ascending), in chunks of [`EXPIRED_CHUNK`].
pub(crate) async fn publish_expired(
    state: &AppState,
    tx: &DatabaseTransaction,
    policy_ids: &[i64],
    expired_before: NaiveDate,
) -> AppResult<()> {
    for chunk in policy_ids.chunks(EXPIRED_CHUNK) {
        let payload = PoliciesExpired {
            policy_ids: chunk.to_vec(),
            expired_before,
        };
        publish(state, tx, None, EVENT_POLICY_EXPIRED, &payload).await?;
    }
    Ok(())
}
