//! Output types of products: `ProductGQLType` and its page data (what a page of products
//! preloads once), its lines and the form's defaults.

mod lines;
mod product_type;

pub use lines::*;

use super::*;

/// Data loaded once for a page of products. A `None` map was not requested: the field then
/// loads what it needs itself.
#[derive(Default)]
pub struct ProductPageData {
    digits: u32,
    locations: HashMap<i64, LocationGQLType>,
    conversions: HashMap<i64, product::Model>,
    /// Every row (closed ones too when the page holds versions), by product id.
    items: Option<HashMap<i64, Vec<ProductLine>>>,
    services: Option<HashMap<i64, Vec<ProductLine>>>,
    relative: Option<HashMap<i64, Vec<relative_distribution::Model>>>,
    /// Medical nodes of the preloaded lines, by item / service id.
    item_nodes: HashMap<i64, ItemGQLType>,
    service_nodes: HashMap<i64, ServiceGQLType>,
}

/// What to preload for a page.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProductWants {
    pub location: bool,
    pub conversion: bool,
    pub items: bool,
    pub services: bool,
    pub relative: bool,
}

impl ProductWants {
    pub(crate) fn all() -> Self {
        Self {
            location: true,
            conversion: true,
            items: true,
            services: true,
            relative: true,
        }
    }
}

/// `ProductGQLType`: a product or one of its versions (D7).
#[derive(Clone)]
pub struct ProductGQLType {
    pub(crate) model: Arc<product::Model>,
    /// Set for a history version: its kernel history key.
    pub(crate) history_id: Option<i64>,
    page: Arc<ProductPageData>,
}

/// Whether `caller` may see a product located at `location` wherever it is shown (a policy's, a
/// funding's, a conversion product), as `products` decides (D9): national, within the caller's
/// locations, or at an ancestor of one of them. Reads the caller's scope, computed once per
/// request: no query per row.
pub async fn sees_product(
    conn: &impl sea_orm::ConnectionTrait,
    caller: &Principal,
    location: Option<i64>,
) -> AppResult<bool> {
    let Some(l) = location else { return Ok(true) };
    Ok(match caller.scope.visible_locations(conn).await? {
        None => true,
        Some(visible) => visible.contains(&l),
    })
}

/// Builds product nodes for `models`, loading what `wants` names in a fixed number of queries.
pub async fn product_nodes(
    state: &AppState,
    models: Vec<(product::Model, Option<i64>)>,
    wants: ProductWants,
) -> AppResult<Vec<ProductGQLType>> {
    let conn = &state.db.conn;
    let ids: Vec<i64> = models.iter().map(|(m, _)| m.id).collect();
    let versions = models
        .iter()
        .any(|(m, h)| h.is_some() || m.validity_to.is_some());
    let mut page = ProductPageData {
        digits: state.config.core.currency_minor_digits,
        ..Default::default()
    };
    if wants.conversion {
        let conv: Vec<i64> = models
            .iter()
            .filter_map(|(m, _)| m.conversion_product_id)
            .collect();
        page.conversions = service::products_by_ids(conn, &conv).await?;
    }
    if wants.location {
        let locs: Vec<i64> = models
            .iter()
            .map(|(m, _)| m)
            .chain(page.conversions.values())
            .filter_map(|m| m.location_id)
            .collect();
        page.locations = location_nodes(conn, &locs).await?;
    }
    if wants.items {
        let lines = service::lines_of(conn, LineKind::Item, &ids, versions).await?;
        let medical: Vec<i64> = lines.values().flatten().map(|l| l.medical_id).collect();
        page.item_nodes = item_nodes(conn, &medical).await?;
        page.items = Some(lines);
    }
    if wants.services {
        let lines = service::lines_of(conn, LineKind::Service, &ids, versions).await?;
        let medical: Vec<i64> = lines.values().flatten().map(|l| l.medical_id).collect();
        page.service_nodes = service_nodes(conn, &medical).await?;
        page.services = Some(lines);
    }
    if wants.relative {
        page.relative = Some(service::relative_distributions_of(conn, &ids, versions).await?);
    }
    let page = Arc::new(page);
    Ok(models
        .into_iter()
        .map(|(m, history_id)| ProductGQLType {
            model: Arc::new(m),
            history_id,
            page: page.clone(),
        })
        .collect())
}

pub(crate) fn cursor_of(i: usize) -> String {
    B64.encode(format!("arrayconnection:{i}"))
}

