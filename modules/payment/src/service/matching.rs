//! Payment matching (reference §10.3, the legacy `uspMatchPayment` semantics).
//!
//! For each received payment (status 4, not matched yet), every detail line is resolved: the
//! insuree by insurance number, the current product by code, the family's matchable policy of
//! that product (neither Suspended nor Expired), the policy's latest premium. Rejection codes per
//! line: 101 no insurance number, 102 no product code, 103 unknown insurance number, 104 no
//! policy of that product for the family (or an unknown product code), 106 product not sellable
//! to the family on the policy's enrolment date, 107 unknown officer code, 108 the officer's
//! district or region does not match the product's location, 109 no premium while an officer
//! code is given. Any code leaves the whole payment unmatched (status 4, `rejectedReason` set).
//!
//! Otherwise the received amount is spread over the line's policies in proportion to what each
//! still owes (value − matched), capped at that (any excess stays unallocated); an Active policy
//! is renewed first and the renewal is credited. A policy without a premium gets one (the
//! distributed amount, cash, receipt = the transaction number, paid today), recorded with the
//! policy module; then the matched total is recorded, which activates Idle or Ready policies
//! whose matched payments reach their value (D15). Lines get their premium and amount; the
//! payment gets status 5 and today's matched date.

use super::*;
use crate::entity::{payment, payment_detail, premium};
use imis_core::auth::{Requirement, require_user};
use imis_core::entity::user;
use imis_core::mutation::MutationCtx;
use imis_policy::service::STATUS_ACTIVE;
use imis_policy::service::activation::{self, PremiumAction};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, QueryOrder, Set, TransactionTrait};
use std::collections::HashSet;
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
        .filter(payment::Column::ValidityTo.is_null())
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
            let mut out = vec![];
            for u in list {
                let uuid = parse_uuid(&u, "uuids")?;
                out.push(super::payments::find_payment(conn, uuid).await?);
            }
            out
        }
        None => candidates(conn).await?,
    };
    let mut outcomes = vec![];
    for pay in payments {
        let sp = m.tx.begin().await?;
        match match_one(m.state, &sp, m.actor(), Some(p), &pay).await {
            Ok(o) => {
                sp.commit().await?;
                log_outcome(&o);
                if o.matched || !o.rejections.is_empty() {
                    m.link(HISTORY_PAYMENT, pay.id);
                }
                outcomes.push(o);
            }
            Err(e) => {
                sp.rollback().await?;
                tracing::warn!(payment = %pay.uuid, code = %e.code, "payment not matched");
                outcomes.push(MatchOutcome {
                    payment_uuid: pay.uuid,
                    status: pay.status,
                    error: Some(e.code.clone()),
                    ..Default::default()
                });
            }
        }
    }
    Ok(outcomes)
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
    policy: Option<policy::Model>,
    premium: Option<premium::Model>,
    codes: Vec<i32>,
}

