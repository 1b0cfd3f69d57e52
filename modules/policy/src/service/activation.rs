//! Contributions and activation (D15). The payment module owns premiums and payments; it pushes
//! the facts here inside its transaction ("downstream pushes facts upstream", architecture page)
//! and this module alone changes policy status and coverage effective dates.

use super::*;
use crate::entity::insuree_policy;

/// The openIMIS premium `action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PremiumAction {
    /// Partial payment leaves the policy as it is (the default).
    Wait,
    /// Activate even when the contribution does not reach the value.
    Enforce,
    /// Suspend the policy (also needs 101203, checked by the caller).
    Suspend,
}

impl PremiumAction {
    /// Parses the openIMIS value; absent = WAIT, anything else → `input.invalid` (D15).
    pub fn parse(s: Option<&str>) -> AppResult<PremiumAction> {
        match s.map(str::trim) {
            None | Some("") | Some("WAIT") => Ok(PremiumAction::Wait),
            Some("ENFORCE") => Ok(PremiumAction::Enforce),
            Some("SUSPEND") => Ok(PremiumAction::Suspend),
            Some(_) => Err(AppError::invalid("action", "ENFORCE, WAIT or SUSPEND")),
        }
    }
}

/// A premium saved on a policy.
#[derive(Debug, Clone)]
pub struct PremiumRecorded {
    pub policy_id: i64,
    /// Σ of the policy's valid non-photo-fee premiums, this one included.
    pub paid_total: i64,
    /// The saved premium's pay date.
    pub pay_date: NaiveDate,
    pub action: PremiumAction,
}

/// What a pushed fact did to the policy.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ActivationOutcome {
    pub policy_id: i64,
    pub status_before: i32,
    pub status: i32,
    /// The policy became Active.
    pub activated: bool,
    /// value − paid (or − matched for payments), floored at 0, in minor units.
    pub balance: i64,
    pub warnings: Vec<Warning>,
}

impl ActivationOutcome {
    /// The outcome for the policy `policy_id`, whose status was `before` and which is now
    /// `updated`; `counted` is what counts against its value (paid, or matched for payments).
    fn of(
        policy_id: i64,
        before: i32,
        updated: &policy::Model,
        counted: i64,
        warnings: Vec<Warning>,
    ) -> Self {
        Self {
            policy_id,
            status_before: before,
            status: updated.status,
            activated: before != STATUS_ACTIVE && updated.status == STATUS_ACTIVE,
            balance: (updated.value - counted).max(0),
            warnings,
        }
    }
}

/// Reads the current policy under its row lock, held for the rest of the transaction (`FOR
/// UPDATE` on PostgreSQL, one statement; SQLite writers are serialised by `Db::begin_write`).
/// Every read-modify-write of a policy row goes through here (or [`lock_found`]); a policy is
/// locked before its coverage rows, reminders and premiums, several policies in id order.
pub async fn lock(tx: &DatabaseTransaction, policy_id: i64) -> AppResult<policy::Model> {
    policy::Entity::find_by_id(policy_id)
        .current()
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("policy").with("id", policy_id))
}

/// Locks the current rows of these policies in id order (one statement; PostgreSQL takes the
/// row locks in the order it reads them, and SQLite has a single writer).
pub async fn lock_many(tx: &DatabaseTransaction, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let _: Vec<i64> = policy::Entity::find()
        .select_only()
        .column(policy::Column::Id)
        .filter(policy::Column::Id.is_in(ids.to_vec()))
        .current()
        .order_by_asc(policy::Column::Id)
        .lock_exclusive()
        .into_tuple()
        .all(tx)
        .await?;
    Ok(())
}

/// [`lock`] for a policy the caller has just read in this transaction: on SQLite the
/// transaction is the only writer (`Db::begin_write`), so that row is current and is returned
/// without reading it again; on PostgreSQL the row is locked and read again.
pub async fn lock_found(
    tx: &DatabaseTransaction,
    found: policy::Model,
) -> AppResult<policy::Model> {
    if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
        lock(tx, found.id).await
    } else {
        Ok(found)
    }
}

fn warning(code: &str, pol: &policy::Model) -> Warning {
    let mut params = serde_json::Map::new();
    params.insert("uuid".into(), pol.uuid.to_string().into());
    Warning {
        code: code.into(),
        params,
    }
}

