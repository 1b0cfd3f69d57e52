//! Business functions of products: rights (D8) are checked first, then the location scope (D9)
//! and the openIMIS validations (reference §6); writes run inside the caller's mutation
//! transaction ([`MutationCtx`]) with history (D7).
//!
//! Public functions for other modules (the policy module first):
//! - [`product_in_force`]: the version of a product in force on a date (D12), with its lines;
//! - [`is_sellable`] / [`sellable`]: whether a product may be sold to a family of given
//!   locations on a date (D14);
//! - [`lines_of`] / [`lines_valid_at`]: the item and service lines of products;
//! - [`limit_decimal`]: the decimal value of a stored limit.

use crate::entity::{product, relative_distribution};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::dates::Clock;
use imis_core::db::stmt;
use imis_core::money::Money;
use imis_core::mutation::MutationCtx;
use imis_core::{AppError, AppResult, AppState};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, ConnectionTrait,
    DatabaseTransaction, EntityTrait, FromQueryResult, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Product (menu).
pub const RIGHT_PRODUCT: i32 = 121000;
pub const RIGHT_PRODUCT_SEARCH: i32 = 121001;
pub const RIGHT_PRODUCT_ADD: i32 = 121002;
pub const RIGHT_PRODUCT_EDIT: i32 = 121003;
pub const RIGHT_PRODUCT_DELETE: i32 = 121004;
pub const RIGHT_PRODUCT_DUPLICATE: i32 = 121005;
/// Policy add and policy renew (declared by the policy side) also read products (D8).
pub const RIGHT_POLICY_ADD: i32 = 101202;
pub const RIGHT_POLICY_RENEW: i32 = 101205;
/// What `products` and `product` accept (D8).
pub const PRODUCTS_READ: &[i32] = &[RIGHT_PRODUCT_SEARCH, RIGHT_POLICY_ADD, RIGHT_POLICY_RENEW];

/// Entity name of product versions in `core_history`.
pub const HISTORY_ENTITY: &str = "product";

/// `limitDefaults` (openIMIS `product/apps.py`).
pub const DEFAULT_PRICE_ORIGIN: &str = "P";
pub const DEFAULT_LIMIT: &str = "C";
pub const DEFAULT_LIMIT_CO_INSURANCE_VALUE: i32 = 100;
pub const DEFAULT_LIMIT_FIXED_VALUE: i32 = 0;
/// `pageDisplayRules`.
pub const MIN_LIMIT_VALUE: i64 = 0;
pub const MAX_LIMIT_VALUE: i64 = 100;

// ---------------------------------------------------------------------------------------------
// Lines (items and services share one shape)
// ---------------------------------------------------------------------------------------------

/// Which line table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineKind {
    Item,
    Service,
}

impl LineKind {
    pub fn table(self) -> &'static str {
        match self {
            LineKind::Item => "product_item",
            LineKind::Service => "product_service",
        }
    }
    fn fk(self) -> &'static str {
        match self {
            LineKind::Item => "item_id",
            LineKind::Service => "service_id",
        }
    }
    fn name(self) -> &'static str {
        match self {
            LineKind::Item => "item",
            LineKind::Service => "service",
        }
    }
}

/// A row of `product_item` or `product_service` (see [`crate::entity::product_item`]).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, serde::Serialize, serde::Deserialize)]
pub struct ProductLine {
    pub id: i64,
    pub uuid: Uuid,
    pub product_id: i64,
    /// The item id (items) or service id (services).
    pub medical_id: i64,
    pub price_origin: String,
    pub limitation_type: String,
    pub limitation_type_r: Option<String>,
    pub limitation_type_e: Option<String>,
    pub limit_adult: Option<i64>,
    pub limit_child: Option<i64>,
    pub limit_adult_r: Option<i64>,
    pub limit_child_r: Option<i64>,
    pub limit_adult_e: Option<i64>,
    pub limit_child_e: Option<i64>,
    pub limit_no_adult: Option<i32>,
    pub limit_no_child: Option<i32>,
    pub waiting_period_adult: Option<i32>,
    pub waiting_period_child: Option<i32>,
    pub ceiling_exclusion_adult: Option<String>,
    pub ceiling_exclusion_child: Option<String>,
    pub validity_from: DateTime<Utc>,
    pub validity_to: Option<DateTime<Utc>>,
    pub audit_user_id: Option<i64>,
}

const LINE_DATA_COLUMNS: &str = "price_origin, limitation_type, limitation_type_r, limitation_type_e, \
     limit_adult, limit_child, limit_adult_r, limit_child_r, limit_adult_e, limit_child_e, \
     limit_no_adult, limit_no_child, waiting_period_adult, waiting_period_child, \
     ceiling_exclusion_adult, ceiling_exclusion_child";

/// The business content of a line (what a save writes and what idempotency compares).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineData {
    pub medical_id: i64,
    pub price_origin: String,
    pub limitation_type: String,
    pub limitation_type_r: Option<String>,
    pub limitation_type_e: Option<String>,
    /// adult, child, adult R, child R, adult E, child E
    pub limits: [Option<i64>; 6],
    pub limit_no_adult: Option<i32>,
    pub limit_no_child: Option<i32>,
    pub waiting_period_adult: Option<i32>,
    pub waiting_period_child: Option<i32>,
    pub ceiling_exclusion_adult: Option<String>,
    pub ceiling_exclusion_child: Option<String>,
}

impl From<&ProductLine> for LineData {
    fn from(l: &ProductLine) -> Self {
        LineData {
            medical_id: l.medical_id,
            price_origin: l.price_origin.clone(),
            limitation_type: l.limitation_type.clone(),
            limitation_type_r: l.limitation_type_r.clone(),
            limitation_type_e: l.limitation_type_e.clone(),
            limits: [
                l.limit_adult,
                l.limit_child,
                l.limit_adult_r,
                l.limit_child_r,
                l.limit_adult_e,
                l.limit_child_e,
            ],
            limit_no_adult: l.limit_no_adult,
            limit_no_child: l.limit_no_child,
            waiting_period_adult: l.waiting_period_adult,
            waiting_period_child: l.waiting_period_child,
            ceiling_exclusion_adult: l.ceiling_exclusion_adult.clone(),
            ceiling_exclusion_child: l.ceiling_exclusion_child.clone(),
        }
    }
}

/// The decimal value of a stored limit: an amount for a fixed limit (`F`), else a percentage.
pub fn limit_decimal(limitation_type: Option<&str>, raw: i64, minor_digits: u32) -> Decimal {
    if limitation_type == Some("F") {
        Money(raw).to_decimal(minor_digits)
    } else {
        Decimal::new(raw, 2)
    }
}

fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Lines of the given products, by product id, ordered by id. Only current rows unless
/// `include_closed` (then every row, for versions).
pub async fn lines_of(
    conn: &impl ConnectionTrait,
    kind: LineKind,
    product_ids: &[i64],
    include_closed: bool,
) -> AppResult<HashMap<i64, Vec<ProductLine>>> {
    let mut out: HashMap<i64, Vec<ProductLine>> = HashMap::new();
    if product_ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT id, uuid, product_id, {fk} AS medical_id, {LINE_DATA_COLUMNS}, validity_from, validity_to, audit_user_id \
         FROM {table} WHERE product_id IN ({ids}){current} ORDER BY product_id, id",
        fk = kind.fk(),
        table = kind.table(),
        ids = id_list(product_ids),
        current = if include_closed {
            ""
        } else {
            " AND validity_to IS NULL"
        },
    );
    let rows = ProductLine::find_by_statement(stmt(conn.get_database_backend(), &sql, vec![]))
        .all(conn)
        .await?;
    for r in rows {
        out.entry(r.product_id).or_default().push(r);
    }
    Ok(out)
}

/// Whether a row with this validity interval is valid at `at` (None = the current rows).
pub fn valid_at(from: DateTime<Utc>, to: Option<DateTime<Utc>>, at: Option<DateTime<Utc>>) -> bool {
    match at {
        None => to.is_none(),
        Some(t) => from <= t && to.is_none_or(|end| end > t),
    }
}

