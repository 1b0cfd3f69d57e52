//! Facts the claim module pushes: what a claim used (eligibility counts, reference §7.6) and
//! what it consumed of a policy's deductibles and ceilings (openIMIS `ClaimDedRem`, D21). The
//! claim module calls these inside its own transaction; this module answers eligibility,
//! `policiesByInsuree` balances and the delete veto from them.

use super::*;
use crate::entity::{claim_usage, claim_usage_line, consumption};
use sea_orm::sea_query::Expr;
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
    let row = consumption_row(claim_id, policy_id, insuree_id, c);
    insert_version(tx, row, state.clock.now(), actor).await?;
    Ok(())
}

/// A new consumption row's own columns (the version columns are the caller's).
fn consumption_row(
    claim_id: i64,
    policy_id: i64,
    insuree_id: i64,
    c: &Consumption,
) -> consumption::ActiveModel {
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
    }
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
        add_row(out.entry(row.policy_id).or_default(), &row);
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
    add(s, &Consumption::from(row));
}

impl From<&consumption::Model> for Consumption {
    fn from(row: &consumption::Model) -> Self {
        Consumption {
            ded_g: row.ded_g,
            ded_op: row.ded_op,
            ded_ip: row.ded_ip,
            rem_g: row.rem_g,
            rem_op: row.rem_op,
            rem_ip: row.rem_ip,
            rem_consult: row.rem_consult,
            rem_surgery: row.rem_surgery,
            rem_delivery: row.rem_delivery,
            rem_hospitalization: row.rem_hospitalization,
            rem_antenatal: row.rem_antenatal,
        }
    }
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

// -- end for the claim module: valuation

// -- for the claim module: bulk submission and processing

/// The number of insurees each policy covers on each date (distinct insurees of its current
/// coverage rows with effective date ≤ date ≤ expiry date), for many (policy, date) pairs
/// answered in order, in one query for all.
pub async fn members_on_many(
    conn: &impl ConnectionTrait,
    wanted: &[(i64, NaiveDate)],
) -> AppResult<Vec<i64>> {
    use crate::entity::insuree_policy;
    let (Some(first), Some(last)) = (
        wanted.iter().map(|w| w.1).min(),
        wanted.iter().map(|w| w.1).max(),
    ) else {
        return Ok(vec![]);
    };
    let policies: std::collections::HashSet<i64> = wanted.iter().map(|w| w.0).collect();
    let rows: Vec<(i64, i64, Option<NaiveDate>, NaiveDate)> = insuree_policy::Entity::find()
        .select_only()
        .columns([
            insuree_policy::Column::PolicyId,
            insuree_policy::Column::InsureeId,
            insuree_policy::Column::EffectiveDate,
            insuree_policy::Column::ExpiryDate,
        ])
        .filter(insuree_policy::Column::PolicyId.is_in(policies))
        .filter(insuree_policy::Column::EffectiveDate.lte(last))
        .filter(insuree_policy::Column::ExpiryDate.gte(first))
        .current()
        .into_tuple()
        .all(conn)
        .await?;
    let mut by_policy: HashMap<i64, Vec<(i64, NaiveDate, NaiveDate)>> = HashMap::new();
    for (policy_id, insuree_id, effective, expiry) in rows {
        if let Some(effective) = effective {
            by_policy
                .entry(policy_id)
                .or_default()
                .push((insuree_id, effective, expiry));
        }
    }
    Ok(wanted
        .iter()
        .map(|(policy_id, date)| {
            let covered: std::collections::HashSet<i64> = by_policy
                .get(policy_id)
                .into_iter()
                .flatten()
                .filter(|(_, from, to)| from <= date && date <= to)
                .map(|(insuree, _, _)| *insuree)
                .collect();
            covered.len() as i64
        })
        .collect())
}

/// The current consumption rows of some policies, read once and kept up to date in memory while
/// a bulk submission or processing books claim after claim: each claim sees what the claims
/// before it booked, as if each had been written and read again.
#[derive(Debug, Clone, Default)]
pub struct ConsumptionLedger {
    /// policy id → (claim id, insuree id, consumption) of each current row.
    rows: HashMap<i64, Vec<(i64, i64, Consumption)>>,
}

impl ConsumptionLedger {
    /// What claims other than `except_claim` consumed of each policy, for the whole policy and
    /// for `insuree_id` alone ([`previous_consumption`]'s answer).
    pub fn previous(
        &self,
        policy_ids: &[i64],
        insuree_id: i64,
        except_claim: i64,
    ) -> HashMap<i64, PreviousConsumption> {
        policy_ids
            .iter()
            .map(|id| {
                let mut p = PreviousConsumption::default();
                for (claim, insuree, c) in self.rows.get(id).into_iter().flatten() {
                    if *claim == except_claim {
                        continue;
                    }
                    add(&mut p.policy, c);
                    if *insuree == insuree_id {
                        add(&mut p.insuree, c);
                    }
                }
                (*id, p)
            })
            .collect()
    }

