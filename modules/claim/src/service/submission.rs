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
use crate::events::{CLAIM_SUBMITTED, ClaimChanged};
use crate::rights::RIGHT_CLAIM_SUBMIT;
use chrono::NaiveDate;
use imis_core::AppError;
use imis_core::kit::{self, CurrentRows};
use imis_core::money::Money;
use imis_core::mutation::MutationCtx;
use imis_medical::api::MedicalKind;
use imis_product::api::{ProductCoverage, ProductLine};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
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
        .filter_map(|k| Uuid::parse_str(k).ok())
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
    let found: Vec<(Uuid, NaiveDate, i64)> = q
        .order_by_asc(claim::Column::DateClaimed)
        .order_by_asc(claim::Column::Id)
        .into_tuple()
        .all(&state.db.conn)
        .await?;
    let mut ordered: Vec<String> = vec![];
    for (uuid, _, _) in &found {
        if let Some(k) = keys.iter().find(|k| Uuid::parse_str(k).ok() == Some(*uuid)) {
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

/// Submits the entered claim `uuid` (right 111007, D9 scope): `claim.not_entered` for a claim
/// in any other status, `not_found` for one the caller may not reach.
pub(crate) async fn submit_claim(m: &mut MutationCtx<'_>, uuid: Uuid) -> AppResult<SubmittedClaim> {
    let p = require(m.principal, &[RIGHT_CLAIM_SUBMIT])?;
    let state = m.state;
    let tx: &DatabaseTransaction = m.tx;
    let mut q = claim::Entity::find()
        .filter(claim::Column::Uuid.eq(uuid))
        .current();
    if let Some(visible) = visible_facility_ids(state, p).await? {
        q = q.filter(claim::Column::HealthFacilityId.in_subquery(visible));
    }
    let not_found = || AppError::not_found("claim").with("uuid", uuid.to_string());
    let found = q.one(tx).await?.ok_or_else(not_found)?;
    // Every current claim of the insuree, under its row lock, in id order (see the module doc).
    let claims = claim::Entity::find()
        .filter(claim::Column::InsureeId.eq(found.insuree_id))
        .current()
        .order_by_asc(claim::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    let Some(target) = claims.iter().find(|c| c.id == found.id).cloned() else {
        return Err(AppError::conflict("claim.submission_conflict").with("code", found.code));
    };
    if target.status != STATUS_ENTERED {
        return Err(AppError::domain("claim.not_entered").with("code", target.code));
    }
    let lines = detail::Entity::find()
        .filter(detail::Column::ClaimId.eq(target.id))
        .current()
        .order_by_asc(detail::Column::Id)
        .all(tx)
        .await?;
    let facts = gather(state, tx, &target, &claims, &lines).await?;
    let outcome = rules::evaluate(&facts);
    write(m, target, lines, &outcome).await
}

/// Reads the facts of one claim in a fixed number of queries.
async fn gather(
    state: &AppState,
    tx: &DatabaseTransaction,
    target: &claim::Model,
    claims: &[claim::Model],
    lines: &[detail::Model],
) -> AppResult<ClaimFacts> {
    let t = target.date_to.unwrap_or(target.date_from);
    let hf = target.health_facility_id;
    let digits = state.config.core.currency_minor_digits;
    let ids = |kind: &str| -> Vec<i64> {
        let mut v: Vec<i64> = lines
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| l.medical_id)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (item_ids, service_ids) = (ids(KIND_ITEM), ids(KIND_SERVICE));
    let mut acts = HashMap::new();
    let mut prices = HashMap::new();
    let mut list_names = HashMap::new();
    for (kind, medical_kind, ids) in [
        (LineKind::Item, MedicalKind::Item, &item_ids),
        (LineKind::Service, MedicalKind::Service, &service_ids),
    ] {
        for (id, a) in imis_medical::api::acts_valid_on(state, tx, medical_kind, ids, t).await? {
            acts.insert((kind, id), a);
        }
        let listed =
            imis_medical::api::claimable_prices(state, tx, hf, medical_kind, ids, t).await?;
        // The list's name only serves to explain a line it lacks.
        if ids.iter().any(|id| !listed.contains_key(id)) {
            let name = imis_medical::api::facility_price_list_name(tx, hf, medical_kind).await?;
            list_names.insert(kind, name);
        }
        for (id, price) in listed {
            prices.insert((kind, id), Money::from_decimal(price, digits)?.0);
        }
    }
    let insuree = imis_insuree::api::insurees_by_ids(tx, &[target.insuree_id])
        .await?
        .remove(&target.insuree_id);
    let facility_care_type = imis_core::registers::health_facility_nodes_by_ids(state, &[hf])
        .await?
        .remove(&hf)
        .map(|n| n.model.care_type)
        .filter(|c| !c.is_empty());
    let coverage = coverage_facts(state, tx, target.insuree_id, t).await?;
    let earlier_lines = earlier_lines(tx, target, &item_ids, &service_ids).await?;
    let other_claims = claims
        .iter()
        .filter(|c| c.id != target.id)
        .map(|c| OtherClaim {
            category: c.category.clone(),
            target_date: c.date_to.unwrap_or(c.date_from),
            status: c.status,
        })
        .collect();
    Ok(ClaimFacts {
        date_from: target.date_from,
        date_to: target.date_to,
        date_claimed: target.date_claimed,
        visit_type: target.visit_type.clone(),
        facility_care_type,
        item_price_list: list_names.remove(&LineKind::Item).flatten(),
        service_price_list: list_names.remove(&LineKind::Service).flatten(),
        insuree: match insuree {
            Some(i) => InsureeFacts {
                current: i.validity_to.is_none(),
                chf_id: i.chf_id,
                gender: i.gender,
                dob: i.dob,
            },
            None => InsureeFacts {
                current: false,
                chf_id: String::new(),
                gender: String::new(),
                dob: t,
            },
        },
        age_of_majority: state.config.core.age_of_majority,
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
                    register: acts.get(&(kind, l.medical_id)).map(|a| RegisterFacts {
                        care_type: a.care_type.clone(),
                        patient_category: a.patient_category,
                        frequency: a.frequency,
                        category: a.category.clone(),
                    }),
                    price_list_price: prices.get(&(kind, l.medical_id)).copied(),
                }
            })
            .collect(),
        earlier_lines,
        other_claims,
        coverage,
    })
}

