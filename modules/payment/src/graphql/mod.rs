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
use imis_core::auth::{Requirement, require_user};
use imis_core::error::{AppError, AppResult};
use imis_core::graphql::connection::PageArgs;
use imis_core::graphql::scalars::Date;
use imis_core::graphql::{
    GqlResult, MutationEnvelopeInput, parse_pk, parse_uuid, principal, state,
};
pub(crate) use imis_core::kit::with_nodes;
use imis_core::kit::{Sorting, page_of};
use imis_core::money::Money;
pub use inputs::*;
pub use mutation::PaymentMutation;
pub use node::{NODE_TYPES, PaymentNode, resolve_node};
pub(crate) use node::{register_nodes, resolve_node_value};
pub use query::PaymentQuery;
use rust_decimal::Decimal;
use sea_orm::EntityTrait;
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

const PREMIUM_SORT: [(&str, premium::Column); 4] = [
    ("payDate", premium::Column::PayDate),
    ("amount", premium::Column::Amount),
    ("receipt", premium::Column::Receipt),
    ("payType", premium::Column::PayType),
];
const PAYER_SORT: [(&str, payer::Column); 2] = [
    ("name", payer::Column::NameSearch),
    ("type", payer::Column::PayerType),
];
const FUNDING_SORT: [(&str, funding::Column); 3] = [
    ("payDate", funding::Column::PayDate),
    ("amount", funding::Column::Amount),
    ("receipt", funding::Column::Receipt),
];
const PAYMENT_SORT: [(&str, payment::Column); 1] = [("status", payment::Column::Status)];

/// Shared tail of `premiums` and `premiumsByPolicies`.
async fn premium_page(
    ctx: &Context<'_>,
    f: PremiumFilter,
    args: PageArgs,
) -> AppResult<PremiumConnection> {
    let st = state(ctx);
    let select = service::premiums::premiums_select(st, principal(ctx), &f).await?;
    let page = page_of(
        ctx,
        select,
        &args,
        Sorting {
            columns: &PREMIUM_SORT,
            id: premium::Column::Id,
            default_order: &["-payDate"],
        },
    )
    .await?
    .with_versions(&st.db.conn, service::HISTORY_PREMIUM, f.show_history)
    .await?;
    let wants = PremiumWants::of(ctx.look_ahead().field("edges").field("node"));
    let caller = require_user(principal(ctx), Requirement::Authenticated)?;
    Ok(with_nodes(page, async |models| {
        premium_nodes(st, caller, models, wants).await
    })
    .await?
    .into_connection(|n| n))
}

async fn payment_page(
    ctx: &Context<'_>,
    f: PaymentFilter,
    args: PageArgs,
) -> AppResult<PaymentConnection> {
    let st = state(ctx);
    let select = service::payments::payments_select(principal(ctx), &f)?;
    let page = page_of(
        ctx,
        select,
        &args,
        Sorting {
            columns: &PAYMENT_SORT,
            id: payment::Column::Id,
            default_order: &["-id"],
        },
    )
    .await?
    .with_versions(&st.db.conn, service::HISTORY_PAYMENT, f.show_history)
    .await?;
    let wants = PaymentWants::of(ctx.look_ahead().field("edges").field("node"));
    let caller = require_user(principal(ctx), Requirement::Authenticated)?;
    Ok(with_nodes(page, async |models| {
        payment_nodes(st, caller, models, wants).await
    })
    .await?
    .into_connection(|n| n))
}

/// An amount argument or input field in minor units: `input.invalid` naming the GraphQL `field`
/// when it has more decimals than the currency or lies beyond what storage holds.
fn amount_of(st: &AppState, v: Option<Decimal>, field: &str) -> AppResult<Option<i64>> {
    v.map(|d| Money::parse(field, d, st.config.core.currency_minor_digits).map(|m| m.0))
        .transpose()
}
