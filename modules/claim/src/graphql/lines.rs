//! The claim line types with openIMIS's names and fields: `ClaimItemGQLType` and
//! `ClaimServiceGQLType`, which share openIMIS's `ClaimDetail` fields ([`LineFields`]). A line
//! shows what its claim's page loaded ([`ClaimPage`]); nested objects the caller may not see
//! (D9) are null. Amounts are shown in the currency (`kit::money`), quantities with two
//! decimals.
//!
//! openIMIS's package sub-lines of a service line (`ClaimServiceItemGQLType`,
//! `ClaimServiceServiceGQLType`) are not stored: entry takes no `serviceItemSet` or
//! `serviceServiceSet`, so a service line's `items` and `services` are always empty and the two
//! types have no values (uninhabited enums); they are declared so openIMIS's documents validate.

use super::types::{CLAIM_ITEM_TYPE, CLAIM_SERVICE_TYPE, ClaimGQLType, ClaimPage};
use crate::entity::detail;
use async_graphql::{Context, ID, Object};
use imis_core::graphql::scalars::DateTime;
use imis_core::kit::{VersionFields, date_time, money, node_id};
use imis_medical::api::{ItemGQLType, ServiceGQLType};
use imis_policy::api::PolicyGQLType;
use imis_product::api::ProductGQLType;
use rust_decimal::Decimal;
use std::sync::Arc;

/// A claim line with the page it was loaded with.
#[derive(Clone)]
pub(crate) struct ClaimLine {
    pub(crate) line: detail::Model,
    pub(crate) page: Arc<ClaimPage>,
}

impl ClaimLine {
    pub(crate) fn new(line: detail::Model, page: Arc<ClaimPage>) -> Self {
        Self { line, page }
    }
}

/// Quantities are stored in hundredths.
fn qty(hundredths: i64) -> Decimal {
    Decimal::new(hundredths, 2)
}

/// The fields item and service lines share (openIMIS `ClaimDetail`).
struct LineFields<'a>(&'a ClaimLine);

#[Object(name = "ClaimLineFields", visible = false)]
impl LineFields<'_> {
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.0.line, None)
    }
    /// The claim the line belongs to.
    async fn claim(&self) -> Option<ClaimGQLType> {
        self.0
            .page
            .claims
            .get(&self.0.line.claim_id)
            .map(|model| ClaimGQLType {
                model: model.clone(),
                history_id: None,
                page: self.0.page.clone(),
            })
    }
    /// The product that pays the line (set at submission); null outside the caller's reach.
    async fn product(&self) -> Option<&ProductGQLType> {
        self.0
            .line
            .product_id
            .and_then(|id| self.0.page.products.get(&id))
    }
    /// The policy that pays the line (set at submission); null outside the caller's locations.
    async fn policy(&self) -> Option<&PolicyGQLType> {
        self.0
            .line
            .policy_id
            .and_then(|id| self.0.page.policies.get(&id))
    }
    /// 1 passed, 2 rejected.
    async fn status(&self) -> i32 {
        self.0.line.status
    }
    async fn qty_provided(&self) -> Decimal {
        qty(self.0.line.qty_provided)
    }
    async fn qty_approved(&self) -> Option<Decimal> {
        self.0.line.qty_approved.map(qty)
    }
    async fn price_asked(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.0.line.price_asked)
    }
    async fn price_adjusted(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.line.price_adjusted.map(|v| money(ctx, v))
    }
    async fn price_approved(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.line.price_approved.map(|v| money(ctx, v))
    }
    /// The line's valuated amount.
    async fn price_valuated(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.line.price_valuated.map(|v| money(ctx, v))
    }
    async fn explanation(&self) -> Option<&str> {
        self.0.line.explanation.as_deref()
    }
    async fn justification(&self) -> Option<&str> {
        self.0.line.justification.as_deref()
    }
    /// −1 rejected by a medical officer, 0 accepted, 1–19 the submission checks.
    async fn rejection_reason(&self) -> Option<i32> {
        self.0.line.rejection_reason
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.0.line.audit_user_id
    }
    async fn validity_from_review(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.0.line.validity_from_review.map(|t| date_time(ctx, t))
    }
    async fn validity_to_review(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.0.line.validity_to_review.map(|t| date_time(ctx, t))
    }
    async fn audit_user_id_review(&self) -> Option<i64> {
        self.0.line.audit_user_id_review
    }
    /// `C` co-insurance, `F` fixed amount.
    async fn limitation(&self) -> Option<&str> {
        self.0.line.limitation.as_deref()
    }
    /// The percentage the scheme pays (`C`) or the most it pays per unit (`F`).
    async fn limitation_value(&self, ctx: &Context<'_>) -> Option<Decimal> {
        let v = self.0.line.limitation_value?;
        Some(match self.0.line.limitation.as_deref() {
            Some("F") => money(ctx, v),
            // Co-insurance is kept in hundredths of a percent, as products keep it.
            _ => Decimal::new(v, 2),
        })
    }
    async fn remunerated_amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.line.remunerated_amount.map(|v| money(ctx, v))
    }
    async fn deductable_amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.line.deductable_amount.map(|v| money(ctx, v))
    }
    async fn exceed_ceiling_amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.line.exceed_ceiling_amount.map(|v| money(ctx, v))
    }
    async fn exceed_ceiling_amount_category(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0
            .line
            .exceed_ceiling_amount_category
            .map(|v| money(ctx, v))
    }
    /// `P` price list, `O` provider's own price, `R` relative price.
    async fn price_origin(&self) -> Option<&str> {
        self.0.line.price_origin.as_deref()
    }
}

