//! The product module's public API: what other modules (policy, payment, …) may use. The
//! module's entities, services and resolvers stay private to it; these functions return owned
//! values ([`ProductTerms`], [`ProductVersion`], [`ProductLine`]), never entity models.
//!
//! - Products by id or code, the conversion links between current products.
//! - The version of a product in force on a date (D12), with or without its covered lines, one
//!   at a time or for many (product, date) pairs in a fixed number of queries.
//! - [`sellable`] / [`is_sellable`]: whether a product may be sold to a family on a date (D14).
//! - [`ProductGQLType`] and [`product_nodes_by_ids`], to show products inside other modules'
//!   objects with the visibility rule of `products` (D9).
//! - [`current_product_ids`]: a typed sub-query of current product ids for set-based joins.

use crate::entity::{product, relative_distribution};
use crate::service;
use chrono::{DateTime, NaiveDate, Utc};
use imis_core::auth::Principal;
use imis_core::dates::Clock;
use imis_core::{AppResult, AppState};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use std::collections::HashMap;
use uuid::Uuid;

pub use crate::graphql::ProductGQLType;
pub use crate::service::ProductLine;

/// A product's terms (every business field of the product, one version of it): what policies
/// and payments compute with. Money in minor units, percentages as stored (see the fields).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductTerms {
    pub id: i64,
    pub uuid: Uuid,
    pub code: String,
    pub name: String,
    /// Region or district; null = national.
    pub location_id: Option<i64>,
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
    pub conversion_product_id: Option<i64>,
    /// Months.
    pub insurance_period: i32,
    /// Months.
    pub administration_period: Option<i32>,
    pub max_members: i32,
    pub max_installments: Option<i32>,
    pub threshold: Option<i32>,
    pub recurrence: Option<i32>,
    /// Minor units.
    pub lump_sum: i64,
    pub premium_adult: Option<i64>,
    pub premium_child: Option<i64>,
    pub registration_lump_sum: Option<i64>,
    pub registration_fee: Option<i64>,
    pub general_assembly_lump_sum: Option<i64>,
    pub general_assembly_fee: Option<i64>,
    /// `DD-MM`, validated on save (D12).
    pub start_cycle_1: Option<String>,
    pub start_cycle_2: Option<String>,
    pub start_cycle_3: Option<String>,
    pub start_cycle_4: Option<String>,
    pub grace_period_enrolment: i32,
    pub grace_period_renewal: Option<i32>,
    /// openIMIS `WaitingPeriod`: months to pay before suspension.
    pub grace_period_payment: Option<i32>,
    pub enrolment_discount_perc: Option<i32>,
    pub enrolment_discount_period: Option<i32>,
    pub renewal_discount_perc: Option<i32>,
    pub renewal_discount_period: Option<i32>,
    /// Hundredths of a percent.
    pub share_contribution: Option<i64>,
    pub acc_code_premiums: Option<String>,
    pub acc_code_remuneration: Option<String>,
    /// `I` by claim type, `H` by health-facility type.
    pub ceiling_interpretation: Option<String>,
    /// `I` insuree, `T` treatment, `P` policy.
    pub ceiling_type: Option<String>,
    pub ded_insuree: Option<i64>,
    pub ded_ip_insuree: Option<i64>,
    pub ded_op_insuree: Option<i64>,
    pub ded_treatment: Option<i64>,
    pub ded_ip_treatment: Option<i64>,
    pub ded_op_treatment: Option<i64>,
    pub ded_policy: Option<i64>,
    pub ded_ip_policy: Option<i64>,
    pub ded_op_policy: Option<i64>,
    pub max_insuree: Option<i64>,
    pub max_ip_insuree: Option<i64>,
    pub max_op_insuree: Option<i64>,
    pub max_treatment: Option<i64>,
    pub max_ip_treatment: Option<i64>,
    pub max_op_treatment: Option<i64>,
    pub max_policy: Option<i64>,
    pub max_ip_policy: Option<i64>,
    pub max_op_policy: Option<i64>,
    pub max_policy_extra_member: Option<i64>,
    pub max_policy_extra_member_ip: Option<i64>,
    pub max_policy_extra_member_op: Option<i64>,
    pub max_ceiling_policy: Option<i64>,
    pub max_ceiling_policy_ip: Option<i64>,
    pub max_ceiling_policy_op: Option<i64>,
    pub max_no_consultation: Option<i32>,
    pub max_no_surgery: Option<i32>,
    pub max_no_delivery: Option<i32>,
    pub max_no_hospitalization: Option<i32>,
    pub max_no_visits: Option<i32>,
    pub max_no_antenatal: Option<i32>,
    pub max_amount_consultation: Option<i64>,
    pub max_amount_surgery: Option<i64>,
    pub max_amount_delivery: Option<i64>,
    pub max_amount_hospitalization: Option<i64>,
    pub max_amount_antenatal: Option<i64>,
    /// Relative-price period of care type B / I / O: `Y`, `Q` or `M` (derived from the
    /// distribution rows), null when not configured.
    pub period_rel_prices: Option<String>,
    pub period_rel_prices_ip: Option<String>,
    pub period_rel_prices_op: Option<String>,
    /// Stored and exposed only (D14).
    pub age_minimal: Option<i32>,
    pub age_maximal: Option<i32>,
    pub validity_from: DateTime<Utc>,
    pub validity_to: Option<DateTime<Utc>>,
}

