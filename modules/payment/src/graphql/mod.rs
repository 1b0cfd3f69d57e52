//! GraphQL of the payment module (openIMIS names of the contribution, payer and payment modules,
//! D3). Resolvers check the right first, then parse their arguments and call one service
//! function (which checks the right again and applies the location scope); mutations run through
//! `imis_core::kit::mutate`, which checks the right before the body runs.

mod inputs;
mod mutation;
mod node;
mod query;
pub mod types;

use crate::entity::{funding, payer, payment, payment_detail, premium};
use crate::service::matching::MatchOutcome;
use crate::service::payers::{FundingFilter, FundingInput, PayerFilter, PayerInput};
use crate::service::payments::{
    PaymentDetailFilter, PaymentDetailInput, PaymentFilter, PaymentInput,
};
use crate::service::premiums::{PremiumFilter, PremiumInput};
use crate::service::{self, AmountRange, DateRange};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::error::{AppError, AppResult};
use imis_core::graphql::connection::{Page, PageArgs};
use imis_core::graphql::scalars::Date;
use imis_core::graphql::{GqlResult, parse_pk, parse_uuid, principal, state};
use imis_core::history::Versioned;
pub(crate) use imis_core::kit::with_nodes;
use imis_core::kit::{Sorting, page_of};
use imis_core::money::Money;
pub use inputs::*;
pub use mutation::PaymentMutation;
pub use node::{NODE_TYPES, PaymentNode, resolve_node};
pub(crate) use node::{register_nodes, resolve_node_value};
pub use query::PaymentQuery;
use rust_decimal::Decimal;
use sea_orm::{EntityTrait, ModelTrait, Select};
pub use types::*;
use uuid::Uuid;

fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

fn rights(ctx: &Context<'_>, any_of: &'static [i32]) -> Result<()> {
    imis_core::kit::list_caller(ctx, any_of)
        .gql(ctx)
        .map(|_| ())
}

use imis_core::graphql::parse_opt_uuid as opt_uuid;

fn pk(v: &Option<ID>, type_name: &str) -> AppResult<Option<i64>> {
    v.as_ref()
        .map(|id| parse_pk(id.trim(), type_name))
        .transpose()
}

fn dates(
    eq: Option<Date>,
    gt: Option<Date>,
    gte: Option<Date>,
    lt: Option<Date>,
    lte: Option<Date>,
) -> DateRange {
    DateRange {
        eq: eq.map(|d| d.0),
        gt: gt.map(|d| d.0),
        gte: gte.map(|d| d.0),
        lt: lt.map(|d| d.0),
        lte: lte.map(|d| d.0),
    }
}

/// How each list sorts: the `orderBy` names it accepts, and its order when the client names none.
const PREMIUM_SORTING: Sorting<premium::Entity> = Sorting {
    columns: &[
        ("payDate", premium::Column::PayDate),
        ("amount", premium::Column::Amount),
        ("receipt", premium::Column::Receipt),
        ("payType", premium::Column::PayType),
    ],
    id: premium::Column::Id,
    default_order: &["-payDate"],
};
const PAYER_SORTING: Sorting<payer::Entity> = Sorting {
    columns: &[
        ("name", payer::Column::NameSearch),
        ("type", payer::Column::PayerType),
    ],
    id: payer::Column::Id,
    default_order: &["name"],
};
const FUNDING_SORTING: Sorting<funding::Entity> = Sorting {
    columns: &[
        ("payDate", funding::Column::PayDate),
        ("amount", funding::Column::Amount),
        ("receipt", funding::Column::Receipt),
    ],
    id: funding::Column::Id,
    default_order: &["-payDate"],
};
const PAYMENT_SORTING: Sorting<payment::Entity> = Sorting {
    columns: &[("status", payment::Column::Status)],
    id: payment::Column::Id,
    default_order: &["-id"],
};
const PAYMENT_DETAIL_SORTING: Sorting<payment_detail::Entity> = Sorting {
    columns: &[],
    id: payment_detail::Column::Id,
    default_order: &["id"],
};

/// One page of a versioned list (`select` already restricted to the caller's rights and
/// locations), with each row's history versions when `show_history` (D7), turned into nodes by
/// one batch call for the logged-in caller.
async fn versioned_page<E, N>(
    ctx: &Context<'_>,
    select: Select<E>,
    args: &PageArgs,
    sorting: Sorting<'_, E>,
    (history, show_history): (&str, bool),
    nodes: impl AsyncFnOnce(&Principal, Vec<(E::Model, Option<i64>)>) -> AppResult<Vec<N>>,
) -> AppResult<Page<N>>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + Versioned + Sync,
{
    let st = state(ctx);
    let page = page_of(ctx, select, args, sorting)
        .await?
        .with_versions(&st.db.conn, history, show_history)
        .await?;
    let caller = require_user(principal(ctx), Requirement::Authenticated)?;
    with_nodes(page, async |models| nodes(caller, models).await).await
}

