//! GraphQL of the HIV programme: `artRegistrations`, `hivFacilitySites` and the mutations
//! `registerArtNumber`, `changeArtNumber`, `deleteArtRegistration`, `setFacilitySiteCode`
//! (openIMIS-style inputs with `clientMutationId`, logged in the mutation log). Resolvers convert
//! arguments and call one function of the service, which checks the right and the scope. Every
//! root field is hidden, and refused with `module.disabled`, when the module is off.

mod art_registrations;
mod facility_sites;
mod types;

pub use types::{ArtRegistrationGQLType, HivFacilitySiteGQLType};

use async_graphql::{Context, MergedObject};
use imis_core::AppResult;
use imis_core::graphql::connection::PageArgs;
use imis_core::graphql::relay::{NodeValue, register_implementer};
use imis_core::graphql::{GqlResult, parse_uuid, principal, state};
use imis_core::registry::{NodeDef, NodeFuture};
use uuid::Uuid;

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

/// List queries of cookie sessions must carry the CSRF token (D31).
fn check_list(ctx: &Context<'_>) -> async_graphql::Result<()> {
    if let Some(p) = principal(ctx) {
        p.check_csrf().gql(ctx)?;
    }
    Ok(())
}

fn opt_uuid(v: &Option<String>, field: &str) -> AppResult<Option<Uuid>> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_uuid(s, field))
        .transpose()
}

fn page_args(
    first: Option<i32>,
    last: Option<i32>,
    after: Option<String>,
    before: Option<String>,
    offset: Option<i32>,
    order_by: Option<Vec<String>>,
) -> PageArgs {
    PageArgs {
        first,
        last,
        after,
        before,
        offset,
        order_by,
    }
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
            return Err(imis_core::AppError::validation("input.invalid_id")
                .with("id", key)
                .to_gql(&imis_core::graphql::lang(ctx)));
        };
        let st = state(ctx);
        let run = async {
            Ok::<_, imis_core::AppError>(match type_name {
                types::ART_REGISTRATION_TYPE => {
                    let filter = crate::service::RegistrationFilter {
                        id: Some(id),
                        ..Default::default()
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
                    let filter = crate::service::SiteFilter {
                        id: Some(id),
                        ..Default::default()
                    };
                    let models = crate::service::sites_select(st, Some(p), &filter)
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
