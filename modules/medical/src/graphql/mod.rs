//! GraphQL of the medical module, with openIMIS names (D3): items, services, diagnoses and
//! price lists. Resolvers are thin: they convert arguments, call one function of
//! [`crate::service`] (which checks rights and scope) and shape the output; nested data (package
//! content, price-list details, locations) is loaded once per page. Every root field is hidden
//! when the module is disabled.

/// The `Query` object of items or of services. Its two list fields, `medical<Kind>s` and
/// `medical<Kind>sStr`, take the same paging, `pricelistUuid`, `uuid`, `code*` and `name*`
/// arguments, then the kind's own arguments; `$filter` builds the kind's filter from them and
/// from the shared part (`|list, pricelist_uuid, date|`). `$page` answers one page. The object's
/// other fields follow.
macro_rules! medical_list_query {
    (
        $query:ident, $connection:ty, $page:ident, $entity:expr;
        $(#[doc = $list_doc:literal])* $list:ident;
        $(#[doc = $str_doc:literal])* $list_str:ident;
        ($($own_args:tt)*) => |$common:ident, $pricelist:ident, $date:ident| $filter:expr;
        $($other:tt)*
    ) => {
        // The shared arguments are written once, here, with the expressions that read them (the
        // paging, the price list, the code and name filters): macro hygiene lets only tokens of
        // the same expansion name them.
        medical_list_query! {
            @shared [
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
                $($own_args)*
            ]
            [PageArgs::new(first, last, after, before, offset, order_by)]
            [pricelist_uuid]
            [
                uuid: opt_uuid(&uuid, "uuid")?,
                code,
                code_icontains,
                code_istartswith,
                name,
                name_icontains,
                name_istartswith,
            ]
            $query, $connection, $page, $entity;
            $(#[doc = $list_doc])* $list;
            $(#[doc = $str_doc])* $list_str;
            |$common, $pricelist, $date| $filter;
            $($other)*
        }
    };
    (
        @shared [$($args:tt)*] [$paging:expr] [$pricelist_uuid:ident] [$($code_name:tt)*]
        $query:ident, $connection:ty, $page:ident, $entity:expr;
        $(#[doc = $list_doc:literal])* $list:ident;
        $(#[doc = $str_doc:literal])* $list_str:ident;
        |$common:ident, $pricelist:ident, $date:ident| $filter:expr;
        $($other:tt)*
    ) => {
        #[derive(Default)]
        pub struct $query;

        #[Object]
        impl $query {
            $(#[doc = $list_doc])*
            #[graphql(visible = "visible")]
            #[allow(clippy::too_many_arguments)]
            async fn $list(
                &self,
                ctx: &Context<'_>,
                client_mutation_id: Option<String>,
                show_history: Option<bool>,
                $($args)*
            ) -> async_graphql::Result<$connection> {
                list_caller(ctx, &[]).gql(ctx)?;
                let run = async {
                    let id = mutation_object_id(ctx, client_mutation_id, $entity).await?;
                    let $common = CodeNameFilter { id, $($code_name)* ..Default::default() };
                    let ($pricelist, $date) = ($pricelist_uuid, None);
                    $page(ctx, $filter, $paging, show_history.unwrap_or(false)).await
                };
                run.await.gql(ctx)
            }

            $(#[doc = $str_doc])*
            #[graphql(visible = "visible")]
            #[allow(clippy::too_many_arguments)]
            async fn $list_str(
                &self,
                ctx: &Context<'_>,
                str: Option<String>,
                date: Option<Date>,
                $($args)*
            ) -> async_graphql::Result<$connection> {
                list_caller(ctx, &[]).gql(ctx)?;
                let run = async {
                    let $common = CodeNameFilter { str, $($code_name)* ..Default::default() };
                    let ($pricelist, $date) = ($pricelist_uuid, date.map(|d| d.0));
                    $page(ctx, $filter, $paging, false).await
                };
                run.await.gql(ctx)
            }

            $($other)*
        }
    };
}

/// A `Delete<Kind>MutationInput`: the uuids of the rows to delete (as `String` or `UUID`).
macro_rules! delete_input {
    ($name:ident, $uuid:ty) => {
        #[derive(async_graphql::InputObject, Debug, Clone, serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[graphql(flatten)]
            #[serde(flatten)]
            pub envelope: imis_core::graphql::MutationEnvelopeInput,
            pub uuids: Option<Vec<Option<$uuid>>>,
        }
    };
}

mod diagnoses;
mod items;
mod pricelist_types;
mod pricelists;
mod scalars;
mod services;
mod types;

pub(crate) use types::*;
/// The item, service and diagnosis nodes (other modules reach items and services through `api`).
pub use types::{DiagnosisGQLType, ItemGQLType, ServiceGQLType};

use async_graphql::{Context, MergedObject};
use imis_core::AppResult;
use imis_core::graphql::connection::{Page, PageArgs};
use imis_core::graphql::{GqlResult, parse_uuid, principal};
use imis_core::mutation::MutationCtx;
use uuid::Uuid;

pub(crate) fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

/// The medical module's query root.
#[derive(MergedObject, Default)]
pub struct MedicalQuery(
    items::ItemQuery,
    services::ServiceQuery,
    diagnoses::DiagnosisQuery,
    pricelists::PricelistQuery,
    pricelists::ItemsPricelistQuery,
    pricelists::ServicesPricelistQuery,
);

/// The medical module's mutation root.
#[derive(MergedObject, Default)]
pub struct MedicalMutation(
    items::ItemMutation,
    services::ServiceMutation,
    diagnoses::DiagnosisMutation,
    pricelists::ItemsPricelistMutation,
    pricelists::ServicesPricelistMutation,
);

pub(crate) fn opt_uuid(v: &Option<String>, field: &str) -> AppResult<Option<Uuid>> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_uuid(s, field))
        .transpose()
}

pub(crate) fn uuid_list(v: &Option<Vec<Option<String>>>, field: &str) -> AppResult<Vec<Uuid>> {
    v.iter()
        .flatten()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_uuid(s, field))
        .collect()
}

/// Whether the client selected `edges { node { <field> } }` on this connection.
pub(crate) fn node_wants(ctx: &Context<'_>, field: &str) -> bool {
    ctx.look_ahead()
        .field("edges")
        .field("node")
        .field(field)
        .exists()
}

/// The currency's minor digits.
pub(crate) fn digits(ctx: &Context<'_>) -> u32 {
    imis_core::graphql::state(ctx)
        .config
        .core
        .currency_minor_digits
}

/// Each of these amounts must be an amount of the currency: `input.invalid` naming its GraphQL
/// field otherwise (more decimals than the currency, or beyond what storage holds). Checked
/// before the service (which owns signs and every other rule), so a bad amount is named whatever
/// else the input holds.
pub(crate) fn check_amounts<'a>(
    digits: u32,
    amounts: impl IntoIterator<Item = (&'a str, Option<rust_decimal::Decimal>)>,
) -> AppResult<()> {
    for (field, v) in amounts {
        if let Some(d) = v {
            imis_core::money::Money::parse(field, d, digits)?;
        }
    }
    Ok(())
}

/// One page of a versioned list, sorted by `columns` (by code when the client names no order),
/// each row followed by its previous versions when `show_history` (D7).
pub(crate) async fn versioned_page<E>(
    ctx: &Context<'_>,
    select: sea_orm::Select<E>,
    args: &PageArgs,
    (columns, id): (&[(&str, E::Column)], E::Column),
    entity: &str,
    show_history: bool,
) -> AppResult<Page<(E::Model, Option<i64>)>>
where
    E: sea_orm::EntityTrait,
    E::Model: sea_orm::ModelTrait<Entity = E> + imis_core::history::Versioned + Sync,
{
    let sorting = imis_core::kit::Sorting {
        columns,
        id,
        default_order: &["code"],
    };
    imis_core::kit::page_of(ctx, select, args, sorting)
        .await?
        .with_versions(
            &imis_core::graphql::state(ctx).db.conn,
            entity,
            show_history,
        )
        .await
}

/// Links the row `id` of `entity` that the mutation wrote to it, and answers the id (the
/// payload's `internalId`).
pub(crate) fn linked(m: &mut MutationCtx<'_>, entity: &'static str, id: i64) -> i64 {
    m.link(entity, id);
    id
}

/// [`linked`] for the rows `ids` of `entity` that the mutation wrote.
pub(crate) fn linked_all(m: &mut MutationCtx<'_>, entity: &'static str, ids: Vec<i64>) -> Vec<i64> {
    for id in &ids {
        m.link(entity, *id);
    }
    ids
}

/// The fields the inputs of `createItem` / `updateItem` and `createService` / `updateService`
/// share, in openIMIS's order; flattened into each (after the envelope).
#[derive(async_graphql::InputObject, Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicalActInput {
    pub id: Option<i32>,
    pub uuid: Option<String>,
    pub code: scalars::ServiceCodeInputType,
    pub name: String,
    // Items: `D` drug, `M` medical consumable; services: `P` preventive, `C` curative.
    #[graphql(name = "type")]
    #[serde(rename = "type")]
    pub act_type: String,
    pub care_type: String,
    pub patient_category: Option<i32>,
    pub patient_categories: Option<Vec<Option<scalars::PatientCategories>>>,
    pub frequency: Option<rust_decimal::Decimal>,
    pub price: rust_decimal::Decimal,
    pub maximum_amount: Option<rust_decimal::Decimal>,
}

impl MedicalActInput {
    /// The act's own amounts, for [`check_amounts`].
    fn amounts(&self) -> [(&'static str, Option<rust_decimal::Decimal>); 2] {
        [
            ("price", Some(self.price)),
            ("maximumAmount", self.maximum_amount),
        ]
    }

    /// The bits of `patientCategories`.
    fn patient_category_bits(&self) -> Option<Vec<i32>> {
        self.patient_categories
            .as_ref()
            .map(|l| l.iter().flatten().map(|c| c.bit()).collect())
    }
}

/// The `clientMutationId` filter of a list: the first object of `entity` that this mutation of
/// the caller created or changed (0, matching nothing, when none); `None` when not asked.
pub(crate) async fn mutation_object_id(
    ctx: &Context<'_>,
    client_mutation_id: Option<String>,
    entity: &str,
) -> AppResult<Option<i64>> {
    let Some(c) = client_mutation_id.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let ids = match principal(ctx) {
        Some(p) => {
            let conn = &imis_core::graphql::state(ctx).db.conn;
            imis_core::mutation::objects_of_client_mutation(conn, p.user_id, &c, entity).await?
        }
        None => vec![],
    };
    Ok(Some(ids.first().copied().unwrap_or(0)))
}

/// The global-id type names this module resolves for the gateway's `node(id:)`.
pub(crate) const NODE_TYPES: &[&str] = &[
    "ItemGQLType",
    "ItemGQLTypeHistory",
    "ServiceGQLType",
    "ServiceGQLTypeHistory",
    "DiagnosisGQLType",
    "DiagnosisGQLTypeHistory",
    "ItemsPricelistGQLType",
    "ItemsPricelistGQLTypeHistory",
    "ServicesPricelistGQLType",
    "ServicesPricelistGQLTypeHistory",
];

/// An item, service, diagnosis or price list by global id (current or historical version).
pub(crate) enum MedicalNode {
    Item(ItemGQLType),
    Service(ServiceGQLType),
    Diagnosis(DiagnosisGQLType),
    ItemsPricelist(pricelist_types::ItemsPricelistGQLType),
    ServicesPricelist(pricelist_types::ServicesPricelistGQLType),
}

/// The row of `E` a global id names: the version `history` when given, else the current row
/// `pk`.
async fn version_or_current<E>(
    conn: &impl sea_orm::ConnectionTrait,
    entity: &str,
    pk: i64,
    history: Option<i64>,
) -> AppResult<Option<E::Model>>
where
    E: sea_orm::EntityTrait,
    E::Model: imis_core::history::Versioned,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i64>,
{
    use imis_core::kit::CurrentRows;
    match history {
        Some(h) => imis_core::history::version_by_history_id::<E::Model>(conn, entity, h).await,
        None => Ok(E::find_by_id(pk).current().one(conn).await?),
    }
}

/// Resolves a global id of [`NODE_TYPES`]. Items, services and diagnoses are reference lists
/// open to any logged-in user (D8); a price list answers only when the caller's price-list query
/// shows it (the kind's search right and location scope, D9), else null.
pub(crate) async fn resolve_node(
    ctx: &async_graphql::Context<'_>,
    type_name: &str,
    key: &str,
) -> async_graphql::Result<Option<MedicalNode>> {
    use crate::entity::{diagnosis, item, service};
    use crate::service as svc;
    use pricelist_types::{ItemsPricelistGQLType, ServicesPricelistGQLType};
    let caller = imis_core::kit::caller(ctx, &[]).gql(ctx)?;
    let st = imis_core::graphql::state(ctx);
    let conn = &st.db.conn;
    let pk: i64 = key
        .parse()
        .map_err(|_| imis_core::AppError::validation("input.invalid_id").with("id", key))
        .gql(ctx)?;
    let history_id = type_name.ends_with("History").then_some(pk);
    let pricelist =
        async |kind: svc::MedicalKind| -> AppResult<Option<pricelist_types::PricelistData>> {
            let Some(row) =
                svc::pricelist_for_node(st, caller, kind, pk, history_id.is_some()).await?
            else {
                return Ok(None);
            };
            Ok(pricelist_types::pricelist_page_data(conn, vec![row], false)
                .await?
                .pop())
        };
    let run = async {
        Ok(match type_name.trim_end_matches("History") {
            "ItemGQLType" => {
                version_or_current::<item::Entity>(conn, svc::ENTITY_ITEM, pk, history_id)
                    .await?
                    .map(|model| {
                        let mut n = ItemGQLType::new(model);
                        n.history_id = history_id;
                        MedicalNode::Item(n)
                    })
            }
            "ServiceGQLType" => {
                version_or_current::<service::Entity>(conn, svc::ENTITY_SERVICE, pk, history_id)
                    .await?
                    .map(|model| {
                        let mut n = ServiceGQLType::new(model);
                        n.history_id = history_id;
                        MedicalNode::Service(n)
                    })
            }
            "ItemsPricelistGQLType" => pricelist(svc::MedicalKind::Item)
                .await?
                .map(|d| MedicalNode::ItemsPricelist(ItemsPricelistGQLType(d))),
            "ServicesPricelistGQLType" => pricelist(svc::MedicalKind::Service)
                .await?
                .map(|d| MedicalNode::ServicesPricelist(ServicesPricelistGQLType(d))),
            _ => {
                version_or_current::<diagnosis::Entity>(conn, svc::ENTITY_DIAGNOSIS, pk, history_id)
                    .await?
                    .map(|model| MedicalNode::Diagnosis(DiagnosisGQLType { model, history_id }))
            }
        })
    };
    run.await.gql(ctx)
}

/// The descriptor's node registration: the medical types implementing `Node`.
pub(crate) fn register_nodes(registry: &mut async_graphql::registry::Registry) {
    use imis_core::graphql::relay::register_implementer;
    register_implementer::<ItemGQLType>(registry);
    register_implementer::<ServiceGQLType>(registry);
    register_implementer::<DiagnosisGQLType>(registry);
    register_implementer::<pricelist_types::ItemsPricelistGQLType>(registry);
    register_implementer::<pricelist_types::ServicesPricelistGQLType>(registry);
}

/// The descriptor's node resolver: [`resolve_node`] as a registry `NodeValue` (null when the
/// module is hidden from the caller).
pub(crate) fn resolve_node_value<'a>(
    ctx: &'a Context<'_>,
    type_name: &'a str,
    key: &'a str,
) -> imis_core::registry::NodeFuture<'a> {
    use imis_core::graphql::relay::NodeValue;
    Box::pin(async move {
        if !visible(ctx) {
            return Ok(None);
        }
        Ok(resolve_node(ctx, type_name, key).await?.map(|n| match n {
            MedicalNode::Item(x) => NodeValue::new(x),
            MedicalNode::Service(x) => NodeValue::new(x),
            MedicalNode::Diagnosis(x) => NodeValue::new(x),
            MedicalNode::ItemsPricelist(x) => NodeValue::new(x),
            MedicalNode::ServicesPricelist(x) => NodeValue::new(x),
        }))
    })
}
