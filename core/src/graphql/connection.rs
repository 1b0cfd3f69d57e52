//! Relay connections (D3): `first/last/after/before/offset/orderBy`, keyset cursors over the
//! requested order (always ending with the primary key, so cursors are stable), `offset`,
//! `totalCount` computed only when the client selects it, and `edgeCount`. The page size is capped
//! by `graphql.max_page_size`.

use crate::config::GraphqlConfig;
use crate::error::{AppError, AppResult};
use async_graphql::connection::{Connection, ConnectionNameType, Edge, EdgeNameType, EmptyFields};
use async_graphql::{Context, OutputType, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sea_orm::sea_query::{Condition, IntoCondition, NullOrdering, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IdenStatic, ModelTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Value,
};

/// The list arguments every connection field takes.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub last: Option<i32>,
    pub after: Option<String>,
    pub before: Option<String>,
    pub offset: Option<i32>,
    pub order_by: Option<Vec<String>>,
}

/// Extra fields on every connection.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct ConnectionCounts {
    /// Number of rows matching the filters; computed only when selected.
    pub total_count: Option<i64>,
    /// Number of edges in this page.
    pub edge_count: i32,
}

/// Declares the connection and edge type names of a node type (`LocationGQLTypeConnection`,
/// `LocationGQLTypeEdge`) and a `...Connection` alias.
#[macro_export]
macro_rules! connection_type {
    ($alias:ident, $conn_name:ident, $edge_name:ident, $node:ty, $gql:literal) => {
        pub struct $conn_name;
        impl async_graphql::connection::ConnectionNameType for $conn_name {
            fn type_name<T: async_graphql::OutputType>() -> String {
                concat!($gql, "Connection").to_string()
            }
        }
        pub struct $edge_name;
        impl async_graphql::connection::EdgeNameType for $edge_name {
            fn type_name<T: async_graphql::OutputType>() -> String {
                concat!($gql, "Edge").to_string()
            }
        }
        pub type $alias = async_graphql::connection::Connection<
            String,
            $node,
            $crate::graphql::connection::ConnectionCounts,
            async_graphql::connection::EmptyFields,
            $conn_name,
            $edge_name,
            async_graphql::connection::DisableNodesField,
        >;
    };
}

/// A fetched page.
pub struct Page<M> {
    pub rows: Vec<(String, M)>,
    pub has_next: bool,
    pub has_previous: bool,
    pub total: Option<i64>,
}

impl<M> Page<M> {
    /// All `rows` as one page, cursors being positions: a nested list that is never long (an
    /// insuree's policies, a policy's coverage rows).
    pub fn whole(rows: Vec<M>) -> Self {
        Page {
            total: Some(rows.len() as i64),
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(i, r)| (i.to_string(), r))
                .collect(),
            has_next: false,
            has_previous: false,
        }
    }

    /// Builds the GraphQL connection, mapping each row to its node type.
    pub fn into_connection<N, CN, EN>(
        self,
        map: impl Fn(M) -> N,
    ) -> Connection<
        String,
        N,
        ConnectionCounts,
        EmptyFields,
        CN,
        EN,
        async_graphql::connection::DisableNodesField,
    >
    where
        N: OutputType,
        CN: ConnectionNameType,
        EN: EdgeNameType,
    {
        let counts = ConnectionCounts {
            total_count: self.total,
            edge_count: self.rows.len() as i32,
        };
        let mut c = Connection::with_additional_fields(self.has_previous, self.has_next, counts);
        c.edges.extend(
            self.rows
                .into_iter()
                .map(|(cursor, m)| Edge::new(cursor, map(m))),
        );
        c
    }
}

