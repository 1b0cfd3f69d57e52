//! Building blocks every module's resolvers and services repeat, so that a module states only
//! what is particular to it:
//! - [`mutate`]: the mutation resolver shell (rights, envelope and log, payload, error mapping),
//!   with [`mutate_with_secrets`] for mutations carrying passwords and [`mutate_each`]
//!   ([`mutate_each_summarised`], [`mutate_batches`]) for bulk mutations committed item by item
//!   (D26);
//! - [`list`]: the list resolver prologue (caller and CSRF check: [`list_caller`],
//!   [`check_list_csrf`]) and tail (paging, sorting, `totalCount`: [`page_of`]);
//! - [`fields`]: the versioned GraphQL fields (`id`, `uuid`, `validityFrom`, `validityTo`,
//!   `legacyId`, `auditUserId`; [`Validity`] where a type has no `legacyId`) and the
//!   per-request display of instants and money;
//! - [`versioned_entity!`](crate::versioned_entity): a versioned table's sea-orm entity from its own columns;
//! - [`versions`]: the first version of a row, history-then-update and soft delete as one call each, and the current-row
//!   condition (`validity_to IS NULL`) as one named helper; [`taken`], the uniqueness check of
//!   codes and names among current rows.

pub mod entity;
pub mod fields;
pub mod list;
pub mod mutate;
pub mod versions;

pub use crate::mutation_bulk::{BulkOutcome, ItemError, ItemOutcome, Summary};
pub use fields::{Validity, VersionFields, date_time, money, node_id};
pub use list::{
    Sorting, caller, check_list_csrf, list_caller, page_of, page_of_with_expressions, with_nodes,
};
pub use mutate::{
    mutate, mutate_batches, mutate_each, mutate_each_summarised, mutate_with_secrets,
};
pub use versions::{
    CurrentRows, close_version, current, insert_version, new_version, new_versions, taken,
};
