//! Output types of the payment module with openIMIS names (D3). A page loads the policies,
//! payers, locations, products, fundings, detail lines and premiums its rows refer to in one
//! query per table (no N+1).

use crate::entity::{funding, payer, payment, payment_detail, premium};
use crate::service::{self, matching::MatchOutcome};
use async_graphql::{Context, Enum, ID, Object, Result};
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::error::AppResult;
use imis_core::graphql::scalars::{Date, DateTime, JsonString};
use imis_core::graphql::{global_id, principal, state};
use imis_core::location::graphql::{LocationGQLType, location_nodes};
use imis_core::money::Money;
use imis_policy::graphql::{PolicyGQLType, PolicyWants, policy_nodes};
use imis_product::graphql::{ProductGQLType, ProductWants, product_nodes, sees_product};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use std::sync::Arc;

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

fn tz(ctx: &Context<'_>) -> chrono_tz::Tz {
    state(ctx).clock.tz
}

pub(crate) fn money(ctx: &Context<'_>, minor: i64) -> Decimal {
    Money(minor).to_decimal(state(ctx).config.core.currency_minor_digits)
}

fn date_time(ctx: &Context<'_>, t: chrono::DateTime<chrono::Utc>) -> DateTime {
    DateTime::from_utc(t, tz(ctx))
}

// ---------------------------------------------------------------------------------------------
// Premiums
// ---------------------------------------------------------------------------------------------

/// What to load for a page of premiums.
#[derive(Debug, Clone, Copy, Default)]
pub struct PremiumWants {
    pub policy: Option<PolicyWants>,
    pub payer: bool,
    pub other_premiums: bool,
}

impl PremiumWants {
    pub fn all() -> Self {
        PremiumWants {
            policy: Some(PolicyWants::all()),
            payer: true,
            other_premiums: true,
        }
    }
    /// What the selection under `node` asks for.
    pub fn of(node: async_graphql::Lookahead<'_>) -> Self {
        let policy = node.field("policy");
        PremiumWants {
            policy: policy.exists().then(|| PolicyWants::of(policy)),
            payer: node.field("payer").exists(),
            other_premiums: node.field("otherPremiums").exists(),
        }
    }
}

#[derive(Default)]
pub struct PremiumPageData {
    pub policies: HashMap<i64, PolicyGQLType>,
    pub payers: HashMap<i64, PayerGQLType>,
    pub other_premiums: HashMap<i64, i64>,
}

/// Builds premium nodes, loading what `wants` names in a fixed number of queries. What they refer
/// to is shown as the root lists would show it to `caller` (D9): a payer they may not see is
/// null, and so is what the policy refers to outside their locations. (The policy itself is in
/// scope: premiums are listed, and lines show them, only when their policy's family is.)
pub async fn premium_nodes(
    state: &AppState,
    caller: &Principal,
    models: Vec<(premium::Model, Option<i64>)>,
    wants: PremiumWants,
) -> AppResult<Vec<PremiumGQLType>> {
    let conn = &state.db.conn;
    let mut data = PremiumPageData::default();
    if let Some(pw) = wants.policy {
        let ids: Vec<i64> = models.iter().map(|(m, _)| m.policy_id).collect();
        let policies = imis_policy::service::policies_by_ids(conn, &ids).await?;
        for n in policy_nodes(
            state,
            caller,
            policies.into_values().map(|p| (p, None)).collect(),
            pw,
        )
        .await?
        {
            data.policies.insert(n.model.id, n);
        }
    }
    if wants.payer {
        let ids: Vec<i64> = models.iter().filter_map(|(m, _)| m.payer_id).collect();
        let mut payers = service::payers::payers_by_ids(conn, &ids).await?;
        let mut hidden = vec![];
        for p in payers.values() {
            if !service::payers::payer_visible(conn, caller, p.location_id).await? {
                hidden.push(p.id);
            }
        }
        payers.retain(|id, _| !hidden.contains(id));
        for n in payer_nodes(
            state,
            caller,
            payers.into_values().map(|p| (p, None)).collect(),
            PayerWants {
                location: true,
                fundings: false,
            },
        )
        .await?
        {
            data.payers.insert(n.model.id, n);
        }
    }
    if wants.other_premiums {
        let refs: Vec<&premium::Model> = models.iter().map(|(m, _)| m).collect();
        data.other_premiums = service::premiums::other_premiums(conn, &refs).await?;
    }
    let data = Arc::new(data);
    Ok(models
        .into_iter()
        .map(|(model, history_id)| PremiumGQLType {
            model,
            history_id,
            data: data.clone(),
        })
        .collect())
}