impl From<product::Model> for ProductTerms {
    fn from(m: product::Model) -> Self {
        ProductTerms {
            id: m.id,
            uuid: m.uuid,
            code: m.code,
            name: m.name,
            location_id: m.location_id,
            date_from: m.date_from,
            date_to: m.date_to,
            conversion_product_id: m.conversion_product_id,
            insurance_period: m.insurance_period,
            administration_period: m.administration_period,
            max_members: m.max_members,
            max_installments: m.max_installments,
            threshold: m.threshold,
            recurrence: m.recurrence,
            lump_sum: m.lump_sum,
            premium_adult: m.premium_adult,
            premium_child: m.premium_child,
            registration_lump_sum: m.registration_lump_sum,
            registration_fee: m.registration_fee,
            general_assembly_lump_sum: m.general_assembly_lump_sum,
            general_assembly_fee: m.general_assembly_fee,
            start_cycle_1: m.start_cycle_1,
            start_cycle_2: m.start_cycle_2,
            start_cycle_3: m.start_cycle_3,
            start_cycle_4: m.start_cycle_4,
            grace_period_enrolment: m.grace_period_enrolment,
            grace_period_renewal: m.grace_period_renewal,
            grace_period_payment: m.grace_period_payment,
            enrolment_discount_perc: m.enrolment_discount_perc,
            enrolment_discount_period: m.enrolment_discount_period,
            renewal_discount_perc: m.renewal_discount_perc,
            renewal_discount_period: m.renewal_discount_period,
            share_contribution: m.share_contribution,
            acc_code_premiums: m.acc_code_premiums,
            acc_code_remuneration: m.acc_code_remuneration,
            ceiling_interpretation: m.ceiling_interpretation,
            ceiling_type: m.ceiling_type,
            ded_insuree: m.ded_insuree,
            ded_ip_insuree: m.ded_ip_insuree,
            ded_op_insuree: m.ded_op_insuree,
            ded_treatment: m.ded_treatment,
            ded_ip_treatment: m.ded_ip_treatment,
            ded_op_treatment: m.ded_op_treatment,
            ded_policy: m.ded_policy,
            ded_ip_policy: m.ded_ip_policy,
            ded_op_policy: m.ded_op_policy,
            max_insuree: m.max_insuree,
            max_ip_insuree: m.max_ip_insuree,
            max_op_insuree: m.max_op_insuree,
            max_treatment: m.max_treatment,
            max_ip_treatment: m.max_ip_treatment,
            max_op_treatment: m.max_op_treatment,
            max_policy: m.max_policy,
            max_ip_policy: m.max_ip_policy,
            max_op_policy: m.max_op_policy,
            max_policy_extra_member: m.max_policy_extra_member,
            max_policy_extra_member_ip: m.max_policy_extra_member_ip,
            max_policy_extra_member_op: m.max_policy_extra_member_op,
            max_ceiling_policy: m.max_ceiling_policy,
            max_ceiling_policy_ip: m.max_ceiling_policy_ip,
            max_ceiling_policy_op: m.max_ceiling_policy_op,
            max_no_consultation: m.max_no_consultation,
            max_no_surgery: m.max_no_surgery,
            max_no_delivery: m.max_no_delivery,
            max_no_hospitalization: m.max_no_hospitalization,
            max_no_visits: m.max_no_visits,
            max_no_antenatal: m.max_no_antenatal,
            max_amount_consultation: m.max_amount_consultation,
            max_amount_surgery: m.max_amount_surgery,
            max_amount_delivery: m.max_amount_delivery,
            max_amount_hospitalization: m.max_amount_hospitalization,
            max_amount_antenatal: m.max_amount_antenatal,
            period_rel_prices: m.period_rel_prices,
            period_rel_prices_ip: m.period_rel_prices_ip,
            period_rel_prices_op: m.period_rel_prices_op,
            age_minimal: m.age_minimal,
            age_maximal: m.age_maximal,
            validity_from: m.validity_from,
            validity_to: m.validity_to,
        }
    }
}

