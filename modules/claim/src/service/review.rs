//! Review and feedback (D23, reference §1.6): selecting checked claims for review or feedback
//! (by list, by filter, or by sampling), skipping and bypassing them, the medical officer's review
//! of the lines (`saveClaimReview`) and its delivery (`deliverClaimsReview`).
//!
//! Both tracks share the statuses 1 idle, 2 not selected, 4 selected, 8 delivered, 16 bypassed,
//! and the moves the server allows (only a checked claim moves):
//!
//! | move | to | from |
//! | --- | --- | --- |
//! | select | 4 | 1, 2 |
//! | skip | 2 | 1, 4 |
//! | bypass | 16 | 4 |
//! | deliver | 8 | 4 (feedback: also 8, a correction) |
//!
//! A sampled selection (`selectionType`) considers only the idle claims (the candidates) and
//! moves each of them: to 4 when sampled, else to 2.

use super::feedback::{self, PromptOfficers};
use super::*;
use crate::entity::{claim, detail};
use crate::events::CLAIM_REVIEWED;
use crate::rights::{RIGHT_CLAIM_REVIEW, RIGHT_CLAIM_UPDATE};
use imis_core::AppError;
use imis_core::kit::{self, CurrentRows};
use imis_core::money::Money;
use imis_core::mutation::MutationCtx;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The review track or the feedback track of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Track {
    Review,
    Feedback,
}

impl Track {
    fn status_of(self, c: &claim::Model) -> i32 {
        match self {
            Track::Review => c.review_status,
            Track::Feedback => c.feedback_status,
        }
    }

    fn transition_code(self) -> &'static str {
        match self {
            Track::Review => "claim.review_transition_invalid",
            Track::Feedback => "claim.feedback_transition_invalid",
        }
    }
}

/// A change of a claim's review or feedback status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Move {
    Select,
    Skip,
    Bypass,
}

impl Move {
    fn target(self) -> i32 {
        match self {
            Move::Select => REVIEW_SELECTED,
            Move::Skip => REVIEW_NOT_SELECTED,
            Move::Bypass => REVIEW_BYPASSED,
        }
    }

    fn allowed_from(self) -> &'static [i32] {
        match self {
            Move::Select => &[REVIEW_IDLE, REVIEW_NOT_SELECTED],
            Move::Skip => &[REVIEW_IDLE, REVIEW_SELECTED],
            Move::Bypass => &[REVIEW_SELECTED],
        }
    }
}

/// Refuses a move reference §1.6 does not allow (`claim.review_transition_invalid` or
/// `claim.feedback_transition_invalid`, with the claim's code, status and track statuses): the
/// claim must be checked and its track status one of `from`.
pub(crate) fn check_move(track: Track, c: &claim::Model, from: &[i32], to: i32) -> AppResult<()> {
    let current = track.status_of(c);
    if c.status == STATUS_CHECKED && from.contains(&current) {
        return Ok(());
    }
    Err(AppError::domain(track.transition_code())
        .with("code", &c.code)
        .with("status", c.status)
        .with("from", current)
        .with("to", to))
}

/// How a selection samples its candidates (D23).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SelectionType {
    /// `value` percent of the candidates (rounded up), in random order.
    Random,
    /// The candidates whose claimed amount is at least `value`.
    Value,
    /// The candidates whose claimed amount is at least the average of their diagnosis's
    /// processed claims of the year before, increased by `value` percent.
    Variance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sampling {
    pub kind: SelectionType,
    pub value: Decimal,
}

/// What the mutation runs, claim by claim: each claim's uuid (the per-claim key) and its move.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// In the order of the request.
    keys: Vec<Uuid>,
    moves: HashMap<Uuid, Move>,
    /// Sampled: only idle claims move.
    idle_only: bool,
    /// The prompt officer of each claim that will be selected for feedback.
    prompts: PromptOfficers,
}

impl Plan {
    fn push(&mut self, uuid: Uuid, mv: Move) {
        if self.moves.insert(uuid, mv).is_none() {
            self.keys.push(uuid);
        }
    }

    /// The per-claim keys, in order.
    pub(crate) fn keys(&self) -> Vec<String> {
        self.keys.iter().map(Uuid::to_string).collect()
    }
}