/// `PremiumGQLType`: a contribution or one of its versions (D7).
#[derive(Clone)]
pub struct PremiumGQLType {
    pub model: premium::Model,
    pub history_id: Option<i64>,
    pub data: Arc<PremiumPageData>,
}

#[Object(name = "PremiumGQLType")]
impl PremiumGQLType {
    pub async fn id(&self) -> ID {
        match self.history_id {
            Some(h) => global_id("PremiumGQLTypeHistory", h),
            None => global_id("PremiumGQLType", self.model.id),
        }
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        date_time(ctx, self.model.validity_from)
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.validity_to.map(|t| date_time(ctx, t))
    }
    /// For a version: the id of the current premium.
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.model.id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn policy(&self, ctx: &Context<'_>) -> Result<Option<PolicyGQLType>> {
        if let Some(p) = self.data.policies.get(&self.model.policy_id) {
            return Ok(Some(p.clone()));
        }
        let st = state(ctx);
        let lang = imis_core::graphql::lang(ctx);
        let load = async {
            let caller = require_user(principal(ctx), Requirement::Authenticated)?;
            let found =
                imis_policy::service::policies_by_ids(&st.db.conn, &[self.model.policy_id]).await?;
            let Some(pol) = found.into_values().next() else {
                return Ok(None);
            };
            Ok::<_, imis_core::AppError>(
                policy_nodes(
                    st,
                    caller,
                    vec![(pol, None)],
                    PolicyWants::of(ctx.look_ahead()),
                )
                .await?
                .pop(),
            )
        };
        load.await.map_err(|e| e.to_gql(&lang))
    }
    /// Null when the caller may not see the payer (D9).
    async fn payer(&self) -> Option<&PayerGQLType> {
        self.model.payer_id.and_then(|p| self.data.payers.get(&p))
    }
    async fn amount(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.model.amount)
    }
    async fn receipt(&self) -> &str {
        &self.model.receipt
    }
    async fn pay_date(&self) -> Date {
        Date(self.model.pay_date)
    }
    /// `C` cash, `B` bank transfer, `M` mobile phone, `F` funding.
    async fn pay_type(&self) -> &str {
        &self.model.pay_type
    }
    async fn is_photo_fee(&self) -> bool {
        self.model.is_photo_fee
    }
    async fn is_offline(&self) -> bool {
        self.model.is_offline
    }
    async fn reporting_id(&self) -> Option<i64> {
        self.model.reporting_id
    }
    async fn reporting_commission_id(&self) -> Option<i64> {
        self.model.reporting_commission_id
    }
    async fn overview_commission_report(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model
            .overview_commission_report
            .map(|t| date_time(ctx, t))
    }
    async fn all_details_commission_report(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model
            .all_details_commission_report
            .map(|t| date_time(ctx, t))
    }
    async fn source(&self) -> Option<&str> {
        self.model.source.as_deref()
    }
    async fn source_version(&self) -> Option<&str> {
        self.model.source_version.as_deref()
    }
    async fn created_date(&self, ctx: &Context<'_>) -> DateTime {
        date_time(ctx, self.model.created_date)
    }
    /// Mutations run synchronously: never pending.
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
    /// Σ of the policy's other valid contributions that are not photo fees.
    async fn other_premiums(&self, ctx: &Context<'_>) -> Result<Decimal> {
        let v = match self.data.other_premiums.get(&self.model.id) {
            Some(v) => *v,
            None => {
                let st = state(ctx);
                service::premiums::other_premiums(&st.db.conn, &[&self.model])
                    .await
                    .map_err(|e| e.to_gql(&imis_core::graphql::lang(ctx)))?
                    .remove(&self.model.id)
                    .unwrap_or(0)
            }
        };
        Ok(money(ctx, v))
    }
}

// ---------------------------------------------------------------------------------------------
// Payers and fundings
// ---------------------------------------------------------------------------------------------

