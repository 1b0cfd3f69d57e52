//! Business rules of claims: rights (D8) and location scope (D9) first, then the rules of entry,
//! submission (D20, D21), review and feedback (D23) and processing (D22). Writes run inside the
//! caller's mutation transaction and keep the previous version in history (D7).
//!
//! Location scope: a claim lies where its health facility lies. A claim administrator (a user
//! attached to one facility) reaches that facility's claims, interactive users and officers the
//! claims of the facilities in their districts and villages; a user of several kinds reaches the
//! union, an IMIS administrator every claim (D9).

use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::location::service::{HealthFacilityFilter, health_facilities_select};
use imis_core::{AppResult, AppState};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{EntityTrait, Iterable, PrimaryKeyToColumn, QuerySelect, QueryTrait};

/// History entity names (`imis_core::history`).
pub(crate) const ENTITY_CLAIM: &str = "claim_claim";
pub(crate) const ENTITY_DETAIL: &str = "claim_detail";
pub(crate) const ENTITY_FEEDBACK: &str = "claim_feedback";
pub(crate) const ENTITY_FEEDBACK_PROMPT: &str = "claim_feedback_prompt";

/// Claim statuses (reference §1.2).
pub const STATUS_REJECTED: i32 = 1;
pub const STATUS_ENTERED: i32 = 2;
pub const STATUS_CHECKED: i32 = 4;
pub const STATUS_PROCESSED: i32 = 8;
pub const STATUS_VALUATED: i32 = 16;

/// Review and feedback statuses (reference §1.2).
pub(crate) const REVIEW_IDLE: i32 = 1;
pub(crate) const REVIEW_NOT_SELECTED: i32 = 2;
pub(crate) const REVIEW_SELECTED: i32 = 4;
pub(crate) const REVIEW_DELIVERED: i32 = 8;
pub(crate) const REVIEW_BYPASSED: i32 = 16;

/// Line statuses.
pub(crate) const LINE_PASSED: i32 = 1;
pub(crate) const LINE_REJECTED: i32 = 2;

/// Line kinds in `claim_detail.kind`.
pub(crate) const KIND_ITEM: &str = "I";
pub(crate) const KIND_SERVICE: &str = "S";

/// The caller, who must hold one of `rights`.
pub(crate) fn require<'a>(
    principal: Option<&'a Principal>,
    rights: &'static [i32],
) -> AppResult<&'a Principal> {
    require_user(principal, Requirement::AnyOf(rights))
}

/// The facilities whose claims `p` may reach, as a sub-query of ids, or `None` for all (D9,
/// the union of the caller's kinds): an unrestricted caller reaches every facility; otherwise the
/// facilities in the caller's districts and villages, and a claim administrator's own facility.
pub(crate) async fn visible_facility_ids(
    state: &AppState,
    p: &Principal,
) -> AppResult<Option<SelectStatement>> {
    if p.scope.unrestricted {
        return Ok(None);
    }
    let own = own_facility(p).map(|hf| {
        sea_orm::sea_query::Query::select()
            .expr(sea_orm::sea_query::Expr::val(hf))
            .to_owned()
    });
    let Some(located) = located_principal(p) else {
        // A claim administrator without districts or villages: its facility alone.
        return Ok(own);
    };
    let facilities =
        health_facilities_select(state, Some(&located), &HealthFacilityFilter::default()).await?;
    let in_locations = primary_keys(facilities).into_query();
    Ok(Some(match own {
        Some(mut own) => own
            .union(sea_orm::sea_query::UnionType::All, in_locations)
            .to_owned(),
        None => in_locations,
    }))
}

/// Whether `p` may reach the claims of the facility `facility_id` (the same union as
/// [`visible_facility_ids`]).
pub(crate) async fn facility_reachable(
    state: &AppState,
    p: &Principal,
    facility_id: i64,
) -> AppResult<bool> {
    if p.scope.unrestricted || own_facility(p) == Some(facility_id) {
        return Ok(true);
    }
    let Some(located) = located_principal(p) else {
        return Ok(false);
    };
    let location =
        imis_core::registers::health_facility_location_id(&state.db.conn, facility_id).await?;
    located.scope.allows(&state.db.conn, location).await
}

/// The facility of a claim administrator.
fn own_facility(p: &Principal) -> Option<i64> {
    p.health_facility_id.filter(|_| p.kinds.claim_admin)
}

/// `p` with the scope of its districts and villages only, or `None` when a claim administrator
/// has neither. A claim administrator's scope also holds its facility's district, which must
/// not open that district's other facilities: the administrator reaches its facility alone.
fn located_principal(p: &Principal) -> Option<std::borrow::Cow<'_, Principal>> {
    use std::borrow::Cow;
    if p.scope.health_facility_id.is_none() && p.scope.health_facility_location.is_none() {
        return Some(Cow::Borrowed(p));
    }
    if p.scope.districts.is_empty() && p.scope.villages.is_empty() {
        return None;
    }
    let mut located = p.clone();
    located.scope = imis_core::auth::Scope::restricted(
        imis_core::location::tree::LOCATION_TREE,
        p.scope.districts.clone(),
        p.scope.villages.clone(),
        None,
    );
    Some(Cow::Owned(located))
}

/// A select of the primary keys only (the facility entity stays core's: it is reached through
/// the type of the location service's select, never named).
fn primary_keys<E: EntityTrait>(select: sea_orm::Select<E>) -> sea_orm::Select<E> {
    match E::PrimaryKey::iter().next() {
        Some(pk) => select.select_only().column(pk.into_column()),
        None => select,
    }
}

pub(crate) mod attachments;
mod claims;
mod entry;
mod entry_checks;
pub(crate) mod explanations;
pub(crate) mod feedback;
pub(crate) mod filters;
mod lists;
pub(crate) mod processing;
pub(crate) mod review;
pub(crate) mod rules;
pub(crate) mod submission;
pub(crate) mod valuation;

pub(crate) use claims::*;
pub(crate) use entry::*;
pub(crate) use lists::*;
