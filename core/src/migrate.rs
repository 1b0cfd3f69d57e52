//! Per-module migrations. Each module lists its migrations in order; each module has its own
//! tracking table (`imis_migrations_<module>`), so disabling a module never breaks the
//! migrations of the others (D10). Every migration runs in a transaction, SQLite included.
//!
//! Migrations are SQL written once for both databases with type placeholders:
//! `{version_columns}` the three version columns a versioned table ends with (`validity_from`,
//! `validity_to`, `audit_user_id`), `{id}` integer key, `{uuid}`, `{ts}` timestamp with zone, `{date}`, `{json}` (TEXT on both, so binding is uniform), `{bool_true}`/`{bool_false}`.

use crate::db::Db;
pub use crate::db::render;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

pub struct Migration {
    /// Explicit, module-prefixed name such as `m20261122_000001_core_tables`.
    pub name: &'static str,
    /// SQL statements separated by `;` at line ends, with placeholders.
    pub sql: &'static str,
}

fn split_statements(sql: &str) -> Vec<String> {
    sql.split(";\n")
        .map(|s| s.trim().trim_end_matches(';').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn tracking_table(module: &str) -> String {
    format!("imis_migrations_{}", module.replace('-', "_"))
}

/// Migrations of `module` not applied yet.
pub async fn pending(
    db: &Db,
    module: &str,
    migrations: &[Migration],
) -> Result<Vec<&'static str>, DbErr> {
    let applied = applied(db, module).await?;
    Ok(migrations
        .iter()
        .map(|m| m.name)
        .filter(|n| !applied.iter().any(|a| a == n))
        .collect())
}

async fn ensure_tracking(db: &Db, module: &str) -> Result<(), DbErr> {
    let sql = format!(
        "CREATE TABLE IF NOT EXISTS {} (name VARCHAR(200) PRIMARY KEY, applied_at {})",
        tracking_table(module),
        if db.backend() == DbBackend::Postgres {
            "TIMESTAMPTZ NOT NULL DEFAULT now()"
        } else {
            "TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP"
        }
    );
    db.conn.execute_unprepared(&sql).await.map(|_| ())
}

async fn applied(db: &Db, module: &str) -> Result<Vec<String>, DbErr> {
    ensure_tracking(db, module).await?;
    let rows = db
        .conn
        .query_all_raw(Statement::from_string(
            db.backend(),
            format!("SELECT name FROM {}", tracking_table(module)),
        ))
        .await?;
    rows.iter()
        .map(|r| r.try_get::<String>("", "name"))
        .collect()
}

/// Applies the pending migrations of one module, each in its own transaction. Returns the names
/// applied. A migration recorded as applied but absent from the list is an error.
pub async fn apply(
    db: &Db,
    module: &str,
    migrations: &[Migration],
) -> Result<Vec<&'static str>, DbErr> {
    let applied = applied(db, module).await?;
    for name in &applied {
        if !migrations.iter().any(|m| m.name == name) {
            return Err(DbErr::Custom(format!(
                "module {module}: migration {name} is applied but unknown to this binary"
            )));
        }
    }
    let mut done = vec![];
    for m in migrations {
        if applied.iter().any(|a| a == m.name) {
            continue;
        }
        let tx = db.begin_write().await?;
        for statement in split_statements(&render(m.sql, db.backend())) {
            tx.execute_unprepared(&statement).await.map_err(|e| {
                DbErr::Custom(format!("module {module}, migration {}: {e}", m.name))
            })?;
        }
        let record = crate::db::stmt(
            db.backend(),
            &format!("INSERT INTO {} (name) VALUES (?)", tracking_table(module)),
            vec![m.name.into()],
        );
        tx.execute_raw(record).await?;
        tx.commit().await?;
        tracing::info!(module, migration = m.name, "migration applied");
        done.push(m.name);
    }
    Ok(done)
}