/// `PayerType`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "PayerType")]
pub enum PayerType {
    #[graphql(name = "C")]
    C,
    #[graphql(name = "D")]
    D,
    #[graphql(name = "G")]
    G,
    #[graphql(name = "L")]
    L,
    #[graphql(name = "O")]
    O,
    #[graphql(name = "P")]
    P,
}

impl PayerType {
    fn of(code: &str) -> PayerType {
        match code {
            "C" => PayerType::C,
            "D" => PayerType::D,
            "G" => PayerType::G,
            "L" => PayerType::L,
            "P" => PayerType::P,
            _ => PayerType::O,
        }
    }
}

/// `FundingStatus`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "FundingStatus")]
pub enum FundingStatus {
    #[graphql(name = "N")]
    N,
    #[graphql(name = "P")]
    P,
    #[graphql(name = "A")]
    A,
    #[graphql(name = "R")]
    R,
}

impl FundingStatus {
    pub fn code(self) -> &'static str {
        match self {
            FundingStatus::N => "N",
            FundingStatus::P => "P",
            FundingStatus::A => "A",
            FundingStatus::R => "R",
        }
    }
    fn of(code: &str) -> FundingStatus {
        match code {
            "N" => FundingStatus::N,
            "A" => FundingStatus::A,
            "R" => FundingStatus::R,
            _ => FundingStatus::P,
        }
    }
}

/// What to load for a page of payers.
#[derive(Debug, Clone, Copy, Default)]
pub struct PayerWants {
    pub location: bool,
    pub fundings: bool,
}

impl PayerWants {
    pub fn of(node: async_graphql::Lookahead<'_>) -> Self {
        PayerWants {
            location: node.field("location").exists(),
            fundings: node.field("fundings").exists(),
        }
    }
}

#[derive(Default)]
pub struct PayerPageData {
    pub locations: HashMap<i64, LocationGQLType>,
    /// Current fundings by payer, newest pay date first (loaded when `fundings` is selected).
    pub fundings: Option<HashMap<i64, Vec<FundingGQLType>>>,
}

/// Builds payer nodes, loading what `wants` names in a fixed number of queries; their fundings'
/// products are shown as `products` would show them to `caller` (D9).
pub async fn payer_nodes(
    state: &AppState,
    caller: &Principal,
    models: Vec<(payer::Model, Option<i64>)>,
    wants: PayerWants,
) -> AppResult<Vec<PayerGQLType>> {
    let conn = &state.db.conn;
    let mut data = PayerPageData::default();
    if wants.location || wants.fundings {
        let ids: Vec<i64> = models.iter().map(|(m, _)| m.location_id).collect();
        data.locations = location_nodes(conn, &ids).await?;
    }
    if wants.fundings {
        let mut ids: Vec<i64> = models.iter().map(|(m, _)| m.id).collect();
        ids.sort_unstable();
        ids.dedup();
        let rows = funding::Entity::find()
            .filter(funding::Column::PayerId.is_in(ids))
            .filter(funding::Column::ValidityTo.is_null())
            .order_by_desc(funding::Column::PayDate)
            .order_by_desc(funding::Column::Id)
            .all(conn)
            .await?;
        // The fundings' payer field shows these payers (without their fundings).
        let plain = Arc::new(PayerPageData {
            locations: data.locations.clone(),
            fundings: None,
        });
        let payers: HashMap<i64, PayerGQLType> = models
            .iter()
            .filter(|(_, h)| h.is_none())
            .map(|(m, _)| {
                (
                    m.id,
                    PayerGQLType {
                        model: m.clone(),
                        history_id: None,
                        data: plain.clone(),
                    },
                )
            })
            .collect();
        let nodes = Box::pin(funding_nodes_with(state, caller, rows, Some(payers), true)).await?;
        let mut by_payer: HashMap<i64, Vec<FundingGQLType>> = HashMap::new();
        for n in nodes {
            by_payer.entry(n.model.payer_id).or_default().push(n);
        }
        data.fundings = Some(by_payer);
    }
    let data = Arc::new(data);
    Ok(models
        .into_iter()
        .map(|(model, history_id)| PayerGQLType {
            model,
            history_id,
            data: data.clone(),
        })
        .collect())
}

