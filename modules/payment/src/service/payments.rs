//! Payments and their detail lines (reference §10.1–10.2). Status 5 (matched) is set by payment
//! matching alone; a matched payment can be neither changed nor deleted.
//!
//! Location scope (D9): payments carry no location, so every caller with the right sees the
//! payment rows (a restricted officer must find the received payments they are to match). Their
//! detail lines are another matter: a restricted caller sees only the lines whose premium is a
//! premium they may see (its policy's family lies in their locations); lines without a premium
//! (not matched yet) are shown to unrestricted callers only. `paymentsByPremiums` answers only
//! for premiums in scope.

use super::*;
use crate::entity::{payment, payment_detail, premium};
use chrono::NaiveDate;
use imis_core::auth::{Requirement, require_user};
use imis_core::kit::insert_version;
use imis_core::mutation::MutationCtx;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, QueryOrder, Select, Set};
use std::collections::HashMap;
use uuid::Uuid;

mod list;
pub use list::*;

/// A detail line of `createPayment` / `updatePayment` (our addition: openIMIS creates detail
/// lines only from `premiumUuid`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PaymentDetailInput {
    pub insurance_number: Option<String>,
    pub product_code: Option<String>,
    pub policy_stage: Option<String>,
    pub amount: Option<Decimal>,
    pub enrollment_date: Option<NaiveDate>,
    pub expected_amount: Option<Decimal>,
}

/// Input of `createPayment` / `updatePayment`, as received (`rejectedReason` is ignored, as in
/// openIMIS: matching writes it).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PaymentInput {
    pub uuid: Option<String>,
    pub expected_amount: Option<Decimal>,
    pub received_amount: Option<Decimal>,
    pub officer_code: Option<String>,
    pub phone_number: Option<String>,
    pub request_date: Option<NaiveDate>,
    pub received_date: Option<NaiveDate>,
    pub status: Option<i32>,
    pub transaction_no: Option<String>,
    pub origin: Option<String>,
    pub matched_date: Option<NaiveDate>,
    pub receipt_no: Option<String>,
    pub payment_date: Option<NaiveDate>,
    pub date_last_sms: Option<NaiveDate>,
    pub language_name: Option<String>,
    pub type_of_payment: Option<String>,
    pub transfer_fee: Option<Decimal>,
    pub premium_uuid: Option<String>,
    pub details: Option<Vec<PaymentDetailInput>>,
}

struct CheckedPayment {
    expected_amount: Option<i64>,
    received_amount: Option<i64>,
    officer_code: Option<String>,
    phone_number: Option<String>,
    request_date: Option<NaiveDate>,
    received_date: Option<NaiveDate>,
    status: i32,
    transaction_no: Option<String>,
    origin: Option<String>,
    receipt_no: Option<String>,
    payment_date: Option<NaiveDate>,
    date_last_sms: Option<NaiveDate>,
    language_name: Option<String>,
    type_of_payment: Option<String>,
    transfer_fee: Option<i64>,
    details: Option<Vec<CheckedDetail>>,
    premium: Option<premium::Model>,
}

struct CheckedDetail {
    insurance_number: Option<String>,
    product_code: Option<String>,
    policy_stage: Option<String>,
    amount: Option<i64>,
    enrollment_date: Option<NaiveDate>,
    expected_amount: Option<i64>,
}

fn non_negative(v: Option<i64>, field: &str) -> AppResult<Option<i64>> {
    match v {
        Some(x) if x < 0 => Err(AppError::invalid(field, "must not be negative")),
        other => Ok(other),
    }
}

