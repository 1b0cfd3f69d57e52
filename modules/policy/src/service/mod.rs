//! Policy business operations. Dates and value are always computed here ([`crate::values`],
//! D12–D14); coverage follows the insuree module's events ([`coverage`], D16); the payment
//! module pushes contributions and matched payments through [`activation`] (D15); the claim
//! module pushes usage and consumption through [`usage`].

pub mod activation;
pub mod coverage;
pub mod eligibility;
pub mod lists;
pub mod usage;

use crate::config::PolicyConfig;
use crate::entity::{policy, renewal};
use crate::values::{self, ComputedValue, Member, Stage, ValueInput};
use chrono::NaiveDate;
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::entity::user;
use imis_core::error::{AppError, AppResult};
use imis_core::mutation::{MutationCtx, Warning};
use imis_insuree::entity::{family, insuree};
use imis_product::entity::product;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

pub const RIGHT_POLICY_SEARCH: i32 = 101201;
pub const RIGHT_POLICY_ADD: i32 = 101202;
pub const RIGHT_POLICY_EDIT: i32 = 101203;
pub const RIGHT_POLICY_DELETE: i32 = 101204;
pub const RIGHT_POLICY_RENEW: i32 = 101205;
/// Rights of the facility desk: exact insurance-number look-ups ignore location (D9).
pub const DESK_RIGHTS: &[i32] = &[101105, 111001, 111002];
/// Policy search or a facility-desk right.
pub const SEARCH_OR_DESK: &[i32] = &[RIGHT_POLICY_SEARCH, 101105, 111001, 111002];

pub const STATUS_IDLE: i32 = 1;
pub const STATUS_ACTIVE: i32 = 2;
pub const STATUS_SUSPENDED: i32 = 4;
pub const STATUS_EXPIRED: i32 = 8;
pub const STATUS_READY: i32 = 16;

/// `core_history` entity names.
pub const HISTORY_POLICY: &str = "policy";
pub const HISTORY_COVERAGE: &str = "insuree_policy";
pub const HISTORY_RENEWAL: &str = "policy_renewal";

/// Published inside the transaction after a policy is created or renewed: the payment module
/// records the `isPaid` premium (an openIMIS input field it owns).
pub const EVENT_POLICY_CREATED: &str = "policy.created";
/// Published inside the transaction before a policy is deleted: a handler may veto (claims) or
/// clean up what it owns (premiums, payment details).
pub const EVENT_POLICY_DELETING: &str = "policy.deleting";

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyCreated {
    pub policy_id: i64,
    pub is_paid: bool,
    pub receipt: Option<String>,
    pub payer_uuid: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDeleting {
    pub policy_id: i64,
}

pub fn config(state: &AppState) -> PolicyConfig {
    PolicyConfig::from_config(&state.config)
}

/// The current (valid) policy with this uuid.
pub async fn find_policy(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<policy::Model> {
    policy::Entity::find()
        .filter(policy::Column::Uuid.eq(uuid))
        .filter(policy::Column::ValidityTo.is_null())
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("policy"))
}

/// The current policy with this id.
pub async fn find_policy_by_id(
    conn: &impl ConnectionTrait,
    id: i64,
) -> AppResult<Option<policy::Model>> {
    Ok(policy::Entity::find_by_id(id)
        .filter(policy::Column::ValidityTo.is_null())
        .one(conn)
        .await?)
}

/// Policies by id, whatever their validity.
pub async fn policies_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, policy::Model>> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for p in policy::Entity::find()
            .filter(policy::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(p.id, p);
        }
    }
    Ok(out)
}

/// Refuses a policy whose family lies outside the caller's locations (D9).
pub async fn check_policy_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    policy: &policy::Model,
) -> AppResult<()> {
    if p.scope.unrestricted {
        return Ok(());
    }
    let fam = imis_insuree::service::families_by_ids(conn, &[policy.family_id]).await?;
    match fam.get(&policy.family_id) {
        Some(f) => imis_insuree::service::check_family_scope(conn, p, f).await,
        None => Err(AppError::location_denied()),
    }
}

