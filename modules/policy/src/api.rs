//! The policy module's public API: what other modules may use of it. Everything else in the
//! crate is private to it (the gateway composes [`crate::graphql`]'s roots only).
//!
//! - Reads: [`PolicySummary`] (an owned copy of a policy row), [`find_policy`],
//!   [`policies_by_ids`], [`check_policy_scope`], [`matchable_policy`], [`policy_nodes_by_ids`]
//!   (the `PolicyGQLType` nodes another module's GraphQL type links to), and typed sea-query
//!   building blocks for set-based work ([`policy_ids_with_uuids`],
//!   [`policy_ids_of_families`]).
//! - Contributions (D15), for the payment module: [`open_policy_for_contribution`] (one call:
//!   the policy under its row lock, in the caller's locations, with the product terms a
//!   contribution needs), [`record_contribution`] (records the paid total and applies activation,
//!   publishing `policy.activated` / `policy.suspended`), [`contributions_changed`] (an updated
//!   or deleted premium: never deactivates), [`record_matched_payment`].
//! - Payment matching: [`renewal_for`] (the one question "may matching renew this policy today,
//!   and for what value?"), [`enrolment_check`], [`renew_by_payment`].
//! - Coverage and usage: [`covering`] (D16, owned [`Coverage`] rows), [`record_claim_usage`], [`record_consumption`],
//!   [`close_consumption`], [`clear_claim_usage`] (pushed by the claim module).
//! - Claim valuation (D21, D22): [`previous_consumption`] (other claims' current rows, per policy
//!   and per insuree), [`policy_products`] (each policy's product version
//!   with its lines); for bulk submission and processing, the same facts for many claims at once
//!   ([`covering_many`], [`policy_members_on_many`] (the members the extra-member ceiling
//!   counts), [`lock_policies`], [`consumption_ledger`])
//!   and the writes for many claims ([`record_claim_usages`], [`record_consumptions`]).
//! - Events: the names and payloads of `policy.created`, `.deleting`, `.activated`,
//!   `.suspended`, `.expired`, `.renewed` (see [`PolicyStatusChanged`] and the others).

use crate::entity::policy;
use crate::service::{self, activation};
use crate::values::Stage;
use chrono::NaiveDate;
use imis_core::AppState;
use imis_core::auth::Principal;
use imis_core::error::{AppError, AppResult};
use imis_core::kit::CurrentRows;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub use crate::events::{
    EVENT_POLICY_ACTIVATED, EVENT_POLICY_CREATED, EVENT_POLICY_DELETING, EVENT_POLICY_EXPIRED,
    EVENT_POLICY_RENEWED, EVENT_POLICY_SUSPENDED, EXPIRED_CHUNK, PoliciesExpired, PolicyCreated,
    PolicyDeleting, PolicyRenewed, PolicyStatusChanged,
};
pub use crate::graphql::types::{PolicyGQLType, PolicyWants};
pub use crate::service::activation::{ActivationOutcome, PremiumAction};
/// Claim usage and consumption, pushed by the claim module inside its transaction.
pub use crate::service::usage::{
    ClaimConsumption, ClaimUsage, Consumption, ConsumptionLedger, PreviousConsumption, UsageLine,
    clear_claim_usage, clear_claim_usages, close_consumption, consumption_ledger,
    record_claim_usage, record_claim_usages, record_consumption, record_consumptions,
};
pub use crate::service::{
    RIGHT_POLICY_EDIT, STATUS_ACTIVE, STATUS_EXPIRED, STATUS_IDLE, STATUS_READY, STATUS_SUSPENDED,
};
/// The age rule of the value computation (adult on a date, given the age of majority).
pub use crate::values::is_adult;

/// A policy as other modules see it (an owned copy of one row; amounts in minor units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySummary {
    pub id: i64,
    pub uuid: Uuid,
    pub family_id: i64,
    /// The product's current row id.
    pub product_id: i64,
    pub officer_id: Option<i64>,
    pub enroll_date: NaiveDate,
    pub start_date: NaiveDate,
    pub effective_date: Option<NaiveDate>,
    pub expiry_date: NaiveDate,
    /// `N` new, `R` renewal.
    pub stage: String,
    /// 1 Idle, 2 Active, 4 Suspended, 8 Expired, 16 Ready.
    pub status: i32,
    /// The policy a renewal renews.
    pub previous_policy_id: Option<i64>,
    /// Contribution due.
    pub value: i64,
    /// Σ of the valid non-photo-fee premiums, as last recorded.
    pub paid: i64,
    /// Σ of the matched payment amounts.
    pub matched: i64,
    pub is_offline: bool,
    /// False for a deleted policy or a replaced version.
    pub current: bool,
}

