//! `ProductItemGQLType` / `ProductServiceGQLType` (the covered items and services of a product)
//! and the product form's defaults and display rules.

use super::*;

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
            #[graphql(flatten)]
            async fn validity(&self) -> imis_core::kit::Validity {
                imis_core::kit::Validity::of(self.line.validity_from, self.line.validity_to)
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
