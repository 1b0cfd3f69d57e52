//! The module's sea-orm entities, one file per table; private to the crate (other modules use
//! [`crate::api`]).

pub(crate) mod art_registration;
pub(crate) mod facility_site;

// Both tables keep replaced versions in the history (D7), through `imis_core::kit`.
