//! Claim entry: `createClaim` and `updateClaim` (reference §1.4). A claim is entered Entered
//! (2) with its item and service lines (status 1, passed); `claimed` = Σ priceAsked ×
//! qtyProvided. An update replaces the whole claim: header fields as sent (the previous version
//! goes to history) and every line closed and re-created; it is allowed only while the claim is
//! Entered (a Checked claim changes through its review).
//!
//! The rules are checked in `entry_checks` ([`check_entry`]); this file converts what passed into
//! rows.

use super::entry_checks::{
    CheckedClaim, CheckedLine, QTY_DIGITS, check_entry, code_taken_error, generated_code, text,
};
use super::*;
use crate::config::ClaimConfig;
use crate::entity::{claim, detail};
use crate::rights::{RIGHT_CLAIM_ADD, RIGHT_CLAIM_UPDATE};
use chrono::NaiveDate;
use imis_core::AppError;
use imis_core::kit::{self, CurrentRows};
use imis_core::money::Money;
use imis_core::mutation::MutationCtx;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// One item or service line as the client sent it.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineEntry {
    /// The medical item (service) id.
    pub(crate) medical_id: i64,
    pub(crate) qty_provided: Option<Decimal>,
    pub(crate) price_asked: Option<Decimal>,
    pub(crate) explanation: Option<String>,
    pub(crate) justification: Option<String>,
}

/// A claim as the client sent it to `createClaim` or `updateClaim`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClaimEntry {
    /// The new claim's uuid (D4: a create retried with the same uuid answers the same claim).
    pub(crate) uuid: Option<Uuid>,
    pub(crate) code: String,
    /// The server generates the code (create only).
    pub(crate) autogenerate: bool,
    pub(crate) insuree_id: i64,
    pub(crate) date_from: NaiveDate,
    pub(crate) date_to: Option<NaiveDate>,
    pub(crate) date_claimed: NaiveDate,
    pub(crate) icd_id: i64,
    /// `icd1Id` to `icd4Id`.
    pub(crate) secondary_icd_ids: [Option<i64>; 4],
    pub(crate) health_facility_id: i64,
    pub(crate) refer_from_id: Option<i64>,
    pub(crate) refer_to_id: Option<i64>,
    pub(crate) visit_type: Option<String>,
    pub(crate) admin_id: Option<i64>,
    pub(crate) guarantee_id: Option<String>,
    pub(crate) explanation: Option<String>,
    pub(crate) adjustment: Option<String>,
    pub(crate) json_ext: Option<serde_json::Value>,
    /// The rejected claim this one restores (create only).
    pub(crate) restore: Option<Uuid>,
    pub(crate) care_type: Option<String>,
    pub(crate) pre_authorization: Option<bool>,
    pub(crate) patient_condition: Option<String>,
    pub(crate) referral_code: Option<String>,
    pub(crate) items: Vec<LineEntry>,
    pub(crate) services: Vec<LineEntry>,
}

/// Sets the header columns an entry gives (the same on create and update: an update replaces
/// them all).
fn set_header(am: &mut claim::ActiveModel, e: &ClaimEntry, c: &CheckedClaim, code: &str) {
    am.code = Set(code.to_string());
    am.code_search = Set(imis_core::text::fold(code));
    am.insuree_id = Set(e.insuree_id);
    am.health_facility_id = Set(e.health_facility_id);
    am.admin_id = Set(c.admin_id);
    am.date_from = Set(e.date_from);
    am.date_to = Set(e.date_to);
    am.date_claimed = Set(e.date_claimed);
    am.icd_id = Set(e.icd_id);
    am.icd1_id = Set(e.secondary_icd_ids[0]);
    am.icd2_id = Set(e.secondary_icd_ids[1]);
    am.icd3_id = Set(e.secondary_icd_ids[2]);
    am.icd4_id = Set(e.secondary_icd_ids[3]);
    am.visit_type = Set(c.visit_type.clone());
    am.refer_from_id = Set(e.refer_from_id);
    am.refer_to_id = Set(e.refer_to_id);
    am.referral_code = Set(c.referral_code.clone());
    am.care_type = Set(c.care_type.clone());
    am.patient_condition = Set(c.patient_condition.clone());
    am.pre_authorization = Set(e.pre_authorization.unwrap_or(false));
    am.guarantee_id = Set(c.guarantee_id.clone());
    am.explanation = Set(text(&e.explanation));
    am.adjustment = Set(text(&e.adjustment));
    am.json_ext = Set(c.json_ext.clone());
    am.claimed = Set(c.claimed);
}

