//! Payment matching (reference §10.3, the legacy `uspMatchPayment` semantics).
//!
//! Each payment is read again under its row lock (`FOR UPDATE` on PostgreSQL) and matched only
//! while it is still a current received payment (status 4, not matched yet), so concurrent
//! matchings credit it once. Every detail line is resolved: the insuree by insurance number, the
//! current product by code, the family's matchable policy of that product (neither Suspended
//! nor Expired; the policies are locked in id order before they are read), the policy's latest
//! premium. Rejection codes per line: 101 no insurance number, 102 no product code, 103 unknown
//! insurance number, 104 no policy of that product for the family (or an unknown product code),
//! 106 product not sellable to the family on the policy's enrolment date, 107 unknown officer
//! code, 108 the officer's district or region does not match the product's location, 109 no
//! premium while an officer code is given. An Active policy (which matching renews) adds the
//! renewal's checks: 106 when the product it converts into is not sellable to the family today,
//! 107 when its officer is no current officer today, 108 when that officer's locations do not
//! match that product's. Any code leaves the whole payment unmatched (status 4,
//! `rejectedReason` set; the same reason again writes no new version).
//!
//! Otherwise the received amount is spread over the line's policies in proportion to what each
//! still owes (value − matched; for an Active policy, its renewal's value), capped at that (any
//! excess stays unallocated); an Active policy that the payment brings something is renewed and
//! the renewal is credited. A policy without a premium gets one (the distributed amount, cash,
//! receipt = the transaction number, paid today), recorded with the policy module (under
//! activation option 1 this premium activates); then the amount brought is added to the
//! policy's matched total by the policy module, which activates an Idle policy under option 2
//! and a Ready one under option 3 whose matched payments reach their value (D15). Lines get
//! their premium and amount; the payment gets status 5 and today's matched date.

use super::*;
use crate::entity::{payment, payment_detail, premium};
use chrono::NaiveDate;
use imis_core::auth::{Requirement, require_user};
use imis_core::mutation::MutationCtx;
use imis_policy::api::{
    self as policy_api, PolicySummary, PremiumAction, RenewalObstacle, STATUS_ACTIVE,
};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, QueryOrder, Set, TransactionTrait};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const REJECT_NO_INSURANCE_NUMBER: i32 = 101;
pub const REJECT_NO_PRODUCT_CODE: i32 = 102;
pub const REJECT_UNKNOWN_INSUREE: i32 = 103;
pub const REJECT_NO_POLICY: i32 = 104;
pub const REJECT_NOT_SELLABLE: i32 = 106;
pub const REJECT_UNKNOWN_OFFICER: i32 = 107;
pub const REJECT_OFFICER_LOCATION: i32 = 108;
pub const REJECT_NO_PREMIUM: i32 = 109;

/// The rejection codes of one detail line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailRejection {
    pub detail_uuid: Uuid,
    pub insurance_number: Option<String>,
    pub product_code: Option<String>,
    pub codes: Vec<i32>,
}

/// What matching did to one payment (returned by `matchPayments`, stored in its log row).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchOutcome {
    pub payment_uuid: Uuid,
    pub matched: bool,
    /// The payment's status afterwards.
    pub status: i32,
    pub rejections: Vec<DetailRejection>,
    /// Policies that became Active.
    pub activated_policies: Vec<Uuid>,
    /// Renewals created for Active policies.
    pub renewal_policies: Vec<Uuid>,
    /// Premiums created for policies that had none.
    pub premiums_created: Vec<Uuid>,
    /// Received amount not credited to any policy (all were fully paid), minor units.
    pub unallocated: i64,
    /// A policy of the payment lies outside the caller's locations: it was left untouched.
    pub out_of_scope: bool,
    /// The payment could not be matched because of this error (its changes were rolled back).
    pub error: Option<String>,
}

