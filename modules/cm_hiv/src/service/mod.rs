//! Business rules of the HIV programme: rights (D8, the one right
//! [`RIGHT_HIV_REGISTER`](crate::rights::RIGHT_HIV_REGISTER)) and location scope (D9) first, then
//! the programme's formats and uniqueness; writes run inside the caller's mutation transaction and
//! keep the previous version in history (D7).
//!
//! Location scope: a treatment site is where its health facility is; an ART registration is where
//! its site is (the register is kept per treatment site). Facilities are read through the core's
//! location service, which applies the caller's scope, so a restricted user only reaches the
//! sites and registrations of their districts.

mod art_registrations;
mod facility_sites;
mod formats;

pub(crate) use art_registrations::*;
pub(crate) use facility_sites::*;
pub(crate) use formats::*;

use crate::rights::RIGHT_HIV_REGISTER;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::kit::CurrentRows;
use imis_core::location::service::{HealthFacilityFilter, health_facilities_select};
use imis_core::{AppResult, AppState};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{
    ColumnTrait, EntityTrait, Iterable, PrimaryKeyToColumn, QueryFilter, QuerySelect, QueryTrait,
    Select,
};
use uuid::Uuid;

/// History entity names (`imis_core::history`).
pub(crate) const ENTITY_ART_REGISTRATION: &str = "cm_hiv_art_registration";
pub(crate) const ENTITY_FACILITY_SITE: &str = "cm_hiv_facility_site";

/// The programme's right, required by every operation.
pub(crate) fn require_register(principal: Option<&Principal>) -> AppResult<&Principal> {
    require_user(principal, Requirement::AnyOf(&[RIGHT_HIV_REGISTER]))
}

/// The filters both lists take: a row by id or uuid, its code (the ART number, the site code:
/// exact or by prefix, in any case) and its health facility.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListFilter {
    pub(crate) id: Option<i64>,
    pub(crate) uuid: Option<Uuid>,
    pub(crate) code: Option<String>,
    pub(crate) code_istartswith: Option<String>,
    pub(crate) health_facility_uuid: Option<Uuid>,
}

/// The columns [`ListFilter`] reads in a listed table.
pub(crate) struct ListColumns<E: EntityTrait> {
    pub(crate) id: E::Column,
    pub(crate) uuid: E::Column,
    pub(crate) code: E::Column,
    pub(crate) health_facility: E::Column,
}

/// The current rows of `E` at the health facilities `p` may see, narrowed by `f`.
async fn list_select<E: EntityTrait>(
    state: &AppState,
    p: &Principal,
    columns: ListColumns<E>,
    f: &ListFilter,
) -> AppResult<Select<E>> {
    let mut q = E::find().current();
    if let Some(visible) = visible_facility_ids(state, p).await? {
        q = q.filter(columns.health_facility.in_subquery(visible));
    }
    if let Some(id) = f.id {
        q = q.filter(columns.id.eq(id));
    }
    if let Some(u) = f.uuid {
        q = q.filter(columns.uuid.eq(u));
    }
    if let Some(code) = &f.code {
        q = q.filter(columns.code.eq(normalise(code)));
    }
    if let Some(prefix) = f.code_istartswith.as_deref().map(normalise)
        && !prefix.is_empty()
    {
        q = q.filter(imis_core::text::starts_with(columns.code, &prefix));
    }
    if let Some(u) = f.health_facility_uuid {
        let id = imis_core::registers::health_facility_id_by_uuid(&state.db.conn, u).await?;
        // An unknown facility has nothing: an always-false condition keeps the query typed.
        q = q.filter(columns.health_facility.eq(id.unwrap_or(-1)));
    }
    Ok(q)
}

/// The ids of the current health facilities `p` may see, as a sub-query; `None` when `p` is not
/// restricted (every facility).
pub(crate) async fn visible_facility_ids(
    state: &AppState,
    p: &Principal,
) -> AppResult<Option<SelectStatement>> {
    if p.scope.unrestricted {
        return Ok(None);
    }
    let facilities =
        health_facilities_select(state, Some(p), &HealthFacilityFilter::default()).await?;
    Ok(Some(primary_keys(facilities).into_query()))
}

/// A select of the primary keys only (the facility entity stays core's: it is reached through the
/// type of the location service's select, never named).
fn primary_keys<E: EntityTrait>(select: sea_orm::Select<E>) -> sea_orm::Select<E> {
    match E::PrimaryKey::iter().next() {
        Some(pk) => select.select_only().column(pk.into_column()),
        None => select,
    }
}

/// Whether the current health facility `id` exists and lies within `p`'s locations.
pub(crate) async fn facility_visible(state: &AppState, p: &Principal, id: i64) -> AppResult<bool> {
    let filter = HealthFacilityFilter {
        id: Some(id),
        ..Default::default()
    };
    let found = health_facilities_select(state, Some(p), &filter)
        .await?
        .one(&state.db.conn)
        .await?;
    Ok(found.is_some())
}

/// The current health facility with this uuid as `p` may see it: its id, or `not_found` (an
/// unknown uuid) / `location_denied` (a facility outside `p`'s locations).
pub(crate) async fn visible_facility_by_uuid(
    state: &AppState,
    p: &Principal,
    uuid: uuid::Uuid,
) -> AppResult<i64> {
    let conn = &state.db.conn;
    let id = imis_core::registers::health_facility_id_by_uuid(conn, uuid)
        .await?
        .ok_or_else(|| imis_core::AppError::not_found("health_facility"))?;
    if !facility_visible(state, p, id).await? {
        return Err(imis_core::AppError::location_denied());
    }
    Ok(id)
}