/// Inserts the lines of a claim (new lines pass: status 1).
async fn insert_lines(m: &MutationCtx<'_>, claim_id: i64, lines: &[CheckedLine]) -> AppResult<()> {
    let now = m.state.clock.now();
    for l in lines {
        kit::insert_version(
            m.tx,
            detail::ActiveModel {
                uuid: Set(Uuid::now_v7()),
                claim_id: Set(claim_id),
                kind: Set(l.kind.to_string()),
                medical_id: Set(l.medical_id),
                status: Set(LINE_PASSED),
                availability: Set(true),
                qty_provided: Set(l.qty),
                qty_approved: Set(None),
                price_asked: Set(l.price),
                price_adjusted: Set(None),
                price_approved: Set(None),
                price_valuated: Set(None),
                remunerated_amount: Set(None),
                deductable_amount: Set(None),
                exceed_ceiling_amount: Set(None),
                exceed_ceiling_amount_category: Set(None),
                product_id: Set(None),
                policy_id: Set(None),
                price_origin: Set(None),
                limitation: Set(None),
                limitation_value: Set(None),
                explanation: Set(l.explanation.clone()),
                justification: Set(l.justification.clone()),
                rejection_reason: Set(None),
                rejection_facts: Set(None),
                validity_from_review: Set(None),
                validity_to_review: Set(None),
                audit_user_id_review: Set(None),
                ..Default::default()
            },
            now,
            m.actor(),
        )
        .await?;
    }
    Ok(())
}

/// Whether `existing` (with its current `lines`) holds what `e` sends: a create retried with
/// the same uuid (D4). A generated code is not compared.
fn same_content(
    existing: &claim::Model,
    lines: &[detail::Model],
    e: &ClaimEntry,
    digits: u32,
) -> bool {
    let header = (e.autogenerate || existing.code == e.code.trim())
        && existing.insuree_id == e.insuree_id
        && existing.health_facility_id == e.health_facility_id
        && existing.date_from == e.date_from
        && existing.date_to == e.date_to
        && existing.date_claimed == e.date_claimed
        && existing.icd_id == e.icd_id
        && [
            existing.icd1_id,
            existing.icd2_id,
            existing.icd3_id,
            existing.icd4_id,
        ] == e.secondary_icd_ids;
    let sent = e
        .items
        .iter()
        .map(|l| (KIND_ITEM, l))
        .chain(e.services.iter().map(|l| (KIND_SERVICE, l)));
    let stored = |kind: &str, l: &LineEntry| {
        let qty = l
            .qty_provided
            .and_then(|q| Money::parse("qtyProvided", q, QTY_DIGITS).ok());
        let price = l
            .price_asked
            .and_then(|p| Money::parse("priceAsked", p, digits).ok());
        (
            kind.to_string(),
            l.medical_id,
            qty.map(|q| q.0),
            price.map(|p| p.0),
        )
    };
    let mut wanted: Vec<_> = sent.map(|(k, l)| stored(k, l)).collect();
    let mut have: Vec<_> = lines
        .iter()
        .map(|l| {
            (
                l.kind.clone(),
                l.medical_id,
                Some(l.qty_provided),
                Some(l.price_asked),
            )
        })
        .collect();
    wanted.sort();
    have.sort();
    header && wanted == have
}