/// Spreads `total` over `outstanding` amounts proportionally, each share capped at its
/// outstanding amount; the remainder of the integer division goes one minor unit at a time to
/// the largest fractional parts (then the first lines). Exact in minor units.
pub fn distribute(total: i64, outstanding: &[i64]) -> Vec<i64> {
    let owed: Vec<i64> = outstanding.iter().map(|o| (*o).max(0)).collect();
    let sum: i128 = owed.iter().map(|o| *o as i128).sum();
    let total = total.max(0) as i128;
    if sum == 0 {
        return vec![0; owed.len()];
    }
    if total >= sum {
        return owed;
    }
    let mut alloc: Vec<i64> = owed
        .iter()
        .map(|o| ((total * *o as i128) / sum) as i64)
        .collect();
    let mut left = total - alloc.iter().map(|a| *a as i128).sum::<i128>();
    let mut order: Vec<usize> = (0..owed.len()).filter(|i| owed[*i] > 0).collect();
    order.sort_by_key(|i| (std::cmp::Reverse((total * owed[*i] as i128) % sum), *i));
    for i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        if alloc[*i] < owed[*i] {
            alloc[*i] += 1;
            left -= 1;
        }
    }
    alloc
}

/// Received payments waiting to be matched, oldest first.
pub async fn candidates(conn: &impl ConnectionTrait) -> AppResult<Vec<payment::Model>> {
    Ok(payment::Entity::find()
        .current()
        .filter(payment::Column::Status.eq(PAYMENT_STATUS_RECEIVED))
        .filter(payment::Column::MatchedDate.is_null())
        .order_by_asc(payment::Column::Id)
        .all(conn)
        .await?)
}

/// `matchPayments(uuids)` (101403): the named payments, or every received payment not matched
/// yet. Each payment is atomic (a savepoint): an error on one is reported in its outcome and
/// leaves it unchanged.
pub async fn match_payments(
    m: &mut MutationCtx<'_>,
    uuids: Option<Vec<String>>,
) -> AppResult<Vec<MatchOutcome>> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PAYMENT_EDIT]))?;
    let conn = &**m.tx;
    let payments = match uuids.filter(|l| !l.is_empty()) {
        Some(list) => {
            // A payment named twice is matched (and reported) once.
            let mut seen = HashSet::new();
            let mut out = vec![];
            for u in list {
                let uuid = parse_uuid(&u, "uuids")?;
                if seen.insert(uuid) {
                    out.push(super::payments::find_payment(conn, uuid).await?);
                }
            }
            out
        }
        None => candidates(conn).await?,
    };
    // Matched in id order (each payment's lock, then its policies' locks, stay held until the
    // mutation commits: two matchings of several payments take them in the same order); the
    // outcomes are reported in the order asked.
    let mut payments: Vec<(usize, payment::Model)> = payments.into_iter().enumerate().collect();
    payments.sort_by_key(|(_, pay)| pay.id);
    let mut outcomes = vec![];
    for (position, pay) in payments {
        let sp = m.tx.begin().await?;
        match match_one(m.state, &sp, m.actor(), Some(p), &pay).await {
            Ok(o) => {
                sp.commit().await?;
                log_outcome(&o);
                if o.matched || !o.rejections.is_empty() {
                    m.link(HISTORY_PAYMENT, pay.id);
                }
                outcomes.push((position, o));
            }
            Err(e) => {
                sp.rollback().await?;
                tracing::warn!(payment = %pay.uuid, code = %e.code, "payment not matched");
                outcomes.push((
                    position,
                    MatchOutcome {
                        payment_uuid: pay.uuid,
                        status: pay.status,
                        error: Some(e.code.clone()),
                        ..Default::default()
                    },
                ));
            }
        }
    }
    outcomes.sort_by_key(|(position, _)| *position);
    Ok(outcomes.into_iter().map(|(_, o)| o).collect())
}