async fn activate(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    pol: &policy::Model,
    effective: NaiveDate,
    paid: i64,
    matched: i64,
) -> AppResult<policy::Model> {
    let mut a = new_version(state, tx, actor, pol).await?;
    a.status = Set(STATUS_ACTIVE);
    a.effective_date = Set(Some(effective));
    a.paid = Set(paid);
    a.matched = Set(matched);
    let updated = a.update(tx).await?;
    coverage::fill_empty_effective_dates(state, tx, actor, pol.id, effective).await?;
    Ok(updated)
}

async fn set_facts(
    tx: &DatabaseTransaction,
    pol: &policy::Model,
    paid: i64,
    matched: i64,
) -> AppResult<policy::Model> {
    // The amounts are facts about premiums and payments (audited there), not a new version.
    let mut a = pol.clone().into_active_model();
    a.paid = Set(paid);
    a.matched = Set(matched);
    Ok(a.update(tx).await?)
}

/// Records a saved premium and applies D15 for the configured activation option.
pub async fn record_premium(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    facts: PremiumRecorded,
) -> AppResult<ActivationOutcome> {
    let pol = lock(tx, facts.policy_id).await?;
    let before = pol.status;
    let option = config(state).activation_option;
    let reached = facts.paid_total >= pol.value || facts.action == PremiumAction::Enforce;
    let mut warnings = vec![];
    if facts.paid_total > pol.value {
        warnings.push(warning("premium.overpaid", &pol));
    }
    let updated = match (facts.action, pol.status) {
        (PremiumAction::Suspend, STATUS_IDLE | STATUS_ACTIVE | STATUS_READY) => {
            let mut a = new_version(state, tx, actor, &pol).await?;
            a.status = Set(STATUS_SUSPENDED);
            a.paid = Set(facts.paid_total);
            a.update(tx).await?
        }
        (_, STATUS_IDLE) if reached && option == 1 => {
            let effective = pol.start_date.max(facts.pay_date);
            activate(
                state,
                tx,
                actor,
                &pol,
                effective,
                facts.paid_total,
                pol.matched,
            )
            .await?
        }
        (_, STATUS_IDLE) if reached && option == 3 => {
            let mut a = new_version(state, tx, actor, &pol).await?;
            a.status = Set(STATUS_READY);
            a.paid = Set(facts.paid_total);
            a.update(tx).await?
        }
        (_, STATUS_ACTIVE) if facts.paid_total >= pol.value => {
            let updated = set_facts(tx, &pol, facts.paid_total, pol.matched).await?;
            coverage::fill_empty_effective_dates(state, tx, actor, pol.id, facts.pay_date).await?;
            updated
        }
        _ => set_facts(tx, &pol, facts.paid_total, pol.matched).await?,
    };
    crate::events::publish_status_change(state, tx, actor, Some(before), &updated).await?;
    Ok(ActivationOutcome::of(
        pol.id,
        before,
        &updated,
        updated.paid,
        warnings,
    ))
}

/// Why the paid amount changed without a new premium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaidChange {
    /// A premium was updated or deleted: paid is recomputed, the policy never deactivates.
    PremiumChanged(i64),
    /// The policy value was recomputed (`updatePolicy`): the existing contributions are applied.
    Recomputed,
}

/// Applies a change of the paid amount (D15: update and delete never deactivate; warning
/// `premium.policy_underpaid` when an activated policy is no longer fully paid).
pub async fn apply_paid(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    policy_id: i64,
    change: PaidChange,
) -> AppResult<ActivationOutcome> {
    let pol = lock(tx, policy_id).await?;
    let before = pol.status;
    let mut warnings = vec![];
    let updated = match change {
        PaidChange::PremiumChanged(paid) => {
            if paid < pol.value && matches!(pol.status, STATUS_ACTIVE | STATUS_READY) {
                warnings.push(warning("premium.policy_underpaid", &pol));
            }
            set_facts(tx, &pol, paid, pol.matched).await?
        }
        PaidChange::Recomputed => {
            let option = config(state).activation_option;
            if pol.status == STATUS_IDLE && pol.paid >= pol.value && option == 1 {
                // The contributions were paid by today: coverage never starts before that.
                let effective = pol.start_date.max(state.clock.today());
                activate(state, tx, actor, &pol, effective, pol.paid, pol.matched).await?
            } else if pol.status == STATUS_IDLE && pol.paid >= pol.value && option == 3 {
                let mut a = new_version(state, tx, actor, &pol).await?;
                a.status = Set(STATUS_READY);
                a.update(tx).await?
            } else {
                pol.clone()
            }
        }
    };
    crate::events::publish_status_change(state, tx, actor, Some(before), &updated).await?;
    Ok(ActivationOutcome::of(
        policy_id,
        before,
        &updated,
        updated.paid,
        warnings,
    ))
}