/// Plans a select, skip or bypass (right 111010) of the claims `claims` (current ones the
/// caller may reach; a uuid that is not one still gets its own refusal when it runs). With
/// `sampling` (select only) the candidates are the idle checked claims among them; each moves to
/// selected or not selected. Reads only: the moves run afterwards, one claim at a time.
pub(crate) async fn plan(
    state: &AppState,
    principal: Option<&Principal>,
    track: Track,
    requested: Move,
    claims: ClaimSet,
    sampling: Option<Sampling>,
) -> AppResult<Plan> {
    let p = require(principal, &[RIGHT_CLAIM_UPDATE])?;
    if let Some(s) = sampling {
        check_sampling(s)?;
    }
    let prompting = track == Track::Feedback && requested == Move::Select;
    let mut plan = Plan::default();
    let rows = match claims {
        ClaimSet::Uuids(uuids) if sampling.is_none() => {
            for u in &uuids {
                plan.push(*u, requested);
            }
            if !prompting {
                return Ok(plan);
            }
            claims_by_uuids(state, p, &uuids).await?
        }
        ClaimSet::Uuids(uuids) => claims_by_uuids(state, p, &uuids).await?,
        ClaimSet::Rows(rows) => rows,
    };
    let selected: Vec<&claim::Model> = match sampling {
        None => {
            for c in &rows {
                plan.push(c.uuid, requested);
            }
            rows.iter().filter(|_| prompting).collect()
        }
        Some(s) => {
            plan.idle_only = true;
            let candidates: Vec<&claim::Model> = rows
                .iter()
                .filter(|c| c.status == STATUS_CHECKED && track.status_of(c) == REVIEW_IDLE)
                .collect();
            let chosen: HashSet<i64> = sample(state, &candidates, s).await?.into_iter().collect();
            for c in &candidates {
                let picked = chosen.contains(&c.id);
                plan.push(c.uuid, if picked { Move::Select } else { Move::Skip });
            }
            candidates
                .into_iter()
                .filter(|c| prompting && chosen.contains(&c.id))
                .collect()
        }
    };
    if !selected.is_empty() {
        plan.prompts = feedback::prompt_officers(state, &selected).await?;
    }
    Ok(plan)
}

/// The claims a selection applies to: listed by uuid, or already read (a filter's result).
pub(crate) enum ClaimSet {
    Uuids(Vec<Uuid>),
    Rows(Vec<claim::Model>),
}

fn check_sampling(s: Sampling) -> AppResult<()> {
    let ok = match s.kind {
        SelectionType::Random => s.value > Decimal::ZERO && s.value <= Decimal::ONE_HUNDRED,
        SelectionType::Value => !s.value.is_sign_negative(),
        // A whole percentage, as `claims(diagnosisVariance:)` takes it.
        SelectionType::Variance => variance_percent(s.value).is_some(),
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::validation("claim.selection_value_invalid")
            .with("selectionType", format!("{:?}", s.kind).to_uppercase())
            .with("selectionValue", s.value))
    }
}

/// The current claims with these uuids that `p` may reach.
async fn claims_by_uuids(
    state: &AppState,
    p: &Principal,
    uuids: &[Uuid],
) -> AppResult<Vec<claim::Model>> {
    let visible = visible_facility_ids(state, p).await?;
    let mut out = Vec::with_capacity(uuids.len());
    for chunk in uuids.chunks(500) {
        let mut q = claim::Entity::find()
            .filter(claim::Column::Uuid.is_in(chunk.iter().copied()))
            .current();
        if let Some(v) = visible.clone() {
            q = q.filter(claim::Column::HealthFacilityId.in_subquery(v));
        }
        out.extend(q.all(&state.db.conn).await?);
    }
    // Sorted here rather than in SQL (see `lock_claims`).
    out.sort_by_key(|c| c.id);
    Ok(out)
}