/// The daily job `payment.match_payments`: every received payment, each in its own write
/// transaction, as the system (no location restriction).
pub async fn match_all(state: &AppState) -> AppResult<(usize, usize)> {
    let mut matched = 0;
    let mut seen = 0;
    for pay in candidates(&state.db.conn).await? {
        seen += 1;
        let tx = state.db.begin_write().await?;
        match match_one(state, &tx, None, None, &pay).await {
            Ok(o) => {
                tx.commit().await?;
                log_outcome(&o);
                if o.matched {
                    matched += 1;
                }
            }
            Err(e) => {
                tx.rollback().await?;
                tracing::warn!(payment = %pay.uuid, code = %e.code, "payment not matched");
            }
        }
    }
    Ok((seen, matched))
}

/// Logs what matching did to a payment (the same facts as the mutation's payload).
fn log_outcome(o: &MatchOutcome) {
    let codes: Vec<&Vec<i32>> = o.rejections.iter().map(|r| &r.codes).collect();
    tracing::info!(
        payment = %o.payment_uuid,
        matched = o.matched,
        rejections = ?codes,
        activated = ?o.activated_policies,
        renewals = ?o.renewal_policies,
        premiums = ?o.premiums_created,
        unallocated = o.unallocated,
        out_of_scope = o.out_of_scope,
        "payment matching"
    );
}

/// One detail line once resolved.
struct Resolved {
    detail: payment_detail::Model,
    policy: Option<PolicySummary>,
    premium: Option<premium::Model>,
    codes: Vec<i32>,
}

