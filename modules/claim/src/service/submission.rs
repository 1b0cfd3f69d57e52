//! Submission of entered claims (D20, reference §1.5): the facts of one claim are read in a fixed
//! number of queries (the other modules through their `api`, the facility through the core's
//! registers, earlier claims of the insuree from this module's tables), the rules of
//! [`super::rules`] decide, and the claim and its lines are written as new versions (D7) with
//! the submission stamp. A Checked claim records what it used for eligibility and books its
//! consumption of deductibles and ceilings (D21); `claim.submitted` is published either way.
//!
//! Concurrency: the insuree's current claims are locked (in id order) before anything is read,
//! so two submissions for one insuree run one after the other and the second sees the first's
//! lines (frequency, maximum provisions, category maxima).

use super::rules::{
    self, ClaimFacts, CoverageFacts, EarlierLine, InsureeFacts, LineFacts, LineKind, OtherClaim,
    ProductFacts, ProductLineFacts, RegisterFacts,
};
use super::*;
use crate::entity::{claim, detail};
use crate::events::CLAIM_SUBMITTED;
use crate::rights::RIGHT_CLAIM_SUBMIT;
use chrono::NaiveDate;
use imis_core::AppError;
use imis_core::kit::{self, CurrentRows};
use imis_core::money::Money;
use imis_core::mutation::MutationCtx;
use imis_medical::api::{ClaimRegisterFacts, ClaimRegisterQuery};
use imis_product::api::{ProductCoverage, ProductLine};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// What submitting one claim answers: the per-claim outcome of `submitClaims`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubmittedClaim {
    pub uuid: Uuid,
    pub code: String,
    /// Checked (4) or Rejected (1).
    pub status: i32,
    pub rejection_reason: i32,
    pub items_passed: u32,
    pub items_rejected: u32,
    pub services_passed: u32,
    pub services_rejected: u32,
}

/// `submitClaims`'s statistics for its log row's `json_ext` (reference §1.5.7): `claim_stats`
/// with the claims given (`submitted`), those Checked and Rejected (a claim refused, e.g. not
/// Entered, counts in neither), and their passed and rejected items and services.
pub(crate) fn claim_stats(
    o: &imis_core::kit::BulkOutcome<SubmittedClaim>,
) -> serde_json::Map<String, serde_json::Value> {
    let done: Vec<&SubmittedClaim> = o.items.iter().filter_map(|i| i.result.as_ref()).collect();
    let sum = |f: fn(&SubmittedClaim) -> u32| done.iter().map(|c| f(c)).sum::<u32>();
    let stats = serde_json::json!({
        "submitted": o.items.len(),
        "checked": done.iter().filter(|c| c.status == STATUS_CHECKED).count(),
        "rejected": done.iter().filter(|c| c.status == STATUS_REJECTED).count(),
        "items_passed": sum(|c| c.items_passed),
        "items_rejected": sum(|c| c.items_rejected),
        "services_passed": sum(|c| c.services_passed),
        "services_rejected": sum(|c| c.services_rejected),
    });
    serde_json::Map::from_iter([("claim_stats".to_string(), stats)])
}

/// The claims `submitClaims` submits when given `additionalFilters` (111007, then the filters'
/// rule, `service::filters`): the Entered claims chosen, among `uuids` when given, as keys in
/// (dateClaimed, id) order. A filter chooses claims to submit, so claims in other statuses are
/// left out rather than refused one by one.
pub(crate) async fn chosen_for_submission(
    state: &AppState,
    principal: Option<&Principal>,
    uuids: Option<Vec<Uuid>>,
    filters: &str,
) -> AppResult<Vec<String>> {
    require(principal, &[RIGHT_CLAIM_SUBMIT])?;
    let chosen: Vec<Uuid> = super::filters::chosen_claims_select(state, principal, uuids, filters)
        .await?
        .filter(claim::Column::Status.eq(STATUS_ENTERED))
        .select_only()
        .column(claim::Column::Uuid)
        .order_by_asc(claim::Column::DateClaimed)
        .order_by_asc(claim::Column::Id)
        .into_tuple()
        .all(&state.db.conn)
        .await?;
    Ok(chosen.iter().map(Uuid::to_string).collect())
}

