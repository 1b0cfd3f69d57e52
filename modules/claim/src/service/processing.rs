//! Consumption booking (D21) and processing (D22, reference §1.7), for many claims at once.
//!
//! - [`value_claims`]: values claims in order, reading the facts of all of them in a fixed
//!   number of queries (policies, products, members, consumption, insurees, facilities, price
//!   lists); each claim sees what the ones before it consumed.
//! - [`book`]: records the valued claims' usage (eligibility counts) and consumption rows (one
//!   current row per claim and paying policy) in the policy module, in a few statements.
//! - [`book_consumption`]: both for one claim, at review delivery; submission books the claims
//!   it checks the same way.
//! - [`record_usage`]: what a Checked claim's passed lines use for eligibility, pushed to the
//!   policy module when a review changes them.
//! - [`close_claim_consumption`]: a claim rejected or deleted gives its consumption and its
//!   usage back.
//! - [`process_claims`]: Checked claims are valued with the product assignment made at
//!   submission; their line amounts, totals and status (8 Processed when a line has a relative
//!   price, else 16 Valuated) are stored as new versions, and their consumption and usage are
//!   recorded again.
//!
//! Valuation locks the paying policies' rows first, in policy-id order (SELECT … FOR UPDATE on
//! PostgreSQL; SQLite has a single writer), and only then reads what other claims consumed, so
//! two claims of one policy booked at the same time each see the other's booking or wait for it.

use super::valuation::{self, ClaimFacts, LineFacts, PolicyFacts, Valuation};
use super::*;
use crate::entity::{claim, detail};
use crate::events::{CLAIM_PROCESSED, CLAIM_VALUATED, ClaimChanged};
use crate::rights::RIGHT_CLAIM_PROCESS;
use chrono::NaiveDate;
use imis_core::AppError;
use imis_core::kit::{self, CurrentRows};
use imis_core::money::Money;
use imis_core::mutation::MutationCtx;
use imis_medical::api::{ClaimRegisterFacts, ClaimRegisterQuery};
use imis_policy::api::{ClaimConsumption, Consumption, ConsumptionLedger};
use imis_product::api::ProductLine;
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// What processing did to one claim (the item outcome of `processClaims`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Processed {
    pub claim_id: i64,
    /// 8 Processed or 16 Valuated.
    pub status: i32,
}

/// The claim's target date: dateTo when set, else dateFrom.
fn target_date(c: &claim::Model) -> chrono::NaiveDate {
    c.date_to.unwrap_or(c.date_from)
}

/// The current passed lines of these claims, by claim, items before services, each by id;
/// under their row locks when `lock` (processing rewrites them).
async fn passed_lines(
    tx: &DatabaseTransaction,
    claim_ids: &[i64],
    lock: bool,
) -> AppResult<HashMap<i64, Vec<detail::Model>>> {
    let mut out: HashMap<i64, Vec<detail::Model>> = HashMap::new();
    if claim_ids.is_empty() {
        return Ok(out);
    }
    let mut q = detail::Entity::find()
        .filter(detail::Column::ClaimId.is_in(claim_ids.to_vec()))
        .filter(detail::Column::Status.eq(LINE_PASSED))
        .current()
        .order_by_asc(detail::Column::ClaimId)
        .order_by_asc(detail::Column::Kind)
        .order_by_asc(detail::Column::Id);
    if lock {
        q = q.lock_exclusive();
    }
    for line in q.all(tx).await? {
        out.entry(line.claim_id).or_default().push(line);
    }
    Ok(out)
}

/// The policy paying a passed line, which submission assigned.
fn assigned_policy(c: &claim::Model, line: &detail::Model) -> AppResult<i64> {
    match (line.product_id, line.policy_id) {
        (Some(_), Some(policy)) => Ok(policy),
        _ => Err(AppError::domain("claim.line_not_assigned").with("code", c.code.clone())),
    }
}

/// A claim to value: the claim (with the category its submission set) and its passed lines
/// with their product assignment, items before services.
pub(crate) struct ToValue {
    pub claim: claim::Model,
    pub lines: Vec<detail::Model>,
}

/// The ceiling exclusions (adult, child) of a product's line for a claim line.
fn exclusions(
    product: &imis_product::api::ProductCoverage,
    line: &detail::Model,
) -> (Option<String>, Option<String>) {
    let lines: &[ProductLine] = if line.kind == KIND_ITEM {
        &product.items
    } else {
        &product.services
    };
    lines
        .iter()
        .find(|l| l.medical_id == line.medical_id)
        .map(|l| {
            (
                l.ceiling_exclusion_adult.clone(),
                l.ceiling_exclusion_child.clone(),
            )
        })
        .unwrap_or_default()
}

