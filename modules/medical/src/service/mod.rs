//! Business functions of the medical module: rights (D8) and location scope (D9) are checked
//! first, then the openIMIS validations; writes run inside the caller's mutation transaction
//! ([`MutationCtx`](imis_core::mutation::MutationCtx)) and keep the previous version in history
//! (D7). The functions other modules call are:
//!
//! - [`claimable_price`] / [`claimable_prices`]: the price of an item or service at a facility on
//!   a date (claim module), and [`valid_medical_ids`] (register validity on a date);
//! - [`current_item_ids`], [`current_service_ids`], [`current_items_by_uuid`],
//!   [`current_services_by_uuid`], [`current_items_by_code`], [`current_services_by_code`]
//!   (product module);
//! - [`import_diagnoses_csv`] (the `imis import diagnoses FILE` command).

mod claim_facts;
mod diagnoses;
mod items;
mod pricelist_writes;
mod pricelists;
mod prices;
mod rows;
mod services;

pub use claim_facts::*;
pub use diagnoses::*;
pub use items::*;
pub use pricelist_writes::*;
pub use pricelists::*;
pub use prices::*;
pub(crate) use rows::*;
pub use services::*;

use chrono::{DateTime, NaiveDate, Utc};
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::dates::Clock;
use imis_core::history::Versioned;
use imis_core::kit::{CurrentRows, close_version, insert_version, new_version};
use imis_core::money::Money;
use imis_core::{AppError, AppResult, AppState};
use rust_decimal::Decimal;
use sea_orm::sea_query::LikeExpr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Select};
use std::collections::HashMap;

pub use crate::events::{EVENT_ITEM_DELETED, EVENT_SERVICE_DELETED};
pub use crate::rights::*;

/// History entity names (the kernel history's `entity`).
pub const ENTITY_ITEM: &str = "medical_item";
pub const ENTITY_SERVICE: &str = "medical_service";
pub const ENTITY_DIAGNOSIS: &str = "medical_diagnosis";
pub const ENTITY_PRICELIST: &str = "medical_pricelist";
pub const ENTITY_PRICELIST_DETAIL: &str = "medical_pricelist_detail";

/// Items or services: the two kinds of medical acts, and of price lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum MedicalKind {
    Item,
    Service,
}

impl MedicalKind {
    /// The `kind` column value: `I` or `S`.
    pub fn code(self) -> &'static str {
        match self {
            MedicalKind::Item => "I",
            MedicalKind::Service => "S",
        }
    }
    pub fn from_code(code: &str) -> Option<MedicalKind> {
        match code {
            "I" => Some(MedicalKind::Item),
            "S" => Some(MedicalKind::Service),
            _ => None,
        }
    }
    /// `item` or `service`, for error parameters.
    pub fn word(self) -> &'static str {
        match self {
            MedicalKind::Item => "item",
            MedicalKind::Service => "service",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------------------------

pub(crate) fn check_len(field: &str, value: &str, max: usize) -> AppResult<()> {
    if value.trim().is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if value.trim().chars().count() > max {
        return Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        ));
    }
    Ok(())
}

