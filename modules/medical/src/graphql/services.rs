//! `medicalServices`, `medicalServicesStr`, `validateServiceCode`, `createService`,
//! `updateService`, `deleteService`.

use super::pricelist_types::member_details;
use super::scalars::{ServicePackagetype, TinyInt};
use super::types::{ServiceGQLType, content_data};
use super::*;
use crate::entity::service;
use crate::service::{
    self as svc, CodeNameFilter, ContentInput, MedicalKind, ServiceFilter, ServiceInput,
};
use async_graphql::{InputObject, Object};
use imis_core::AppError;

use imis_core::graphql::scalars::Date;
use imis_core::graphql::{MutationEnvelopeInput, state};
use imis_core::kit::{list_caller, mutate};
use rust_decimal::Decimal;

imis_core::connection_type!(
    ServiceConnection,
    ServiceConnName,
    ServiceEdgeName,
    ServiceGQLType,
    "ServiceGQLType"
);

const SERVICE_SORT: [(&str, service::Column); 8] = [
    ("code", service::Column::Code),
    ("name", service::Column::NameSearch),
    ("type", service::Column::ServiceType),
    ("level", service::Column::Level),
    ("careType", service::Column::CareType),
    ("price", service::Column::Price),
    ("packagetype", service::Column::Packagetype),
    ("patientCategory", service::Column::PatientCategory),
];

async fn service_page(
    ctx: &Context<'_>,
    filter: ServiceFilter,
    args: PageArgs,
    show_history: bool,
) -> AppResult<ServiceConnection> {
    let st = state(ctx);
    let select = svc::services_select(st, principal(ctx), &filter).await?;
    let sorting = (&SERVICE_SORT[..], service::Column::Id);
    let page = versioned_page(
        ctx,
        select,
        &args,
        sorting,
        svc::ENTITY_SERVICE,
        show_history,
    )
    .await?;
    let content = if ["serviceserviceSet", "servicesServices", "servicesLinked"]
        .iter()
        .any(|f| node_wants(ctx, f))
    {
        let ids: Vec<i64> = page.rows.iter().map(|(_, (m, _))| m.id).collect();
        Some(content_data(&st.db.conn, &ids).await?)
    } else {
        None
    };
    let pricelist_details = if node_wants(ctx, "pricelistDetails") {
        let ids: Vec<i64> = page.rows.iter().map(|(_, (m, _))| m.id).collect();
        Some(member_details(ctx, MedicalKind::Service, &ids).await?)
    } else {
        None
    };
    Ok(page.into_connection(|(model, history_id)| ServiceGQLType {
        model,
        history_id,
        content: content.clone(),
        pricelist_details: pricelist_details.clone(),
    }))
}

fn packagetypes(
    one: Option<ServicePackagetype>,
    many: Option<Vec<Option<ServicePackagetype>>>,
) -> Option<Vec<String>> {
    let mut all: Vec<String> = one.iter().map(|p| p.code().to_string()).collect();
    all.extend(
        many.iter()
            .flatten()
            .flatten()
            .map(|p| p.code().to_string()),
    );
    (!all.is_empty()).then_some(all)
}

medical_list_query! {
    ServiceQuery, ServiceConnection, service_page, svc::ENTITY_SERVICE;
    /// Medical services (any logged-in user), with their package content on demand.
    medical_services;
    /// Services whose code or name contains `str`; `date`: only services already valid then.
    medical_services_str;
    (
        #[graphql(name = "type")] service_type: Option<String>,
        packagetype: Option<ServicePackagetype>,
        #[graphql(name = "packagetype_In")] packagetype_in: Option<Vec<Option<ServicePackagetype>>>,
        care_type: Option<String>,
        category: Option<String>,
    ) => |list, pricelist_uuid, date| ServiceFilter {
        list,
        service_type,
        packagetype_in: packagetypes(packagetype, packagetype_in),
        care_type,
        category,
        pricelist_uuid,
        date,
    };

    /// True when no current service has this code.
    #[graphql(visible = "visible")]
    async fn validate_service_code(
        &self,
        ctx: &Context<'_>,
        service_code: String,
    ) -> async_graphql::Result<bool> {
        svc::validate_service_code(state(ctx), principal(ctx), &service_code)
            .await
            .gql(ctx)
    }
}

/// `ServiceItemInputType`: an item of a package.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "ServiceItemInputType")]
#[serde(rename_all = "camelCase")]
pub struct ServiceItemInputType {
    pub id: Option<i32>,
    pub item_id: i32,
    pub status: TinyInt,
    pub qty_provided: Option<Decimal>,
    pub price_asked: Option<Decimal>,
}

/// `ServiceServiceInputType`: a sub-service of a package.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "ServiceServiceInputType")]
#[serde(rename_all = "camelCase")]
pub struct ServiceServiceInputType {
    pub id: Option<i32>,
    pub service_id: i32,
    pub status: TinyInt,
    pub qty_provided: Option<Decimal>,
    pub price_asked: Option<Decimal>,
}

/// openIMIS sends `manualPrice` as a string.
fn flag(v: &Option<String>) -> AppResult<Option<bool>> {
    match v.as_deref().map(|s| s.trim().to_lowercase()) {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) if ["true", "1", "yes", "t", "y"].contains(&s.as_str()) => Ok(Some(true)),
        Some(s) if ["false", "0", "no", "f", "n"].contains(&s.as_str()) => Ok(Some(false)),
        Some(_) => Err(AppError::invalid("manualPrice", "expected true or false")),
    }
}

