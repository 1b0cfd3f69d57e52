//! The module's sea-orm entities, one file per table; private to the crate (other modules use
//! [`crate::api`]). Every table keeps replaced versions in the history (D7), through
//! `imis_core::kit`.

pub(crate) mod attachment;
pub(crate) mod claim;
pub(crate) mod detail;
pub(crate) mod feedback;
pub(crate) mod feedback_prompt;