/// Locations of an officer for code 108: their district, their villages, and every ancestor.
async fn officer_locations(conn: &impl ConnectionTrait, officer: &user::Model) -> AppResult<HashSet<i64>> {
    let rows = conn
        .query_all_raw(stmt(
            conn.get_database_backend(),
            "SELECT location_id FROM core_officer_village WHERE user_id = ? AND validity_to IS NULL",
            vec![officer.id.into()],
        ))
        .await?;
    let mut bases: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get::<i64>("", "location_id"))
        .collect::<Result<_, _>>()?;
    bases.extend(officer.officer_location_id);
    Ok(imis_core::location::service::locations_with_ancestors(conn, &bases)
        .await?
        .into_keys()
        .collect())
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Matches one payment inside `tx` (reference §10.3). `caller` is the restricted user, if any.
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
        Some(code) => {
            user::Entity::find()
                .filter(user::Column::OfficerCode.eq(code.as_str()))
                .filter(user::Column::IsOfficer.eq(true))
                .filter(user::Column::ValidityTo.is_null())
                .one(tx)
                .await?
        }
        None => None,
    };
    let officer_places = match &officer {
        Some(o) => Some(officer_locations(tx, o).await?),
        None => None,
    };
    let mut resolved = vec![];
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
            Some(n) => imis_insuree::service::find_by_chf_id(tx, n).await?,
            None => None,
        };
        if number.is_some() && insuree.is_none() {
            codes.push(REJECT_UNKNOWN_INSUREE);
        }
        let product = match &code {
            Some(c) => imis_product::service::current_product_by_code(tx, c).await?,
            None => None,
        };
        let policy = match (insuree.as_ref().and_then(|i| i.family_id), &product) {
            (Some(family), Some(prod)) => {
                activation::matchable_policy(tx, family, prod.id).await?
            }
            _ => None,
        };
        if insuree.is_some() && code.is_some() && policy.is_none() {
            codes.push(REJECT_NO_POLICY);
        }
        if officer_code.is_some() && officer.is_none() {
            codes.push(REJECT_UNKNOWN_OFFICER);
        }
        let mut premium = None;
        if let Some(pol) = &policy {
            // No version in force on the enrolment date means not sellable (106); other errors
            // stop the payment.
            let version =
                match imis_policy::service::product_on(state, tx, pol.product_id, pol.enroll_date)
                    .await
                {
                    Ok(v) => Some(v),
                    Err(e) if e.code == "policy.product_not_found" => None,
                    Err(e) => return Err(e),
                };
            let ctx = imis_policy::service::family_context(tx, pol.family_id).await?;
            let sellable = version.as_ref().is_some_and(|v| {
                imis_product::service::sellable(v, &ctx.locations, pol.enroll_date)
            });
            if !sellable {
                codes.push(REJECT_NOT_SELLABLE);
            }
            if let (Some(places), Some(v)) = (&officer_places, &version)
                && v.location_id.is_some_and(|l| !places.contains(&l))
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
            if let Some(p) = caller
                && imis_policy::service::check_policy_scope(tx, p, pol).await.is_err()
            {
                out.out_of_scope = true;
            }
        }
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
        let mut a = super::payments::payment_version(tx, actor, pay, now).await?;
        a.rejected_reason = Set(Some(reason.chars().take(255).collect()));
        a.update(tx).await?;
        return Ok(out);
    }

    // Targets: one per policy, in line order; an Active policy is renewed first.
    struct Target {
        /// The line's policy (the renewed one when `policy` is its renewal).
        source_id: i64,
        policy: policy::Model,
        premium: Option<premium::Model>,
        lines: Vec<usize>,
    }
    let mut targets: Vec<Target> = vec![];
    for (i, r) in resolved.iter().enumerate() {
        let Some(pol) = &r.policy else { continue };
        if let Some(t) = targets.iter_mut().find(|t| t.source_id == pol.id) {
            t.lines.push(i);
            continue;
        }
        let (policy, premium) = if pol.status == STATUS_ACTIVE {
            let renewal = activation::renew_for_payment(state, tx, actor, pol.id, today).await?;
            out.renewal_policies.push(renewal.uuid);
            (renewal, None)
        } else {
            (pol.clone(), r.premium.clone())
        };
        targets.push(Target {
            source_id: pol.id,
            policy,
            premium,
            lines: vec![i],
        });
    }
    let received = pay.received_amount.unwrap_or(0);
    let owed: Vec<i64> = targets
        .iter()
        .map(|t| (t.policy.value - t.policy.matched).max(0))
        .collect();
    let alloc = distribute(received, &owed);
    out.unallocated = received - alloc.iter().sum::<i64>();
    let payment_date = pay.payment_date.or(pay.received_date).unwrap_or(today).min(today);
    let mut activated: Vec<Uuid> = vec![];
    for (t, a) in targets.iter().zip(&alloc) {
        let mut used = t.premium.clone();
        if used.is_none() && *a > 0 {
            let base = clean(&pay.transaction_no)
                .or_else(|| clean(&pay.receipt_no))
                .unwrap_or_else(|| format!("PAY-{}", pay.id));
            let receipt = super::premiums::free_receipt(tx, t.policy.product_id, &base).await?;
            let created = super::premiums::insert_premium(
                state,
                tx,
                actor,
                super::premiums::NewPremium {
                    uuid: None,
                    policy_id: t.policy.id,
                    product_id: t.policy.product_id,
                    payer_id: None,
                    amount: *a,
                    receipt,
                    pay_date: today,
                    pay_type: "C".into(),
                    is_photo_fee: false,
                    is_offline: false,
                },
            )
            .await?;
            out.premiums_created.push(created.uuid);
            let o = super::premiums::record(state, tx, actor, t.policy.id, today, PremiumAction::Wait)
                .await?;
            if o.activated {
                activated.push(t.policy.uuid);
            }
            used = Some(created);
        }
        let o = activation::record_matched(
            state,
            tx,
            actor,
            t.policy.id,
            t.policy.matched + *a,
            payment_date,
        )
        .await?;
        if o.activated {
            activated.push(t.policy.uuid);
        }
        for (k, i) in t.lines.iter().enumerate() {
            let d = &resolved[*i].detail;
            let mut da = super::payments::detail_version(tx, actor, d, now).await?;
            da.amount = Set(Some(if k == 0 { *a } else { 0 }));
            da.premium_id = Set(used.as_ref().map(|p| p.id));
            da.update(tx).await?;
        }
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
        assert!(a.iter().zip([333_333, 333_333, 1_000_000]).all(|(x, o)| *x <= o));
    }

    #[test]
    fn caps_at_what_is_owed() {
        assert_eq!(distribute(500, &[100, 200]), vec![100, 200]);
        assert_eq!(distribute(50, &[0, 0]), vec![0, 0]);
        assert_eq!(distribute(50, &[0, 100]), vec![0, 50]);
        assert_eq!(distribute(-5, &[10]), vec![0]);
    }
}
