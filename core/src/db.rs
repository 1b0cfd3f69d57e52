//! Database access: one [`Db`] handle over a sea-orm pool, SQLite (file, WAL) or PostgreSQL by
//! URL. Writes go through [`Db::begin_write`]: on SQLite a process-wide writer lock makes writers
//! wait their turn instead of failing with "database is locked" (D26); readers are not blocked (WAL).
//! On PostgreSQL a transaction aborted by a concurrent one (deadlock, serialization failure) is
//! recognised by [`is_retryable`] and run again by [`with_retries`].
//! On a SQLite file every write transaction runs on one dedicated connection with a large page
//! cache: SQLite drops a connection's whole cache when another connection has written, so writes
//! spread over the pool would read their index pages again every time.

use crate::config::DatabaseConfig;
use crate::error::AppResult;
// The classification lives with the error type (errors import nothing of the database layer).
pub use crate::error::{is_retryable, is_retryable_error, retryable_error};
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
    writer: Option<SqliteWriter>,
}

/// SQLite's single writer: the turn every write transaction waits for, and the connection it
/// runs on (the pool's own for an in-memory database, which exists only on that connection).
#[derive(Clone, Debug)]
struct SqliteWriter {
    turn: Arc<Mutex<()>>,
    conn: DatabaseConnection,
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
    /// A savepoint in this transaction, used as a transaction of its own: committing it keeps
    /// its writes for the outer commit, rolling it back (or dropping it) undoes only them. It
    /// holds no writer turn: the outer transaction keeps it until its own end.
    pub async fn savepoint(&self) -> Result<WriteTx, DbErr> {
        Ok(WriteTx {
            tx: self.tx.begin().await?,
            _guard: None,
        })
    }
}

/// How many more times a transaction that failed with a retryable error (see [`is_retryable`])
/// is run before its error is answered.
pub const MAX_RETRIES: u32 = 8;