async fn check_payment(
    m: &MutationCtx<'_>,
    p: &Principal,
    input: &PaymentInput,
) -> AppResult<CheckedPayment> {
    let st = m.state;
    let status = input.status.unwrap_or(PAYMENT_STATUS_CREATED);
    if !(-5..=4).contains(&status) {
        return Err(AppError::validation("payment.status_invalid").with("status", status));
    }
    let details = match &input.details {
        None => None,
        Some(list) => {
            let mut out = vec![];
            for d in list {
                let stage =
                    text(d.policy_stage.as_deref(), "policyStage", 1)?.map(|s| s.to_uppercase());
                if stage.as_deref().is_some_and(|s| s != "N" && s != "R") {
                    return Err(AppError::invalid("policyStage", "N or R"));
                }
                out.push(CheckedDetail {
                    insurance_number: text(d.insurance_number.as_deref(), "insuranceNumber", 50)?,
                    product_code: text(d.product_code.as_deref(), "productCode", 8)?,
                    policy_stage: stage,
                    amount: non_negative(opt_minor(st, d.amount, "amount")?, "amount")?,
                    enrollment_date: d.enrollment_date,
                    expected_amount: non_negative(
                        opt_minor(st, d.expected_amount, "expectedAmount")?,
                        "expectedAmount",
                    )?,
                });
            }
            Some(out)
        }
    };
    let premium = match opt_uuid(input.premium_uuid.as_deref(), "premiumUuid")? {
        None => None,
        Some(u) => {
            let pr = super::premiums::find_premium(&**m.tx, u).await?;
            let pol = imis_policy::api::policies_by_ids(&**m.tx, &[pr.policy_id])
                .await?
                .remove(&pr.policy_id)
                .ok_or_else(|| AppError::not_found("policy"))?;
            imis_policy::api::check_policy_scope(&**m.tx, p, &pol).await?;
            Some(pr)
        }
    };
    Ok(CheckedPayment {
        expected_amount: non_negative(
            opt_minor(st, input.expected_amount, "expectedAmount")?,
            "expectedAmount",
        )?,
        received_amount: non_negative(
            opt_minor(st, input.received_amount, "receivedAmount")?,
            "receivedAmount",
        )?,
        officer_code: text(input.officer_code.as_deref(), "officerCode", 50)?,
        phone_number: text(input.phone_number.as_deref(), "phoneNumber", 50)?,
        request_date: input.request_date,
        received_date: input.received_date,
        status,
        transaction_no: text(input.transaction_no.as_deref(), "transactionNo", 50)?,
        origin: text(input.origin.as_deref(), "origin", 50)?,
        receipt_no: text(input.receipt_no.as_deref(), "receiptNo", 100)?,
        payment_date: input.payment_date,
        date_last_sms: input.date_last_sms,
        language_name: text(input.language_name.as_deref(), "languageName", 10)?,
        type_of_payment: text(input.type_of_payment.as_deref(), "typeOfPayment", 50)?,
        transfer_fee: non_negative(
            opt_minor(st, input.transfer_fee, "transferFee")?,
            "transferFee",
        )?,
        details,
        premium,
    })
}

/// The current payment with this uuid.
pub async fn find_payment(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<payment::Model> {
    payment::Entity::find()
        .filter(payment::Column::Uuid.eq(uuid))
        .current()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("payment").with("uuid", uuid))
}

/// Re-reads a payment by id inside `tx` under its row lock (`FOR UPDATE` on PostgreSQL, one
/// statement; SQLite has one writer): a matching, an update or a deletion of the same payment
/// waits for this transaction and then sees what it wrote. A payment is locked before its lines.
pub async fn lock_payment(tx: &DatabaseTransaction, id: i64) -> AppResult<Option<payment::Model>> {
    Ok(payment::Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?)
}

/// The current payment with this uuid, read under its row lock for a change: `not_found` when
/// it is gone, and `payment.already_matched` when matching has set its status to 5.
async fn payment_for_change(tx: &DatabaseTransaction, uuid: Uuid) -> AppResult<payment::Model> {
    let pay = payment::Entity::find()
        .filter(payment::Column::Uuid.eq(uuid))
        .current()
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("payment").with("uuid", uuid))?;
    if pay.status == PAYMENT_STATUS_MATCHED {
        return Err(AppError::domain("payment.already_matched").with("uuid", uuid));
    }
    Ok(pay)
}

