//! `itemsPricelists`, `servicesPricelists`, `pricelists`, `validateItemsPricelistName`,
//! `validateServicesPricelistName` and the price-list mutations of both kinds.

use super::pricelist_types::{
    ItemsPricelistGQLType, PriceCompactGQLType, PricelistsGQLType, ServicesPricelistGQLType,
    pricelist_page_data,
};
use super::*;
use crate::entity::pricelist;
use crate::service::{
    self as svc, DuplicatePricelistInput, MedicalKind, PricelistFilter, PricelistInput,
};
use async_graphql::{ID, InputObject, Object};
use imis_core::graphql::connection::Page;
use imis_core::graphql::scalars::Date;
use imis_core::graphql::{MutationEnvelopeInput, parse_pk, state};
use imis_core::kit::{Sorting, list_caller, mutate, page_of};
use rust_decimal::Decimal;

imis_core::connection_type!(
    ItemsPricelistConnection,
    ItemsPricelistConnName,
    ItemsPricelistEdgeName,
    ItemsPricelistGQLType,
    "ItemsPricelistGQLType"
);
imis_core::connection_type!(
    ServicesPricelistConnection,
    ServicesPricelistConnName,
    ServicesPricelistEdgeName,
    ServicesPricelistGQLType,
    "ServicesPricelistGQLType"
);

const PRICELIST_SORT: [(&str, pricelist::Column); 2] = [
    ("name", pricelist::Column::NameSearch),
    ("pricelistDate", pricelist::Column::PricelistDate),
];

/// The filters both list queries take.
#[derive(Default)]
struct PricelistArgs {
    show_history: Option<bool>,
    location_uuid: Option<String>,
    id: Option<ID>,
    uuid: Option<String>,
    name: Option<String>,
    name_icontains: Option<String>,
    name_istartswith: Option<String>,
    location_isnull: Option<bool>,
    pricelist_date: Option<Date>,
    pricelist_date_gt: Option<Date>,
    pricelist_date_gte: Option<Date>,
    pricelist_date_lt: Option<Date>,
    pricelist_date_lte: Option<Date>,
    location_id: Option<ID>,
    location_uuid_eq: Option<String>,
    location_uuid_in: Option<Vec<Option<String>>>,
    location_code: Option<String>,
    location_type: Option<String>,
    location_parent_uuid: Option<String>,
}

impl PricelistArgs {
    fn filter(&self, type_name: &str) -> AppResult<PricelistFilter> {
        Ok(PricelistFilter {
            id: self
                .id
                .as_deref()
                .map(|i| parse_pk(i, type_name))
                .transpose()?,
            uuid: opt_uuid(&self.uuid, "uuid")?,
            name: self.name.clone(),
            name_icontains: self.name_icontains.clone(),
            name_istartswith: self.name_istartswith.clone(),
            location_isnull: self.location_isnull,
            pricelist_date: self.pricelist_date.map(|d| d.0),
            pricelist_date_gt: self.pricelist_date_gt.map(|d| d.0),
            pricelist_date_gte: self.pricelist_date_gte.map(|d| d.0),
            pricelist_date_lt: self.pricelist_date_lt.map(|d| d.0),
            pricelist_date_lte: self.pricelist_date_lte.map(|d| d.0),
            location_id: self
                .location_id
                .as_deref()
                .map(|i| parse_pk(i, "LocationGQLType"))
                .transpose()?,
            location_uuid: opt_uuid(&self.location_uuid_eq, "location_Uuid")?,
            location_uuid_in: self
                .location_uuid_in
                .as_ref()
                .map(|_| uuid_list(&self.location_uuid_in, "location_Uuid_In"))
                .transpose()?,
            location_code: self.location_code.clone(),
            location_type: self.location_type.clone(),
            location_parent_uuid: opt_uuid(&self.location_parent_uuid, "location_Parent_Uuid")?,
            applicable_at: opt_uuid(&self.location_uuid, "locationUuid")?,
        })
    }
}

