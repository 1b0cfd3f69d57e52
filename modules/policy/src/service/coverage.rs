//! Coverage (D16): who is covered by which policy on which date. [`covering`] is the one
//! function that answers "is this person covered today" for the facility desk, eligibility,
//! `policiesByInsuree(targetDate)` and claim submission. The handlers keep coverage rows in step
//! with the insuree module's events, inside the insuree mutation's transaction, so a failed
//! coverage update rolls the insuree change back too.

use super::*;
use crate::entity::insuree_policy;
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use imis_core::events::Event;
use imis_insuree::api::{
    INSUREE_ADDED, INSUREE_DELETED, INSUREE_MOVED, INSUREE_REMOVED, INSUREE_STATUS_CHANGED,
    InsureeAdded, InsureeDeleted, InsureeMoved, InsureeRemoved, InsureeStatusChanged,
};
use sea_orm::UpdateMany;
use sea_orm::sea_query::Expr;
use std::collections::HashMap;

/// Registers the coverage handlers (called from the descriptor's `wire`).
pub fn wire(w: &mut imis_core::events::Wiring) {
    w.on_in_tx(INSUREE_ADDED, on_added);
    w.on_in_tx(INSUREE_REMOVED, on_removed);
    w.on_in_tx(INSUREE_MOVED, on_moved);
    w.on_in_tx(INSUREE_DELETED, on_deleted);
    w.on_in_tx(INSUREE_STATUS_CHANGED, on_status_changed);
}

/// A covering coverage row and its policy.
#[derive(Debug, Clone)]
pub struct Cover {
    pub policy: policy::Model,
    pub row: insuree_policy::Model,
}

/// The valid coverage rows covering `insuree_id` on `date` (D16): row effective ≤ date ≤ row
/// expiry, on a valid Active or Expired policy whose own effective ≤ date ≤ expiry. Ordered by
/// (row effective date, policy id).
pub async fn covering(
    conn: &impl ConnectionTrait,
    insuree_id: i64,
    date: NaiveDate,
) -> AppResult<Vec<Cover>> {
    Ok(covering_many(conn, &[(insuree_id, date)])
        .await?
        .pop()
        .unwrap_or_default())
}

/// [`covering`] for many (insuree, date) pairs, answered in order, in two queries for all: the
/// insurees' current coverage rows and their policies.
pub async fn covering_many(
    conn: &impl ConnectionTrait,
    wanted: &[(i64, NaiveDate)],
) -> AppResult<Vec<Vec<Cover>>> {
    let (Some(first), Some(last)) = (
        wanted.iter().map(|w| w.1).min(),
        wanted.iter().map(|w| w.1).max(),
    ) else {
        return Ok(vec![]);
    };
    let insurees: std::collections::HashSet<i64> = wanted.iter().map(|w| w.0).collect();
    let rows = insuree_policy::Entity::find()
        .filter(insuree_policy::Column::InsureeId.is_in(insurees))
        .current()
        .filter(insuree_policy::Column::EffectiveDate.lte(last))
        .filter(insuree_policy::Column::ExpiryDate.gte(first))
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.policy_id).collect();
    let policies = policies_by_ids(conn, &ids).await?;
    let mut by_insuree: HashMap<i64, Vec<&insuree_policy::Model>> = HashMap::new();
    for row in &rows {
        by_insuree.entry(row.insuree_id).or_default().push(row);
    }
    Ok(wanted
        .iter()
        .map(|(insuree_id, date)| {
            let date = *date;
            let mut out: Vec<Cover> = by_insuree
                .get(insuree_id)
                .into_iter()
                .flatten()
                .filter(|row| {
                    row.effective_date.is_some_and(|e| e <= date) && date <= row.expiry_date
                })
                .filter_map(|row| {
                    let p = policies.get(&row.policy_id)?;
                    let ok = p.validity_to.is_none()
                        && (p.status == STATUS_ACTIVE || p.status == STATUS_EXPIRED)
                        && p.effective_date.is_some_and(|e| e <= date)
                        && date <= p.expiry_date;
                    ok.then(|| Cover {
                        policy: p.clone(),
                        row: (*row).clone(),
                    })
                })
                .collect();
            out.sort_by_key(|c| (c.row.effective_date, c.policy.id));
            out
        })
        .collect())
}