/// The lines valid at `at` among `rows` (None = the current ones).
pub fn lines_valid_at(rows: &[ProductLine], at: Option<DateTime<Utc>>) -> Vec<ProductLine> {
    rows.iter()
        .filter(|l| valid_at(l.validity_from, l.validity_to, at))
        .cloned()
        .collect()
}

/// Relative distribution rows of the given products, by product id, ordered by care type and
/// period. Only current rows unless `include_closed`.
pub async fn relative_distributions_of(
    conn: &impl ConnectionTrait,
    product_ids: &[i64],
    include_closed: bool,
) -> AppResult<HashMap<i64, Vec<relative_distribution::Model>>> {
    use relative_distribution::Column as C;
    let mut out: HashMap<i64, Vec<relative_distribution::Model>> = HashMap::new();
    if product_ids.is_empty() {
        return Ok(out);
    }
    let mut q = relative_distribution::Entity::find()
        .filter(C::ProductId.is_in(product_ids.iter().copied()));
    if !include_closed {
        q = q.filter(C::ValidityTo.is_null());
    }
    let mut rows = q.all(conn).await?;
    rows.sort_by(|a, b| {
        (a.product_id, &a.care_type, a.period, a.id).cmp(&(
            b.product_id,
            &b.care_type,
            b.period,
            b.id,
        ))
    });
    for r in rows {
        out.entry(r.product_id).or_default().push(r);
    }
    Ok(out)
}

async fn close_rows(
    tx: &DatabaseTransaction,
    table: &str,
    product_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    tx.execute_raw(stmt(
        tx.get_database_backend(),
        &format!("UPDATE {table} SET validity_to = ? WHERE product_id = ? AND validity_to IS NULL"),
        vec![now.into(), product_id.into()],
    ))
    .await?;
    Ok(())
}