/// Current detail lines of payments, by payment id, in creation order.
pub async fn details_of(
    conn: &impl ConnectionTrait,
    payment_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<payment_detail::Model>>> {
    let mut out: HashMap<i64, Vec<payment_detail::Model>> = HashMap::new();
    let mut ids = payment_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(500) {
        for d in payment_detail::Entity::find()
            .filter(payment_detail::Column::PaymentId.is_in(chunk.to_vec()))
            .current()
            .order_by_asc(payment_detail::Column::Id)
            .all(conn)
            .await?
        {
            out.entry(d.payment_id).or_default().push(d);
        }
    }
    Ok(out)
}

/// Saves a detail's current version to history and returns its active model.
pub(crate) async fn detail_version(
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    d: &payment_detail::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<payment_detail::ActiveModel> {
    imis_core::kit::new_version(tx, HISTORY_PAYMENT_DETAIL, d.clone(), now, actor).await
}

/// Saves a payment's current version to history and returns its active model.
pub(crate) async fn payment_version(
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    pay: &payment::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<payment::ActiveModel> {
    imis_core::kit::new_version(tx, HISTORY_PAYMENT, pay.clone(), now, actor).await
}

async fn insert_detail(
    m: &MutationCtx<'_>,
    payment_id: i64,
    d: &CheckedDetail,
    premium_id: Option<i64>,
) -> AppResult<payment_detail::Model> {
    Ok(insert_version(
        &**m.tx,
        payment_detail::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            payment_id: Set(payment_id),
            product_code: Set(d.product_code.clone()),
            insurance_number: Set(d.insurance_number.clone()),
            policy_stage: Set(d.policy_stage.clone()),
            amount: Set(d.amount),
            premium_id: Set(premium_id),
            enrollment_date: Set(d.enrollment_date),
            expected_amount: Set(d.expected_amount),
            ..Default::default()
        },
        m.state.clock.now(),
        m.actor(),
    )
    .await?)
}

/// The current detail lines of a payment under their row locks, in id order (the caller holds
/// the payment's lock; a policy deletion detaches lines under its policy's lock only).
pub(crate) async fn lock_details(
    tx: &DatabaseTransaction,
    payment_id: i64,
) -> AppResult<Vec<payment_detail::Model>> {
    Ok(payment_detail::Entity::find()
        .filter(payment_detail::Column::PaymentId.eq(payment_id))
        .current()
        .order_by_asc(payment_detail::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?)
}

/// Closes the current detail lines of a payment (history kept).
async fn close_details(m: &MutationCtx<'_>, payment_id: i64) -> AppResult<()> {
    let now = m.state.clock.now();
    let lines = lock_details(m.tx, payment_id).await?;
    if lines.is_empty() {
        return Ok(());
    }
    // Set-based: a payment's lines are versioned and closed in two statements.
    imis_core::history::save_many(
        m.tx,
        HISTORY_PAYMENT_DETAIL,
        lines.iter().map(|d| (d.id, d, d.validity_from)),
        now,
        m.actor(),
    )
    .await?;
    payment_detail::Entity::update_many()
        .col_expr(payment_detail::Column::ValidityTo, Expr::value(Some(now)))
        .col_expr(payment_detail::Column::AuditUserId, Expr::value(m.actor()))
        .filter(payment_detail::Column::Id.is_in(lines.iter().map(|d| d.id)))
        .exec(&**m.tx)
        .await?;
    Ok(())
}

/// With `premiumUuid` (openIMIS): the detail line of that premium is created or updated with
/// amount = the received amount, the product code, the family head's insurance number, the
/// policy stage and enrolment date of the premium's policy, expected amount = the premium amount.
async fn upsert_premium_detail(
    m: &MutationCtx<'_>,
    pay: &payment::Model,
    pr: &premium::Model,
) -> AppResult<()> {
    let conn = &**m.tx;
    let pol = imis_policy::api::policies_by_ids(conn, &[pr.policy_id])
        .await?
        .remove(&pr.policy_id)
        .ok_or_else(|| AppError::not_found("policy"))?;
    let product = imis_product::api::products_by_ids(conn, &[pol.product_id])
        .await?
        .remove(&pol.product_id)
        .ok_or_else(|| AppError::not_found("product"))?;
    let head = match imis_insuree::api::families_by_ids(conn, &[pol.family_id])
        .await?
        .remove(&pol.family_id)
    {
        Some(f) => imis_insuree::api::insurees_by_ids(conn, &[f.head_insuree_id])
            .await?
            .remove(&f.head_insuree_id)
            .map(|i| i.chf_id),
        None => None,
    };
    let existing = payment_detail::Entity::find()
        .filter(payment_detail::Column::PaymentId.eq(pay.id))
        .filter(payment_detail::Column::PremiumId.eq(pr.id))
        .current()
        .order_by_asc(payment_detail::Column::Id)
        .lock_exclusive()
        .one(conn)
        .await?;
    let now = m.state.clock.now();
    let mut a = match &existing {
        Some(d) => detail_version(m.tx, m.actor(), d, now).await?,
        None => payment_detail::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            payment_id: Set(pay.id),
            premium_id: Set(Some(pr.id)),
            validity_from: Set(now),
            validity_to: Set(None),
            audit_user_id: Set(m.actor()),
            ..Default::default()
        },
    };
    a.amount = Set(pay.received_amount);
    a.product_code = Set(Some(product.code.clone()));
    a.insurance_number = Set(head);
    a.policy_stage = Set(Some(pol.stage.clone()));
    a.enrollment_date = Set(Some(pol.enroll_date));
    a.expected_amount = Set(Some(pr.amount));
    if existing.is_some() {
        a.update(conn).await?;
    } else {
        a.insert(conn).await?;
    }
    Ok(())
}

/// `createPayment` (101402). A repeated create with the same `uuid` returns the existing payment
/// when it is current and has the same transaction number and amounts; a deleted one, or other
/// content, is `conflict.uuid_exists` (D4).
pub async fn create_payment(
    m: &mut MutationCtx<'_>,
    input: PaymentInput,
) -> AppResult<payment::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PAYMENT_ADD]))?;
    let uuid = opt_uuid(input.uuid.as_deref(), "uuid")?;
    let c = check_payment(m, p, &input).await?;
    if let Some(u) = uuid
        && let Some(e) = payment::Entity::find()
            .filter(payment::Column::Uuid.eq(u))
            .one(&**m.tx)
            .await?
    {
        if e.validity_to.is_none()
            && e.transaction_no == c.transaction_no
            && e.received_amount == c.received_amount
            && e.expected_amount == c.expected_amount
        {
            return Ok(e);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", u));
    }
    let now = m.state.clock.now();
    let created = payment::ActiveModel {
        uuid: Set(uuid.unwrap_or_else(Uuid::now_v7)),
        expected_amount: Set(c.expected_amount),
        received_amount: Set(c.received_amount),
        officer_code: Set(c.officer_code),
        phone_number: Set(c.phone_number),
        request_date: Set(c.request_date),
        received_date: Set(c.received_date),
        status: Set(c.status),
        transaction_no: Set(c.transaction_no),
        origin: Set(c.origin),
        matched_date: Set(None),
        receipt_no: Set(c.receipt_no),
        payment_date: Set(c.payment_date),
        rejected_reason: Set(None),
        date_last_sms: Set(c.date_last_sms),
        language_name: Set(c.language_name),
        type_of_payment: Set(c.type_of_payment),
        transfer_fee: Set(c.transfer_fee),
        reconc_req_id: Set(None),
        reconciliation_date: Set(None),
        validity_from: Set(now),
        validity_to: Set(None),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    }
    .insert(&**m.tx)
    .await
    // A concurrent create with the same uuid committed first (PostgreSQL): `conflict.uuid_exists`.
    .map_err(|e| unique_or(e, &[], uuid, AppError::internal))?;
    for d in c.details.iter().flatten() {
        insert_detail(m, created.id, d, None).await?;
    }
    if let Some(pr) = &c.premium {
        upsert_premium_detail(m, &created, pr).await?;
    }
    m.link(HISTORY_PAYMENT, created.id);
    Ok(created)
}