/// The order in which `submitClaims` handles the claims `keys` for the caller `p` (D20): the
/// current claims `p` may reach (D9) by (dateClaimed, id), then the other keys as given (they
/// fail as items, a claim out of reach as `not_found`). A claim out of the caller's scope thus
/// neither moves the others nor reveals where it would fall.
pub(crate) async fn scoped_submission_order(
    state: &AppState,
    p: &Principal,
    keys: Vec<String>,
) -> AppResult<Vec<String>> {
    let uuids: Vec<Uuid> = keys
        .iter()
        .filter_map(|k| imis_core::graphql::parse_uuid(k, "uuids").ok())
        .collect();
    if uuids.is_empty() {
        return Ok(keys);
    }
    let mut q = claim::Entity::find()
        .select_only()
        .columns([
            claim::Column::Uuid,
            claim::Column::DateClaimed,
            claim::Column::Id,
        ])
        .filter(claim::Column::Uuid.is_in(uuids))
        .current();
    if let Some(visible) = visible_facility_ids(state, p).await? {
        q = q.filter(claim::Column::HealthFacilityId.in_subquery(visible));
    }
    // Sorted here: with `uuid IN (…) ORDER BY date_claimed, id` SQLite may walk the whole
    // date index rather than sort 500 rows.
    let mut found: Vec<(Uuid, NaiveDate, i64)> = q.into_tuple().all(&state.db.conn).await?;
    found.sort_by_key(|(_, date, id)| (*date, *id));
    let mut ordered: Vec<String> = vec![];
    for (uuid, _, _) in &found {
        if let Some(k) = keys
            .iter()
            .find(|k| imis_core::graphql::parse_uuid(k, "uuids").ok() == Some(*uuid))
        {
            ordered.push(k.clone());
        }
    }
    for k in keys {
        if !ordered.contains(&k) {
            ordered.push(k);
        }
    }
    Ok(ordered)
}