impl From<policy::Model> for PolicySummary {
    fn from(p: policy::Model) -> Self {
        Self {
            id: p.id,
            uuid: p.uuid,
            family_id: p.family_id,
            product_id: p.product_id,
            officer_id: p.officer_id,
            enroll_date: p.enroll_date,
            start_date: p.start_date,
            effective_date: p.effective_date,
            expiry_date: p.expiry_date,
            stage: p.stage,
            status: p.status,
            previous_policy_id: p.previous_policy_id,
            value: p.value,
            paid: p.paid,
            matched: p.matched,
            is_offline: p.is_offline,
            current: p.validity_to.is_none(),
        }
    }
}

/// The current policy with this uuid, or `not_found`.
pub async fn find_policy(conn: &impl ConnectionTrait, uuid: Uuid) -> AppResult<PolicySummary> {
    service::find_policy(conn, uuid).await.map(Into::into)
}

/// Policies by id, whatever their validity.
pub async fn policies_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, PolicySummary>> {
    Ok(service::policies_by_ids(conn, ids)
        .await?
        .into_iter()
        .map(|(id, p)| (id, p.into()))
        .collect())
}

/// Refuses a policy whose family lies outside the caller's locations (D9).
pub async fn check_policy_scope(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    policy: &PolicySummary,
) -> AppResult<()> {
    service::family_scope(conn, principal, policy.family_id).await
}

/// The `PolicyGQLType` nodes of these policies (whatever their validity), keyed by policy id,
/// with what `wants` asks loaded for the whole page at once.
pub async fn policy_nodes_by_ids(
    state: &AppState,
    caller: &Principal,
    ids: &[i64],
    wants: PolicyWants,
) -> AppResult<HashMap<i64, PolicyGQLType>> {
    let policies = service::policies_by_ids(&state.db.conn, ids).await?;
    let nodes = crate::graphql::types::policy_nodes(
        state,
        caller,
        policies.into_values().map(|p| (p, None)).collect(),
        wants,
    )
    .await?;
    Ok(nodes.into_iter().map(|n| (n.model.id, n)).collect())
}

/// `SELECT id FROM <policies> WHERE uuid IN (uuids)` (any validity), to filter another
/// module's rows by policy uuid in one statement.
pub fn policy_ids_with_uuids(uuids: &[Uuid]) -> SelectStatement {
    Query::select()
        .column(policy::Column::Id)
        .from(policy::Entity)
        .and_where(Expr::col(policy::Column::Uuid).is_in(uuids.iter().copied()))
        .to_owned()
}

/// `SELECT id FROM <policies> WHERE family_id IN (families)` (any validity): the policies of
/// the families `families` selects (e.g. the insuree module's families-in-locations query).
pub fn policy_ids_of_families(families: SelectStatement) -> SelectStatement {
    Query::select()
        .column(policy::Column::Id)
        .from(policy::Entity)
        .and_where(Expr::col(policy::Column::FamilyId).in_subquery(families))
        .to_owned()
}