/// What [`value_claims`] reads once for all its claims.
struct Shared {
    products: HashMap<i64, imis_policy::api::PolicyProduct>,
    members: HashMap<(i64, NaiveDate), i64>,
    insurees: HashMap<i64, imis_insuree::api::InsureeSummary>,
    hospitals: HashSet<i64>,
    age_of_majority: u32,
    digits: u32,
}

/// Values claims in order (D21, D22). Locks every paying policy (in id order) and reads, once
/// for all the claims, the policies' products, members and consumption, the insurees' ages, the
/// facilities' levels and the price lists: a fixed number of queries whatever the number of
/// claims. Each claim sees what the claims before it consumed, as if each had been booked
/// before the next was read. A claim that cannot be valued (a line without assignment, a
/// policy whose product is gone) gets its error and consumes nothing.
pub(crate) async fn value_claims(
    m: &MutationCtx<'_>,
    claims: &[ToValue],
) -> AppResult<Vec<AppResult<Valuation>>> {
    let (state, tx): (&AppState, &DatabaseTransaction) = (m.state, m.tx);
    let paying: Vec<AppResult<Vec<i64>>> = claims
        .iter()
        .map(|c| {
            let ids: AppResult<BTreeSet<i64>> = c
                .lines
                .iter()
                .map(|l| assigned_policy(&c.claim, l))
                .collect();
            Ok(ids?.into_iter().collect())
        })
        .collect();
    let all: BTreeSet<i64> = paying.iter().flatten().flatten().copied().collect();
    let all: Vec<i64> = all.into_iter().collect();
    imis_policy::api::lock_policies(tx, &all).await?;
    let member_keys: Vec<(i64, NaiveDate)> = claims
        .iter()
        .zip(&paying)
        .filter_map(|(c, ids)| Some((target_date(&c.claim), ids.as_ref().ok()?)))
        .flat_map(|(date, ids)| ids.iter().map(move |id| (*id, date)))
        .collect();
    let counts = imis_policy::api::policy_members_on_many(tx, &member_keys).await?;
    let insuree_ids: Vec<i64> = claims.iter().map(|c| c.claim.insuree_id).collect();
    let facility_ids: Vec<i64> = claims.iter().map(|c| c.claim.health_facility_id).collect();
    let shared = Shared {
        products: imis_policy::api::policy_products(state, tx, &all).await?,
        members: member_keys.into_iter().zip(counts).collect(),
        insurees: imis_insuree::api::insurees_by_ids(tx, &insuree_ids).await?,
        hospitals: imis_core::registers::health_facilities_by_ids(tx, &facility_ids)
            .await?
            .into_values()
            .filter(|f| f.level == "H")
            .map(|f| f.id)
            .collect(),
        age_of_majority: state.config.core.age_of_majority,
        digits: state.config.core.currency_minor_digits,
    };
    let mut ledger = imis_policy::api::consumption_ledger(tx, &all).await?;
    let queries: Vec<ClaimRegisterQuery> = claims.iter().map(register_query).collect();
    let registers = imis_medical::api::claim_register_facts(state, tx, &queries).await?;
    let mut out = Vec::with_capacity(claims.len());
    for ((c, policy_ids), register) in claims.iter().zip(paying).zip(registers) {
        let valued = policy_ids.and_then(|ids| {
            let facts = claim_facts(&shared, &ledger, c, &ids, &register)?;
            Ok(valuation::value_claim(&facts))
        });
        if let Ok(v) = &valued {
            let booked: Vec<(i64, Consumption)> =
                v.consumption.iter().map(|(p, c)| (*p, c.clone())).collect();
            ledger.replace(c.claim.id, c.claim.insuree_id, &booked);
        }
        out.push(valued);
    }
    Ok(out)
}

/// The register look-up of a claim's lines: its facility, target date, items and services.
fn register_query(c: &ToValue) -> ClaimRegisterQuery {
    let ids = |kind: &str| {
        c.lines
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| l.medical_id)
            .collect()
    };
    ClaimRegisterQuery {
        health_facility_id: c.claim.health_facility_id,
        date: target_date(&c.claim),
        items: ids(KIND_ITEM),
        services: ids(KIND_SERVICE),
    }
}