/// The coverage rows of the insuree on `t` (D16), each with the version of its policy's product
/// that the policy module says applies to the policy (the one in force on its enrolment date,
/// as processing values the claim with); a row whose product has no such version covers nothing.
async fn coverage_facts(
    state: &AppState,
    tx: &DatabaseTransaction,
    insuree_id: i64,
    t: NaiveDate,
) -> AppResult<Vec<CoverageFacts>> {
    let rows = imis_policy::api::covering(tx, insuree_id, t).await?;
    let policy_ids: Vec<i64> = rows.iter().map(|r| r.policy.id).collect();
    let products = imis_policy::api::policy_products(state, tx, &policy_ids).await?;
    let mut out = vec![];
    for r in rows {
        let (Some(effective), Some(product)) = (r.effective_date, products.get(&r.policy.id))
        else {
            continue;
        };
        out.push(CoverageFacts {
            policy_id: r.policy.id,
            policy_stage: r.policy.stage.clone(),
            policy_effective: r.policy.effective_date,
            effective,
            expiry: r.expiry_date,
            product: product_facts(&product.product),
        });
    }
    Ok(out)
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
    kind: String,
    medical_id: i64,
    qty: i64,
    date_from: NaiveDate,
    date_to: Option<NaiveDate>,
    status: i32,
}

