//! GraphQL of the HIV programme: `artRegistrations`, `hivFacilitySites` and the mutations
//! `registerArtNumber`, `changeArtNumber`, `deleteArtRegistration`, `setFacilitySiteCode`
//! (openIMIS-style inputs with `clientMutationId`, logged in the mutation log). Resolvers convert
//! arguments and call one function of the service, which checks the right and the scope; they are
//! built on `imis_core::kit` (the mutation shell, the list tail, the version fields). Every root
//! field is hidden, and refused with `module.disabled`, when the module is off.

mod art_registrations;
mod facility_sites;
mod types;

pub use types::{ArtRegistrationGQLType, HivFacilitySiteGQLType};

use async_graphql::{Context, MergedObject};
use imis_core::auth::Principal;
use imis_core::graphql::connection::{Page, PageArgs};
use imis_core::graphql::relay::{NodeValue, register_implementer};
use imis_core::graphql::{GqlResult, parse_pk, parse_uuid, principal, state};
pub(crate) use imis_core::kit::with_nodes;
use imis_core::kit::{self, Sorting};
use imis_core::registry::{NodeDef, NodeFuture};
use imis_core::{AppError, AppResult};
use sea_orm::{EntityTrait, ModelTrait, Select};
use uuid::Uuid;

/// The right every mutation requires before its input is read (the service checks it again, as
/// it does for every caller).
const REGISTER: &[i32] = &[crate::rights::RIGHT_HIV_REGISTER];

pub(crate) fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

/// The module's query root.
#[derive(MergedObject, Default)]
pub struct CmHivQuery(
    art_registrations::ArtRegistrationQuery,
    facility_sites::FacilitySiteQuery,
);

/// The module's mutation root.
#[derive(MergedObject, Default)]
pub struct CmHivMutation(
    art_registrations::ArtRegistrationMutation,
    facility_sites::FacilitySiteMutation,
);

fn opt_uuid(v: &Option<String>, field: &str) -> AppResult<Option<Uuid>> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_uuid(s, field))
        .transpose()
}

/// The lists' common filters from their arguments: the row's global `id` (of `type_name`), its
/// `uuid`, its code (exact, prefix) and its health facility's uuid.
fn list_filter(
    type_name: &str,
    id: Option<async_graphql::ID>,
    uuid: Option<String>,
    code: Option<String>,
    code_istartswith: Option<String>,
    health_facility_uuid: Option<String>,
) -> AppResult<crate::service::ListFilter> {
    Ok(crate::service::ListFilter {
        id: id.as_deref().map(|i| parse_pk(i, type_name)).transpose()?,
        uuid: opt_uuid(&uuid, "uuid")?,
        code,
        code_istartswith,
        health_facility_uuid: opt_uuid(&health_facility_uuid, "healthFacilityUuid")?,
    })
}

/// A list's caller: for a cookie session, the CSRF token; then right 190001 (the service
/// checks it again).
fn list_caller<'a>(ctx: &Context<'a>) -> AppResult<&'a Principal> {
    kit::check_list_csrf(ctx)?;
    crate::service::require_register(principal(ctx))
}

/// One page of `select` (the caller's rows, filtered) in the request's paging and sorting, its
/// rows turned into nodes by `nodes` (which loads their nested objects once for the page).
async fn node_page<E, N>(
    ctx: &Context<'_>,
    select: Select<E>,
    args: &PageArgs,
    sorting: Sorting<'_, E>,
    nodes: impl AsyncFnOnce(Vec<E::Model>) -> AppResult<Vec<N>>,
) -> AppResult<Page<N>>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + Sync,
{
    let page = kit::page_of(ctx, select, args, sorting).await?;
    with_nodes(page, nodes).await
}

/// The module's types in Relay's `node(id:)` (D4).
pub(crate) const NODES: NodeDef = NodeDef {
    type_names: &[types::ART_REGISTRATION_TYPE, types::FACILITY_SITE_TYPE],
    register: |registry| {
        register_implementer::<ArtRegistrationGQLType>(registry);
        register_implementer::<HivFacilitySiteGQLType>(registry);
    },
    resolve: resolve_node,
};

/// A registration or site by its key, or null when it does not exist or lies outside the
/// caller's right and locations.
fn resolve_node<'a>(ctx: &'a Context<'_>, type_name: &'a str, key: &'a str) -> NodeFuture<'a> {
    Box::pin(async move {
        let Some(p) = principal(ctx) else {
            return Ok(None);
        };
        if !p.has_right(crate::rights::RIGHT_HIV_REGISTER) {
            return Ok(None);
        }
        let Ok(id) = key.parse::<i64>() else {
            return Err(AppError::validation("input.invalid_id")
                .with("id", key)
                .to_gql(&imis_core::graphql::lang(ctx)));
        };
        let st = state(ctx);
        let by_id = crate::service::ListFilter {
            id: Some(id),
            ..Default::default()
        };
        let run = async {
            Ok::<_, AppError>(match type_name {
                types::ART_REGISTRATION_TYPE => {
                    let filter = crate::service::RegistrationFilter {
                        list: by_id,
                        insuree_uuid: None,
                    };
                    let models = crate::service::registrations_select(st, Some(p), &filter)
                        .await?
                        .all(&st.db.conn)
                        .await?;
                    ArtRegistrationGQLType::page(st, p, models)
                        .await?
                        .pop()
                        .map(NodeValue::new)
                }
                types::FACILITY_SITE_TYPE => {
                    let models = crate::service::sites_select(st, Some(p), &by_id)
                        .await?
                        .all(&st.db.conn)
                        .await?;
                    HivFacilitySiteGQLType::page(st, p, models)
                        .await?
                        .pop()
                        .map(NodeValue::new)
                }
                _ => None,
            })
        };
        run.await.gql(ctx)
    })
}
