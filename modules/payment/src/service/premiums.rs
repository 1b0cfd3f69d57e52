//! Contributions (premiums) on policies (reference §8, D15). Amounts are never changed by the
//! server; after each write the policy module is told the new paid total
//! (`imis_policy::api::record_contribution` / `contributions_changed`), which alone changes
//! policy status and coverage dates. Each saved premium publishes `payment.premium_recorded`.

use super::*;
use crate::entity::{payer, premium};
use chrono::NaiveDate;
use imis_core::auth::{Requirement, require_user};
use imis_core::mutation::MutationCtx;
use imis_policy::api::{self as policy_api, ActivationOutcome, PolicySummary, PremiumAction};
use sea_orm::sea_query::{LikeExpr, Order};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, QueryOrder, Select, Set};
use std::collections::HashMap;
use uuid::Uuid;

mod list;
pub use list::*;

/// openIMIS pay types: cash, bank transfer, mobile phone, funding.
pub const PAY_TYPES: &[&str] = &["C", "B", "M", "F"];

/// Input of `createPremium` / `updatePremium` as received (parsed after the rights check).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PremiumInput {
    pub uuid: Option<String>,
    pub policy_uuid: String,
    pub payer_uuid: Option<String>,
    pub amount: Option<Decimal>,
    pub receipt: Option<String>,
    pub pay_date: Option<NaiveDate>,
    pub pay_type: Option<String>,
    pub is_offline: Option<bool>,
    pub is_photo_fee: Option<bool>,
    pub action: Option<String>,
}

/// A premium to insert (already validated).
#[derive(Debug, Clone)]
pub struct NewPremium {
    pub uuid: Option<Uuid>,
    pub policy_id: i64,
    pub product_id: i64,
    pub payer_id: Option<i64>,
    pub amount: i64,
    pub receipt: String,
    pub pay_date: NaiveDate,
    pub pay_type: String,
    pub is_photo_fee: bool,
    pub is_offline: bool,
}

impl NewPremium {
    /// A cash contribution of `amount` to `policy` paid on `pay_date` under `receipt`, by no
    /// payer, not a photo fee, not offline.
    pub fn cash(policy: &PolicySummary, amount: i64, receipt: String, pay_date: NaiveDate) -> Self {
        NewPremium {
            uuid: None,
            policy_id: policy.id,
            product_id: policy.product_id,
            payer_id: None,
            amount,
            receipt,
            pay_date,
            pay_type: "C".into(),
            is_photo_fee: false,
            is_offline: false,
        }
    }
}

/// Inserts a premium (no check: callers validate).
pub async fn insert_premium(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    p: NewPremium,
) -> AppResult<premium::Model> {
    let now = state.clock.now();
    let receipt = p.receipt.clone();
    let uuid = p.uuid;
    let created = premium::ActiveModel {
        uuid: Set(p.uuid.unwrap_or_else(Uuid::now_v7)),
        policy_id: Set(p.policy_id),
        product_id: Set(p.product_id),
        payer_id: Set(p.payer_id),
        amount: Set(p.amount),
        receipt: Set(p.receipt),
        pay_date: Set(p.pay_date),
        pay_type: Set(p.pay_type),
        is_photo_fee: Set(p.is_photo_fee),
        is_offline: Set(p.is_offline),
        reporting_id: Set(None),
        reporting_commission_id: Set(None),
        overview_commission_report: Set(None),
        all_details_commission_report: Set(None),
        source: Set(None),
        source_version: Set(None),
        created_date: Set(now),
        validity_from: Set(now),
        validity_to: Set(None),
        audit_user_id: Set(actor),
        ..Default::default()
    }
    .insert(tx)
    .await
    // A concurrent premium took the receipt between the check and the insert (PostgreSQL;
    // SQLite writers are serialised), or a concurrent create with the same uuid committed first:
    // the unique index decides.
    .map_err(|e| {
        unique_or(e, &["receipt"], uuid, || {
            AppError::conflict("premium.receipt_taken").with("receipt", receipt)
        })
    })?;
    crate::events::publish_premium_recorded(state, tx, actor, &created).await?;
    Ok(created)
}