/// `submitClaims` for a chunk of claims named by `keys` (uuids; right 111007, D9 scope):
/// `claim.not_entered` for a claim in any other status, `not_found` for one the caller may not
/// reach. The claims are decided in the order given, each seeing what the ones before it did
/// (frequency, maximum provisions, category maxima, consumption); their facts are read and
/// their rows written for all of them at once.
pub(crate) async fn submit_claims(
    m: &mut MutationCtx<'_>,
    keys: &[&str],
) -> AppResult<Vec<AppResult<SubmittedClaim>>> {
    let p = require(m.principal, &[RIGHT_CLAIM_SUBMIT])?;
    let (state, tx): (&AppState, &DatabaseTransaction) = (m.state, m.tx);
    let uuids: Vec<AppResult<Uuid>> = keys
        .iter()
        .map(|k| imis_core::graphql::parse_uuid(k, "uuids"))
        .collect();
    let wanted: Vec<Uuid> = uuids.iter().flatten().copied().collect();
    let mut q = claim::Entity::find()
        .filter(claim::Column::Uuid.is_in(wanted))
        .current();
    if let Some(visible) = visible_facility_ids(state, p).await? {
        q = q.filter(claim::Column::HealthFacilityId.in_subquery(visible));
    }
    let found: HashMap<Uuid, claim::Model> =
        q.all(tx).await?.into_iter().map(|c| (c.uuid, c)).collect();
    // Every current claim of the insurees, under its row lock, in id order (module doc).
    let insuree_ids: BTreeSet<i64> = found.values().map(|c| c.insuree_id).collect();
    let locked: HashMap<i64, claim::Model> = if insuree_ids.is_empty() {
        HashMap::new()
    } else {
        // Ids through the insuree index, rows in id order (see `lock_claims`).
        let ids = sea_orm::sea_query::Query::select()
            .column(claim::Column::Id)
            .from(claim::Entity)
            .and_where(claim::Column::InsureeId.is_in(insuree_ids.iter().copied()))
            .and_where(kit::current::<claim::Entity>())
            .to_owned();
        claim::Entity::find()
            .filter(claim::Column::Id.in_subquery(ids))
            .current()
            .order_by_asc(claim::Column::Id)
            .lock_exclusive()
            .all(tx)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    let mut taken = HashSet::new();
    let targets: Vec<AppResult<claim::Model>> = uuids
        .into_iter()
        .map(|uuid| {
            let uuid = uuid?;
            let found = found
                .get(&uuid)
                .ok_or_else(|| AppError::not_found("claim").with("uuid", uuid.to_string()))?;
            let Some(target) = locked.get(&found.id) else {
                return Err(AppError::conflict("claim.submission_conflict")
                    .with("code", found.code.clone()));
            };
            // A claim named twice is Checked or Rejected the second time.
            if target.status != STATUS_ENTERED || !taken.insert(target.id) {
                return Err(AppError::domain("claim.not_entered").with("code", target.code.clone()));
            }
            Ok(target.clone())
        })
        .collect();
    let chosen: Vec<&claim::Model> = targets.iter().flatten().collect();
    let mut facts = ChunkFacts::read(m, &chosen, locked.into_values()).await?;
    let mut decided: Vec<AppResult<Decided>> = Vec::with_capacity(targets.len());
    for target in targets {
        decided.push(target.and_then(|t| facts.decide(t)));
    }
    let now = facts.now;
    write(m, decided, now).await
}

/// One claim as the rules left it: its next version, its lines' next versions (in id order)
/// and what `submitClaims` answers for it.
struct Decided {
    old: claim::Model,
    next: claim::Model,
    lines: Vec<(detail::Model, detail::Model)>,
    result: SubmittedClaim,
}

/// What the rules read about a chunk's claims, read once for all of them and kept up to date
/// as each claim is decided, so that each sees the ones before it.
struct ChunkFacts {
    age_of_majority: u32,
    digits: u32,
    now: chrono::DateTime<chrono::Utc>,
    actor: Option<i64>,
    /// Each claim's current lines, in id order.
    lines: HashMap<i64, Vec<detail::Model>>,
    registers: HashMap<i64, ClaimRegisterFacts>,
    insurees: HashMap<i64, imis_insuree::api::InsureeSummary>,
    care_types: HashMap<i64, String>,
    coverage: HashMap<i64, Vec<CoverageFacts>>,
    /// The insurees' current claims (other claims of each claim decided).
    claims: HashMap<i64, Vec<claim::Model>>,
    /// Passed lines of the insurees' Checked, Processed and Valuated claims.
    earlier: HashMap<i64, Vec<(i64, EarlierLine)>>,
}

impl ChunkFacts {
    /// Reads the facts of `chosen` in a fixed number of queries; `claims` are the insurees'
    /// current claims, locked.
    async fn read(
        m: &MutationCtx<'_>,
        chosen: &[&claim::Model],
        claims: impl Iterator<Item = claim::Model>,
    ) -> AppResult<Self> {
        let (state, tx): (&AppState, &DatabaseTransaction) = (m.state, m.tx);
        let ids: Vec<i64> = chosen.iter().map(|c| c.id).collect();
        let mut lines: HashMap<i64, Vec<detail::Model>> = HashMap::new();
        if !ids.is_empty() {
            for l in detail::Entity::find()
                .filter(detail::Column::ClaimId.is_in(ids))
                .current()
                .order_by_asc(detail::Column::ClaimId)
                .order_by_asc(detail::Column::Id)
                .all(tx)
                .await?
            {
                lines.entry(l.claim_id).or_default().push(l);
            }
        }
        let medical_ids = |c: &claim::Model, kind: &str| -> Vec<i64> {
            let mut v: Vec<i64> = lines
                .get(&c.id)
                .into_iter()
                .flatten()
                .filter(|l| l.kind == kind)
                .map(|l| l.medical_id)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let queries: Vec<ClaimRegisterQuery> = chosen
            .iter()
            .map(|c| ClaimRegisterQuery {
                health_facility_id: c.health_facility_id,
                date: target_date(c),
                items: medical_ids(c, KIND_ITEM),
                services: medical_ids(c, KIND_SERVICE),
            })
            .collect();
        let registers = imis_medical::api::claim_register_facts(state, tx, &queries).await?;
        let insuree_ids: Vec<i64> = chosen.iter().map(|c| c.insuree_id).collect();
        let facility_ids: Vec<i64> = chosen.iter().map(|c| c.health_facility_id).collect();
        let covering: Vec<(i64, NaiveDate)> = chosen
            .iter()
            .map(|c| (c.insuree_id, target_date(c)))
            .collect();
        let coverage = coverage_facts(state, tx, &covering).await?;
        let all_medical: BTreeSet<i64> = queries
            .iter()
            .flat_map(|q| q.items.iter().chain(&q.services))
            .copied()
            .collect();
        let mut by_insuree: HashMap<i64, Vec<claim::Model>> = HashMap::new();
        for c in claims {
            by_insuree.entry(c.insuree_id).or_default().push(c);
        }
        for list in by_insuree.values_mut() {
            list.sort_by_key(|c| c.id);
        }
        Ok(Self {
            age_of_majority: state.config.core.age_of_majority,
            digits: state.config.core.currency_minor_digits,
            now: state.clock.now(),
            actor: m.actor(),
            registers: chosen.iter().map(|c| c.id).zip(registers).collect(),
            insurees: imis_insuree::api::insurees_by_ids(tx, &insuree_ids).await?,
            care_types: imis_core::registers::health_facilities_by_ids(tx, &facility_ids)
                .await?
                .into_values()
                .filter(|f| !f.care_type.is_empty())
                .map(|f| (f.id, f.care_type))
                .collect(),
            coverage: chosen.iter().map(|c| c.id).zip(coverage).collect(),
            earlier: earlier_lines(tx, &insuree_ids, &all_medical).await?,
            claims: by_insuree,
            lines,
        })
    }

    /// Applies the rules to `target` and records the outcome in the facts, for the claims after
    /// it.
    fn decide(&mut self, target: claim::Model) -> AppResult<Decided> {
        let lines = self.lines.remove(&target.id).unwrap_or_default();
        let facts = self.claim_facts(&target, &lines)?;
        let outcome = rules::evaluate(&facts);
        let mut result = SubmittedClaim {
            uuid: target.uuid,
            code: target.code.clone(),
            status: outcome.status,
            rejection_reason: outcome.rejection_reason,
            items_passed: 0,
            items_rejected: 0,
            services_passed: 0,
            services_rejected: 0,
        };
        let mut versions = Vec::with_capacity(lines.len());
        for (line, o) in lines.into_iter().zip(&outcome.lines) {
            let passed = o.status == LINE_PASSED;
            let counter = match (line.kind == KIND_SERVICE, passed) {
                (false, true) => &mut result.items_passed,
                (false, false) => &mut result.items_rejected,
                (true, true) => &mut result.services_passed,
                (true, false) => &mut result.services_rejected,
            };
            *counter += 1;
            let mut next = line.clone();
            next.status = o.status;
            next.rejection_reason = Some(o.rejection_reason);
            next.qty_approved = o.qty_approved;
            if let Some(j) = o.justification {
                next.justification = Some(j.to_string());
            }
            let a = o.assignment.as_ref();
            next.product_id = a.map(|a| a.product_id);
            next.policy_id = a.map(|a| a.policy_id);
            next.price_origin = a.map(|a| a.price_origin.clone());
            next.limitation = a.map(|a| a.limitation.clone());
            next.limitation_value = a.map(|a| a.limitation_value);
            next.price_adjusted = o.price_adjusted;
            next.rejection_facts = if o.facts.is_empty() {
                None
            } else {
                Some(serde_json::to_string(&o.facts)?)
            };
            next.validity_from = self.now;
            next.audit_user_id = self.actor;
            versions.push((line, next));
        }
        let mut next = target.clone();
        next.status = outcome.status;
        next.rejection_reason = outcome.rejection_reason;
        next.category = Some(outcome.category.clone());
        next.approved = Some(outcome.approved);
        next.submit_stamp = Some(self.now);
        next.audit_user_id_submit = self.actor;
        next.validity_from = self.now;
        next.audit_user_id = self.actor;
        // The claims after this one see it as it now stands.
        if let Some(c) = self
            .claims
            .get_mut(&next.insuree_id)
            .and_then(|list| list.iter_mut().find(|c| c.id == next.id))
        {
            *c = next.clone();
        }
        if next.status == STATUS_CHECKED {
            let earlier = self.earlier.entry(next.insuree_id).or_default();
            for (_, line) in versions.iter().filter(|(_, l)| l.status == LINE_PASSED) {
                earlier.push((
                    next.id,
                    EarlierLine {
                        kind: LineKind::of(&line.kind),
                        medical_id: line.medical_id,
                        qty: line.qty_approved.unwrap_or(line.qty_provided),
                        target_date: target_date(&next),
                        claim_status: next.status,
                    },
                ));
            }
        }
        Ok(Decided {
            old: target,
            next,
            lines: versions,
            result,
        })
    }

    /// The rules' facts of one claim.
    fn claim_facts(&self, target: &claim::Model, lines: &[detail::Model]) -> AppResult<ClaimFacts> {
        let t = target_date(target);
        let register = self.registers.get(&target.id).cloned().unwrap_or_default();
        let mut prices = HashMap::new();
        for (kind, listed) in [
            (LineKind::Item, &register.item_prices),
            (LineKind::Service, &register.service_prices),
        ] {
            for (id, price) in listed {
                prices.insert((kind, *id), Money::from_decimal(*price, self.digits)?.0);
            }
        }
        // The list's name only serves to explain a line it lacks.
        let lacking = |kind: LineKind| {
            lines.iter().any(|l| {
                LineKind::of(&l.kind) == kind && !prices.contains_key(&(kind, l.medical_id))
            })
        };
        let act = |kind: LineKind, id: i64| match kind {
            LineKind::Item => register.items.get(&id),
            LineKind::Service => register.services.get(&id),
        };
        let uses = |kind: LineKind, id: i64| {
            lines
                .iter()
                .any(|l| LineKind::of(&l.kind) == kind && l.medical_id == id)
        };
        Ok(ClaimFacts {
            date_from: target.date_from,
            date_to: target.date_to,
            date_claimed: target.date_claimed,
            visit_type: target.visit_type.clone(),
            facility_care_type: self.care_types.get(&target.health_facility_id).cloned(),
            item_price_list: register
                .item_price_list
                .clone()
                .filter(|_| lacking(LineKind::Item)),
            service_price_list: register
                .service_price_list
                .clone()
                .filter(|_| lacking(LineKind::Service)),
            insuree: match self.insurees.get(&target.insuree_id) {
                Some(i) => InsureeFacts {
                    current: i.validity_to.is_none(),
                    chf_id: i.chf_id.clone(),
                    gender: i.gender.clone(),
                    dob: i.dob,
                },
                None => InsureeFacts {
                    current: false,
                    chf_id: String::new(),
                    gender: String::new(),
                    dob: t,
                },
            },
            age_of_majority: self.age_of_majority,
            lines: lines
                .iter()
                .map(|l| {
                    let kind = LineKind::of(&l.kind);
                    LineFacts {
                        kind,
                        medical_id: l.medical_id,
                        qty_provided: l.qty_provided,
                        qty_approved: l.qty_approved,
                        price_asked: l.price_asked,
                        price_approved: l.price_approved,
                        register: act(kind, l.medical_id).map(|a| RegisterFacts {
                            care_type: a.care_type.clone(),
                            patient_category: a.patient_category,
                            frequency: a.frequency,
                            category: a.category.clone(),
                        }),
                        price_list_price: prices.get(&(kind, l.medical_id)).copied(),
                    }
                })
                .collect(),
            earlier_lines: self
                .earlier
                .get(&target.insuree_id)
                .into_iter()
                .flatten()
                .filter(|(claim_id, l)| *claim_id != target.id && uses(l.kind, l.medical_id))
                .map(|(_, l)| l.clone())
                .collect(),
            other_claims: self
                .claims
                .get(&target.insuree_id)
                .into_iter()
                .flatten()
                .filter(|c| c.id != target.id)
                .map(|c| OtherClaim {
                    category: c.category.clone(),
                    target_date: target_date(c),
                    status: c.status,
                })
                .collect(),
            coverage: self.coverage.get(&target.id).cloned().unwrap_or_default(),
        })
    }
}

/// The claim's target date: dateTo when set, else dateFrom.
fn target_date(c: &claim::Model) -> NaiveDate {
    c.date_to.unwrap_or(c.date_from)
}

/// One submission of `submitClaims` (see [`submit_claims`]).
pub(crate) async fn submit_claim(m: &mut MutationCtx<'_>, uuid: Uuid) -> AppResult<SubmittedClaim> {
    let key = uuid.to_string();
    submit_claims(m, &[key.as_str()])
        .await?
        .pop()
        .ok_or_else(AppError::internal)?
}

/// The coverage rows of each (insuree, date) (D16), each with the version of its policy's
/// product that the policy module says applies to the policy (the one in force on its enrolment
/// date, as processing values the claim with); a row whose product has no such version covers
/// nothing.
async fn coverage_facts(
    state: &AppState,
    tx: &DatabaseTransaction,
    wanted: &[(i64, NaiveDate)],
) -> AppResult<Vec<Vec<CoverageFacts>>> {
    let rows = imis_policy::api::covering_many(tx, wanted).await?;
    let policy_ids: BTreeSet<i64> = rows.iter().flatten().map(|r| r.policy.id).collect();
    let policy_ids: Vec<i64> = policy_ids.into_iter().collect();
    let products = imis_policy::api::policy_products(state, tx, &policy_ids).await?;
    let mut facts: HashMap<i64, ProductFacts> = HashMap::new();
    Ok(rows
        .into_iter()
        .map(|covers| {
            covers
                .into_iter()
                .filter_map(|r| {
                    let effective = r.effective_date?;
                    let product = products.get(&r.policy.id)?;
                    let product = facts
                        .entry(r.policy.id)
                        .or_insert_with(|| product_facts(&product.product))
                        .clone();
                    Some(CoverageFacts {
                        policy_id: r.policy.id,
                        policy_stage: r.policy.stage.clone(),
                        policy_effective: r.policy.effective_date,
                        effective,
                        expiry: r.expiry_date,
                        product,
                    })
                })
                .collect()
        })
        .collect())
}

fn product_facts(p: &ProductCoverage) -> ProductFacts {
    let line = |l: &ProductLine| ProductLineFacts {
        price_origin: l.price_origin.clone(),
        limitation_type: l.limitation_type.clone(),
        limitation_type_r: l.limitation_type_r.clone(),
        limitation_type_e: l.limitation_type_e.clone(),
        limits: [
            l.limit_adult,
            l.limit_child,
            l.limit_adult_r,
            l.limit_child_r,
            l.limit_adult_e,
            l.limit_child_e,
        ],
        limit_no_adult: l.limit_no_adult,
        limit_no_child: l.limit_no_child,
        waiting_period_adult: l.waiting_period_adult,
        waiting_period_child: l.waiting_period_child,
    };
    let terms = &p.product;
    let category_maxima = [
        ('C', terms.max_no_consultation),
        ('S', terms.max_no_surgery),
        ('D', terms.max_no_delivery),
        ('H', terms.max_no_hospitalization),
        ('V', terms.max_no_visits),
        ('A', terms.max_no_antenatal),
    ]
    .into_iter()
    .filter_map(|(c, max)| Some((c, max?)))
    .collect();
    let lines = p
        .items
        .iter()
        .map(|l| ((LineKind::Item, l.medical_id), line(l)))
        .chain(
            p.services
                .iter()
                .map(|l| ((LineKind::Service, l.medical_id), line(l))),
        )
        .collect();
    ProductFacts {
        id: terms.id,
        code: terms.code.clone(),
        lines,
        category_maxima,
    }
}

#[derive(FromQueryResult)]
struct EarlierRow {
    claim_id: i64,
    insuree_id: i64,
    kind: String,
    medical_id: i64,
    qty: i64,
    date_from: NaiveDate,
    date_to: Option<NaiveDate>,
    status: i32,
}

/// The passed lines for these items and services (by medical id) of the insurees' Checked,
/// Processed and Valuated claims, by insuree with their claim's id, in one query per thousand
/// insurees (served by the insuree and medical-id indexes).
async fn earlier_lines(
    tx: &DatabaseTransaction,
    insuree_ids: &[i64],
    medical_ids: &BTreeSet<i64>,
) -> AppResult<HashMap<i64, Vec<(i64, EarlierLine)>>> {
    let mut out: HashMap<i64, Vec<(i64, EarlierLine)>> = HashMap::new();
    if medical_ids.is_empty() {
        return Ok(out);
    }
    let insurees: BTreeSet<i64> = insuree_ids.iter().copied().collect();
    let insurees: Vec<i64> = insurees.into_iter().collect();
    let marks = |n: usize| vec!["?"; n].join(", ");
    for chunk in insurees.chunks(1000) {
        let sql = format!(
            "SELECT c.id AS claim_id, c.insuree_id, d.kind, d.medical_id, \
             COALESCE(d.qty_approved, d.qty_provided) AS qty, c.date_from, c.date_to, c.status \
             FROM claim_claim c JOIN claim_detail d ON d.claim_id = c.id \
             WHERE c.insuree_id IN ({}) AND c.validity_to IS NULL AND c.status IN ({STATUS_CHECKED}, \
             {STATUS_PROCESSED}, {STATUS_VALUATED}) AND d.validity_to IS NULL AND d.status = ? \
             AND d.medical_id IN ({})",
            marks(chunk.len()),
            marks(medical_ids.len())
        );
        let mut values: Vec<sea_orm::Value> = chunk.iter().map(|i| (*i).into()).collect();
        values.push(LINE_PASSED.into());
        values.extend(medical_ids.iter().map(|i| sea_orm::Value::from(*i)));
        let rows = EarlierRow::find_by_statement(imis_core::db::stmt(
            tx.get_database_backend(),
            &sql,
            values,
        ))
        .all(tx)
        .await?;
        for r in rows {
            out.entry(r.insuree_id).or_default().push((
                r.claim_id,
                EarlierLine {
                    kind: LineKind::of(&r.kind),
                    medical_id: r.medical_id,
                    qty: r.qty,
                    target_date: r.date_to.unwrap_or(r.date_from),
                    claim_status: r.status,
                },
            ));
        }
    }
    Ok(out)
}

/// Writes the decided claims: their lines and the claims as new versions, the usage and
/// consumption of the Checked ones, the events; in a few statements for all. A claim whose
/// consumption cannot be booked fails the whole call, so that the bulk runner submits each
/// claim on its own and that claim alone fails, the others not having seen it.
async fn write(
    m: &mut MutationCtx<'_>,
    decided: Vec<AppResult<Decided>>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Vec<AppResult<SubmittedClaim>>> {
    let tx: &DatabaseTransaction = m.tx;
    let actor = m.actor();
    let done: Vec<&Decided> = decided.iter().flatten().collect();
    let to_value: Vec<super::processing::ToValue> = done
        .iter()
        .filter(|d| d.next.status == STATUS_CHECKED)
        .map(|d| {
            let mut lines: Vec<detail::Model> = d
                .lines
                .iter()
                .map(|(_, l)| l.clone())
                .filter(|l| l.status == LINE_PASSED)
                .collect();
            lines.sort_by(|a, b| (&a.kind, a.id).cmp(&(&b.kind, b.id)));
            super::processing::ToValue {
                claim: d.next.clone(),
                lines,
            }
        })
        .collect();
    let valuations = super::processing::value_claims(m, &to_value).await?;
    let mut valued = Vec::with_capacity(to_value.len());
    for (c, v) in to_value.iter().zip(&valuations) {
        valued.push((c, v.as_ref().map_err(Clone::clone)?));
    }
    let lines: Vec<(detail::Model, detail::Model)> =
        done.iter().flat_map(|d| d.lines.iter().cloned()).collect();
    kit::new_versions::<detail::Entity>(
        tx,
        ENTITY_DETAIL,
        &[
            detail::Column::Status,
            detail::Column::RejectionReason,
            detail::Column::QtyApproved,
            detail::Column::Justification,
            detail::Column::ProductId,
            detail::Column::PolicyId,
            detail::Column::PriceOrigin,
            detail::Column::Limitation,
            detail::Column::LimitationValue,
            detail::Column::PriceAdjusted,
            detail::Column::RejectionFacts,
        ],
        &lines,
        now,
        actor,
    )
    .await?;
    let claims: Vec<(claim::Model, claim::Model)> = done
        .iter()
        .map(|d| (d.old.clone(), d.next.clone()))
        .collect();
    kit::new_versions::<claim::Entity>(
        tx,
        ENTITY_CLAIM,
        &[
            claim::Column::Status,
            claim::Column::RejectionReason,
            claim::Column::Category,
            claim::Column::Approved,
            claim::Column::SubmitStamp,
            claim::Column::AuditUserIdSubmit,
        ],
        &claims,
        now,
        actor,
    )
    .await?;
    // Its usage (eligibility counts) and its consumption of deductibles and ceilings.
    super::processing::book(m, &valued).await?;
    let mut events = Vec::with_capacity(done.len());
    for d in &done {
        m.link(ENTITY_CLAIM, d.next.id);
        events.push((CLAIM_SUBMITTED, super::processing::changed(&d.next)?));
    }
    m.publish_many(events).await?;
    Ok(decided.into_iter().map(|d| d.map(|d| d.result)).collect())
}