pub(crate) async fn insert_lines(
    tx: &DatabaseTransaction,
    kind: LineKind,
    product_id: i64,
    lines: &[LineData],
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<()> {
    let sql = format!(
        "INSERT INTO {table} (uuid, product_id, {fk}, {LINE_DATA_COLUMNS}, validity_from, validity_to, audit_user_id) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        table = kind.table(),
        fk = kind.fk(),
    );
    for l in lines {
        let [la, lc, lar, lcr, lae, lce] = l.limits;
        tx.execute_raw(stmt(
            tx.get_database_backend(),
            &sql,
            vec![
                Uuid::now_v7().into(),
                product_id.into(),
                l.medical_id.into(),
                l.price_origin.clone().into(),
                l.limitation_type.clone().into(),
                l.limitation_type_r.clone().into(),
                l.limitation_type_e.clone().into(),
                la.into(),
                lc.into(),
                lar.into(),
                lcr.into(),
                lae.into(),
                lce.into(),
                l.limit_no_adult.into(),
                l.limit_no_child.into(),
                l.waiting_period_adult.into(),
                l.waiting_period_child.into(),
                l.ceiling_exclusion_adult.clone().into(),
                l.ceiling_exclusion_child.clone().into(),
                now.into(),
                actor.into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

/// One relative distribution row to write: (care type, number of periods, period, hundredths).
pub(crate) type DistRow = (String, i32, i32, i64);

async fn insert_distributions(
    tx: &DatabaseTransaction,
    product_id: i64,
    rows: &[DistRow],
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<()> {
    for (care, distr_type, period, percent) in rows {
        relative_distribution::ActiveModel {
            id: NotSet,
            uuid: sea_orm::Set(Uuid::now_v7()),
            product_id: sea_orm::Set(product_id),
            care_type: sea_orm::Set(care.clone()),
            distr_type: sea_orm::Set(*distr_type),
            period: sea_orm::Set(*period),
            percent: sea_orm::Set(*percent),
            validity_from: sea_orm::Set(now),
            validity_to: sea_orm::Set(None),
            audit_user_id: sea_orm::Set(actor),
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

fn dist_rows_of(rows: &[relative_distribution::Model]) -> Vec<DistRow> {
    rows.iter()
        .map(|r| (r.care_type.clone(), r.distr_type, r.period, r.percent))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Medical items and services (read only)
// ---------------------------------------------------------------------------------------------

/// Ids of the current medical items or services with these uuids.
async fn medical_ids(
    conn: &impl ConnectionTrait,
    kind: LineKind,
    uuids: &[Uuid],
) -> AppResult<HashMap<Uuid, i64>> {
    crate::medical_ref::current_ids_by_uuid(conn, kind, uuids).await
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

/// Filters of `products`.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub id: Option<i64>,
    pub uuid: Option<Uuid>,
    pub code: Option<String>,
    pub code_icontains: Option<String>,
    pub code_istartswith: Option<String>,
    pub name: Option<String>,
    pub name_icontains: Option<String>,
    pub name_istartswith: Option<String>,
    pub date_from: Option<NaiveDate>,
    pub date_from_gt: Option<NaiveDate>,
    pub date_from_gte: Option<NaiveDate>,
    pub date_from_lt: Option<NaiveDate>,
    pub date_from_lte: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub date_to_gt: Option<NaiveDate>,
    pub date_to_gte: Option<NaiveDate>,
    pub date_to_lt: Option<NaiveDate>,
    pub date_to_lte: Option<NaiveDate>,
    /// National products plus those of this location and of all its ancestors.
    pub location: Option<i64>,
    pub location_isnull: Option<bool>,
    /// Code or name contains this (case and accents ignored).
    pub search: Option<String>,
}

fn upper_like(col: product::Column, pattern: String) -> Expr {
    Expr::expr(Func::upper(Expr::col(col))).like(LikeExpr::new(pattern).escape('\\'))
}

fn folded_like(col: product::Column, pattern: String) -> Condition {
    Condition::all().add(col.like(LikeExpr::new(pattern).escape('\\')))
}

/// Current products the caller may see (D9: national, within the allowed locations, or an
/// ancestor of one of them), filtered. Requires 121001, 101202 or 101205 (D8).
pub async fn products_select(
    state: &AppState,
    principal: Option<&Principal>,
    f: &ProductFilter,
) -> AppResult<Select<product::Entity>> {
    let p = require_user(principal, Requirement::AnyOf(PRODUCTS_READ))?;
    let conn = &state.db.conn;
    use imis_core::text::{fold, like_escape};
    use product::Column as C;
    let mut q = product::Entity::find().filter(C::ValidityTo.is_null());
    if let Some(visible) = p.scope.visible_locations(conn).await? {
        q = q.filter(
            Condition::any()
                .add(C::LocationId.is_null())
                .add(C::LocationId.is_in(visible.iter().copied())),
        );
    }
    if let Some(id) = f.id {
        q = q.filter(C::Id.eq(id));
    }
    if let Some(u) = f.uuid {
        q = q.filter(C::Uuid.eq(u));
    }
    if let Some(v) = &f.code {
        q = q.filter(C::Code.eq(v.trim()));
    }
    if let Some(v) = &f.code_icontains {
        q = q.filter(upper_like(
            C::Code,
            format!("%{}%", like_escape(&v.trim().to_uppercase())),
        ));
    }
    if let Some(v) = &f.code_istartswith {
        q = q.filter(upper_like(
            C::Code,
            format!("{}%", like_escape(&v.trim().to_uppercase())),
        ));
    }
    if let Some(v) = &f.name {
        q = q.filter(C::NameSearch.eq(fold(v.trim())));
    }
    if let Some(v) = &f.name_icontains {
        q = q.filter(folded_like(
            C::NameSearch,
            format!("%{}%", like_escape(&fold(v.trim()))),
        ));
    }
    if let Some(v) = &f.name_istartswith {
        q = q.filter(folded_like(
            C::NameSearch,
            format!("{}%", like_escape(&fold(v.trim()))),
        ));
    }
    for (col, eq, gt, gte, lt, lte) in [
        (
            C::DateFrom,
            f.date_from,
            f.date_from_gt,
            f.date_from_gte,
            f.date_from_lt,
            f.date_from_lte,
        ),
        (
            C::DateTo,
            f.date_to,
            f.date_to_gt,
            f.date_to_gte,
            f.date_to_lt,
            f.date_to_lte,
        ),
    ] {
        if let Some(d) = eq {
            q = q.filter(col.eq(d));
        }
        if let Some(d) = gt {
            q = q.filter(col.gt(d));
        }
        if let Some(d) = gte {
            q = q.filter(col.gte(d));
        }
        if let Some(d) = lt {
            q = q.filter(col.lt(d));
        }
        if let Some(d) = lte {
            q = q.filter(col.lte(d));
        }
    }
    if let Some(loc) = f.location {
        let chain: Vec<i64> = imis_core::location::service::locations_with_ancestors(conn, &[loc])
            .await?
            .into_keys()
            .collect();
        q = q.filter(
            Condition::any()
                .add(C::LocationId.is_null())
                .add(C::LocationId.is_in(chain)),
        );
    }
    match f.location_isnull {
        Some(true) => q = q.filter(C::LocationId.is_null()),
        Some(false) => q = q.filter(C::LocationId.is_not_null()),
        None => {}
    }
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            Condition::any()
                .add(upper_like(
                    C::Code,
                    format!("%{}%", like_escape(&s.to_uppercase())),
                ))
                .add(
                    C::NameSearch
                        .like(LikeExpr::new(format!("%{}%", like_escape(&fold(s)))).escape('\\')),
                ),
        );
    }
    Ok(q)
}

/// `product(id|uuid)`: one current product the caller may see; `history_id` names a version
/// (`ProductGQLTypeHistory`) of a product the caller may see.
pub async fn find_product(
    state: &AppState,
    principal: Option<&Principal>,
    id: Option<i64>,
    uuid: Option<Uuid>,
    history_id: Option<i64>,
) -> AppResult<Option<(product::Model, Option<i64>)>> {
    let conn = &state.db.conn;
    if let Some(h) = history_id {
        let select = products_select(state, principal, &ProductFilter::default()).await?;
        let Some(version) =
            imis_core::history::version_by_history_id::<product::Model>(conn, HISTORY_ENTITY, h)
                .await?
        else {
            return Ok(None);
        };
        // The version is shown when its product (current) is visible to the caller.
        let visible = select
            .filter(product::Column::Id.eq(version.id))
            .one(conn)
            .await?
            .is_some();
        return Ok(visible.then_some((version, Some(h))));
    }
    if id.is_none() && uuid.is_none() {
        require_user(principal, Requirement::AnyOf(PRODUCTS_READ))?;
        return Err(AppError::invalid("id", "id or uuid is required"));
    }
    let f = ProductFilter {
        id,
        uuid,
        ..Default::default()
    };
    Ok(products_select(state, principal, &f)
        .await?
        .one(conn)
        .await?
        .map(|m| (m, None)))
}

/// Products by id (any validity), for conversion products of a page.
pub async fn products_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, product::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(product::Entity::find()
        .filter(product::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

async fn code_taken(
    conn: &impl ConnectionTrait,
    code: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    let mut q = product::Entity::find()
        .filter(product::Column::Code.eq(code.trim()))
        .filter(product::Column::ValidityTo.is_null());
    if let Some(id) = except {
        q = q.filter(product::Column::Id.ne(id));
    }
    Ok(q.one(conn).await?.is_some())
}

/// `validateProductCode`: true when no current product has this code (121001).
pub async fn validate_product_code(
    state: &AppState,
    principal: Option<&Principal>,
    code: &str,
) -> AppResult<bool> {
    require_user(principal, Requirement::AnyOf(&[RIGHT_PRODUCT_SEARCH]))?;
    Ok(!code_taken(&state.db.conn, code, None).await?)
}

/// `limitDefaults` / `pageDisplayRules`: any login.
pub fn require_login(principal: Option<&Principal>) -> AppResult<()> {
    require_user(principal, Requirement::Authenticated).map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Public functions for other modules
// ---------------------------------------------------------------------------------------------

/// A product as it was in force at some time, with the lines of that version.
#[derive(Debug, Clone)]
pub struct ProductVersion {
    /// The version, with the current row's id (`product.id`), its validity interval and user.
    pub product: product::Model,
    /// `core_history` pk of the version; None when it is the product's own row.
    pub history_id: Option<i64>,
    pub items: Vec<ProductLine>,
    pub services: Vec<ProductLine>,
    pub relative_distributions: Vec<relative_distribution::Model>,
}

/// The first instant after the calendar day `date` in the clock's zone.
fn end_of_day(clock: &Clock, date: NaiveDate) -> DateTime<Utc> {
    let next = date
        .succ_opt()
        .unwrap_or(date)
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    clock
        .tz
        .from_local_datetime(&next)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| next.and_utc())
}

/// The version of product `product_id` (a current product id) in force on `date` (D12: "the
/// product version used is the one in force on the enrolment date"). A version is in force on a
/// date when its validity interval contains the end of that day (D7, D11). A date before the
/// product was first recorded gives its first version (as openIMIS, which also accepts
/// `dateFrom ≤ date`); a date after its deletion gives None, as does an unknown id.
pub async fn product_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    product_id: i64,
    date: NaiveDate,
) -> AppResult<Option<ProductVersion>> {
    version_in_force(conn, clock, product_id, date, true).await
}

/// [`product_in_force`] without the lines: the product row of the version in force on `date`.
pub async fn product_model_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    product_id: i64,
    date: NaiveDate,
) -> AppResult<Option<product::Model>> {
    Ok(version_in_force(conn, clock, product_id, date, false)
        .await?
        .map(|v| v.product))
}

async fn version_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    product_id: i64,
    date: NaiveDate,
    with_lines: bool,
) -> AppResult<Option<ProductVersion>> {
    let Some(current) = product::Entity::find_by_id(product_id).one(conn).await? else {
        return Ok(None);
    };
    let t = end_of_day(clock, date) - chrono::Duration::microseconds(1);
    // The usual case (the current version is in force) needs no history read.
    let versions = if valid_at(current.validity_from, current.validity_to, Some(t)) {
        vec![]
    } else {
        imis_core::history::versions::<product::Model>(conn, HISTORY_ENTITY, &[product_id]).await?
    };
    let chosen = choose_version(&current, &versions, t);
    let Some((model, history_id)) = chosen else {
        return Ok(None);
    };
    if !with_lines {
        return Ok(Some(ProductVersion {
            product: model,
            history_id,
            items: vec![],
            services: vec![],
            relative_distributions: vec![],
        }));
    }
    let at = Some(model.validity_from);
    let items = lines_of(conn, LineKind::Item, &[product_id], true)
        .await?
        .remove(&product_id)
        .unwrap_or_default();
    let services = lines_of(conn, LineKind::Service, &[product_id], true)
        .await?
        .remove(&product_id)
        .unwrap_or_default();
    let dists = relative_distributions_of(conn, &[product_id], true)
        .await?
        .remove(&product_id)
        .unwrap_or_default();
    Ok(Some(ProductVersion {
        items: lines_valid_at(&items, at),
        services: lines_valid_at(&services, at),
        relative_distributions: dists
            .into_iter()
            .filter(|d| valid_at(d.validity_from, d.validity_to, at))
            .collect(),
        product: model,
        history_id,
    }))
}

/// The version of a product valid at instant `t`, among its current row and its history
/// `versions` (ordered by validity start): see [`product_in_force`].
fn choose_version(
    current: &product::Model,
    versions: &[imis_core::history::Version<product::Model>],
    t: DateTime<Utc>,
) -> Option<(product::Model, Option<i64>)> {
    let restore = |v: &imis_core::history::Version<product::Model>| {
        let mut m = v.data.clone();
        imis_core::history::Versioned::restore(
            &mut m,
            current.id,
            v.validity_from,
            v.validity_to,
            v.audit_user_id,
        );
        (m, Some(v.history_id))
    };
    if valid_at(current.validity_from, current.validity_to, Some(t)) {
        return Some((current.clone(), None));
    }
    if let Some(v) = versions
        .iter()
        .rev()
        .find(|v| valid_at(v.validity_from, Some(v.validity_to), Some(t)))
    {
        return Some(restore(v));
    }
    // Before the first version: the oldest one.
    let first = versions.first();
    let first_from = first
        .map(|v| v.validity_from)
        .unwrap_or(current.validity_from);
    if t < first_from {
        Some(match first {
            Some(v) => restore(v),
            None => (current.clone(), None),
        })
    } else {
        None
    }
}

/// [`product_model_in_force`] for many (product, date) pairs in two queries (current rows, then
/// the history of those whose current version is not in force on its date).
pub async fn product_models_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    wanted: &[(i64, NaiveDate)],
) -> AppResult<HashMap<(i64, NaiveDate), product::Model>> {
    let mut ids: Vec<i64> = wanted.iter().map(|w| w.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let current = products_by_ids(conn, &ids).await?;
    let at = |d: NaiveDate| end_of_day(clock, d) - chrono::Duration::microseconds(1);
    let mut need_history: Vec<i64> = wanted
        .iter()
        .filter(|(id, d)| {
            current
                .get(id)
                .is_some_and(|c| !valid_at(c.validity_from, c.validity_to, Some(at(*d))))
        })
        .map(|w| w.0)
        .collect();
    need_history.sort_unstable();
    need_history.dedup();
    let mut versions: HashMap<i64, Vec<imis_core::history::Version<product::Model>>> =
        HashMap::new();
    for v in
        imis_core::history::versions::<product::Model>(conn, HISTORY_ENTITY, &need_history).await?
    {
        versions.entry(v.entity_id).or_default().push(v);
    }
    let mut out = HashMap::new();
    for (id, d) in wanted {
        let Some(c) = current.get(id) else { continue };
        let vs = versions.get(id).map(Vec::as_slice).unwrap_or(&[]);
        if let Some((m, _)) = choose_version(c, vs, at(*d)) {
            out.insert((*id, *d), m);
        }
    }
    Ok(out)
}

/// Whether `product` may be sold to a family whose district and its ancestors are
/// `family_locations`, on `date` (D14): national or located at one of those locations, and
/// `dateFrom ≤ date ≤ dateTo`.
pub fn sellable(product: &product::Model, family_locations: &[i64], date: NaiveDate) -> bool {
    let located = product
        .location_id
        .is_none_or(|l| family_locations.contains(&l));
    located && product.date_from <= date && date <= product.date_to
}

/// [`sellable`] for the version of `product_id` in force on `date` ([`product_in_force`]).
/// `family_locations` = the family's district and all its ancestors.
pub async fn is_sellable(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    product_id: i64,
    family_locations: &[i64],
    date: NaiveDate,
) -> AppResult<bool> {
    Ok(product_in_force(conn, clock, product_id, date)
        .await?
        .is_some_and(|v| sellable(&v.product, family_locations, date)))
}

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

/// A product line of a create/update/duplicate input (letters: openIMIS codes).
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub medical_uuid: Uuid,
    /// `P`, `O` or `R`; default `P`.
    pub price_origin: Option<String>,
    /// `C` or `F`; default `C`.
    pub limitation_type: Option<String>,
    pub limitation_type_r: Option<String>,
    pub limitation_type_e: Option<String>,
    pub waiting_period_adult: Option<i32>,
    pub waiting_period_child: Option<i32>,
    pub limit_no_adult: Option<i32>,
    pub limit_no_child: Option<i32>,
    pub limit_adult: Option<Decimal>,
    pub limit_child: Option<Decimal>,
    pub limit_adult_r: Option<Decimal>,
    pub limit_child_r: Option<Decimal>,
    pub limit_adult_e: Option<Decimal>,
    pub limit_child_e: Option<Decimal>,
    /// `H`, `N` or `B`.
    pub ceiling_exclusion_adult: Option<String>,
    pub ceiling_exclusion_child: Option<String>,
}

/// One care type of `relativePrices`.
#[derive(Debug, Clone)]
pub struct RelativePriceInput {
    /// `B`, `I` or `O`.
    pub care_type: String,
    /// Percentages, 1, 4 or 12 of them.
    pub periods: Vec<Decimal>,
}

/// Input of `createProduct` / `updateProduct` / `duplicateProduct`. An update is complete:
/// omitted optional fields become null; omitted `items`, `services` or `relativePrices` keep
/// the current ones.
#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    /// Create: the client's uuid (D4). Update: the product to update.
    pub uuid: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
    pub insurance_period: i32,
    pub administration_period: Option<i32>,
    pub max_members: Option<i32>,
    pub max_installments: Option<i32>,
    pub recurrence: Option<i32>,
    pub location_uuid: Option<Uuid>,
    pub conversion_product_uuid: Option<Uuid>,
    pub acc_code_remuneration: Option<String>,
    pub acc_code_premiums: Option<String>,
    pub lump_sum: Option<Decimal>,
    pub premium_adult: Option<Decimal>,
    pub premium_child: Option<Decimal>,
    pub threshold: Option<i32>,
    pub share_contribution: Option<Decimal>,
    pub grace_period_renewal: Option<i32>,
    pub grace_period_payment: Option<i32>,
    pub grace_period_enrolment: Option<i32>,
    pub registration_lump_sum: Option<Decimal>,
    pub registration_fee: Option<Decimal>,
    pub general_assembly_lump_sum: Option<Decimal>,
    pub general_assembly_fee: Option<Decimal>,
    pub start_cycles: [Option<String>; 4],
    pub renewal_discount_perc: Option<i32>,
    pub renewal_discount_period: Option<i32>,
    pub enrolment_discount_perc: Option<i32>,
    pub enrolment_discount_period: Option<i32>,
    /// `I` (claim type) or `H` (health-facility type); default `H`.
    pub ceiling_interpretation: Option<String>,
    /// `I` insuree, `T` treatment, `P` policy.
    pub ceiling_type: Option<String>,
    pub deductible: Option<Decimal>,
    pub deductible_ip: Option<Decimal>,
    pub deductible_op: Option<Decimal>,
    pub ceiling: Option<Decimal>,
    pub ceiling_ip: Option<Decimal>,
    pub ceiling_op: Option<Decimal>,
    pub max_ceiling_policy: Option<Decimal>,
    pub max_ceiling_policy_ip: Option<Decimal>,
    pub max_ceiling_policy_op: Option<Decimal>,
    pub max_policy_extra_member: Option<Decimal>,
    pub max_policy_extra_member_ip: Option<Decimal>,
    pub max_policy_extra_member_op: Option<Decimal>,
    pub max_no_consultation: Option<i32>,
    pub max_no_surgery: Option<i32>,
    pub max_no_delivery: Option<i32>,
    pub max_no_hospitalization: Option<i32>,
    pub max_no_visits: Option<i32>,
    pub max_no_antenatal: Option<i32>,
    pub max_amount_consultation: Option<Decimal>,
    pub max_amount_surgery: Option<Decimal>,
    pub max_amount_delivery: Option<Decimal>,
    pub max_amount_hospitalization: Option<Decimal>,
    pub max_amount_antenatal: Option<Decimal>,
    pub relative_prices: Option<Vec<RelativePriceInput>>,
    pub items: Option<Vec<LineInput>>,
    pub services: Option<Vec<LineInput>>,
    pub age_minimal: Option<i32>,
    pub age_maximal: Option<i32>,
}

/// What a save writes, after validation.
pub(crate) struct Resolved {
    /// Business columns filled; id, uuid and validity left to the caller.
    pub fields: product::Model,
    pub items: Option<Vec<LineData>>,
    pub services: Option<Vec<LineData>>,
    pub relative: Option<Vec<DistRow>>,
}

fn check_len(field: &str, value: &str, max: usize) -> AppResult<()> {
    if value.trim().is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if value.trim().chars().count() > max {
        return Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        ));
    }
    Ok(())
}

fn trimmed(field: &str, v: &Option<String>, max: usize) -> AppResult<Option<String>> {
    let t = v
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(s) = &t
        && s.chars().count() > max
    {
        return Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        ));
    }
    Ok(t)
}

/// Longest period in months a product may state (a century): dates stay computable.
const MAX_MONTHS: i32 = 1200;

fn non_negative(field: &str, v: Option<i32>) -> AppResult<Option<i32>> {
    match v {
        Some(n) if n < 0 => Err(AppError::invalid(field, "must not be negative")),
        Some(n) if n > MAX_MONTHS && field.contains("Period") => {
            Err(AppError::invalid(field, "must be at most 1200 months"))
        }
        _ => Ok(v),
    }
}

/// An amount of the input in minor units: never negative, never rounded, within what storage
/// holds (`input.invalid` naming `field`, [`Money::parse_non_negative`]).
fn money(field: &str, v: Decimal, digits: u32) -> AppResult<i64> {
    Money::parse_non_negative(field, v, digits).map(|m| m.0)
}

fn opt_money(field: &str, v: Option<Decimal>, digits: u32) -> AppResult<Option<i64>> {
    v.map(|d| money(field, d, digits)).transpose()
}

/// An exact percentage in hundredths (the same checked conversion as amounts; callers check
/// the range first).
fn hundredths(field: &str, v: Decimal) -> AppResult<i64> {
    Money::parse(field, v, 2).map(|m| m.0)
}

/// Parses a start cycle, `D-M` or `DD-MM` (D12); 29-02 is refused. Returns it as `DD-MM`.
pub fn parse_start_cycle(s: &str) -> Option<String> {
    let (d, m) = s.trim().split_once('-')?;
    let ok = |x: &str| !x.is_empty() && x.len() <= 2 && x.chars().all(|c| c.is_ascii_digit());
    if !ok(d) || !ok(m) {
        return None;
    }
    let (day, month): (u32, u32) = (d.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&month) {
        return None;
    }
    // A non-leap year: 29-02 would not exist every year.
    if day < 1 || day > imis_core::dates::last_day_of_month(2001, month) {
        return None;
    }
    Some(format!("{day:02}-{month:02}"))
}

fn one_of(field: &str, v: &str, allowed: &[&str]) -> AppResult<()> {
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            &format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// Validates the lines of one kind and converts them.
async fn resolve_lines(
    conn: &impl ConnectionTrait,
    kind: LineKind,
    lines: &[LineInput],
    digits: u32,
) -> AppResult<Vec<LineData>> {
    let uuids: Vec<Uuid> = lines.iter().map(|l| l.medical_uuid).collect();
    let ids = medical_ids(conn, kind, &uuids).await?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let code = |what: &str| format!("product.{}_{what}", kind.name());
        let id = *ids
            .get(&l.medical_uuid)
            .ok_or_else(|| AppError::validation(code("not_found")).with("uuid", l.medical_uuid))?;
        if !seen.insert(id) {
            return Err(AppError::validation(code("duplicated")).with("uuid", l.medical_uuid));
        }
        let price_origin = l
            .price_origin
            .clone()
            .unwrap_or_else(|| DEFAULT_PRICE_ORIGIN.into());
        one_of("priceOrigin", &price_origin, &["P", "O", "R"])?;
        let lt = l
            .limitation_type
            .clone()
            .unwrap_or_else(|| DEFAULT_LIMIT.into());
        let types = [
            Some(lt.clone()),
            l.limitation_type_r.clone(),
            l.limitation_type_e.clone(),
        ];
        for (f, t) in ["limitationType", "limitationTypeR", "limitationTypeE"]
            .iter()
            .zip(&types)
        {
            if let Some(t) = t {
                one_of(f, t, &["C", "F"])?;
            }
        }
        for (f, v) in [
            ("ceilingExclusionAdult", &l.ceiling_exclusion_adult),
            ("ceilingExclusionChild", &l.ceiling_exclusion_child),
        ] {
            if let Some(v) = v {
                one_of(f, v, &["H", "N", "B"])?;
            }
        }
        let values = [
            ("limitAdult", l.limit_adult, &types[0]),
            ("limitChild", l.limit_child, &types[0]),
            ("limitAdultR", l.limit_adult_r, &types[1]),
            ("limitChildR", l.limit_child_r, &types[1]),
            ("limitAdultE", l.limit_adult_e, &types[2]),
            ("limitChildE", l.limit_child_e, &types[2]),
        ];
        let mut limits = [None; 6];
        for (i, (field, v, t)) in values.into_iter().enumerate() {
            let Some(v) = v else { continue };
            if v < Decimal::ZERO {
                return Err(AppError::validation("product.limit_negative")
                    .with("field", field)
                    .with("uuid", l.medical_uuid));
            }
            let fixed = t.as_deref() == Some("F");
            if t.as_deref() == Some("C") && v > Decimal::from(100) {
                return Err(AppError::validation("product.co_insurance_above_100")
                    .with("field", field)
                    .with("uuid", l.medical_uuid));
            }
            limits[i] = Some(if fixed {
                money(field, v, digits)?
            } else {
                hundredths(field, v)?
            });
        }
        out.push(LineData {
            medical_id: id,
            price_origin,
            limitation_type: lt,
            limitation_type_r: l.limitation_type_r.clone(),
            limitation_type_e: l.limitation_type_e.clone(),
            limits,
            limit_no_adult: non_negative("limitNoAdult", l.limit_no_adult)?,
            limit_no_child: non_negative("limitNoChild", l.limit_no_child)?,
            waiting_period_adult: non_negative("waitingPeriodAdult", l.waiting_period_adult)?,
            waiting_period_child: non_negative("waitingPeriodChild", l.waiting_period_child)?,
            ceiling_exclusion_adult: l.ceiling_exclusion_adult.clone(),
            ceiling_exclusion_child: l.ceiling_exclusion_child.clone(),
        });
    }
    Ok(out)
}

fn resolve_relative(list: &[RelativePriceInput]) -> AppResult<Vec<DistRow>> {
    let mut seen = HashSet::new();
    let mut out = vec![];
    for r in list {
        one_of("careType", &r.care_type, &["B", "I", "O"])?;
        if !seen.insert(r.care_type.clone()) {
            return Err(AppError::validation("product.relative_prices_care_type")
                .with("careType", &r.care_type));
        }
        let n = r.periods.len();
        if ![1, 4, 12].contains(&n) {
            return Err(AppError::validation("product.relative_prices_periods").with("count", n));
        }
        for (i, pct) in r.periods.iter().enumerate() {
            if *pct < Decimal::ZERO || *pct > Decimal::from(100) {
                return Err(
                    AppError::validation("product.relative_prices_percent").with("value", pct)
                );
            }
            out.push((
                r.care_type.clone(),
                n as i32,
                i as i32 + 1,
                hundredths("relativePrices", *pct)?,
            ));
        }
    }
    if seen.contains("B") && (seen.contains("I") || seen.contains("O")) {
        return Err(AppError::validation("product.relative_prices_care_type").with("careType", "B"));
    }
    Ok(out)
}

fn period_flag(rows: &[DistRow], care: &str) -> Option<String> {
    rows.iter()
        .find(|(c, _, _, _)| c == care)
        .map(|(_, n, _, _)| match n {
            1 => "Y".to_string(),
            4 => "Q".to_string(),
            _ => "M".to_string(),
        })
}

/// Refuses a write outside the caller's locations: a restricted user (D9) may write only
/// products located in their allowed locations (not national or region-level ones).
async fn require_write_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    location: Option<i64>,
) -> AppResult<()> {
    match (p.scope.allowed_locations(conn).await?, location) {
        (None, _) => Ok(()),
        (Some(set), Some(l)) if set.contains(&l) => Ok(()),
        _ => Err(AppError::location_denied()),
    }
}

/// Validates an input and converts it into what a save writes. `this` is the product being
/// updated (or the existing product of an idempotent create).
async fn resolve(
    m: &MutationCtx<'_>,
    p: &Principal,
    i: &ProductInput,
    this: Option<&product::Model>,
) -> AppResult<Resolved> {
    let tx: &DatabaseTransaction = m.tx;
    let digits = m.state.config.core.currency_minor_digits;
    check_len("code", &i.code, 8)?;
    check_len("name", &i.name, 100)?;
    let acc_code_premiums = trimmed("accCodePremiums", &i.acc_code_premiums, 25)?;
    let acc_code_remuneration = trimmed("accCodeRemuneration", &i.acc_code_remuneration, 25)?;
    if i.insurance_period < 1 || i.insurance_period > MAX_MONTHS {
        return Err(AppError::invalid(
            "insurancePeriod",
            "must be 1 to 1200 months",
        ));
    }
    for (f, v) in [
        ("renewalDiscountPerc", i.renewal_discount_perc),
        ("enrolmentDiscountPerc", i.enrolment_discount_perc),
    ] {
        if v.is_some_and(|v| !(0..=100).contains(&v)) {
            return Err(AppError::invalid(f, "must be between 0 and 100"));
        }
    }
    if i.date_from > i.date_to {
        return Err(AppError::validation("product.dates_invalid")
            .with("dateFrom", i.date_from)
            .with("dateTo", i.date_to));
    }
    let mut cycles: [Option<String>; 4] = Default::default();
    for (k, c) in i.start_cycles.iter().enumerate() {
        let Some(c) = c.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            continue;
        };
        cycles[k] =
            Some(parse_start_cycle(c).ok_or_else(|| {
                AppError::validation("product.start_cycle_invalid").with("value", c)
            })?);
    }
    if i.deductible.is_some() && (i.deductible_ip.is_some() || i.deductible_op.is_some()) {
        return Err(AppError::validation("product.deductible_general_and_split"));
    }
    if i.ceiling.is_some() && (i.ceiling_ip.is_some() || i.ceiling_op.is_some()) {
        return Err(AppError::validation("product.ceiling_general_and_split"));
    }
    let ceiling_interpretation = i
        .ceiling_interpretation
        .clone()
        .unwrap_or_else(|| "H".into());
    one_of(
        "ceilingInterpretation",
        &ceiling_interpretation,
        &["I", "H"],
    )?;
    if let Some(t) = &i.ceiling_type {
        one_of("ceilingType", t, &["I", "T", "P"])?;
    }
    let ded_ceiling = [
        ("deductible", i.deductible),
        ("deductibleIp", i.deductible_ip),
        ("deductibleOp", i.deductible_op),
        ("ceiling", i.ceiling),
        ("ceilingIp", i.ceiling_ip),
        ("ceilingOp", i.ceiling_op),
    ];
    let mut dc = [None; 6];
    for (k, (f, v)) in ded_ceiling.iter().enumerate() {
        dc[k] = opt_money(f, *v, digits)?;
    }
    if i.ceiling_type.is_none() && dc.iter().any(Option::is_some) {
        return Err(AppError::validation("product.ceiling_type_required"));
    }
    let share_contribution = match i.share_contribution {
        Some(v) if v < Decimal::ZERO || v > Decimal::from(100) => {
            return Err(AppError::invalid(
                "shareContribution",
                "must be between 0 and 100",
            ));
        }
        Some(v) => Some(hundredths("shareContribution", v)?),
        None => None,
    };
    let relative = i
        .relative_prices
        .as_deref()
        .map(resolve_relative)
        .transpose()?;

    // Location (national, region or district) and scope.
    let location_id = match i.location_uuid {
        None => None,
        Some(u) => {
            let loc = imis_core::entity::location::Entity::find()
                .filter(imis_core::entity::location::Column::Uuid.eq(u))
                .filter(imis_core::entity::location::Column::ValidityTo.is_null())
                .one(tx)
                .await?;
            match loc {
                Some(l) if l.location_type == "R" || l.location_type == "D" => Some(l.id),
                _ => {
                    return Err(AppError::validation("product.location_invalid").with("uuid", u));
                }
            }
        }
    };
    require_write_scope(tx, p, location_id).await?;

    let conversion_product_id = match i.conversion_product_uuid {
        None => None,
        Some(u) => {
            let conv = product::Entity::find()
                .filter(product::Column::Uuid.eq(u))
                .filter(product::Column::ValidityTo.is_null())
                .one(tx)
                .await?;
            let same =
                |c: &product::Model| this.is_some_and(|t| t.id == c.id) || i.uuid == Some(c.uuid);
            match conv {
                Some(c) if !same(&c) => Some(c.id),
                _ => {
                    return Err(
                        AppError::validation("product.conversion_product_invalid").with("uuid", u)
                    );
                }
            }
        }
    };
    if code_taken(tx, &i.code, this.map(|t| t.id)).await? {
        return Err(code_taken_error(i.code.trim()));
    }
    let items = match &i.items {
        Some(l) => Some(resolve_lines(tx, LineKind::Item, l, digits).await?),
        None => None,
    };
    let services = match &i.services {
        Some(l) => Some(resolve_lines(tx, LineKind::Service, l, digits).await?),
        None => None,
    };

    // Deductibles and ceilings go to the family of the ceiling type, exactly as given.
    let (mut ded, mut max) = ([[None; 3]; 3], [[None; 3]; 3]);
    if let Some(t) = &i.ceiling_type {
        let k = match t.as_str() {
            "I" => 0,
            "T" => 1,
            _ => 2,
        };
        ded[k] = [dc[0], dc[1], dc[2]];
        max[k] = [dc[3], dc[4], dc[5]];
    }
    let (rel_b, rel_i, rel_o) = match &relative {
        Some(rows) => (
            period_flag(rows, "B"),
            period_flag(rows, "I"),
            period_flag(rows, "O"),
        ),
        None => (
            this.and_then(|t| t.period_rel_prices.clone()),
            this.and_then(|t| t.period_rel_prices_ip.clone()),
            this.and_then(|t| t.period_rel_prices_op.clone()),
        ),
    };
    let [c1, c2, c3, c4] = cycles;
    let fields = product::Model {
        id: 0,
        uuid: Uuid::nil(),
        code: i.code.trim().to_string(),
        name: i.name.trim().to_string(),
        name_search: imis_core::text::fold(i.name.trim()),
        location_id,
        date_from: i.date_from,
        date_to: i.date_to,
        conversion_product_id,
        insurance_period: i.insurance_period,
        administration_period: non_negative("administrationPeriod", i.administration_period)?,
        max_members: non_negative("maxMembers", i.max_members)?.unwrap_or(0),
        max_installments: non_negative("maxInstallments", i.max_installments)?,
        threshold: non_negative("threshold", i.threshold)?,
        recurrence: non_negative("recurrence", i.recurrence)?,
        lump_sum: money("lumpSum", i.lump_sum.unwrap_or_default(), digits)?,
        premium_adult: opt_money("premiumAdult", i.premium_adult, digits)?,
        premium_child: opt_money("premiumChild", i.premium_child, digits)?,
        registration_lump_sum: opt_money("registrationLumpSum", i.registration_lump_sum, digits)?,
        registration_fee: opt_money("registrationFee", i.registration_fee, digits)?,
        general_assembly_lump_sum: opt_money(
            "generalAssemblyLumpSum",
            i.general_assembly_lump_sum,
            digits,
        )?,
        general_assembly_fee: opt_money("generalAssemblyFee", i.general_assembly_fee, digits)?,
        start_cycle_1: c1,
        start_cycle_2: c2,
        start_cycle_3: c3,
        start_cycle_4: c4,
        grace_period_enrolment: non_negative("gracePeriodEnrolment", i.grace_period_enrolment)?
            .unwrap_or(0),
        grace_period_renewal: non_negative("gracePeriodRenewal", i.grace_period_renewal)?,
        grace_period_payment: non_negative("gracePeriodPayment", i.grace_period_payment)?,
        enrolment_discount_perc: i.enrolment_discount_perc,
        enrolment_discount_period: non_negative(
            "enrolmentDiscountPeriod",
            i.enrolment_discount_period,
        )?,
        renewal_discount_perc: i.renewal_discount_perc,
        renewal_discount_period: non_negative("renewalDiscountPeriod", i.renewal_discount_period)?,
        share_contribution,
        acc_code_premiums,
        acc_code_remuneration,
        ceiling_interpretation: Some(ceiling_interpretation),
        ceiling_type: i.ceiling_type.clone(),
        ded_insuree: ded[0][0],
        ded_ip_insuree: ded[0][1],
        ded_op_insuree: ded[0][2],
        ded_treatment: ded[1][0],
        ded_ip_treatment: ded[1][1],
        ded_op_treatment: ded[1][2],
        ded_policy: ded[2][0],
        ded_ip_policy: ded[2][1],
        ded_op_policy: ded[2][2],
        max_insuree: max[0][0],
        max_ip_insuree: max[0][1],
        max_op_insuree: max[0][2],
        max_treatment: max[1][0],
        max_ip_treatment: max[1][1],
        max_op_treatment: max[1][2],
        max_policy: max[2][0],
        max_ip_policy: max[2][1],
        max_op_policy: max[2][2],
        max_policy_extra_member: opt_money(
            "maxPolicyExtraMember",
            i.max_policy_extra_member,
            digits,
        )?,
        max_policy_extra_member_ip: opt_money(
            "maxPolicyExtraMemberIp",
            i.max_policy_extra_member_ip,
            digits,
        )?,
        max_policy_extra_member_op: opt_money(
            "maxPolicyExtraMemberOp",
            i.max_policy_extra_member_op,
            digits,
        )?,
        max_ceiling_policy: opt_money("maxCeilingPolicy", i.max_ceiling_policy, digits)?,
        max_ceiling_policy_ip: opt_money("maxCeilingPolicyIp", i.max_ceiling_policy_ip, digits)?,
        max_ceiling_policy_op: opt_money("maxCeilingPolicyOp", i.max_ceiling_policy_op, digits)?,
        max_no_consultation: non_negative("maxNoConsultation", i.max_no_consultation)?,
        max_no_surgery: non_negative("maxNoSurgery", i.max_no_surgery)?,
        max_no_delivery: non_negative("maxNoDelivery", i.max_no_delivery)?,
        max_no_hospitalization: non_negative("maxNoHospitalization", i.max_no_hospitalization)?,
        max_no_visits: non_negative("maxNoVisits", i.max_no_visits)?,
        max_no_antenatal: non_negative("maxNoAntenatal", i.max_no_antenatal)?,
        max_amount_consultation: opt_money(
            "maxAmountConsultation",
            i.max_amount_consultation,
            digits,
        )?,
        max_amount_surgery: opt_money("maxAmountSurgery", i.max_amount_surgery, digits)?,
        max_amount_delivery: opt_money("maxAmountDelivery", i.max_amount_delivery, digits)?,
        max_amount_hospitalization: opt_money(
            "maxAmountHospitalization",
            i.max_amount_hospitalization,
            digits,
        )?,
        max_amount_antenatal: opt_money("maxAmountAntenatal", i.max_amount_antenatal, digits)?,
        period_rel_prices: rel_b,
        period_rel_prices_ip: rel_i,
        period_rel_prices_op: rel_o,
        age_minimal: non_negative("ageMinimal", i.age_minimal)?,
        age_maximal: non_negative("ageMaximal", i.age_maximal)?,
        validity_from: DateTime::<Utc>::default(),
        validity_to: None,
        audit_user_id: None,
    };
    Ok(Resolved {
        fields,
        items,
        services,
        relative,
    })
}