/// One page of price lists of `kind`, with locations and (when asked) details loaded at once.
async fn pricelist_page(
    ctx: &Context<'_>,
    kind: MedicalKind,
    type_name: &str,
    a: PricelistArgs,
    args: PageArgs,
) -> AppResult<Page<super::pricelist_types::PricelistData>> {
    let st = state(ctx);
    let select = svc::pricelists_select(st, principal(ctx), kind, &a.filter(type_name)?).await?;
    let page = page_of(
        ctx,
        select,
        &args,
        Sorting {
            columns: &PRICELIST_SORT,
            id: pricelist::Column::Id,
            default_order: &["name"],
        },
    )
    .await?
    .with_versions(
        &st.db.conn,
        svc::ENTITY_PRICELIST,
        a.show_history.unwrap_or(false),
    )
    .await?;
    let Page {
        rows,
        has_next,
        has_previous,
        total,
    } = page;
    let (cursors, models): (Vec<String>, Vec<_>) = rows.into_iter().unzip();
    let nodes = pricelist_page_data(&st.db.conn, models, node_wants(ctx, "details")).await?;
    Ok(Page {
        rows: cursors.into_iter().zip(nodes).collect(),
        has_next,
        has_previous,
        total,
    })
}

macro_rules! pricelist_query {
    ($root:ident, $fn:ident, $conn:ident, $node:ident, $kind:expr, $type_name:literal, $doc:literal) => {
        #[derive(Default)]
        pub struct $root;

        #[Object]
        impl $root {
            #[doc = $doc]
            #[graphql(visible = "visible")]
            #[allow(clippy::too_many_arguments)]
            async fn $fn(
                &self,
                ctx: &Context<'_>,
                show_history: Option<bool>,
                location_uuid: Option<String>,
                order_by: Option<Vec<String>>,
                offset: Option<i32>,
                before: Option<String>,
                after: Option<String>,
                first: Option<i32>,
                last: Option<i32>,
                id: Option<ID>,
                uuid: Option<String>,
                name: Option<String>,
                #[graphql(name = "name_Icontains")] name_icontains: Option<String>,
                #[graphql(name = "name_Istartswith")] name_istartswith: Option<String>,
                #[graphql(name = "location_Isnull")] location_isnull: Option<bool>,
                pricelist_date: Option<Date>,
                #[graphql(name = "pricelistDate_Gt")] pricelist_date_gt: Option<Date>,
                #[graphql(name = "pricelistDate_Gte")] pricelist_date_gte: Option<Date>,
                #[graphql(name = "pricelistDate_Lt")] pricelist_date_lt: Option<Date>,
                #[graphql(name = "pricelistDate_Lte")] pricelist_date_lte: Option<Date>,
                #[graphql(name = "location_Id")] location_id: Option<ID>,
                #[graphql(name = "location_Uuid")] location_uuid_eq: Option<String>,
                #[graphql(name = "location_Uuid_In")] location_uuid_in: Option<Vec<Option<String>>>,
                #[graphql(name = "location_Code")] location_code: Option<String>,
                #[graphql(name = "location_Type")] location_type: Option<String>,
                #[graphql(name = "location_Parent_Uuid")] location_parent_uuid: Option<String>,
            ) -> async_graphql::Result<$conn> {
                list_caller(ctx, svc::pricelist_rights($kind, 0)).gql(ctx)?;
                let a = PricelistArgs {
                    show_history,
                    location_uuid,
                    id,
                    uuid,
                    name,
                    name_icontains,
                    name_istartswith,
                    location_isnull,
                    pricelist_date,
                    pricelist_date_gt,
                    pricelist_date_gte,
                    pricelist_date_lt,
                    pricelist_date_lte,
                    location_id,
                    location_uuid_eq,
                    location_uuid_in,
                    location_code,
                    location_type,
                    location_parent_uuid,
                };
                let page = pricelist_page(
                    ctx,
                    $kind,
                    $type_name,
                    a,
                    PageArgs::new(first, last, after, before, offset, order_by),
                )
                .await
                .gql(ctx)?;
                Ok(page.into_connection($node))
            }
        }
    };
}