/// The ids of the candidates `s` picks (D23).
async fn sample(
    state: &AppState,
    candidates: &[&claim::Model],
    s: Sampling,
) -> AppResult<Vec<i64>> {
    let digits = state.config.core.currency_minor_digits;
    Ok(match s.kind {
        SelectionType::Random => {
            let n = Decimal::from(candidates.len());
            let count = (s.value * n / Decimal::ONE_HUNDRED).ceil();
            let count = count
                .to_usize()
                .unwrap_or(candidates.len())
                .min(candidates.len());
            // A random v4 uuid per candidate is a uniformly random order.
            let mut shuffled: Vec<(Uuid, i64)> =
                candidates.iter().map(|c| (Uuid::new_v4(), c.id)).collect();
            shuffled.sort_unstable();
            shuffled.into_iter().take(count).map(|(_, id)| id).collect()
        }
        SelectionType::Value => candidates
            .iter()
            .filter(|c| Money(c.claimed).to_decimal(digits) >= s.value)
            .map(|c| c.id)
            .collect(),
        SelectionType::Variance => {
            let percent = variance_percent(s.value).ok_or_else(AppError::internal)?;
            let condition = variance_condition(state.db.backend(), percent);
            let ids: Vec<i64> = candidates.iter().map(|c| c.id).collect();
            let mut chosen = Vec::new();
            for chunk in ids.chunks(500) {
                let found: Vec<i64> = claim::Entity::find()
                    .select_only()
                    .column(claim::Column::Id)
                    .filter(claim::Column::Id.is_in(chunk.iter().copied()))
                    .filter(condition.clone())
                    .into_tuple()
                    .all(&state.db.conn)
                    .await?;
                chosen.extend(found);
            }
            chosen
        }
    })
}

/// A VARIANCE selection value as the whole, non-negative percentage the claims list's
/// variance condition takes (one definition of D23's variance for both).
fn variance_percent(v: Decimal) -> Option<i32> {
    (v.fract().is_zero() && !v.is_sign_negative())
        .then(|| v.to_i32())
        .flatten()
}

/// What a move did to one claim, as the mutation log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatusChange {
    pub code: String,
    pub status: i32,
}

/// Runs the planned move of one claim (right 111010): under the claim's lock, checks the move
/// is allowed from the claim's current statuses, sets the track status, and for feedback opens
/// the prompt (select) or closes it (skip, bypass).
pub(crate) async fn move_claim(
    m: &mut MutationCtx<'_>,
    track: Track,
    plan: &Plan,
    uuid: Uuid,
) -> AppResult<StatusChange> {
    let p = require(m.principal, &[RIGHT_CLAIM_UPDATE])?;
    let tx: &DatabaseTransaction = m.tx;
    let old = lock_claim(m.state, tx, p, uuid).await?;
    let mv = *plan
        .moves
        .get(&uuid)
        .ok_or_else(|| AppError::not_found("claim").with("uuid", uuid))?;
    let from: &[i32] = if plan.idle_only {
        &[REVIEW_IDLE]
    } else {
        mv.allowed_from()
    };
    check_move(track, &old, from, mv.target())?;
    if track == Track::Feedback {
        match mv {
            Move::Select => {
                let officer = match plan.prompts.get(&old.id) {
                    Some(Ok(officer)) => officer.clone(),
                    Some(Err(why)) => {
                        return Err(feedback::no_officer_error(tx, &old.code, why).await?);
                    }
                    // Not read by the plan: the claim was out of reach or not current then.
                    None => return Err(AppError::not_found("claim").with("uuid", uuid)),
                };
                let prompt = feedback::open_prompt(m, old.id, &officer).await?;
                m.link(ENTITY_FEEDBACK_PROMPT, prompt.id);
            }
            Move::Skip | Move::Bypass => {
                feedback::close_prompts(m, old.id).await?;
            }
        }
    }
    let (id, code) = (old.id, old.code.clone());
    let mut am: claim::ActiveModel =
        kit::new_version(tx, ENTITY_CLAIM, old, m.state.clock.now(), m.actor()).await?;
    match track {
        Track::Review => am.review_status = Set(mv.target()),
        Track::Feedback => am.feedback_status = Set(mv.target()),
    }
    am.update(tx).await?;
    m.link(ENTITY_CLAIM, id);
    Ok(StatusChange {
        code,
        status: mv.target(),
    })
}

/// The reviewer's decision on one line (openIMIS `ClaimItemInputType` / `ClaimServiceInputType`
/// as the review sends them). Absent values keep what the line has.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReviewLine {
    /// The line's id; absent: the claim's one current line of this item or service.
    pub id: Option<i64>,
    /// `I` or `S`.
    pub kind: &'static str,
    /// The medical item or service id.
    pub medical_id: i64,
    /// 1 passed, 2 rejected.
    pub status: i32,
    /// Hundredths.
    pub qty_approved: Option<i64>,
    /// Minor units.
    pub price_approved: Option<i64>,
    pub justification: Option<String>,
}

/// The review of one claim (`saveClaimReview`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Review {
    pub adjustment: Option<String>,
    pub lines: Vec<ReviewLine>,
    /// Deliver the review too (`submitReview`).
    pub deliver: bool,
}