/// The current officer `officer_id`, working on `date` (D14).
pub async fn check_officer(
    conn: &impl ConnectionTrait,
    officer_id: i64,
    date: NaiveDate,
) -> AppResult<user::Model> {
    let officer = user::Entity::find_by_id(officer_id)
        .filter(user::Column::ValidityTo.is_null())
        .filter(user::Column::IsOfficer.eq(true))
        .one(conn)
        .await?;
    match officer {
        Some(o) if o.works_to.is_none_or(|w| w >= date) => Ok(o),
        _ => Err(AppError::validation("policy.officer_invalid").with("officerId", officer_id)),
    }
}

/// A family with what enrolment needs: its village and the ancestors (product sellability) and
/// its current active members (D13).
#[derive(Debug, Clone)]
pub struct FamilyContext {
    pub family: family::Model,
    pub locations: Vec<i64>,
    pub members: Vec<insuree::Model>,
}

pub async fn family_context(
    conn: &impl ConnectionTrait,
    family_id: i64,
) -> AppResult<FamilyContext> {
    let family = imis_insuree::service::find_family_by_id(conn, family_id)
        .await?
        .ok_or_else(|| AppError::not_found("family").with("id", family_id))?;
    let locations = imis_core::location::service::ancestor_ids(conn, &[family.location_id]).await?;
    let members = imis_insuree::service::members_of(conn, family.id)
        .await?
        .into_iter()
        .filter(|m| m.status == "AC")
        .collect();
    Ok(FamilyContext {
        family,
        locations,
        members,
    })
}

pub fn as_members(insurees: &[insuree::Model]) -> Vec<Member> {
    let mut v: Vec<Member> = insurees
        .iter()
        .map(|i| Member {
            insuree_id: i.id,
            dob: i.dob,
            relationship: i.relationship,
            head: i.head,
        })
        .collect();
    v.sort_by_key(|m| m.insuree_id);
    v
}

/// What `policyValues` and the enrolment mutations compute.
#[derive(Debug, Clone)]
pub struct Computation {
    pub product: product::Model,
    pub stage: Stage,
    pub enroll_date: NaiveDate,
    pub start_date: NaiveDate,
    pub expiry_date: NaiveDate,
    pub value: ComputedValue,
    pub previous: Option<policy::Model>,
}

/// The product version in force on `date`, or `policy.product_not_found`.
pub async fn product_on(
    state: &AppState,
    conn: &impl ConnectionTrait,
    product_id: i64,
    date: NaiveDate,
) -> AppResult<product::Model> {
    imis_product::service::product_model_in_force(conn, &state.clock, product_id, date)
        .await?
        .ok_or_else(|| {
            AppError::validation("policy.product_not_found").with("productId", product_id)
        })
}

/// Computes dates and value for a family (D12, D13).
pub async fn compute(
    state: &AppState,
    conn: &impl ConnectionTrait,
    stage: Stage,
    enroll_date: NaiveDate,
    product_id: i64,
    members: &[Member],
    previous: Option<policy::Model>,
) -> AppResult<Computation> {
    let product = product_on(state, conn, product_id, enroll_date).await?;
    Ok(compute_for(
        state,
        product,
        stage,
        enroll_date,
        members,
        previous,
    ))
}

/// [`compute`] with the product version already at hand.
pub fn compute_for(
    state: &AppState,
    product: product::Model,
    stage: Stage,
    enroll_date: NaiveDate,
    members: &[Member],
    previous: Option<policy::Model>,
) -> Computation {
    let prev_expiry = previous.as_ref().map(|p| p.expiry_date);
    let (start_date, expiry_date) = values::policy_dates(&product, stage, enroll_date, prev_expiry);
    let value = values::policy_value(
        &product,
        &ValueInput {
            stage,
            enroll_date,
            start_date,
            members,
            previous_expiry: prev_expiry,
            age_of_majority: state.config.core.age_of_majority,
        },
    );
    Computation {
        product,
        stage,
        enroll_date,
        start_date,
        expiry_date,
        value,
        previous,
    }
}

/// The product ids whose conversion chain reaches `product_id` (itself included).
async fn converting_into(conn: &impl ConnectionTrait, product_id: i64) -> AppResult<Vec<i64>> {
    let next = imis_product::service::conversion_links(conn).await?;
    let mut out = vec![product_id];
    for start in next.keys() {
        let mut cur = *start;
        let mut seen = std::collections::HashSet::new();
        while let Some(n) = next.get(&cur) {
            if !seen.insert(cur) {
                break;
            }
            if *n == product_id {
                out.push(*start);
                break;
            }
            cur = *n;
        }
    }
    Ok(out)
}

