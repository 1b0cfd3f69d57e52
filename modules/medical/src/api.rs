//! The medical module's public API: what other modules may use. Everything else in the crate
//! (entities, services, GraphQL resolvers) is private to it.
//!
//! - Look-ups of current items and services by uuid, code or id, returning owned summaries
//!   ([`ItemSummary`], [`ServiceSummary`]), never the module's entities.
//! - [`current_ids`]: a typed sub-query of the ids of current items or services, for set-based
//!   joins in other modules' queries.
//! - [`claimable_price`] / [`claimable_prices`]: the price a facility may claim on a date;
//!   [`claim_register_facts`]: acts and prices of many claims at once.
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

// -- for the claim module: generated data (`imis seed scale`)

/// Every current item (or service) with its register price in minor units, by id: what the
/// claim module's generated claims are made of.
pub async fn current_register_prices(
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
) -> AppResult<Vec<(i64, i64)>> {
    use imis_core::kit::CurrentRows;
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    Ok(match kind {
        MedicalKind::Item => {
            item::Entity::find()
                .select_only()
                .columns([item::Column::Id, item::Column::Price])
                .current()
                .order_by_asc(item::Column::Id)
                .into_tuple()
                .all(conn)
                .await?
        }
        MedicalKind::Service => {
            service::Entity::find()
                .select_only()
                .columns([service::Column::Id, service::Column::Price])
                .current()
                .order_by_asc(service::Column::Id)
                .into_tuple()
                .all(conn)
                .await?
        }
    })
}

/// The ids of the current diagnoses.
pub async fn current_diagnosis_ids(conn: &impl ConnectionTrait) -> AppResult<Vec<i64>> {
    use crate::entity::diagnosis;
    use imis_core::kit::CurrentRows;
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    Ok(diagnosis::Entity::find()
        .select_only()
        .column(diagnosis::Column::Id)
        .current()
        .order_by_asc(diagnosis::Column::Id)
        .into_tuple()
        .all(conn)
        .await?)
}
// -- end for the claim module: generated data

// -- for the claim module: entry and queries

pub use crate::graphql::DiagnosisGQLType;

/// GraphQL nodes of diagnoses by id, whatever their validity (a claim's diagnoses), in one
/// query.
pub async fn diagnosis_nodes(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, DiagnosisGQLType>> {
    use crate::entity::diagnosis;
    let rows = crate::service::rows_in::<diagnosis::Entity, _>(
        conn,
        diagnosis::Column::Id,
        ids.iter().copied(),
        false,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|m| (m.id, DiagnosisGQLType::new(m)))
        .collect())
}