pub(crate) fn index_of(cursor: &str) -> AppResult<usize> {
    let bad = || AppError::validation("input.invalid_cursor");
    let text = String::from_utf8(B64.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    text.strip_prefix("arrayconnection:")
        .and_then(|n| n.parse().ok())
        .ok_or_else(bad)
}

/// Pages a small in-memory list (the lines of one product) with array cursors.
pub(crate) fn page_in_memory<T>(rows: Vec<T>, args: &PageArgs) -> AppResult<Page<T>> {
    let len = rows.len();
    let mut start = match &args.after {
        Some(c) => index_of(c)? + 1,
        None => 0,
    };
    start += args.offset.unwrap_or(0).max(0) as usize;
    let mut end = match &args.before {
        Some(c) => index_of(c)?.min(len),
        None => len,
    };
    start = start.min(end);
    if let Some(f) = args.first {
        end = end.min(start + f.max(0) as usize);
    }
    if let Some(l) = args.last {
        start = start.max(end.saturating_sub(l.max(0) as usize));
    }
    let rows: Vec<(String, T)> = rows
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i >= start && *i < end)
        .map(|(i, r)| (cursor_of(i), r))
        .collect();
    Ok(Page {
        total: Some(len as i64),
        has_previous: start > 0,
        has_next: end < len,
        rows,
    })
}

impl ProductGQLType {
    fn digits(&self) -> u32 {
        self.page.digits
    }
    fn money(&self, v: Option<i64>) -> Option<Decimal> {
        v.map(|v| Money(v).to_decimal(self.digits()))
    }
    /// The instant whose lines belong to this node: None = the current lines.
    fn lines_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        (self.history_id.is_some() || self.model.validity_to.is_some())
            .then_some(self.model.validity_from)
    }
    async fn lines(&self, ctx: &Context<'_>, kind: LineKind) -> AppResult<Vec<ProductLine>> {
        let preloaded = match kind {
            LineKind::Item => &self.page.items,
            LineKind::Service => &self.page.services,
        };
        let at = self.lines_at();
        let rows = match preloaded {
            Some(map) => map.get(&self.model.id).cloned().unwrap_or_default(),
            None => service::lines_of(&state(ctx).db.conn, kind, &[self.model.id], at.is_some())
                .await?
                .remove(&self.model.id)
                .unwrap_or_default(),
        };
        Ok(service::lines_valid_at(&rows, at))
    }
    /// One page of the covered lines of a kind (only the line `id` names, when given), each with
    /// its item or service node: those the page preloaded (`known`), the others read with
    /// `load` in one query.
    async fn covered<N, F>(
        &self,
        ctx: &Context<'_>,
        (kind, line_type, id): (LineKind, &str, Option<ID>),
        args: &PageArgs,
        known: &HashMap<i64, N>,
        load: impl FnOnce(Vec<i64>) -> F,
    ) -> AppResult<Page<(ProductLine, Option<N>)>>
    where
        N: Clone,
        F: std::future::Future<Output = AppResult<HashMap<i64, N>>>,
    {
        let mut rows = self.lines(ctx, kind).await?;
        if let Some(id) = &id {
            let pk = imis_core::graphql::parse_pk(id, line_type)?;
            rows.retain(|l| l.id == pk);
        }
        let missing: Vec<i64> = rows
            .iter()
            .map(|l| l.medical_id)
            .filter(|id| !known.contains_key(id))
            .collect();
        let extra = load(missing).await?;
        let page = page_in_memory(rows, args)?;
        let with_node = |line: ProductLine| {
            let node = known.get(&line.medical_id).or(extra.get(&line.medical_id));
            (node.cloned(), line)
        };
        Ok(Page {
            rows: page
                .rows
                .into_iter()
                .map(|(cursor, line)| {
                    let (node, line) = with_node(line);
                    (cursor, (line, node))
                })
                .collect(),
            has_next: page.has_next,
            has_previous: page.has_previous,
            total: page.total,
        })
    }
    /// (deductible, IP, OP) and (ceiling, IP, OP) of the ceiling-type family.
    fn ded_max(&self) -> ([Option<i64>; 3], [Option<i64>; 3]) {
        let m = &self.model;
        match m.ceiling_type.as_deref() {
            Some("I") => (
                [m.ded_insuree, m.ded_ip_insuree, m.ded_op_insuree],
                [m.max_insuree, m.max_ip_insuree, m.max_op_insuree],
            ),
            Some("T") => (
                [m.ded_treatment, m.ded_ip_treatment, m.ded_op_treatment],
                [m.max_treatment, m.max_ip_treatment, m.max_op_treatment],
            ),
            Some("P") => (
                [m.ded_policy, m.ded_ip_policy, m.ded_op_policy],
                [m.max_policy, m.max_ip_policy, m.max_op_policy],
            ),
            _ => ([None; 3], [None; 3]),
        }
    }
    fn node_of(&self, m: product::Model) -> ProductGQLType {
        ProductGQLType {
            model: Arc::new(m),
            history_id: None,
            page: self.page.clone(),
        }
    }
}
