//! The query and mutation roots of products: `products`, `product`, `validateProductCode`,
//! `limitDefaults`, `pageDisplayRules`; `createProduct`, `updateProduct`, `duplicateProduct`,
//! `deleteProduct`.

use super::*;

pub(crate) const PRODUCT_SORT: [(&str, product::Column); 2] = [
    ("code", product::Column::Code),
    ("name", product::Column::Name),
];

pub(crate) fn node_wants(ctx: &Context<'_>, field: &str) -> bool {
    ctx.look_ahead()
        .field("edges")
        .field("node")
        .field(field)
        .exists()
}

pub(crate) fn opt_uuid(v: &Option<String>, field: &str) -> AppResult<Option<Uuid>> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_uuid(s, field))
        .transpose()
}

/// The pk of a `ProductGQLType` global id or of a raw integer id (not of a version).
pub(crate) fn product_pk(id: &str) -> AppResult<i64> {
    let bad = || AppError::validation("input.invalid_id").with("id", id);
    if let Ok(pk) = id.parse::<i64>() {
        return Ok(pk);
    }
    match decode_global_id(id)? {
        (t, key) if t == "ProductGQLType" => key.parse().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

pub(crate) fn date_of(v: Option<DateTime>) -> Option<chrono::NaiveDate> {
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
        check_list_csrf(ctx).gql(ctx)?;
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
            let sorting = Sorting {
                columns: &PRODUCT_SORT,
                id: product::Column::Id,
                default_order: &["code"],
            };
            let args = PageArgs::new(first, last, after, before, offset, order_by);
            let page = page_of(ctx, select, &args, sorting).await?;
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
        mutate(
            ctx,
            "createProduct",
            &input.envelope,
            &input,
            &[service::RIGHT_PRODUCT_ADD],
            async |m| {
                input.check_amounts(m.state.config.core.currency_minor_digits)?;
                let model = service::create_product(m, fields).await?;
                m.link("product", model.id);
                Ok(model.id)
            },
        )
        .await
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
        mutate(
            ctx,
            "updateProduct",
            &input.envelope,
            &input,
            &[service::RIGHT_PRODUCT_EDIT],
            async |m| {
                input.check_amounts(m.state.config.core.currency_minor_digits)?;
                let model = service::update_product(m, fields).await?;
                m.link("product", model.id);
                Ok(model.id)
            },
        )
        .await
    }

    /// 121005.
    #[graphql(visible = "visible")]
    async fn duplicate_product(
        &self,
        ctx: &Context<'_>,
        input: DuplicateProductMutationInput,
    ) -> async_graphql::Result<DuplicateProductMutationPayload> {
        let fields = input.fields();
        mutate(
            ctx,
            "duplicateProduct",
            &input.envelope,
            &input,
            &[service::RIGHT_PRODUCT_DUPLICATE],
            async |m| {
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
    }

    /// 121004.
    #[graphql(visible = "visible")]
    async fn delete_product(
        &self,
        ctx: &Context<'_>,
        input: DeleteProductMutationInput,
    ) -> async_graphql::Result<DeleteProductMutationPayload> {
        // Rights before input checks, so a caller without 121004 learns nothing more.
        mutate(
            ctx,
            "deleteProduct",
            &input.envelope,
            &input,
            &[service::RIGHT_PRODUCT_DELETE],
            async |m| {
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
            },
        )
        .await
    }
}