/// A line the medical officer rejects gets this reason (reference §1.2).
const REJECTED_BY_REVIEWER: i32 = -1;

/// `saveClaimReview` (right 111008): records the medical officer's decision on the given lines
/// of a checked claim whose review is neither delivered nor bypassed: approved quantity (at most
/// the quantity provided), approved price, justification, passed or rejected (a line the
/// reviewer rejects gets reason −1; a line the submission checks rejected stays rejected).
/// Changed lines and the claim get new versions (D7); `approved` is recomputed over the passed
/// lines and the claim's usage (eligibility counts) recorded again. Every line rejected: the
/// claim is Rejected (1), its consumption and usage closed, and `claim.reviewed` published. With
/// `deliver`, the review is delivered as [`deliver_review`] does.
pub(crate) async fn save_claim_review(
    m: &mut MutationCtx<'_>,
    claim_uuid: Uuid,
    review: &Review,
) -> AppResult<i64> {
    let p = require(m.principal, &[RIGHT_CLAIM_REVIEW])?;
    let tx: &DatabaseTransaction = m.tx;
    let old = lock_claim(m.state, tx, p, claim_uuid).await?;
    if old.status != STATUS_CHECKED
        || [REVIEW_DELIVERED, REVIEW_BYPASSED].contains(&old.review_status)
    {
        return Err(AppError::domain("claim.not_reviewable")
            .with("code", &old.code)
            .with("status", old.status)
            .with("reviewStatus", old.review_status));
    }
    if review.deliver {
        check_move(Track::Review, &old, &[REVIEW_SELECTED], REVIEW_DELIVERED)?;
    }
    let lines = detail::Entity::find()
        .filter(detail::Column::ClaimId.eq(old.id))
        .current()
        .order_by_asc(detail::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    let now = m.state.clock.now();
    let mut after: HashMap<i64, detail::Model> = lines.iter().map(|l| (l.id, l.clone())).collect();
    let mut seen = Vec::with_capacity(review.lines.len());
    for given in &review.lines {
        let line = find_line(&lines, given, &old.code)?;
        if seen.contains(&line.id) {
            return Err(AppError::validation("claim.review_line_repeated")
                .with("code", &old.code)
                .with("line", line.id));
        }
        seen.push(line.id);
        let Some(changed) = reviewed_line(line, given, &old.code)? else {
            continue;
        };
        let mut am: detail::ActiveModel =
            kit::new_version(tx, ENTITY_DETAIL, line.clone(), now, m.actor()).await?;
        am.status = Set(changed.status);
        am.rejection_reason = Set(changed.rejection_reason);
        am.qty_approved = Set(changed.qty_approved);
        am.price_approved = Set(changed.price_approved);
        am.justification = Set(changed.justification.clone());
        am.validity_from_review = Set(Some(now));
        am.audit_user_id_review = Set(m.actor());
        after.insert(line.id, am.update(tx).await?);
    }
    let passed: Vec<&detail::Model> = after.values().filter(|l| l.status == LINE_PASSED).collect();
    let approved = super::rules::approved_amount(passed.iter().map(|l| {
        (
            l.qty_approved.unwrap_or(l.qty_provided),
            l.price_approved
                .or(l.price_adjusted)
                .unwrap_or(l.price_asked),
        )
    }));
    let all_rejected = passed.is_empty();
    let claim_id = old.id;
    let mut am: claim::ActiveModel =
        kit::new_version(tx, ENTITY_CLAIM, old, now, m.actor()).await?;
    if let Some(adjustment) = &review.adjustment {
        am.adjustment = Set(Some(adjustment.clone()).filter(|a| !a.trim().is_empty()));
    }
    am.approved = Set(Some(approved));
    if all_rejected {
        am.status = Set(STATUS_REJECTED);
        am.rejection_reason = Set(1);
    }
    let saved = am.update(tx).await?;
    if !review.deliver {
        // Delivery links it.
        m.link(ENTITY_CLAIM, claim_id);
    }
    if all_rejected {
        super::processing::close_claim_consumption(m, claim_id).await?;
    } else if !review.deliver {
        // The eligibility counts follow the approved quantities now (delivery records them).
        super::processing::record_usage(m, &saved, after.values()).await?;
    }
    if review.deliver {
        deliver(m, saved).await?;
    } else if all_rejected {
        // Checked → Rejected: subscribers learn it as from a delivered review.
        publish_reviewed(m, &saved).await?;
    }
    Ok(claim_id)
}

/// The current line a review names: by id (it must be a line of this claim, of the kind
/// given), else the claim's one line of that item or service.
fn find_line<'a>(
    lines: &'a [detail::Model],
    given: &ReviewLine,
    code: &str,
) -> AppResult<&'a detail::Model> {
    let unknown = || {
        AppError::validation("claim.review_line_unknown")
            .with("code", code)
            .with("line", given.id.unwrap_or(given.medical_id))
    };
    if let Some(id) = given.id {
        return lines
            .iter()
            .find(|l| l.id == id && l.kind == given.kind)
            .ok_or_else(unknown);
    }
    let mut same = lines
        .iter()
        .filter(|l| l.kind == given.kind && l.medical_id == given.medical_id);
    match (same.next(), same.next()) {
        (Some(line), None) => Ok(line),
        (None, _) => Err(unknown()),
        (Some(_), Some(_)) => Err(AppError::validation("claim.review_line_ambiguous")
            .with("code", code)
            .with("medicalId", given.medical_id)),
    }
}