/// The ids of the objects the caller's mutation `client_mutation_id` touched in `entity`'s
/// table: the `clientMutationId` filter of a list (none without a logged-in caller).
async fn mutation_ids(
    ctx: &Context<'_>,
    client_mutation_id: Option<String>,
    entity: &str,
) -> AppResult<Option<Vec<i64>>> {
    match (client_mutation_id.filter(|c| !c.is_empty()), principal(ctx)) {
        (Some(c), Some(p)) => Ok(Some(
            service::mutation_objects(state(ctx), p, &c, entity).await?,
        )),
        _ => Ok(None),
    }
}

/// Shared tail of `premiums` and `premiumsByPolicies`.
async fn premium_page(
    ctx: &Context<'_>,
    f: PremiumFilter,
    args: PageArgs,
) -> AppResult<PremiumConnection> {
    let st = state(ctx);
    let select = service::premiums::premiums_select(st, principal(ctx), &f).await?;
    let wants = PremiumWants::of(ctx.look_ahead().field("edges").field("node"));
    let history = (service::HISTORY_PREMIUM, f.show_history);
    Ok(versioned_page(
        ctx,
        select,
        &args,
        PREMIUM_SORTING,
        history,
        async |caller, models| premium_nodes(st, caller, models, wants).await,
    )
    .await?
    .into_connection(|n| n))
}

/// Shared tail of `payments` and `paymentsByPremiums`.
async fn payment_page(
    ctx: &Context<'_>,
    f: PaymentFilter,
    args: PageArgs,
) -> AppResult<PaymentConnection> {
    let st = state(ctx);
    let select = service::payments::payments_select(principal(ctx), &f)?;
    let wants = PaymentWants::of(ctx.look_ahead().field("edges").field("node"));
    let history = (service::HISTORY_PAYMENT, f.show_history);
    Ok(versioned_page(
        ctx,
        select,
        &args,
        PAYMENT_SORTING,
        history,
        async |caller, models| payment_nodes(st, caller, models, wants).await,
    )
    .await?
    .into_connection(|n| n))
}

/// The tail of `payers`.
async fn payer_page(
    ctx: &Context<'_>,
    f: PayerFilter,
    args: PageArgs,
) -> AppResult<PayerConnection> {
    let st = state(ctx);
    let select = service::payers::payers_select(st, principal(ctx), &f).await?;
    let wants = PayerWants::of(ctx.look_ahead().field("edges").field("node"));
    let history = (service::HISTORY_PAYER, f.show_history);
    Ok(versioned_page(
        ctx,
        select,
        &args,
        PAYER_SORTING,
        history,
        async |caller, models| payer_nodes(st, caller, models, wants).await,
    )
    .await?
    .into_connection(|n| n))
}

/// The tail of `paymentDetails`.
async fn detail_page(
    ctx: &Context<'_>,
    f: PaymentDetailFilter,
    args: PageArgs,
) -> AppResult<PaymentDetailConnection> {
    let st = state(ctx);
    let select = service::payments::payment_details_select(st, principal(ctx), &f).await?;
    let wants = PremiumWantsOfDetail::of(ctx.look_ahead().field("edges").field("node"));
    let history = (service::HISTORY_PAYMENT_DETAIL, f.show_history);
    Ok(versioned_page(
        ctx,
        select,
        &args,
        PAYMENT_DETAIL_SORTING,
        history,
        async |caller, models| detail_nodes(st, caller, models, wants, None).await,
    )
    .await?
    .into_connection(|n| n))
}

/// The comparisons of the amount argument `name` (`name`, `name_Gt`, `name_Gte`, `name_Lt`,
/// `name_Lte`), in minor units.
fn amounts(
    st: &AppState,
    name: &str,
    [eq, gt, gte, lt, lte]: [Option<Decimal>; 5],
) -> AppResult<AmountRange> {
    Ok(AmountRange {
        eq: amount_of(st, eq, name)?,
        gt: amount_of(st, gt, &format!("{name}_Gt"))?,
        gte: amount_of(st, gte, &format!("{name}_Gte"))?,
        lt: amount_of(st, lt, &format!("{name}_Lt"))?,
        lte: amount_of(st, lte, &format!("{name}_Lte"))?,
    })
}

/// An amount argument or input field in minor units: `input.invalid` naming the GraphQL `field`
/// when it has more decimals than the currency or lies beyond what storage holds.
fn amount_of(st: &AppState, v: Option<Decimal>, field: &str) -> AppResult<Option<i64>> {
    v.map(|d| Money::parse(field, d, st.config.core.currency_minor_digits).map(|m| m.0))
        .transpose()
}