    /// Replaces what `claim_id` consumed by `booked` (per policy), as
    /// [`record_consumptions`] will write it.
    pub fn replace(&mut self, claim_id: i64, insuree_id: i64, booked: &[(i64, Consumption)]) {
        for rows in self.rows.values_mut() {
            rows.retain(|(claim, _, _)| *claim != claim_id);
        }
        for (policy_id, c) in booked {
            self.rows
                .entry(*policy_id)
                .or_default()
                .push((claim_id, insuree_id, c.clone()));
        }
    }
}

fn add(s: &mut Consumption, c: &Consumption) {
    s.ded_g += c.ded_g;
    s.ded_op += c.ded_op;
    s.ded_ip += c.ded_ip;
    s.rem_g += c.rem_g;
    s.rem_op += c.rem_op;
    s.rem_ip += c.rem_ip;
    s.rem_consult += c.rem_consult;
    s.rem_surgery += c.rem_surgery;
    s.rem_delivery += c.rem_delivery;
    s.rem_hospitalization += c.rem_hospitalization;
    s.rem_antenatal += c.rem_antenatal;
}

/// The [`ConsumptionLedger`] of these policies (their current rows), in one query. The caller
/// holds the policies' locks.
pub async fn consumption_ledger(
    conn: &impl ConnectionTrait,
    policy_ids: &[i64],
) -> AppResult<ConsumptionLedger> {
    let mut ledger = ConsumptionLedger::default();
    if policy_ids.is_empty() {
        return Ok(ledger);
    }
    for row in consumption::Entity::find()
        .filter(consumption::Column::PolicyId.is_in(policy_ids.to_vec()))
        .current()
        .all(conn)
        .await?
    {
        let c = Consumption::from(&row);
        ledger
            .rows
            .entry(row.policy_id)
            .or_default()
            .push((row.claim_id, row.insuree_id, c));
    }
    Ok(ledger)
}

/// What one claim consumed: one amount per paying policy.
#[derive(Debug, Clone)]
pub struct ClaimConsumption {
    pub claim_id: i64,
    pub insuree_id: i64,
    pub policies: Vec<(i64, Consumption)>,
}

/// Most rows one multi-row INSERT of this module's bulk writes carries.
const ROWS_PER_INSERT: usize = 1000;

/// [`record_consumption`] for many claims at once: every current row of these claims is closed,
/// then one current row per (claim, paying policy) is inserted, in a few statements (D21).
pub async fn record_consumptions(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    claims: &[ClaimConsumption],
) -> AppResult<()> {
    if claims.is_empty() {
        return Ok(());
    }
    let now = state.clock.now();
    let claim_ids: Vec<i64> = claims.iter().map(|c| c.claim_id).collect();
    for ids in claim_ids.chunks(ROWS_PER_INSERT) {
        consumption::Entity::update_many()
            .col_expr(consumption::Column::ValidityTo, Expr::value(now))
            .col_expr(consumption::Column::AuditUserId, Expr::value(actor))
            .filter(consumption::Column::ClaimId.is_in(ids.to_vec()))
            .current()
            .exec(tx)
            .await?;
    }
    let rows: Vec<consumption::ActiveModel> = claims
        .iter()
        .flat_map(|claim| {
            claim.policies.iter().map(move |(policy_id, c)| {
                let mut row = consumption_row(claim.claim_id, *policy_id, claim.insuree_id, c);
                row.validity_from = Set(now);
                row.validity_to = Set(None);
                row.audit_user_id = Set(actor);
                row
            })
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        consumption::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(tx)
            .await?;
    }
    Ok(())
}

/// [`record_claim_usage`] for many claims at once, in a few statements: each claim's usage is
/// replaced.
pub async fn record_claim_usages(
    state: &AppState,
    tx: &DatabaseTransaction,
    usages: &[ClaimUsage],
) -> AppResult<()> {
    let claim_ids: Vec<i64> = usages.iter().map(|u| u.claim_id).collect();
    clear_claim_usages(tx, &claim_ids).await?;
    if usages.is_empty() {
        return Ok(());
    }
    let now = state.clock.now();
    let heads: Vec<claim_usage::ActiveModel> = usages
        .iter()
        .map(|u| claim_usage::ActiveModel {
            claim_id: Set(u.claim_id),
            insuree_id: Set(u.insuree_id),
            target_date: Set(u.target_date),
            category: Set(u.category.clone()),
            recorded_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in heads.chunks(ROWS_PER_INSERT) {
        claim_usage::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(tx)
            .await?;
    }
    let mut ids: HashMap<i64, i64> = HashMap::new();
    for chunk in claim_ids.chunks(ROWS_PER_INSERT) {
        let found: Vec<(i64, i64)> = claim_usage::Entity::find()
            .select_only()
            .columns([claim_usage::Column::ClaimId, claim_usage::Column::Id])
            .filter(claim_usage::Column::ClaimId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(tx)
            .await?;
        ids.extend(found);
    }
    let lines: Vec<claim_usage_line::ActiveModel> = usages
        .iter()
        .filter_map(|u| Some((ids.get(&u.claim_id).copied()?, u)))
        .flat_map(|(usage_id, u)| {
            u.lines.iter().map(move |l| claim_usage_line::ActiveModel {
                usage_id: Set(usage_id),
                kind: Set(l.kind.to_string()),
                medical_id: Set(l.medical_id),
                qty: Set(l.qty_hundredths),
                ..Default::default()
            })
        })
        .collect();
    for chunk in lines.chunks(ROWS_PER_INSERT) {
        claim_usage_line::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(tx)
            .await?;
    }
    Ok(())
}

/// [`clear_claim_usage`] for many claims, in two statements per thousand claims.
pub async fn clear_claim_usages(tx: &DatabaseTransaction, claim_ids: &[i64]) -> AppResult<()> {
    for ids in claim_ids.chunks(ROWS_PER_INSERT) {
        let usages = sea_orm::sea_query::Query::select()
            .column(claim_usage::Column::Id)
            .from(claim_usage::Entity)
            .and_where(claim_usage::Column::ClaimId.is_in(ids.to_vec()))
            .to_owned();
        claim_usage_line::Entity::delete_many()
            .filter(claim_usage_line::Column::UsageId.in_subquery(usages))
            .exec(tx)
            .await?;
        claim_usage::Entity::delete_many()
            .filter(claim_usage::Column::ClaimId.is_in(ids.to_vec()))
            .exec(tx)
            .await?;
    }
    Ok(())
}
// -- end for the claim module: bulk submission and processing
