//! The location tree's recursive queries, shared by the location service and the location scope
//! the users register builds (the kernel's [`crate::auth::Scope`] runs them through
//! [`LOCATION_TREE`]).

use crate::auth::scope::LocationTree;
use sea_orm::{DbBackend, Statement};

/// The queries a restricted scope runs over the location tree.
pub const LOCATION_TREE: LocationTree = LocationTree {
    descendants: descendants_statement,
    ancestors: ancestors_statement,
};

/// `id` of the current locations among `bases` and of every current descendant.
pub fn descendants_statement(backend: DbBackend, bases: &[i64]) -> Statement {
    Statement::from_string(
        backend,
        format!(
            "WITH RECURSIVE sub(id) AS (SELECT id FROM core_location WHERE id IN ({}) AND validity_to IS NULL \
             UNION SELECT l.id FROM core_location l JOIN sub ON l.parent_id = sub.id WHERE l.validity_to IS NULL) SELECT id FROM sub",
            crate::text::ids_sql(bases.iter().copied())
        ),
    )
}

/// `id` of `bases` and of all their ancestors.
pub fn ancestors_statement(backend: DbBackend, bases: &[i64]) -> Statement {
    Statement::from_string(
        backend,
        format!(
            "WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM core_location WHERE id IN ({}) \
             UNION SELECT l.id, l.parent_id FROM core_location l JOIN up ON l.id = up.parent_id) SELECT id FROM up",
            crate::text::ids_sql(bases.iter().copied())
        ),
    )
}