/// `ClaimItemGQLType`: an item line of a claim.
#[derive(Clone)]
pub struct ClaimItemGQLType(pub(crate) ClaimLine);

#[Object(name = "ClaimItemGQLType")]
impl ClaimItemGQLType {
    async fn id(&self) -> ID {
        node_id(CLAIM_ITEM_TYPE, self.0.line.id, None)
    }
    #[graphql(flatten)]
    async fn line(&self) -> LineFields<'_> {
        LineFields(&self.0)
    }
    async fn item(&self) -> Option<&ItemGQLType> {
        self.0.page.items.get(&self.0.line.medical_id)
    }
    async fn availability(&self) -> bool {
        self.0.line.availability
    }
}

/// `ClaimServiceGQLType`: a service line of a claim.
#[derive(Clone)]
pub struct ClaimServiceGQLType(pub(crate) ClaimLine);

#[Object(name = "ClaimServiceGQLType")]
impl ClaimServiceGQLType {
    async fn id(&self) -> ID {
        node_id(CLAIM_SERVICE_TYPE, self.0.line.id, None)
    }
    #[graphql(flatten)]
    async fn line(&self) -> LineFields<'_> {
        LineFields(&self.0)
    }
    async fn service(&self) -> Option<&ServiceGQLType> {
        self.0.page.services.get(&self.0.line.medical_id)
    }
    /// openIMIS's package sub-lines of items: not stored, so always empty.
    async fn items(&self) -> Vec<ClaimServiceItemGQLType> {
        Vec::new()
    }
    /// openIMIS's package sub-lines of services: not stored, so always empty.
    async fn services(&self) -> Vec<ClaimServiceServiceGQLType> {
        Vec::new()
    }
}

/// `ClaimServiceItemGQLType`: an item of a service package line. Sub-lines are not stored, so
/// the type has no values; its fields are openIMIS's.
pub enum ClaimServiceItemGQLType {}

// The generated resolvers follow the uninhabited `match`.
#[allow(unreachable_code)]
#[Object(name = "ClaimServiceItemGQLType")]
impl ClaimServiceItemGQLType {
    async fn id(&self) -> ID {
        match *self {}
    }
    async fn item(&self) -> &ItemGQLType {
        match *self {}
    }
    async fn claim_service(&self) -> ClaimServiceGQLType {
        match *self {}
    }
    async fn qty_provided(&self) -> Option<i32> {
        match *self {}
    }
    async fn qty_displayed(&self) -> Option<i32> {
        match *self {}
    }
    async fn created_date(&self) -> Option<DateTime> {
        match *self {}
    }
    async fn price_asked(&self) -> Option<Decimal> {
        match *self {}
    }
}

/// `ClaimServiceServiceGQLType`: a service of a service package line. Sub-lines are not stored,
/// so the type has no values; its fields are openIMIS's.
pub enum ClaimServiceServiceGQLType {}

// The generated resolvers follow the uninhabited `match`.
#[allow(unreachable_code)]
#[Object(name = "ClaimServiceServiceGQLType")]
impl ClaimServiceServiceGQLType {
    async fn id(&self) -> ID {
        match *self {}
    }
    async fn service(&self) -> &ServiceGQLType {
        match *self {}
    }
    async fn claim_service(&self) -> ClaimServiceGQLType {
        match *self {}
    }
    async fn qty_provided(&self) -> Option<i32> {
        match *self {}
    }
    async fn qty_displayed(&self) -> Option<i32> {
        match *self {}
    }
    async fn created_date(&self) -> Option<DateTime> {
        match *self {}
    }
    async fn price_asked(&self) -> Option<Decimal> {
        match *self {}
    }
}