pub(crate) fn check_opt_len(field: &str, value: &Option<String>, max: usize) -> AppResult<()> {
    match value {
        Some(v) if v.trim().chars().count() > max => Err(AppError::invalid(
            field,
            &format!("at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn one_of(field: &str, value: &str, allowed: &[&str]) -> AppResult<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            &format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

pub(crate) fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// An amount typed by a user, in minor units: never negative, never rounded, within what
/// storage holds (`input.invalid` naming `field` otherwise; [`Money::parse_non_negative`]).
pub(crate) fn money_in(field: &str, d: Decimal, digits: u32) -> AppResult<i64> {
    Money::parse_non_negative(field, d, digits).map(|m| m.0)
}

pub(crate) fn opt_money_in(field: &str, d: Option<Decimal>, digits: u32) -> AppResult<Option<i64>> {
    d.map(|d| money_in(field, d, digits)).transpose()
}

/// Minor units to a `Decimal` with the currency's digits.
pub fn money_out(minor: i64, digits: u32) -> Decimal {
    Money(minor).to_decimal(digits)
}

/// A non-negative whole number given as a `Decimal` (openIMIS types some counts as Decimal).
pub(crate) fn whole(field: &str, d: Option<Decimal>) -> AppResult<Option<i32>> {
    let Some(d) = d else { return Ok(None) };
    use rust_decimal::prelude::ToPrimitive;
    if d.fract() != Decimal::ZERO || (d.is_sign_negative() && !d.is_zero()) {
        return Err(AppError::invalid(
            field,
            "must be a whole number, not negative",
        ));
    }
    d.to_i32()
        .map(Some)
        .ok_or_else(|| AppError::invalid(field, "out of range"))
}

/// The patient category mask from `patientCategory` or `patientCategories` (OR-ed).
pub(crate) fn patient_category(mask: Option<i32>, categories: &Option<Vec<i32>>) -> AppResult<i32> {
    let value = match (mask, categories) {
        (Some(m), _) => m,
        (None, Some(list)) => list.iter().fold(0, |acc, c| acc | c),
        (None, None) => return Err(AppError::validation("medical.patient_category_missing")),
    };
    if !(0..=15).contains(&value) {
        return Err(AppError::validation("medical.patient_category_invalid").with("value", value));
    }
    Ok(value)
}

// ---------------------------------------------------------------------------------------------
// Query helpers (as in the core's location service)
// ---------------------------------------------------------------------------------------------

/// `code*` filters (shared with the core).
pub(crate) use imis_core::text::{code_condition, upper_like};

/// `name*` filters on a folded column (shared with the core).
pub(crate) fn name_condition<C: ColumnTrait>(
    col: C,
    exact: &Option<String>,
    istarts: &Option<String>,
    icontains: &Option<String>,
) -> Condition {
    imis_core::text::name_condition(col, exact, istarts, icontains, &None)
}

/// The filters every medical list takes (items, services, diagnoses): one row by id or uuid,
/// `code*`, `name*`, and the `...Str(str:)` search.
#[derive(Debug, Clone, Default)]
pub struct CodeNameFilter {
    pub id: Option<i64>,
    pub uuid: Option<uuid::Uuid>,
    pub code: Option<String>,
    pub code_istartswith: Option<String>,
    pub code_icontains: Option<String>,
    pub code_iexact: Option<String>,
    pub name: Option<String>,
    pub name_istartswith: Option<String>,
    pub name_icontains: Option<String>,
    /// Code or name contains this (`...Str(str:)`).
    pub str: Option<String>,
}

/// The current rows of `E` matching `f`, for any logged-in user; `columns` are `E`'s id, uuid,
/// code and folded name.
pub(crate) fn code_name_select<E: EntityTrait>(
    principal: Option<&Principal>,
    f: &CodeNameFilter,
    [id, uuid, code, name_search]: [E::Column; 4],
) -> AppResult<Select<E>> {
    require_user(principal, Requirement::Authenticated)?;
    let mut q = E::find().current();
    if let Some(v) = f.id {
        q = q.filter(id.eq(v));
    }
    if let Some(v) = f.uuid {
        q = q.filter(uuid.eq(v));
    }
    q = q.filter(code_condition(
        code,
        &f.code,
        &f.code_istartswith,
        &f.code_icontains,
        &f.code_iexact,
    ));
    q = q.filter(name_condition(
        name_search,
        &f.name,
        &f.name_istartswith,
        &f.name_icontains,
    ));
    if let Some(s) = f.str.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(str_condition(code, name_search, s));
    }
    Ok(q)
}

/// The two filters items and services add: members of the price list `pricelist_uuid` (of
/// `kind`), and rows whose first version started on or before `date` (`medical...Str(date:)`).
pub(crate) async fn in_pricelist_and_dated<E: EntityTrait>(
    state: &AppState,
    mut q: Select<E>,
    (kind, entity): (MedicalKind, &str),
    pricelist_uuid: Option<uuid::Uuid>,
    date: Option<NaiveDate>,
    [id, validity_from]: [E::Column; 2],
) -> AppResult<Select<E>> {
    if let Some(pl) = pricelist_uuid {
        let ids = pricelist_member_ids(&state.db.conn, pl, kind).await?;
        q = q.filter(id.is_in(ids));
    }
    if let Some(d) = date {
        q = q.filter(existed_on(&state.clock, validity_from, id, entity, d));
    }
    Ok(q)
}

/// Current rows whose first version started on or before `d` (calendar date, D11).
pub(crate) fn existed_on<C: ColumnTrait>(
    clock: &Clock,
    validity_from: C,
    id: C,
    entity: &str,
    d: NaiveDate,
) -> Condition {
    let end = end_of_day(clock, d);
    let older = imis_core::history::entity_ids_with_version_before(entity, end);
    Condition::any()
        .add(validity_from.lt(end))
        .add(id.in_subquery(older))
}

/// The `...Str(str:)` search: code or folded name contains `s`.
pub(crate) fn str_condition<C: ColumnTrait, N: ColumnTrait>(
    code: C,
    name: N,
    s: &str,
) -> Condition {
    let code = upper_like(
        code,
        format!("%{}%", imis_core::text::like_escape(&s.to_uppercase())),
    );
    let name = name.like(
        LikeExpr::new(format!(
            "%{}%",
            imis_core::text::like_escape(&imis_core::text::fold(s))
        ))
        .escape('\\'),
    );
    Condition::any().add(code).add(name)
}

// ---------------------------------------------------------------------------------------------
// Validity on a date (D7, D11)
// ---------------------------------------------------------------------------------------------

/// Whether a version with this interval is valid on the calendar date `d` of the configured zone:
/// validityFrom ≤ end of d < validityTo (or forever). A row entered this morning is valid today.
pub fn valid_on(
    clock: &Clock,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
    d: NaiveDate,
) -> bool {
    clock.date_of(from) <= d && to.is_none_or(|t| clock.date_of(t) > d)
}

/// The first instant of the day after `d` in the configured zone: a row is valid on `d` when
/// `validity_from` is before it and `validity_to` is empty or not before it.
pub fn end_of_day(clock: &Clock, d: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let next = d
        .succ_opt()
        .unwrap_or(d)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    clock
        .tz
        .from_local_datetime(&next)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&next))
}

/// For each row, the version valid on `d`: the row itself, else the stored version of
/// kernel history valid on `d`; rows without one are left out.
pub(crate) async fn versions_on<M>(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    entity: &str,
    rows: Vec<M>,
    d: NaiveDate,
) -> AppResult<Vec<M>>
where
    M: Versioned,
{
    let mut out = Vec::with_capacity(rows.len());
    let mut missing = vec![];
    for r in rows {
        if valid_on(clock, r.validity_from(), r.validity_to(), d) {
            out.push(r);
        } else {
            missing.push(r.id());
        }
    }
    if missing.is_empty() {
        return Ok(out);
    }
    let mut found: HashMap<i64, M> = HashMap::new();
    for v in imis_core::history::versions::<M>(conn, entity, &missing).await? {
        if valid_on(clock, v.validity_from, Some(v.validity_to), d) {
            let mut m = v.data;
            m.restore(v.entity_id, v.validity_from, v.validity_to, v.audit_user_id);
            found.insert(v.entity_id, m);
        }
    }
    out.extend(found.into_values());
    Ok(out)
}

/// The currency's minor digits.
pub(crate) fn digits(state: &AppState) -> u32 {
    state.config.core.currency_minor_digits
}

/// Integer ids joined by commas, for SQL `IN (...)` lists built from integers only.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_and_money() {
        assert_eq!(whole("f", Some(Decimal::new(30, 0))).unwrap(), Some(30));
        assert_eq!(whole("f", Some(Decimal::new(300, 1))).unwrap(), Some(30));
        assert!(whole("f", Some(Decimal::new(305, 1))).is_err());
        assert!(whole("f", Some(Decimal::new(-1, 0))).is_err());
        assert_eq!(money_in("p", Decimal::new(1250, 2), 2).unwrap(), 1250);
        assert!(money_in("p", Decimal::new(12505, 3), 2).is_err());
        assert!(money_in("p", Decimal::new(-1, 0), 2).is_err());
        assert_eq!(money_out(1250, 2), Decimal::new(1250, 2));
    }

    #[test]
    fn patient_categories() {
        assert_eq!(patient_category(Some(15), &None).unwrap(), 15);
        assert_eq!(patient_category(None, &Some(vec![1, 4])).unwrap(), 5);
        assert_eq!(
            patient_category(None, &None).unwrap_err().code,
            "medical.patient_category_missing"
        );
        assert!(patient_category(Some(16), &None).is_err());
    }

    #[test]
    fn calendar_validity() {
        let clock = Clock::new("Africa/Douala".parse().unwrap());
        let t: DateTime<Utc> = "2026-03-01T23:30:00Z".parse().unwrap(); // 2 March in Douala
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(!valid_on(&clock, t, None, d("2026-03-01")));
        assert!(valid_on(&clock, t, None, d("2026-03-02")));
        let to: DateTime<Utc> = "2026-03-05T08:00:00Z".parse().unwrap();
        assert!(valid_on(&clock, t, Some(to), d("2026-03-04")));
        assert!(!valid_on(&clock, t, Some(to), d("2026-03-05")));
        assert_eq!(
            end_of_day(&clock, d("2026-03-01")),
            "2026-03-01T23:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
