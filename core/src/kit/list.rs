//! The list resolver's prologue and tail: who may call it, and one page of a query in the
//! request's paging, sorting and `totalCount` selection.

use crate::auth::{Principal, Requirement, require_user};
use crate::error::AppResult;
use crate::graphql::connection::{Page, PageArgs, fetch_page, wants_total};
use crate::graphql::{principal, state};
use async_graphql::Context;
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{EntityTrait, ModelTrait, Select};

impl PageArgs {
    /// The paging arguments every connection field takes, in openIMIS's order.
    pub fn new(
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
        offset: Option<i32>,
        order_by: Option<Vec<String>>,
    ) -> Self {
        Self {
            first,
            last,
            after,
            before,
            offset,
            order_by,
        }
    }
}

/// The logged-in caller holding any one of `rights` (any logged-in user when `rights` is empty).
pub fn caller<'a>(ctx: &Context<'a>, rights: &'static [i32]) -> AppResult<&'a Principal> {
    let requirement = if rights.is_empty() {
        Requirement::Authenticated
    } else {
        Requirement::AnyOf(rights)
    };
    require_user(principal(ctx), requirement)
}

/// A list resolver's prologue: [`caller`], whose cookie session (if it has one) must also echo
/// the session's CSRF token, as every list query checks.
pub fn list_caller<'a>(ctx: &Context<'a>, rights: &'static [i32]) -> AppResult<&'a Principal> {
    let p = caller(ctx, rights)?;
    p.check_csrf()?;
    Ok(p)
}

/// The CSRF check of a list whose service checks the rights itself (or that anonymous callers
/// may read): a cookie-authenticated caller must echo the session's CSRF token.
pub fn check_list_csrf(ctx: &Context<'_>) -> AppResult<()> {
    match principal(ctx) {
        Some(p) => p.check_csrf(),
        None => Ok(()),
    }
}

/// How a list sorts: the accepted `orderBy` names and their columns, the primary key, and the
/// order when the client names none.
pub struct Sorting<'a, E: EntityTrait> {
    pub columns: &'a [(&'a str, E::Column)],
    pub id: E::Column,
    pub default_order: &'a [&'a str],
}

/// One page of `select` (already restricted to the caller's rights and locations), with
/// `totalCount` computed only when the client selected it.
pub async fn page_of<E>(
    ctx: &Context<'_>,
    select: Select<E>,
    args: &PageArgs,
    sorting: Sorting<'_, E>,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + Sync,
{
    page_of_with_expressions(ctx, select, args, sorting, &[]).await
}

/// [`page_of`] whose `orderBy` may also name sort `expressions`: Django paths through a related
/// row (`headInsuree__chfId`) as a correlated sub-query the module builds on its own tables.
/// Such orders page by position (see [`fetch_page`]).
pub async fn page_of_with_expressions<E>(
    ctx: &Context<'_>,
    select: Select<E>,
    args: &PageArgs,
    sorting: Sorting<'_, E>,
    expressions: &[(&str, SimpleExpr)],
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + Sync,
{
    let st = state(ctx);
    fetch_page(
        &st.db.conn,
        select,
        args,
        sorting.columns,
        expressions,
        sorting.id,
        sorting.default_order,
        wants_total(ctx),
        &st.config.graphql,
    )
    .await
}

/// `page` with its rows turned into nodes by one batch call (which loads what the page's nodes
/// share at once and keeps the rows' order): the tail of a list resolver whose nodes need more
/// than their row.
pub async fn with_nodes<M, N>(
    page: Page<M>,
    nodes: impl AsyncFnOnce(Vec<M>) -> AppResult<Vec<N>>,
) -> AppResult<Page<N>> {
    let (cursors, models): (Vec<String>, Vec<M>) = page.rows.into_iter().unzip();
    let nodes = nodes(models).await?;
    Ok(Page {
        rows: cursors.into_iter().zip(nodes).collect(),
        has_next: page.has_next,
        has_previous: page.has_previous,
        total: page.total,
    })
}
