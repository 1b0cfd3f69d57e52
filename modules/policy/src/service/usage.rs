//! Facts the claim module pushes: what a claim used (eligibility counts, reference §7.6) and
//! what it consumed of a policy's deductibles and ceilings (openIMIS `ClaimDedRem`, D21). The
//! claim module calls these inside its own transaction; this module answers eligibility,
//! `policiesByInsuree` balances and the delete veto from them.

use super::*;
use crate::entity::{claim_usage, claim_usage_line, consumption};
use std::collections::HashMap;

/// A passed line of a claim: `kind` `I` (item) or `S` (service), quantity in hundredths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageLine {
    pub kind: char,
    pub medical_id: i64,
    pub qty_hundredths: i64,
}

/// What one claim used.
#[derive(Debug, Clone)]
pub struct ClaimUsage {
    pub claim_id: i64,
    pub insuree_id: i64,
    pub target_date: NaiveDate,
    pub category: Option<String>,
    pub lines: Vec<UsageLine>,
}

/// Replaces the usage of a claim (one current set per claim).
pub async fn record_claim_usage(
    state: &AppState,
    tx: &DatabaseTransaction,
    usage: &ClaimUsage,
) -> AppResult<()> {
    clear_claim_usage(tx, usage.claim_id).await?;
    let row = claim_usage::ActiveModel {
        claim_id: Set(usage.claim_id),
        insuree_id: Set(usage.insuree_id),
        target_date: Set(usage.target_date),
        category: Set(usage.category.clone()),
        recorded_at: Set(state.clock.now()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    for l in &usage.lines {
        claim_usage_line::ActiveModel {
            usage_id: Set(row.id),
            kind: Set(l.kind.to_string()),
            medical_id: Set(l.medical_id),
            qty: Set(l.qty_hundredths),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// Forgets what a claim used (rejected or deleted claims).
pub async fn clear_claim_usage(tx: &DatabaseTransaction, claim_id: i64) -> AppResult<()> {
    if let Some(old) = claim_usage::Entity::find()
        .filter(claim_usage::Column::ClaimId.eq(claim_id))
        .one(tx)
        .await?
    {
        claim_usage_line::Entity::delete_many()
            .filter(claim_usage_line::Column::UsageId.eq(old.id))
            .exec(tx)
            .await?;
        claim_usage::Entity::delete_by_id(old.id).exec(tx).await?;
    }
    Ok(())
}

/// Amounts a claim consumed on a policy, in minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consumption {
    pub ded_g: i64,
    pub ded_op: i64,
    pub ded_ip: i64,
    pub rem_g: i64,
    pub rem_op: i64,
    pub rem_ip: i64,
    pub rem_consult: i64,
    pub rem_surgery: i64,
    pub rem_delivery: i64,
    pub rem_hospitalization: i64,
    pub rem_antenatal: i64,
}

/// Books the consumption of (claim, policy), replacing the current row (D21: exactly one current
/// row per claim and policy; the previous one goes to history).
pub async fn record_consumption(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    claim_id: i64,
    policy_id: i64,
    insuree_id: i64,
    c: &Consumption,
) -> AppResult<()> {
    close_consumption(state, tx, actor, claim_id, Some(policy_id)).await?;
    insert_version(
        tx,
        consumption::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            policy_id: Set(policy_id),
            insuree_id: Set(insuree_id),
            claim_id: Set(claim_id),
            ded_g: Set(c.ded_g),
            ded_op: Set(c.ded_op),
            ded_ip: Set(c.ded_ip),
            rem_g: Set(c.rem_g),
            rem_op: Set(c.rem_op),
            rem_ip: Set(c.rem_ip),
            rem_consult: Set(c.rem_consult),
            rem_surgery: Set(c.rem_surgery),
            rem_delivery: Set(c.rem_delivery),
            rem_hospitalization: Set(c.rem_hospitalization),
            rem_antenatal: Set(c.rem_antenatal),
            ..Default::default()
        },
        state.clock.now(),
        actor,
    )
    .await?;
    Ok(())
}

/// Closes the current consumption rows of a claim (on one policy, or all).
pub async fn close_consumption(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    claim_id: i64,
    policy_id: Option<i64>,
) -> AppResult<()> {
    // Under the rows' locks, in id order: what is closed is the current version.
    let mut q = consumption::Entity::find()
        .filter(consumption::Column::ClaimId.eq(claim_id))
        .current()
        .order_by_asc(consumption::Column::Id)
        .lock_exclusive();
    if let Some(p) = policy_id {
        q = q.filter(consumption::Column::PolicyId.eq(p));
    }
    let now = state.clock.now();
    for row in q.all(tx).await? {
        let mut a = row.into_active_model();
        a.validity_to = Set(Some(now));
        a.audit_user_id = Set(actor);
        a.update(tx).await?;
    }
    Ok(())
}

/// Whether claims consumed this policy (the delete veto, reference §7.4).
pub async fn has_consumption(conn: &impl ConnectionTrait, policy_id: i64) -> AppResult<bool> {
    Ok(consumption::Entity::find()
        .filter(consumption::Column::PolicyId.eq(policy_id))
        .current()
        .one(conn)
        .await?
        .is_some())
}

/// Σ of the current consumption rows per policy.
pub async fn consumption_sums(
    conn: &impl ConnectionTrait,
    policy_ids: &[i64],
) -> AppResult<HashMap<i64, Consumption>> {
    let mut out: HashMap<i64, Consumption> = HashMap::new();
    if policy_ids.is_empty() {
        return Ok(out);
    }
    for row in consumption::Entity::find()
        .filter(consumption::Column::PolicyId.is_in(policy_ids.to_vec()))
        .current()
        .all(conn)
        .await?
    {
        let s = out.entry(row.policy_id).or_default();
        s.ded_g += row.ded_g;
        s.ded_op += row.ded_op;
        s.ded_ip += row.ded_ip;
        s.rem_g += row.rem_g;
        s.rem_op += row.rem_op;
        s.rem_ip += row.rem_ip;
        s.rem_consult += row.rem_consult;
        s.rem_surgery += row.rem_surgery;
        s.rem_delivery += row.rem_delivery;
        s.rem_hospitalization += row.rem_hospitalization;
        s.rem_antenatal += row.rem_antenatal;
    }
    Ok(out)
}

/// The usage of one insuree between two dates (inclusive): claims by category and quantities per
/// (kind, medical id) in hundredths.
#[derive(Debug, Clone, Default)]
pub struct UsageWindow {
    pub claims_by_category: HashMap<String, i64>,
    pub qty: HashMap<(char, i64), i64>,
}

pub async fn usage_between(
    conn: &impl ConnectionTrait,
    insuree_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<UsageWindow> {
    let claims = claim_usage::Entity::find()
        .filter(claim_usage::Column::InsureeId.eq(insuree_id))
        .filter(claim_usage::Column::TargetDate.gte(from))
        .filter(claim_usage::Column::TargetDate.lte(to))
        .all(conn)
        .await?;
    let mut w = UsageWindow::default();
    if claims.is_empty() {
        return Ok(w);
    }
    for c in &claims {
        *w.claims_by_category
            .entry(c.category.clone().unwrap_or_else(|| "V".into()))
            .or_default() += 1;
    }
    let ids: Vec<i64> = claims.iter().map(|c| c.id).collect();
    for l in claim_usage_line::Entity::find()
        .filter(claim_usage_line::Column::UsageId.is_in(ids))
        .all(conn)
        .await?
    {
        let kind = l.kind.chars().next().unwrap_or('I');
        *w.qty.entry((kind, l.medical_id)).or_default() += l.qty;
    }
    Ok(w)
}

// -- for the claim module: valuation (D21, D22)

/// What other claims consumed of one policy: all of the policy's current rows, and those of one
/// insuree (the previous consumption of policy-level and insuree-level deductibles and
/// ceilings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviousConsumption {
    pub policy: Consumption,
    pub insuree: Consumption,
}

fn add_row(s: &mut Consumption, row: &consumption::Model) {
    s.ded_g += row.ded_g;
    s.ded_op += row.ded_op;
    s.ded_ip += row.ded_ip;
    s.rem_g += row.rem_g;
    s.rem_op += row.rem_op;
    s.rem_ip += row.rem_ip;
    s.rem_consult += row.rem_consult;
    s.rem_surgery += row.rem_surgery;
    s.rem_delivery += row.rem_delivery;
    s.rem_hospitalization += row.rem_hospitalization;
    s.rem_antenatal += row.rem_antenatal;
}

/// Σ of the current consumption rows of each policy booked by claims other than `except_claim`,
/// for the whole policy and for `insuree_id` alone (D21: only current rows of other claims), in
/// one query. Policies without such rows answer zeros.
pub async fn previous_consumption(
    conn: &impl ConnectionTrait,
    policy_ids: &[i64],
    insuree_id: i64,
    except_claim: i64,
) -> AppResult<HashMap<i64, PreviousConsumption>> {
    let mut out: HashMap<i64, PreviousConsumption> = policy_ids
        .iter()
        .map(|id| (*id, PreviousConsumption::default()))
        .collect();
    if policy_ids.is_empty() {
        return Ok(out);
    }
    for row in consumption::Entity::find()
        .filter(consumption::Column::PolicyId.is_in(policy_ids.to_vec()))
        .filter(consumption::Column::ClaimId.ne(except_claim))
        .current()
        .all(conn)
        .await?
    {
        let s = out.entry(row.policy_id).or_default();
        add_row(&mut s.policy, &row);
        if row.insuree_id == insuree_id {
            add_row(&mut s.insuree, &row);
        }
    }
    Ok(out)
}

/// The number of insurees each policy covers on `date`: distinct insurees of its current
/// coverage rows effective then (effective date ≤ date ≤ expiry date), in one query.
pub async fn members_on(
    conn: &impl ConnectionTrait,
    policy_ids: &[i64],
    date: NaiveDate,
) -> AppResult<HashMap<i64, i64>> {
    use crate::entity::insuree_policy;
    let mut covered: HashMap<i64, std::collections::HashSet<i64>> = HashMap::new();
    if policy_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = insuree_policy::Entity::find()
        .select_only()
        .columns([
            insuree_policy::Column::PolicyId,
            insuree_policy::Column::InsureeId,
        ])
        .filter(insuree_policy::Column::PolicyId.is_in(policy_ids.to_vec()))
        .filter(insuree_policy::Column::EffectiveDate.lte(date))
        .filter(insuree_policy::Column::ExpiryDate.gte(date))
        .current()
        .into_tuple()
        .all(conn)
        .await?;
    for (policy_id, insuree_id) in rows {
        covered.entry(policy_id).or_default().insert(insuree_id);
    }
    Ok(policy_ids
        .iter()
        .map(|id| (*id, covered.get(id).map_or(0, |s| s.len() as i64)))
        .collect())
}
// -- end for the claim module: valuation
