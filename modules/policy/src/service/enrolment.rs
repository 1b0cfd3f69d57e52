//! Enrolment operations: `createPolicy`, `renewPolicy`, `updatePolicy` (Idle only),
//! `suspendPolicies`, `deletePolicies`, `canAddInsuree`, and the version and reminder helpers
//! they share. Dates and value come from [`super::compute`] (D12–D14).

use super::*;

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
    imis_insuree::api::check_family_scope(conn, p, &ctx.family).await?;
    let product = product_on(state, conn, input.product_id, input.enroll_date).await?;
    if !imis_product::api::sellable(&product, &ctx.locations, input.enroll_date) {
        return Err(AppError::validation("policy.product_not_sellable")
            .with("productCode", &product.code)
            .with("enrollDate", input.enroll_date));
    }
    check_officer(conn, input.officer_id, input.enroll_date).await?;
    let previous = match (stage, previous) {
        (Stage::New, _) => None,
        (Stage::Renewal, Some(prev)) => Some(prev),
        (Stage::Renewal, None) => {
            let (family, product) = (input.family_id, input.product_id);
            Some(previous_policy(conn, family, product, input.prev_uuid, input.enroll_date).await?)
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
    // A concurrent enrolment with the same uuid committed first (PostgreSQL; SQLite writers are
    // serialised): the answer of the pre-check, `conflict.uuid_exists`.
    .map_err(|e| unique_or(e, &[], input.uuid, AppError::internal))?;
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
    if stage == Stage::Renewal {
        crate::events::publish_renewed(m.state, m.tx, m.actor(), &pol).await?;
    }
    if free {
        crate::events::publish_status_change(m.state, m.tx, m.actor(), None, &pol).await?;
    }
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
    let free = c.value.value == 0;
    let mut a: policy::ActiveModel =
        imis_core::kit::new_version(m.tx, HISTORY_POLICY, existing.clone(), now, m.actor()).await?;
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
    let updated = a.update(&**m.tx).await?;
    crate::events::publish_status_change(m.state, m.tx, m.actor(), Some(existing.status), &updated)
        .await?;
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
    imis_core::kit::new_version(tx, HISTORY_POLICY, existing.clone(), now, actor).await
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
            .current()
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
        let updated = a.update(&**m.tx).await?;
        crate::events::publish_status_change(m.state, m.tx, m.actor(), Some(pol.status), &updated)
            .await?;
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
        imis_core::kit::close_version::<policy::ActiveModel>(
            m.tx,
            HISTORY_POLICY,
            pol.clone(),
            now,
            m.actor(),
        )
        .await?;
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
        .current()
        .order_by_asc(renewal::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    for r in rows {
        imis_core::kit::close_version::<renewal::ActiveModel>(tx, HISTORY_RENEWAL, r, now, actor)
            .await?;
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
    let fam = imis_insuree::api::find_family_by_id(conn, family_id)
        .await?
        .ok_or_else(|| AppError::not_found("family").with("id", family_id))?;
    imis_insuree::api::check_family_scope(conn, p, &fam).await?;
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
