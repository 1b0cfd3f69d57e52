//! Users, roles, login and tokens: the business operations behind the GraphQL fields, callable
//! without GraphQL. Each checks its right first (D8) and the location scope where it applies (D9).
//! One file per resource; the rights, languages and query helpers they share are here.

use crate::auth::password::{self, Verified};
use crate::auth::tokens::{self, Issued};
use crate::auth::{Csrf, Principal, Requirement, Scope, UserKinds, require_user};
use crate::db::stmt;
use crate::entity::{role, role_right, user};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::mutation::MutationCtx;
use crate::state::AppState;
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::BTreeSet;
use uuid::Uuid;

pub const LANGUAGES: &[(&str, &str, i32)] = &[("en", "English", 1), ("fr", "Français", 2)];

pub const RIGHT_USER_SEARCH: i32 = 121701;
pub const RIGHT_USER_ADD: i32 = 121702;
pub const RIGHT_USER_EDIT: i32 = 121703;
pub const RIGHT_USER_DELETE: i32 = 121704;
pub const RIGHT_ROLE_SEARCH: i32 = 122001;
pub const RIGHT_ROLE_ADD: i32 = 122002;
pub const RIGHT_ROLE_EDIT: i32 = 122003;
pub const RIGHT_ROLE_DELETE: i32 = 122004;
pub const RIGHT_ROLE_DUPLICATE: i32 = 122005;

fn ids_sql(ids: &[i64]) -> String {
    crate::text::ids_sql(ids.iter().copied())
}

async fn id_column(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> AppResult<Vec<i64>> {
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), sql, values))
        .await?;
    rows.iter()
        .map(|r| r.try_get_by_index::<i64>(0).map_err(Into::into))
        .collect()
}

mod principals;
mod roles;
mod setup;
mod user_access;
mod users;

pub use principals::*;
pub use roles::*;
pub use setup::*;
pub use user_access::*;
pub use users::*;