/// `updatePayment` (101403): complete update with history; `details`, when given, replace the
/// current lines. A matched payment cannot be changed (`payment.already_matched`).
pub async fn update_payment(
    m: &mut MutationCtx<'_>,
    input: PaymentInput,
) -> AppResult<payment::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PAYMENT_EDIT]))?;
    let uuid = opt_uuid(input.uuid.as_deref(), "uuid")?
        .ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let existing = payment_for_change(m.tx, uuid).await?;
    let c = check_payment(m, p, &input).await?;
    let now = m.state.clock.now();
    let mut a = payment_version(m.tx, m.actor(), &existing, now).await?;
    a.expected_amount = Set(c.expected_amount);
    a.received_amount = Set(c.received_amount);
    a.officer_code = Set(c.officer_code);
    a.phone_number = Set(c.phone_number);
    a.request_date = Set(c.request_date);
    a.received_date = Set(c.received_date);
    a.status = Set(c.status);
    a.transaction_no = Set(c.transaction_no);
    a.origin = Set(c.origin);
    a.receipt_no = Set(c.receipt_no);
    a.payment_date = Set(c.payment_date);
    a.date_last_sms = Set(c.date_last_sms);
    a.language_name = Set(c.language_name);
    a.type_of_payment = Set(c.type_of_payment);
    a.transfer_fee = Set(c.transfer_fee);
    let updated = a.update(&**m.tx).await?;
    if let Some(details) = &c.details {
        close_details(m, updated.id).await?;
        for d in details {
            insert_detail(m, updated.id, d, None).await?;
        }
    }
    if let Some(pr) = &c.premium {
        upsert_premium_detail(m, &updated, pr).await?;
    }
    m.link(HISTORY_PAYMENT, updated.id);
    Ok(updated)
}

/// `deletePayment(uuids)` (101404): the payments and their detail lines are soft-deleted with
/// history; premiums created by matching stay. A matched payment cannot be deleted
/// (`payment.already_matched`), as it cannot be changed.
pub async fn delete_payments(m: &mut MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<Vec<i64>> {
    require_user(m.principal, Requirement::AnyOf(&[RIGHT_PAYMENT_DELETE]))?;
    let mut out = vec![];
    // In id order, so that two deletions of several payments lock them in the same order.
    let mut targets = vec![];
    for u in uuids {
        targets.push((find_payment(&**m.tx, *u).await?.id, *u));
    }
    targets.sort_unstable();
    for (_, u) in targets {
        let existing = payment_for_change(m.tx, u).await?;
        let now = m.state.clock.now();
        close_details(m, existing.id).await?;
        let mut a = payment_version(m.tx, m.actor(), &existing, now).await?;
        a.validity_from = Set(existing.validity_from);
        a.validity_to = Set(Some(now));
        a.update(&**m.tx).await?;
        m.link(HISTORY_PAYMENT, existing.id);
        out.push(existing.id);
    }
    Ok(out)
}