/// The engine's facts of one claim, from what [`value_claims`] read.
fn claim_facts(
    shared: &Shared,
    ledger: &ConsumptionLedger,
    c: &ToValue,
    policy_ids: &[i64],
    register: &ClaimRegisterFacts,
) -> AppResult<ClaimFacts> {
    let claim = &c.claim;
    let target = target_date(claim);
    let insuree = shared
        .insurees
        .get(&claim.insuree_id)
        .ok_or_else(|| AppError::not_found("insuree").with("id", claim.insuree_id))?;
    let mut previous = ledger.previous(policy_ids, claim.insuree_id, claim.id);
    let mut facts = ClaimFacts {
        multi_day: claim.date_to.is_some_and(|to| to != claim.date_from),
        hospital_facility: shared.hospitals.contains(&claim.health_facility_id),
        category: claim.category.clone(),
        adult: imis_policy::api::is_adult(insuree.dob, target, shared.age_of_majority),
        ..Default::default()
    };
    for id in policy_ids {
        let product = shared.products.get(id).ok_or_else(|| {
            AppError::validation("policy.product_not_found").with("policyId", *id)
        })?;
        facts.policies.insert(
            *id,
            PolicyFacts {
                terms: product.product.product.clone(),
                members: shared.members.get(&(*id, target)).copied().unwrap_or(0),
                previous: previous.remove(id).unwrap_or_default(),
            },
        );
    }
    for line in &c.lines {
        let policy_id = assigned_policy(claim, line)?;
        let (ceiling_exclusion_adult, ceiling_exclusion_child) = shared
            .products
            .get(&policy_id)
            .map(|p| exclusions(&p.product, line))
            .unwrap_or_default();
        let listed = if line.kind == KIND_ITEM {
            register.item_prices.get(&line.medical_id)
        } else {
            register.service_prices.get(&line.medical_id)
        };
        // The price list on the target date; the price submission found if it has gone since.
        let list_price = match listed {
            Some(price) => Some(Money::round_from_decimal(*price, shared.digits)?.0),
            None => None,
        }
        .or(line.price_adjusted)
        .unwrap_or(line.price_asked);
        facts.lines.push(LineFacts {
            id: line.id,
            policy_id,
            price_origin: line.price_origin.clone().unwrap_or_default(),
            limitation: line.limitation.clone(),
            limitation_value: line.limitation_value,
            ceiling_exclusion_adult,
            ceiling_exclusion_child,
            qty_provided: line.qty_provided,
            qty_approved: line.qty_approved,
            price_asked: line.price_asked,
            price_approved: line.price_approved,
            list_price,
        });
    }
    Ok(facts)
}

/// What claim `c` uses for eligibility (reference §7.6): its target date, category and each
/// passed line of `lines` with its approved quantity, else the quantity provided.
fn usage_of<'a>(
    c: &claim::Model,
    lines: impl IntoIterator<Item = &'a detail::Model>,
) -> imis_policy::api::ClaimUsage {
    let used = lines
        .into_iter()
        .filter(|l| l.status == LINE_PASSED)
        .map(|l| imis_policy::api::UsageLine {
            kind: if l.kind == KIND_SERVICE { 'S' } else { 'I' },
            medical_id: l.medical_id,
            qty_hundredths: l.qty_approved.unwrap_or(l.qty_provided),
        })
        .collect();
    imis_policy::api::ClaimUsage {
        claim_id: c.id,
        insuree_id: c.insuree_id,
        target_date: target_date(c),
        category: c.category.clone(),
        lines: used,
    }
}

/// Books valued claims in the policy module, in a few statements for all: each claim's usage
/// replaces its previous one, and its consumption rows replace its current ones (D21: one
/// current row per claim and paying policy).
pub(crate) async fn book(m: &MutationCtx<'_>, valued: &[(&ToValue, &Valuation)]) -> AppResult<()> {
    let usages: Vec<_> = valued
        .iter()
        .map(|(c, _)| usage_of(&c.claim, &c.lines))
        .collect();
    imis_policy::api::record_claim_usages(m.state, m.tx, &usages).await?;
    let consumption: Vec<ClaimConsumption> = valued
        .iter()
        .map(|(c, v)| ClaimConsumption {
            claim_id: c.claim.id,
            insuree_id: c.claim.insuree_id,
            policies: v.consumption.iter().map(|(p, c)| (*p, c.clone())).collect(),
        })
        .collect();
    imis_policy::api::record_consumptions(m.state, m.tx, m.actor(), &consumption).await
}