/// Whether the client selected `totalCount` on this connection field.
pub fn wants_total(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// An `orderBy` name as compared: case, `_` and Django's `__` ignored (`lastName`, `last_name`,
/// `headInsuree__chfId`).
pub fn normalise_order_name(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The fields an `orderBy` asks for, as (descending, name), else `default_order`: a string may
/// hold several comma-separated fields; `-name` is descending, `+name` or `name` ascending.
pub fn requested_order(order_by: Option<&[String]>, default_order: &[&str]) -> Vec<(bool, String)> {
    let items: Vec<String> = match order_by {
        Some(list) if !list.is_empty() => list
            .iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        _ => default_order.iter().map(|s| s.to_string()).collect(),
    };
    items
        .into_iter()
        .map(|item| match item.strip_prefix('-') {
            Some(name) => (true, name.to_string()),
            None => (false, item.trim_start_matches('+').to_string()),
        })
        .collect()
}

fn value_to_json(v: Value) -> serde_json::Value {
    match v {
        Value::String(Some(s)) => serde_json::Value::String(s),
        Value::Char(Some(c)) => serde_json::Value::String(c.to_string()),
        Value::BigInt(Some(i)) => i.into(),
        Value::Int(Some(i)) => i.into(),
        Value::SmallInt(Some(i)) => i.into(),
        Value::ChronoDate(Some(d)) => {
            serde_json::json!({ "date": d.format("%Y-%m-%d").to_string() })
        }
        Value::ChronoDateTimeUtc(Some(t)) => serde_json::json!({
            "at": t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        }),
        _ => serde_json::Value::Null,
    }
}

fn json_to_value(v: &serde_json::Value) -> AppResult<Value> {
    match v {
        serde_json::Value::String(s) => Ok(Value::String(Some(s.clone()))),
        serde_json::Value::Object(o) if o.contains_key("date") => o["date"]
            .as_str()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(|d| Value::ChronoDate(Some(d)))
            .ok_or_else(|| AppError::validation("input.invalid_cursor")),
        serde_json::Value::Object(o) if o.contains_key("at") => o["at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| Value::ChronoDateTimeUtc(Some(t.with_timezone(&chrono::Utc))))
            .ok_or_else(|| AppError::validation("input.invalid_cursor")),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(|i| Value::BigInt(Some(i)))
            .ok_or_else(|| AppError::validation("input.invalid_cursor")),
        _ => Err(AppError::validation("input.invalid_cursor")),
    }
}

fn decode_cursor(cursor: &str, keys: usize) -> AppResult<Vec<Value>> {
    let bad = || AppError::validation("input.invalid_cursor");
    let bytes = B64.decode(cursor).map_err(|_| bad())?;
    let values: Vec<serde_json::Value> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if values.len() != keys {
        return Err(bad());
    }
    values.iter().map(json_to_value).collect()
}

/// A sort key: one of the entity's columns, or an expression (e.g. a correlated sub-query on a
/// related row, for Django paths such as `headInsuree__chfId`).
enum SortKey<C> {
    Column(C),
    Expr(SimpleExpr),
}

/// Where paging resumes: after the row with these sort-key values (keyset), or after this
/// position (for orders a keyset cannot follow: expressions and nullable columns).
enum Resume {
    Keyset(Vec<Value>),
    Position(u64),
}

fn position_cursor(position: u64) -> String {
    B64.encode(serde_json::json!({ "pos": position }).to_string())
}

fn decode_resume(cursor: &str, keys: usize, positional: bool) -> AppResult<Resume> {
    let bad = || AppError::validation("input.invalid_cursor");
    let bytes = B64.decode(cursor).map_err(|_| bad())?;
    if positional {
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        return value
            .get("pos")
            .and_then(serde_json::Value::as_u64)
            .map(Resume::Position)
            .ok_or_else(bad);
    }
    decode_cursor(cursor, keys).map(Resume::Keyset)
}

/// Fetches one page of `select`. `sortable` maps the accepted `orderBy` names (camelCase; snake
/// case, case and Django's `__` are ignored) to columns, `expressions` to sort expressions; `id`
/// is the primary key. Orders on non-null columns page by keyset (stable while rows are added);
/// an order on an expression or a nullable column pages by position, with nulls last ascending
/// and first descending on every database.
#[allow(clippy::too_many_arguments)]
pub async fn fetch_page<E>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    args: &PageArgs,
    sortable: &[(&str, E::Column)],
    expressions: &[(&str, SimpleExpr)],
    id: E::Column,
    default_order: &[&str],
    want_total: bool,
    cfg: &GraphqlConfig,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + Sync,
{
    let max = cfg.max_page_size as i32;
    for n in [args.first, args.last].into_iter().flatten() {
        if n < 0 {
            return Err(AppError::invalid("first", "must not be negative"));
        }
        if n > max {
            return Err(AppError::validation("input.page_too_large").with("max", max));
        }
    }
    let offset = args.offset.unwrap_or(0);
    if offset < 0 {
        return Err(AppError::invalid("offset", "must not be negative"));
    }
    let backward = args.first.is_none() && (args.last.is_some() || args.before.is_some());
    let size = args
        .first
        .or(args.last)
        .unwrap_or(cfg.default_page_size as i32) as u64;

    let mut keys: Vec<(SortKey<E::Column>, bool)> = vec![]; // (key, descending)
    let mut seen: Vec<String> = vec![];
    for (desc, name) in requested_order(args.order_by.as_deref(), default_order) {
        let wanted = normalise_order_name(&name);
        let key = sortable
            .iter()
            .find(|(n, _)| normalise_order_name(n) == wanted)
            .map(|(_, c)| SortKey::Column(*c))
            .or_else(|| (wanted == "id").then_some(SortKey::Column(id)))
            .or_else(|| {
                expressions
                    .iter()
                    .find(|(n, _)| normalise_order_name(n) == wanted)
                    .map(|(_, e)| SortKey::Expr(e.clone()))
            })
            .ok_or_else(|| AppError::validation("input.invalid_order").with("field", &name))?;
        let identity = match &key {
            SortKey::Column(c) => c.as_str().to_string(),
            SortKey::Expr(_) => format!("expr:{wanted}"),
        };
        if !seen.contains(&identity) {
            seen.push(identity);
            keys.push((key, desc));
        }
    }
    if !seen.iter().any(|k| k == id.as_str()) {
        keys.push((SortKey::Column(id), false));
    }
    let positional = keys.iter().any(|(k, _)| match k {
        SortKey::Column(c) => c.def().is_null(),
        SortKey::Expr(_) => true,
    });

    let mut total = if want_total {
        Some(select.clone().count(conn).await? as i64)
    } else {
        None
    };

    let mut query = select;
    let cursor = if backward {
        args.before.as_deref()
    } else {
        args.after.as_deref()
    };
    let resume = cursor
        .map(|c| decode_resume(c, keys.len(), positional))
        .transpose()?;
    // Positional pages: the window [start, end) of the whole ordered list.
    let mut window: Option<(u64, u64)> = None;
    match resume {
        Some(Resume::Keyset(values)) => {
            let mut any = Condition::any();
            for i in 0..keys.len() {
                let mut all = Condition::all();
                for j in 0..i {
                    if let SortKey::Column(c) = &keys[j].0 {
                        all = all.add(c.eq(values[j].clone()));
                    }
                }
                let (SortKey::Column(col), desc) = &keys[i] else {
                    continue;
                };
                // Forward after: ascending keys grow; backward before: they shrink.
                let greater = *desc == backward;
                all = all.add(if greater {
                    col.gt(values[i].clone())
                } else {
                    col.lt(values[i].clone())
                });
                any = any.add(all);
            }
            query = query.filter(any.into_condition());
        }
        Some(Resume::Position(p)) if backward => {
            window = Some((p.saturating_sub(size), p));
        }
        Some(Resume::Position(p)) => window = Some((p + 1 + offset as u64, u64::MAX)),
        None if positional && backward => {
            let count = match total {
                Some(t) => t as u64,
                None => query.clone().count(conn).await?,
            };
            total.get_or_insert(count as i64);
            window = Some((count.saturating_sub(size), count));
        }
        None if positional => window = Some((offset as u64, u64::MAX)),
        None => {}
    }
    for (key, desc) in &keys {
        if positional {
            // One order on every database: nulls last ascending, first descending.
            let (order, nulls) = if *desc {
                (Order::Desc, NullOrdering::First)
            } else {
                (Order::Asc, NullOrdering::Last)
            };
            query = match key {
                SortKey::Column(c) => query.order_by_with_nulls(*c, order, nulls),
                SortKey::Expr(e) => query.order_by_with_nulls(e.clone(), order, nulls),
            };
            continue;
        }
        let ascending = !*desc != backward;
        let order = if ascending { Order::Asc } else { Order::Desc };
        if let SortKey::Column(c) = key {
            query = query.order_by(*c, order);
        }
    }
    if let Some((start, end)) = window {
        let take = size.min(end - start);
        let mut models = query.offset(start).limit(take + 1).all(conn).await?;
        let more = models.len() as u64 > take;
        models.truncate(take as usize);
        let rows = models
            .into_iter()
            .enumerate()
            .map(|(i, m)| (position_cursor(start + i as u64), m))
            .collect();
        return Ok(Page {
            rows,
            has_next: more || (backward && args.before.is_some()),
            has_previous: start > 0,
            total,
        });
    }
    let mut models = query
        .offset(offset as u64)
        .limit(size + 1)
        .all(conn)
        .await?;
    let more = models.len() as u64 > size;
    models.truncate(size as usize);
    if backward {
        models.reverse();
    }
    let rows = models
        .into_iter()
        .map(|m| {
            let values: Vec<serde_json::Value> = keys
                .iter()
                .filter_map(|(k, _)| match k {
                    SortKey::Column(c) => Some(value_to_json(m.get(*c))),
                    SortKey::Expr(_) => None,
                })
                .collect();
            (
                B64.encode(serde_json::to_vec(&values).unwrap_or_default()),
                m,
            )
        })
        .collect();
    let (has_next, has_previous) = if backward {
        (args.before.is_some(), more)
    } else {
        (more, args.after.is_some() || offset > 0)
    };
    Ok(Page {
        rows,
        has_next,
        has_previous,
        total,
    })
}

impl<M: crate::history::Versioned> Page<M> {
    /// With `show` (`showHistory: true`, D7), each current row is followed by its previous
    /// versions; every row carries its history pk (None for current rows).
    pub async fn with_versions(
        self,
        conn: &impl ConnectionTrait,
        entity: &str,
        show: bool,
    ) -> AppResult<Page<(M, Option<i64>)>> {
        let rows = if show {
            crate::history::with_versions(conn, entity, self.rows)
                .await?
                .into_iter()
                .map(|(c, m, h)| (c, (m, h)))
                .collect()
        } else {
            self.rows.into_iter().map(|(c, m)| (c, (m, None))).collect()
        };
        Ok(Page {
            rows,
            has_next: self.has_next,
            has_previous: self.has_previous,
            total: self.total,
        })
    }
}

/// Pages a short list computed in memory (a family's policies, an insuree's coverage): cursors
/// are positions, `offset`, `first/after` and `last/before` work as for database lists, with the
/// same limits (a negative size or offset is refused, a size above the maximum is
/// `input.page_too_large`, no size means the default page), so that what a request may return is
/// what the cost limiter counts.
pub fn page_in_memory<M>(rows: Vec<M>, args: &PageArgs, cfg: &GraphqlConfig) -> AppResult<Page<M>> {
    for n in [args.first, args.last].into_iter().flatten() {
        if n < 0 {
            return Err(AppError::invalid("first", "must not be negative"));
        }
        if n > cfg.max_page_size as i32 {
            return Err(AppError::validation("input.page_too_large").with("max", cfg.max_page_size));
        }
    }
    if args.offset.is_some_and(|o| o < 0) {
        return Err(AppError::invalid("offset", "must not be negative"));
    }
    let decode = |c: &str| -> AppResult<usize> {
        B64.decode(c)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("pos:").and_then(|n| n.parse().ok()))
            .ok_or_else(|| AppError::invalid("after", "unknown cursor"))
    };
    let total = rows.len();
    let mut start = args.offset.unwrap_or(0).max(0) as usize;
    let mut end = total;
    if let Some(a) = &args.after {
        start = start.max(decode(a)? + 1);
    }
    if let Some(b) = &args.before {
        end = end.min(decode(b)?);
    }
    if let Some(f) = args.first {
        end = end.min(start + f as usize);
    } else if let Some(l) = args.last {
        start = start.max(end.saturating_sub(l as usize));
    } else {
        end = end.min(start + cfg.default_page_size as usize);
    }
    let start = start.min(total);
    let end = end.max(start).min(total);
    let rows = rows
        .into_iter()
        .enumerate()
        .skip(start)
        .take(end - start)
        .map(|(i, m)| (B64.encode(format!("pos:{i}")), m))
        .collect();
    Ok(Page {
        rows,
        has_next: end < total,
        has_previous: start > 0,
        total: Some(total as i64),
    })
}