/// Up to `limit` current policies with contributions recorded (`paid > 0`) and an id above
/// `after_id`, in id order: (id, product id, paid, enrolment date). The payment module's scale
/// seeder pages through them.
pub async fn paid_policies_page(
    conn: &impl ConnectionTrait,
    after_id: i64,
    limit: u64,
) -> AppResult<Vec<(i64, i64, i64, NaiveDate)>> {
    Ok(policy::Entity::find()
        .select_only()
        .columns([
            policy::Column::Id,
            policy::Column::ProductId,
            policy::Column::Paid,
            policy::Column::EnrollDate,
        ])
        .current()
        .filter(policy::Column::Paid.gt(0))
        .filter(policy::Column::Id.gt(after_id))
        .order_by_asc(policy::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?)
}

/// The current policies with this status, in id order (demo data).
pub async fn current_policies_with_status(
    conn: &impl ConnectionTrait,
    status: i32,
) -> AppResult<Vec<PolicySummary>> {
    Ok(policy::Entity::find()
        .current()
        .filter(policy::Column::Status.eq(status))
        .order_by_asc(policy::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// What a contribution on a policy needs of its product (the version in force on the
/// enrolment date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionTerms {
    pub product_code: String,
    /// None = unlimited; 0 or 1 = one contribution paying the balance; N = at most N.
    pub max_installments: Option<i32>,
}

/// A policy opened for a contribution: read under its row lock (held until the transaction
/// ends, so the installments counted and the paid total recorded next include every premium a
/// concurrent writer committed), with its product terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyForContribution {
    pub policy: PolicySummary,
    pub terms: ContributionTerms,
}

/// The current policy `uuid` under its row lock, refused outside `principal`'s locations (D9;
/// None = a system write), with the terms of its product version in force on the enrolment date
/// (`policy.product_not_found` when there is none).
pub async fn open_policy_for_contribution(
    state: &AppState,
    tx: &DatabaseTransaction,
    principal: Option<&Principal>,
    uuid: Uuid,
) -> AppResult<PolicyForContribution> {
    let found = service::find_policy(tx, uuid).await?;
    if let Some(p) = principal {
        service::check_policy_scope(tx, p, &found).await?;
    }
    let locked = activation::lock_found(tx, found).await?;
    if locked.validity_to.is_some() {
        return Err(AppError::not_found("policy").with("uuid", uuid));
    }
    with_terms(state, tx, locked).await
}

/// [`open_policy_for_contribution`] for a policy known by id (e.g. from an event payload).
pub async fn open_policy_by_id_for_contribution(
    state: &AppState,
    tx: &DatabaseTransaction,
    principal: Option<&Principal>,
    id: i64,
) -> AppResult<PolicyForContribution> {
    let locked = lock_model(tx, principal, id).await?;
    with_terms(state, tx, locked).await
}

async fn with_terms(
    state: &AppState,
    tx: &DatabaseTransaction,
    pol: policy::Model,
) -> AppResult<PolicyForContribution> {
    let product = service::product_on(state, tx, pol.product_id, pol.enroll_date).await?;
    Ok(PolicyForContribution {
        policy: pol.into(),
        terms: ContributionTerms {
            product_code: product.code,
            max_installments: product.max_installments,
        },
    })
}

/// The current policy `id` under its row lock, refused outside `principal`'s locations (None =
/// a system write). Several policies are locked in id order.
pub async fn lock_policy(
    tx: &DatabaseTransaction,
    principal: Option<&Principal>,
    id: i64,
) -> AppResult<PolicySummary> {
    lock_model(tx, principal, id).await.map(Into::into)
}

async fn lock_model(
    tx: &DatabaseTransaction,
    principal: Option<&Principal>,
    id: i64,
) -> AppResult<policy::Model> {
    if let Some(p) = principal {
        let found = service::policies_by_ids(tx, &[id])
            .await?
            .remove(&id)
            .ok_or_else(|| AppError::not_found("policy"))?;
        service::check_policy_scope(tx, p, &found).await?;
    }
    activation::lock(tx, id).await
}

/// A contribution saved on a policy (the caller holds the policy's row lock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    pub policy_id: i64,
    /// Σ of the policy's valid non-photo-fee premiums, this one included.
    pub paid_total: i64,
    /// The saved premium's pay date.
    pub pay_date: NaiveDate,
    pub action: PremiumAction,
}

/// Records a contribution's effect and applies activation for the configured option (D15);
/// publishes `policy.activated` or `policy.suspended` when the status changes.
pub async fn record_contribution(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    c: Contribution,
) -> AppResult<ActivationOutcome> {
    activation::record_premium(
        state,
        tx,
        actor,
        activation::PremiumRecorded {
            policy_id: c.policy_id,
            paid_total: c.paid_total,
            pay_date: c.pay_date,
            action: c.action,
        },
    )
    .await
}

/// A premium was updated or deleted: the policy's paid total becomes `paid_total`; the policy
/// is never deactivated (warning `premium.policy_underpaid`, D15).
pub async fn contributions_changed(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    policy_id: i64,
    paid_total: i64,
) -> AppResult<ActivationOutcome> {
    activation::apply_paid(
        state,
        tx,
        actor,
        policy_id,
        activation::PaidChange::PremiumChanged(paid_total),
    )
    .await
}

/// Adds what a matched payment brought to the policy's matched total (options 2 and 3 may
/// activate it; `policy.activated` is published then).
pub async fn record_matched_payment(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    policy_id: i64,
    amount: i64,
    payment_date: NaiveDate,
) -> AppResult<ActivationOutcome> {
    activation::record_matched(state, tx, actor, policy_id, amount, payment_date).await
}

/// The family's policy of a product that payment matching credits (reference §10.3 step 1): the
/// latest current one neither Suspended nor Expired.
pub async fn matchable_policy(
    conn: &impl ConnectionTrait,
    family_id: i64,
    product_id: i64,
) -> AppResult<Option<PolicySummary>> {
    Ok(activation::matchable_policy(conn, family_id, product_id)
        .await?
        .map(Into::into))
}

/// Whether a policy's product, in its version in force on the enrolment date, was sellable to
/// the family then, and that version's location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrolmentCheck {
    pub sellable: bool,
    /// The product's location (None = national or no version in force).
    pub product_location_id: Option<i64>,
}