/// One relative-price distribution row of a product version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelativeDistribution {
    /// `B` both, `I` in-patient, `O` out-patient.
    pub care_type: String,
    /// Periods of the distribution: 1, 4 or 12.
    pub distr_type: i32,
    /// The period (1-based).
    pub period: i32,
    /// Hundredths of a percent.
    pub percent: i64,
}

impl From<relative_distribution::Model> for RelativeDistribution {
    fn from(m: relative_distribution::Model) -> Self {
        RelativeDistribution {
            care_type: m.care_type,
            distr_type: m.distr_type,
            period: m.period,
            percent: m.percent,
        }
    }
}

/// A product as it was in force at some time, with the lines of that version.
#[derive(Debug, Clone)]
pub struct ProductVersion {
    /// The version, with the current row's id (`product.id`) and its validity interval.
    pub product: ProductTerms,
    /// History key of the version; None when it is the product's own row.
    pub history_id: Option<i64>,
    pub items: Vec<ProductLine>,
    pub services: Vec<ProductLine>,
    pub relative_distributions: Vec<RelativeDistribution>,
}

impl From<service::ProductVersion> for ProductVersion {
    fn from(v: service::ProductVersion) -> Self {
        ProductVersion {
            product: v.product.into(),
            history_id: v.history_id,
            items: v.items,
            services: v.services,
            relative_distributions: v
                .relative_distributions
                .into_iter()
                .map(Into::into)
                .collect(),
        }
    }
}

fn terms_by_id<K: std::hash::Hash + Eq>(
    rows: HashMap<K, product::Model>,
) -> HashMap<K, ProductTerms> {
    rows.into_iter().map(|(k, m)| (k, m.into())).collect()
}

/// Products by id, whatever their validity (a policy keeps its product's id).
pub async fn products_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, ProductTerms>> {
    Ok(terms_by_id(service::products_by_ids(conn, ids).await?))
}

/// Ids of the products (current or not) whose code is `code` (trimmed).
pub async fn products_by_code(conn: &impl ConnectionTrait, code: &str) -> AppResult<Vec<i64>> {
    service::products_by_code(conn, code).await
}

/// The current product with this code (trimmed).
pub async fn current_product_by_code(
    conn: &impl ConnectionTrait,
    code: &str,
) -> AppResult<Option<ProductTerms>> {
    Ok(service::current_product_by_code(conn, code)
        .await?
        .map(Into::into))
}

/// The conversion links of current products: product id → its conversion product id.
pub async fn conversion_links(conn: &impl ConnectionTrait) -> AppResult<HashMap<i64, i64>> {
    service::conversion_links(conn).await
}