/// A line's reviewed values, or `None` when the review changes nothing on it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReviewedLine {
    status: i32,
    rejection_reason: Option<i32>,
    qty_approved: Option<i64>,
    price_approved: Option<i64>,
    justification: Option<String>,
}

fn reviewed_line(
    line: &detail::Model,
    given: &ReviewLine,
    code: &str,
) -> AppResult<Option<ReviewedLine>> {
    let (status, rejection_reason) = match given.status {
        LINE_PASSED if line.status == LINE_PASSED => (LINE_PASSED, line.rejection_reason),
        LINE_PASSED if line.rejection_reason == Some(REJECTED_BY_REVIEWER) => {
            (LINE_PASSED, Some(0))
        }
        // The checks rejected it (no cover, no price…): a review cannot make it payable.
        LINE_PASSED => {
            return Err(AppError::domain("claim.review_line_rejected_by_checks")
                .with("code", code)
                .with("line", line.id)
                .with("reason", line.rejection_reason.unwrap_or(0)));
        }
        LINE_REJECTED if line.status == LINE_REJECTED => (LINE_REJECTED, line.rejection_reason),
        LINE_REJECTED => (LINE_REJECTED, Some(REJECTED_BY_REVIEWER)),
        other => {
            return Err(AppError::invalid(
                "status",
                &format!("{other} is not a line status (1 passed, 2 rejected)"),
            ));
        }
    };
    let qty_approved = given.qty_approved.or(line.qty_approved);
    if let Some(q) = given.qty_approved
        && q > line.qty_provided
    {
        return Err(AppError::validation("claim.review_qty_above_provided")
            .with("code", code)
            .with("line", line.id)
            .with("qtyApproved", Decimal::new(q, 2).normalize())
            .with(
                "qtyProvided",
                Decimal::new(line.qty_provided, 2).normalize(),
            ));
    }
    let out = ReviewedLine {
        status,
        rejection_reason,
        qty_approved,
        price_approved: given.price_approved.or(line.price_approved),
        justification: given.justification.clone().or(line.justification.clone()),
    };
    let unchanged = out.status == line.status
        && out.rejection_reason == line.rejection_reason
        && out.qty_approved == line.qty_approved
        && out.price_approved == line.price_approved
        && out.justification == line.justification;
    Ok((!unchanged).then_some(out))
}

/// `deliverClaimsReview` for one claim (right 111008): a checked claim selected for review gets
/// review status 8 and the reviewer as `audit_user_id_review`; its deductible and ceiling
/// consumption is booked again with the reviewed quantities and prices (D21), and
/// `claim.reviewed` is published.
pub(crate) async fn deliver_review(m: &mut MutationCtx<'_>, claim_uuid: Uuid) -> AppResult<i64> {
    let p = require(m.principal, &[RIGHT_CLAIM_REVIEW])?;
    let tx: &DatabaseTransaction = m.tx;
    let old = lock_claim(m.state, tx, p, claim_uuid).await?;
    check_move(Track::Review, &old, &[REVIEW_SELECTED], REVIEW_DELIVERED)?;
    deliver(m, old).await
}

