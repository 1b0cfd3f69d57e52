//! The medical items and services products refer to, read through the medical module's API
//! (`imis_medical::api`): products never read the medical tables.

use crate::service::LineKind;
use imis_core::AppResult;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use uuid::Uuid;

/// Ids of the current items or services with these uuids (unknown or deleted ones are absent).
pub(crate) async fn current_ids_by_uuid(
    conn: &impl ConnectionTrait,
    kind: LineKind,
    uuids: &[Uuid],
) -> AppResult<HashMap<Uuid, i64>> {
    Ok(match kind {
        LineKind::Item => imis_medical::api::current_items_by_uuid(conn, uuids)
            .await?
            .into_iter()
            .map(|(u, m)| (u, m.id))
            .collect(),
        LineKind::Service => imis_medical::api::current_services_by_uuid(conn, uuids)
            .await?
            .into_iter()
            .map(|(u, m)| (u, m.id))
            .collect(),
    })
}

/// (code, id) of the current items or services with these codes, in the given order; unknown
/// codes are left out (the demo seed picks the medical demo rows by code).
pub(crate) async fn ids_by_code(
    conn: &impl ConnectionTrait,
    kind: LineKind,
    codes: &[&str],
) -> AppResult<Vec<(String, i64)>> {
    let ids: HashMap<String, i64> = match kind {
        LineKind::Item => imis_medical::api::current_items_by_code(conn, codes)
            .await?
            .into_iter()
            .map(|(c, m)| (c, m.id))
            .collect(),
        LineKind::Service => imis_medical::api::current_services_by_code(conn, codes)
            .await?
            .into_iter()
            .map(|(c, m)| (c, m.id))
            .collect(),
    };
    Ok(codes
        .iter()
        .filter_map(|c| ids.get(c.trim()).map(|id| (c.trim().to_string(), *id)))
        .collect())
}