/// The end of a product's conversion chain (loop-protected).
pub async fn final_conversion(conn: &impl ConnectionTrait, product_id: i64) -> AppResult<i64> {
    let next = imis_product::service::conversion_links(conn).await?;
    let mut cur = product_id;
    let mut seen = std::collections::HashSet::new();
    while seen.insert(cur) {
        match next.get(&cur) {
            Some(n) => cur = *n,
            None => break,
        }
    }
    Ok(cur)
}

/// The policy a renewal renews (D12): `prevUuid` when given, else the latest-expiring valid
/// Active or Expired policy of the family whose product is the renewed one or converts into it.
pub async fn previous_policy(
    conn: &impl ConnectionTrait,
    family_id: i64,
    product_id: i64,
    prev_uuid: Option<Uuid>,
) -> AppResult<policy::Model> {
    let missing = || AppError::validation("policy.renewal_without_previous");
    if let Some(u) = prev_uuid {
        let prev = find_policy(conn, u).await.map_err(|_| missing())?;
        if prev.family_id != family_id {
            return Err(missing());
        }
        return Ok(prev);
    }
    let products = converting_into(conn, product_id).await?;
    policy::Entity::find()
        .filter(policy::Column::FamilyId.eq(family_id))
        .filter(policy::Column::ValidityTo.is_null())
        .filter(policy::Column::ProductId.is_in(products))
        .filter(policy::Column::Status.is_in([STATUS_ACTIVE, STATUS_EXPIRED]))
        .order_by_desc(policy::Column::ExpiryDate)
        .order_by_desc(policy::Column::Id)
        .one(conn)
        .await?
        .ok_or_else(missing)
}

/// The `policyValues` answer.
#[derive(Debug, Clone)]
pub struct PolicyPreview {
    pub computation: Computation,
    pub family: family::Model,
}

/// `policyValues(stage, enrollDate, productId, familyId, prevUuid)` (101201; the enrolment rights
/// too, since the enrolment form asks it).
pub async fn policy_values(
    state: &AppState,
    principal: Option<&Principal>,
    stage: &str,
    enroll_date: NaiveDate,
    product_id: Option<i64>,
    family_id: i64,
    prev_uuid: Option<Uuid>,
) -> AppResult<PolicyPreview> {
    let p = require_user(
        principal,
        Requirement::AnyOf(&[RIGHT_POLICY_SEARCH, RIGHT_POLICY_ADD, RIGHT_POLICY_RENEW]),
    )?;
    let conn = &state.db.conn;
    let stage = Stage::parse(stage).ok_or_else(|| AppError::invalid("stage", "N or R"))?;
    let product_id = product_id.ok_or_else(|| AppError::validation("policy.product_required"))?;
    let ctx = family_context(conn, family_id).await?;
    imis_insuree::service::check_family_scope(conn, p, &ctx.family).await?;
    let previous = match stage {
        Stage::New => None,
        Stage::Renewal => Some(previous_policy(conn, family_id, product_id, prev_uuid).await?),
    };
    let computation = compute(
        state,
        conn,
        stage,
        enroll_date,
        product_id,
        &as_members(&ctx.members),
        previous,
    )
    .await?;
    Ok(PolicyPreview {
        computation,
        family: ctx.family,
    })
}

/// Input of `createPolicy`, `renewPolicy` and `updatePolicy` (openIMIS `PolicyInputType`; the
/// dates and value are optional and only compared with the server's, D14).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PolicyInput {
    pub uuid: Option<Uuid>,
    pub enroll_date: NaiveDate,
    pub start_date: Option<NaiveDate>,
    pub expiry_date: Option<NaiveDate>,
    pub value: Option<Decimal>,
    pub product_id: i64,
    pub family_id: i64,
    pub officer_id: i64,
    pub is_paid: bool,
    pub receipt: Option<String>,
    pub payer_uuid: Option<String>,
    pub contribution_plan_uuid: Option<Uuid>,
    /// Renewals: the renewed policy (D12).
    pub prev_uuid: Option<Uuid>,
    pub is_offline: bool,
}

