//! GraphQL of locations and health facilities, with openIMIS names (D3). Resolvers convert
//! arguments and call [`super::service`], which checks rights and scope. Parents, catchments and
//! price lists are loaded once per page (no N+1); fields of other types that name a location or
//! a facility by id load it through [`LocationRegisterLoader`].
//! One file per resource; the argument helpers they share are here.

use super::service::{
    self, CatchmentInput, HealthFacilityFilter, HealthFacilityInput, LocationFilter, LocationInput,
    Register,
};
use crate::entity::{health_facility, hf_catchment, location};
use crate::error::{AppError, AppResult};
use crate::graphql::connection::PageArgs;
use crate::graphql::scalars::{Date, DateTime, JsonString};
use crate::graphql::{GqlResult, MutationEnvelopeInput, global_id, parse_uuid, principal, state};
use crate::history::Versioned;
use crate::kit::{self, Sorting, VersionFields, page_of};
use crate::mutation::{MutationCtx, Outcome};
use crate::ports::PricelistSummary;
use crate::state::AppState;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

mod health_facilities;
mod loader;
mod locations;

pub use health_facilities::*;
pub use loader::*;
pub use locations::*;

fn json_ext(s: &Option<String>) -> Option<JsonString> {
    s.as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .map(JsonString)
}

fn opt_uuid(v: &Option<String>, field: &str) -> AppResult<Option<Uuid>> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_uuid(s, field))
        .transpose()
}

/// The uuid of the location a client names by uuid, integer id or global id (openIMIS clients
/// send all three). A reference to no current location gives the nil uuid, which selects
/// nothing, as an unknown uuid does.
pub async fn location_uuid_of_ref(
    conn: &impl ConnectionTrait,
    reference: &str,
    field: &str,
) -> AppResult<Uuid> {
    if let Ok(uuid) = Uuid::parse_str(reference.trim()) {
        return Ok(uuid);
    }
    let Some(id) = crate::registers::location_id_by_ref(conn, reference, field).await? else {
        return Ok(Uuid::nil());
    };
    use sea_orm::EntityTrait;
    Ok(location::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map_or(Uuid::nil(), |l| l.uuid))
}

/// An optional location argument ([`location_uuid_of_ref`]); blank = absent.
async fn location_ref(
    conn: &impl ConnectionTrait,
    v: &Option<String>,
    field: &str,
) -> AppResult<Option<Uuid>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(reference) => Ok(Some(location_uuid_of_ref(conn, reference, field).await?)),
        None => Ok(None),
    }
}

/// An optional list of locations ([`location_uuid_of_ref`]).
async fn location_refs(
    conn: &impl ConnectionTrait,
    v: &Option<Vec<String>>,
    field: &str,
) -> AppResult<Option<Vec<Uuid>>> {
    let Some(list) = v else { return Ok(None) };
    let mut out = Vec::with_capacity(list.len());
    for reference in list {
        out.push(location_uuid_of_ref(conn, reference, field).await?);
    }
    Ok(Some(out))
}

fn pk(v: &Option<ID>, type_name: &str) -> AppResult<Option<i64>> {
    v.as_ref()
        .map(|id| crate::graphql::parse_pk(id, type_name))
        .transpose()
}

/// A list resolver of the register: the CSRF check of lists (the service checks the rights),
/// then `list`, its error in the caller's language.
async fn list<T>(
    ctx: &Context<'_>,
    list: impl AsyncFnOnce() -> AppResult<T>,
) -> async_graphql::Result<T> {
    kit::check_list_csrf(ctx).gql(ctx)?;
    list().await.gql(ctx)
}

/// [`kit::mutate`] for a write of one row of `E` (the service checks the rights): the mutation
/// log links the row `write` returns, and the payload answers its id.
async fn mutate_row<E: Register, P>(
    ctx: &Context<'_>,
    name: &str,
    envelope: &MutationEnvelopeInput,
    input: &impl serde::Serialize,
    rights: &'static [i32],
    write: impl AsyncFnOnce(&mut MutationCtx<'_>) -> AppResult<E::Model>,
) -> async_graphql::Result<P>
where
    E::Model: Versioned,
    P: From<Outcome<i64>>,
{
    kit::mutate(ctx, name, envelope, input, rights, async |m| {
        let id = write(m).await?.id();
        m.link(E::NAME, id);
        Ok(id)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn schema_and_queries() {
        let dir = std::env::temp_dir().join(format!("imis-locgql-{}", Uuid::now_v7()));
        let cfg = crate::config::Config::for_tests("sqlite::memory:", &dir);
        let state = AppState::build(cfg, true).await.unwrap();
        let tx = state.db.begin_write().await.unwrap();
        crate::location::demo::seed(&state, &*tx, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let admin = crate::auth::Principal {
            user_id: 1,
            user_uuid: Uuid::now_v7(),
            username: "admin".into(),
            language: "en".into(),
            rights: Default::default(),
            is_admin: true,
            kinds: Default::default(),
            health_facility_id: None,
            scope: crate::auth::Scope::unrestricted(),
            jti: None,
            login_id: None,
            token_exp: 0,
            tokens_valid_after: 0,
            csrf: crate::auth::Csrf::Satisfied,
        };
        let schema = async_graphql::Schema::build(
            LocationQuery::default(),
            LocationMutation::default(),
            async_graphql::EmptySubscription,
        )
        .data(state.clone())
        .data(admin)
        .finish();
        let sdl = schema.sdl();
        assert!(sdl.contains("parent_Uuid: String"), "{sdl}");
        let q = r#"{ locations(type: "V", parent_Parent_Uuid: null, first: 3, orderBy: ["-code"]) { totalCount edgeCount edges { node { id code name type parent { code parent { code parent { name } } } } } }
            healthFacilities(showHistory: true, name_Icontains: "deido") { totalCount edges { node { id code legalForm { code legalForm } subLevel { code } status location { code } catchments { catchment location { code } } itemsPricelist { id } } } }
            healthFacilitiesStr(str: "pongo") { edges { node { code } } }
            userDistricts { code parent { code } }
            validateLocationCode(locationCode: "ZZZ") }"#;
        let res = schema.execute(q).await;
        assert!(res.errors.is_empty(), "{:?}", res.errors);
        let v = res.data.into_json().unwrap();
        assert_eq!(v["locations"]["totalCount"], 11);
        assert_eq!(
            v["locations"]["edges"][0]["node"]["parent"]["parent"]["parent"]["name"],
            "Littoral"
        );
        assert_eq!(
            v["healthFacilities"]["edges"][0]["node"]["catchments"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            v["healthFacilitiesStr"]["edges"][0]["node"]["code"],
            "DS0001"
        );
        let m = r#"mutation { createLocation(input: {clientMutationId: "c1", code: "W0077", name: "Bonamoussadi", type: "W", parentUuid: "00000000-0000-0000-0000-000000000000"}) { clientMutationId internalId } }"#;
        let res = schema.execute(m).await;
        assert_eq!(
            res.errors[0]
                .extensions
                .as_ref()
                .unwrap()
                .get("code")
                .unwrap()
                .to_string(),
            "\"location.parent_invalid\""
        );
    }
}
