//! Events between modules. An event has a stable wire name (`health_facility.saving`) and a JSON
//! payload. In-transaction handlers run inside the publisher's transaction and may veto the change
//! by returning an error. Every published event is also written to the outbox table in the same
//! transaction; the dispatcher delivers it to after-commit handlers once committed, at least once
//! (handlers must be idempotent). Modules register handlers and port implementations in
//! [`Wiring`] through their descriptor's `wire` function.

use crate::error::{AppError, AppResult};
pub use crate::state::{AfterCommitHandler, Event, EventBus, InTxHandler, Wiring};
use crate::state::{AppState, ModuleDescriptor, Ports};
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseTransaction};

impl Wiring {
    pub fn on_in_tx(&mut self, event: &str, handler: InTxHandler) {
        self.in_tx
            .entry(event.to_string())
            .or_default()
            .push((self.current_module, handler));
    }
    pub fn on_after_commit(&mut self, event: &str, handler: AfterCommitHandler) {
        self.after_commit
            .entry(event.to_string())
            .or_default()
            .push((self.current_module, handler));
    }
}

impl EventBus {
    /// Wires the given modules (already filtered to the enabled ones, in dependency order).
    pub fn wire(modules: &[&'static ModuleDescriptor]) -> (EventBus, Ports) {
        let mut wiring = Wiring::default();
        for m in modules {
            wiring.current_module = m.name;
            (m.wire)(&mut wiring);
        }
        (
            EventBus {
                in_tx: wiring.in_tx,
                after_commit: wiring.after_commit,
            },
            wiring.ports,
        )
    }

    /// Whether some enabled module handles `event` inside the transaction.
    pub fn has_in_tx_handler(&self, event: &str) -> bool {
        self.in_tx.get(event).is_some_and(|h| !h.is_empty())
    }

    /// Runs the in-transaction handlers (the first error vetoes) and writes the outbox row.
    pub async fn publish(
        &self,
        state: &AppState,
        tx: &DatabaseTransaction,
        event: Event,
    ) -> AppResult<()> {
        if let Some(handlers) = self.in_tx.get(&event.name) {
            for (_, h) in handlers {
                h(state, tx, &event).await?;
            }
        }
        let stmt = crate::db::stmt(
            tx.get_database_backend(),
            "INSERT INTO core_outbox (event_name, payload, actor_id, created_at, attempts) VALUES (?, ?, ?, ?, 0)",
            vec![
                event.name.clone().into(),
                serde_json::to_string(&event.payload)?.into(),
                event.actor.into(),
                Utc::now().into(),
            ],
        );
        tx.execute_raw(stmt).await?;
        Ok(())
    }

    /// [`Self::publish`] for many events: the handlers run per event, in order, and the outbox
    /// rows are written in multi-row INSERTs (one per 500 events) rather than one per event.
    pub async fn publish_many(
        &self,
        state: &AppState,
        tx: &DatabaseTransaction,
        events: Vec<Event>,
    ) -> AppResult<()> {
        for event in &events {
            if let Some(handlers) = self.in_tx.get(&event.name) {
                for (_, h) in handlers {
                    h(state, tx, event).await?;
                }
            }
        }
        let created_at = Utc::now();
        for chunk in events.chunks(500) {
            let mut sql = String::from(
                "INSERT INTO core_outbox (event_name, payload, actor_id, created_at, attempts) VALUES ",
            );
            let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 4);
            for (i, event) in chunk.iter().enumerate() {
                sql.push_str(if i == 0 {
                    "(?, ?, ?, ?, 0)"
                } else {
                    ", (?, ?, ?, ?, 0)"
                });
                values.extend([
                    event.name.clone().into(),
                    serde_json::to_string(&event.payload)?.into(),
                    event.actor.into(),
                    created_at.into(),
                ]);
            }
            tx.execute_raw(crate::db::stmt(tx.get_database_backend(), &sql, values))
                .await?;
        }
        Ok(())
    }

