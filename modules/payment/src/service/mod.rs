//! Business operations of the payment module. Every public function that a GraphQL field or a
//! mutation calls checks the caller's rights first (`require_user`), before it looks at its
//! input, then applies the location scope (D9).
//!
//! - [`premiums`]: contributions on policies and their activation facts (D15), pushed to the
//!   policy module through `imis_policy::service::activation`.
//! - [`payers`]: payers and their funding.
//! - [`payments`]: received payments and their detail lines.
//! - [`matching`]: payment matching (reference §10.3, legacy `uspMatchPayment`).
//! - [`handlers`]: in-transaction handlers of the policy module's events (`isPaid` on
//!   `createPolicy`, policy deletion).

pub mod handlers;
pub mod matching;
pub mod payers;
pub mod payments;
pub mod premiums;

use crate::entity::premium;
use chrono::NaiveDate;
use imis_core::AppState;
use imis_core::auth::Principal;
use imis_core::db::stmt;
use imis_core::error::{AppError, AppResult};
use imis_core::money::Money;
use imis_policy::entity::policy;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};

/// Contributions (openIMIS contribution module).
pub const RIGHT_PREMIUM_SEARCH: i32 = 101301;
pub const RIGHT_PREMIUM_ADD: i32 = 101302;
pub const RIGHT_PREMIUM_EDIT: i32 = 101303;
pub const RIGHT_PREMIUM_DELETE: i32 = 101304;
/// Payments.
pub const RIGHT_PAYMENT_SEARCH: i32 = 101401;
pub const RIGHT_PAYMENT_ADD: i32 = 101402;
pub const RIGHT_PAYMENT_EDIT: i32 = 101403;
pub const RIGHT_PAYMENT_DELETE: i32 = 101404;
/// Payers (and funding: adding a funding edits the payer).
pub const RIGHT_PAYER_SEARCH: i32 = 121801;
pub const RIGHT_PAYER_ADD: i32 = 121802;
pub const RIGHT_PAYER_EDIT: i32 = 121803;
pub const RIGHT_PAYER_DELETE: i32 = 121804;
/// The policy module's "edit" right, which a SUSPEND action also needs (D15).
pub const RIGHT_POLICY_EDIT: i32 = imis_policy::service::RIGHT_POLICY_EDIT;

/// `core_history` entity names (also the `core_mutation_log_object` entity names).
pub const HISTORY_PREMIUM: &str = "premium";
pub const HISTORY_PAYER: &str = "payer";
pub const HISTORY_FUNDING: &str = "funding";
pub const HISTORY_PAYMENT: &str = "payment";
pub const HISTORY_PAYMENT_DETAIL: &str = "payment_detail";

/// openIMIS payment statuses used by matching.
pub const PAYMENT_STATUS_CREATED: i32 = 1;
pub const PAYMENT_STATUS_RECEIVED: i32 = 4;
pub const PAYMENT_STATUS_MATCHED: i32 = 5;

pub(crate) fn digits(state: &AppState) -> u32 {
    state.config.core.currency_minor_digits
}

/// An amount of the API in minor units ([`Money::parse`]): more decimals than the currency has,
/// or a value beyond what storage holds → `input.invalid` naming `field`. Signs are checked by
/// the callers (their reasons differ: positive, not negative).
pub(crate) fn minor(state: &AppState, v: Decimal, field: &str) -> AppResult<i64> {
    Money::parse(field, v, digits(state)).map(|m| m.0)
}

pub(crate) fn opt_minor(
    state: &AppState,
    v: Option<Decimal>,
    field: &str,
) -> AppResult<Option<i64>> {
    v.map(|v| minor(state, v, field)).transpose()
}

/// A trimmed, non-empty text of at most `max` characters, or None.
pub(crate) fn text(v: Option<&str>, field: &str, max: usize) -> AppResult<Option<String>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > max => Err(AppError::invalid(field, "too long")),
        Some(s) => Ok(Some(s.to_string())),
    }
}

pub(crate) fn parse_uuid(v: &str, field: &str) -> AppResult<uuid::Uuid> {
    imis_core::graphql::parse_uuid(v, field)
}

pub(crate) use imis_core::graphql::parse_opt_uuid as opt_uuid;

/// Date comparisons of one column (`payDate`, `payDate_Gte`, ...).
#[derive(Debug, Clone, Default)]
pub struct DateRange {
    pub eq: Option<NaiveDate>,
    pub gt: Option<NaiveDate>,
    pub gte: Option<NaiveDate>,
    pub lt: Option<NaiveDate>,
    pub lte: Option<NaiveDate>,
}

