//! Families and insurees: the business operations, callable without GraphQL. Every operation
//! checks its right first (D8), then the location scope (D9: a family is reached through its
//! village, an insuree through its current village or its family's village), validates, writes
//! with history (D7) and publishes the events of [`crate::events`] inside the transaction. A row
//! that is changed is read under a row lock in the write transaction, so that concurrent writers
//! on PostgreSQL queue instead of saving the same previous version twice; a unique index that
//! decides a race (insurance number, uuid) answers the business error.

use crate::codes;
use crate::config::InsureeConfig;
use crate::entity::{family, insuree, photo};
use crate::events::*;
use base64::Engine;
use chrono::NaiveDate;
use imis_core::AppState;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::error::{AppError, AppResult, ErrorKind};
use imis_core::kit::{CurrentRows, close_version, insert_version, new_version};
use imis_core::mutation::MutationCtx;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::LockType,
};
use std::collections::HashMap;
use uuid::Uuid;

mod families;
mod inputs;
mod insurees;
mod lookups;
mod members;
mod officers;
mod photos;
mod scope;

pub use self::families::*;
pub use self::inputs::*;
pub use self::insurees::*;
pub use self::lookups::*;
pub use self::members::*;
pub use self::officers::*;
pub use self::photos::*;
pub use self::scope::*;
pub use crate::rights::*;

pub fn config(state: &AppState) -> InsureeConfig {
    InsureeConfig::from_config(&state.config)
}

/// A write refused by a unique index: a concurrent transaction took the insurance number or the
/// uuid after this one checked them (PostgreSQL; SQLite writers are serialised). The business
/// error, not `internal`.
pub(crate) fn unique_violation(e: DbErr, chf_id: &str, uuid: Option<Uuid>) -> AppError {
    imis_core::error::unique_or(
        e,
        &["ux_insuree_chf_id", "insuree_insuree.chf_id"],
        uuid,
        || AppError::conflict("insuree.number_taken").with("chfId", chf_id.trim()),
    )
}

pub(crate) fn optional_len(value: &Option<String>, field: &str, max: usize) -> AppResult<()> {
    match value {
        Some(v) if v.chars().count() > max => Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

pub(crate) async fn publish<T: serde::Serialize>(
    m: &MutationCtx<'_>,
    name: &str,
    payload: &T,
) -> AppResult<()> {
    m.publish(name, serde_json::to_value(payload)?).await
}