/// Tells the policy module about a saved premium: the policy's new paid total with this
/// premium's pay date and action (D15).
pub async fn record(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    policy_id: i64,
    pay_date: NaiveDate,
    action: PremiumAction,
) -> AppResult<ActivationOutcome> {
    let paid = paid_total(tx, policy_id).await?;
    policy_api::record_contribution(
        state,
        tx,
        actor,
        policy_api::Contribution {
            policy_id,
            paid_total: paid,
            pay_date,
            action,
        },
    )
    .await
}

/// The current premium with this uuid.
pub async fn find_premium(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<premium::Model> {
    premium::Entity::find()
        .filter(premium::Column::Uuid.eq(uuid))
        .current()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("premium").with("uuid", uuid))
}

/// [`find_premium`] under the premium's row lock, for a change (the caller holds its policy's
/// lock: a policy is locked before its premiums).
async fn lock_premium(tx: &DatabaseTransaction, uuid: Uuid) -> AppResult<premium::Model> {
    premium::Entity::find()
        .filter(premium::Column::Uuid.eq(uuid))
        .current()
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("premium").with("uuid", uuid))
}

/// Premiums by id, whatever their validity.
pub async fn premiums_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, premium::Model>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for p in premium::Entity::find()
            .filter(premium::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(p.id, p);
        }
    }
    Ok(out)
}

/// The policy's latest valid premium (pay date, then id).
pub async fn latest_premium(
    conn: &impl ConnectionTrait,
    policy_id: i64,
) -> AppResult<Option<premium::Model>> {
    Ok(premium::Entity::find()
        .filter(premium::Column::PolicyId.eq(policy_id))
        .current()
        .order_by_desc(premium::Column::PayDate)
        .order_by_desc(premium::Column::Id)
        .one(conn)
        .await?)
}

