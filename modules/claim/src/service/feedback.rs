//! Feedback on claims (reference §1.6.3): the prompt made when a claim is selected for feedback
//! (the enrolment officer who will collect it), its closing when the claim is skipped, bypassed
//! or its feedback delivered, and `deliverClaimFeedback`.
//!
//! The officer asked is the first current enrolment officer with a phone number among those
//! working in the insuree's current village, then in its family's village (lowest user id first
//! within a village); the phone number is copied onto the prompt, since the prompt is what is sent
//! by text message and the officer's number may change afterwards.

use super::review::{Track, check_move};
use super::*;
use crate::entity::{claim, feedback, feedback_prompt};
use crate::rights::RIGHT_CLAIM_FEEDBACK;
use chrono::NaiveDate;
use imis_core::AppError;
use imis_core::kit::{self, CurrentRows};
use imis_core::mutation::MutationCtx;
use imis_core::registers;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Ids are read from the other modules' registers this many at a time.
const CHUNK: usize = 500;

/// The officer a claim's feedback prompt goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PromptOfficer {
    pub officer_id: i64,
    pub phone: String,
}

/// Why a claim has no officer to prompt: the villages looked at (the insuree's, then its
/// family's) and the officers working there who have no phone number (their codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoOfficer {
    pub villages: Vec<i64>,
    pub without_phone: Vec<String>,
}

/// For each claim (by id), the officer its prompt goes to, or why there is none.
pub(crate) type PromptOfficers = HashMap<i64, Result<PromptOfficer, NoOfficer>>;

/// The prompt officer of each of `claims`, read in a fixed number of queries: the insurees,
/// their families, and the officers working in their villages (those villages only).
pub(crate) async fn prompt_officers(
    state: &AppState,
    claims: &[&claim::Model],
) -> AppResult<PromptOfficers> {
    let conn = &state.db.conn;
    if claims.is_empty() {
        return Ok(HashMap::new());
    }
    let insuree_ids: Vec<i64> = unique(claims.iter().map(|c| c.insuree_id));
    let mut insurees = HashMap::new();
    for chunk in insuree_ids.chunks(CHUNK) {
        insurees.extend(imis_insuree::api::insurees_by_ids(conn, chunk).await?);
    }
    let family_ids: Vec<i64> = unique(insurees.values().filter_map(|i| i.family_id));
    let mut families = HashMap::new();
    for chunk in family_ids.chunks(CHUNK) {
        families.extend(imis_insuree::api::families_by_ids(conn, chunk).await?);
    }
    // The villages to look at for each claim, the insuree's own first.
    let villages_of: HashMap<i64, Vec<i64>> = claims
        .iter()
        .map(|c| {
            let insuree = insurees.get(&c.insuree_id);
            let own = insuree.and_then(|i| i.current_village_id);
            let family = insuree
                .and_then(|i| i.family_id)
                .and_then(|f| families.get(&f))
                .map(|f| f.location_id);
            let mut villages = Vec::with_capacity(2);
            for v in [own, family].into_iter().flatten() {
                if !villages.contains(&v) {
                    villages.push(v);
                }
            }
            (c.id, villages)
        })
        .collect();
    let wanted: Vec<i64> = unique(villages_of.values().flatten().copied());
    let officers_in = registers::officers_of_villages(conn, &wanted).await?;
    let today = state.clock.today();
    Ok(villages_of
        .into_iter()
        .map(|(claim_id, villages)| {
            let mut without_phone = Vec::new();
            for officer in villages
                .iter()
                .flat_map(|v| officers_in.get(v).into_iter().flatten())
                .filter(|o| working_on(o, today))
            {
                match officer
                    .phone
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    Some(phone) => {
                        return (
                            claim_id,
                            Ok(PromptOfficer {
                                officer_id: officer.id,
                                phone: phone.to_string(),
                            }),
                        );
                    }
                    None => {
                        let code = officer.display_code().to_string();
                        if !without_phone.contains(&code) {
                            without_phone.push(code);
                        }
                    }
                }
            }
            (
                claim_id,
                Err(NoOfficer {
                    villages,
                    without_phone,
                }),
            )
        })
        .collect())
}

