//! GraphQL roots of the product module, with openIMIS names (D3). Resolvers convert arguments
//! and call [`crate::service`], which checks rights and scope. Locations, conversion products,
//! lines and relative prices of a page of products are loaded once per page (no N+1).

use crate::entity::{product, relative_distribution};
use crate::service::{
    self, LineInput, LineKind, ProductFilter, ProductInput, ProductLine, RelativePriceInput,
};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::graphql::connection::{Page, PageArgs, fetch_page, wants_total};
use imis_core::graphql::scalars::{Date, DateTime};
use imis_core::graphql::{
    GqlResult, MutationEnvelopeInput, decode_global_id, global_id, parse_uuid, principal,
    run_mutation, state,
};
use imis_core::location::graphql::{LocationGQLType, location_nodes};
use imis_core::money::Money;
use imis_core::{AppError, AppResult, AppState};
use imis_medical::graphql::{ItemGQLType, ServiceGQLType, item_nodes, service_nodes};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

imis_core::connection_type!(
    ProductConnection,
    ProductConnName,
    ProductEdgeName,
    ProductGQLType,
    "ProductGQLType"
);
imis_core::connection_type!(
    ProductItemConnection,
    ProductItemConnName,
    ProductItemEdgeName,
    ProductItemGQLType,
    "ProductItemGQLType"
);
imis_core::connection_type!(
    ProductServiceConnection,
    ProductServiceConnName,
    ProductServiceEdgeName,
    ProductServiceGQLType,
    "ProductServiceGQLType"
);

// ---------------------------------------------------------------------------------------------
// Enums (openIMIS names and values)
// ---------------------------------------------------------------------------------------------

/// `CeilingTypeEnum`: `I` insuree, `T` treatment, `P` policy.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "CeilingTypeEnum")]
pub enum CeilingTypeEnum {
    Treatment,
    Policy,
    Insuree,
}

impl CeilingTypeEnum {
    fn code(self) -> &'static str {
        match self {
            Self::Treatment => "T",
            Self::Policy => "P",
            Self::Insuree => "I",
        }
    }
    fn of(code: &str) -> Option<Self> {
        match code {
            "T" => Some(Self::Treatment),
            "P" => Some(Self::Policy),
            "I" => Some(Self::Insuree),
            _ => None,
        }
    }
}

/// `CeilingInterpretationEnum`: `I` by claim type, `H` by health-facility type.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "CeilingInterpretationEnum")]
pub enum CeilingInterpretationEnum {
    ClaimType,
    HealthFacilityType,
}

impl CeilingInterpretationEnum {
    fn code(self) -> &'static str {
        match self {
            Self::ClaimType => "I",
            Self::HealthFacilityType => "H",
        }
    }
    fn of(code: &str) -> Option<Self> {
        match code {
            "I" => Some(Self::ClaimType),
            "H" => Some(Self::HealthFacilityType),
            _ => None,
        }
    }
}

/// `CareTypeEnum`: `I`, `O`, `B`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "CareTypeEnum")]
pub enum CareTypeEnum {
    InPatient,
    OutPatient,
    Both,
}

impl CareTypeEnum {
    fn code(self) -> &'static str {
        match self {
            Self::InPatient => "I",
            Self::OutPatient => "O",
            Self::Both => "B",
        }
    }
    fn of(code: &str) -> Self {
        match code {
            "I" => Self::InPatient,
            "O" => Self::OutPatient,
            _ => Self::Both,
        }
    }
}

/// `PriceOriginEnum`: `P` price list, `O` provider, `R` relative.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "PriceOriginEnum")]
pub enum PriceOriginEnum {
    Pricelist,
    Provider,
    Relative,
}

impl PriceOriginEnum {
    fn code(self) -> &'static str {
        match self {
            Self::Pricelist => "P",
            Self::Provider => "O",
            Self::Relative => "R",
        }
    }
    fn of(code: &str) -> Option<Self> {
        match code {
            "P" => Some(Self::Pricelist),
            "O" => Some(Self::Provider),
            "R" => Some(Self::Relative),
            _ => None,
        }
    }
}

/// `LimitTypeEnum`: `C` co-insurance, `F` fixed amount.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "LimitTypeEnum")]
pub enum LimitTypeEnum {
    CoInsurance,
    FixedAmount,
}

impl LimitTypeEnum {
    fn code(self) -> &'static str {
        match self {
            Self::CoInsurance => "C",
            Self::FixedAmount => "F",
        }
    }
    fn of(code: &str) -> Option<Self> {
        match code {
            "C" => Some(Self::CoInsurance),
            "F" => Some(Self::FixedAmount),
            _ => None,
        }
    }
}

/// `CeilingExclusionEnum`: `H` hospital, `N` non-hospital, `B` both.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "CeilingExclusionEnum")]
pub enum CeilingExclusionEnum {
    Hospital,
    NonHospital,
    Both,
}

