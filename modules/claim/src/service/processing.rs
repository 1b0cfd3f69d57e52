//! Consumption booking (D21) and processing (D22, reference §1.7).
//!
//! - [`book_consumption`]: values a claim without storing line amounts and records one current
//!   consumption row per (claim, policy) in the policy module, closing the claim's rows on
//!   policies it no longer uses. Called at submission (a Checked claim), at review delivery and
//!   by processing, so that every later claim sees what earlier ones consumed.
//! - [`record_usage`]: what a Checked claim's passed lines use for eligibility, pushed to the
//!   policy module at submission, review, review delivery and processing.
//! - [`close_claim_consumption`]: a claim rejected or deleted gives its consumption and its
//!   usage back.
//! - [`process_claim`]: a Checked claim is valued with the product assignment made at
//!   submission; its line amounts, totals and status (8 Processed when a line has a relative
//!   price, else 16 Valuated) are stored as new versions, and its consumption and usage are
//!   recorded again.
//!
//! Booking locks the paying policies' rows first, in policy-id order (SELECT … FOR UPDATE on
//! PostgreSQL; SQLite has a single writer), and only then reads what other claims consumed, so
//! two claims of one policy booked at the same time each see the other's booking or wait for it.

use super::valuation::{self, ClaimFacts, LineFacts, PolicyFacts, Valuation};
use super::*;
use crate::entity::{claim, detail};
use crate::events::{CLAIM_PROCESSED, CLAIM_VALUATED, ClaimChanged};
use crate::rights::RIGHT_CLAIM_PROCESS;
use imis_core::AppError;
use imis_core::kit::{self, CurrentRows};
use imis_core::location::service::{HealthFacilityFilter, health_facilities_select};
use imis_core::money::Money;
use imis_core::mutation::MutationCtx;
use imis_medical::api::MedicalKind;
use imis_product::api::ProductLine;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, QueryFilter, QueryOrder, Set};
use std::collections::{BTreeSet, HashMap};
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

/// The claim's current passed lines, items before services, each by id; under their row locks
/// when `lock` (processing rewrites them).
async fn passed_lines(
    tx: &DatabaseTransaction,
    claim_id: i64,
    lock: bool,
) -> AppResult<Vec<detail::Model>> {
    let mut q = detail::Entity::find()
        .filter(detail::Column::ClaimId.eq(claim_id))
        .filter(detail::Column::Status.eq(LINE_PASSED))
        .current()
        .order_by_asc(detail::Column::Kind)
        .order_by_asc(detail::Column::Id);
    if lock {
        q = q.lock_exclusive();
    }
    Ok(q.all(tx).await?)
}

/// The policy paying a passed line, which submission assigned.
fn assigned_policy(c: &claim::Model, line: &detail::Model) -> AppResult<i64> {
    match (line.product_id, line.policy_id) {
        (Some(_), Some(policy)) => Ok(policy),
        _ => Err(AppError::domain("claim.line_not_assigned").with("code", c.code.clone())),
    }
}

