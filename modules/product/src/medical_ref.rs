//! The medical items and services products refer to, through the medical module's public
//! services (`imis_medical::service::current_items_by_uuid` / `current_services_by_uuid`).
//! The demo seed alone picks the medical demo rows by code with a read-only query.

use crate::service::LineKind;
use imis_core::AppResult;
use imis_core::db::stmt;
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
        LineKind::Item => imis_medical::service::current_items_by_uuid(conn, uuids)
            .await?
            .into_iter()
            .map(|(u, m)| (u, m.id))
            .collect(),
        LineKind::Service => imis_medical::service::current_services_by_uuid(conn, uuids)
            .await?
            .into_iter()
            .map(|(u, m)| (u, m.id))
            .collect(),
    })
}

/// (code, id) of the current demo items or services with these codes, in the given order
/// (read-only; for the demo seed only, the medical module has no look-up by code).
pub(crate) async fn demo_ids_by_code(
    conn: &impl ConnectionTrait,
    kind: LineKind,
    codes: &[&str],
) -> AppResult<Vec<(String, i64)>> {
    let table = match kind {
        LineKind::Item => "medical_item",
        LineKind::Service => "medical_service",
    };
    let mut out = vec![];
    for code in codes {
        let row = conn
            .query_one_raw(stmt(
                conn.get_database_backend(),
                &format!("SELECT id FROM {table} WHERE code = ? AND validity_to IS NULL"),
                vec![(*code).into()],
            ))
            .await?;
        if let Some(r) = row {
            out.push((code.to_string(), r.try_get::<i64>("", "id")?));
        }
    }
    Ok(out)
}