macro_rules! service_input {
    ($name:ident, $gql:literal) => {
        #[derive(InputObject, Debug, Clone, serde::Serialize)]
        #[graphql(name = $gql)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[graphql(flatten)]
            #[serde(flatten)]
            pub envelope: MutationEnvelopeInput,
            #[graphql(flatten)]
            #[serde(flatten)]
            pub act: MedicalActInput,
            pub level: String,
            pub packagetype: Option<String>,
            pub manual_price: Option<String>,
            pub category: Option<String>,
            pub items: Option<Vec<Option<ServiceItemInputType>>>,
            pub services: Option<Vec<Option<ServiceServiceInputType>>>,
        }
        impl $name {
            /// The amounts of the service and of its package content.
            fn check_amounts(&self, digits: u32) -> AppResult<()> {
                let content = self
                    .items
                    .iter()
                    .flatten()
                    .flatten()
                    .map(|c| ("priceAsked", c.price_asked))
                    .chain(
                        self.services
                            .iter()
                            .flatten()
                            .flatten()
                            .map(|c| ("priceAsked", c.price_asked)),
                    );
                check_amounts(digits, self.act.amounts().into_iter().chain(content))
            }

            fn to_service(&self) -> AppResult<ServiceInput> {
                let a = &self.act;
                Ok(ServiceInput {
                    uuid: opt_uuid(&a.uuid, "uuid")?,
                    id: a.id.map(i64::from),
                    code: a.code.0.clone(),
                    name: a.name.clone(),
                    service_type: a.act_type.trim().to_string(),
                    level: self.level.trim().to_string(),
                    category: self.category.clone(),
                    price: a.price,
                    maximum_amount: a.maximum_amount,
                    care_type: a.care_type.trim().to_string(),
                    frequency: a.frequency,
                    patient_category: a.patient_category,
                    patient_categories: a.patient_category_bits(),
                    packagetype: self.packagetype.clone(),
                    manual_price: flag(&self.manual_price)?,
                    items: self.items.as_ref().map(|l| {
                        l.iter()
                            .flatten()
                            .map(|c| ContentInput {
                                medical_id: c.item_id.into(),
                                status: c.status.0,
                                qty_provided: c.qty_provided,
                                price_asked: c.price_asked,
                            })
                            .collect()
                    }),
                    services: self.services.as_ref().map(|l| {
                        l.iter()
                            .flatten()
                            .map(|c| ContentInput {
                                medical_id: c.service_id.into(),
                                status: c.status.0,
                                qty_provided: c.qty_provided,
                                price_asked: c.price_asked,
                            })
                            .collect()
                    }),
                })
            }
        }
    };
}
service_input!(CreateServiceMutationInput, "CreateServiceMutationInput");
service_input!(UpdateServiceMutationInput, "UpdateServiceMutationInput");

delete_input!(DeleteServiceMutationInput, String);

imis_core::mutation_payload!(CreateServiceMutationPayload);
imis_core::mutation_payload!(UpdateServiceMutationPayload);
imis_core::mutation_payload!(DeleteServiceMutationPayload);

#[derive(Default)]
pub struct ServiceMutation;

#[Object]
impl ServiceMutation {
    /// Creates a service and its package content (121402).
    #[graphql(visible = "visible")]
    async fn create_service(
        &self,
        ctx: &Context<'_>,
        input: CreateServiceMutationInput,
    ) -> async_graphql::Result<CreateServiceMutationPayload> {
        mutate(
            ctx,
            "createService",
            &input.envelope,
            &input,
            &[svc::RIGHT_SERVICE_ADD],
            async |m| {
                input.check_amounts(digits(ctx))?;
                let model = svc::create_service(m, input.to_service()?).await?;
                Ok(linked(m, svc::ENTITY_SERVICE, model.id))
            },
        )
        .await
    }

    /// Replaces every field of a service and, when given, its package content (121403).
    #[graphql(visible = "visible")]
    async fn update_service(
        &self,
        ctx: &Context<'_>,
        input: UpdateServiceMutationInput,
    ) -> async_graphql::Result<UpdateServiceMutationPayload> {
        mutate(
            ctx,
            "updateService",
            &input.envelope,
            &input,
            &[svc::RIGHT_SERVICE_EDIT],
            async |m| {
                input.check_amounts(digits(ctx))?;
                let model = svc::update_service(m, input.to_service()?).await?;
                Ok(linked(m, svc::ENTITY_SERVICE, model.id))
            },
        )
        .await
    }

    /// Deletes services (121404), and takes them out of price lists and packages.
    #[graphql(visible = "visible")]
    async fn delete_service(
        &self,
        ctx: &Context<'_>,
        input: DeleteServiceMutationInput,
    ) -> async_graphql::Result<DeleteServiceMutationPayload> {
        mutate(
            ctx,
            "deleteService",
            &input.envelope,
            &input,
            &[svc::RIGHT_SERVICE_DELETE],
            async |m| {
                let uuids = uuid_list(&input.uuids, "uuids")?;
                let ids = svc::delete_services(m, &uuids).await?;
                Ok(linked_all(m, svc::ENTITY_SERVICE, ids))
            },
        )
        .await
    }
}