/// `PayerGQLType`: a payer or one of its versions (D7).
#[derive(Clone)]
pub struct PayerGQLType {
    pub model: payer::Model,
    pub history_id: Option<i64>,
    pub data: Arc<PayerPageData>,
}

#[Object(name = "PayerGQLType")]
impl PayerGQLType {
    pub async fn id(&self) -> ID {
        match self.history_id {
            Some(h) => global_id("PayerGQLTypeHistory", h),
            None => global_id("PayerGQLType", self.model.id),
        }
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        date_time(ctx, self.model.validity_from)
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.validity_to.map(|t| date_time(ctx, t))
    }
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.model.id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    #[graphql(name = "type")]
    async fn payer_type(&self) -> PayerType {
        PayerType::of(&self.model.payer_type)
    }
    async fn name(&self) -> &str {
        &self.model.name
    }
    async fn address(&self) -> Option<&str> {
        self.model.address.as_deref()
    }
    async fn location(&self, ctx: &Context<'_>) -> Result<Option<LocationGQLType>> {
        let l = self.model.location_id;
        if let Some(n) = self.data.locations.get(&l) {
            return Ok(Some(n.clone()));
        }
        Ok(location_nodes(&state(ctx).db.conn, &[l])
            .await
            .map_err(|e| e.to_gql(&imis_core::graphql::lang(ctx)))?
            .remove(&l))
    }
    async fn phone(&self) -> Option<&str> {
        self.model.phone.as_deref()
    }
    async fn fax(&self) -> Option<&str> {
        self.model.fax.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.model.email.as_deref()
    }
    /// The payer's current fundings, newest pay date first.
    async fn fundings(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
    ) -> Result<PayerFundingConnection> {
        let rows = match &self.data.fundings {
            Some(map) => map.get(&self.model.id).cloned().unwrap_or_default(),
            None => {
                let st = state(ctx);
                let lang = imis_core::graphql::lang(ctx);
                let rows = funding::Entity::find()
                    .filter(funding::Column::PayerId.eq(self.model.id))
                    .filter(funding::Column::ValidityTo.is_null())
                    .order_by_desc(funding::Column::PayDate)
                    .order_by_desc(funding::Column::Id)
                    .all(&st.db.conn)
                    .await
                    .map_err(|e| imis_core::AppError::from(e).to_gql(&lang))?;
                let caller = require_user(principal(ctx), Requirement::Authenticated)
                    .map_err(|e| e.to_gql(&lang))?;
                funding_nodes_with(st, caller, rows, None, true)
                    .await
                    .map_err(|e| e.to_gql(&lang))?
            }
        };
        let page = imis_core::graphql::connection::page_in_memory(
            rows,
            &imis_core::graphql::connection::PageArgs {
                first,
                last,
                after,
                before,
                offset: None,
                order_by: None,
            },
            &state(ctx).config.graphql,
        )
        .map_err(|e| e.to_gql(&imis_core::graphql::lang(ctx)))?;
        Ok(page.into_connection(|n| n))
    }
}

#[derive(Default)]
pub struct FundingPageData {
    pub products: HashMap<i64, ProductGQLType>,
    pub payers: HashMap<i64, PayerGQLType>,
}

/// Builds funding nodes with their products (one query) and payers (given, or one query). A
/// product or payer `caller` may not see (D9: a regional payer's funding of another district's
/// product, say) is null.
pub async fn funding_nodes_with(
    state: &AppState,
    caller: &Principal,
    rows: Vec<funding::Model>,
    payers: Option<HashMap<i64, PayerGQLType>>,
    product: bool,
) -> AppResult<Vec<FundingGQLType>> {
    let conn = &state.db.conn;
    let mut data = FundingPageData::default();
    if product {
        let ids: Vec<i64> = rows.iter().map(|r| r.product_id).collect();
        let products = imis_product::service::products_by_ids(conn, &ids).await?;
        for n in product_nodes(
            state,
            products.into_values().map(|p| (p, None)).collect(),
            ProductWants {
                location: true,
                ..Default::default()
            },
        )
        .await?
        {
            if sees_product(conn, caller, n.model.location_id).await? {
                data.products.insert(n.model.id, n);
            }
        }
    }
    data.payers = match payers {
        Some(p) => p,
        None => {
            let ids: Vec<i64> = rows.iter().map(|r| r.payer_id).collect();
            let mut models = service::payers::payers_by_ids(conn, &ids).await?;
            let mut hidden = vec![];
            for p in models.values() {
                if !service::payers::payer_visible(conn, caller, p.location_id).await? {
                    hidden.push(p.id);
                }
            }
            models.retain(|id, _| !hidden.contains(id));
            payer_nodes(
                state,
                caller,
                models.into_values().map(|p| (p, None)).collect(),
                PayerWants {
                    location: true,
                    fundings: false,
                },
            )
            .await?
            .into_iter()
            .map(|n| (n.model.id, n))
            .collect()
        }
    };
    let data = Arc::new(data);
    Ok(rows
        .into_iter()
        .map(|model| FundingGQLType {
            model,
            data: data.clone(),
        })
        .collect())
}

