//! Output types, with openIMIS names. Builders load nested data for a whole page at once; other
//! modules (product, claim) may build these types from models too.

use super::pricelist_types::{
    ItemsPricelistDetailConnection, ItemsPricelistDetailGQLType, MemberDetails,
    ServicesPricelistDetailConnection, ServicesPricelistDetailGQLType, member_detail_rows,
};
use super::scalars::ServicePackagetype;
use crate::entity::{diagnosis, item, service, service_content};
use crate::service::{self as svc, MedicalKind};
use async_graphql::{Context, ID, Object};
use imis_core::AppResult;
use imis_core::graphql::scalars::DateTime;
use imis_core::graphql::{GqlResult, global_id, state};

use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use std::sync::Arc;

use imis_core::kit::VersionFields;
pub(crate) use imis_core::kit::{date_time as dt, money, node_id};

// ---------------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------------

/// `ItemGQLType`: a medical item, or one of its previous versions (`history_id` set, D7).
#[derive(Clone, Debug)]
pub struct ItemGQLType {
    pub model: item::Model,
    pub history_id: Option<i64>,
    /// Price-list details loaded with the page; loaded on demand when absent.
    pub pricelist_details: Option<Arc<MemberDetails>>,
}

impl ItemGQLType {
    pub fn new(model: item::Model) -> Self {
        ItemGQLType {
            model,
            history_id: None,
            pricelist_details: None,
        }
    }
}

/// Item nodes for the given ids (any validity), in one query; for other modules' types.
pub async fn item_nodes(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, ItemGQLType>> {
    Ok(svc::items_by_ids(conn, ids)
        .await?
        .into_iter()
        .map(|(id, m)| (id, ItemGQLType::new(m)))
        .collect())
}

#[Object(name = "ItemGQLType")]
impl ItemGQLType {
    pub async fn id(&self) -> ID {
        node_id("ItemGQLType", self.model.id, self.history_id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn code(&self) -> &str {
        &self.model.code
    }
    async fn name(&self) -> &str {
        &self.model.name
    }
    /// `D` drug, `M` medical consumable.
    #[graphql(name = "type")]
    async fn item_type(&self) -> &str {
        &self.model.item_type
    }
    async fn package(&self) -> Option<&str> {
        self.model.package.as_deref()
    }
    async fn price(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.model.price)
    }
    async fn quantity(&self) -> Option<Decimal> {
        self.model.quantity.map(|q| Decimal::new(q, 2))
    }
    async fn maximum_amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.maximum_amount.map(|m| money(ctx, m))
    }
    async fn care_type(&self) -> &str {
        &self.model.care_type
    }
    async fn frequency(&self) -> Option<i32> {
        self.model.frequency
    }
    async fn patient_category(&self) -> i32 {
        self.model.patient_category
    }
    /// The current details naming this item in the items price lists the caller may see
    /// (121301 and D9, as `itemsPricelists`), ordered by id; `itemsPricelist` (global or integer
    /// id): only in that list, empty when the caller cannot see it.
    #[allow(clippy::too_many_arguments)]
    async fn pricelist_details(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        items_pricelist: Option<ID>,
    ) -> async_graphql::Result<ItemsPricelistDetailConnection> {
        let rows = member_detail_rows(
            ctx,
            MedicalKind::Item,
            self.model.id,
            self.pricelist_details.as_ref(),
            "ItemsPricelistGQLType",
            items_pricelist.as_ref(),
        )
        .await
        .gql(ctx)?;
        let all = rows
            .into_iter()
            .map(|(model, pricelist)| {
                let detail = ItemsPricelistDetailGQLType {
                    model,
                    pricelist,
                    member: self.model.clone(),
                };
                (detail.model.id, detail)
            })
            .collect();
        Ok(ItemsPricelistDetailGQLType::connection(
            all, offset, before, after, first, last,
        ))
    }
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.model, self.history_id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Services and their package content
// ---------------------------------------------------------------------------------------------

/// Package content of a page of services, with the items and services it names.
#[derive(Default)]
pub struct ContentData {
    pub rows: HashMap<i64, Vec<service_content::Model>>,
    pub items: HashMap<i64, item::Model>,
    pub services: HashMap<i64, service::Model>,
}

impl ContentData {
    /// The lines of `kind` in the package `service_id`, each with the item or service it names
    /// (looked up in `members`).
    fn lines<'a, M: Clone>(
        &'a self,
        service_id: i64,
        kind: MedicalKind,
        members: &'a HashMap<i64, M>,
    ) -> impl Iterator<Item = (service_content::Model, M)> + 'a {
        self.rows
            .get(&service_id)
            .into_iter()
            .flatten()
            .filter(move |r| r.kind == kind.code())
            .filter_map(|r| Some((r.clone(), members.get(&r.medical_id)?.clone())))
    }
}