pricelist_query!(
    ItemsPricelistQuery,
    items_pricelists,
    ItemsPricelistConnection,
    ItemsPricelistGQLType,
    MedicalKind::Item,
    "ItemsPricelistGQLType",
    "Items price lists (121301) the caller can see: national, within their locations or above them (D9). `locationUuid`: the lists that apply there (national, that location or an ancestor)."
);

pricelist_query!(
    ServicesPricelistQuery,
    services_pricelists,
    ServicesPricelistConnection,
    ServicesPricelistGQLType,
    MedicalKind::Service,
    "ServicesPricelistGQLType",
    "Services price lists (121201) the caller can see: national, within their locations or above them (D9). `locationUuid`: the lists that apply there (national, that location or an ancestor)."
);

#[derive(Default)]
pub struct PricelistQuery;

#[Object]
impl PricelistQuery {
    /// Compact details of price lists: (item or service id, override price). Holders of the
    /// search right of the kind read the lists they can see; others only their facility's.
    #[graphql(visible = "visible")]
    async fn pricelists(
        &self,
        ctx: &Context<'_>,
        services_pricelist_id: Option<i32>,
        items_pricelist_id: Option<i32>,
    ) -> async_graphql::Result<Option<PricelistsGQLType>> {
        list_caller(ctx, &[]).gql(ctx)?;
        let st = state(ctx);
        let compact = |v: Option<Vec<(i64, Option<Decimal>)>>| {
            v.map(|l| {
                l.into_iter()
                    .map(|(id, p)| Some(PriceCompactGQLType { id: Some(id), p }))
                    .collect()
            })
        };
        let items = svc::compact_prices(
            st,
            principal(ctx),
            MedicalKind::Item,
            items_pricelist_id.map(i64::from),
        )
        .await
        .gql(ctx)?;
        let services = svc::compact_prices(
            st,
            principal(ctx),
            MedicalKind::Service,
            services_pricelist_id.map(i64::from),
        )
        .await
        .gql(ctx)?;
        Ok(Some(PricelistsGQLType {
            items: compact(items),
            services: compact(services),
        }))
    }

    /// True when no current items price list has this name.
    #[graphql(visible = "visible")]
    async fn validate_items_pricelist_name(
        &self,
        ctx: &Context<'_>,
        items_pricelist_name: String,
    ) -> async_graphql::Result<bool> {
        svc::validate_pricelist_name(
            state(ctx),
            principal(ctx),
            MedicalKind::Item,
            &items_pricelist_name,
        )
        .await
        .gql(ctx)
    }

    /// True when no current services price list has this name.
    #[graphql(visible = "visible")]
    async fn validate_services_pricelist_name(
        &self,
        ctx: &Context<'_>,
        services_pricelist_name: String,
    ) -> async_graphql::Result<bool> {
        svc::validate_pricelist_name(
            state(ctx),
            principal(ctx),
            MedicalKind::Service,
            &services_pricelist_name,
        )
        .await
        .gql(ctx)
    }
}

/// `DetailPriceOverruleType`: the override price of an item (or service) of the list, by uuid.
#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "DetailPriceOverruleType")]
pub struct DetailPriceOverruleType {
    pub uuid: Uuid,
    pub price: Option<Decimal>,
}