/// Marks the review of `old` (locked, checked before) delivered, re-books a checked claim's
/// consumption and publishes `claim.reviewed`.
async fn deliver(m: &mut MutationCtx<'_>, old: claim::Model) -> AppResult<i64> {
    let tx: &DatabaseTransaction = m.tx;
    let id = old.id;
    let now = m.state.clock.now();
    let mut am: claim::ActiveModel =
        kit::new_version(tx, ENTITY_CLAIM, old, now, m.actor()).await?;
    am.review_status = Set(REVIEW_DELIVERED);
    am.audit_user_id_review = Set(m.actor());
    let c = am.update(tx).await?;
    m.link(ENTITY_CLAIM, id);
    if c.status == STATUS_CHECKED {
        super::processing::book_consumption(m, id).await?;
    }
    publish_reviewed(m, &c).await?;
    Ok(id)
}

/// Publishes `claim.reviewed` with the claim as it stands.
async fn publish_reviewed(m: &MutationCtx<'_>, c: &claim::Model) -> AppResult<()> {
    m.publish(CLAIM_REVIEWED, super::processing::changed(c)?)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(status: i32, review: i32, feedback: i32) -> claim::Model {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        claim::Model {
            id: 1,
            uuid: Uuid::nil(),
            code: "C1".into(),
            code_search: "C1".into(),
            insuree_id: 1,
            health_facility_id: 1,
            admin_id: None,
            date_from: d,
            date_to: None,
            date_claimed: d,
            date_processed: None,
            icd_id: 1,
            icd1_id: None,
            icd2_id: None,
            icd3_id: None,
            icd4_id: None,
            visit_type: "O".into(),
            refer_from_id: None,
            refer_to_id: None,
            referral_code: None,
            care_type: None,
            patient_condition: None,
            pre_authorization: false,
            guarantee_id: None,
            explanation: None,
            adjustment: None,
            category: None,
            status,
            review_status: review,
            feedback_status: feedback,
            approval_status: 1,
            rejection_reason: 0,
            claimed: 1000,
            approved: None,
            valuated: None,
            remunerated: None,
            feedback_available: false,
            batch_run_id: None,
            submit_stamp: None,
            process_stamp: None,
            audit_user_id_submit: None,
            audit_user_id_review: None,
            audit_user_id_process: None,
            validity_from_review: None,
            validity_to_review: None,
            restore_id: None,
            json_ext: None,
            validity_from: chrono::Utc::now(),
            validity_to: None,
            audit_user_id: None,
        }
    }

    #[test]
    fn moves_follow_the_reference_table() {
        let cases = [
            (Move::Select, REVIEW_IDLE, true),
            (Move::Select, REVIEW_NOT_SELECTED, true),
            (Move::Select, REVIEW_SELECTED, false),
            (Move::Select, REVIEW_DELIVERED, false),
            (Move::Skip, REVIEW_IDLE, true),
            (Move::Skip, REVIEW_SELECTED, true),
            (Move::Skip, REVIEW_NOT_SELECTED, false),
            (Move::Skip, REVIEW_BYPASSED, false),
            (Move::Bypass, REVIEW_SELECTED, true),
            (Move::Bypass, REVIEW_IDLE, false),
            (Move::Bypass, REVIEW_DELIVERED, false),
        ];
        for (mv, from, allowed) in cases {
            for track in [Track::Review, Track::Feedback] {
                let c = match track {
                    Track::Review => claim(STATUS_CHECKED, from, REVIEW_IDLE),
                    Track::Feedback => claim(STATUS_CHECKED, REVIEW_IDLE, from),
                };
                let r = check_move(track, &c, mv.allowed_from(), mv.target());
                assert_eq!(r.is_ok(), allowed, "{track:?} {mv:?} from {from}");
            }
        }
        // Only a checked claim moves.
        for status in [
            STATUS_ENTERED,
            STATUS_REJECTED,
            STATUS_PROCESSED,
            STATUS_VALUATED,
        ] {
            let e = check_move(
                Track::Review,
                &claim(status, REVIEW_IDLE, REVIEW_IDLE),
                Move::Select.allowed_from(),
                REVIEW_SELECTED,
            )
            .unwrap_err();
            assert_eq!(e.code, "claim.review_transition_invalid");
            assert_eq!(e.params["status"], status.to_string());
        }
    }

    #[test]
    fn a_variance_is_a_whole_percentage() {
        let d = |v: &str| v.parse::<Decimal>().unwrap();
        assert_eq!(variance_percent(d("10")), Some(10));
        assert_eq!(variance_percent(d("0")), Some(0));
        assert_eq!(variance_percent(d("12.5")), None);
        assert_eq!(variance_percent(d("-1")), None);
        assert_eq!(variance_percent(d("3000000000")), None);
    }
}