/// The checks payment matching makes of a line's policy (codes 106 and 108).
pub async fn enrolment_check(
    state: &AppState,
    conn: &impl ConnectionTrait,
    policy: &PolicySummary,
) -> AppResult<EnrolmentCheck> {
    let version = imis_product::api::product_model_in_force(
        conn,
        &state.clock,
        policy.product_id,
        policy.enroll_date,
    )
    .await?;
    let ctx = service::family_context(conn, policy.family_id).await?;
    Ok(EnrolmentCheck {
        sellable: version
            .as_ref()
            .is_some_and(|v| imis_product::api::sellable(v, &ctx.locations, policy.enroll_date)),
        product_location_id: version.and_then(|v| v.location_id),
    })
}

/// Why matching may not renew a policy today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RenewalObstacle {
    /// The product the policy converts into is not sellable to the family today (code 106).
    NotSellable,
    /// The policy's officer, whom the renewal keeps, is no current officer today (code 107).
    OfficerGone,
    /// That officer's locations do not match that product's location (code 108).
    OfficerLocation,
}

/// The answer to "may payment matching renew this policy today, and for what value?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewalAnswer {
    /// Value of the renewal in minor units (0 when there are obstacles).
    pub value: i64,
    pub obstacles: Vec<RenewalObstacle>,
}

/// The renewal checks of payment matching (reference §10.3 step 4), made before anything is
/// written: the product the policy converts into must be sellable to the family `today`, the
/// policy's officer must be a current officer today whose locations include that product's.
pub async fn renewal_for(
    state: &AppState,
    conn: &impl ConnectionTrait,
    policy_id: i64,
    today: NaiveDate,
) -> AppResult<RenewalAnswer> {
    let prev = service::find_policy_by_id(conn, policy_id)
        .await?
        .ok_or_else(|| AppError::not_found("policy").with("id", policy_id))?;
    let mut obstacles = vec![];
    let product_id = service::final_conversion(conn, prev.product_id).await?;
    let ctx = service::family_context(conn, prev.family_id).await?;
    let version =
        imis_product::api::product_model_in_force(conn, &state.clock, product_id, today).await?;
    if !version
        .as_ref()
        .is_some_and(|v| imis_product::api::sellable(v, &ctx.locations, today))
    {
        obstacles.push(RenewalObstacle::NotSellable);
    }
    let officer = match prev.officer_id {
        None => None,
        Some(id) => imis_core::registers::officer_by_id(conn, id)
            .await?
            .filter(|o| o.works_to.is_none_or(|w| w >= today)),
    };
    match (&officer, &version) {
        (None, _) => obstacles.push(RenewalObstacle::OfficerGone),
        (Some(o), Some(v)) => {
            if let Some(l) = v.location_id
                && !officer_locations(conn, o).await?.contains(&l)
            {
                obstacles.push(RenewalObstacle::OfficerLocation);
            }
        }
        (Some(_), None) => {}
    }
    let value = match version {
        Some(v) if obstacles.is_empty() => {
            service::compute_for(
                state,
                v,
                Stage::Renewal,
                today,
                &service::as_members(&ctx.members),
                Some(prev),
            )
            .value
            .value
        }
        _ => 0,
    };
    Ok(RenewalAnswer { value, obstacles })
}

/// The locations an officer works in: their villages and own location, with every ancestor.
pub async fn officer_locations(
    conn: &impl ConnectionTrait,
    officer: &imis_core::registers::Officer,
) -> AppResult<HashSet<i64>> {
    let mut bases = imis_core::registers::officer_village_ids(conn, officer.id).await?;
    bases.extend(officer.location_id);
    Ok(
        imis_core::location::service::locations_with_ancestors(conn, &bases)
            .await?
            .into_keys()
            .collect(),
    )
}