fn code_taken_error(code: &str) -> AppError {
    AppError::validation("product.code_taken").with("productCode", code)
}
/// `fields` with the identity and validity of `base`.
fn with_identity(fields: &product::Model, base: &product::Model) -> product::Model {
    let mut m = fields.clone();
    m.id = base.id;
    m.uuid = base.uuid;
    m.validity_from = base.validity_from;
    m.validity_to = base.validity_to;
    m.audit_user_id = base.audit_user_id;
    m
}

async fn current_by_uuid(
    conn: &impl ConnectionTrait,
    uuid: Uuid,
) -> AppResult<Option<product::Model>> {
    Ok(product::Entity::find()
        .filter(product::Column::Uuid.eq(uuid))
        .filter(product::Column::ValidityTo.is_null())
        .one(conn)
        .await?)
}

/// Whether `existing` holds exactly what `r` would write (D4).
async fn same_content(
    conn: &impl ConnectionTrait,
    existing: &product::Model,
    r: &Resolved,
) -> AppResult<bool> {
    if with_identity(&r.fields, existing) != *existing {
        return Ok(false);
    }
    for (kind, want) in [(LineKind::Item, &r.items), (LineKind::Service, &r.services)] {
        let have: Vec<LineData> = lines_of(conn, kind, &[existing.id], false)
            .await?
            .remove(&existing.id)
            .unwrap_or_default()
            .iter()
            .map(LineData::from)
            .collect();
        let mut have = have;
        let mut want = want.clone().unwrap_or_default();
        have.sort_by_key(|l| l.medical_id);
        want.sort_by_key(|l| l.medical_id);
        if have != want {
            return Ok(false);
        }
    }
    let mut have = dist_rows_of(
        &relative_distributions_of(conn, &[existing.id], false)
            .await?
            .remove(&existing.id)
            .unwrap_or_default(),
    );
    let mut want = r.relative.clone().unwrap_or_default();
    have.sort();
    want.sort();
    Ok(have == want)
}