/// `FundingGQLType`: money a payer gave to a product.
#[derive(Clone)]
pub struct FundingGQLType {
    pub model: funding::Model,
    pub data: Arc<FundingPageData>,
}

#[Object(name = "FundingGQLType")]
impl FundingGQLType {
    pub async fn id(&self) -> ID {
        global_id("FundingGQLType", self.model.id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn is_deleted(&self) -> bool {
        self.model.validity_to.is_some()
    }
    async fn json_ext(&self) -> Option<JsonString> {
        self.model
            .json_ext
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .map(JsonString)
    }
    async fn date_created(&self, ctx: &Context<'_>) -> DateTime {
        date_time(ctx, self.model.created_at)
    }
    async fn date_updated(&self, ctx: &Context<'_>) -> DateTime {
        date_time(ctx, self.model.validity_from)
    }
    async fn version(&self) -> i32 {
        self.model.version
    }
    /// Null when the caller may not see the product (D9).
    async fn product(&self) -> Option<&ProductGQLType> {
        self.data.products.get(&self.model.product_id)
    }
    async fn amount(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.model.amount)
    }
    async fn pay_date(&self) -> Date {
        Date(self.model.pay_date)
    }
    async fn status(&self) -> FundingStatus {
        FundingStatus::of(&self.model.status)
    }
    async fn payer(&self) -> Option<&PayerGQLType> {
        self.data.payers.get(&self.model.payer_id)
    }
    async fn receipt(&self) -> &str {
        &self.model.receipt
    }
}

// ---------------------------------------------------------------------------------------------
// Payments
// ---------------------------------------------------------------------------------------------

/// What to load for a page of payments.
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentWants {
    pub details: Option<PremiumWantsOfDetail>,
}

/// What detail lines load: their premium (and what the premium loads).
#[derive(Debug, Clone, Copy, Default)]
pub struct PremiumWantsOfDetail {
    pub premium: Option<PremiumWants>,
    pub payment: bool,
}

impl PremiumWantsOfDetail {
    pub fn of(node: async_graphql::Lookahead<'_>) -> Self {
        let premium = node.field("premium");
        PremiumWantsOfDetail {
            premium: premium.exists().then(|| PremiumWants::of(premium)),
            payment: node.field("payment").exists(),
        }
    }
}

impl PaymentWants {
    pub fn of(node: async_graphql::Lookahead<'_>) -> Self {
        let details = node.field("paymentDetails");
        PaymentWants {
            details: details
                .exists()
                .then(|| PremiumWantsOfDetail::of(details.field("edges").field("node"))),
        }
    }
}

#[derive(Default)]
pub struct PaymentPageData {
    /// Current detail lines by payment (loaded when `paymentDetails` is selected).
    pub details: Option<HashMap<i64, Vec<PaymentDetailGQLType>>>,
}

/// The detail lines `caller` may see (D9): all for an unrestricted caller, else the lines of
/// premiums in their scope (lines without a premium are hidden).
pub async fn visible_lines(
    state: &AppState,
    caller: &Principal,
    rows: Vec<payment_detail::Model>,
) -> AppResult<Vec<payment_detail::Model>> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.premium_id).collect();
    Ok(
        match service::premiums_in_scope(&state.db.conn, caller, &ids).await? {
            None => rows,
            Some(visible) => rows
                .into_iter()
                .filter(|r| r.premium_id.is_some_and(|p| visible.contains(&p)))
                .collect(),
        },
    )
}