/// Records in the policy module what claim `c` uses for eligibility (reference §7.6): its
/// target date, category and each passed line of `lines` with its approved quantity, else the
/// quantity provided; the claim's previous usage is replaced. Called whenever a Checked claim's
/// lines may have changed: at submission, review, review delivery and processing.
pub(crate) async fn record_usage<'a>(
    m: &MutationCtx<'_>,
    c: &claim::Model,
    lines: impl IntoIterator<Item = &'a detail::Model>,
) -> AppResult<()> {
    imis_policy::api::record_claim_usage(m.state, m.tx, &usage_of(c, lines)).await
}

/// Books the deductibles and ceilings claim `claim_id` consumes (D21): values its passed lines
/// as processing would, without storing their amounts, and records one current consumption row
/// per paying policy; rows on policies it no longer uses are closed. Its usage is recorded
/// again too ([`record_usage`]). The caller holds the claim's row lock and has checked rights
/// and scope.
pub(crate) async fn book_consumption(m: &mut MutationCtx<'_>, claim_id: i64) -> AppResult<()> {
    let tx: &DatabaseTransaction = m.tx;
    let claim = claim::Entity::find_by_id(claim_id)
        .current()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("claim").with("id", claim_id))?;
    let lines = passed_lines(tx, &[claim.id], false)
        .await?
        .remove(&claim.id)
        .unwrap_or_default();
    let c = ToValue { claim, lines };
    let v = value_claims(m, std::slice::from_ref(&c))
        .await?
        .pop()
        .ok_or_else(AppError::internal)??;
    book(m, &[(&c, &v)]).await
}

/// A claim rejected or deleted gives back what it consumed: its consumption rows are closed and
/// its usage (eligibility counts) cleared.
pub(crate) async fn close_claim_consumption(
    m: &mut MutationCtx<'_>,
    claim_id: i64,
) -> AppResult<()> {
    imis_policy::api::close_consumption(m.state, m.tx, m.actor(), claim_id, None).await?;
    imis_policy::api::clear_claim_usage(m.tx, claim_id).await
}

