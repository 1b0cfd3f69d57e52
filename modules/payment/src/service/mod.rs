//! Business operations of the payment module. Every public function that a GraphQL field or a
//! mutation calls checks the caller's rights first (`require_user`), before it looks at its
//! input, then applies the location scope (D9).
//!
//! - [`premiums`]: contributions on policies and their activation facts (D15), pushed to the
//!   policy module through `imis_policy::api`.
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
use imis_core::error::{AppError, AppResult, unique_or};
use imis_core::kit::CurrentRows;
use imis_core::money::Money;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};

pub use crate::rights::{
    RIGHT_PAYER_ADD, RIGHT_PAYER_DELETE, RIGHT_PAYER_EDIT, RIGHT_PAYER_SEARCH, RIGHT_PAYMENT_ADD,
    RIGHT_PAYMENT_DELETE, RIGHT_PAYMENT_EDIT, RIGHT_PAYMENT_SEARCH, RIGHT_POLICY_EDIT,
    RIGHT_PREMIUM_ADD, RIGHT_PREMIUM_DELETE, RIGHT_PREMIUM_EDIT, RIGHT_PREMIUM_SEARCH,
};

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

/// Comparisons of one column with values of the API (`payDate`, `payDate_Gte`, ...; `amount`,
/// `amount_Lt`, ...): every one given must hold.
#[derive(Debug, Clone)]
pub struct Range<T> {
    pub eq: Option<T>,
    pub gt: Option<T>,
    pub gte: Option<T>,
    pub lt: Option<T>,
    pub lte: Option<T>,
}

impl<T> Default for Range<T> {
    fn default() -> Self {
        Self {
            eq: None,
            gt: None,
            gte: None,
            lt: None,
            lte: None,
        }
    }
}

impl<T: Clone + Into<sea_orm::Value>> Range<T> {
    pub(crate) fn condition(&self, col: impl ColumnTrait) -> Condition {
        let mut c = Condition::all();
        if let Some(v) = self.eq.clone() {
            c = c.add(col.eq(v));
        }
        if let Some(v) = self.gt.clone() {
            c = c.add(col.gt(v));
        }
        if let Some(v) = self.gte.clone() {
            c = c.add(col.gte(v));
        }
        if let Some(v) = self.lt.clone() {
            c = c.add(col.lt(v));
        }
        if let Some(v) = self.lte.clone() {
            c = c.add(col.lte(v));
        }
        c
    }
}

/// Date comparisons of one column (`payDate`, `payDate_Gte`, ...).
pub type DateRange = Range<NaiveDate>;

/// `UPPER(col)` contains `v` (trimmed; case ignored): the `…_Icontains` filters of codes and
/// receipts.
pub(crate) fn icontains(
    col: impl sea_orm::sea_query::IntoColumnRef,
    v: &str,
) -> sea_orm::sea_query::Expr {
    imis_core::text::upper_like(
        col,
        format!(
            "%{}%",
            imis_core::text::like_escape(&v.trim().to_uppercase())
        ),
    )
}

/// Amount comparisons of one column, in minor units (`amount`, `amount_Gte`, ...).
pub type AmountRange = Range<i64>;

/// `premium.policy_id IN (policies of families located in villages)`: the list form of the
/// policy scope (D9), from the policy module's and the insuree module's sub-queries (no policy
/// or insuree table is named here).
pub(crate) fn premiums_of_families_in(villages: &[i64]) -> Condition {
    let sub = imis_policy::api::policy_ids_of_families(imis_insuree::api::families_in_locations(
        villages,
    ));
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
    imis_core::mutation::objects_of_client_mutation(
        &state.db.conn,
        p.user_id,
        client_mutation_id,
        entity,
    )
    .await
}