/// The version of product `product_id` (a current product id) in force on `date` (D12), with
/// its lines; a date before the product was first recorded gives its first version, a date
/// after its deletion gives None, as does an unknown id.
pub async fn product_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    product_id: i64,
    date: NaiveDate,
) -> AppResult<Option<ProductVersion>> {
    Ok(service::product_in_force(conn, clock, product_id, date)
        .await?
        .map(Into::into))
}

/// [`product_in_force`] without the lines: the terms of the version in force on `date`.
pub async fn product_model_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    product_id: i64,
    date: NaiveDate,
) -> AppResult<Option<ProductTerms>> {
    Ok(
        service::product_model_in_force(conn, clock, product_id, date)
            .await?
            .map(Into::into),
    )
}

/// [`product_model_in_force`] for many (product, date) pairs in two queries.
pub async fn product_models_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    wanted: &[(i64, NaiveDate)],
) -> AppResult<HashMap<(i64, NaiveDate), ProductTerms>> {
    Ok(terms_by_id(
        service::product_models_in_force(conn, clock, wanted).await?,
    ))
}

/// Whether `product` may be sold to a family whose district and its ancestors are
/// `family_locations`, on `date` (D14): national or located at one of those locations, and
/// `dateFrom ≤ date ≤ dateTo`.
pub fn sellable(product: &ProductTerms, family_locations: &[i64], date: NaiveDate) -> bool {
    service::sellable_at(
        product.location_id,
        product.date_from,
        product.date_to,
        family_locations,
        date,
    )
}

/// [`sellable`] for the version of `product_id` in force on `date` ([`product_in_force`]).
pub async fn is_sellable(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    product_id: i64,
    family_locations: &[i64],
    date: NaiveDate,
) -> AppResult<bool> {
    service::is_sellable(conn, clock, product_id, family_locations, date).await
}

/// Whether `caller` may see a product located at `location` wherever it is shown (a policy's,
/// a funding's, a conversion product), as `products` decides (D9).
pub async fn sees_product(
    conn: &impl ConnectionTrait,
    caller: &Principal,
    location: Option<i64>,
) -> AppResult<bool> {
    crate::graphql::sees_product(conn, caller, location).await
}

/// GraphQL nodes of the products with these ids (any validity) that `caller` may see
/// ([`sees_product`]), by id, in a fixed number of queries; `with_location` preloads their
/// locations (when the caller's selection shows them).
pub async fn product_nodes_by_ids(
    state: &AppState,
    caller: &Principal,
    ids: &[i64],
    with_location: bool,
) -> AppResult<HashMap<i64, ProductGQLType>> {
    let conn = &state.db.conn;
    let products = service::products_by_ids(conn, ids).await?;
    let nodes = crate::graphql::product_nodes(
        state,
        products.into_values().map(|p| (p, None)).collect(),
        crate::graphql::ProductWants {
            location: with_location,
            ..Default::default()
        },
    )
    .await?;
    let mut out = HashMap::new();
    for n in nodes {
        if sees_product(conn, caller, n.model.location_id).await? {
            out.insert(n.model.id, n);
        }
    }
    Ok(out)
}

/// Sub-query selecting the ids (column `id`) of the current products, for set-based
/// conditions in another module's query.
pub fn current_product_ids() -> SelectStatement {
    Query::select()
        .column(product::Column::Id)
        .from(product::Entity)
        .and_where(Expr::col(product::Column::ValidityTo).is_null())
        .to_owned()
}

/// The uuid of each of these products (any validity), by id.
pub async fn product_uuids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, Uuid>> {
    Ok(service::products_by_ids(conn, ids)
        .await?
        .into_iter()
        .map(|(id, m)| (id, m.uuid))
        .collect())
}

/// Every current product, ordered by id (scale data and benchmarks pick one to sell).
pub async fn current_products(conn: &impl ConnectionTrait) -> AppResult<Vec<ProductTerms>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(product::Entity::find()
        .filter(product::Column::ValidityTo.is_null())
        .order_by_asc(product::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