fn unique(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut v: Vec<i64> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Whether the officer still works on `today` (no end, or an end not passed).
fn working_on(o: &registers::Officer, today: NaiveDate) -> bool {
    o.works_to.is_none_or(|end| end >= today)
}

/// `claim.feedback_no_officer` for claim `code`, naming the villages by code.
pub(crate) async fn no_officer_error(
    tx: &DatabaseTransaction,
    code: &str,
    why: &NoOfficer,
) -> AppResult<AppError> {
    let mut villages = Vec::with_capacity(why.villages.len());
    for v in &why.villages {
        villages.push(
            registers::location_code(tx, *v)
                .await?
                .unwrap_or_else(|| v.to_string()),
        );
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    Ok(AppError::domain("claim.feedback_no_officer")
        .with("code", code)
        .with("villages", list(&villages))
        .with("officers", list(&why.without_phone)))
}

/// Opens the feedback prompt of a claim just selected for feedback (closing any prompt still
/// open), dated today, for `officer`.
pub(crate) async fn open_prompt(
    m: &MutationCtx<'_>,
    claim_id: i64,
    officer: &PromptOfficer,
) -> AppResult<feedback_prompt::Model> {
    close_prompts(m, claim_id).await?;
    kit::insert_version(
        m.tx,
        feedback_prompt::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            claim_id: Set(claim_id),
            feedback_prompt_date: Set(m.state.clock.today()),
            officer_id: Set(Some(officer.officer_id)),
            phone_number: Set(Some(officer.phone.clone())),
            sms_status: Set(None),
            ..Default::default()
        },
        m.state.clock.now(),
        m.actor(),
    )
    .await
}

/// Ends every open prompt of a claim (skipped, bypassed, feedback delivered, or prompted
/// again). Returns the officer of the last prompt closed.
pub(crate) async fn close_prompts(m: &MutationCtx<'_>, claim_id: i64) -> AppResult<Option<i64>> {
    let tx: &DatabaseTransaction = m.tx;
    let open = feedback_prompt::Entity::find()
        .filter(feedback_prompt::Column::ClaimId.eq(claim_id))
        .current()
        .order_by_asc(feedback_prompt::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    let mut officer = None;
    let now = m.state.clock.now();
    for prompt in open {
        officer = prompt.officer_id.or(officer);
        kit::close_version::<feedback_prompt::ActiveModel>(
            tx,
            ENTITY_FEEDBACK_PROMPT,
            prompt,
            now,
            m.actor(),
        )
        .await?;
    }
    Ok(officer)
}

/// What an enrolment officer collected from the insuree (openIMIS `FeedbackInputType`).
#[derive(Debug, Clone, Default)]
pub(crate) struct FeedbackInput {
    pub feedback_date: Option<NaiveDate>,
    /// The officer (a core user) who collected it; absent: the officer the claim's prompt went to.
    pub officer_id: Option<i64>,
    pub care_rendered: Option<bool>,
    pub payment_asked: Option<bool>,
    pub drug_prescribed: Option<bool>,
    pub drug_received: Option<bool>,
    /// −1 to 5.
    pub asessment: Option<i32>,
}

/// `deliverClaimFeedback` (right 111009): records the feedback of a claim selected for feedback
/// (or corrects the feedback already delivered: a new version of its one current row), marks the
/// claim's feedback delivered (8) and available, and closes its prompt. Returns the feedback row.
pub(crate) async fn deliver_claim_feedback(
    m: &mut MutationCtx<'_>,
    claim_uuid: Uuid,
    input: &FeedbackInput,
) -> AppResult<feedback::Model> {
    let p = require(m.principal, &[RIGHT_CLAIM_FEEDBACK])?;
    let tx: &DatabaseTransaction = m.tx;
    let old = lock_claim(m.state, tx, p, claim_uuid).await?;
    check_move(
        Track::Feedback,
        &old,
        &[REVIEW_SELECTED, REVIEW_DELIVERED],
        REVIEW_DELIVERED,
    )?;
    let today = m.state.clock.today();
    let date = input
        .feedback_date
        .ok_or_else(|| AppError::invalid("feedbackDate", "required"))?;
    if date > today {
        return Err(AppError::validation("claim.feedback_date_future")
            .with("code", &old.code)
            .with("date", date));
    }
    if date < old.date_from {
        return Err(AppError::validation("claim.feedback_date_before_care")
            .with("code", &old.code)
            .with("date", date)
            .with("dateFrom", old.date_from));
    }
    if let Some(a) = input.asessment
        && !(-1..=5).contains(&a)
    {
        return Err(AppError::invalid("asessment", "must be between -1 and 5"));
    }
    if let Some(officer) = input.officer_id
        && registers::officer_by_id(tx, officer).await?.is_none()
    {
        return Err(
            AppError::validation("claim.feedback_officer_unknown").with("officerId", officer)
        );
    }
    let prompted = close_prompts(m, old.id).await?;
    let officer_id = input.officer_id.or(prompted);
    let now = m.state.clock.now();
    let current = feedback::Entity::find()
        .filter(feedback::Column::ClaimId.eq(old.id))
        .current()
        .lock_exclusive()
        .one(tx)
        .await?;
    let fill = |am: &mut feedback::ActiveModel| {
        am.care_rendered = Set(input.care_rendered);
        am.payment_asked = Set(input.payment_asked);
        am.drug_prescribed = Set(input.drug_prescribed);
        am.drug_received = Set(input.drug_received);
        am.asessment = Set(input.asessment);
        am.officer_id = Set(officer_id);
        am.feedback_date = Set(Some(date));
    };
    let row = match current {
        Some(existing) => {
            let mut am: feedback::ActiveModel =
                kit::new_version(tx, ENTITY_FEEDBACK, existing, now, m.actor()).await?;
            fill(&mut am);
            am.update(tx).await?
        }
        None => {
            let mut am = feedback::ActiveModel {
                uuid: Set(Uuid::now_v7()),
                claim_id: Set(old.id),
                ..Default::default()
            };
            fill(&mut am);
            kit::insert_version(tx, am, now, m.actor()).await?
        }
    };
    let claim_id = old.id;
    let mut am: claim::ActiveModel =
        kit::new_version(tx, ENTITY_CLAIM, old, now, m.actor()).await?;
    am.feedback_status = Set(REVIEW_DELIVERED);
    am.feedback_available = Set(true);
    am.update(tx).await?;
    m.link(ENTITY_CLAIM, claim_id);
    m.link(ENTITY_FEEDBACK, row.id);
    Ok(row)
}
