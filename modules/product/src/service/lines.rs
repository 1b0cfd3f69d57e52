//! Product lines (covered items and services share one shape) and relative price
//! distributions: reading them per product and per version, closing and inserting them on save.

use super::*;

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
    pub(crate) fn name(self) -> &'static str {
        match self {
            LineKind::Item => "item",
            LineKind::Service => "service",
        }
    }
}

/// A covered item or service of a product (a row of the module's item or service lines,
/// openIMIS `tblProductItems` / `tblProductServices`).
///
/// Lines are replaced when their product is saved: the old rows get `validity_to` and new rows
/// are inserted, so the lines of a product version are the rows valid at that version's
/// `validity_from`. Limit values are exact integers whose scale follows the limitation type of
/// the same visit type: hundredths of a percent for co-insurance (`C`, or no type), minor
/// currency units for a fixed amount (`F`); see [`limit_decimal`].
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult, serde::Serialize, serde::Deserialize)]
pub struct ProductLine {
    pub id: i64,
    pub uuid: Uuid,
    pub product_id: i64,
    /// The medical item id (items) or service id (services).
    pub medical_id: i64,
    /// `P` price list, `O` provider, `R` relative.
    pub price_origin: String,
    /// `C` co-insurance, `F` fixed amount; plain = other visits, `_r` referral, `_e` emergency.
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
    /// Months.
    pub waiting_period_adult: Option<i32>,
    pub waiting_period_child: Option<i32>,
    /// `H` in-patient ceilings, `N` out-patient, `B` both, null none.
    pub ceiling_exclusion_adult: Option<String>,
    pub ceiling_exclusion_child: Option<String>,
    pub validity_from: DateTime<Utc>,
    pub validity_to: Option<DateTime<Utc>>,
    pub audit_user_id: Option<i64>,
}

pub(crate) const LINE_DATA_COLUMNS: &str = "price_origin, limitation_type, limitation_type_r, limitation_type_e, \
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

pub(crate) fn id_list(ids: &[i64]) -> String {
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

pub(crate) async fn close_rows(
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

pub(crate) async fn insert_distributions(
    tx: &DatabaseTransaction,
    product_id: i64,
    rows: &[DistRow],
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<()> {
    for (care, distr_type, period, percent) in rows {
        let row = relative_distribution::ActiveModel {
            uuid: sea_orm::Set(Uuid::now_v7()),
            product_id: sea_orm::Set(product_id),
            care_type: sea_orm::Set(care.clone()),
            distr_type: sea_orm::Set(*distr_type),
            period: sea_orm::Set(*period),
            percent: sea_orm::Set(*percent),
            ..Default::default()
        };
        imis_core::kit::insert_version(tx, row, now, actor).await?;
    }
    Ok(())
}

pub(crate) fn dist_rows_of(rows: &[relative_distribution::Model]) -> Vec<DistRow> {
    rows.iter()
        .map(|r| (r.care_type.clone(), r.distr_type, r.period, r.percent))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Medical items and services (read only)
// ---------------------------------------------------------------------------------------------

/// Ids of the current medical items or services with these uuids.
pub(crate) async fn medical_ids(
    conn: &impl ConnectionTrait,
    kind: LineKind,
    uuids: &[Uuid],
) -> AppResult<HashMap<Uuid, i64>> {
    crate::medical_ref::current_ids_by_uuid(conn, kind, uuids).await
}