fn warn_difference(m: &mut MutationCtx<'_>, field: &str, sent: String, computed: String) {
    if sent != computed {
        let mut params = serde_json::Map::new();
        params.insert("field".into(), field.into());
        params.insert("sent".into(), sent.into());
        params.insert("computed".into(), computed.into());
        m.warnings.push(Warning {
            code: "policy.client_value_ignored".into(),
            params,
        });
    }
}

/// Validates an enrolment (D14) and computes it; the caller has checked the right.
async fn prepare(
    m: &mut MutationCtx<'_>,
    p: &Principal,
    input: &PolicyInput,
    stage: Stage,
    previous: Option<policy::Model>,
) -> AppResult<(FamilyContext, Computation)> {
    let state = m.state;
    let conn = &**m.tx;
    if input.enroll_date > state.clock.today() {
        return Err(AppError::validation("policy.enroll_date_in_future")
            .with("enrollDate", input.enroll_date));
    }
    let ctx = family_context(conn, input.family_id).await?;
    imis_insuree::service::check_family_scope(conn, p, &ctx.family).await?;
    let product = product_on(state, conn, input.product_id, input.enroll_date).await?;
    if !imis_product::service::sellable(&product, &ctx.locations, input.enroll_date) {
        return Err(AppError::validation("policy.product_not_sellable")
            .with("productCode", &product.code)
            .with("enrollDate", input.enroll_date));
    }
    check_officer(conn, input.officer_id, input.enroll_date).await?;
    let previous = match (stage, previous) {
        (Stage::New, _) => None,
        (Stage::Renewal, Some(prev)) => Some(prev),
        (Stage::Renewal, None) => {
            Some(previous_policy(conn, input.family_id, input.product_id, input.prev_uuid).await?)
        }
    };
    let c = compute_for(
        state,
        product,
        stage,
        input.enroll_date,
        &as_members(&ctx.members),
        previous,
    );
    m.warnings.extend(c.value.warnings.iter().cloned());
    let digits = state.config.core.currency_minor_digits;
    if let Some(s) = input.start_date {
        warn_difference(m, "startDate", s.to_string(), c.start_date.to_string());
    }
    if let Some(e) = input.expiry_date {
        warn_difference(m, "expiryDate", e.to_string(), c.expiry_date.to_string());
    }
    if let Some(v) = input.value {
        let computed = imis_core::money::Money(c.value.value).to_decimal(digits);
        if v.normalize() != computed.normalize() {
            warn_difference(m, "value", v.normalize().to_string(), computed.to_string());
        }
    }
    Ok((ctx, c))
}

/// An existing policy with this uuid: returned when it is the same enrolment (D4), else
/// `conflict.uuid_exists`.
async fn existing_enrolment(
    conn: &impl ConnectionTrait,
    input: &PolicyInput,
    stage: Stage,
) -> AppResult<Option<policy::Model>> {
    let Some(uuid) = input.uuid else {
        return Ok(None);
    };
    match policy::Entity::find()
        .filter(policy::Column::Uuid.eq(uuid))
        .one(conn)
        .await?
    {
        Some(e)
            if e.validity_to.is_none()
                && e.family_id == input.family_id
                && e.product_id == input.product_id
                && e.enroll_date == input.enroll_date
                && e.stage == stage.code() =>
        {
            Ok(Some(e))
        }
        Some(_) => Err(AppError::conflict("conflict.uuid_exists").with("uuid", uuid)),
        None => Ok(None),
    }
}

