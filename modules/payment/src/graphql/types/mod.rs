//! Output types of the payment module with openIMIS names (D3). A page loads the policies,
//! payers, locations, products, fundings, detail lines and premiums its rows refer to in one
//! query per table (no N+1).

use crate::entity::{funding, payer, payment, payment_detail, premium};
use crate::service::{self, matching::MatchOutcome};
use async_graphql::{Context, Enum, ID, Object, Result};
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::error::AppResult;
use imis_core::graphql::connection::{Page, PageArgs, page_in_memory};
use imis_core::graphql::scalars::{Date, DateTime, JsonString};
use imis_core::graphql::{GqlResult, global_id, principal, state};
use imis_core::kit::CurrentRows;
use imis_core::location::graphql::{LocationGQLType, location_nodes};
use imis_policy::api::{PolicyGQLType, PolicyWants, policy_nodes_by_ids};
use imis_product::api::ProductGQLType;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use std::sync::Arc;

mod matching;
mod payers;
mod payments;
mod premiums;

pub use matching::*;
pub use payers::*;
pub use payments::*;
pub use premiums::*;

imis_core::connection_type!(
    PremiumConnection,
    PremiumConnName,
    PremiumEdgeName,
    PremiumGQLType,
    "PremiumGQLType"
);
imis_core::connection_type!(
    PayerConnection,
    PayerConnName,
    PayerEdgeName,
    PayerGQLType,
    "PayerGQLType"
);
imis_core::connection_type!(
    FundingConnection,
    FundingConnName,
    FundingEdgeName,
    FundingGQLType,
    "FundingGQLType"
);
// openIMIS names the payer's nested connection `FundingConnection` / `FundingEdge`.
imis_core::connection_type!(
    PayerFundingConnection,
    PayerFundingConnName,
    PayerFundingEdgeName,
    FundingGQLType,
    "Funding"
);
imis_core::connection_type!(
    PaymentConnection,
    PaymentConnName,
    PaymentEdgeName,
    PaymentGQLType,
    "PaymentGQLType"
);
imis_core::connection_type!(
    PaymentDetailConnection,
    PaymentDetailConnName,
    PaymentDetailEdgeName,
    PaymentDetailGQLType,
    "PaymentDetailGQLType"
);

pub(crate) use imis_core::kit::{VersionFields, date_time, money, node_id};

/// A nested connection (a payer's fundings, a payment's lines) over `rows` its parent loaded,
/// paged in memory.
fn nested_page<N>(
    ctx: &Context<'_>,
    rows: Vec<N>,
    first: Option<i32>,
    last: Option<i32>,
    after: Option<String>,
    before: Option<String>,
) -> Result<Page<N>> {
    let args = PageArgs::new(first, last, after, before, None, None);
    page_in_memory(rows, &args, &state(ctx).config.graphql).gql(ctx)
}