async fn insert_product(m: &MutationCtx<'_>, uuid: Uuid, r: Resolved) -> AppResult<product::Model> {
    let tx: &DatabaseTransaction = m.tx;
    let now = m.state.clock.now();
    let mut fields = r.fields;
    fields.uuid = uuid;
    fields.validity_from = now;
    fields.validity_to = None;
    fields.audit_user_id = m.actor();
    let code = fields.code.clone();
    let mut am = fields.into_active_model().reset_all();
    am.id = NotSet;
    let model = am.insert(tx).await.map_err(|e| {
        imis_core::error::unique_or(e, &["code"], Some(uuid), || code_taken_error(&code))
    })?;
    if let Some(items) = &r.items {
        insert_lines(tx, LineKind::Item, model.id, items, now, m.actor()).await?;
    }
    if let Some(services) = &r.services {
        insert_lines(tx, LineKind::Service, model.id, services, now, m.actor()).await?;
    }
    if let Some(rel) = &r.relative {
        insert_distributions(tx, model.id, rel, now, m.actor()).await?;
    }
    Ok(model)
}

/// `createProduct` (121002). A known `uuid` returns the existing product when its content
/// matches, otherwise fails with `conflict.uuid_exists` (D4).
pub async fn create_product(m: &MutationCtx<'_>, input: ProductInput) -> AppResult<product::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PRODUCT_ADD]))?;
    let tx: &DatabaseTransaction = m.tx;
    if let Some(u) = input.uuid
        && let Some(existing) = product::Entity::find()
            .filter(product::Column::Uuid.eq(u))
            .one(tx)
            .await?
    {
        if existing.validity_to.is_none()
            && let Ok(r) = resolve(m, p, &input, Some(&existing)).await
            && same_content(tx, &existing, &r).await?
        {
            return Ok(existing);
        }
        return Err(AppError::conflict("conflict.uuid_exists").with("uuid", u));
    }
    let r = resolve(m, p, &input, None).await?;
    insert_product(m, input.uuid.unwrap_or_else(Uuid::now_v7), r).await
}

