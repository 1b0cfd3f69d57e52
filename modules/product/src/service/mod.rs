//! Business functions of products: rights (D8) are checked first, then the location scope (D9)
//! and the openIMIS validations (reference §6); writes run inside the caller's mutation
//! transaction ([`MutationCtx`]) with history (D7).
//!
//! Public functions for other modules (the policy module first):
//! - [`product_in_force`]: the version of a product in force on a date (D12), with its lines;
//! - [`is_sellable`] / [`sellable`]: whether a product may be sold to a family of given
//!   locations on a date (D14);
//! - [`lines_of`] / [`lines_valid_at`]: the item and service lines of products;
//! - [`limit_decimal`]: the decimal value of a stored limit.

use crate::entity::{product, relative_distribution};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::dates::Clock;
use imis_core::db::stmt;
use imis_core::money::Money;
use imis_core::mutation::MutationCtx;
use imis_core::{AppError, AppResult, AppState};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Condition, ConnectionTrait,
    DatabaseTransaction, EntityTrait, FromQueryResult, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub use crate::rights::*;

/// Entity name of product versions in the kernel history.
pub const HISTORY_ENTITY: &str = "product";

/// `limitDefaults` (openIMIS `product/apps.py`).
pub const DEFAULT_PRICE_ORIGIN: &str = "P";
pub const DEFAULT_LIMIT: &str = "C";
pub const DEFAULT_LIMIT_CO_INSURANCE_VALUE: i32 = 100;
pub const DEFAULT_LIMIT_FIXED_VALUE: i32 = 0;
/// `pageDisplayRules`.
pub const MIN_LIMIT_VALUE: i64 = 0;
pub const MAX_LIMIT_VALUE: i64 = 100;

mod input;
mod lines;
mod reads;
mod resolve;
mod versions;
mod writes;

pub use input::*;
pub use lines::*;
pub use reads::*;
pub(crate) use resolve::*;
pub use versions::*;
pub use writes::*;