async fn enrol(
    m: &mut MutationCtx<'_>,
    input: PolicyInput,
    stage: Stage,
) -> AppResult<policy::Model> {
    let rights: &'static [i32] = match stage {
        Stage::New => &[RIGHT_POLICY_ADD],
        Stage::Renewal => &[RIGHT_POLICY_RENEW],
    };
    let p = require_user(m.principal, Requirement::AnyOf(rights))?;
    if let Some(existing) = existing_enrolment(&**m.tx, &input, stage).await? {
        // A retried upload: the same answer, within the caller's locations only.
        check_policy_scope(&**m.tx, p, &existing).await?;
        return Ok(existing);
    }
    let (_ctx, c) = prepare(m, p, &input, stage, None).await?;
    if input.is_paid && !m.state.bus.has_in_tx_handler(EVENT_POLICY_CREATED) {
        return Err(AppError::module_disabled("payment"));
    }
    let now = m.state.clock.now();
    let today = m.state.clock.today();
    let free = c.value.value == 0;
    let pol = policy::ActiveModel {
        uuid: Set(input.uuid.unwrap_or_else(Uuid::now_v7)),
        family_id: Set(input.family_id),
        product_id: Set(input.product_id),
        officer_id: Set(Some(input.officer_id)),
        enroll_date: Set(input.enroll_date),
        start_date: Set(c.start_date),
        // D15: a zero-value policy is Active at creation, effective on its start date.
        effective_date: Set(free.then_some(c.start_date)),
        expiry_date: Set(c.expiry_date),
        stage: Set(stage.code().into()),
        status: Set(if free { STATUS_ACTIVE } else { STATUS_IDLE }),
        previous_policy_id: Set(c.previous.as_ref().map(|p| p.id)),
        value: Set(c.value.value),
        paid: Set(0),
        matched: Set(0),
        is_offline: Set(input.is_offline),
        contribution_plan_uuid: Set(input.contribution_plan_uuid),
        creation_date: Set(today),
        json_ext: Set(None),
        validity_from: Set(now),
        validity_to: Set(None),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    }
    .insert(&**m.tx)
    .await
    .map_err(|e| match e.sql_err() {
        // A concurrent enrolment with the same uuid committed first (PostgreSQL; SQLite writers
        // are serialised): the answer of the pre-check, `conflict.uuid_exists`.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(msg)) if msg.contains("uuid") => {
            AppError::conflict("conflict.uuid_exists").with(
                "uuid",
                input.uuid.map(|u| u.to_string()).unwrap_or_default(),
            )
        }
        _ => e.into(),
    })?;
    coverage::insert_rows(
        m.state,
        m.tx,
        m.actor(),
        &pol,
        &c.value.kept,
        pol.effective_date,
    )
    .await?;
    if let Some(prev) = &c.previous {
        // The renewed policy's row lock before its reminders are closed (parent before children).
        activation::lock(m.tx, prev.id).await?;
        close_pending_renewals(m.state, m.tx, m.actor(), prev.id).await?;
    }
    m.publish(
        EVENT_POLICY_CREATED,
        serde_json::to_value(PolicyCreated {
            policy_id: pol.id,
            is_paid: input.is_paid,
            receipt: input.receipt.clone(),
            payer_uuid: input.payer_uuid.clone(),
        })?,
    )
    .await?;
    m.link("policy", pol.id);
    if !input.is_paid {
        return Ok(pol);
    }
    // The premium recorded by the payment module may have activated it.
    find_policy_by_id(&**m.tx, pol.id)
        .await?
        .ok_or_else(AppError::internal)
}

/// `createPolicy` (101202): a new policy, stage N, dates and value computed (D12–D14).
pub async fn create_policy(
    m: &mut MutationCtx<'_>,
    input: PolicyInput,
) -> AppResult<policy::Model> {
    enrol(m, input, Stage::New).await
}

/// `renewPolicy` (101205): a new policy, stage R, renewing `prevUuid` or the family's latest
/// policy of the product (D12); the renewed policy's pending reminders are closed.
pub async fn renew_policy(m: &mut MutationCtx<'_>, input: PolicyInput) -> AppResult<policy::Model> {
    enrol(m, input, Stage::Renewal).await
}

