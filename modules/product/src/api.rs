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
use sea_orm::prelude::Date;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use std::collections::HashMap;
use uuid::Uuid;

pub use crate::graphql::ProductGQLType;
pub use crate::service::ProductLine;

macro_rules! product_terms {
    ($($(#[$doc:meta])* pub $column:ident: $type:ty,)*) => {
        /// A product's terms (every business field of the product, one version of it): what
        /// policies and payments compute with. Money in minor units, percentages as stored (see
        /// the fields).
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct ProductTerms {
            pub id: i64,
            pub uuid: Uuid,
            pub code: String,
            pub name: String,
            $($(#[$doc])* pub $column: $type,)*
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
                    $($column: m.$column,)*
                    validity_from: m.validity_from,
                    validity_to: m.validity_to,
                }
            }
        }
    };
}

product::with_terms_columns!(product_terms);

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

// -- for the claim module: submission

/// A product version in force on a date with that version's covered items and services: what
/// the claim checks and the choice of the paying product read (claim module, D20).
#[derive(Debug, Clone)]
pub struct ProductCoverage {
    /// The version, with the current row's id (`product.id`).
    pub product: ProductTerms,
    pub items: Vec<ProductLine>,
    pub services: Vec<ProductLine>,
}

/// [`product_in_force`] with its lines for many (product, date) pairs in four queries; pairs
/// without a version in force are absent.
pub async fn products_with_lines_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    wanted: &[(i64, NaiveDate)],
) -> AppResult<HashMap<(i64, NaiveDate), ProductCoverage>> {
    use crate::service::{LineKind, lines_of, lines_valid_at};
    let models = service::product_models_in_force(conn, clock, wanted).await?;
    let mut ids: Vec<i64> = models.keys().map(|k| k.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let items = lines_of(conn, LineKind::Item, &ids, true).await?;
    let services = lines_of(conn, LineKind::Service, &ids, true).await?;
    Ok(models
        .into_iter()
        .map(|(key, m)| {
            // The lines of a version are the rows valid when the version began.
            let at = Some(m.validity_from);
            let of = |all: &HashMap<i64, Vec<ProductLine>>| {
                all.get(&key.0)
                    .map(|rows| lines_valid_at(rows, at))
                    .unwrap_or_default()
            };
            let coverage = ProductCoverage {
                items: of(&items),
                services: of(&services),
                product: m.into(),
            };
            (key, coverage)
        })
        .collect())
}
// -- end for the claim module: submission
