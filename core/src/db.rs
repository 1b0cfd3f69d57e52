//! Database access: one [`Db`] handle over a sea-orm pool, SQLite (file, WAL) or PostgreSQL by
//! URL. Writes go through [`Db::begin_write`]: on SQLite a process-wide writer lock makes writers
//! wait their turn instead of failing with "database is locked" (D26); readers are not blocked (WAL).

use crate::config::DatabaseConfig;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    Statement, TransactionTrait,
};
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Clone, Debug)]
pub struct Db {
    pub conn: DatabaseConnection,
    writer: Option<Arc<Mutex<()>>>,
}

/// A write transaction; on SQLite it holds the writer lock until commit or drop.
pub struct WriteTx {
    tx: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl Deref for WriteTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.tx.commit().await
    }
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.tx.rollback().await
    }
}

/// Turns `sqlite://path` into a URL sqlx opens read-write-create, making the folder if needed.
fn prepare_sqlite_url(url: &str) -> std::io::Result<String> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    if rest.starts_with(":memory:") || rest.contains("mode=memory") {
        return Ok(url.to_string());
    }
    let path = rest.split('?').next().unwrap_or(rest);
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    Ok(if rest.contains("mode=") {
        format!("sqlite://{rest}")
    } else if rest.contains('?') {
        format!("sqlite://{rest}&mode=rwc")
    } else {
        format!("sqlite://{rest}?mode=rwc")
    })
}

impl Db {
    pub async fn connect(cfg: &DatabaseConfig) -> anyhow::Result<Db> {
        let sqlite = cfg.url.starts_with("sqlite:");
        let url = if sqlite {
            prepare_sqlite_url(&cfg.url)?
        } else {
            cfg.url.clone()
        };
        let memory = url.contains(":memory:");
        let mut opts = ConnectOptions::new(url);
        opts.sqlx_logging(cfg.log_statements)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30))
            .max_connections(if memory { 1 } else { cfg.max_connections })
            // A SQLite connection is a local file handle: pinging it before every use only adds a
            // round trip to its worker thread.
            .test_before_acquire(!sqlite);
        if sqlite {
            let busy = Duration::from_millis(cfg.busy_timeout_ms);
            opts.map_sqlx_sqlite_opts(move |o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(busy)
                    .foreign_keys(true)
            });
        }
        let conn = sea_orm::Database::connect(opts).await?;
        Ok(Db {
            conn,
            writer: sqlite.then(|| Arc::new(Mutex::new(()))),
        })
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    pub fn is_sqlite(&self) -> bool {
        self.backend() == DbBackend::Sqlite
    }

    /// Opens a transaction that will write; serialised per process on SQLite.
    pub async fn begin_write(&self) -> Result<WriteTx, DbErr> {
        let guard = match &self.writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = self.conn.begin().await?;
        Ok(WriteTx { tx, _guard: guard })
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.conn
            .execute_raw(Statement::from_string(self.backend(), "SELECT 1"))
            .await
            .is_ok()
    }

    /// Runs SQL written once for both backends (see [`crate::migrate::render`]).
    pub async fn execute_sql(conn: &impl ConnectionTrait, sql: &str) -> Result<(), DbErr> {
        let rendered = crate::migrate::render(sql, conn.get_database_backend());
        conn.execute_unprepared(&rendered).await.map(|_| ())
    }
}

/// `?` placeholders for SQLite, `$n` for PostgreSQL.
pub fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

/// A statement with `?` placeholders and values, for the current backend.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
}