/// Waits before retry `attempt` (1, 2, …) of a transaction that failed with a retryable error:
/// a random 20–80 ms doubled per attempt (up to 32 times), so that the transactions that collided do not collide
/// again in step.
pub async fn pause_before_retry(attempt: u32) {
    use rand::Rng;
    let base = rand::thread_rng().gen_range(20..=80_u64);
    let ms = base << attempt.saturating_sub(1).min(5);
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// Runs `attempt` (a whole transaction: it must roll back everything it wrote when it fails)
/// again while it fails with a retryable database error, at most [`MAX_RETRIES`] more times
/// with a short random pause between runs; answers its last outcome.
pub async fn with_retries<T, Fut>(mut attempt: impl FnMut() -> Fut) -> AppResult<T>
where
    Fut: std::future::Future<Output = AppResult<T>>,
{
    let mut retries = 0;
    loop {
        match attempt().await {
            Err(e) if is_retryable_error(&e) && retries < MAX_RETRIES => {
                retries += 1;
                pause_before_retry(retries).await;
            }
            outcome => return outcome,
        }
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
        let options = |connections: u32, cache_kib: Option<u32>| {
            let mut opts = ConnectOptions::new(url.clone());
            opts.sqlx_logging(cfg.log_statements)
                .connect_timeout(Duration::from_secs(10))
                .acquire_timeout(Duration::from_secs(30))
                .max_connections(connections)
                // A SQLite connection is a local file handle: pinging it before every use only
                // adds a round trip to its worker thread.
                .test_before_acquire(!sqlite);
            if sqlite {
                let busy = Duration::from_millis(cfg.busy_timeout_ms);
                opts.map_sqlx_sqlite_opts(move |o| {
                    let o = o
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .busy_timeout(busy)
                        .foreign_keys(true);
                    match cache_kib {
                        // A negative cache_size is in KiB.
                        Some(kib) => o.pragma("cache_size", format!("-{kib}")),
                        None => o,
                    }
                });
            }
            opts
        };
        let pool_size = if memory { 1 } else { cfg.max_connections };
        let conn = sea_orm::Database::connect(options(pool_size, None)).await?;
        let writer = if !sqlite {
            None
        } else {
            let writer_conn = if memory {
                conn.clone()
            } else {
                let cache_kib = cfg.sqlite_writer_cache_mib.max(1).saturating_mul(1024);
                sea_orm::Database::connect(options(1, Some(cache_kib))).await?
            };
            Some(SqliteWriter {
                turn: Arc::new(Mutex::new(())),
                conn: writer_conn,
            })
        };
        Ok(Db { conn, writer })
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    pub fn is_sqlite(&self) -> bool {
        self.backend() == DbBackend::Sqlite
    }

    /// Makes every SQLite connection read the planner statistics again, after an `ANALYZE`
    /// (bulk loads: `imis seed scale`, `imis bench`). A connection loads them when it reads the
    /// schema, so one opened on a small database keeps planning for small tables: on a national
    /// database the writer then took 6 s per 500 claims submitted where a fresh connection takes
    /// 0.5 s. A no-op on PostgreSQL, whose server keeps the statistics.
    pub async fn reload_statistics(&self) -> Result<(), DbErr> {
        const RELOAD: &str = "ANALYZE sqlite_schema";
        if !self.is_sqlite() {
            return Ok(());
        }
        if let Some(w) = &self.writer {
            let _turn = w.turn.clone().lock_owned().await;
            w.conn.execute_unprepared(RELOAD).await?;
        }
        // Each connection of the read pool: all held at once, so that none is reloaded twice
        // while another is skipped.
        let pool = self.conn.get_sqlite_connection_pool();
        let mut held = Vec::with_capacity(pool.size() as usize);
        for _ in 0..pool.num_idle().max(1) {
            match pool.try_acquire() {
                Some(c) => held.push(c),
                None => break,
            }
        }
        for c in &mut held {
            sea_orm::sqlx::query(RELOAD)
                .execute(&mut **c)
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        Ok(())
    }

    /// Opens a transaction that will write; serialised per process on SQLite, where it runs on
    /// the writer connection.
    pub async fn begin_write(&self) -> Result<WriteTx, DbErr> {
        match &self.writer {
            Some(w) => {
                let guard = w.turn.clone().lock_owned().await;
                let tx = w.conn.begin().await?;
                Ok(WriteTx {
                    tx,
                    _guard: Some(guard),
                })
            }
            None => Ok(WriteTx {
                tx: self.conn.begin().await?,
                _guard: None,
            }),
        }
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.conn
            .execute_raw(Statement::from_string(self.backend(), "SELECT 1"))
            .await
            .is_ok()
    }

    /// Runs SQL written once for both backends (see [`render`]).
    pub async fn execute_sql(conn: &impl ConnectionTrait, sql: &str) -> Result<(), DbErr> {
        let rendered = render(sql, conn.get_database_backend());
        conn.execute_unprepared(&rendered).await.map(|_| ())
    }
}

/// The version columns every versioned table ends with (D7), as `{version_columns}` in SQL.
const VERSION_COLUMNS: &str =
    "validity_from {ts} NOT NULL,\n    validity_to {ts},\n    audit_user_id BIGINT";

/// SQL written once for both databases (migrations, [`Db::execute_sql`]) with its placeholders
/// (`{version_columns}`, `{id}`, `{uuid}`, `{ts}`, `{date}`, `{json}`, `{bool_true}`,
/// `{bool_false}`) replaced for `backend`.
pub fn render(sql: &str, backend: DbBackend) -> String {
    let pg = backend == DbBackend::Postgres;
    sql.replace("{version_columns}", VERSION_COLUMNS)
        .replace(
            "{id}",
            if pg {
                "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
            } else {
                "INTEGER PRIMARY KEY AUTOINCREMENT"
            },
        )
        .replace("{uuid}", if pg { "UUID" } else { "BLOB" })
        .replace("{ts}", if pg { "TIMESTAMPTZ" } else { "TEXT" })
        .replace("{date}", if pg { "DATE" } else { "TEXT" })
        .replace("{json}", "TEXT")
        .replace("{bool_true}", if pg { "TRUE" } else { "1" })
        .replace("{bool_false}", if pg { "FALSE" } else { "0" })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn only_errors_of_a_concurrent_transaction_are_retryable() {
        assert!(is_retryable_error(&retryable_error()));
        assert!(!is_retryable_error(&AppError::internal()));
        assert!(!is_retryable_error(
            &AppError::validation("input.invalid").with("retryable", true)
        ));
        assert!(!is_retryable(&DbErr::RecordNotFound("row".into())));
        let coded: AppError = DbErr::Custom("custom".into()).into();
        assert!(!is_retryable_error(&coded));
    }
}