/// Payment matching on an Active policy renews it (reference §10.3 step 4): a new Idle renewal
/// of the same family and product (end of its conversion chain), enrolled on `enroll_date`,
/// valued for the current members, with the previous officer; publishes `policy.renewed`.
pub async fn renew_by_payment(
    state: &AppState,
    tx: &DatabaseTransaction,
    actor: Option<i64>,
    previous_id: i64,
    enroll_date: NaiveDate,
) -> AppResult<PolicySummary> {
    activation::renew_for_payment(state, tx, actor, previous_id, enroll_date)
        .await
        .map(Into::into)
}

/// A coverage row covering an insuree on a date, with its policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub policy: PolicySummary,
    pub insuree_id: i64,
    /// When the insuree's coverage under this policy starts (None while the policy is not
    /// effective).
    pub effective_date: Option<NaiveDate>,
    pub expiry_date: NaiveDate,
}

impl From<crate::service::coverage::Cover> for Coverage {
    fn from(c: crate::service::coverage::Cover) -> Self {
        Coverage {
            insuree_id: c.row.insuree_id,
            effective_date: c.row.effective_date,
            expiry_date: c.row.expiry_date,
            policy: c.policy.into(),
        }
    }
}

/// Coverage (D16), the one answer to "which policies cover this insuree on this date": the
/// current coverage rows effective on `date`, on a current Active or Expired policy effective
/// then. Ordered by (row effective date, policy id).
pub async fn covering(
    conn: &impl ConnectionTrait,
    insuree_id: i64,
    date: NaiveDate,
) -> AppResult<Vec<Coverage>> {
    Ok(crate::service::coverage::covering(conn, insuree_id, date)
        .await?
        .into_iter()
        .map(Coverage::from)
        .collect())
}

// -- for the claim module: valuation (D21, D22)

/// What other claims consumed of each policy (its current consumption rows, except those of
/// `except_claim`): for the whole policy and for `insuree_id` alone, in one query.
pub async fn previous_consumption(
    conn: &impl ConnectionTrait,
    policy_ids: &[i64],
    insuree_id: i64,
    except_claim: i64,
) -> AppResult<HashMap<i64, PreviousConsumption>> {
    crate::service::usage::previous_consumption(conn, policy_ids, insuree_id, except_claim).await
}

/// A policy with the version of its product in force on its enrolment date (D12), lines
/// included: the terms its claims are valued with.
#[derive(Debug, Clone)]
pub struct PolicyProduct {
    pub policy: PolicySummary,
    pub product: imis_product::api::ProductCoverage,
}

/// [`PolicyProduct`] of each of these policies (any validity), in a fixed number of queries; a
/// policy whose product has no version in force on its enrolment date is absent.
pub async fn policy_products(
    state: &AppState,
    conn: &impl ConnectionTrait,
    policy_ids: &[i64],
) -> AppResult<HashMap<i64, PolicyProduct>> {
    let policies = service::policies_by_ids(conn, policy_ids).await?;
    let wanted: Vec<(i64, NaiveDate)> = policies
        .values()
        .map(|p| (p.product_id, p.enroll_date))
        .collect();
    let products =
        imis_product::api::products_with_lines_in_force(conn, &state.clock, &wanted).await?;
    Ok(policies
        .into_iter()
        .filter_map(|(id, p)| {
            let product = products.get(&(p.product_id, p.enroll_date))?.clone();
            Some((
                id,
                PolicyProduct {
                    policy: p.into(),
                    product,
                },
            ))
        })
        .collect())
}

/// [`covering`] for many (insuree, date) pairs, answered in order, in a fixed number of queries
/// (bulk submission).
pub async fn covering_many(
    conn: &impl ConnectionTrait,
    wanted: &[(i64, NaiveDate)],
) -> AppResult<Vec<Vec<Coverage>>> {
    Ok(crate::service::coverage::covering_many(conn, wanted)
        .await?
        .into_iter()
        .map(|covers| covers.into_iter().map(Coverage::from).collect())
        .collect())
}

/// The number of insurees each policy covers on each date (current coverage rows effective
/// then: the members the extra-member ceiling counts), for many (policy, date) pairs answered in
/// order, in one query.
pub async fn policy_members_on_many(
    conn: &impl ConnectionTrait,
    wanted: &[(i64, NaiveDate)],
) -> AppResult<Vec<i64>> {
    crate::service::usage::members_on_many(conn, wanted).await
}

/// Locks these current policies' rows, in id order, in one statement (bulk valuation; a
/// missing policy is not an error here: the valuation reports it).
pub async fn lock_policies(tx: &DatabaseTransaction, ids: &[i64]) -> AppResult<()> {
    crate::service::activation::lock_many(tx, ids).await
}
// -- end for the claim module: valuation