/// Inserts coverage rows of `policy` for `insurees`, with the policy's dates (one statement).
pub(crate) async fn insert_rows(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    pol: &policy::Model,
    insurees: &[i64],
    effective: Option<NaiveDate>,
) -> AppResult<()> {
    let now = state.clock.now();
    for chunk in insurees.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO policy_insuree_policy (uuid, insuree_id, policy_id, enrollment_date, start_date, effective_date, expiry_date, is_offline, validity_from, audit_user_id) VALUES ",
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 10);
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            values.extend([
                Uuid::now_v7().into(),
                (*id).into(),
                pol.id.into(),
                pol.enroll_date.into(),
                pol.start_date.into(),
                effective.into(),
                pol.expiry_date.into(),
                pol.is_offline.into(),
                now.into(),
                actor.into(),
            ]);
        }
        tx.execute_raw(imis_core::db::stmt(tx.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(())
}

/// Current coverage rows of a policy.
pub async fn rows_of_policy(
    conn: &impl ConnectionTrait,
    policy_id: i64,
) -> AppResult<Vec<insuree_policy::Model>> {
    Ok(insuree_policy::Entity::find()
        .filter(insuree_policy::Column::PolicyId.eq(policy_id))
        .current()
        .order_by_asc(insuree_policy::Column::Id)
        .all(conn)
        .await?)
}

/// Current coverage rows of a policy read under their row locks, in id order (the caller holds
/// the policy's row lock: a policy is locked before its rows).
async fn lock_rows_of_policy(
    tx: &DatabaseTransaction,
    policy_id: i64,
) -> AppResult<Vec<insuree_policy::Model>> {
    Ok(insuree_policy::Entity::find()
        .filter(insuree_policy::Column::PolicyId.eq(policy_id))
        .current()
        .order_by_asc(insuree_policy::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?)
}

/// The current coverage rows of an insuree that `keep` selects, with their policies, for a
/// change: the rows' policies are locked first (id order), then the rows are read again under
/// their own row locks (id order) and selected again, so that what is saved to history is the
/// latest version (D7) and a policy is always locked before its rows.
async fn lock_rows_of_insuree(
    tx: &DatabaseTransaction,
    insuree_id: i64,
    keep: impl Fn(&insuree_policy::Model, &policy::Model) -> bool,
) -> AppResult<Vec<(insuree_policy::Model, policy::Model)>> {
    let mut policy_ids: Vec<i64> = rows_of_insuree(tx, insuree_id)
        .await?
        .iter()
        .filter(|(row, pol)| keep(row, pol))
        .map(|(_, pol)| pol.id)
        .collect();
    policy_ids.sort_unstable();
    policy_ids.dedup();
    if policy_ids.is_empty() {
        return Ok(vec![]);
    }
    let policies: std::collections::HashMap<i64, policy::Model> = policy::Entity::find()
        .filter(policy::Column::Id.is_in(policy_ids.iter().copied()))
        .order_by_asc(policy::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(insuree_policy::Entity::find()
        .filter(insuree_policy::Column::InsureeId.eq(insuree_id))
        .filter(insuree_policy::Column::PolicyId.is_in(policy_ids))
        .current()
        .order_by_asc(insuree_policy::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .filter_map(|row| {
            let pol = policies.get(&row.policy_id)?.clone();
            keep(&row, &pol).then_some((row, pol))
        })
        .collect())
}

/// Saves coverage `rows` to history and updates them all by `actor` with `change` (which sets
/// the changed columns, given the instant `now`): two statements however many rows.
async fn change_rows(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    rows: &[insuree_policy::Model],
    change: impl FnOnce(
        UpdateMany<insuree_policy::Entity>,
        DateTime<Utc>,
    ) -> UpdateMany<insuree_policy::Entity>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let now = state.clock.now();
    imis_core::history::save_many(
        tx,
        HISTORY_COVERAGE,
        rows.iter().map(|r| (r.id, r, r.validity_from)),
        now,
        actor,
    )
    .await?;
    change(insuree_policy::Entity::update_many(), now)
        .col_expr(insuree_policy::Column::AuditUserId, Expr::value(actor))
        .filter(insuree_policy::Column::Id.is_in(rows.iter().map(|r| r.id)))
        .exec(tx)
        .await?;
    Ok(())
}

/// Soft-deletes coverage rows with their history, in two statements.
async fn close_rows(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    rows: &[insuree_policy::Model],
) -> AppResult<()> {
    change_rows(state, tx, actor, rows, |u, now| {
        u.col_expr(insuree_policy::Column::ValidityTo, Expr::value(Some(now)))
    })
    .await
}

/// Ends coverage rows on `expiry` (a new version of each, with history), in two statements.
async fn end_rows_on(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    rows: &[insuree_policy::Model],
    expiry: NaiveDate,
) -> AppResult<()> {
    change_rows(state, tx, actor, rows, |u, now| {
        u.col_expr(insuree_policy::Column::ExpiryDate, Expr::value(expiry))
            .col_expr(insuree_policy::Column::ValidityFrom, Expr::value(now))
    })
    .await
}

/// Soft-deletes every current coverage row of a policy (the caller holds the policy's lock).
pub(crate) async fn close_rows_of_policy(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    policy_id: i64,
) -> AppResult<()> {
    close_rows(state, tx, actor, &lock_rows_of_policy(tx, policy_id).await?).await
}

/// Sets `effective` on the coverage rows of a policy that have none (the caller holds the
/// policy's lock).
pub(crate) async fn fill_empty_effective_dates(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    policy_id: i64,
    effective: NaiveDate,
) -> AppResult<()> {
    let empty: Vec<_> = lock_rows_of_policy(tx, policy_id)
        .await?
        .into_iter()
        .filter(|r| r.effective_date.is_none())
        .collect();
    // Set-based: a family's rows are versioned and updated in two statements, not two each.
    change_rows(state, tx, actor, &empty, |u, now| {
        u.col_expr(
            insuree_policy::Column::EffectiveDate,
            Expr::value(Some(effective)),
        )
        .col_expr(insuree_policy::Column::ValidityFrom, Expr::value(now))
    })
    .await
}

/// The family's valid policies a new member joins (D16): status Idle, Active or Ready, not
/// expired today.
pub async fn open_policies_of_family(
    state: &AppState,
    conn: &impl ConnectionTrait,
    family_id: i64,
) -> AppResult<Vec<policy::Model>> {
    Ok(policy::Entity::find()
        .filter(policy::Column::FamilyId.eq(family_id))
        .current()
        .filter(policy::Column::Status.is_in([STATUS_IDLE, STATUS_ACTIVE, STATUS_READY]))
        .filter(policy::Column::ExpiryDate.gte(state.clock.today()))
        .order_by_asc(policy::Column::Id)
        .all(conn)
        .await?)
}

fn payload<T: serde::de::DeserializeOwned>(event: &Event) -> AppResult<T> {
    serde_json::from_value(event.payload.clone()).map_err(|e| {
        tracing::error!(event = %event.name, error = %e, "bad event payload");
        AppError::internal()
    })
}

/// A member joined `family_id`: cover them on the family's open policies with room (D16).
async fn add_member(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    insuree_id: i64,
    family_id: i64,
) -> AppResult<()> {
    let today = state.clock.today();
    // The family's open policies under their row locks (id order): each may get a new version
    // (its value) and rows, computed from its latest version and current rows.
    let policies: Vec<policy::Model> = policy::Entity::find()
        .filter(policy::Column::FamilyId.eq(family_id))
        .current()
        .filter(policy::Column::Status.is_in([STATUS_IDLE, STATUS_ACTIVE, STATUS_READY]))
        .filter(policy::Column::ExpiryDate.gte(today))
        .order_by_asc(policy::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    if policies.is_empty() {
        return Ok(());
    }
    let newcomer = imis_insuree::api::insurees_by_ids(tx, &[insuree_id]).await?;
    // Only active members are covered (D13); an inactive one is covered again by no event.
    let Some(newcomer) = newcomer.get(&insuree_id).filter(|i| i.status == "AC") else {
        return Ok(());
    };
    for pol in policies {
        let rows = rows_of_policy(tx, pol.id).await?;
        // Already covered to the policy's expiry. A row that ended early (the member left with
        // `cancelPolicies`) does not keep a returning member off the policy.
        if rows
            .iter()
            .any(|r| r.insuree_id == insuree_id && r.expiry_date >= pol.expiry_date)
        {
            continue;
        }
        let mut ids: Vec<i64> = rows
            .iter()
            .map(|r| r.insuree_id)
            .filter(|i| *i != insuree_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let product = product_on(state, tx, pol.product_id, pol.enroll_date).await?;
        if product.max_members > 0 && ids.len() >= product.max_members as usize {
            continue;
        }
        let mut people: Vec<InsureeSummary> = imis_insuree::api::insurees_by_ids(tx, &ids)
            .await?
            .into_values()
            .collect();
        people.push(newcomer.clone());
        let previous = match pol.previous_policy_id {
            Some(id) => policy::Entity::find_by_id(id).one(tx).await?,
            None => None,
        };
        let stage = Stage::parse(&pol.stage).unwrap_or(Stage::New);
        let value = values::policy_value(
            &product,
            &ValueInput {
                stage,
                enroll_date: pol.enroll_date,
                start_date: pol.start_date,
                members: &as_members(&people),
                previous_expiry: previous.map(|p| p.expiry_date),
                age_of_majority: state.config.core.age_of_majority,
            },
        );
        // Paid by contributions, or by matched payments under activation options 2 and 3.
        let paid_up = pol.paid.max(pol.matched) >= value.value;
        let effective = match pol.effective_date {
            Some(e) if pol.status == STATUS_ACTIVE && paid_up => Some(e.max(today)),
            _ => None,
        };
        let pol = if value.value != pol.value {
            let mut a = new_version(state, tx, actor, &pol).await?;
            a.value = Set(value.value);
            a.update(tx).await?
        } else {
            pol
        };
        insert_rows(state, tx, actor, &pol, &[insuree_id], effective).await?;
    }
    Ok(())
}

/// A member left `family_id`: with `cancel`, their rows end today and rows never effective go.
async fn remove_member(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    insuree_id: i64,
    family_id: Option<i64>,
    cancel: bool,
) -> AppResult<()> {
    if !cancel {
        return Ok(());
    }
    let today = state.clock.today();
    let (mut pending, mut running) = (vec![], vec![]);
    let rows = lock_rows_of_insuree(tx, insuree_id, |_, pol| {
        family_id.is_none_or(|f| f == pol.family_id)
    })
    .await?;
    for (row, _) in rows {
        if row.effective_date.is_none() {
            pending.push(row);
        } else if row.expiry_date > today {
            running.push(row);
        }
    }
    close_rows(state, tx, actor, &pending).await?;
    end_rows_on(state, tx, actor, &running, today).await
}

/// Current rows of an insuree with their policies.
pub async fn rows_of_insuree(
    conn: &impl ConnectionTrait,
    insuree_id: i64,
) -> AppResult<Vec<(insuree_policy::Model, policy::Model)>> {
    let rows = insuree_policy::Entity::find()
        .filter(insuree_policy::Column::InsureeId.eq(insuree_id))
        .current()
        .order_by_asc(insuree_policy::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.policy_id).collect();
    let policies = policies_by_ids(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let p = policies.get(&r.policy_id)?.clone();
            Some((r, p))
        })
        .collect())
}

/// Declares in-transaction handlers of the insuree module's events: each
/// `fn name(state, tx, event, e: Payload) { body }` reads the event's payload into `e` and runs
/// `body` in the publisher's transaction.
macro_rules! handlers {
    ($(fn $name:ident($state:ident, $tx:ident, $event:ident, $e:ident: $payload:ty) $body:block)*) => {$(
        fn $name<'a>(
            $state: &'a AppState,
            $tx: &'a DatabaseTransaction,
            $event: &'a Event,
        ) -> BoxFuture<'a, AppResult<()>> {
            Box::pin(async move {
                let $e: $payload = payload($event)?;
                $body
            })
        }
    )*};
}

handlers! {
    fn on_added(state, tx, event, e: InsureeAdded) {
        if e.add_on_existing_policy {
            add_member(state, tx, event.actor, e.insuree_id, e.family_id).await?;
        }
        Ok(())
    }

    fn on_removed(state, tx, event, e: InsureeRemoved) {
        remove_member(
            state,
            tx,
            event.actor,
            e.insuree_id,
            Some(e.family_id),
            e.cancel_policies,
        )
        .await
    }

    fn on_moved(state, tx, event, e: InsureeMoved) {
        if let Some(from) = e.from_family_id {
            remove_member(
                state,
                tx,
                event.actor,
                e.insuree_id,
                Some(from),
                e.cancel_policies,
            )
            .await?;
        }
        add_member(state, tx, event.actor, e.insuree_id, e.to_family_id).await
    }

    fn on_deleted(state, tx, event, e: InsureeDeleted) {
        let rows: Vec<_> = lock_rows_of_insuree(tx, e.insuree_id, |_, _| true)
            .await?
            .into_iter()
            .map(|(row, _)| row)
            .collect();
        close_rows(state, tx, event.actor, &rows).await
    }

    fn on_status_changed(state, tx, event, e: InsureeStatusChanged) {
        if e.status != "IN" && e.status != "DE" {
            return Ok(());
        }
        let end = e.status_date.unwrap_or_else(|| state.clock.today());
        let rows: Vec<_> = lock_rows_of_insuree(tx, e.insuree_id, |row, _| row.expiry_date > end)
            .await?
            .into_iter()
            .map(|(row, _)| row)
            .collect();
        end_rows_on(state, tx, event.actor, &rows, end).await
    }
}
