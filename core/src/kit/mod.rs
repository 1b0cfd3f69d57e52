//! Building blocks every module's resolvers and services repeat, so that a module states only
//! what is particular to it:
//! - [`mutate`]: the mutation resolver shell (rights, envelope and log, payload, error mapping);
//! - [`list`]: the list resolver tail (paging, sorting, `totalCount`) and the caller check;
//! - [`fields`]: the versioned GraphQL fields (`id`, `uuid`, `validityFrom`, `validityTo`,
//!   `legacyId`, `auditUserId`) and the per-request display of instants and money;
//! - [`versions`]: history-then-update and soft delete as one call each, and the current-row
//!   condition (`validity_to IS NULL`) as one named helper.

pub mod fields;
pub mod list;
pub mod mutate;
pub mod versions;

pub use fields::{VersionFields, date_time, money, node_id};
pub use list::{Sorting, caller, page_of};
pub use mutate::mutate;
pub use versions::{CurrentRows, close_version, current, new_version};