/// `updateProduct` (121003): the previous version goes to history; given items, services and
/// relative prices replace the current ones (old rows closed, new rows inserted). A deleted or
/// historical product cannot be updated (`product.historical_not_updatable`).
pub async fn update_product(m: &MutationCtx<'_>, input: ProductInput) -> AppResult<product::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PRODUCT_EDIT]))?;
    let tx: &DatabaseTransaction = m.tx;
    let uuid = input
        .uuid
        .ok_or_else(|| AppError::invalid("uuid", "required"))?;
    // Under the product's row lock: a concurrent change of the same product waits, then reads
    // what this one wrote (D7: one history row per version).
    let old = product::Entity::find()
        .filter(product::Column::Uuid.eq(uuid))
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("product"))?;
    if old.validity_to.is_some() {
        return Err(AppError::validation("product.historical_not_updatable").with("uuid", uuid));
    }
    require_write_scope(tx, p, old.location_id).await?;
    let r = resolve(m, p, &input, Some(&old)).await?;
    let now = m.state.clock.now();
    let actor = m.actor();
    imis_core::history::save(
        tx,
        HISTORY_ENTITY,
        old.id,
        &old,
        old.validity_from,
        now,
        actor,
    )
    .await?;
    let mut new = with_identity(&r.fields, &old);
    new.validity_from = now;
    new.audit_user_id = actor;
    let code = new.code.clone();
    let model = new
        .into_active_model()
        .reset_all()
        .update(tx)
        .await
        .map_err(|e| imis_core::error::unique_or(e, &["code"], None, || code_taken_error(&code)))?;
    if let Some(items) = &r.items {
        close_rows(tx, LineKind::Item.table(), model.id, now).await?;
        insert_lines(tx, LineKind::Item, model.id, items, now, actor).await?;
    }
    if let Some(services) = &r.services {
        close_rows(tx, LineKind::Service.table(), model.id, now).await?;
        insert_lines(tx, LineKind::Service, model.id, services, now, actor).await?;
    }
    if let Some(rel) = &r.relative {
        close_rows(tx, "product_relative_distribution", model.id, now).await?;
        insert_distributions(tx, model.id, rel, now, actor).await?;
    }
    Ok(model)
}