/// `processClaims` for a chunk of claims named by `keys` (uuids; right 111011, each claim in the
/// caller's scope, else `not_found`): only a Checked claim (`claim.not_checked` otherwise).
/// Each claim's passed lines get their amounts and the claim its approved, valuated and
/// remunerated totals, status 8 or 16, the processing stamp, date and user; review and feedback
/// still Selected become Bypassed (an open feedback prompt ends); its consumption is booked
/// again and `claim.processed` or `claim.valuated` published. The claims are valued in the
/// order given, each seeing what the ones before it consumed; facts are read and rows written
/// for all of them at once.
pub(crate) async fn process_claims(
    m: &mut MutationCtx<'_>,
    keys: &[&str],
) -> AppResult<Vec<AppResult<Processed>>> {
    let p = require(m.principal, &[RIGHT_CLAIM_PROCESS])?;
    let tx: &DatabaseTransaction = m.tx;
    let uuids: Vec<AppResult<Uuid>> = keys
        .iter()
        .map(|k| imis_core::graphql::parse_uuid(k, "uuids"))
        .collect();
    let wanted: Vec<Uuid> = uuids.iter().flatten().copied().collect();
    let found = lock_claims(m.state, tx, p, &wanted).await?;
    // Each key's claim, unless it fails: a claim named twice is Processed the second time.
    let mut taken = HashSet::new();
    let chosen: Vec<AppResult<&claim::Model>> = uuids
        .into_iter()
        .map(|uuid| {
            let uuid = uuid?;
            let c = found
                .get(&uuid)
                .ok_or_else(|| AppError::not_found("claim").with("uuid", uuid.to_string()))?;
            if c.status != STATUS_CHECKED || !taken.insert(c.id) {
                return Err(AppError::domain("claim.not_checked").with("code", c.code.clone()));
            }
            Ok(c)
        })
        .collect();
    let ids: Vec<i64> = chosen.iter().flatten().map(|c| c.id).collect();
    let mut lines = passed_lines(tx, &ids, true).await?;
    let mut results: Vec<AppResult<usize>> = Vec::with_capacity(keys.len());
    let mut to_value = vec![];
    for c in chosen {
        results.push(c.map(|c| {
            to_value.push(ToValue {
                claim: c.clone(),
                lines: lines.remove(&c.id).unwrap_or_default(),
            });
            to_value.len() - 1
        }));
    }
    let valuations = value_claims(m, &to_value).await?;
    let now = m.state.clock.now();
    let today = m.state.clock.today();
    let actor = m.actor();
    let mut line_versions = vec![];
    let mut claim_versions = vec![];
    let mut valued = vec![];
    let mut events = vec![];
    let mut done: Vec<AppResult<Processed>> = Vec::with_capacity(to_value.len());
    for (c, v) in to_value.iter().zip(&valuations) {
        let v = match v {
            Ok(v) => v,
            Err(e) => {
                done.push(Err(e.clone()));
                continue;
            }
        };
        let values: HashMap<i64, &valuation::LineValue> =
            v.lines.iter().map(|l| (l.id, l)).collect();
        let mut approved_parts = Vec::with_capacity(c.lines.len());
        for line in &c.lines {
            let Some(value) = values.get(&line.id) else {
                continue;
            };
            approved_parts.push((
                line.qty_approved.unwrap_or(line.qty_provided),
                line.price_approved.unwrap_or(value.price_adjusted),
            ));
            let mut next = line.clone();
            next.price_adjusted = Some(value.price_adjusted);
            next.deductable_amount = Some(value.deductable_amount);
            next.exceed_ceiling_amount = Some(value.exceed_ceiling_amount);
            next.exceed_ceiling_amount_category = Some(value.exceed_ceiling_amount_category);
            next.price_valuated = Some(value.valuated);
            next.remunerated_amount = value.remunerated;
            line_versions.push((line.clone(), next));
        }
        let old = &c.claim;
        if old.feedback_status == REVIEW_SELECTED {
            // Feedback bypassed: its prompt ends, as when a user bypasses it.
            super::feedback::close_prompts(m, old.id).await?;
        }
        let bypass = |s: i32| {
            if s == REVIEW_SELECTED {
                REVIEW_BYPASSED
            } else {
                s
            }
        };
        let mut next = old.clone();
        next.status = v.status;
        next.approved = Some(super::rules::approved_amount(approved_parts));
        next.valuated = Some(v.valuated);
        next.remunerated = Some(v.remunerated);
        next.process_stamp = Some(now);
        next.date_processed = Some(today);
        next.audit_user_id_process = actor;
        next.review_status = bypass(old.review_status);
        next.feedback_status = bypass(old.feedback_status);
        next.validity_from = now;
        next.audit_user_id = actor;
        let event = if next.status == STATUS_PROCESSED {
            CLAIM_PROCESSED
        } else {
            CLAIM_VALUATED
        };
        events.push((event, changed(&next)?));
        done.push(Ok(Processed {
            claim_id: next.id,
            status: next.status,
        }));
        claim_versions.push((old.clone(), next));
        valued.push((c, v));
    }
    kit::new_versions::<detail::Entity>(
        tx,
        ENTITY_DETAIL,
        &[
            detail::Column::PriceAdjusted,
            detail::Column::DeductableAmount,
            detail::Column::ExceedCeilingAmount,
            detail::Column::ExceedCeilingAmountCategory,
            detail::Column::PriceValuated,
            detail::Column::RemuneratedAmount,
        ],
        &line_versions,
        now,
        actor,
    )
    .await?;
    kit::new_versions::<claim::Entity>(
        tx,
        ENTITY_CLAIM,
        &[
            claim::Column::Status,
            claim::Column::Approved,
            claim::Column::Valuated,
            claim::Column::Remunerated,
            claim::Column::ProcessStamp,
            claim::Column::DateProcessed,
            claim::Column::AuditUserIdProcess,
            claim::Column::ReviewStatus,
            claim::Column::FeedbackStatus,
        ],
        &claim_versions,
        now,
        actor,
    )
    .await?;
    // Processing changes no quantity: the usage is what the passed lines use.
    book(m, &valued).await?;
    for (old, _) in &claim_versions {
        m.link(ENTITY_CLAIM, old.id);
    }
    m.publish_many(events).await?;
    let mut done = done.into_iter();
    Ok(results
        .into_iter()
        .map(|r| r.and_then(|_| done.next().ok_or_else(AppError::internal)?))
        .collect())
}

/// One claim of `processClaims` (see [`process_claims`]).
pub(crate) async fn process_claim(m: &mut MutationCtx<'_>, uuid: Uuid) -> AppResult<Processed> {
    let key = uuid.to_string();
    process_claims(m, &[key.as_str()])
        .await?
        .pop()
        .ok_or_else(AppError::internal)?
}

/// The payload of the claim events for the claim as it now stands.
pub(crate) fn changed(c: &claim::Model) -> AppResult<serde_json::Value> {
    Ok(serde_json::to_value(ClaimChanged {
        claim_id: c.id,
        claim_uuid: c.uuid,
        insuree_id: c.insuree_id,
        health_facility_id: c.health_facility_id,
        status: c.status,
        claimed: c.claimed,
        approved: c.approved,
        valuated: c.valuated,
    })?)
}