/// Whether a valid premium of the product already carries this receipt (D15).
pub async fn receipt_taken(
    conn: &impl ConnectionTrait,
    product_id: i64,
    receipt: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    let mut q = premium::Entity::find()
        .filter(premium::Column::ProductId.eq(product_id))
        .filter(premium::Column::Receipt.eq(receipt))
        .current();
    if let Some(id) = except {
        q = q.filter(premium::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

fn receipt_taken_error(receipt: &str, product_code: &str) -> AppError {
    AppError::conflict("premium.receipt_taken")
        .with("receipt", receipt)
        .with("productCode", product_code)
}

/// The automatic receipt of an `isPaid` policy: `RE-<productCode>-<enrollDate>-<n>`, n = the
/// last numeric suffix among the product's receipts with that prefix + 1, on 5 digits.
pub async fn auto_receipt(
    conn: &impl ConnectionTrait,
    product_id: i64,
    product_code: &str,
    enroll_date: NaiveDate,
) -> AppResult<String> {
    let prefix = format!("RE-{product_code}-{}-", enroll_date.format("%Y-%m-%d"));
    let pattern = format!("{}%", imis_core::text::like_escape(&prefix));
    let rows: Vec<String> = premium::Entity::find()
        .select_only()
        .column(premium::Column::Receipt)
        .filter(premium::Column::ProductId.eq(product_id))
        .filter(premium::Column::Receipt.like(LikeExpr::new(pattern).escape('\\')))
        .into_tuple()
        .all(conn)
        .await?;
    let last = rows
        .iter()
        .filter_map(|r| r.strip_prefix(&prefix))
        .filter_map(|s| s.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    Ok(format!("{prefix}{:05}", last + 1))
}

/// `base`, or `base-2`, `base-3`, ... : the first receipt free within the product (receipts of
/// premiums created by payment matching).
pub async fn free_receipt(
    conn: &impl ConnectionTrait,
    product_id: i64,
    base: &str,
) -> AppResult<String> {
    let base: String = base.chars().take(44).collect();
    let mut candidate = base.clone();
    let mut n = 1;
    while receipt_taken(conn, product_id, &candidate, None).await? {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    Ok(candidate)
}

/// The current payer with this uuid.
pub async fn find_payer_by_uuid(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
) -> AppResult<payer::Model> {
    payer::Entity::find()
        .filter(payer::Column::Uuid.eq(uuid))
        .current()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("payer").with("uuid", uuid))
}

/// What a create or update may write.
struct Checked {
    policy: PolicySummary,
    payer_id: Option<i64>,
    amount: i64,
    receipt: String,
    pay_date: NaiveDate,
    pay_type: String,
    is_photo_fee: bool,
    is_offline: bool,
    action: PremiumAction,
}

/// Non-photo-fee valid premiums of a policy other than `except`: (count, Σ amount).
async fn other_contributions(
    conn: &impl ConnectionTrait,
    policy_id: i64,
    except: Option<i64>,
) -> AppResult<(usize, i64)> {
    let mut q = premium::Entity::find()
        .filter(premium::Column::PolicyId.eq(policy_id))
        .current()
        .filter(premium::Column::IsPhotoFee.eq(false));
    if let Some(id) = except {
        q = q.filter(premium::Column::Id.ne(id));
    }
    let rows = q.all(conn).await?;
    Ok((rows.len(), rows.iter().map(|r| r.amount).sum()))
}

/// Validates a premium input (D15); the caller has checked the right for the operation.
async fn check_input(
    m: &MutationCtx<'_>,
    p: &Principal,
    input: &PremiumInput,
    existing: Option<&premium::Model>,
) -> AppResult<Checked> {
    let state = m.state;
    let conn = &**m.tx;
    let action = PremiumAction::parse(input.action.as_deref())?;
    if action == PremiumAction::Suspend && !p.has_right(RIGHT_POLICY_EDIT) {
        return Err(AppError::forbidden());
    }
    let policy_uuid = parse_uuid(&input.policy_uuid, "policyUuid")?;
    // The policy row lock comes first: the installments counted and the paid total recorded
    // below then include every premium a concurrent writer committed (no lost update, D15).
    let opened =
        policy_api::open_policy_for_contribution(state, m.tx, Some(p), policy_uuid).await?;
    let policy = opened.policy;
    let product = opened.terms;
    if let Some(e) = existing
        && e.policy_id != policy.id
    {
        return Err(AppError::invalid(
            "policyUuid",
            "a premium cannot move to another policy",
        ));
    }
    let amount = input
        .amount
        .ok_or_else(|| AppError::invalid("amount", "required"))?;
    let amount = minor(state, amount, "amount")?;
    if amount <= 0 {
        return Err(AppError::invalid("amount", "must be positive"));
    }
    let receipt = text(input.receipt.as_deref(), "receipt", 50)?
        .ok_or_else(|| AppError::invalid("receipt", "required"))?;
    let pay_date = input
        .pay_date
        .ok_or_else(|| AppError::invalid("payDate", "required"))?;
    if pay_date > state.clock.today() {
        return Err(AppError::validation("premium.pay_date_in_future").with("payDate", pay_date));
    }
    let pay_type = text(input.pay_type.as_deref(), "payType", 1)?
        .unwrap_or_else(|| "C".into())
        .to_uppercase();
    if !PAY_TYPES.contains(&pay_type.as_str()) {
        return Err(AppError::invalid("payType", "C, B, M or F"));
    }
    let payer_id = match opt_uuid(input.payer_uuid.as_deref(), "payerUuid")? {
        Some(u) => {
            let payer = find_payer_by_uuid(conn, u).await?;
            // D9: only a payer the caller may see.
            if !super::payers::payer_visible(conn, p, payer.location_id).await? {
                return Err(AppError::location_denied());
            }
            Some(payer.id)
        }
        None => None,
    };
    if receipt_taken(conn, policy.product_id, &receipt, existing.map(|e| e.id)).await? {
        return Err(receipt_taken_error(&receipt, &product.product_code));
    }
    let is_photo_fee = input.is_photo_fee.unwrap_or(false);
    if !is_photo_fee {
        let (count, others) = other_contributions(conn, policy.id, existing.map(|e| e.id)).await?;
        let balance = (policy.value - others).max(0);
        match product.max_installments {
            None => {}
            Some(n) if n <= 1 => {
                if existing.is_none() && count >= 1 {
                    return Err(AppError::validation("premium.max_installments_exceeded")
                        .with("max", 1)
                        .with("productCode", &product.product_code));
                }
                if amount < balance {
                    return Err(AppError::validation("premium.single_payment_required")
                        .with("productCode", &product.product_code)
                        .with("balance", Money(balance).to_decimal(digits(state))));
                }
            }
            Some(n) if existing.is_none() && count >= n as usize => {
                return Err(AppError::validation("premium.max_installments_exceeded")
                    .with("max", n)
                    .with("productCode", &product.product_code));
            }
            Some(_) => {}
        }
    }
    Ok(Checked {
        policy,
        payer_id,
        amount,
        receipt,
        pay_date,
        pay_type,
        is_photo_fee,
        is_offline: input.is_offline.unwrap_or(false),
        action,
    })
}

/// `createPremium` (101302): a contribution on a valid policy in scope, with a payer the caller
/// may see, then the policy module applies D15 for the configured activation option; its
/// warnings (over-payment) go to the mutation's `jsonExt`. A repeated create with the same
/// `uuid` and content returns the existing premium; a deleted one, or other content, is
/// `conflict.uuid_exists` (D4).
pub async fn create_premium(
    m: &mut MutationCtx<'_>,
    input: PremiumInput,
) -> AppResult<premium::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PREMIUM_ADD]))?;
    let uuid = opt_uuid(input.uuid.as_deref(), "uuid")?;
    if let Some(u) = uuid
        && let Some(e) = premium::Entity::find()
            .filter(premium::Column::Uuid.eq(u))
            .one(&**m.tx)
            .await?
    {
        let policy = policy_api::policies_by_ids(&**m.tx, &[e.policy_id]).await?;
        let same = e.validity_to.is_none()
            && policy
                .get(&e.policy_id)
                .is_some_and(|pol| pol.uuid.to_string() == input.policy_uuid.trim())
            && input
                .amount
                .map(|a| minor(m.state, a, "amount"))
                .transpose()?
                == Some(e.amount)
            && input.receipt.as_deref().map(str::trim) == Some(e.receipt.as_str())
            && input.pay_date == Some(e.pay_date);
        if same {
            policy_api::check_policy_scope(&**m.tx, p, &policy[&e.policy_id]).await?;
            return Ok(e);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", u));
    }
    let c = check_input(m, p, &input, None).await?;
    let created = insert_premium(
        m.state,
        m.tx,
        m.actor(),
        NewPremium {
            uuid,
            policy_id: c.policy.id,
            product_id: c.policy.product_id,
            payer_id: c.payer_id,
            amount: c.amount,
            receipt: c.receipt,
            pay_date: c.pay_date,
            pay_type: c.pay_type,
            is_photo_fee: c.is_photo_fee,
            is_offline: c.is_offline,
        },
    )
    .await?;
    // A photo fee is no contribution: it changes no status (unless it carries SUSPEND).
    if !c.is_photo_fee || c.action == PremiumAction::Suspend {
        let outcome = record(m.state, m.tx, m.actor(), c.policy.id, c.pay_date, c.action).await?;
        m.warnings.extend(outcome.warnings);
    }
    m.link(HISTORY_PREMIUM, created.id);
    Ok(created)
}

/// `updatePremium` (101303): the premium is saved with history; the policy's paid total is
/// recomputed. An update never deactivates a policy (`premium.policy_underpaid` when it is no
/// longer fully paid); when the new total reaches the value, or with ENFORCE or SUSPEND, the
/// update is recorded as a premium fact (D15).
pub async fn update_premium(
    m: &mut MutationCtx<'_>,
    input: PremiumInput,
) -> AppResult<premium::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PREMIUM_EDIT]))?;
    let uuid = opt_uuid(input.uuid.as_deref(), "uuid")?
        .ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let existing = find_premium(&**m.tx, uuid).await?;
    let c = check_input(m, p, &input, Some(&existing)).await?;
    // Read again under the policy lock `check_input` took (every premium write locks its policy
    // first, so a concurrent change of this premium has committed by now), and under the
    // premium's own row lock.
    let existing = lock_premium(m.tx, uuid).await?;
    let now = m.state.clock.now();
    let mut a: premium::ActiveModel =
        imis_core::kit::new_version(m.tx, HISTORY_PREMIUM, existing.clone(), now, m.actor())
            .await?;
    a.payer_id = Set(c.payer_id);
    a.amount = Set(c.amount);
    a.receipt = Set(c.receipt);
    a.pay_date = Set(c.pay_date);
    a.pay_type = Set(c.pay_type);
    a.is_photo_fee = Set(c.is_photo_fee);
    a.is_offline = Set(c.is_offline);
    let updated = a.update(&**m.tx).await?;
    let paid = paid_total(&**m.tx, c.policy.id).await?;
    let outcome = if c.action != PremiumAction::Wait || paid >= c.policy.value {
        record(m.state, m.tx, m.actor(), c.policy.id, c.pay_date, c.action).await?
    } else {
        policy_api::contributions_changed(m.state, m.tx, m.actor(), c.policy.id, paid).await?
    };
    m.warnings.extend(outcome.warnings);
    m.link(HISTORY_PREMIUM, updated.id);
    Ok(updated)
}