macro_rules! pricelist_input {
    ($name:ident, $gql:literal, $uuid_ty:ty) => {
        #[derive(InputObject, Debug, Clone, serde::Serialize)]
        #[graphql(name = $gql)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[graphql(flatten)]
            #[serde(flatten)]
            pub envelope: MutationEnvelopeInput,
            pub name: String,
            pub pricelist_date: Date,
            /// The location's UUID (openIMIS names it `locationId`).
            pub location_id: Option<Uuid>,
            pub added_details: Option<Vec<Uuid>>,
            pub removed_details: Option<Vec<Uuid>>,
            pub price_overrules: Option<Vec<DetailPriceOverruleType>>,
            pub uuid: $uuid_ty,
        }
        impl $name {
            /// The override prices, named as their GraphQL field.
            fn overrule_prices(&self) -> impl Iterator<Item = (&'static str, Option<Decimal>)> {
                self.price_overrules
                    .iter()
                    .flatten()
                    .map(|o| ("price", o.price))
            }

            fn to_service(&self, uuid: Option<Uuid>) -> PricelistInput {
                PricelistInput {
                    uuid,
                    name: self.name.clone(),
                    pricelist_date: self.pricelist_date.0,
                    location_uuid: self.location_id,
                    added: self.added_details.clone().unwrap_or_default(),
                    removed: self.removed_details.clone().unwrap_or_default(),
                    overrules: self
                        .price_overrules
                        .iter()
                        .flatten()
                        .map(|o| (o.uuid, o.price))
                        .collect(),
                }
            }
        }
    };
}
pricelist_input!(
    CreateItemsPricelistMutationInput,
    "CreateItemsPricelistMutationInput",
    Option<Uuid>
);
pricelist_input!(
    UpdateItemsPricelistMutationInput,
    "UpdateItemsPricelistMutationInput",
    Uuid
);
pricelist_input!(
    CreateServicesPricelistMutationInput,
    "CreateServicesPricelistMutationInput",
    Option<Uuid>
);
pricelist_input!(
    UpdateServicesPricelistMutationInput,
    "UpdateServicesPricelistMutationInput",
    Uuid
);

delete_input!(DeleteItemsPricelistMutationInput, Uuid);
delete_input!(DeleteServicesPricelistMutationInput, Uuid);

macro_rules! pricelist_duplicate_input {
    ($name:ident, $gql:literal) => {
        #[derive(InputObject, Debug, Clone, serde::Serialize)]
        #[graphql(name = $gql)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[graphql(flatten)]
            #[serde(flatten)]
            pub envelope: MutationEnvelopeInput,
            /// The list copied.
            pub uuid: Uuid,
            pub name: String,
            pub pricelist_date: Date,
            /// The new list's location (UUID); absent = the copied list's.
            pub location_id: Option<Uuid>,
        }
        impl $name {
            fn to_service(&self) -> DuplicatePricelistInput {
                DuplicatePricelistInput {
                    uuid: self.uuid,
                    name: self.name.clone(),
                    pricelist_date: self.pricelist_date.0,
                    location_uuid: self.location_id,
                }
            }
        }
    };
}
pricelist_duplicate_input!(
    DuplicateItemsPricelistMutationInput,
    "DuplicateItemsPricelistMutationInput"
);
pricelist_duplicate_input!(
    DuplicateServicesPricelistMutationInput,
    "DuplicateServicesPricelistMutationInput"
);

imis_core::mutation_payload!(CreateItemsPricelistMutationPayload);
imis_core::mutation_payload!(UpdateItemsPricelistMutationPayload);
imis_core::mutation_payload!(DeleteItemsPricelistMutationPayload);
imis_core::mutation_payload!(DuplicateItemsPricelistMutationPayload);
imis_core::mutation_payload!(CreateServicesPricelistMutationPayload);
imis_core::mutation_payload!(UpdateServicesPricelistMutationPayload);
imis_core::mutation_payload!(DeleteServicesPricelistMutationPayload);
imis_core::mutation_payload!(DuplicateServicesPricelistMutationPayload);