/// Builds payment nodes, loading their detail lines (and premiums) when selected; the lines and
/// premiums are those `caller` may see (D9).
pub async fn payment_nodes(
    state: &AppState,
    caller: &Principal,
    models: Vec<(payment::Model, Option<i64>)>,
    wants: PaymentWants,
) -> AppResult<Vec<PaymentGQLType>> {
    let conn = &state.db.conn;
    let mut data = PaymentPageData::default();
    if let Some(dw) = wants.details {
        let ids: Vec<i64> = models.iter().map(|(m, _)| m.id).collect();
        let rows: Vec<payment_detail::Model> = service::payments::details_of(conn, &ids)
            .await?
            .into_values()
            .flatten()
            .collect();
        let rows = visible_lines(state, caller, rows).await?;
        let plain = Arc::new(PaymentPageData::default());
        let parents: HashMap<i64, PaymentGQLType> = models
            .iter()
            .filter(|(_, h)| h.is_none())
            .map(|(m, _)| {
                (
                    m.id,
                    PaymentGQLType {
                        model: m.clone(),
                        history_id: None,
                        data: plain.clone(),
                    },
                )
            })
            .collect();
        let nodes = Box::pin(detail_nodes(
            state,
            caller,
            rows.into_iter().map(|r| (r, None)).collect(),
            dw,
            Some(parents),
        ))
        .await?;
        let mut by_payment: HashMap<i64, Vec<PaymentDetailGQLType>> = HashMap::new();
        for n in nodes {
            by_payment.entry(n.model.payment_id).or_default().push(n);
        }
        for l in by_payment.values_mut() {
            l.sort_by_key(|n| n.model.id);
        }
        data.details = Some(by_payment);
    }
    let data = Arc::new(data);
    Ok(models
        .into_iter()
        .map(|(model, history_id)| PaymentGQLType {
            model,
            history_id,
            data: data.clone(),
        })
        .collect())
}

/// `PaymentGQLType` (openIMIS payment module): a received payment or one of its versions.
#[derive(Clone)]
pub struct PaymentGQLType {
    pub model: payment::Model,
    pub history_id: Option<i64>,
    pub data: Arc<PaymentPageData>,
}

#[Object(name = "PaymentGQLType")]
impl PaymentGQLType {
    pub async fn id(&self) -> ID {
        match self.history_id {
            Some(h) => global_id("PaymentGQLTypeHistory", h),
            None => global_id("PaymentGQLType", self.model.id),
        }
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        date_time(ctx, self.model.validity_from)
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.validity_to.map(|t| date_time(ctx, t))
    }
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.model.id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn expected_amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.expected_amount.map(|v| money(ctx, v))
    }
    async fn received_amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.received_amount.map(|v| money(ctx, v))
    }
    async fn officer_code(&self) -> Option<&str> {
        self.model.officer_code.as_deref()
    }
    async fn phone_number(&self) -> Option<&str> {
        self.model.phone_number.as_deref()
    }
    async fn request_date(&self) -> Option<Date> {
        self.model.request_date.map(Date)
    }
    async fn received_date(&self) -> Option<Date> {
        self.model.received_date.map(Date)
    }
    /// 1 created, 2 control number requested, 3 control number received, 4 received, 5 matched;
    /// negative: failures.
    async fn status(&self) -> i32 {
        self.model.status
    }
    async fn transaction_no(&self) -> Option<&str> {
        self.model.transaction_no.as_deref()
    }
    async fn origin(&self) -> Option<&str> {
        self.model.origin.as_deref()
    }
    async fn matched_date(&self) -> Option<Date> {
        self.model.matched_date.map(Date)
    }
    async fn receipt_no(&self) -> Option<&str> {
        self.model.receipt_no.as_deref()
    }
    async fn payment_date(&self) -> Option<Date> {
        self.model.payment_date.map(Date)
    }
    /// The rejection codes of the last matching attempt, per line.
    async fn rejected_reason(&self) -> Option<&str> {
        self.model.rejected_reason.as_deref()
    }
    async fn date_last_sms(&self) -> Option<Date> {
        self.model.date_last_sms.map(Date)
    }
    async fn language_name(&self) -> Option<&str> {
        self.model.language_name.as_deref()
    }
    async fn type_of_payment(&self) -> Option<&str> {
        self.model.type_of_payment.as_deref()
    }
    async fn transfer_fee(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.transfer_fee.map(|v| money(ctx, v))
    }
    async fn reconc_req_id(&self) -> Option<&str> {
        self.model.reconc_req_id.as_deref()
    }
    async fn reconciliation_date(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.reconciliation_date.map(|t| date_time(ctx, t))
    }
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
    /// The payment's current detail lines (a restricted caller: those of premiums in their
    /// locations, D9).
    async fn payment_details(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        last: Option<i32>,
        after: Option<String>,
        before: Option<String>,
    ) -> Result<PaymentDetailConnection> {
        let rows = match &self.data.details {
            Some(map) => map.get(&self.model.id).cloned().unwrap_or_default(),
            None => {
                let st = state(ctx);
                let lang = imis_core::graphql::lang(ctx);
                let load = async {
                    let caller = require_user(principal(ctx), Requirement::Authenticated)?;
                    let rows = service::payments::details_of(&st.db.conn, &[self.model.id])
                        .await?
                        .remove(&self.model.id)
                        .unwrap_or_default();
                    let rows = visible_lines(st, caller, rows).await?;
                    let wants =
                        PremiumWantsOfDetail::of(ctx.look_ahead().field("edges").field("node"));
                    detail_nodes(
                        st,
                        caller,
                        rows.into_iter().map(|r| (r, None)).collect(),
                        wants,
                        None,
                    )
                    .await
                };
                load.await.map_err(|e| e.to_gql(&lang))?
            }
        };
        let page = imis_core::graphql::connection::page_in_memory(
            rows,
            &imis_core::graphql::connection::PageArgs {
                first,
                last,
                after,
                before,
                offset: None,
                order_by: None,
            },
            &state(ctx).config.graphql,
        )
        .map_err(|e| e.to_gql(&imis_core::graphql::lang(ctx)))?;
        Ok(page.into_connection(|n| n))
    }
}

