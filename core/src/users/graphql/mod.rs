//! GraphQL of users, roles, auth and the mutation log, with openIMIS names, one file per
//! resource; the helpers they share are here.

use super::service::{self, RoleInput, UserInput};
use crate::auth::request::{Credentials, JWT_COOKIE, SESSION_COOKIE, principal_of_token};
use crate::auth::{Requirement, UserKinds, require, require_user, tokens};
use crate::connection_type;
use crate::entity::{mutation_log, role, role_right, user};
use crate::error::{AppError, ErrorKind};
use crate::graphql::connection::{Page, PageArgs};
use crate::graphql::scalars::{Date, DateTime, GenericScalar, JsonString};
use crate::graphql::{
    GqlResult, MutationEnvelopeInput, global_id, lang, parse_uuid, principal, state,
};
use crate::kit::{self, CurrentRows, Sorting, Validity, VersionFields, page_of};
use crate::location::graphql::{
    HealthFacilityGQLType, LocationGQLType, health_facility_node, location_node,
};
use crate::mutation_payload;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

mod links;
mod modules;
mod mutation_logs;
mod officers;
mod roles;
mod session;
mod user_lists;
mod user_mutations;
mod users;

pub use links::*;
pub use modules::*;
pub use mutation_logs::*;
pub use officers::*;
pub use roles::*;
pub use session::*;
pub use user_lists::*;
pub use user_mutations::*;
pub use users::*;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, serde::Serialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum UserTypes {
    Interactive,
    Officer,
    Technical,
    ClaimAdmin,
}

fn kinds_of(types: &[UserTypes]) -> UserKinds {
    UserKinds {
        interactive: types.contains(&UserTypes::Interactive),
        officer: types.contains(&UserTypes::Officer),
        claim_admin: types.contains(&UserTypes::ClaimAdmin),
        technical: types.contains(&UserTypes::Technical),
    }
}

/// Case-insensitive substring match on an ASCII-ish column (usernames, codes, role names),
/// identical on SQLite and PostgreSQL.
fn icontains(col: impl sea_orm::ColumnTrait, v: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    let pattern = format!("%{}%", crate::text::like_escape(&v.to_lowercase()));
    Expr::expr(Func::lower(Expr::col(col)))
        .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\'))
}

/// Case-insensitive equality on an ASCII-ish column (logins, e-mail addresses, phone numbers).
fn iexact(col: user::Column, v: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    Expr::expr(Func::lower(Expr::col(col))).eq(v.to_lowercase())
}

/// The free-text search of people lists: `code` (a username or officer code) contains `v`, or
/// the folded last or other names contain its folded form.
fn person_search(code: user::Column, v: &str) -> sea_orm::Condition {
    let folded = crate::text::fold(v);
    sea_orm::Condition::any()
        .add(icontains(code, v))
        .add(user::Column::LastNameSearch.contains(folded.clone()))
        .add(user::Column::OtherNamesSearch.contains(folded))
}

/// SQL condition on `core_user`: the user is linked to one of `locations` (an SQL list or
/// sub-query of location ids) the way the location scope (D9) counts links: its districts, its
/// officer villages, its officer district or its facility's location.
fn linked_to_locations(locations: &str) -> String {
    format!(
        "(core_user.id IN (SELECT user_id FROM core_user_district WHERE validity_to IS NULL AND location_id IN ({l})) \
         OR core_user.id IN (SELECT user_id FROM core_officer_village WHERE validity_to IS NULL AND location_id IN ({l})) \
         OR core_user.officer_location_id IN ({l}) \
         OR core_user.health_facility_id IN (SELECT id FROM core_health_facility WHERE location_id IN ({l})))",
        l = locations
    )
}

/// Applies D9 to a user query for restricted callers: themselves and the users linked to their
/// locations.
async fn scope_users(
    st: &crate::state::AppState,
    p: &crate::auth::Principal,
    q: sea_orm::Select<user::Entity>,
) -> crate::AppResult<sea_orm::Select<user::Entity>> {
    let Some(allowed) = p.scope.allowed_locations(&st.db.conn).await? else {
        return Ok(q);
    };
    let allowed = crate::text::ids_sql(allowed.iter().copied());
    Ok(q.filter(sea_orm::sea_query::Expr::cust(format!(
        "(core_user.id = {me} OR {linked})",
        me = p.user_id,
        linked = linked_to_locations(&allowed)
    ))))
}

/// The health facility of user `u` as the caller may see it: one's own always, another user's
/// only within the caller's locations (D9).
async fn facility_of_user(
    ctx: &Context<'_>,
    u: &user::Model,
) -> Result<Option<HealthFacilityGQLType>> {
    let Some(id) = u.health_facility_id else {
        return Ok(None);
    };
    let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
    let Some(facility) = health_facility_node(ctx, id).await.gql(ctx)? else {
        return Ok(None);
    };
    if u.id != p.user_id
        && !p
            .scope
            .allows(&state(ctx).db.conn, Some(facility.model.location_id))
            .await
            .gql(ctx)?
    {
        return Ok(None);
    }
    Ok(Some(facility))
}

/// One page of the users `q` selects, within the caller's locations (D9), sortable by
/// `columns` (by the first one when the client names none).
async fn users_page(
    ctx: &Context<'_>,
    p: &crate::auth::Principal,
    q: sea_orm::Select<user::Entity>,
    args: PageArgs,
    columns: &[(&str, user::Column)],
) -> crate::AppResult<Page<user::Model>> {
    let q = scope_users(state(ctx), p, q).await?;
    let sorting = Sorting {
        columns,
        id: user::Column::Id,
        default_order: &[columns[0].0],
    };
    page_of(ctx, q, &args, sorting).await
}

/// The roles of `user_id` among the (user id, role) pairs of a page.
fn roles_of(roles: &[(i64, role::Model)], user_id: i64) -> Vec<role::Model> {
    roles
        .iter()
        .filter(|(uid, _)| *uid == user_id)
        .map(|(_, r)| r.clone())
        .collect()
}

/// Whether no current user holds `value` in `column` (a username or e-mail check), for a caller
/// who may search, add or edit users.
async fn user_value_free(
    ctx: &Context<'_>,
    column: user::Column,
    value: String,
) -> crate::AppResult<bool> {
    kit::caller(
        ctx,
        &[
            service::RIGHT_USER_SEARCH,
            service::RIGHT_USER_ADD,
            service::RIGHT_USER_EDIT,
        ],
    )?;
    let conn = &state(ctx).db.conn;
    Ok(!kit::taken::<user::Entity>(conn, column, value, user::Column::Id, None).await?)
}

fn uuids(list: &Option<Vec<String>>) -> crate::AppResult<Vec<uuid::Uuid>> {
    list.iter()
        .flatten()
        .map(|u| parse_uuid(u, "uuids"))
        .collect()
}
