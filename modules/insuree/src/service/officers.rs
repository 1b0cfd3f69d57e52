//! `insureeOfficers`: the enrolment-officer picker of the family and insuree screens.

use super::*;
use imis_core::graphql::connection::{Page, PageArgs, page_in_memory};
use imis_core::registers::{Officer, OfficerFilter, officers_page};
use imis_core::text::fold;

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
    /// Exact officer code.
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

impl OfficerLookup {
    fn is_empty(&self) -> bool {
        self.id.is_none()
            && self.uuid.is_none()
            && self.code.is_none()
            && self.code_icontains.is_none()
            && self.last_name.is_none()
            && self.last_name_icontains.is_none()
            && self.other_names.is_none()
            && self.other_names_icontains.is_none()
            && self.dob.is_none()
    }

    /// A text every matching officer's code or names contain: the register's `search`, which
    /// narrows the rows read to a superset of the matches.
    fn narrowing_search(&self) -> Option<String> {
        [
            &self.code,
            &self.code_icontains,
            &self.last_name,
            &self.last_name_icontains,
            &self.other_names,
            &self.other_names_icontains,
        ]
        .into_iter()
        .flatten()
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
    }

    fn matches(&self, o: &Officer) -> bool {
        let code = o.code.as_deref().unwrap_or_default();
        let has = |hay: &str, needle: &Option<String>| {
            needle
                .as_deref()
                .is_none_or(|n| fold(hay).contains(&fold(n.trim())))
        };
        let is = |value: &str, wanted: &Option<String>| {
            wanted
                .as_deref()
                .is_none_or(|w| fold(value) == fold(w.trim()))
        };
        self.id.is_none_or(|id| id == o.id)
            && self.uuid.is_none_or(|u| u == o.uuid)
            && self.code.as_deref().is_none_or(|c| c.trim() == code)
            && self
                .code_icontains
                .as_deref()
                .is_none_or(|c| code.to_uppercase().contains(&c.trim().to_uppercase()))
            && is(&o.last_name, &self.last_name)
            && has(&o.last_name, &self.last_name_icontains)
            && is(&o.other_names, &self.other_names)
            && has(&o.other_names, &self.other_names_icontains)
            && self.dob.is_none_or(|d| Some(d) == o.birth_date)
    }
}

/// `insureeOfficers`: one page of the current enrolment officers within the caller's locations
/// (D9) who work in `location` (uuid, integer id or global id: the officer's own location or one
/// of their villages lies in it or below it), ordered by code.
///
/// The register's filter knows a location set and a text search only; the exact filters of
/// `lookup` are applied here, on every officer the search lets through (the officers of one
/// location are few), and that list is paged in memory.
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
    let mut filter = OfficerFilter::default();
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
    if lookup.is_empty() {
        return officers_page(conn, &filter, args, want_total, cfg).await;
    }
    filter.search = lookup.narrowing_search();
    let mut matching = Vec::new();
    let mut walk = PageArgs::new(Some(cfg.max_page_size as i32), None, None, None, None, None);
    loop {
        let page = officers_page(conn, &filter, &walk, false, cfg).await?;
        walk.after = page.rows.last().map(|(cursor, _)| cursor.clone());
        let more = page.has_next;
        matching.extend(
            page.rows
                .into_iter()
                .map(|(_, o)| o)
                .filter(|o| lookup.matches(o)),
        );
        if !more {
            break;
        }
    }
    page_in_memory(matching, args, cfg)
}