/// `updatePolicy` (101203): an Idle policy, recomputed from the new enrolment date, product and
/// officer; its coverage rows are replaced.
pub async fn update_policy(
    m: &mut MutationCtx<'_>,
    input: PolicyInput,
) -> AppResult<policy::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_POLICY_EDIT]))?;
    let uuid = input
        .uuid
        .ok_or_else(|| AppError::invalid("uuid", "required"))?;
    let found = find_policy(&**m.tx, uuid).await?;
    check_policy_scope(&**m.tx, p, &found).await?;
    // Read again under the policy's row lock: a concurrent change of this policy (an update, a
    // premium, a suspension) waits for this transaction or has committed, and the checks below
    // and the history row see its latest version (D7).
    let existing = activation::lock_found(m.tx, found).await?;
    if existing.status != STATUS_IDLE {
        return Err(AppError::validation("policy.not_idle").with("uuid", uuid));
    }
    if existing.family_id != input.family_id {
        return Err(AppError::invalid(
            "familyId",
            "a policy cannot move to another family",
        ));
    }
    // Contributions belong to the product they were paid for (receipts are unique per product).
    if existing.product_id != input.product_id && existing.paid > 0 {
        return Err(
            AppError::validation("policy.product_change_with_contributions").with("uuid", uuid),
        );
    }
    let stage = Stage::parse(&existing.stage).unwrap_or(Stage::New);
    let previous = match existing.previous_policy_id {
        Some(id) => policy::Entity::find_by_id(id).one(&**m.tx).await?,
        None => None,
    };
    let (_ctx, c) = prepare(m, p, &input, stage, previous).await?;
    let now = m.state.clock.now();
    imis_core::history::save(
        m.tx,
        HISTORY_POLICY,
        existing.id,
        &existing,
        existing.validity_from,
        now,
        m.actor(),
    )
    .await?;
    let free = c.value.value == 0;
    let mut a = existing.clone().into_active_model();
    a.enroll_date = Set(input.enroll_date);
    a.product_id = Set(input.product_id);
    a.officer_id = Set(Some(input.officer_id));
    a.start_date = Set(c.start_date);
    a.expiry_date = Set(c.expiry_date);
    a.value = Set(c.value.value);
    a.contribution_plan_uuid = Set(input.contribution_plan_uuid);
    if free {
        a.status = Set(STATUS_ACTIVE);
        a.effective_date = Set(Some(c.start_date));
    }
    a.validity_from = Set(now);
    a.audit_user_id = Set(m.actor());
    let updated = a.update(&**m.tx).await?;
    coverage::close_rows_of_policy(m.state, m.tx, m.actor(), updated.id).await?;
    coverage::insert_rows(
        m.state,
        m.tx,
        m.actor(),
        &updated,
        &c.value.kept,
        updated.effective_date,
    )
    .await?;
    // A contribution may already cover the new value.
    if !free && updated.paid > 0 {
        activation::apply_paid(
            m.state,
            m.tx,
            m.actor(),
            updated.id,
            activation::PaidChange::Recomputed,
        )
        .await?;
    }
    m.link("policy", updated.id);
    find_policy_by_id(&**m.tx, updated.id)
        .await?
        .ok_or_else(AppError::internal)
}

/// Saves the current version of a policy to history and returns its active model with the new
/// validity start.
pub(crate) async fn new_version(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    existing: &policy::Model,
) -> AppResult<policy::ActiveModel> {
    let now = state.clock.now();
    imis_core::history::save(
        tx,
        HISTORY_POLICY,
        existing.id,
        existing,
        existing.validity_from,
        now,
        actor,
    )
    .await?;
    let mut a = existing.clone().into_active_model();
    a.validity_from = Set(now);
    a.audit_user_id = Set(actor);
    Ok(a)
}

/// The current policies named (each once, in the order given), read under their row locks taken
/// in id order, each within the caller's locations (D9).
async fn policies_for_write(
    m: &MutationCtx<'_>,
    p: &Principal,
    uuids: &[Uuid],
) -> AppResult<Vec<policy::Model>> {
    let mut seen = std::collections::HashSet::new();
    let uuids: Vec<Uuid> = uuids.iter().copied().filter(|u| seen.insert(*u)).collect();
    let mut locked: std::collections::HashMap<Uuid, policy::Model> = if uuids.is_empty() {
        Default::default()
    } else {
        policy::Entity::find()
            .filter(policy::Column::Uuid.is_in(uuids.iter().copied()))
            .filter(policy::Column::ValidityTo.is_null())
            .order_by_asc(policy::Column::Id)
            .lock_exclusive()
            .all(&**m.tx)
            .await?
            .into_iter()
            .map(|pol| (pol.uuid, pol))
            .collect()
    };
    let mut out = vec![];
    for u in uuids {
        let pol = locked
            .remove(&u)
            .ok_or_else(|| AppError::not_found("policy"))?;
        check_policy_scope(&**m.tx, p, &pol).await?;
        out.push(pol);
    }
    Ok(out)
}

