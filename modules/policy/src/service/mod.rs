//! Policy business operations. Dates and value are always computed here ([`crate::values`],
//! D12–D14); coverage follows the insuree module's events ([`coverage`], D16); the payment
//! module pushes contributions and matched payments through [`activation`] (D15); the claim
//! module pushes usage and consumption through [`usage`].

pub mod activation;
pub mod coverage;
pub mod eligibility;
mod enrolment;
pub mod insuree_policies;
pub mod lists;
pub mod usage;

use crate::config::PolicyConfig;
use crate::entity::{policy, renewal};
use crate::values::{self, ComputedValue, Member, Stage, ValueInput};
use chrono::NaiveDate;
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::error::{AppError, AppResult, unique_or};
use imis_core::kit::CurrentRows;
use imis_core::kit::insert_version;
use imis_core::mutation::{MutationCtx, Warning};
use imis_insuree::api::{FamilySummary, InsureeSummary};
use imis_product::api::ProductTerms;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

pub use crate::rights::{
    DESK_RIGHTS, RIGHT_POLICY_ADD, RIGHT_POLICY_DELETE, RIGHT_POLICY_EDIT, RIGHT_POLICY_RENEW,
    RIGHT_POLICY_SEARCH, SEARCH_OR_DESK,
};

pub const STATUS_IDLE: i32 = 1;
pub const STATUS_ACTIVE: i32 = 2;
pub const STATUS_SUSPENDED: i32 = 4;
pub const STATUS_EXPIRED: i32 = 8;
pub const STATUS_READY: i32 = 16;

/// `core_history` entity names.
pub const HISTORY_POLICY: &str = "policy";
pub const HISTORY_COVERAGE: &str = "insuree_policy";
pub const HISTORY_RENEWAL: &str = "policy_renewal";

pub use crate::events::{
    EVENT_POLICY_CREATED, EVENT_POLICY_DELETING, PolicyCreated, PolicyDeleting,
};
pub use enrolment::*;

pub fn config(state: &AppState) -> PolicyConfig {
    PolicyConfig::from_config(&state.config)
}

/// The current (valid) policy with this uuid.
pub async fn find_policy(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<policy::Model> {
    policy::Entity::find()
        .filter(policy::Column::Uuid.eq(uuid))
        .current()
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("policy"))
}

/// The current policy with this id.
pub async fn find_policy_by_id(
    conn: &impl ConnectionTrait,
    id: i64,
) -> AppResult<Option<policy::Model>> {
    Ok(policy::Entity::find_by_id(id).current().one(conn).await?)
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
    family_scope(conn, p, policy.family_id).await
}

/// Refuses a family outside the caller's locations (D9).
pub(crate) async fn family_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    family_id: i64,
) -> AppResult<()> {
    if p.scope.unrestricted {
        return Ok(());
    }
    let fam = imis_insuree::api::families_by_ids(conn, &[family_id]).await?;
    match fam.get(&family_id) {
        Some(f) => imis_insuree::api::check_family_scope(conn, p, f).await,
        None => Err(AppError::location_denied()),
    }
}

/// The current officer `officer_id`, working on `date` (D14).
pub async fn check_officer(
    conn: &impl ConnectionTrait,
    officer_id: i64,
    date: NaiveDate,
) -> AppResult<imis_core::registers::Officer> {
    match imis_core::registers::officer_by_id(conn, officer_id).await? {
        Some(o) if o.works_to.is_none_or(|w| w >= date) => Ok(o),
        _ => Err(AppError::validation("policy.officer_invalid").with("officerId", officer_id)),
    }
}

/// A family with what enrolment needs: its village and the ancestors (product sellability) and
/// its current active members (D13).
#[derive(Debug, Clone)]
pub struct FamilyContext {
    pub family: FamilySummary,
    pub locations: Vec<i64>,
    pub members: Vec<InsureeSummary>,
}

pub async fn family_context(
    conn: &impl ConnectionTrait,
    family_id: i64,
) -> AppResult<FamilyContext> {
    let family = imis_insuree::api::find_family_by_id(conn, family_id)
        .await?
        .ok_or_else(|| AppError::not_found("family").with("id", family_id))?;
    let locations = imis_core::location::service::ancestor_ids(conn, &[family.location_id]).await?;
    let members = imis_insuree::api::members_of(conn, family.id)
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

impl From<&InsureeSummary> for Member {
    fn from(i: &InsureeSummary) -> Self {
        Member {
            insuree_id: i.id,
            dob: i.dob,
            relationship: i.relationship,
            head: i.head,
        }
    }
}

pub fn as_members(insurees: &[InsureeSummary]) -> Vec<Member> {
    let mut v: Vec<Member> = insurees.iter().map(Member::from).collect();
    v.sort_by_key(|m| m.insuree_id);
    v
}

/// What `policyValues` and the enrolment mutations compute.
#[derive(Debug, Clone)]
pub struct Computation {
    pub product: ProductTerms,
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
) -> AppResult<ProductTerms> {
    imis_product::api::product_model_in_force(conn, &state.clock, product_id, date)
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
    product: ProductTerms,
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
    let next = imis_product::api::conversion_links(conn).await?;
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
    let next = imis_product::api::conversion_links(conn).await?;
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
/// Active or Expired policy of the family whose product is the renewed one or converts into it,
/// among those enrolled and started strictly before `before` (the renewal's enrolment date, so
/// a renewal never renews itself or a later policy).
pub async fn previous_policy(
    conn: &impl ConnectionTrait,
    family_id: i64,
    product_id: i64,
    prev_uuid: Option<Uuid>,
    before: NaiveDate,
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
        .current()
        .filter(policy::Column::ProductId.is_in(products))
        .filter(policy::Column::Status.is_in([STATUS_ACTIVE, STATUS_EXPIRED]))
        .filter(policy::Column::EnrollDate.lt(before))
        .filter(policy::Column::StartDate.lt(before))
        .order_by_desc(policy::Column::ExpiryDate)
        .order_by_desc(policy::Column::StartDate)
        .order_by_desc(policy::Column::Id)
        .one(conn)
        .await?
        .ok_or_else(missing)
}

/// The `policyValues` answer.
#[derive(Debug, Clone)]
pub struct PolicyPreview {
    pub computation: Computation,
    pub family: FamilySummary,
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
    imis_insuree::api::check_family_scope(conn, p, &ctx.family).await?;
    let previous = match stage {
        Stage::New => None,
        // The front end asks a renewal's figures with the day after its own enrolment date
        // (the day after the previous expiry for a new renewal, which comes with `prevUuid`):
        // the previous policy is chosen as `renewPolicy` chose it on the day before, so an
        // existing renewal shows its own figures, not the next one's.
        Stage::Renewal => {
            let enrolled = enroll_date.pred_opt().unwrap_or(enroll_date);
            Some(previous_policy(conn, family_id, product_id, prev_uuid, enrolled).await?)
        }
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