/// `duplicateProduct` (121005): a new product from the payload; the items, services and
/// relative prices the payload omits are copied from the source product `source_uuid`.
pub async fn duplicate_product(
    m: &MutationCtx<'_>,
    source_uuid: Uuid,
    mut input: ProductInput,
) -> AppResult<product::Model> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PRODUCT_DUPLICATE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let source = current_by_uuid(tx, source_uuid)
        .await?
        .ok_or_else(|| AppError::not_found("product"))?;
    if let Some(visible) = p.scope.visible_locations(tx).await?
        && source.location_id.is_some_and(|l| !visible.contains(&l))
    {
        return Err(AppError::not_found("product"));
    }
    input.uuid = None;
    let mut r = resolve(m, p, &input, None).await?;
    for (kind, slot) in [
        (LineKind::Item, &mut r.items),
        (LineKind::Service, &mut r.services),
    ] {
        if slot.is_none() {
            let rows = lines_of(tx, kind, &[source.id], false)
                .await?
                .remove(&source.id)
                .unwrap_or_default();
            *slot = Some(rows.iter().map(LineData::from).collect());
        }
    }
    if r.relative.is_none() {
        let rows = dist_rows_of(
            &relative_distributions_of(tx, &[source.id], false)
                .await?
                .remove(&source.id)
                .unwrap_or_default(),
        );
        r.fields.period_rel_prices = period_flag(&rows, "B");
        r.fields.period_rel_prices_ip = period_flag(&rows, "I");
        r.fields.period_rel_prices_op = period_flag(&rows, "O");
        r.relative = Some(rows);
    }
    insert_product(m, Uuid::now_v7(), r).await
}