#[derive(Default)]
pub struct DetailPageData {
    pub premiums: HashMap<i64, PremiumGQLType>,
    pub payments: HashMap<i64, PaymentGQLType>,
}

/// Builds detail-line nodes with their premiums and payments (one query each). A line's premium
/// (and through it the policy, family and insurees) is shown only when `caller` may see it (D9):
/// null otherwise.
pub async fn detail_nodes(
    state: &AppState,
    caller: &Principal,
    rows: Vec<(payment_detail::Model, Option<i64>)>,
    wants: PremiumWantsOfDetail,
    parents: Option<HashMap<i64, PaymentGQLType>>,
) -> AppResult<Vec<PaymentDetailGQLType>> {
    let conn = &state.db.conn;
    let mut data = DetailPageData::default();
    if let Some(pw) = wants.premium {
        let mut ids: Vec<i64> = rows.iter().filter_map(|(r, _)| r.premium_id).collect();
        if let Some(visible) = service::premiums_in_scope(conn, caller, &ids).await? {
            ids.retain(|id| visible.contains(id));
        }
        let premiums = service::premiums::premiums_by_ids(conn, &ids).await?;
        for n in premium_nodes(
            state,
            caller,
            premiums.into_values().map(|p| (p, None)).collect(),
            pw,
        )
        .await?
        {
            data.premiums.insert(n.model.id, n);
        }
    }
    data.payments = match parents {
        Some(p) => p,
        None if wants.payment => {
            let mut ids: Vec<i64> = rows.iter().map(|(r, _)| r.payment_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let models = payment::Entity::find()
                .filter(payment::Column::Id.is_in(ids))
                .all(conn)
                .await?;
            payment_nodes(
                state,
                caller,
                models.into_iter().map(|m| (m, None)).collect(),
                PaymentWants::default(),
            )
            .await?
            .into_iter()
            .map(|n| (n.model.id, n))
            .collect()
        }
        None => HashMap::new(),
    };
    let data = Arc::new(data);
    Ok(rows
        .into_iter()
        .map(|(model, history_id)| PaymentDetailGQLType {
            model,
            history_id,
            data: data.clone(),
        })
        .collect())
}

/// `PaymentDetailGQLType`: a line of a payment.
#[derive(Clone)]
pub struct PaymentDetailGQLType {
    pub model: payment_detail::Model,
    pub history_id: Option<i64>,
    pub data: Arc<DetailPageData>,
}

#[Object(name = "PaymentDetailGQLType")]
impl PaymentDetailGQLType {
    pub async fn id(&self) -> ID {
        match self.history_id {
            Some(h) => global_id("PaymentDetailGQLTypeHistory", h),
            None => global_id("PaymentDetailGQLType", self.model.id),
        }
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        date_time(ctx, self.model.validity_from)
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.validity_to.map(|t| date_time(ctx, t))
    }
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.model.id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn payment(&self) -> Option<&PaymentGQLType> {
        self.data.payments.get(&self.model.payment_id)
    }
    async fn product_code(&self) -> Option<&str> {
        self.model.product_code.as_deref()
    }
    async fn insurance_number(&self) -> Option<&str> {
        self.model.insurance_number.as_deref()
    }
    async fn policy_stage(&self) -> Option<&str> {
        self.model.policy_stage.as_deref()
    }
    async fn amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.amount.map(|v| money(ctx, v))
    }
    async fn premium(&self) -> Option<&PremiumGQLType> {
        self.model
            .premium_id
            .and_then(|p| self.data.premiums.get(&p))
    }
    async fn enrollment_date(&self) -> Option<Date> {
        self.model.enrollment_date.map(Date)
    }
    async fn expected_amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.expected_amount.map(|v| money(ctx, v))
    }
}