/// `suspendPolicies` (101203): status Suspended, whatever the current status (reference §7.4).
pub async fn suspend_policies(m: &mut MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<usize> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_POLICY_EDIT]))?;
    let policies = policies_for_write(m, p, uuids).await?;
    for pol in &policies {
        let mut a = new_version(m.state, m.tx, m.actor(), pol).await?;
        a.status = Set(STATUS_SUSPENDED);
        a.update(&**m.tx).await?;
        m.link("policy", pol.id);
    }
    Ok(policies.len())
}

/// `deletePolicies` (101204): refused when claims consumed the policy; otherwise the policy, its
/// coverage rows and reminders are soft-deleted, and `policy.deleting` lets the payment module
/// remove its premiums (and any module veto).
pub async fn delete_policies(m: &mut MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<usize> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_POLICY_DELETE]))?;
    let policies = policies_for_write(m, p, uuids).await?;
    let now = m.state.clock.now();
    for pol in &policies {
        if usage::has_consumption(&**m.tx, pol.id).await? {
            return Err(AppError::domain("policy.used_in_claims").with("uuid", pol.uuid));
        }
        m.publish(
            EVENT_POLICY_DELETING,
            serde_json::to_value(PolicyDeleting { policy_id: pol.id })?,
        )
        .await?;
        coverage::close_rows_of_policy(m.state, m.tx, m.actor(), pol.id).await?;
        close_pending_renewals(m.state, m.tx, m.actor(), pol.id).await?;
        imis_core::history::save(
            m.tx,
            HISTORY_POLICY,
            pol.id,
            pol,
            pol.validity_from,
            now,
            m.actor(),
        )
        .await?;
        let mut a = pol.clone().into_active_model();
        a.validity_to = Set(Some(now));
        a.audit_user_id = Set(m.actor());
        a.update(&**m.tx).await?;
        m.link("policy", pol.id);
    }
    Ok(policies.len())
}

/// Soft-deletes the current renewal reminders of a policy (the caller holds the policy's row
/// lock; the reminders are read under theirs, in id order).
pub(crate) async fn close_pending_renewals(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    policy_id: i64,
) -> AppResult<()> {
    let now = state.clock.now();
    let rows = renewal::Entity::find()
        .filter(renewal::Column::PolicyId.eq(policy_id))
        .filter(renewal::Column::ValidityTo.is_null())
        .order_by_asc(renewal::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    for r in rows {
        imis_core::history::save(tx, HISTORY_RENEWAL, r.id, &r, r.validity_from, now, actor)
            .await?;
        let mut a = r.into_active_model();
        a.validity_to = Set(Some(now));
        a.audit_user_id = Set(actor);
        a.update(tx).await?;
    }
    Ok(())
}

/// `canAddInsuree(familyId)`: the warnings adding a member would raise — one per current policy
/// of the family already at its product's maximum number of members (codes, with parameters).
pub async fn can_add_insuree(
    state: &AppState,
    principal: Option<&Principal>,
    family_id: i64,
) -> AppResult<Vec<AppError>> {
    let p = require_user(
        principal,
        Requirement::AnyOf(&[101101, 101102, 101103, RIGHT_POLICY_SEARCH]),
    )?;
    let conn = &state.db.conn;
    let fam = imis_insuree::service::find_family_by_id(conn, family_id)
        .await?
        .ok_or_else(|| AppError::not_found("family").with("id", family_id))?;
    imis_insuree::service::check_family_scope(conn, p, &fam).await?;
    let mut out = vec![];
    for pol in coverage::open_policies_of_family(state, conn, family_id).await? {
        let product = product_on(state, conn, pol.product_id, pol.enroll_date).await?;
        let covered = activation::covered_count(conn, pol.id).await?;
        if product.max_members > 0 && covered >= product.max_members as usize {
            out.push(
                AppError::validation("policy.max_members_reached")
                    .with("productCode", &product.code)
                    .with("max", product.max_members),
            );
        }
    }
    Ok(out)
}
