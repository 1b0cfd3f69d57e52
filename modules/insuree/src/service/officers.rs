//! `insureeOfficers`: the enrolment-officer picker of the family and insuree screens.

use super::*;
use imis_core::graphql::connection::{Page, PageArgs};
use imis_core::registers::{Officer, OfficerFilter, officers_page};

/// Who may list the officers: the screens that show the picker (family and insuree search, add
/// and edit). openIMIS leaves the list open to any logged-in user; the picker has no other use.
pub const RIGHTS_OFFICER_PICKER: &[i32] = &[
    RIGHT_FAMILY_SEARCH,
    RIGHT_FAMILY_ADD,
    RIGHT_FAMILY_EDIT,
    RIGHT_INSUREE_SEARCH,
    RIGHT_INSUREE_ADD,
    RIGHT_INSUREE_EDIT,
];

/// openIMIS's officer filters of `insureeOfficers`; every one given must hold.
#[derive(Debug, Clone, Default)]
pub struct OfficerLookup {
    pub id: Option<i64>,
    pub uuid: Option<Uuid>,
    /// Exact officer code, case kept.
    pub code: Option<String>,
    /// The code contains it, case ignored.
    pub code_icontains: Option<String>,
    /// Names ignore case and accents (D19), `exact` too.
    pub last_name: Option<String>,
    pub last_name_icontains: Option<String>,
    pub other_names: Option<String>,
    pub other_names_icontains: Option<String>,
    pub dob: Option<NaiveDate>,
}

/// `insureeOfficers`: one page of the current enrolment officers within the caller's locations
/// (D9) who work in `location` (uuid, integer id or global id: the officer's own location or one
/// of their villages lies in it or below it), ordered by code, with the filters of `lookup`.
/// Every filter is applied by the register in the database, so a page reads only its rows.
pub async fn insuree_officers(
    state: &AppState,
    principal: Option<&Principal>,
    location: Option<&str>,
    lookup: &OfficerLookup,
    args: &PageArgs,
    want_total: bool,
) -> AppResult<Page<Officer>> {
    let p = require_user(principal, Requirement::AnyOf(RIGHTS_OFFICER_PICKER))?;
    let conn = &state.db.conn;
    let cfg = &state.config.graphql;
    let mut filter = OfficerFilter {
        ids: lookup.id.map(|id| vec![id]),
        uuid: lookup.uuid,
        code: lookup.code.clone(),
        code_contains: lookup.code_icontains.clone(),
        last_name: lookup.last_name.clone(),
        last_name_contains: lookup.last_name_icontains.clone(),
        other_names: lookup.other_names.clone(),
        other_names_contains: lookup.other_names_icontains.clone(),
        birth_date: lookup.dob,
        ..OfficerFilter::default()
    };
    if let Some(allowed) = p.scope.allowed_locations(conn).await? {
        filter.location_sets.push(allowed.iter().copied().collect());
    }
    if let Some(reference) = location.map(str::trim).filter(|l| !l.is_empty()) {
        let root = imis_core::registers::location_id_by_ref(conn, reference, "locationId")
            .await?
            .ok_or_else(|| AppError::not_found("location"))?;
        filter
            .location_sets
            .push(imis_core::location::service::subtree_ids(conn, root).await?);
    }
    officers_page(conn, &filter, args, want_total, cfg).await
}