/// Loads the package content of the given services in three queries.
pub async fn content_data(
    conn: &impl ConnectionTrait,
    service_ids: &[i64],
) -> AppResult<Arc<ContentData>> {
    let rows = svc::contents_of(conn, service_ids).await?;
    let all: Vec<service_content::Model> = rows.values().flatten().cloned().collect();
    let (items, services) = svc::content_members(conn, &all).await?;
    Ok(Arc::new(ContentData {
        rows,
        items,
        services,
    }))
}

/// `ServiceGQLType`: a medical service, or one of its previous versions.
#[derive(Clone)]
pub struct ServiceGQLType {
    pub model: service::Model,
    pub history_id: Option<i64>,
    /// Package content loaded with the page; loaded on demand when absent.
    pub content: Option<Arc<ContentData>>,
    /// Price-list details loaded with the page; loaded on demand when absent.
    pub pricelist_details: Option<Arc<MemberDetails>>,
}

impl ServiceGQLType {
    pub fn new(model: service::Model) -> Self {
        ServiceGQLType {
            model,
            history_id: None,
            content: None,
            pricelist_details: None,
        }
    }

    async fn content(&self, ctx: &Context<'_>) -> AppResult<Arc<ContentData>> {
        match &self.content {
            Some(c) => Ok(c.clone()),
            None => content_data(&state(ctx).db.conn, &[self.model.id]).await,
        }
    }

    /// The service lines of this package.
    async fn sub_services(&self, ctx: &Context<'_>) -> AppResult<Vec<ServiceServiceGQLType>> {
        let c = self.content(ctx).await?;
        Ok(c.lines(self.model.id, MedicalKind::Service, &c.services)
            .map(|(row, service)| ServiceServiceGQLType {
                row,
                service,
                parent: self.model.clone(),
            })
            .collect())
    }
}

