//! GraphQL of families and insurees, with openIMIS names (D3). Resolvers parse input, call one
//! service function and shape the output; pages load their families, villages, photos and
//! facilities in one query each. `InsureeQuery` and `InsureeMutation` merge the per-resource
//! roots (families, insurees, reference lists) in the schema's field order.

use crate::codes;
use crate::entity::{family, insuree, photo, status_reason};
use crate::service::{self, FamilyInput, InsureeInput, PhotoInput};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::connection_type;
use imis_core::error::{AppError, AppResult};
use imis_core::graphql::connection::PageArgs;
use imis_core::graphql::scalars::{Date, DateTime, JsonString};
use imis_core::graphql::{GqlResult, MutationEnvelopeInput, lang, parse_uuid, principal, state};
use imis_core::kit::page_of_with_expressions;
use imis_core::kit::{
    CurrentRows, Sorting, Validity, VersionFields, caller, date_time, list_caller, mutate, node_id,
    page_of,
};
use imis_core::location::graphql::{HealthFacilityGQLType, LocationGQLType, location_nodes};
use imis_core::mutation_payload;
use imis_core::ports::InsureeCoverage;
use imis_core::text::ids_sql;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Select};
use std::collections::HashMap;
use std::sync::Arc;

mod families;
mod filters;
mod inputs;
mod insurees;
mod members;
mod node;
mod reference;
mod types;

use self::families::*;
use self::filters::*;
use self::inputs::*;
use self::insurees::*;
use self::members::*;
use self::reference::*;

pub(crate) use self::node::{NODE_TYPES, register_nodes, resolve_node_value};
pub use self::reference::InsureeStatus;
pub(crate) use self::types::load_page_data;
pub use self::types::{FamilyGQLType, InsureeGQLType};

connection_type!(
    InsureeConnection,
    InsureeConnName,
    InsureeEdgeName,
    InsureeGQLType,
    "InsureeGQLType"
);
connection_type!(
    FamilyConnection,
    FamilyConnName,
    FamilyEdgeName,
    FamilyGQLType,
    "FamilyGQLType"
);
connection_type!(
    StatusReasonConnection,
    StatusReasonConnName,
    StatusReasonEdgeName,
    InsureeStatusReasonGQLType,
    "InsureeStatusReasonGQLType"
);

fn visible(ctx: &Context<'_>) -> bool {
    imis_core::registry::module_visible(ctx, crate::NAME)
}

/// D9 on nested objects (an insuree's family, a family's head): whether the caller may see a row
/// located at `location`, with the same rule as the lists. The allowed set is read once per
/// request and kept in the principal's scope, so a page costs no query per row. Unrestricted
/// users see everything; a row without a location is theirs only.
async fn nested_in_scope(ctx: &Context<'_>, location: Option<i64>) -> Result<bool> {
    let Some(p) = principal(ctx) else {
        return Ok(false);
    };
    p.scope.allows(&state(ctx).db.conn, location).await.gql(ctx)
}

/// The module's queries.
#[derive(async_graphql::MergedObject, Default)]
pub struct InsureeQuery(
    InsureeListQuery,
    FamilyQuery,
    FamilyMembersQuery,
    InsureeNumberQuery,
    ReferenceQuery,
);

/// The module's mutations.
#[derive(async_graphql::MergedObject, Default)]
pub struct InsureeMutation(FamilyMutation, InsureeWriteMutation, MembershipMutation);
