//! Generated data for `imis seed scale` (and the benchmark): the health facilities that have no
//! price lists yet (the generated ones) get a national pair of price lists holding every current
//! item and service at its register price, in force since 2000, so that claims can be entered and
//! checked at any facility. Set-based: two lists, two `INSERT … SELECT` of their details, one insert per
//! facility batch.

use crate::service::MedicalKind;
use imis_core::db::stmt;
use imis_core::{AppError, AppResult, AppState};
use sea_orm::ConnectionTrait;
use std::collections::HashSet;
use uuid::Uuid;

const LISTS: [(MedicalKind, &str); 2] = [
    (
        MedicalKind::Item,
        "Liste nationale des médicaments (générée)",
    ),
    (MedicalKind::Service, "Liste nationale des actes (générée)"),
];

pub(crate) fn scale_seed(
    state: AppState,
    _args: imis_core::registry::ScaleArgs,
) -> futures::future::BoxFuture<'static, AppResult<Vec<String>>> {
    Box::pin(async move { seed(&state).await })
}

async fn seed(state: &AppState) -> AppResult<Vec<String>> {
    let tx = state.db.begin_write().await?;
    let b = tx.get_database_backend();
    let with_lists: HashSet<i64> = tx
        .query_all_raw(stmt(
            b,
            "SELECT health_facility_id FROM medical_hf_pricelist",
            vec![],
        ))
        .await?
        .iter()
        .map(|r| r.try_get_by_index::<i64>(0))
        .collect::<Result<_, _>>()?;
    let missing: Vec<i64> = imis_core::registers::health_facility_ids(&*tx)
        .await?
        .into_iter()
        .filter(|id| !with_lists.contains(id))
        .collect();
    if missing.is_empty() {
        return Ok(vec![]);
    }
    // In force long before any generated claim: claims are checked against the list valid on
    // their date of care.
    let since = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).ok_or_else(AppError::internal)?;
    let now = since
        .and_hms_opt(0, 0, 0)
        .ok_or_else(AppError::internal)?
        .and_utc();
    let mut lists = Vec::with_capacity(2);
    for (kind, name) in LISTS {
        let row = tx
            .query_one_raw(stmt(
                b,
                "INSERT INTO medical_pricelist (uuid, kind, name, name_search, pricelist_date, location_id, validity_from) VALUES (?, ?, ?, ?, ?, NULL, ?) RETURNING id",
                vec![
                    Uuid::now_v7().into(),
                    kind.code().into(),
                    name.into(),
                    imis_core::text::fold(name).into(),
                    since.into(),
                    now.into(),
                ],
            ))
            .await?
            .ok_or_else(AppError::internal)?;
        let list: i64 = row.try_get("", "id")?;
        let table = match kind {
            MedicalKind::Item => "medical_item",
            MedicalKind::Service => "medical_service",
        };
        tx.execute_raw(stmt(
            b,
            &format!(
                "INSERT INTO medical_pricelist_detail (pricelist_id, kind, medical_id, price_overrule, validity_from) \
                 SELECT ?, ?, id, NULL, ? FROM {table} WHERE validity_to IS NULL"
            ),
            vec![list.into(), kind.code().into(), now.into()],
        ))
        .await?;
        lists.push(list);
    }
    for chunk in missing.chunks(300) {
        let mut sql = String::from(
            "INSERT INTO medical_hf_pricelist (health_facility_id, items_pricelist_id, services_pricelist_id) VALUES ",
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 3);
        for (i, hf) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?)");
            values.extend([(*hf).into(), lists[0].into(), lists[1].into()]);
        }
        tx.execute_raw(stmt(b, &sql, values)).await?;
    }
    tx.commit().await?;
    Ok(vec![format!(
        "{} facilities given the national price lists",
        missing.len()
    )])
}