// ---------------------------------------------------------------------------------------------
// matchPayments results
// ---------------------------------------------------------------------------------------------

/// The rejection codes of one detail line (reference §10.3).
pub struct PaymentDetailRejectionGQLType(pub service::matching::DetailRejection);

#[Object(name = "PaymentDetailRejectionGQLType")]
impl PaymentDetailRejectionGQLType {
    async fn detail_uuid(&self) -> String {
        self.0.detail_uuid.to_string()
    }
    async fn insurance_number(&self) -> Option<&str> {
        self.0.insurance_number.as_deref()
    }
    async fn product_code(&self) -> Option<&str> {
        self.0.product_code.as_deref()
    }
    /// 101 no insurance number, 102 no product code, 103 unknown insurance number, 104 no policy
    /// of that product for the family, 106 product not sellable to the family, 107 unknown
    /// officer, 108 officer's location incompatible with the product, 109 no premium. For an
    /// Active policy (which matching renews) 106–108 also concern the renewal: the product it
    /// converts into, and the policy's officer, today.
    async fn codes(&self) -> &[i32] {
        &self.0.codes
    }
}

/// What `matchPayments` did to one payment.
pub struct PaymentMatchGQLType(pub MatchOutcome);

#[Object(name = "PaymentMatchGQLType")]
impl PaymentMatchGQLType {
    async fn payment_uuid(&self) -> String {
        self.0.payment_uuid.to_string()
    }
    async fn matched(&self) -> bool {
        self.0.matched
    }
    /// The payment's status afterwards (5 when matched).
    async fn status(&self) -> i32 {
        self.0.status
    }
    /// Detail lines with rejection codes (none when matched).
    async fn rejections(&self) -> Vec<PaymentDetailRejectionGQLType> {
        self.0
            .rejections
            .iter()
            .cloned()
            .map(PaymentDetailRejectionGQLType)
            .collect()
    }
    /// Policies that became Active.
    async fn activated_policy_uuids(&self) -> Vec<String> {
        self.0
            .activated_policies
            .iter()
            .map(|u| u.to_string())
            .collect()
    }
    /// Renewal policies created for Active policies.
    async fn renewal_policy_uuids(&self) -> Vec<String> {
        self.0
            .renewal_policies
            .iter()
            .map(|u| u.to_string())
            .collect()
    }
    /// Premiums created for policies that had none.
    async fn premium_uuids(&self) -> Vec<String> {
        self.0
            .premiums_created
            .iter()
            .map(|u| u.to_string())
            .collect()
    }
    /// Received amount not credited to any policy.
    async fn unallocated(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.unallocated)
    }
    /// A policy of the payment lies outside the caller's locations: the payment was not touched.
    async fn out_of_scope(&self) -> bool {
        self.0.out_of_scope
    }
    /// The error code that stopped this payment (its changes were rolled back).
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
}