/// Service nodes for the given ids (any validity); for other modules' types.
pub async fn service_nodes(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, ServiceGQLType>> {
    Ok(svc::services_by_ids(conn, ids)
        .await?
        .into_iter()
        .map(|(id, m)| (id, ServiceGQLType::new(m)))
        .collect())
}

#[Object(name = "ServiceGQLType")]
impl ServiceGQLType {
    pub async fn id(&self) -> ID {
        node_id("ServiceGQLType", self.model.id, self.history_id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    /// `S` surgery, `D` delivery, `A` antenatal, `H` hospitalization, `C` consultation, `V`
    /// visit, `O` other.
    async fn category(&self) -> Option<&str> {
        self.model.category.as_deref()
    }
    async fn code(&self) -> &str {
        &self.model.code
    }
    async fn name(&self) -> &str {
        &self.model.name
    }
    /// `P` preventive, `C` curative.
    #[graphql(name = "type")]
    async fn service_type(&self) -> &str {
        &self.model.service_type
    }
    async fn packagetype(&self) -> ServicePackagetype {
        ServicePackagetype::from_code(&self.model.packagetype)
    }
    async fn manual_price(&self) -> bool {
        self.model.manual_price
    }
    /// `S` simple service, `V` visit, `D` day of stay, `H` hospital case.
    async fn level(&self) -> &str {
        &self.model.level
    }
    async fn price(&self, ctx: &Context<'_>) -> Decimal {
        money(ctx, self.model.price)
    }
    async fn maximum_amount(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.model.maximum_amount.map(|m| money(ctx, m))
    }
    async fn care_type(&self) -> &str {
        &self.model.care_type
    }
    async fn frequency(&self) -> Option<i32> {
        self.model.frequency
    }
    async fn patient_category(&self) -> i32 {
        self.model.patient_category
    }
    /// The sub-services of this package (current content): openIMIS's name for the lines whose
    /// `parent` is this service, each line's `service` being the sub-service.
    async fn serviceservice_set(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ServiceServiceGQLType>> {
        self.sub_services(ctx).await.gql(ctx)
    }
    /// The same lines as `serviceserviceSet`, under imis's earlier name (in openIMIS this name
    /// lists the packages that contain the service instead).
    async fn services_services(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ServiceServiceGQLType>> {
        self.sub_services(ctx).await.gql(ctx)
    }
    /// The current details naming this service in the services price lists the caller may see
    /// (121201 and D9, as `servicesPricelists`), ordered by id; `servicesPricelist` (global or
    /// integer id): only in that list, empty when the caller cannot see it.
    #[allow(clippy::too_many_arguments)]
    async fn pricelist_details(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        services_pricelist: Option<ID>,
    ) -> async_graphql::Result<ServicesPricelistDetailConnection> {
        let rows = member_detail_rows(
            ctx,
            MedicalKind::Service,
            self.model.id,
            self.pricelist_details.as_ref(),
            "ServicesPricelistGQLType",
            services_pricelist.as_ref(),
        )
        .await
        .gql(ctx)?;
        let all = rows
            .into_iter()
            .map(|(model, pricelist)| {
                let detail = ServicesPricelistDetailGQLType {
                    model,
                    pricelist,
                    member: self.model.clone(),
                };
                (detail.model.id, detail)
            })
            .collect();
        Ok(ServicesPricelistDetailGQLType::connection(
            all, offset, before, after, first, last,
        ))
    }
    /// The items of this package (current content).
    async fn services_linked(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ServiceItemGQLType>> {
        let c = self.content(ctx).await.gql(ctx)?;
        Ok(c.lines(self.model.id, MedicalKind::Item, &c.items)
            .map(|(row, item)| ServiceItemGQLType {
                row,
                item,
                parent: self.model.clone(),
            })
            .collect())
    }
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.model, self.history_id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
    async fn client_mutation_id(&self) -> Option<String> {
        None
    }
}

/// The fields a package line shows whatever it holds (item or service).
pub struct ContentLineFields<'a>(&'a service_content::Model);

#[Object(visible = false)]
impl ContentLineFields<'_> {
    async fn qty_provided(&self) -> Option<i32> {
        self.0.qty_provided
    }
    async fn price_asked(&self, ctx: &Context<'_>) -> Option<Decimal> {
        self.0.price_asked.map(|p| money(ctx, p))
    }
    async fn status(&self) -> bool {
        self.0.status
    }
}

/// `ServiceItemGQLType`: an item in a package service.
#[derive(Clone)]
pub struct ServiceItemGQLType {
    pub row: service_content::Model,
    pub item: item::Model,
    pub parent: service::Model,
}

#[Object(name = "ServiceItemGQLType")]
impl ServiceItemGQLType {
    async fn id(&self) -> ID {
        global_id("ServiceItemGQLType", self.row.id)
    }
    async fn item(&self) -> ItemGQLType {
        ItemGQLType::new(self.item.clone())
    }
    async fn parent(&self) -> ServiceGQLType {
        ServiceGQLType::new(self.parent.clone())
    }
    async fn pcp_date(&self, ctx: &Context<'_>) -> Option<DateTime> {
        Some(dt(ctx, self.row.created_at))
    }
    #[graphql(flatten)]
    async fn line(&self) -> ContentLineFields<'_> {
        ContentLineFields(&self.row)
    }
}

/// `ServiceServiceGQLType`: a service in a package service.
#[derive(Clone)]
pub struct ServiceServiceGQLType {
    pub row: service_content::Model,
    pub service: service::Model,
    pub parent: service::Model,
}

#[Object(name = "ServiceServiceGQLType")]
impl ServiceServiceGQLType {
    async fn id(&self) -> ID {
        global_id("ServiceServiceGQLType", self.row.id)
    }
    async fn service(&self) -> ServiceGQLType {
        ServiceGQLType::new(self.service.clone())
    }
    async fn parent(&self) -> ServiceGQLType {
        ServiceGQLType::new(self.parent.clone())
    }
    async fn scp_date(&self, ctx: &Context<'_>) -> Option<DateTime> {
        Some(dt(ctx, self.row.created_at))
    }
    #[graphql(flatten)]
    async fn line(&self) -> ContentLineFields<'_> {
        ContentLineFields(&self.row)
    }
}

// ---------------------------------------------------------------------------------------------
// Diagnoses
// ---------------------------------------------------------------------------------------------

/// `DiagnosisGQLType`: an ICD code, or one of its previous versions.
#[derive(Clone, Debug)]
pub struct DiagnosisGQLType {
    pub model: diagnosis::Model,
    pub history_id: Option<i64>,
}

impl DiagnosisGQLType {
    pub fn new(model: diagnosis::Model) -> Self {
        DiagnosisGQLType {
            model,
            history_id: None,
        }
    }
}

#[Object(name = "DiagnosisGQLType")]
impl DiagnosisGQLType {
    pub async fn id(&self) -> ID {
        node_id("DiagnosisGQLType", self.model.id, self.history_id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    async fn code(&self) -> &str {
        &self.model.code
    }
    async fn name(&self) -> &str {
        &self.model.name
    }
    #[graphql(flatten)]
    async fn version(&self) -> VersionFields {
        VersionFields::of_row(&self.model, self.history_id)
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
}
