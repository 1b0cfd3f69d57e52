//! The medical module's public API: what other modules may use. Everything else in the crate
//! (entities, services, GraphQL resolvers) is private to it.
//!
//! - Look-ups of current items and services by uuid, code or id, returning owned summaries
//!   ([`ItemSummary`], [`ServiceSummary`]), never the module's entities.
//! - [`current_ids`]: a typed sub-query of the ids of current items or services, for set-based
//!   joins in other modules' queries.
//! - [`claimable_price`] / [`claimable_prices`]: the price a facility may claim on a date.
//! - [`item_nodes`] / [`service_nodes`] and their GraphQL types, to show items and services
//!   inside other modules' objects.
//! - [`import_diagnoses_csv`]: the diagnoses import (the `imis import diagnoses` command).
//! - The events the module publishes and their payloads.

use crate::entity::{item, service};
use chrono::NaiveDate;
use imis_core::{AppResult, AppState};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use std::collections::HashMap;
use uuid::Uuid;

pub use crate::events::{EVENT_ITEM_DELETED, EVENT_SERVICE_DELETED, ItemDeleted, ServiceDeleted};
pub use crate::graphql::{ItemGQLType, ServiceGQLType};
pub use crate::service::{ImportReport, MedicalKind};

/// A current medical item (drug or consumable), as other modules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSummary {
    pub id: i64,
    pub uuid: Uuid,
    pub code: String,
    pub name: String,
    /// `D` drug, `M` medical consumable.
    pub item_type: String,
    /// Minor units of the currency.
    pub price: i64,
    /// `I` in-patient, `O` out-patient, `B` both.
    pub care_type: String,
    pub frequency: Option<i32>,
    /// Patient-category mask (0–15).
    pub patient_category: i32,
}

impl From<item::Model> for ItemSummary {
    fn from(m: item::Model) -> Self {
        ItemSummary {
            id: m.id,
            uuid: m.uuid,
            code: m.code,
            name: m.name,
            item_type: m.item_type,
            price: m.price,
            care_type: m.care_type,
            frequency: m.frequency,
            patient_category: m.patient_category,
        }
    }
}

/// A current medical service, as other modules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSummary {
    pub id: i64,
    pub uuid: Uuid,
    pub code: String,
    pub name: String,
    pub service_type: String,
    pub level: String,
    /// `S` surgery, `C` consultation, `D` delivery, `A` antenatal, `H` hospitalization, `O`
    /// other; none = not categorised.
    pub category: Option<String>,
    /// Minor units of the currency.
    pub price: i64,
    /// `I` in-patient, `O` out-patient, `B` both.
    pub care_type: String,
    pub frequency: Option<i32>,
    /// Patient-category mask (0–15).
    pub patient_category: i32,
    /// Package type: `S` simple service, `P` package, `F` fee-for-service package.
    pub packagetype: String,
}

impl From<service::Model> for ServiceSummary {
    fn from(m: service::Model) -> Self {
        ServiceSummary {
            id: m.id,
            uuid: m.uuid,
            code: m.code,
            name: m.name,
            service_type: m.service_type,
            level: m.level,
            category: m.category,
            price: m.price,
            care_type: m.care_type,
            frequency: m.frequency,
            patient_category: m.patient_category,
            packagetype: m.packagetype,
        }
    }
}

fn summaries<K, M, S: From<M>>(rows: HashMap<K, M>) -> HashMap<K, S>
where
    K: std::hash::Hash + Eq,
{
    rows.into_iter().map(|(k, m)| (k, S::from(m))).collect()
}

/// The current items with these uuids, by uuid; unknown or deleted ones are absent.
pub async fn current_items_by_uuid(
    conn: &impl ConnectionTrait,
    uuids: &[Uuid],
) -> AppResult<HashMap<Uuid, ItemSummary>> {
    Ok(summaries(
        crate::service::current_items_by_uuid(conn, uuids).await?,
    ))
}