/// `deletePremium(uuids)` (101304): soft deletes with history; the policy's paid total is
/// recomputed but the policy is never deactivated (`premium.policy_underpaid`, D15).
pub async fn delete_premiums(m: &mut MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<Vec<i64>> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PREMIUM_DELETE]))?;
    // In policy id order, so that two deletions of several premiums lock their policies in the
    // same order.
    let mut targets = vec![];
    for u in uuids {
        let e = find_premium(&**m.tx, *u).await?;
        targets.push((e.policy_id, e.id, *u));
    }
    targets.sort_unstable();
    let mut out = vec![];
    for (policy_id, _, u) in targets {
        // The policy row lock (within the caller's locations) before the premium is read again
        // and the paid total recounted.
        let pol = policy_api::lock_policy(m.tx, Some(p), policy_id).await?;
        let existing = lock_premium(m.tx, u).await?;
        let now = m.state.clock.now();
        soft_delete(m.tx, m.actor(), std::slice::from_ref(&existing), now).await?;
        if pol.current {
            let paid = paid_total(&**m.tx, pol.id).await?;
            let outcome =
                policy_api::contributions_changed(m.state, m.tx, m.actor(), pol.id, paid).await?;
            m.warnings.extend(outcome.warnings);
        }
        m.link(HISTORY_PREMIUM, existing.id);
        out.push(existing.id);
    }
    Ok(out)
}

/// Soft-deletes premiums with their history rows, in two statements.
pub(crate) async fn soft_delete(
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    premiums: &[premium::Model],
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    if premiums.is_empty() {
        return Ok(());
    }
    imis_core::history::save_many(
        tx,
        HISTORY_PREMIUM,
        premiums.iter().map(|p| (p.id, p, p.validity_from)),
        now,
        actor,
    )
    .await?;
    premium::Entity::update_many()
        .col_expr(premium::Column::ValidityTo, Expr::value(Some(now)))
        .col_expr(premium::Column::AuditUserId, Expr::value(actor))
        .filter(premium::Column::Id.is_in(premiums.iter().map(|p| p.id)))
        .exec(tx)
        .await?;
    Ok(())
}