macro_rules! pricelist_mutations {
    (
        $root:ident, $kind:expr, $create:ident, $create_name:literal, $create_in:ident, $create_out:ident,
        $update:ident, $update_name:literal, $update_in:ident, $update_out:ident,
        $delete:ident, $delete_name:literal, $delete_in:ident, $delete_out:ident,
        $duplicate:ident, $duplicate_name:literal, $duplicate_in:ident, $duplicate_out:ident
    ) => {
        #[derive(Default)]
        pub struct $root;

        #[Object]
        impl $root {
            /// Creates a price list with its details (add right of the kind). `uuid` is ours (D4).
            #[graphql(visible = "visible")]
            async fn $create(
                &self,
                ctx: &Context<'_>,
                input: $create_in,
            ) -> async_graphql::Result<$create_out> {
                mutate(
                    ctx,
                    $create_name,
                    &input.envelope,
                    &input,
                    svc::pricelist_rights($kind, 1),
                    async |m| {
                        check_amounts(digits(ctx), input.overrule_prices())?;
                        let model =
                            svc::create_pricelist(m, $kind, input.to_service(input.uuid)).await?;
                        Ok(linked(m, svc::ENTITY_PRICELIST, model.id))
                    },
                )
                .await
            }

            /// Changes a price list and adds, removes or re-prices details (edit right of the kind).
            #[graphql(visible = "visible")]
            async fn $update(
                &self,
                ctx: &Context<'_>,
                input: $update_in,
            ) -> async_graphql::Result<$update_out> {
                mutate(
                    ctx,
                    $update_name,
                    &input.envelope,
                    &input,
                    svc::pricelist_rights($kind, 2),
                    async |m| {
                        check_amounts(digits(ctx), input.overrule_prices())?;
                        let model =
                            svc::update_pricelist(m, $kind, input.to_service(Some(input.uuid)))
                                .await?;
                        Ok(linked(m, svc::ENTITY_PRICELIST, model.id))
                    },
                )
                .await
            }

            /// Deletes price lists not used by a facility (delete right of the kind).
            #[graphql(visible = "visible")]
            async fn $delete(
                &self,
                ctx: &Context<'_>,
                input: $delete_in,
            ) -> async_graphql::Result<$delete_out> {
                mutate(
                    ctx,
                    $delete_name,
                    &input.envelope,
                    &input,
                    svc::pricelist_rights($kind, 3),
                    async |m| {
                        let uuids: Vec<Uuid> =
                            input.uuids.iter().flatten().flatten().copied().collect();
                        let ids = svc::delete_pricelists(m, $kind, &uuids).await?;
                        Ok(linked_all(m, svc::ENTITY_PRICELIST, ids))
                    },
                )
                .await
            }

            /// Copies a price list with its details under a new name (duplicate right; ours).
            #[graphql(visible = "visible")]
            async fn $duplicate(
                &self,
                ctx: &Context<'_>,
                input: $duplicate_in,
            ) -> async_graphql::Result<$duplicate_out> {
                mutate(
                    ctx,
                    $duplicate_name,
                    &input.envelope,
                    &input,
                    svc::pricelist_rights($kind, 4),
                    async |m| {
                        let model = svc::duplicate_pricelist(m, $kind, input.to_service()).await?;
                        Ok(linked(m, svc::ENTITY_PRICELIST, model.id))
                    },
                )
                .await
            }
        }
    };
}

pricelist_mutations!(
    ItemsPricelistMutation,
    MedicalKind::Item,
    create_items_pricelist,
    "createItemsPricelist",
    CreateItemsPricelistMutationInput,
    CreateItemsPricelistMutationPayload,
    update_items_pricelist,
    "updateItemsPricelist",
    UpdateItemsPricelistMutationInput,
    UpdateItemsPricelistMutationPayload,
    delete_items_pricelist,
    "deleteItemsPricelist",
    DeleteItemsPricelistMutationInput,
    DeleteItemsPricelistMutationPayload,
    duplicate_items_pricelist,
    "duplicateItemsPricelist",
    DuplicateItemsPricelistMutationInput,
    DuplicateItemsPricelistMutationPayload
);
pricelist_mutations!(
    ServicesPricelistMutation,
    MedicalKind::Service,
    create_services_pricelist,
    "createServicesPricelist",
    CreateServicesPricelistMutationInput,
    CreateServicesPricelistMutationPayload,
    update_services_pricelist,
    "updateServicesPricelist",
    UpdateServicesPricelistMutationInput,
    UpdateServicesPricelistMutationPayload,
    delete_services_pricelist,
    "deleteServicesPricelist",
    DeleteServicesPricelistMutationInput,
    DeleteServicesPricelistMutationPayload,
    duplicate_services_pricelist,
    "duplicateServicesPricelist",
    DuplicateServicesPricelistMutationInput,
    DuplicateServicesPricelistMutationPayload
);