    /// Delivers pending outbox events once; returns how many were handled. A short transaction
    /// claims up to [`DISPATCH_BATCH`] due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
    /// several instances can dispatch): rows no after-commit handler wants are marked delivered
    /// there, the others get a lease. Their handlers then run outside any transaction — on
    /// SQLite a transaction here would hold the single writer's turn for as long as a handler
    /// takes — and a second short transaction records the outcomes. A crash leaves the leased
    /// rows to be retried when the lease ends (delivery is at least once).
    pub async fn dispatch_pending(&self, state: &AppState) -> AppResult<usize> {
        let db = &state.db;
        let pg = !db.is_sqlite();
        let now = Utc::now();
        let tx = db.begin_write().await?;
        let sql = format!(
            "SELECT id, event_name, payload, actor_id, attempts FROM core_outbox \
             WHERE delivered_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT {DISPATCH_BATCH}{}",
            if pg { " FOR UPDATE SKIP LOCKED" } else { "" }
        );
        let rows = tx
            .query_all_raw(crate::db::stmt(db.backend(), &sql, vec![now.into()]))
            .await?;
        let claimed = rows.len();
        let mut unwanted = vec![];
        let mut leased = vec![];
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let name: String = row.try_get("", "event_name")?;
            if !self.after_commit.contains_key(&name) {
                unwanted.push(id);
                continue;
            }
            let payload: String = row.try_get("", "payload")?;
            let attempts: i32 = row.try_get("", "attempts")?;
            let event = Event {
                name,
                payload: serde_json::from_str(&payload)?,
                actor: row.try_get("", "actor_id")?,
            };
            leased.push((id, attempts, event));
        }
        mark_delivered(&tx, unwanted, now).await?;
        if !leased.is_empty() {
            tx.execute_raw(crate::db::stmt(
                db.backend(),
                &format!(
                    "UPDATE core_outbox SET next_attempt_at = ? WHERE id IN ({})",
                    crate::text::ids_sql(leased.iter().map(|(id, ..)| *id))
                ),
                vec![(now + DELIVERY_LEASE).into()],
            ))
            .await?;
        }
        tx.commit().await?;
        if leased.is_empty() {
            return Ok(claimed);
        }
        let mut delivered = Vec::with_capacity(leased.len());
        let mut failed = vec![];
        for (id, attempts, event) in leased {
            let mut failure: Option<AppError> = None;
            for (module, h) in self.after_commit.get(&event.name).into_iter().flatten() {
                if let Err(e) = h(state, &event).await {
                    tracing::warn!(event = %event.name, module, error = %e, "after-commit handler failed; will retry");
                    failure = Some(e);
                    break;
                }
            }
            match failure {
                None => delivered.push(id),
                Some(e) => failed.push((id, attempts, e)),
            }
        }
        let tx = db.begin_write().await?;
        mark_delivered(&tx, delivered, Utc::now()).await?;
        for (id, attempts, e) in failed {
            let backoff = chrono::Duration::seconds(2i64.pow((attempts as u32).min(12)));
            tx.execute_raw(crate::db::stmt(
                db.backend(),
                "UPDATE core_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                vec![
                    e.to_string().into(),
                    (Utc::now() + backoff).into(),
                    id.into(),
                ],
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }
}

/// Marks outbox rows delivered, in one statement: the dispatcher shares the writer with mutations.
async fn mark_delivered(
    tx: &DatabaseTransaction,
    ids: Vec<i64>,
    at: chrono::DateTime<Utc>,
) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    tx.execute_raw(crate::db::stmt(
        tx.get_database_backend(),
        &format!(
            "UPDATE core_outbox SET delivered_at = ? WHERE id IN ({})",
            crate::text::ids_sql(ids)
        ),
        vec![at.into()],
    ))
    .await?;
    Ok(())
}

/// How long a claimed event is kept from other dispatchers while its handlers run.
const DELIVERY_LEASE: chrono::Duration = chrono::Duration::minutes(5);

/// Outbox rows one dispatch claims.
const DISPATCH_BATCH: usize = 100;

/// How long the dispatcher waits after a wake-up so that the events of a burst of mutations are
/// delivered in one transaction: on SQLite the dispatcher takes the single writer's turn.
const GATHER_WINDOW: std::time::Duration = std::time::Duration::from_millis(20);

/// Runs the dispatcher until `shutdown` fires: shortly after a poke by a commit and every poll
/// interval.
pub async fn run_dispatcher(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let interval = std::time::Duration::from_millis(state.config.jobs.outbox_poll_ms.max(50));
    loop {
        match state.bus.dispatch_pending(&state).await {
            Ok(n) if n >= DISPATCH_BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox dispatch failed"),
        }
        tokio::select! {
            _ = state.outbox_wakeup.notified() => tokio::time::sleep(GATHER_WINDOW).await,
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}