/// Records an amount a matched payment brought to a policy (reference §10.3, D15), added to its
/// matched total under the row lock. Option 2: an Idle policy whose matched total reaches its
/// value becomes Active; option 3: a Ready one does; effective on the later of its start date
/// and the payment date. Under option 1 only contributions activate.
pub async fn record_matched(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    policy_id: i64,
    matched_amount: i64,
    payment_date: NaiveDate,
) -> AppResult<ActivationOutcome> {
    let pol = lock(tx, policy_id).await?;
    let before = pol.status;
    let matched_total = pol.matched + matched_amount;
    let option = config(state).activation_option;
    let activates = matches!((option, pol.status), (2, STATUS_IDLE) | (3, STATUS_READY))
        && matched_total >= pol.value;
    let updated = if activates {
        let effective = pol.start_date.max(payment_date);
        activate(state, tx, actor, &pol, effective, pol.paid, matched_total).await?
    } else {
        set_facts(tx, &pol, pol.paid, matched_total).await?
    };
    crate::events::publish_status_change(state, tx, actor, Some(before), &updated).await?;
    Ok(ActivationOutcome::of(
        policy_id,
        before,
        &updated,
        matched_total.max(updated.paid),
        vec![],
    ))
}

/// Payment matching on an Active policy renews it (reference §10.3 step 4): a new Idle renewal of
/// the same family and product, enrolled on `enroll_date`, starting after the previous expiry,
/// valued for the current members, with the previous officer.
pub async fn renew_for_payment(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    previous_id: i64,
    enroll_date: NaiveDate,
) -> AppResult<policy::Model> {
    // Locked (matching has locked it already): its reminders are closed below.
    let prev = lock(tx, previous_id).await?;
    let product_id = final_conversion(tx, prev.product_id).await?;
    let ctx = family_context(tx, prev.family_id).await?;
    let c = compute(
        state,
        tx,
        Stage::Renewal,
        enroll_date,
        product_id,
        &as_members(&ctx.members),
        Some(prev.clone()),
    )
    .await?;
    let now = state.clock.now();
    let free = c.value.value == 0;
    let pol = insert_version(
        tx,
        policy::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            family_id: Set(prev.family_id),
            product_id: Set(product_id),
            officer_id: Set(prev.officer_id),
            enroll_date: Set(enroll_date),
            start_date: Set(c.start_date),
            effective_date: Set(free.then_some(c.start_date)),
            expiry_date: Set(c.expiry_date),
            stage: Set(Stage::Renewal.code().into()),
            status: Set(if free { STATUS_ACTIVE } else { STATUS_IDLE }),
            previous_policy_id: Set(Some(prev.id)),
            value: Set(c.value.value),
            paid: Set(0),
            matched: Set(0),
            is_offline: Set(false),
            contribution_plan_uuid: Set(None),
            creation_date: Set(state.clock.today()),
            json_ext: Set(None),
            ..Default::default()
        },
        now,
        actor,
    )
    .await?;
    coverage::insert_rows(state, tx, actor, &pol, &c.value.kept, pol.effective_date).await?;
    close_pending_renewals(state, tx, actor, prev.id).await?;
    crate::events::publish_renewed(state, tx, actor, &pol).await?;
    if free {
        crate::events::publish_status_change(state, tx, actor, None, &pol).await?;
    }
    Ok(pol)
}

/// The family's policy of a product that payment matching credits (reference §10.3 step 1): the
/// latest valid one that is neither Suspended nor Expired.
pub async fn matchable_policy(
    conn: &impl ConnectionTrait,
    family_id: i64,
    product_id: i64,
) -> AppResult<Option<policy::Model>> {
    Ok(policy::Entity::find()
        .filter(policy::Column::FamilyId.eq(family_id))
        .filter(policy::Column::ProductId.eq(product_id))
        .current()
        .filter(policy::Column::Status.is_not_in([STATUS_SUSPENDED, STATUS_EXPIRED]))
        .order_by_desc(policy::Column::EnrollDate)
        .order_by_desc(policy::Column::Id)
        .one(conn)
        .await?)
}

/// Number of members with a current coverage row on a policy (the members it covers; a member
/// who left and came back has two rows).
pub async fn covered_count(conn: &impl ConnectionTrait, policy_id: i64) -> AppResult<usize> {
    Ok(insuree_policy::Entity::find()
        .filter(insuree_policy::Column::PolicyId.eq(policy_id))
        .current()
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.insuree_id)
        .collect::<std::collections::HashSet<_>>()
        .len())
}
