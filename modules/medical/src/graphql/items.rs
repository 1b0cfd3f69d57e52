//! `medicalItems`, `medicalItemsStr`, `validateItemCode`, `createItem`, `updateItem`,
//! `deleteItem`.

use super::scalars::{PatientCategories, ServiceCodeInputType};
use super::types::ItemGQLType;
use super::*;
use crate::entity::item;
use crate::service::{self as svc, ItemFilter, ItemInput};
use async_graphql::{InputObject, Object};

use imis_core::graphql::scalars::Date;
use imis_core::graphql::{MutationEnvelopeInput, state};
use imis_core::kit::{Sorting, list_caller, mutate, page_of};
use rust_decimal::Decimal;

imis_core::connection_type!(
    ItemConnection,
    ItemConnName,
    ItemEdgeName,
    ItemGQLType,
    "ItemGQLType"
);

const ITEM_SORT: [(&str, item::Column); 6] = [
    ("code", item::Column::Code),
    ("name", item::Column::NameSearch),
    ("type", item::Column::ItemType),
    ("careType", item::Column::CareType),
    ("price", item::Column::Price),
    ("patientCategory", item::Column::PatientCategory),
];

async fn item_page(
    ctx: &Context<'_>,
    filter: ItemFilter,
    args: PageArgs,
    show_history: bool,
) -> AppResult<ItemConnection> {
    let st = state(ctx);
    let select = svc::items_select(st, principal(ctx), &filter).await?;
    let page = page_of(
        ctx,
        select,
        &args,
        Sorting {
            columns: &ITEM_SORT,
            id: item::Column::Id,
            default_order: &["code"],
        },
    )
    .await?
    .with_versions(&st.db.conn, svc::ENTITY_ITEM, show_history)
    .await?;
    Ok(page.into_connection(|(model, history_id)| ItemGQLType { model, history_id }))
}

#[derive(Default)]
pub struct ItemQuery;

#[Object]
impl ItemQuery {
    /// Medical items (any logged-in user). `pricelistUuid`: only the items of that items price
    /// list; `showHistory`: each item followed by its previous versions (D7).
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn medical_items(
        &self,
        ctx: &Context<'_>,
        client_mutation_id: Option<String>,
        show_history: Option<bool>,
        order_by: Option<Vec<String>>,
        pricelist_uuid: Option<Uuid>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        uuid: Option<String>,
        code: Option<String>,
        #[graphql(name = "code_Icontains")] code_icontains: Option<String>,
        #[graphql(name = "code_Istartswith")] code_istartswith: Option<String>,
        name: Option<String>,
        #[graphql(name = "name_Icontains")] name_icontains: Option<String>,
        #[graphql(name = "name_Istartswith")] name_istartswith: Option<String>,
        package: Option<String>,
        #[graphql(name = "package_Icontains")] package_icontains: Option<String>,
        #[graphql(name = "package_Istartswith")] package_istartswith: Option<String>,
        #[graphql(name = "type")] item_type: Option<String>,
    ) -> async_graphql::Result<ItemConnection> {
        list_caller(ctx, &[]).gql(ctx)?;
        let run = async {
            let mut filter = ItemFilter {
                uuid: opt_uuid(&uuid, "uuid")?,
                code,
                code_icontains,
                code_istartswith,
                name,
                name_icontains,
                name_istartswith,
                package,
                package_icontains,
                package_istartswith,
                item_type,
                pricelist_uuid,
                ..Default::default()
            };
            filter.id = mutation_object_id(ctx, client_mutation_id, svc::ENTITY_ITEM).await?;
            item_page(
                ctx,
                filter,
                PageArgs::new(first, last, after, before, offset, order_by),
                show_history.unwrap_or(false),
            )
            .await
        };
        run.await.gql(ctx)
    }

    /// Items whose code or name contains `str`; `date`: only items already valid on that date.
    #[graphql(visible = "visible")]
    #[allow(clippy::too_many_arguments)]
    async fn medical_items_str(
        &self,
        ctx: &Context<'_>,
        str: Option<String>,
        date: Option<Date>,
        order_by: Option<Vec<String>>,
        pricelist_uuid: Option<Uuid>,
        offset: Option<i32>,
        before: Option<String>,
        after: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        uuid: Option<String>,
        code: Option<String>,
        #[graphql(name = "code_Icontains")] code_icontains: Option<String>,
        #[graphql(name = "code_Istartswith")] code_istartswith: Option<String>,
        name: Option<String>,
        #[graphql(name = "name_Icontains")] name_icontains: Option<String>,
        #[graphql(name = "name_Istartswith")] name_istartswith: Option<String>,
        package: Option<String>,
        #[graphql(name = "package_Icontains")] package_icontains: Option<String>,
        #[graphql(name = "package_Istartswith")] package_istartswith: Option<String>,
        #[graphql(name = "type")] item_type: Option<String>,
    ) -> async_graphql::Result<ItemConnection> {
        list_caller(ctx, &[]).gql(ctx)?;
        let run = async {
            let filter = ItemFilter {
                uuid: opt_uuid(&uuid, "uuid")?,
                code,
                code_icontains,
                code_istartswith,
                name,
                name_icontains,
                name_istartswith,
                package,
                package_icontains,
                package_istartswith,
                item_type,
                pricelist_uuid,
                date: date.map(|d| d.0),
                str,
                ..Default::default()
            };
            item_page(
                ctx,
                filter,
                PageArgs::new(first, last, after, before, offset, order_by),
                false,
            )
            .await
        };
        run.await.gql(ctx)
    }