impl CeilingExclusionEnum {
    fn code(self) -> &'static str {
        match self {
            Self::Hospital => "H",
            Self::NonHospital => "N",
            Self::Both => "B",
        }
    }
    fn of(code: &str) -> Option<Self> {
        match code {
            "H" => Some(Self::Hospital),
            "N" => Some(Self::NonHospital),
            "B" => Some(Self::Both),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Output types
// ---------------------------------------------------------------------------------------------

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
    fn all() -> Self {
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
    pub model: Arc<product::Model>,
    /// Set for a history version: the `core_history` pk.
    pub history_id: Option<i64>,
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

fn cursor_of(i: usize) -> String {
    B64.encode(format!("arrayconnection:{i}"))
}

fn index_of(cursor: &str) -> AppResult<usize> {
    let bad = || AppError::validation("input.invalid_cursor");
    let text = String::from_utf8(B64.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    text.strip_prefix("arrayconnection:")
        .and_then(|n| n.parse().ok())
        .ok_or_else(bad)
}

/// Pages a small in-memory list (the lines of one product) with array cursors.
fn page_in_memory<T>(rows: Vec<T>, args: &PageArgs) -> AppResult<Page<T>> {
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

/// `ProductRelativePricesGQLType`.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "ProductRelativePricesGQLType")]
pub struct ProductRelativePricesGQLType {
    pub care_type: Option<CareTypeEnum>,
    pub periods: Vec<Decimal>,
}

fn tz_date_time(ctx: &Context<'_>, t: chrono::DateTime<chrono::Utc>) -> DateTime {
    DateTime::from_utc(t, state(ctx).clock.tz)
}

fn date_time(d: chrono::NaiveDate) -> DateTime {
    DateTime(d.and_hms_opt(0, 0, 0).expect("midnight"))
}

#[Object(name = "ProductGQLType")]
impl ProductGQLType {
    pub async fn id(&self) -> ID {
        match self.history_id {
            Some(h) => global_id("ProductGQLTypeHistory", h),
            None => global_id("ProductGQLType", self.model.id),
        }
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        tz_date_time(ctx, self.model.validity_from)
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.validity_to.map(|t| tz_date_time(ctx, t))
    }
    /// For a version: the id of the current product.
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.model.id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn code(&self) -> &str {
        &self.model.code
    }
    async fn name(&self) -> &str {
        &self.model.name
    }
    /// Null = national.
    async fn location(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<LocationGQLType>> {
        let Some(l) = self.model.location_id else {
            return Ok(None);
        };
        if let Some(n) = self.page.locations.get(&l) {
            return Ok(Some(n.clone()));
        }
        Ok(location_nodes(&state(ctx).db.conn, &[l])
            .await
            .gql(ctx)?
            .remove(&l))
    }
    async fn date_from(&self) -> DateTime {
        date_time(self.model.date_from)
    }
    async fn date_to(&self) -> DateTime {
        date_time(self.model.date_to)
    }
    /// Null when the caller may not see the product it converts into (D9).
    async fn conversion_product(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ProductGQLType>> {
        let Some(c) = self.model.conversion_product_id else {
            return Ok(None);
        };
        let run = async {
            let conn = &state(ctx).db.conn;
            let found = match self.page.conversions.get(&c) {
                Some(m) => Some(m.clone()),
                None => service::products_by_ids(conn, &[c]).await?.remove(&c),
            };
            let Some(m) = found else { return Ok(None) };
            let caller = require_user(principal(ctx), Requirement::Authenticated)?;
            Ok::<_, AppError>(
                sees_product(conn, caller, m.location_id)
                    .await?
                    .then(|| self.node_of(m)),
            )
        };
        run.await.gql(ctx)
    }
    async fn insurance_period(&self) -> i32 {
        self.model.insurance_period
    }
    async fn administration_period(&self) -> Option<i32> {
        self.model.administration_period
    }
    async fn lump_sum(&self) -> Decimal {
        Money(self.model.lump_sum).to_decimal(self.digits())
    }
    async fn max_members(&self) -> i32 {
        self.model.max_members
    }
    async fn max_installments(&self) -> Option<i32> {
        self.model.max_installments
    }
    async fn threshold(&self) -> Option<i32> {
        self.model.threshold
    }
    async fn recurrence(&self) -> Option<i32> {
        self.model.recurrence
    }
    async fn premium_adult(&self) -> Option<Decimal> {
        self.money(self.model.premium_adult)
    }
    async fn premium_child(&self) -> Option<Decimal> {
        self.money(self.model.premium_child)
    }
    async fn acc_code_premiums(&self) -> Option<&str> {
        self.model.acc_code_premiums.as_deref()
    }
    async fn acc_code_remuneration(&self) -> Option<&str> {
        self.model.acc_code_remuneration.as_deref()
    }
    async fn grace_period_enrolment(&self) -> i32 {
        self.model.grace_period_enrolment
    }
    async fn grace_period_payment(&self) -> Option<i32> {
        self.model.grace_period_payment
    }
    async fn grace_period_renewal(&self) -> Option<i32> {
        self.model.grace_period_renewal
    }
    async fn registration_lump_sum(&self) -> Option<Decimal> {
        self.money(self.model.registration_lump_sum)
    }
    async fn registration_fee(&self) -> Option<Decimal> {
        self.money(self.model.registration_fee)
    }
    async fn general_assembly_lump_sum(&self) -> Option<Decimal> {
        self.money(self.model.general_assembly_lump_sum)
    }
    async fn general_assembly_fee(&self) -> Option<Decimal> {
        self.money(self.model.general_assembly_fee)
    }
    #[graphql(name = "startCycle1")]
    async fn start_cycle_1(&self) -> Option<&str> {
        self.model.start_cycle_1.as_deref()
    }
    #[graphql(name = "startCycle2")]
    async fn start_cycle_2(&self) -> Option<&str> {
        self.model.start_cycle_2.as_deref()
    }
    #[graphql(name = "startCycle3")]
    async fn start_cycle_3(&self) -> Option<&str> {
        self.model.start_cycle_3.as_deref()
    }
    #[graphql(name = "startCycle4")]
    async fn start_cycle_4(&self) -> Option<&str> {
        self.model.start_cycle_4.as_deref()
    }
    async fn max_no_consultation(&self) -> Option<i32> {
        self.model.max_no_consultation
    }
    async fn max_no_surgery(&self) -> Option<i32> {
        self.model.max_no_surgery
    }
    async fn max_no_delivery(&self) -> Option<i32> {
        self.model.max_no_delivery
    }
    async fn max_no_hospitalization(&self) -> Option<i32> {
        self.model.max_no_hospitalization
    }
    async fn max_no_visits(&self) -> Option<i32> {
        self.model.max_no_visits
    }
    async fn max_no_antenatal(&self) -> Option<i32> {
        self.model.max_no_antenatal
    }
    async fn max_amount_consultation(&self) -> Option<Decimal> {
        self.money(self.model.max_amount_consultation)
    }
    async fn max_amount_surgery(&self) -> Option<Decimal> {
        self.money(self.model.max_amount_surgery)
    }
    async fn max_amount_delivery(&self) -> Option<Decimal> {
        self.money(self.model.max_amount_delivery)
    }
    async fn max_amount_hospitalization(&self) -> Option<Decimal> {
        self.money(self.model.max_amount_hospitalization)
    }
    async fn max_amount_antenatal(&self) -> Option<Decimal> {
        self.money(self.model.max_amount_antenatal)
    }
    async fn renewal_discount_perc(&self) -> Option<i32> {
        self.model.renewal_discount_perc
    }
    async fn renewal_discount_period(&self) -> Option<i32> {
        self.model.renewal_discount_period
    }
    async fn enrolment_discount_perc(&self) -> Option<i32> {
        self.model.enrolment_discount_perc
    }
    async fn enrolment_discount_period(&self) -> Option<i32> {
        self.model.enrolment_discount_period
    }
    async fn share_contribution(&self) -> Option<Decimal> {
        self.model.share_contribution.map(|v| Decimal::new(v, 2))
    }
    async fn max_policy_extra_member(&self) -> Option<Decimal> {
        self.money(self.model.max_policy_extra_member)
    }
    async fn max_policy_extra_member_ip(&self) -> Option<Decimal> {
        self.money(self.model.max_policy_extra_member_ip)
    }
    async fn max_policy_extra_member_op(&self) -> Option<Decimal> {
        self.money(self.model.max_policy_extra_member_op)
    }
    async fn max_ceiling_policy(&self) -> Option<Decimal> {
        self.money(self.model.max_ceiling_policy)
    }
    async fn max_ceiling_policy_ip(&self) -> Option<Decimal> {
        self.money(self.model.max_ceiling_policy_ip)
    }
    async fn max_ceiling_policy_op(&self) -> Option<Decimal> {
        self.money(self.model.max_ceiling_policy_op)
    }
    async fn ceiling_type(&self) -> Option<CeilingTypeEnum> {
        self.model
            .ceiling_type
            .as_deref()
            .and_then(CeilingTypeEnum::of)
    }
    async fn ceiling_interpretation(&self) -> Option<CeilingInterpretationEnum> {
        self.model
            .ceiling_interpretation
            .as_deref()
            .and_then(CeilingInterpretationEnum::of)
    }
    /// Stored and exposed only (D14).
    async fn age_minimal(&self) -> Option<i32> {
        self.model.age_minimal
    }
    /// Stored and exposed only (D14).
    async fn age_maximal(&self) -> Option<i32> {
        self.model.age_maximal
    }
    async fn deductible(&self) -> Option<Decimal> {
        self.money(self.ded_max().0[0])
    }
    async fn deductible_ip(&self) -> Option<Decimal> {
        self.money(self.ded_max().0[1])
    }
    async fn deductible_op(&self) -> Option<Decimal> {
        self.money(self.ded_max().0[2])
    }
    async fn ceiling(&self) -> Option<Decimal> {
        self.money(self.ded_max().1[0])
    }
    async fn ceiling_ip(&self) -> Option<Decimal> {
        self.money(self.ded_max().1[1])
    }
    async fn ceiling_op(&self) -> Option<Decimal> {
        self.money(self.ded_max().1[2])
    }
    /// Relative price distribution, one entry per care type.
    async fn relative_prices(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ProductRelativePricesGQLType>> {
        let at = self.lines_at();
        let rows = match &self.page.relative {
            Some(map) => map.get(&self.model.id).cloned().unwrap_or_default(),
            None => service::relative_distributions_of(
                &state(ctx).db.conn,
                &[self.model.id],
                at.is_some(),
            )
            .await
            .gql(ctx)?
            .remove(&self.model.id)
            .unwrap_or_default(),
        };
        let mut out: Vec<ProductRelativePricesGQLType> = vec![];
        for r in rows
            .iter()
            .filter(|r| service::valid_at(r.validity_from, r.validity_to, at))
        {
            let care = CareTypeEnum::of(&r.care_type);
            let pct = Decimal::new(r.percent, 2);
            match out.iter_mut().find(|o| o.care_type == Some(care)) {
                Some(o) => o.periods.push(pct),
                None => out.push(ProductRelativePricesGQLType {
                    care_type: Some(care),
                    periods: vec![pct],
                }),
            }
        }
        Ok(out)
    }
    #[allow(clippy::too_many_arguments)]
    async fn items(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
    ) -> async_graphql::Result<ProductItemConnection> {
        let run = async {
            let mut rows = self.lines(ctx, LineKind::Item).await?;
            if let Some(id) = &id {
                let pk = imis_core::graphql::parse_pk(id, "ProductItemGQLType")?;
                rows.retain(|l| l.id == pk);
            }
            let known = &self.page.item_nodes;
            let missing: Vec<i64> = rows
                .iter()
                .map(|l| l.medical_id)
                .filter(|id| !known.contains_key(id))
                .collect();
            let extra = item_nodes(&state(ctx).db.conn, &missing).await?;
            let page = page_in_memory(
                rows,
                &PageArgs {
                    first,
                    last,
                    after,
                    before,
                    offset,
                    order_by: None,
                },
            )?;
            Ok::<_, AppError>(page.into_connection(|line| {
                ProductItemGQLType {
                    medical: known
                        .get(&line.medical_id)
                        .or(extra.get(&line.medical_id))
                        .cloned(),
                    line,
                    product: self.clone(),
                }
            }))
        };
        run.await.gql(ctx)
    }
    #[allow(clippy::too_many_arguments)]
    async fn services(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
    ) -> async_graphql::Result<ProductServiceConnection> {
        let run = async {
            let mut rows = self.lines(ctx, LineKind::Service).await?;
            if let Some(id) = &id {
                let pk = imis_core::graphql::parse_pk(id, "ProductServiceGQLType")?;
                rows.retain(|l| l.id == pk);
            }
            let known = &self.page.service_nodes;
            let missing: Vec<i64> = rows
                .iter()
                .map(|l| l.medical_id)
                .filter(|id| !known.contains_key(id))
                .collect();
            let extra = service_nodes(&state(ctx).db.conn, &missing).await?;
            let page = page_in_memory(
                rows,
                &PageArgs {
                    first,
                    last,
                    after,
                    before,
                    offset,
                    order_by: None,
                },
            )?;
            Ok::<_, AppError>(page.into_connection(|line| {
                ProductServiceGQLType {
                    medical: known
                        .get(&line.medical_id)
                        .or(extra.get(&line.medical_id))
                        .cloned(),
                    line,
                    product: self.clone(),
                }
            }))
        };
        run.await.gql(ctx)
    }
}

/// `ProductItemGQLType`: a medical item covered by a product.
#[derive(Clone)]
pub struct ProductItemGQLType {
    pub line: ProductLine,
    pub product: ProductGQLType,
    /// The item (any validity), loaded with the page.
    pub medical: Option<ItemGQLType>,
}

/// `ProductServiceGQLType`: a medical service covered by a product.
#[derive(Clone)]
pub struct ProductServiceGQLType {
    pub line: ProductLine,
    pub product: ProductGQLType,
    /// The service (any validity), loaded with the page.
    pub medical: Option<ServiceGQLType>,
}

macro_rules! line_object {
    ($ty:ident, $gql:literal, $field:ident, $medical:ty, $what:literal) => {
        impl $ty {
            fn limit(&self, t: Option<&str>, v: Option<i64>) -> Option<Decimal> {
                v.map(|v| service::limit_decimal(t, v, self.product.digits()))
            }
        }

        #[Object(name = $gql)]
        impl $ty {
            async fn id(&self) -> ID {
                global_id($gql, self.line.id)
            }
            async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
                tz_date_time(ctx, self.line.validity_from)
            }
            async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
                self.line.validity_to.map(|t| tz_date_time(ctx, t))
            }
            async fn legacy_id(&self) -> Option<i64> {
                None
            }
            async fn audit_user_id(&self) -> Option<i64> {
                self.line.audit_user_id
            }
            async fn product(&self) -> &ProductGQLType {
                &self.product
            }
            async fn $field(&self, ctx: &Context<'_>) -> async_graphql::Result<&$medical> {
                self.medical
                    .as_ref()
                    .ok_or_else(|| AppError::not_found($what))
                    .gql(ctx)
            }
            async fn price_origin(&self) -> Option<PriceOriginEnum> {
                PriceOriginEnum::of(&self.line.price_origin)
            }
            async fn limitation_type(&self) -> Option<LimitTypeEnum> {
                LimitTypeEnum::of(&self.line.limitation_type)
            }
            #[graphql(name = "limitationTypeR")]
            async fn limitation_type_r(&self) -> Option<LimitTypeEnum> {
                self.line
                    .limitation_type_r
                    .as_deref()
                    .and_then(LimitTypeEnum::of)
            }
            #[graphql(name = "limitationTypeE")]
            async fn limitation_type_e(&self) -> Option<LimitTypeEnum> {
                self.line
                    .limitation_type_e
                    .as_deref()
                    .and_then(LimitTypeEnum::of)
            }
            async fn waiting_period_adult(&self) -> Option<i32> {
                self.line.waiting_period_adult
            }
            async fn waiting_period_child(&self) -> Option<i32> {
                self.line.waiting_period_child
            }
            async fn limit_no_adult(&self) -> Option<i32> {
                self.line.limit_no_adult
            }
            async fn limit_no_child(&self) -> Option<i32> {
                self.line.limit_no_child
            }
            async fn limit_adult(&self) -> Option<Decimal> {
                self.limit(Some(&self.line.limitation_type), self.line.limit_adult)
            }
            async fn limit_child(&self) -> Option<Decimal> {
                self.limit(Some(&self.line.limitation_type), self.line.limit_child)
            }
            #[graphql(name = "limitAdultR")]
            async fn limit_adult_r(&self) -> Option<Decimal> {
                self.limit(
                    self.line.limitation_type_r.as_deref(),
                    self.line.limit_adult_r,
                )
            }
            #[graphql(name = "limitChildR")]
            async fn limit_child_r(&self) -> Option<Decimal> {
                self.limit(
                    self.line.limitation_type_r.as_deref(),
                    self.line.limit_child_r,
                )
            }
            #[graphql(name = "limitAdultE")]
            async fn limit_adult_e(&self) -> Option<Decimal> {
                self.limit(
                    self.line.limitation_type_e.as_deref(),
                    self.line.limit_adult_e,
                )
            }
            #[graphql(name = "limitChildE")]
            async fn limit_child_e(&self) -> Option<Decimal> {
                self.limit(
                    self.line.limitation_type_e.as_deref(),
                    self.line.limit_child_e,
                )
            }
            async fn ceiling_exclusion_adult(&self) -> Option<CeilingExclusionEnum> {
                self.line
                    .ceiling_exclusion_adult
                    .as_deref()
                    .and_then(CeilingExclusionEnum::of)
            }
            async fn ceiling_exclusion_child(&self) -> Option<CeilingExclusionEnum> {
                self.line
                    .ceiling_exclusion_child
                    .as_deref()
                    .and_then(CeilingExclusionEnum::of)
            }
        }
    };
}
line_object!(
    ProductItemGQLType,
    "ProductItemGQLType",
    item,
    ItemGQLType,
    "item"
);
line_object!(
    ProductServiceGQLType,
    "ProductServiceGQLType",
    service,
    ServiceGQLType,
    "service"
);

/// `PageDisplayRulesGQLType`.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "PageDisplayRulesGQLType")]
pub struct PageDisplayRulesGQLType {
    pub min_limit_value: Option<Decimal>,
    pub max_limit_value: Option<Decimal>,
}

/// `ProductItemOrServiceDefaultValuesGQLType`.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "ProductItemOrServiceDefaultValuesGQLType")]
pub struct ProductItemOrServiceDefaultValuesGQLType {
    pub default_price_origin: Option<String>,
    pub default_limit: Option<String>,
    pub default_limit_co_insurance_value: Option<i32>,
    pub default_limit_fixed_value: Option<i32>,
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

const PRODUCT_SORT: [(&str, product::Column); 2] = [
    ("code", product::Column::Code),
    ("name", product::Column::Name),
];

fn check_list(ctx: &Context<'_>) -> async_graphql::Result<()> {
    if let Some(p) = principal(ctx) {
        p.check_csrf().gql(ctx)?;
    }
    Ok(())
}

fn node_wants(ctx: &Context<'_>, field: &str) -> bool {
    ctx.look_ahead()
        .field("edges")
        .field("node")
        .field(field)
        .exists()
}

fn opt_uuid(v: &Option<String>, field: &str) -> AppResult<Option<Uuid>> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_uuid(s, field))
        .transpose()
}

/// The pk of a `ProductGQLType` global id or of a raw integer id (not of a version).
fn product_pk(id: &str) -> AppResult<i64> {
    let bad = || AppError::validation("input.invalid_id").with("id", id);
    if let Ok(pk) = id.parse::<i64>() {
        return Ok(pk);
    }
    match decode_global_id(id)? {
        (t, key) if t == "ProductGQLType" => key.parse().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

fn date_of(v: Option<DateTime>) -> Option<chrono::NaiveDate> {
    v.map(|d| d.0.date())
}

#[derive(Default)]
pub struct ProductQuery;

#[Object]
impl ProductQuery {
    /// Products the caller may see. `location` (a location id) returns national products plus
    /// those of that location and of all its ancestors; with `dateFrom_Lte` and `dateTo_Gte` set
    /// to an enrolment date, the products sellable to a family of that location on that date.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        location: Option<i32>,
        #[graphql(name = "showHistory")] show_history: Option<bool>,
        search: Option<String>,
        #[graphql(name = "orderBy")] order_by: Option<Vec<String>>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        id: Option<ID>,
        uuid: Option<String>,
        code: Option<String>,
        #[graphql(name = "code_Icontains")] code_icontains: Option<String>,
        #[graphql(name = "code_Istartswith")] code_istartswith: Option<String>,
        name: Option<String>,
        #[graphql(name = "name_Icontains")] name_icontains: Option<String>,
        #[graphql(name = "name_Istartswith")] name_istartswith: Option<String>,
        #[graphql(name = "dateFrom")] date_from: Option<DateTime>,
        #[graphql(name = "dateFrom_Gt")] date_from_gt: Option<DateTime>,
        #[graphql(name = "dateFrom_Gte")] date_from_gte: Option<DateTime>,
        #[graphql(name = "dateFrom_Lt")] date_from_lt: Option<DateTime>,
        #[graphql(name = "dateFrom_Lte")] date_from_lte: Option<DateTime>,
        #[graphql(name = "dateTo")] date_to: Option<DateTime>,
        #[graphql(name = "dateTo_Gt")] date_to_gt: Option<DateTime>,
        #[graphql(name = "dateTo_Gte")] date_to_gte: Option<DateTime>,
        #[graphql(name = "dateTo_Lt")] date_to_lt: Option<DateTime>,
        #[graphql(name = "dateTo_Lte")] date_to_lte: Option<DateTime>,
        #[graphql(name = "location_Isnull")] location_isnull: Option<bool>,
    ) -> async_graphql::Result<ProductConnection> {
        check_list(ctx)?;
        let st = state(ctx);
        let run = async {
            let filter = ProductFilter {
                id: id.as_ref().map(|i| product_pk(i)).transpose()?,
                uuid: opt_uuid(&uuid, "uuid")?,
                code,
                code_icontains,
                code_istartswith,
                name,
                name_icontains,
                name_istartswith,
                date_from: date_of(date_from),
                date_from_gt: date_of(date_from_gt),
                date_from_gte: date_of(date_from_gte),
                date_from_lt: date_of(date_from_lt),
                date_from_lte: date_of(date_from_lte),
                date_to: date_of(date_to),
                date_to_gt: date_of(date_to_gt),
                date_to_gte: date_of(date_to_gte),
                date_to_lt: date_of(date_to_lt),
                date_to_lte: date_of(date_to_lte),
                location: location.map(i64::from),
                location_isnull,
                search,
            };
            let select = service::products_select(st, principal(ctx), &filter).await?;
            let page = fetch_page(
                &st.db.conn,
                select,
                &PageArgs {
                    first,
                    last,
                    after,
                    before,
                    offset,
                    order_by,
                },
                &PRODUCT_SORT,
                product::Column::Id,
                &["code"],
                wants_total(ctx),
                &st.config.graphql,
            )
            .await?;
            let Page {
                rows,
                has_next,
                has_previous,
                total,
            } = page
                .with_versions(
                    &st.db.conn,
                    service::HISTORY_ENTITY,
                    show_history.unwrap_or(false),
                )
                .await?;
            let (cursors, models): (Vec<String>, Vec<_>) = rows.into_iter().unzip();
            let wants = ProductWants {
                location: node_wants(ctx, "location"),
                conversion: node_wants(ctx, "conversionProduct"),
                items: node_wants(ctx, "items"),
                services: node_wants(ctx, "services"),
                relative: node_wants(ctx, "relativePrices"),
            };
            let nodes = product_nodes(st, models, wants).await?;
            Ok::<_, AppError>(
                Page {
                    rows: cursors.into_iter().zip(nodes).collect(),
                    has_next,
                    has_previous,
                    total,
                }
                .into_connection(|n| n),
            )
        };
        run.await.gql(ctx)
    }

    /// One product by global id (also `ProductGQLTypeHistory` ids of versions), integer id or
    /// uuid, with its items and services.
    #[graphql(visible = "visible")]
    pub async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        uuid: Option<String>,
    ) -> async_graphql::Result<Option<ProductGQLType>> {
        let st = state(ctx);
        let run = async {
            let p = principal(ctx);
            let (mut pk, mut history) = (None, None);
            if let Some(id) = &id {
                require_user(p, Requirement::AnyOf(service::PRODUCTS_READ))?;
                match id.parse::<i64>() {
                    Ok(n) => pk = Some(n),
                    Err(_) => {
                        let (t, key) = decode_global_id(id)?;
                        let n = key.parse::<i64>().map_err(|_| {
                            AppError::validation("input.invalid_id").with("id", id.as_str())
                        })?;
                        match t.as_str() {
                            "ProductGQLType" => pk = Some(n),
                            "ProductGQLTypeHistory" => history = Some(n),
                            _ => {
                                return Err(AppError::validation("input.invalid_id")
                                    .with("id", id.as_str()));
                            }
                        }
                    }
                }
            }
            let u = match &uuid {
                Some(s) => {
                    require_user(p, Requirement::AnyOf(service::PRODUCTS_READ))?;
                    opt_uuid(&Some(s.clone()), "uuid")?
                }
                None => None,
            };
            let Some(found) = service::find_product(st, p, pk, u, history).await? else {
                return Ok(None);
            };
            Ok(product_nodes(st, vec![found], ProductWants::all())
                .await?
                .pop())
        };
        run.await.gql(ctx)
    }

    /// True when no current product has this code.
    #[graphql(visible = "visible")]
    async fn validate_product_code(
        &self,
        ctx: &Context<'_>,
        product_code: String,
    ) -> async_graphql::Result<bool> {
        service::validate_product_code(state(ctx), principal(ctx), &product_code)
            .await
            .gql(ctx)
    }

    /// Defaults of a new product line (openIMIS `product/apps.py`).
    #[graphql(visible = "visible")]
    async fn limit_defaults(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<ProductItemOrServiceDefaultValuesGQLType> {
        service::require_login(principal(ctx)).gql(ctx)?;
        Ok(ProductItemOrServiceDefaultValuesGQLType {
            default_price_origin: Some(service::DEFAULT_PRICE_ORIGIN.into()),
            default_limit: Some(service::DEFAULT_LIMIT.into()),
            default_limit_co_insurance_value: Some(service::DEFAULT_LIMIT_CO_INSURANCE_VALUE),
            default_limit_fixed_value: Some(service::DEFAULT_LIMIT_FIXED_VALUE),
        })
    }

    /// Bounds of limit values shown by the product form.
    #[graphql(visible = "visible")]
    async fn page_display_rules(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<PageDisplayRulesGQLType> {
        service::require_login(principal(ctx)).gql(ctx)?;
        Ok(PageDisplayRulesGQLType {
            min_limit_value: Some(Decimal::from(service::MIN_LIMIT_VALUE)),
            max_limit_value: Some(Decimal::from(service::MAX_LIMIT_VALUE)),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

/// `RelativePricesInput`.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "RelativePricesInput")]
#[serde(rename_all = "camelCase")]
pub struct RelativePricesInput {
    pub care_type: Option<CareTypeEnum>,
    pub periods: Vec<Decimal>,
}

macro_rules! line_input {
    ($name:ident, $gql:literal, $uuid:ident, $uuid_gql:literal) => {
        #[derive(InputObject, Debug, Clone, serde::Serialize)]
        #[graphql(name = $gql)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub price_origin: Option<PriceOriginEnum>,
            pub limitation_type: Option<LimitTypeEnum>,
            #[graphql(name = "limitationTypeR")]
            pub limitation_type_r: Option<LimitTypeEnum>,
            #[graphql(name = "limitationTypeE")]
            pub limitation_type_e: Option<LimitTypeEnum>,
            pub waiting_period_adult: Option<i32>,
            pub waiting_period_child: Option<i32>,
            pub limit_no_adult: Option<i32>,
            pub limit_no_child: Option<i32>,
            #[graphql(default_with = "Some(Decimal::ZERO)")]
            pub limit_adult: Option<Decimal>,
            #[graphql(default_with = "Some(Decimal::ZERO)")]
            pub limit_child: Option<Decimal>,
            #[graphql(name = "limitAdultR", default_with = "Some(Decimal::ZERO)")]
            pub limit_adult_r: Option<Decimal>,
            #[graphql(name = "limitChildR", default_with = "Some(Decimal::ZERO)")]
            pub limit_child_r: Option<Decimal>,
            #[graphql(name = "limitAdultE", default_with = "Some(Decimal::ZERO)")]
            pub limit_adult_e: Option<Decimal>,
            #[graphql(name = "limitChildE", default_with = "Some(Decimal::ZERO)")]
            pub limit_child_e: Option<Decimal>,
            pub ceiling_exclusion_adult: Option<CeilingExclusionEnum>,
            pub ceiling_exclusion_child: Option<CeilingExclusionEnum>,
            #[graphql(name = $uuid_gql)]
            pub $uuid: Uuid,
        }

        impl $name {
            fn to_service(&self) -> LineInput {
                LineInput {
                    medical_uuid: self.$uuid,
                    price_origin: self.price_origin.map(|v| v.code().to_string()),
                    limitation_type: self.limitation_type.map(|v| v.code().to_string()),
                    limitation_type_r: self.limitation_type_r.map(|v| v.code().to_string()),
                    limitation_type_e: self.limitation_type_e.map(|v| v.code().to_string()),
                    waiting_period_adult: self.waiting_period_adult,
                    waiting_period_child: self.waiting_period_child,
                    limit_no_adult: self.limit_no_adult,
                    limit_no_child: self.limit_no_child,
                    limit_adult: self.limit_adult,
                    limit_child: self.limit_child,
                    limit_adult_r: self.limit_adult_r,
                    limit_child_r: self.limit_child_r,
                    limit_adult_e: self.limit_adult_e,
                    limit_child_e: self.limit_child_e,
                    ceiling_exclusion_adult: self
                        .ceiling_exclusion_adult
                        .map(|v| v.code().to_string()),
                    ceiling_exclusion_child: self
                        .ceiling_exclusion_child
                        .map(|v| v.code().to_string()),
                }
            }
        }
    };
}
line_input!(ProductItemInput, "ProductItemInput", item_uuid, "itemUuid");
line_input!(
    ProductServiceInput,
    "ProductServiceInput",
    service_uuid,
    "serviceUuid"
);

macro_rules! product_input {
    ($name:ident, $gql:literal, $uuid_ty:ty, $uuid_doc:literal) => {
        #[derive(InputObject, Debug, Clone, serde::Serialize)]
        #[graphql(name = $gql)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[graphql(flatten)]
            #[serde(flatten)]
            pub envelope: MutationEnvelopeInput,
            #[doc = $uuid_doc]
            pub uuid: $uuid_ty,
            pub code: String,
            pub name: String,
            pub date_from: Date,
            pub date_to: Date,
            pub insurance_period: i32,
            pub administration_period: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub max_members: Option<i32>,
            pub max_installments: Option<i32>,
            pub recurrence: Option<i32>,
            pub location_uuid: Option<Uuid>,
            pub conversion_product_uuid: Option<Uuid>,
            pub acc_code_remuneration: Option<String>,
            pub acc_code_premiums: Option<String>,
            #[graphql(default_with = "Some(Decimal::ZERO)")]
            pub lump_sum: Option<Decimal>,
            #[graphql(default_with = "Some(Decimal::ZERO)")]
            pub premium_adult: Option<Decimal>,
            #[graphql(default_with = "Some(Decimal::ZERO)")]
            pub premium_child: Option<Decimal>,
            pub threshold: Option<i32>,
            pub share_contribution: Option<Decimal>,
            #[graphql(default_with = "Some(0)")]
            pub grace_period_renewal: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub grace_period_payment: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub grace_period_enrolment: Option<i32>,
            pub registration_lump_sum: Option<Decimal>,
            pub registration_fee: Option<Decimal>,
            pub general_assembly_lump_sum: Option<Decimal>,
            pub general_assembly_fee: Option<Decimal>,
            #[graphql(name = "startCycle1")]
            pub start_cycle_1: Option<String>,
            #[graphql(name = "startCycle2")]
            pub start_cycle_2: Option<String>,
            #[graphql(name = "startCycle3")]
            pub start_cycle_3: Option<String>,
            #[graphql(name = "startCycle4")]
            pub start_cycle_4: Option<String>,
            #[graphql(default_with = "Some(0)")]
            pub renewal_discount_perc: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub renewal_discount_period: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub enrolment_discount_perc: Option<i32>,
            #[graphql(default_with = "Some(0)")]
            pub enrolment_discount_period: Option<i32>,
            pub ceiling_interpretation: Option<CeilingInterpretationEnum>,
            pub ceiling_type: Option<CeilingTypeEnum>,
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
            pub max_policy_extra_member_op: Option<Decimal>,
            pub max_policy_extra_member_ip: Option<Decimal>,
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
            pub relative_prices: Option<Vec<Option<RelativePricesInput>>>,
            pub items: Option<Vec<ProductItemInput>>,
            pub services: Option<Vec<ProductServiceInput>>,
            pub age_minimal: Option<i32>,
            pub age_maximal: Option<i32>,
        }

        impl $name {
            /// The amounts of the product (D3: Decimal, stored in minor units): each must be an
            /// amount of the currency, else `input.invalid` naming its GraphQL field. Signs,
            /// percentages and limits are the service's.
            fn check_amounts(&self, digits: u32) -> AppResult<()> {
                let amounts = [
                    ("lumpSum", self.lump_sum),
                    ("premiumAdult", self.premium_adult),
                    ("premiumChild", self.premium_child),
                    ("registrationLumpSum", self.registration_lump_sum),
                    ("registrationFee", self.registration_fee),
                    ("generalAssemblyLumpSum", self.general_assembly_lump_sum),
                    ("generalAssemblyFee", self.general_assembly_fee),
                    ("deductible", self.deductible),
                    ("deductibleIp", self.deductible_ip),
                    ("deductibleOp", self.deductible_op),
                    ("ceiling", self.ceiling),
                    ("ceilingIp", self.ceiling_ip),
                    ("ceilingOp", self.ceiling_op),
                    ("maxCeilingPolicy", self.max_ceiling_policy),
                    ("maxCeilingPolicyIp", self.max_ceiling_policy_ip),
                    ("maxCeilingPolicyOp", self.max_ceiling_policy_op),
                    ("maxPolicyExtraMember", self.max_policy_extra_member),
                    ("maxPolicyExtraMemberIp", self.max_policy_extra_member_ip),
                    ("maxPolicyExtraMemberOp", self.max_policy_extra_member_op),
                    ("maxAmountConsultation", self.max_amount_consultation),
                    ("maxAmountSurgery", self.max_amount_surgery),
                    ("maxAmountDelivery", self.max_amount_delivery),
                    ("maxAmountHospitalization", self.max_amount_hospitalization),
                    ("maxAmountAntenatal", self.max_amount_antenatal),
                ];
                for (field, v) in amounts {
                    if let Some(d) = v {
                        Money::parse(field, d, digits)?;
                    }
                }
                Ok(())
            }

            fn fields(&self) -> ProductInput {
                ProductInput {
                    uuid: None,
                    code: self.code.clone(),
                    name: self.name.clone(),
                    date_from: self.date_from.0,
                    date_to: self.date_to.0,
                    insurance_period: self.insurance_period,
                    administration_period: self.administration_period,
                    max_members: self.max_members,
                    max_installments: self.max_installments,
                    recurrence: self.recurrence,
                    location_uuid: self.location_uuid,
                    conversion_product_uuid: self.conversion_product_uuid,
                    acc_code_remuneration: self.acc_code_remuneration.clone(),
                    acc_code_premiums: self.acc_code_premiums.clone(),
                    lump_sum: self.lump_sum,
                    premium_adult: self.premium_adult,
                    premium_child: self.premium_child,
                    threshold: self.threshold,
                    share_contribution: self.share_contribution,
                    grace_period_renewal: self.grace_period_renewal,
                    grace_period_payment: self.grace_period_payment,
                    grace_period_enrolment: self.grace_period_enrolment,
                    registration_lump_sum: self.registration_lump_sum,
                    registration_fee: self.registration_fee,
                    general_assembly_lump_sum: self.general_assembly_lump_sum,
                    general_assembly_fee: self.general_assembly_fee,
                    start_cycles: [
                        self.start_cycle_1.clone(),
                        self.start_cycle_2.clone(),
                        self.start_cycle_3.clone(),
                        self.start_cycle_4.clone(),
                    ],
                    renewal_discount_perc: self.renewal_discount_perc,
                    renewal_discount_period: self.renewal_discount_period,
                    enrolment_discount_perc: self.enrolment_discount_perc,
                    enrolment_discount_period: self.enrolment_discount_period,
                    ceiling_interpretation: self
                        .ceiling_interpretation
                        .map(|v| v.code().to_string()),
                    ceiling_type: self.ceiling_type.map(|v| v.code().to_string()),
                    deductible: self.deductible,
                    deductible_ip: self.deductible_ip,
                    deductible_op: self.deductible_op,
                    ceiling: self.ceiling,
                    ceiling_ip: self.ceiling_ip,
                    ceiling_op: self.ceiling_op,
                    max_ceiling_policy: self.max_ceiling_policy,
                    max_ceiling_policy_ip: self.max_ceiling_policy_ip,
                    max_ceiling_policy_op: self.max_ceiling_policy_op,
                    max_policy_extra_member: self.max_policy_extra_member,
                    max_policy_extra_member_ip: self.max_policy_extra_member_ip,
                    max_policy_extra_member_op: self.max_policy_extra_member_op,
                    max_no_consultation: self.max_no_consultation,
                    max_no_surgery: self.max_no_surgery,
                    max_no_delivery: self.max_no_delivery,
                    max_no_hospitalization: self.max_no_hospitalization,
                    max_no_visits: self.max_no_visits,
                    max_no_antenatal: self.max_no_antenatal,
                    max_amount_consultation: self.max_amount_consultation,
                    max_amount_surgery: self.max_amount_surgery,
                    max_amount_delivery: self.max_amount_delivery,
                    max_amount_hospitalization: self.max_amount_hospitalization,
                    max_amount_antenatal: self.max_amount_antenatal,
                    relative_prices: self.relative_prices.as_ref().map(|l| {
                        l.iter()
                            .flatten()
                            .map(|r| RelativePriceInput {
                                care_type: r.care_type.unwrap_or(CareTypeEnum::Both).code().into(),
                                periods: r.periods.clone(),
                            })
                            .collect()
                    }),
                    items: self
                        .items
                        .as_ref()
                        .map(|l| l.iter().map(ProductItemInput::to_service).collect()),
                    services: self
                        .services
                        .as_ref()
                        .map(|l| l.iter().map(ProductServiceInput::to_service).collect()),
                    age_minimal: self.age_minimal,
                    age_maximal: self.age_maximal,
                }
            }
        }
    };
}
product_input!(
    CreateProductMutationInput,
    "CreateProductMutationInput",
    Option<Uuid>,
    "Ours (D4): the client's uuid for the new product; a repeated create with the same uuid and content returns the existing product."
);
product_input!(
    UpdateProductMutationInput,
    "UpdateProductMutationInput",
    Uuid,
    "The product to update."
);
product_input!(
    DuplicateProductMutationInput,
    "DuplicateProductMutationInput",
    Option<Uuid>,
    "The product to duplicate (source of the items, services and relative prices the payload omits)."
);

/// `DeleteProductMutationInput`.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "DeleteProductMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct DeleteProductMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    pub uuids: Option<Vec<Option<String>>>,
}

imis_core::mutation_payload!(CreateProductMutationPayload);
imis_core::mutation_payload!(UpdateProductMutationPayload);
imis_core::mutation_payload!(DuplicateProductMutationPayload);
imis_core::mutation_payload!(DeleteProductMutationPayload);

#[derive(Default)]
pub struct ProductMutation;

#[Object]
impl ProductMutation {
    /// 121002.
    #[graphql(visible = "visible")]
    async fn create_product(
        &self,
        ctx: &Context<'_>,
        input: CreateProductMutationInput,
    ) -> async_graphql::Result<CreateProductMutationPayload> {
        let mut fields = input.fields();
        fields.uuid = input.uuid;
        run_mutation(ctx, "createProduct", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PRODUCT_ADD]),
            )?;
            input.check_amounts(m.state.config.core.currency_minor_digits)?;
            let model = service::create_product(m, fields).await?;
            m.link("product", model.id);
            Ok(model.id)
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 121003.
    #[graphql(visible = "visible")]
    async fn update_product(
        &self,
        ctx: &Context<'_>,
        input: UpdateProductMutationInput,
    ) -> async_graphql::Result<UpdateProductMutationPayload> {
        let mut fields = input.fields();
        fields.uuid = Some(input.uuid);
        run_mutation(ctx, "updateProduct", &input.envelope, &input, async |m| {
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PRODUCT_EDIT]),
            )?;
            input.check_amounts(m.state.config.core.currency_minor_digits)?;
            let model = service::update_product(m, fields).await?;
            m.link("product", model.id);
            Ok(model.id)
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 121005.
    #[graphql(visible = "visible")]
    async fn duplicate_product(
        &self,
        ctx: &Context<'_>,
        input: DuplicateProductMutationInput,
    ) -> async_graphql::Result<DuplicateProductMutationPayload> {
        let fields = input.fields();
        run_mutation(
            ctx,
            "duplicateProduct",
            &input.envelope,
            &input,
            async |m| {
                require_user(
                    m.principal,
                    Requirement::AnyOf(&[service::RIGHT_PRODUCT_DUPLICATE]),
                )?;
                input.check_amounts(m.state.config.core.currency_minor_digits)?;
                let source = input
                    .uuid
                    .ok_or_else(|| AppError::invalid("uuid", "required"))?;
                let model = service::duplicate_product(m, source, fields).await?;
                m.link("product", model.id);
                Ok(model.id)
            },
        )
        .await
        .map(Into::into)
        .gql(ctx)
    }

    /// 121004.
    #[graphql(visible = "visible")]
    async fn delete_product(
        &self,
        ctx: &Context<'_>,
        input: DeleteProductMutationInput,
    ) -> async_graphql::Result<DeleteProductMutationPayload> {
        run_mutation(ctx, "deleteProduct", &input.envelope, &input, async |m| {
            // Rights before input checks, so a caller without 121004 learns nothing more.
            require_user(
                m.principal,
                Requirement::AnyOf(&[service::RIGHT_PRODUCT_DELETE]),
            )?;
            let uuids = input
                .uuids
                .iter()
                .flatten()
                .flatten()
                .map(|s| parse_uuid(s, "uuids"))
                .collect::<AppResult<Vec<_>>>()?;
            let ids = service::delete_products(m, &uuids).await?;
            for id in &ids {
                m.link("product", *id);
            }
            Ok(ids.len())
        })
        .await
        .map(Into::into)
        .gql(ctx)
    }
}