/// `deleteProduct` (121004): soft-deletes each product (history row, `validity_to` set) and
/// closes its lines and relative distributions. Returns the ids.
pub async fn delete_products(m: &MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<Vec<i64>> {
    let p = require_user(m.principal, Requirement::AnyOf(&[RIGHT_PRODUCT_DELETE]))?;
    let tx: &DatabaseTransaction = m.tx;
    if uuids.is_empty() {
        return Err(AppError::invalid("uuids", "at least one uuid is required"));
    }
    let actor = m.actor();
    let mut ids = vec![];
    // Every product read under its row lock, in id order (two deletions of several products
    // never wait for each other in a cycle).
    let mut locked: HashMap<Uuid, product::Model> = product::Entity::find()
        .filter(product::Column::Uuid.is_in(uuids.iter().copied()))
        .filter(product::Column::ValidityTo.is_null())
        .order_by_asc(product::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?
        .into_iter()
        .map(|p| (p.uuid, p))
        .collect();
    let now = m.state.clock.now();
    for u in uuids {
        let old = locked
            .remove(u)
            .ok_or_else(|| AppError::not_found("product").with("uuid", u))?;
        require_write_scope(tx, p, old.location_id).await?;
        let id = old.id;
        imis_core::history::save(tx, HISTORY_ENTITY, id, &old, old.validity_from, now, actor)
            .await?;
        let mut am: product::ActiveModel = old.into();
        am.validity_to = sea_orm::Set(Some(now));
        am.audit_user_id = sea_orm::Set(actor);
        am.update(tx).await?;
        for table in [
            LineKind::Item.table(),
            LineKind::Service.table(),
            "product_relative_distribution",
        ] {
            close_rows(tx, table, id, now).await?;
        }
        ids.push(id);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_cycles() {
        assert_eq!(parse_start_cycle("1-1").as_deref(), Some("01-01"));
        assert_eq!(parse_start_cycle("01-07").as_deref(), Some("01-07"));
        assert_eq!(parse_start_cycle("31-12").as_deref(), Some("31-12"));
        assert_eq!(parse_start_cycle("28-2").as_deref(), Some("28-02"));
        for bad in [
            "29-02",
            "30-02",
            "31-04",
            "0-1",
            "1-13",
            "1/1",
            "01-01-2020",
            "a-b",
            "",
            "-1",
            "001-01",
        ] {
            assert_eq!(parse_start_cycle(bad), None, "{bad}");
        }
    }

    #[test]
    fn limits_scale_with_their_type() {
        assert_eq!(limit_decimal(Some("C"), 10000, 0).to_string(), "100.00");
        assert_eq!(limit_decimal(None, 1250, 0).to_string(), "12.50");
        assert_eq!(limit_decimal(Some("F"), 1500, 0).to_string(), "1500");
        assert_eq!(limit_decimal(Some("F"), 1500, 2).to_string(), "15.00");
    }

    #[test]
    fn sellable_by_location_and_dates() {
        let p = product::Model {
            location_id: Some(5),
            date_from: "2026-01-01".parse().unwrap(),
            date_to: "2026-12-31".parse().unwrap(),
            ..Default::default()
        };
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(sellable(&p, &[7, 5, 1], d("2026-06-01")));
        assert!(!sellable(&p, &[7, 1], d("2026-06-01")));
        assert!(!sellable(&p, &[5], d("2027-01-01")));
        let national = product::Model {
            location_id: None,
            ..p.clone()
        };
        assert!(sellable(&national, &[], d("2026-01-01")));
    }
}

/// The conversion links of current products: product id → its `conversionProduct` id.
pub async fn conversion_links(
    conn: &impl ConnectionTrait,
) -> AppResult<std::collections::HashMap<i64, i64>> {
    Ok(product::Entity::find()
        .filter(product::Column::ValidityTo.is_null())
        .filter(product::Column::ConversionProductId.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|p| p.conversion_product_id.map(|c| (p.id, c)))
        .collect())
}

/// Ids of the products (current or not) whose code is `code`: a policy keeps its product's id.
pub async fn products_by_code(conn: &impl ConnectionTrait, code: &str) -> AppResult<Vec<i64>> {
    Ok(product::Entity::find()
        .filter(product::Column::Code.eq(code.trim()))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// The current product with this code.
pub async fn current_product_by_code(
    conn: &impl ConnectionTrait,
    code: &str,
) -> AppResult<Option<product::Model>> {
    Ok(product::Entity::find()
        .filter(product::Column::Code.eq(code.trim()))
        .filter(product::Column::ValidityTo.is_null())
        .one(conn)
        .await?)
}