    /// True when no current item has this code.
    #[graphql(visible = "visible")]
    async fn validate_item_code(
        &self,
        ctx: &Context<'_>,
        item_code: String,
    ) -> async_graphql::Result<bool> {
        svc::validate_item_code(state(ctx), principal(ctx), &item_code)
            .await
            .gql(ctx)
    }
}

macro_rules! item_input {
    ($name:ident, $gql:literal) => {
        #[derive(InputObject, Debug, Clone, serde::Serialize)]
        #[graphql(name = $gql)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[graphql(flatten)]
            #[serde(flatten)]
            pub envelope: MutationEnvelopeInput,
            pub id: Option<i32>,
            pub uuid: Option<String>,
            pub code: ServiceCodeInputType,
            pub name: String,
            #[graphql(name = "type")]
            #[serde(rename = "type")]
            pub item_type: String,
            pub care_type: String,
            pub patient_category: Option<i32>,
            pub patient_categories: Option<Vec<Option<PatientCategories>>>,
            pub frequency: Option<Decimal>,
            pub price: Decimal,
            pub maximum_amount: Option<Decimal>,
            pub package: Option<String>,
            pub quantity: Option<Decimal>,
        }
        impl $name {
            /// The item's amounts.
            fn check_amounts(&self, digits: u32) -> AppResult<()> {
                check_amounts(
                    digits,
                    [
                        ("price", Some(self.price)),
                        ("maximumAmount", self.maximum_amount),
                    ],
                )
            }

            fn to_service(&self) -> AppResult<ItemInput> {
                Ok(ItemInput {
                    uuid: opt_uuid(&self.uuid, "uuid")?,
                    id: self.id.map(i64::from),
                    code: self.code.0.clone(),
                    name: self.name.clone(),
                    item_type: self.item_type.trim().to_string(),
                    package: self.package.clone(),
                    price: self.price,
                    quantity: self.quantity,
                    maximum_amount: self.maximum_amount,
                    care_type: self.care_type.trim().to_string(),
                    frequency: self.frequency,
                    patient_category: self.patient_category,
                    patient_categories: self
                        .patient_categories
                        .as_ref()
                        .map(|l| l.iter().flatten().map(|c| c.bit()).collect()),
                })
            }
        }
    };
}
item_input!(CreateItemMutationInput, "CreateItemMutationInput");
item_input!(UpdateItemMutationInput, "UpdateItemMutationInput");

#[derive(InputObject, Debug, Clone, serde::Serialize)]
#[graphql(name = "DeleteItemMutationInput")]
#[serde(rename_all = "camelCase")]
pub struct DeleteItemMutationInput {
    #[graphql(flatten)]
    #[serde(flatten)]
    pub envelope: MutationEnvelopeInput,
    pub uuids: Option<Vec<Option<String>>>,
}

imis_core::mutation_payload!(CreateItemMutationPayload);
imis_core::mutation_payload!(UpdateItemMutationPayload);
imis_core::mutation_payload!(DeleteItemMutationPayload);

#[derive(Default)]
pub struct ItemMutation;

#[Object]
impl ItemMutation {
    /// Creates an item (122102).
    #[graphql(visible = "visible")]
    async fn create_item(
        &self,
        ctx: &Context<'_>,
        input: CreateItemMutationInput,
    ) -> async_graphql::Result<CreateItemMutationPayload> {
        mutate(
            ctx,
            "createItem",
            &input.envelope,
            &input,
            &[svc::RIGHT_ITEM_ADD],
            async |m| {
                input.check_amounts(digits(ctx))?;
                let model = svc::create_item(m, input.to_service()?).await?;
                m.link(svc::ENTITY_ITEM, model.id);
                Ok(model.id)
            },
        )
        .await
    }

    /// Replaces every field of an item (122103); the previous version goes to history.
    #[graphql(visible = "visible")]
    async fn update_item(
        &self,
        ctx: &Context<'_>,
        input: UpdateItemMutationInput,
    ) -> async_graphql::Result<UpdateItemMutationPayload> {
        mutate(
            ctx,
            "updateItem",
            &input.envelope,
            &input,
            &[svc::RIGHT_ITEM_EDIT],
            async |m| {
                input.check_amounts(digits(ctx))?;
                let model = svc::update_item(m, input.to_service()?).await?;
                m.link(svc::ENTITY_ITEM, model.id);
                Ok(model.id)
            },
        )
        .await
    }

    /// Deletes items (122104), and takes them out of price lists and packages.
    #[graphql(visible = "visible")]
    async fn delete_item(
        &self,
        ctx: &Context<'_>,
        input: DeleteItemMutationInput,
    ) -> async_graphql::Result<DeleteItemMutationPayload> {
        mutate(
            ctx,
            "deleteItem",
            &input.envelope,
            &input,
            &[svc::RIGHT_ITEM_DELETE],
            async |m| {
                let uuids = uuid_list(&input.uuids, "uuids")?;
                let ids = svc::delete_items(m, &uuids).await?;
                for id in &ids {
                    m.link(svc::ENTITY_ITEM, *id);
                }
                Ok(ids)
            },
        )
        .await
    }
}
