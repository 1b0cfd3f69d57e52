//! History (D7): the current row of an entity stays in its table; every previous version goes to
//! `core_history` as JSON with its validity interval and acting user, indexed on
//! (entity, entity id, validity from), so current reads never pay for history. Deletes are soft
//! (`validity_to` set on the current row). Lists with `showHistory: true` read versions back into
//! the same model type.

use crate::error::AppResult;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Saves `before` (the version being replaced) as a history row.
pub async fn save<M: Serialize>(
    tx: &DatabaseTransaction,
    entity: &str,
    entity_id: i64,
    before: &M,
    valid_from: DateTime<Utc>,
    valid_to: DateTime<Utc>,
    audit_user_id: Option<i64>,
) -> AppResult<()> {
    let stmt = crate::db::stmt(
        tx.get_database_backend(),
        "INSERT INTO core_history (entity, entity_id, data, validity_from, validity_to, audit_user_id) VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            entity.into(),
            entity_id.into(),
            serde_json::to_string(before)?.into(),
            valid_from.into(),
            valid_to.into(),
            audit_user_id.into(),
        ],
    );
    tx.execute_raw(stmt).await?;
    Ok(())
}

/// One stored version.
#[derive(Debug, Clone)]
pub struct Version<M> {
    pub history_id: i64,
    pub entity_id: i64,
    pub validity_from: DateTime<Utc>,
    pub validity_to: DateTime<Utc>,
    pub audit_user_id: Option<i64>,
    pub data: M,
}

/// The versions of the given entities, oldest first.
pub async fn versions<M: DeserializeOwned>(
    conn: &impl ConnectionTrait,
    entity: &str,
    entity_ids: &[i64],
) -> AppResult<Vec<Version<M>>> {
    if entity_ids.is_empty() {
        return Ok(vec![]);
    }
    let marks = vec!["?"; entity_ids.len()].join(",");
    let mut values: Vec<sea_orm::Value> = vec![entity.into()];
    values.extend(entity_ids.iter().map(|i| (*i).into()));
    let stmt = crate::db::stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT id, entity_id, data, validity_from, validity_to, audit_user_id FROM core_history \
             WHERE entity = ? AND entity_id IN ({marks}) ORDER BY entity_id, validity_from, id"
        ),
        values,
    );
    let rows = conn.query_all_raw(stmt).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let data: String = r.try_get("", "data")?;
        out.push(Version {
            history_id: r.try_get("", "id")?,
            entity_id: r.try_get("", "entity_id")?,
            validity_from: r.try_get("", "validity_from")?,
            validity_to: r.try_get("", "validity_to")?,
            audit_user_id: r.try_get("", "audit_user_id")?,
            data: serde_json::from_str(&data)?,
        });
    }
    Ok(out)
}