/// `createClaim` (111002; 111012 to restore a rejected claim): a new Entered claim with its
/// lines, and `true`; or, for a create retried with the uuid and content of a claim already
/// created (D4), that claim and `false`. With `autogenerate` the server draws the code
/// (recorded as the mutation's `autogeneratedCode`).
pub(crate) async fn create_claim(
    m: &mut MutationCtx<'_>,
    e: &ClaimEntry,
) -> AppResult<(claim::Model, bool)> {
    let p = require(m.principal, &[RIGHT_CLAIM_ADD])?;
    let cfg = ClaimConfig::from_config(&m.state.config);
    let tx: &DatabaseTransaction = m.tx;
    if let Some(u) = e.uuid
        && let Some(existing) = claim::Entity::find()
            .filter(claim::Column::Uuid.eq(u))
            .one(tx)
            .await?
    {
        let lines = current_lines_of(tx, &[existing.id]).await?;
        let digits = m.state.config.core.currency_minor_digits;
        let lines = lines.get(&existing.id).map(Vec::as_slice).unwrap_or(&[]);
        if existing.validity_to.is_none()
            && facility_reachable(m.state, p, existing.health_facility_id).await?
            && same_content(&existing, lines, e, digits)
        {
            return Ok((existing, false));
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", u));
    }
    let checked = check_entry(m, p, e, None, &cfg).await?;
    let code = match &checked.code {
        Some(c) => c.clone(),
        None => {
            let code = generated_code(tx, m.state.clock.today(), &cfg).await?;
            m.autogenerated_code = Some(code.clone());
            code
        }
    };
    let now = m.state.clock.now();
    let mut am = claim::ActiveModel {
        uuid: Set(e.uuid.unwrap_or_else(Uuid::now_v7)),
        date_processed: Set(None),
        category: Set(None),
        status: Set(STATUS_ENTERED),
        review_status: Set(REVIEW_IDLE),
        feedback_status: Set(REVIEW_IDLE),
        approval_status: Set(1),
        rejection_reason: Set(0),
        approved: Set(None),
        valuated: Set(None),
        remunerated: Set(None),
        feedback_available: Set(false),
        batch_run_id: Set(None),
        submit_stamp: Set(None),
        process_stamp: Set(None),
        audit_user_id_submit: Set(None),
        audit_user_id_review: Set(None),
        audit_user_id_process: Set(None),
        validity_from_review: Set(None),
        validity_to_review: Set(None),
        restore_id: Set(checked.restore_id),
        validity_from: Set(now),
        validity_to: Set(None),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    };
    set_header(&mut am, e, &checked, &code);
    let taken = code_taken_error(&code);
    let model = am
        .insert(tx)
        .await
        .map_err(|err| imis_core::error::unique_or(err, &["code"], e.uuid, || taken))?;
    insert_lines(m, model.id, &checked.lines).await?;
    Ok((model, true))
}

/// `updateClaim` (111010): replaces an Entered claim within the caller's reach (its header as
/// sent, its lines closed and re-created); any other status is `claim.not_editable`.
pub(crate) async fn update_claim(
    m: &mut MutationCtx<'_>,
    target: Uuid,
    e: &ClaimEntry,
) -> AppResult<claim::Model> {
    let p = require(m.principal, &[RIGHT_CLAIM_UPDATE])?;
    let cfg = ClaimConfig::from_config(&m.state.config);
    let tx: &DatabaseTransaction = m.tx;
    let old = lock_claim(m.state, tx, p, target).await?;
    if old.status != STATUS_ENTERED {
        return Err(AppError::domain("claim.not_editable").with("code", &old.code));
    }
    let checked = check_entry(m, p, e, Some(&old), &cfg).await?;
    let code = checked.code.clone().unwrap_or_else(|| old.code.clone());
    let now = m.state.clock.now();
    let lines = detail::Entity::find()
        .filter(detail::Column::ClaimId.eq(old.id))
        .current()
        .order_by_asc(detail::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    for line in lines {
        kit::close_version::<detail::ActiveModel>(tx, ENTITY_DETAIL, line, now, m.actor()).await?;
    }
    let mut am: claim::ActiveModel =
        kit::new_version(tx, ENTITY_CLAIM, old, now, m.actor()).await?;
    set_header(&mut am, e, &checked, &code);
    let taken = code_taken_error(&code);
    let model = am
        .update(tx)
        .await
        .map_err(|err| imis_core::error::unique_or(err, &["code"], None, || taken))?;
    insert_lines(m, model.id, &checked.lines).await?;
    Ok(model)
}

/// The uuid of the current claim with this id (`updateClaim` names its claim by `uuid` or by
/// `id`); `not_found` when there is none.
pub(crate) async fn claim_uuid_of(tx: &DatabaseTransaction, id: i64) -> AppResult<Uuid> {
    claim::Entity::find_by_id(id)
        .select_only()
        .column(claim::Column::Uuid)
        .current()
        .into_tuple::<Uuid>()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("claim").with("id", id))
}
