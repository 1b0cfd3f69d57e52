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

/// Saves several replaced versions of one entity type, each `(entity id, version, its validity
/// from)`, in as few statements as possible (one per 500 rows): each statement is a round trip.
pub async fn save_many<'a, M: Serialize + 'a>(
    tx: &DatabaseTransaction,
    entity: &str,
    versions: impl IntoIterator<Item = (i64, &'a M, DateTime<Utc>)>,
    valid_to: DateTime<Utc>,
    audit_user_id: Option<i64>,
) -> AppResult<()> {
    let versions: Vec<_> = versions.into_iter().collect();
    for chunk in versions.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO core_history (entity, entity_id, data, validity_from, validity_to, audit_user_id) VALUES ",
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 6);
        for (i, (entity_id, before, valid_from)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?, ?, ?, ?)");
            values.extend([
                entity.into(),
                (*entity_id).into(),
                serde_json::to_string(before)?.into(),
                (*valid_from).into(),
                valid_to.into(),
                audit_user_id.into(),
            ]);
        }
        tx.execute_raw(crate::db::stmt(tx.get_database_backend(), &sql, values))
            .await?;
    }
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

/// A model whose previous versions live in `core_history`: restoring a version gives it back the
/// current row's id and the version's validity and acting user.
pub trait Versioned: Serialize + DeserializeOwned {
    fn id(&self) -> i64;
    /// Start of this version's validity: where its history row, once replaced, begins.
    fn validity_from(&self) -> DateTime<Utc>;
    /// End of this version's validity; `None` while it is the current version.
    fn validity_to(&self) -> Option<DateTime<Utc>>;
    fn restore(
        &mut self,
        current_id: i64,
        validity_from: DateTime<Utc>,
        validity_to: DateTime<Utc>,
        audit_user_id: Option<i64>,
    );
}

/// Implements [`Versioned`] for entity models with the standard validity columns.
#[macro_export]
macro_rules! versioned_model {
    ($($model:ty),+) => {$(
        impl $crate::history::Versioned for $model {
            fn id(&self) -> i64 {
                self.id
            }
            fn validity_from(&self) -> chrono::DateTime<chrono::Utc> {
                self.validity_from
            }
            fn validity_to(&self) -> Option<chrono::DateTime<chrono::Utc>> {
                self.validity_to
            }
            fn restore(&mut self, current_id: i64, validity_from: chrono::DateTime<chrono::Utc>, validity_to: chrono::DateTime<chrono::Utc>, audit_user_id: Option<i64>) {
                self.id = current_id;
                self.validity_from = validity_from;
                self.validity_to = Some(validity_to);
                self.audit_user_id = audit_user_id;
            }
        }
    )+};
}

/// One version of `entity` by its history pk, restored, with the current id; `None` if absent.
pub async fn version_by_history_id<M: Versioned>(
    conn: &impl ConnectionTrait,
    entity: &str,
    history_id: i64,
) -> AppResult<Option<M>> {
    let stmt = crate::db::stmt(
        conn.get_database_backend(),
        "SELECT entity_id FROM core_history WHERE id = ? AND entity = ?",
        vec![history_id.into(), entity.into()],
    );
    let Some(row) = conn.query_one_raw(stmt).await? else {
        return Ok(None);
    };
    let current: i64 = row.try_get("", "entity_id")?;
    let found = versions::<M>(conn, entity, &[current])
        .await?
        .into_iter()
        .find(|v| v.history_id == history_id);
    Ok(found.map(|v| {
        let mut m = v.data;
        m.restore(current, v.validity_from, v.validity_to, v.audit_user_id);
        m
    }))
}

/// For `showHistory: true` (D7): after each current row of a page, its previous versions, newest
/// first, each with the row's cursor and its history pk.
pub async fn with_versions<M: Versioned>(
    conn: &impl ConnectionTrait,
    entity: &str,
    rows: Vec<(String, M)>,
) -> AppResult<Vec<(String, M, Option<i64>)>> {
    let ids: Vec<i64> = rows.iter().map(|(_, m)| m.id()).collect();
    let mut by_entity: std::collections::HashMap<i64, Vec<Version<M>>> =
        std::collections::HashMap::new();
    for v in versions::<M>(conn, entity, &ids).await? {
        by_entity.entry(v.entity_id).or_default().push(v);
    }
    let mut out = Vec::with_capacity(rows.len());
    for (cursor, m) in rows {
        let id = m.id();
        out.push((cursor.clone(), m, None));
        for v in by_entity.remove(&id).unwrap_or_default().into_iter().rev() {
            let mut data = v.data;
            data.restore(id, v.validity_from, v.validity_to, v.audit_user_id);
            out.push((cursor.clone(), data, Some(v.history_id)));
        }
    }
    Ok(out)
}

// --- added for medical ---

/// Sub-query of the ids of `entity` rows that have a stored version starting before `before`
/// (column `entity_id`): "existed then" for rows whose current version started later.
pub fn entity_ids_with_version_before(
    entity: &str,
    before: DateTime<Utc>,
) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    Query::select()
        .column(Alias::new("entity_id"))
        .from(Alias::new("core_history"))
        .and_where(Expr::col(Alias::new("entity")).eq(entity))
        .and_where(Expr::col(Alias::new("validity_from")).lt(before))
        .to_owned()
}

// --- added for policy ---

/// Saves as history rows of `entity`, in one statement, the versions `versions` selects
/// (set-based: a job replacing a million rows writes their history at once). `versions` must
/// name its columns `entity_id`, `data` (the version's JSON as the entity model serialises it),
/// `validity_from` and `audit_user_id`; every row gets the validity end `valid_to`. Returns the
/// number of rows written.
pub async fn save_selected(
    tx: &DatabaseTransaction,
    entity: &str,
    versions: sea_orm::sea_query::SelectStatement,
    valid_to: DateTime<Utc>,
) -> AppResult<u64> {
    use sea_orm::sea_query::{Alias, Expr, Query};
    let v = Alias::new("v");
    let rows = Query::select()
        .expr(Expr::val(entity))
        .column((v.clone(), Alias::new("entity_id")))
        .column((v.clone(), Alias::new("data")))
        .column((v.clone(), Alias::new("validity_from")))
        .expr(Expr::val(valid_to))
        .column((v.clone(), Alias::new("audit_user_id")))
        .from_subquery(versions, v)
        .to_owned();
    let insert = Query::insert()
        .into_table(Alias::new("core_history"))
        .columns(
            [
                "entity",
                "entity_id",
                "data",
                "validity_from",
                "validity_to",
                "audit_user_id",
            ]
            .map(Alias::new),
        )
        .select_from(rows)
        .map_err(|e| crate::error::AppError::from(sea_orm::DbErr::Custom(e.to_string())))?
        .to_owned();
    Ok(tx.execute(&insert).await?.rows_affected())
}