/// What renewing an Active policy through this payment would create (reference §10.3 step 4):
/// the renewal's value, or the codes that forbid it.
struct RenewalPlan {
    value: i64,
    codes: Vec<i32>,
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// What renewing an Active policy through matching would give: the policy module answers
/// (codes 106, 107, 108 or the renewal's value), before anything is written so that a failure
/// rejects the payment like any other code.
async fn plan_renewal(
    state: &AppState,
    tx: &DatabaseTransaction,
    prev: &PolicySummary,
    today: NaiveDate,
) -> AppResult<RenewalPlan> {
    let answer = policy_api::renewal_for(state, tx, prev.id, today).await?;
    let codes = answer
        .obstacles
        .iter()
        .map(|o| match o {
            RenewalObstacle::NotSellable => REJECT_NOT_SELLABLE,
            RenewalObstacle::OfficerGone => REJECT_UNKNOWN_OFFICER,
            RenewalObstacle::OfficerLocation => REJECT_OFFICER_LOCATION,
        })
        .collect();
    Ok(RenewalPlan {
        value: answer.value,
        codes,
    })
}

/// The matchable policy of each line's (family, product), one look-up per pair.
async fn resolve_policies(
    tx: &DatabaseTransaction,
    keys: &[(Option<i64>, Option<i64>)],
) -> AppResult<Vec<Option<PolicySummary>>> {
    let mut cache: HashMap<(i64, i64), Option<PolicySummary>> = HashMap::new();
    let mut out = vec![];
    for key in keys {
        out.push(match *key {
            (Some(family), Some(product)) => match cache.get(&(family, product)) {
                Some(p) => p.clone(),
                None => {
                    let p = policy_api::matchable_policy(tx, family, product).await?;
                    cache.insert((family, product), p.clone());
                    p
                }
            },
            _ => None,
        });
    }
    Ok(out)
}

/// The lines' policies, each with its row lock (`policy_api::lock_policy`, taken in id order) and read
/// under it: what the payment credits and the matched totals it starts from cannot change
/// until this transaction ends. A policy that changed before its lock was taken (a renewal or a
/// suspension by a concurrent writer) changes the resolution, so it is resolved again until
/// every resolved policy is locked.
async fn locked_policies(
    tx: &DatabaseTransaction,
    keys: &[(Option<i64>, Option<i64>)],
) -> AppResult<Vec<Option<PolicySummary>>> {
    let mut locked: HashMap<i64, PolicySummary> = HashMap::new();
    let mut policies = resolve_policies(tx, keys).await?;
    for round in 1.. {
        let mut ids: Vec<i64> = policies
            .iter()
            .flatten()
            .map(|p| p.id)
            .filter(|id| !locked.contains_key(id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            break;
        }
        for id in ids {
            locked.insert(id, policy_api::lock_policy(tx, None, id).await?);
        }
        if round == 4 {
            break;
        }
        policies = resolve_policies(tx, keys).await?;
    }
    Ok(policies
        .into_iter()
        .map(|p| p.map(|p| locked.get(&p.id).cloned().unwrap_or(p)))
        .collect())
}

/// Matches one payment inside `tx` (reference §10.3). `caller` is the restricted user, if any.
/// `pay` may be stale: the payment is read again under its row lock and left alone unless it is
/// still a current received payment not matched yet.
pub async fn match_one(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    caller: Option<&Principal>,
    pay: &payment::Model,
) -> AppResult<MatchOutcome> {
    let mut out = MatchOutcome {
        payment_uuid: pay.uuid,
        status: pay.status,
        ..Default::default()
    };
    let Some(fresh) = super::payments::lock_payment(tx, pay.id).await? else {
        return Ok(out);
    };
    let pay = &fresh;
    out.status = pay.status;
    if pay.validity_to.is_some()
        || pay.status != PAYMENT_STATUS_RECEIVED
        || pay.matched_date.is_some()
    {
        return Ok(out);
    }
    let details = super::payments::details_of(tx, &[pay.id])
        .await?
        .remove(&pay.id)
        .unwrap_or_default();
    if details.is_empty() {
        return Ok(out);
    }
    let today = state.clock.today();
    let officer_code = clean(&pay.officer_code);
    let officer = match &officer_code {
        Some(code) => imis_core::registers::officer_by_code(tx, code).await?,
        None => None,
    };
    let officer_places = match &officer {
        Some(o) => Some(policy_api::officer_locations(tx, o).await?),
        None => None,
    };
    // Each line's insuree and product, then the policies, locked.
    let mut lines = vec![];
    let mut keys = vec![];
    for d in details {
        let mut codes = vec![];
        let number = clean(&d.insurance_number);
        let code = clean(&d.product_code);
        if number.is_none() {
            codes.push(REJECT_NO_INSURANCE_NUMBER);
        }
        if code.is_none() {
            codes.push(REJECT_NO_PRODUCT_CODE);
        }
        let insuree = match &number {
            Some(n) => imis_insuree::api::find_by_chf_id(tx, n).await?,
            None => None,
        };
        if number.is_some() && insuree.is_none() {
            codes.push(REJECT_UNKNOWN_INSUREE);
        }
        let product = match &code {
            Some(c) => imis_product::api::current_product_by_code(tx, c).await?,
            None => None,
        };
        keys.push((
            insuree.as_ref().and_then(|i| i.family_id),
            product.as_ref().map(|p| p.id),
        ));
        lines.push((d, codes, insuree.is_some() && code.is_some()));
    }
    let policies = locked_policies(tx, &keys).await?;
    // The lines read again under their row locks, after the policies' (a policy deletion
    // detaches lines under its policy's lock): what goes to history below is their latest
    // version. Only writers holding this payment's lock close or add lines.
    let mut fresh: HashMap<i64, payment_detail::Model> = super::payments::lock_details(tx, pay.id)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let lines: Vec<_> = lines
        .into_iter()
        .map(|(d, codes, identified)| (fresh.remove(&d.id).unwrap_or(d), codes, identified))
        .collect();
    let mut plans: HashMap<i64, RenewalPlan> = HashMap::new();
    let mut resolved = vec![];
    for ((d, mut codes, identified), policy) in lines.into_iter().zip(policies) {
        if identified && policy.is_none() {
            codes.push(REJECT_NO_POLICY);
        }
        if officer_code.is_some() && officer.is_none() {
            codes.push(REJECT_UNKNOWN_OFFICER);
        }
        let mut premium = None;
        if let Some(pol) = &policy {
            // No version in force on the enrolment date means not sellable (106); other errors
            // stop the payment.
            let check = policy_api::enrolment_check(state, tx, pol).await?;
            if !check.sellable {
                codes.push(REJECT_NOT_SELLABLE);
            }
            if let Some(places) = &officer_places
                && check
                    .product_location_id
                    .is_some_and(|l| !places.contains(&l))
            {
                codes.push(REJECT_OFFICER_LOCATION);
            }
            // The line's own premium when it is a valid premium of this policy, else the latest.
            premium = match d.premium_id {
                Some(id) => super::premiums::premiums_by_ids(tx, &[id])
                    .await?
                    .remove(&id)
                    .filter(|pr| pr.validity_to.is_none() && pr.policy_id == pol.id),
                None => None,
            };
            if premium.is_none() {
                premium = super::premiums::latest_premium(tx, pol.id).await?;
            }
            if premium.is_none() && officer_code.is_some() {
                codes.push(REJECT_NO_PREMIUM);
            }
            // An Active policy is renewed: what the renewal needs is checked now.
            if pol.status == STATUS_ACTIVE {
                let plan = match plans.entry(pol.id) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(plan_renewal(state, tx, pol, today).await?)
                    }
                };
                codes.extend(plan.codes.iter().copied());
            }
            if let Some(p) = caller
                && policy_api::check_policy_scope(tx, p, pol).await.is_err()
            {
                out.out_of_scope = true;
            }
        }
        codes.sort_unstable();
        codes.dedup();
        resolved.push(Resolved {
            detail: d,
            policy,
            premium,
            codes,
        });
    }
    if out.out_of_scope {
        return Ok(out);
    }
    let now = state.clock.now();
    let rejected: Vec<&Resolved> = resolved.iter().filter(|r| !r.codes.is_empty()).collect();
    if !rejected.is_empty() {
        out.rejections = rejected
            .iter()
            .map(|r| DetailRejection {
                detail_uuid: r.detail.uuid,
                insurance_number: r.detail.insurance_number.clone(),
                product_code: r.detail.product_code.clone(),
                codes: r.codes.clone(),
            })
            .collect();
        let reason: String = out
            .rejections
            .iter()
            .map(|r| {
                let codes: Vec<String> = r.codes.iter().map(|c| c.to_string()).collect();
                format!(
                    "{}/{}: {}",
                    r.insurance_number.as_deref().unwrap_or("-"),
                    r.product_code.as_deref().unwrap_or("-"),
                    codes.join(",")
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let reason: String = reason.chars().take(255).collect();
        // The same rejection as last time (the daily job retries every night): no new version.
        if pay.rejected_reason.as_deref() != Some(reason.as_str()) {
            let mut a = super::payments::payment_version(tx, actor, pay, now).await?;
            a.rejected_reason = Set(Some(reason));
            a.update(tx).await?;
        }
        return Ok(out);
    }

    // Targets: one per policy, in line order; an Active policy is renewed (when the payment
    // brings it something) and the renewal is credited.
    struct Target {
        policy: PolicySummary,
        /// The value of the renewal an Active policy would get.
        renewal_value: Option<i64>,
        premium: Option<premium::Model>,
        lines: Vec<usize>,
    }
    let mut targets: Vec<Target> = vec![];
    for (i, r) in resolved.iter().enumerate() {
        let Some(pol) = &r.policy else { continue };
        if let Some(t) = targets.iter_mut().find(|t| t.policy.id == pol.id) {
            t.lines.push(i);
            continue;
        }
        targets.push(Target {
            policy: pol.clone(),
            renewal_value: plans.get(&pol.id).map(|p| p.value),
            premium: r.premium.clone(),
            lines: vec![i],
        });
    }
    let received = pay.received_amount.unwrap_or(0);
    let owed: Vec<i64> = targets
        .iter()
        .map(|t| match t.renewal_value {
            Some(v) => v.max(0),
            None => (t.policy.value - t.policy.matched).max(0),
        })
        .collect();
    let alloc = distribute(received, &owed);
    out.unallocated = received - alloc.iter().sum::<i64>();
    let payment_date = pay
        .payment_date
        .or(pay.received_date)
        .unwrap_or(today)
        .min(today);
    let mut activated: Vec<Uuid> = vec![];
    for (t, a) in targets.iter().zip(&alloc) {
        let write_lines = async |amount: i64, premium: Option<i64>| -> AppResult<()> {
            for (k, i) in t.lines.iter().enumerate() {
                let d = &resolved[*i].detail;
                let mut da = super::payments::detail_version(tx, actor, d, now).await?;
                da.amount = Set(Some(if k == 0 { amount } else { 0 }));
                da.premium_id = Set(premium);
                da.update(tx).await?;
            }
            Ok(())
        };
        let (policy, mut used) = match t.renewal_value {
            // The payment brings the Active policy nothing: no renewal.
            Some(_) if *a == 0 => {
                write_lines(0, t.premium.as_ref().map(|p| p.id)).await?;
                continue;
            }
            Some(_) => {
                let renewal =
                    policy_api::renew_by_payment(state, tx, actor, t.policy.id, today).await?;
                out.renewal_policies.push(renewal.uuid);
                (renewal, None)
            }
            None => (t.policy.clone(), t.premium.clone()),
        };
        if used.is_none() && *a > 0 {
            let base = clean(&pay.transaction_no)
                .or_else(|| clean(&pay.receipt_no))
                .unwrap_or_else(|| format!("PAY-{}", pay.id));
            let receipt = super::premiums::free_receipt(tx, policy.product_id, &base).await?;
            let created = super::premiums::insert_premium(
                state,
                tx,
                actor,
                super::premiums::NewPremium::cash(&policy, *a, receipt, today),
            )
            .await?;
            out.premiums_created.push(created.uuid);
            let o =
                super::premiums::record(state, tx, actor, policy.id, today, PremiumAction::Wait)
                    .await?;
            if o.activated {
                activated.push(policy.uuid);
            }
            used = Some(created);
        }
        // The amount this payment brings, added to the matched total under the policy's lock.
        let o = policy_api::record_matched_payment(state, tx, actor, policy.id, *a, payment_date)
            .await?;
        if o.activated {
            activated.push(policy.uuid);
        }
        write_lines(*a, used.as_ref().map(|p| p.id)).await?;
    }
    let mut seen = HashSet::new();
    activated.retain(|u| seen.insert(*u));
    out.activated_policies = activated;
    let mut a = super::payments::payment_version(tx, actor, pay, now).await?;
    a.status = Set(PAYMENT_STATUS_MATCHED);
    a.matched_date = Set(Some(today));
    a.rejected_reason = Set(None);
    a.update(tx).await?;
    out.matched = true;
    out.status = PAYMENT_STATUS_MATCHED;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::distribute;

    #[test]
    fn spreads_proportionally_and_exactly() {
        assert_eq!(distribute(100, &[100, 100]), vec![50, 50]);
        assert_eq!(distribute(100, &[300, 100]), vec![75, 25]);
        // Remainders go to the largest fractional parts, then the first lines.
        assert_eq!(distribute(10, &[1, 1, 1]), vec![1, 1, 1]);
        assert_eq!(distribute(2, &[1, 1, 1]), vec![1, 1, 0]);
        assert_eq!(distribute(100, &[33, 33, 34]), vec![33, 33, 34]);
        assert_eq!(distribute(7, &[10, 10, 10]).iter().sum::<i64>(), 7);
        let a = distribute(1_000_001, &[333_333, 333_333, 1_000_000]);
        assert_eq!(a.iter().sum::<i64>(), 1_000_001);
        assert!(
            a.iter()
                .zip([333_333, 333_333, 1_000_000])
                .all(|(x, o)| *x <= o)
        );
    }

    #[test]
    fn caps_at_what_is_owed() {
        assert_eq!(distribute(500, &[100, 200]), vec![100, 200]);
        assert_eq!(distribute(50, &[0, 0]), vec![0, 0]);
        assert_eq!(distribute(50, &[0, 100]), vec![0, 50]);
        assert_eq!(distribute(-5, &[10]), vec![0]);
    }
}
