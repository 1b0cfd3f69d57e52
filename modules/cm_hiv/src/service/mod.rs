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
use imis_core::location::service::{HealthFacilityFilter, health_facilities_select};
use imis_core::{AppResult, AppState};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{EntityTrait, Iterable, PrimaryKeyToColumn, QuerySelect, QueryTrait};

/// History entity names (`imis_core::history`).
pub(crate) const ENTITY_ART_REGISTRATION: &str = "cm_hiv_art_registration";
pub(crate) const ENTITY_FACILITY_SITE: &str = "cm_hiv_facility_site";

/// The programme's right, required by every operation.
pub(crate) fn require_register(principal: Option<&Principal>) -> AppResult<&Principal> {
    require_user(principal, Requirement::AnyOf(&[RIGHT_HIV_REGISTER]))
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