/// The passed lines for these items and services of the insuree's other Checked, Processed or
/// Valuated claims, in one query (served by the insuree and medical-id indexes).
async fn earlier_lines(
    tx: &DatabaseTransaction,
    target: &claim::Model,
    item_ids: &[i64],
    service_ids: &[i64],
) -> AppResult<Vec<EarlierLine>> {
    let mut acts = vec![];
    let mut values: Vec<sea_orm::Value> = vec![
        target.insuree_id.into(),
        target.id.into(),
        LINE_PASSED.into(),
    ];
    for (kind, ids) in [(KIND_ITEM, item_ids), (KIND_SERVICE, service_ids)] {
        if ids.is_empty() {
            continue;
        }
        acts.push(format!(
            "(d.kind = ? AND d.medical_id IN ({}))",
            vec!["?"; ids.len()].join(", ")
        ));
        values.push(kind.into());
        values.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
    }
    if acts.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT d.kind, d.medical_id, COALESCE(d.qty_approved, d.qty_provided) AS qty, \
         c.date_from, c.date_to, c.status \
         FROM claim_claim c JOIN claim_detail d ON d.claim_id = c.id \
         WHERE c.insuree_id = ? AND c.validity_to IS NULL AND c.status IN ({STATUS_CHECKED}, \
         {STATUS_PROCESSED}, {STATUS_VALUATED}) AND c.id <> ? \
         AND d.validity_to IS NULL AND d.status = ? AND ({})",
        acts.join(" OR ")
    );
    let rows =
        EarlierRow::find_by_statement(imis_core::db::stmt(tx.get_database_backend(), &sql, values))
            .all(tx)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| EarlierLine {
            kind: LineKind::of(&r.kind),
            medical_id: r.medical_id,
            qty: r.qty,
            target_date: r.date_to.unwrap_or(r.date_from),
            claim_status: r.status,
        })
        .collect())
}

/// Writes the outcome: each line and the claim as a new version, the usage and consumption of a
/// Checked claim, the event.
async fn write(
    m: &mut MutationCtx<'_>,
    target: claim::Model,
    lines: Vec<detail::Model>,
    outcome: &rules::ClaimOutcome,
) -> AppResult<SubmittedClaim> {
    let state = m.state;
    let tx: &DatabaseTransaction = m.tx;
    let actor = m.actor();
    let now = state.clock.now();
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
    for (line, o) in lines.into_iter().zip(&outcome.lines) {
        let passed = o.status == LINE_PASSED;
        let counter = match (line.kind == KIND_SERVICE, passed) {
            (false, true) => &mut result.items_passed,
            (false, false) => &mut result.items_rejected,
            (true, true) => &mut result.services_passed,
            (true, false) => &mut result.services_rejected,
        };
        *counter += 1;
        let mut am =
            kit::new_version::<detail::ActiveModel>(tx, ENTITY_DETAIL, line, now, actor).await?;
        am.status = Set(o.status);
        am.rejection_reason = Set(Some(o.rejection_reason));
        am.qty_approved = Set(o.qty_approved);
        if let Some(j) = o.justification {
            am.justification = Set(Some(j.to_string()));
        }
        let a = o.assignment.as_ref();
        am.product_id = Set(a.map(|a| a.product_id));
        am.policy_id = Set(a.map(|a| a.policy_id));
        am.price_origin = Set(a.map(|a| a.price_origin.clone()));
        am.limitation = Set(a.map(|a| a.limitation.clone()));
        am.limitation_value = Set(a.map(|a| a.limitation_value));
        am.price_adjusted = Set(o.price_adjusted);
        am.rejection_facts = Set(if o.facts.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&o.facts)?)
        });
        am.update(tx).await?;
    }
    let (claim_id, insuree_id) = (target.id, target.insuree_id);
    let mut am =
        kit::new_version::<claim::ActiveModel>(tx, ENTITY_CLAIM, target, now, actor).await?;
    am.status = Set(outcome.status);
    am.rejection_reason = Set(outcome.rejection_reason);
    am.category = Set(Some(outcome.category.clone()));
    am.approved = Set(Some(outcome.approved));
    am.submit_stamp = Set(Some(now));
    am.audit_user_id_submit = Set(actor);
    let saved = am.update(tx).await?;
    if saved.status == STATUS_CHECKED {
        // Its usage (eligibility counts) and its consumption of deductibles and ceilings.
        super::processing::book_consumption(m, claim_id).await?;
    }
    m.link(ENTITY_CLAIM, claim_id);
    m.publish(
        CLAIM_SUBMITTED,
        serde_json::to_value(ClaimChanged {
            claim_id,
            claim_uuid: saved.uuid,
            insuree_id,
            health_facility_id: saved.health_facility_id,
            status: saved.status,
            claimed: saved.claimed,
            approved: saved.approved,
            valuated: saved.valuated,
        })?,
    )
    .await?;
    Ok(result)
}