impl DateRange {
    pub(crate) fn condition(&self, col: impl ColumnTrait) -> Condition {
        let mut c = Condition::all();
        if let Some(v) = self.eq {
            c = c.add(col.eq(v));
        }
        if let Some(v) = self.gt {
            c = c.add(col.gt(v));
        }
        if let Some(v) = self.gte {
            c = c.add(col.gte(v));
        }
        if let Some(v) = self.lt {
            c = c.add(col.lt(v));
        }
        if let Some(v) = self.lte {
            c = c.add(col.lte(v));
        }
        c
    }
}

/// Amount comparisons of one column, in minor units (`amount`, `amount_Gte`, ...).
#[derive(Debug, Clone, Default)]
pub struct AmountRange {
    pub eq: Option<i64>,
    pub gt: Option<i64>,
    pub gte: Option<i64>,
    pub lt: Option<i64>,
    pub lte: Option<i64>,
}

impl AmountRange {
    pub(crate) fn condition(&self, col: impl ColumnTrait) -> Condition {
        let mut c = Condition::all();
        if let Some(v) = self.eq {
            c = c.add(col.eq(v));
        }
        if let Some(v) = self.gt {
            c = c.add(col.gt(v));
        }
        if let Some(v) = self.gte {
            c = c.add(col.gte(v));
        }
        if let Some(v) = self.lt {
            c = c.add(col.lt(v));
        }
        if let Some(v) = self.lte {
            c = c.add(col.lte(v));
        }
        c
    }
}

/// `premium.policy_id IN (policies of families located in villages)`: the list form of the
/// policy scope (D9), built from the policy module's public entity and the insuree module's
/// family-scope SQL (no policy or insuree table is named here).
pub(crate) fn premiums_of_families_in(villages: &[i64]) -> Condition {
    let sub = policy::Entity::find()
        .select_only()
        .column(policy::Column::Id)
        .filter(Expr::cust(format!(
            "family_id IN ({})",
            imis_insuree::service::families_in_locations_sql(villages)
        )))
        .into_query();
    Condition::all().add(premium::Column::PolicyId.in_subquery(sub))
}

/// The list restriction of premiums for the caller (D9): None when unrestricted.
pub(crate) async fn premium_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
) -> AppResult<Option<Condition>> {
    Ok(match p.scope.allowed_locations(conn).await? {
        None => None,
        Some(allowed) => {
            let v: Vec<i64> = allowed.iter().copied().collect();
            Some(premiums_of_families_in(&v))
        }
    })
}

/// The premiums among `ids` the caller may see (D9); None = all of them (unrestricted caller).
pub async fn premiums_in_scope(
    conn: &impl ConnectionTrait,
    p: &Principal,
    ids: &[i64],
) -> AppResult<Option<std::collections::HashSet<i64>>> {
    let Some(scope) = premium_scope(conn, p).await? else {
        return Ok(None);
    };
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<i64> = premium::Entity::find()
            .select_only()
            .column(premium::Column::Id)
            .filter(premium::Column::Id.is_in(chunk.to_vec()))
            .filter(scope.clone())
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(Some(out))
}

/// Σ of the valid premiums of a policy that are not photo fees (D15 "paid"), in minor units.
pub async fn paid_total(conn: &impl ConnectionTrait, policy_id: i64) -> AppResult<i64> {
    let row = conn
        .query_one_raw(stmt(
            conn.get_database_backend(),
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS s FROM payment_premium \
             WHERE policy_id = ? AND validity_to IS NULL AND is_photo_fee = ?",
            vec![policy_id.into(), false.into()],
        ))
        .await?
        .ok_or_else(AppError::internal)?;
    Ok(row.try_get::<i64>("", "s")?)
}

/// Ids of the objects a mutation with this `clientMutationId` of the caller created or changed.
pub async fn mutation_objects(
    state: &AppState,
    p: &Principal,
    client_mutation_id: &str,
    entity: &str,
) -> AppResult<Vec<i64>> {
    let rows = state
        .db
        .conn
        .query_all_raw(stmt(
            state.db.backend(),
            "SELECT o.entity_id FROM core_mutation_log_object o JOIN core_mutation_log l ON l.id = o.mutation_id \
             WHERE l.user_id = ? AND l.client_mutation_id = ? AND o.entity = ?",
            vec![p.user_id.into(), client_mutation_id.into(), entity.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| r.try_get::<i64>("", "entity_id").map_err(Into::into))
        .collect()
}