/// The facility's price-list prices on `date` of the lines' items and services, in minor units
/// (two queries per kind, whatever the number of lines).
async fn list_prices(
    m: &MutationCtx<'_>,
    c: &claim::Model,
    lines: &[detail::Model],
) -> AppResult<HashMap<(String, i64), i64>> {
    let digits = m.state.config.core.currency_minor_digits;
    let mut out = HashMap::new();
    for (kind, code) in [
        (MedicalKind::Item, KIND_ITEM),
        (MedicalKind::Service, KIND_SERVICE),
    ] {
        let ids: Vec<i64> = lines
            .iter()
            .filter(|l| l.kind == code)
            .map(|l| l.medical_id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let prices = imis_medical::api::claimable_prices(
            m.state,
            &**m.tx,
            c.health_facility_id,
            kind,
            &ids,
            target_date(c),
        )
        .await?;
        for (id, price) in prices {
            out.insert(
                (code.to_string(), id),
                Money::round_from_decimal(price, digits)?.0,
            );
        }
    }
    Ok(out)
}

/// Whether the claim's facility is a hospital (level `H`).
async fn hospital_facility(m: &MutationCtx<'_>, c: &claim::Model) -> AppResult<bool> {
    let filter = HealthFacilityFilter {
        id: Some(c.health_facility_id),
        ignore_location: true,
        ..Default::default()
    };
    // The claim's scope was checked by the caller; the facility is read whatever the caller's
    // locations.
    let facility = health_facilities_select(m.state, m.principal, &filter)
        .await?
        .one(&**m.tx)
        .await?;
    Ok(facility.is_some_and(|f| f.level == "H"))
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

/// Locks the paying policies (in id order) and gathers the engine's facts: their products'
/// terms, members on the target date and what other claims consumed of them, the insuree's age,
/// the facility's level and the price lists. A fixed number of queries per claim and policy.
async fn claim_facts(
    m: &MutationCtx<'_>,
    c: &claim::Model,
    lines: &[detail::Model],
) -> AppResult<ClaimFacts> {
    let tx: &DatabaseTransaction = m.tx;
    let mut policy_ids = BTreeSet::new();
    for line in lines {
        policy_ids.insert(assigned_policy(c, line)?);
    }
    let policy_ids: Vec<i64> = policy_ids.into_iter().collect();
    for id in &policy_ids {
        imis_policy::api::lock_policy(tx, None, *id).await?;
    }
    let target = target_date(c);
    let products = imis_policy::api::policy_products(m.state, tx, &policy_ids).await?;
    let members = imis_policy::api::policy_members_on(tx, &policy_ids, target).await?;
    let mut previous =
        imis_policy::api::previous_consumption(tx, &policy_ids, c.insuree_id, c.id).await?;
    let insuree = imis_insuree::api::insurees_by_ids(tx, &[c.insuree_id])
        .await?
        .remove(&c.insuree_id)
        .ok_or_else(|| AppError::not_found("insuree").with("id", c.insuree_id))?;
    let prices = list_prices(m, c, lines).await?;
    let mut facts = ClaimFacts {
        multi_day: c.date_to.is_some_and(|to| to != c.date_from),
        hospital_facility: hospital_facility(m, c).await?,
        category: c.category.clone(),
        adult: imis_policy::api::is_adult(insuree.dob, target, m.state.config.core.age_of_majority),
        ..Default::default()
    };
    for id in &policy_ids {
        let product = products.get(id).ok_or_else(|| {
            AppError::validation("policy.product_not_found").with("policyId", *id)
        })?;
        facts.policies.insert(
            *id,
            PolicyFacts {
                terms: product.product.product.clone(),
                members: members.get(id).copied().unwrap_or(0),
                previous: previous.remove(id).unwrap_or_default(),
            },
        );
    }
    for line in lines {
        let policy_id = assigned_policy(c, line)?;
        let (ceiling_exclusion_adult, ceiling_exclusion_child) = products
            .get(&policy_id)
            .map(|p| exclusions(&p.product, line))
            .unwrap_or_default();
        // The price list on the target date; the price submission found if it has gone since.
        let list_price = prices
            .get(&(line.kind.clone(), line.medical_id))
            .copied()
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

/// Records the valuation's consumption rows: the claim's rows are closed, then one current row
/// per paying policy is written (D21).
async fn record(m: &MutationCtx<'_>, c: &claim::Model, v: &Valuation) -> AppResult<()> {
    let tx: &DatabaseTransaction = m.tx;
    imis_policy::api::close_consumption(m.state, tx, m.actor(), c.id, None).await?;
    for (policy_id, consumption) in &v.consumption {
        imis_policy::api::record_consumption(
            m.state,
            tx,
            m.actor(),
            c.id,
            *policy_id,
            c.insuree_id,
            consumption,
        )
        .await?;
    }
    Ok(())
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
    let used = lines
        .into_iter()
        .filter(|l| l.status == LINE_PASSED)
        .map(|l| imis_policy::api::UsageLine {
            kind: if l.kind == KIND_SERVICE { 'S' } else { 'I' },
            medical_id: l.medical_id,
            qty_hundredths: l.qty_approved.unwrap_or(l.qty_provided),
        })
        .collect();
    imis_policy::api::record_claim_usage(
        m.state,
        m.tx,
        &imis_policy::api::ClaimUsage {
            claim_id: c.id,
            insuree_id: c.insuree_id,
            target_date: target_date(c),
            category: c.category.clone(),
            lines: used,
        },
    )
    .await
}

/// Books the deductibles and ceilings claim `claim_id` consumes (D21): values its passed lines
/// as processing would, without storing their amounts, and records one current consumption row
/// per paying policy; rows on policies it no longer uses are closed. Its usage is recorded
/// again too ([`record_usage`]). The caller holds the claim's row lock and has checked rights
/// and scope.
pub(crate) async fn book_consumption(m: &mut MutationCtx<'_>, claim_id: i64) -> AppResult<()> {
    let tx: &DatabaseTransaction = m.tx;
    let c = claim::Entity::find_by_id(claim_id)
        .current()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("claim").with("id", claim_id))?;
    let lines = passed_lines(tx, c.id, false).await?;
    record_usage(m, &c, &lines).await?;
    let facts = claim_facts(m, &c, &lines).await?;
    record(m, &c, &valuation::value_claim(&facts)).await
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

/// `processClaims`, one claim (right 111011, the claim in the caller's scope): only a Checked
/// claim (`claim.not_checked` otherwise). Stores each passed line's amounts, the claim's
/// approved, valuated and remunerated totals, status 8 or 16, the processing stamp, date and
/// user; review and feedback still Selected become Bypassed (an open feedback prompt ends);
/// re-books the consumption and publishes `claim.processed` or `claim.valuated`.
pub(crate) async fn process_claim(m: &mut MutationCtx<'_>, uuid: Uuid) -> AppResult<Processed> {
    let p = require(m.principal, &[RIGHT_CLAIM_PROCESS])?;
    let tx: &DatabaseTransaction = m.tx;
    let old = lock_claim(m.state, tx, p, uuid).await?;
    if old.status != STATUS_CHECKED {
        return Err(AppError::domain("claim.not_checked").with("code", old.code));
    }
    let lines = passed_lines(tx, old.id, true).await?;
    // Processing changes no quantity: the usage is what these lines use.
    record_usage(m, &old, &lines).await?;
    let facts = claim_facts(m, &old, &lines).await?;
    let v = valuation::value_claim(&facts);
    let now = m.state.clock.now();
    let actor = m.actor();
    let values: HashMap<i64, &valuation::LineValue> = v.lines.iter().map(|l| (l.id, l)).collect();
    let mut approved_parts = Vec::with_capacity(lines.len());
    for line in lines {
        let Some(value) = values.get(&line.id) else {
            continue;
        };
        approved_parts.push((
            line.qty_approved.unwrap_or(line.qty_provided),
            line.price_approved.unwrap_or(value.price_adjusted),
        ));
        let mut a: detail::ActiveModel =
            kit::new_version(tx, ENTITY_DETAIL, line, now, actor).await?;
        a.price_adjusted = Set(Some(value.price_adjusted));
        a.deductable_amount = Set(Some(value.deductable_amount));
        a.exceed_ceiling_amount = Set(Some(value.exceed_ceiling_amount));
        a.exceed_ceiling_amount_category = Set(Some(value.exceed_ceiling_amount_category));
        a.price_valuated = Set(Some(value.valuated));
        a.remunerated_amount = Set(value.remunerated);
        a.update(tx).await?;
    }
    let bypass = |s: i32| {
        if s == REVIEW_SELECTED {
            REVIEW_BYPASSED
        } else {
            s
        }
    };
    let (review_status, feedback_status) = (bypass(old.review_status), bypass(old.feedback_status));
    if old.feedback_status == REVIEW_SELECTED {
        // Feedback bypassed: its prompt ends, as when a user bypasses it.
        super::feedback::close_prompts(m, old.id).await?;
    }
    let mut a: claim::ActiveModel = kit::new_version(tx, ENTITY_CLAIM, old, now, actor).await?;
    a.status = Set(v.status);
    a.approved = Set(Some(super::rules::approved_amount(approved_parts)));
    a.valuated = Set(Some(v.valuated));
    a.remunerated = Set(Some(v.remunerated));
    a.process_stamp = Set(Some(now));
    a.date_processed = Set(Some(m.state.clock.today()));
    a.audit_user_id_process = Set(actor);
    a.review_status = Set(review_status);
    a.feedback_status = Set(feedback_status);
    let saved = a.update(tx).await?;
    record(m, &saved, &v).await?;
    let event = if saved.status == STATUS_PROCESSED {
        CLAIM_PROCESSED
    } else {
        CLAIM_VALUATED
    };
    m.publish(
        event,
        serde_json::to_value(ClaimChanged {
            claim_id: saved.id,
            claim_uuid: saved.uuid,
            insuree_id: saved.insuree_id,
            health_facility_id: saved.health_facility_id,
            status: saved.status,
            claimed: saved.claimed,
            approved: saved.approved,
            valuated: saved.valuated,
        })?,
    )
    .await?;
    Ok(Processed {
        claim_id: saved.id,
        status: saved.status,
    })
}
