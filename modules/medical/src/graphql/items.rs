//! `medicalItems`, `medicalItemsStr`, `validateItemCode`, `createItem`, `updateItem`,
//! `deleteItem`.

use super::pricelist_types::member_details;
use super::types::ItemGQLType;
use super::*;
use crate::entity::item;
use crate::service::{self as svc, CodeNameFilter, ItemFilter, ItemInput, MedicalKind};
use async_graphql::{InputObject, Object};

use imis_core::graphql::scalars::Date;
use imis_core::graphql::{MutationEnvelopeInput, state};
use imis_core::kit::{list_caller, mutate};
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
    let select = svc::items_select(state(ctx), principal(ctx), &filter).await?;
    let sorting = (&ITEM_SORT[..], item::Column::Id);
    let page = versioned_page(ctx, select, &args, sorting, svc::ENTITY_ITEM, show_history).await?;
    let pricelist_details = if node_wants(ctx, "pricelistDetails") {
        let ids: Vec<i64> = page.rows.iter().map(|(_, (m, _))| m.id).collect();
        Some(member_details(ctx, MedicalKind::Item, &ids).await?)
    } else {
        None
    };
    Ok(page.into_connection(|(model, history_id)| ItemGQLType {
        model,
        history_id,
        pricelist_details: pricelist_details.clone(),
    }))
}

medical_list_query! {
    ItemQuery, ItemConnection, item_page, svc::ENTITY_ITEM;
    /// Medical items (any logged-in user). `pricelistUuid`: only the items of that items price
    /// list; `showHistory`: each item followed by its previous versions (D7).
    medical_items;
    /// Items whose code or name contains `str`; `date`: only items already valid on that date.
    medical_items_str;
    (
        package: Option<String>,
        #[graphql(name = "package_Icontains")] package_icontains: Option<String>,
        #[graphql(name = "package_Istartswith")] package_istartswith: Option<String>,
        #[graphql(name = "type")] item_type: Option<String>,
    ) => |list, pricelist_uuid, date| ItemFilter {
        list,
        package,
        package_icontains,
        package_istartswith,
        item_type,
        pricelist_uuid,
        date,
    };

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
            #[graphql(flatten)]
            #[serde(flatten)]
            pub act: MedicalActInput,
            pub package: Option<String>,
            pub quantity: Option<Decimal>,
        }
        impl $name {
            /// The item's amounts.
            fn check_amounts(&self, digits: u32) -> AppResult<()> {
                check_amounts(digits, self.act.amounts())
            }

            fn to_service(&self) -> AppResult<ItemInput> {
                let a = &self.act;
                Ok(ItemInput {
                    uuid: opt_uuid(&a.uuid, "uuid")?,
                    id: a.id.map(i64::from),
                    code: a.code.0.clone(),
                    name: a.name.clone(),
                    item_type: a.act_type.trim().to_string(),
                    package: self.package.clone(),
                    price: a.price,
                    quantity: self.quantity,
                    maximum_amount: a.maximum_amount,
                    care_type: a.care_type.trim().to_string(),
                    frequency: a.frequency,
                    patient_category: a.patient_category,
                    patient_categories: a.patient_category_bits(),
                })
            }
        }
    };
}
item_input!(CreateItemMutationInput, "CreateItemMutationInput");
item_input!(UpdateItemMutationInput, "UpdateItemMutationInput");

delete_input!(DeleteItemMutationInput, String);

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
                Ok(linked(m, svc::ENTITY_ITEM, model.id))
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
                Ok(linked(m, svc::ENTITY_ITEM, model.id))
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
                Ok(linked_all(m, svc::ENTITY_ITEM, ids))
            },
        )
        .await
    }
}