/// Of `ids`, those that are current diagnoses.
pub async fn current_diagnoses_among(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<std::collections::HashSet<i64>> {
    use crate::entity::diagnosis;
    let rows = crate::service::rows_in::<diagnosis::Entity, _>(
        conn,
        diagnosis::Column::Id,
        ids.iter().copied(),
        true,
    )
    .await?;
    Ok(rows.into_iter().map(|m| m.id).collect())
}

/// The ids of the current diagnoses with these codes (trimmed), by code.
pub async fn current_diagnosis_ids_by_code(
    conn: &impl ConnectionTrait,
    codes: &[&str],
) -> AppResult<HashMap<String, i64>> {
    let codes: Vec<String> = codes.iter().map(|c| c.trim().to_string()).collect();
    Ok(crate::service::current_diagnoses_by_code(conn, &codes)
        .await?
        .into_iter()
        .map(|(code, m)| (code, m.id))
        .collect())
}

/// What a filter on diagnoses selects (openIMIS `icd_*` filters of another module's list); every
/// constraint given must hold. Codes compare case-insensitively except `code`; names ignore case
/// and accents (D19).
#[derive(Debug, Clone, Default)]
pub struct DiagnosisFilter {
    pub code: Option<String>,
    pub code_icontains: Option<String>,
    pub code_istartswith: Option<String>,
    pub name: Option<String>,
    pub name_icontains: Option<String>,
    pub name_istartswith: Option<String>,
}

/// Sub-query of the ids of the diagnoses, whatever their validity, matching `f`: a filter on the
/// diagnosis of another module's rows (`icd_id IN (…)`).
pub fn diagnosis_ids_matching(f: &DiagnosisFilter) -> SelectStatement {
    use crate::entity::diagnosis;
    use imis_core::text::{code_condition, name_condition};
    let condition = sea_orm::Condition::all()
        .add(code_condition(
            diagnosis::Column::Code,
            &f.code,
            &f.code_istartswith,
            &f.code_icontains,
            &None,
        ))
        .add(name_condition(
            diagnosis::Column::NameSearch,
            &f.name,
            &f.name_istartswith,
            &f.name_icontains,
            &None,
        ));
    Query::select()
        .column(diagnosis::Column::Id)
        .from(diagnosis::Entity)
        .cond_where(condition)
        .to_owned()
}

/// The maximum amount (openIMIS `MaximumAmount`, the most one claim line may provide; stored in
/// minor units of the currency, shown as `maximumAmount`; `None` = no maximum) of those of `ids`
/// that are current items (or services), by id: an id absent from the map is no current item
/// (service).
pub async fn current_maximum_amounts(
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    ids: &[i64],
) -> AppResult<HashMap<i64, Option<i64>>> {
    Ok(match kind {
        MedicalKind::Item => crate::service::rows_in::<item::Entity, _>(
            conn,
            item::Column::Id,
            ids.iter().copied(),
            true,
        )
        .await?
        .into_iter()
        .map(|m| (m.id, m.maximum_amount))
        .collect(),
        MedicalKind::Service => crate::service::rows_in::<service::Entity, _>(
            conn,
            service::Column::Id,
            ids.iter().copied(),
            true,
        )
        .await?
        .into_iter()
        .map(|m| (m.id, m.maximum_amount))
        .collect(),
    })
}

/// Sub-query of the ids of the items (or services), whatever their validity, with one of these
/// codes (trimmed): "lines of these items" in another module's query.
pub fn medical_ids_with_codes(kind: MedicalKind, codes: &[String]) -> SelectStatement {
    let codes = codes.iter().map(|c| c.trim().to_string());
    match kind {
        MedicalKind::Item => Query::select()
            .column(item::Column::Id)
            .from(item::Entity)
            .and_where(Expr::col(item::Column::Code).is_in(codes))
            .to_owned(),
        MedicalKind::Service => Query::select()
            .column(service::Column::Id)
            .from(service::Entity)
            .and_where(Expr::col(service::Column::Code).is_in(codes))
            .to_owned(),
    }
}
// -- end for the claim module: entry and queries

// -- for the claim module: submission

/// What the claim checks read of an item or service (reference §1.5): its register entry as it
/// was in force on the claim's target date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimableAct {
    pub id: i64,
    pub code: String,
    /// `I` in-patient, `O` out-patient, `B` both.
    pub care_type: String,
    /// Patient-category mask: 1 male, 2 female, 4 adult, 8 child; 0 = everybody.
    pub patient_category: i32,
    /// Days that must separate two provisions to one insuree; None = no rule.
    pub frequency: Option<i32>,
    /// Services: `S`, `D`, `A`, `H`, `C`, `O` or none; items: none.
    pub category: Option<String>,
}

/// The codes of these items (or services), whatever their validity, by id, in one query.
pub async fn act_codes(
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    ids: &[i64],
) -> AppResult<HashMap<i64, String>> {
    use crate::service::rows_in;
    let ids = ids.iter().copied();
    Ok(match kind {
        MedicalKind::Item => rows_in::<item::Entity, _>(conn, item::Column::Id, ids, false)
            .await?
            .into_iter()
            .map(|m| (m.id, m.code))
            .collect(),
        MedicalKind::Service => {
            rows_in::<service::Entity, _>(conn, service::Column::Id, ids, false)
                .await?
                .into_iter()
                .map(|m| (m.id, m.code))
                .collect()
        }
    })
}

/// The register facts of many claims at once (bulk submission and processing): per query, the
/// acts valid on its date (as [`ClaimableAct`]), the prices its facility may claim then
/// ([`claimable_prices`]) and its price lists' names, in a fixed number of queries for all.
pub async fn claim_register_facts(
    state: &AppState,
    conn: &impl ConnectionTrait,
    queries: &[ClaimRegisterQuery],
) -> AppResult<Vec<ClaimRegisterFacts>> {
    crate::service::claim_register_facts(state, conn, queries).await
}
pub use crate::service::{ClaimRegisterFacts, ClaimRegisterQuery};
// -- end for the claim module: submission