/// The current services with these uuids, by uuid; unknown or deleted ones are absent.
pub async fn current_services_by_uuid(
    conn: &impl ConnectionTrait,
    uuids: &[Uuid],
) -> AppResult<HashMap<Uuid, ServiceSummary>> {
    Ok(summaries(
        crate::service::current_services_by_uuid(conn, uuids).await?,
    ))
}

/// The current items with these codes (trimmed), by code.
pub async fn current_items_by_code(
    conn: &impl ConnectionTrait,
    codes: &[&str],
) -> AppResult<HashMap<String, ItemSummary>> {
    Ok(summaries(
        crate::service::current_items_by_code(conn, codes).await?,
    ))
}

/// The current services with these codes (trimmed), by code.
pub async fn current_services_by_code(
    conn: &impl ConnectionTrait,
    codes: &[&str],
) -> AppResult<HashMap<String, ServiceSummary>> {
    Ok(summaries(
        crate::service::current_services_by_code(conn, codes).await?,
    ))
}

/// Of `ids`, those that are current items.
pub async fn current_item_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<i64>> {
    crate::service::current_item_ids(conn, ids).await
}

/// Of `ids`, those that are current services.
pub async fn current_service_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<i64>> {
    crate::service::current_service_ids(conn, ids).await
}

/// Sub-query selecting the ids (column `id`) of the current items or services, for set-based
/// conditions such as `medical_id IN (…)` in another module's query.
pub fn current_ids(kind: MedicalKind) -> SelectStatement {
    match kind {
        MedicalKind::Item => Query::select()
            .column(item::Column::Id)
            .from(item::Entity)
            .and_where(Expr::col(item::Column::ValidityTo).is_null())
            .to_owned(),
        MedicalKind::Service => Query::select()
            .column(service::Column::Id)
            .from(service::Entity)
            .and_where(Expr::col(service::Column::ValidityTo).is_null())
            .to_owned(),
    }
}

/// The price a facility may claim for an item or service on a date, or `None` when it may not
/// (see the medical service documentation: price list in force, detail, validity on the date).
pub async fn claimable_price(
    state: &AppState,
    conn: &impl ConnectionTrait,
    health_facility_id: i64,
    kind: MedicalKind,
    medical_id: i64,
    date: NaiveDate,
) -> AppResult<Option<Decimal>> {
    crate::service::claimable_price(state, conn, health_facility_id, kind, medical_id, date).await
}

/// [`claimable_price`] for several items (or services) at once, in a fixed number of queries;
/// those that may not be claimed are absent from the map.
pub async fn claimable_prices(
    state: &AppState,
    conn: &impl ConnectionTrait,
    health_facility_id: i64,
    kind: MedicalKind,
    ids: &[i64],
    date: NaiveDate,
) -> AppResult<HashMap<i64, Decimal>> {
    crate::service::claimable_prices(state, conn, health_facility_id, kind, ids, date).await
}

/// GraphQL nodes of items by id, whatever their validity (to show them in other objects).
pub async fn item_nodes(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, ItemGQLType>> {
    crate::graphql::item_nodes(conn, ids).await
}

/// GraphQL nodes of services by id, whatever their validity (to show them in other objects).
pub async fn service_nodes(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, ServiceGQLType>> {
    crate::graphql::service_nodes(conn, ids).await
}

/// Imports diagnoses from CSV text (`code,name` with a header line) in one transaction,
/// upserting by code; a file with bad lines is refused as a whole (`medical.import_invalid`).
/// No rights are checked: the caller runs with the server's authority; `actor` is recorded as
/// the acting user.
pub async fn import_diagnoses_csv(
    state: &AppState,
    actor: Option<i64>,
    csv_text: &str,
) -> AppResult<ImportReport> {
    crate::service::import_diagnoses_csv(state, actor, csv_text).await
}

/// Of `ids`, the items (or services) valid on `date` (calendar date, D11): a version of the
/// register entry was in force that day.
pub async fn valid_medical_ids(
    state: &AppState,
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    ids: &[i64],
    date: NaiveDate,
) -> AppResult<std::collections::HashSet<i64>> {
    crate::service::valid_medical_ids(state, conn, kind, ids, date).await
}
