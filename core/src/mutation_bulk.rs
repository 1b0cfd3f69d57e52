//! Bulk mutations atomic per item (D26): a mutation over many objects (claims to submit or
//! process, say) commits each item on its own, with its own history, outbox and links, in write
//! transactions of at most [`BULK_CHUNK`] items.
//!
//! The log row is inserted and committed first with status 0 "received", which claims the
//! `clientMutationId`. Each item then runs in a savepoint of its chunk's transaction: an item's
//! error rolls back only its savepoint and becomes its outcome, the other items go on. Each
//! item's outcome is stored (`core_mutation_item`) in the transaction that did its work, so a
//! crash loses nothing. After the last chunk the log row gets the per-item outcomes
//! ([`BulkOutcome`]), status 2 when every item succeeded, else 1 with the failed items' errors.
//! A replay of a finished mutation answers the stored outcome; a replay of an unfinished one
//! (a crash, an internal error) runs only the items without an outcome, then finishes. Chunks
//! start by locking the log row, so a concurrent duplicate waits and skips what the other run
//! handled. A chunk holds its items' row locks until it commits, so two bulk mutations taking
//! the same rows in opposite orders can deadlock on PostgreSQL: the chunk the database aborts
//! (deadlock or serialization failure, [`crate::db::is_retryable`]) rolls back whole and runs
//! again from its first item, a few times after short random pauses; items of committed chunks
//! never run again.

use crate::auth::{Principal, Requirement, require_user};
use crate::db::{WriteTx, with_retries};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::mutation::{
    self, Claim, Envelope, MutationCtx, Outcome, STATUS_ERROR, STATUS_RECEIVED, STATUS_SUCCESS,
    Stored, Warning,
};
use crate::state::AppState;
use sea_orm::ConnectionTrait;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Most items one write transaction of a bulk mutation runs (D26).
pub const BULK_CHUNK: usize = 500;
/// Longest item key (its column's size).
pub const MAX_ITEM_KEY_CHARS: usize = 255;

/// The outcome of a bulk mutation: one entry per distinct key, in the order of the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkOutcome<T> {
    pub items: Vec<ItemOutcome<T>>,
}

impl<T> BulkOutcome<T> {
    /// How many items succeeded.
    pub fn succeeded(&self) -> usize {
        self.items.iter().filter(|i| i.error.is_none()).count()
    }
    /// How many items failed.
    pub fn failed(&self) -> usize {
        self.items.len() - self.succeeded()
    }
}

/// One item's outcome: its result when it succeeded, else its error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemOutcome<T> {
    pub key: String,
    pub result: Option<T>,
    pub error: Option<ItemError>,
}

/// Why an item failed: its error code and message, in the language of the request that ran it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemError {
    pub code: String,
    pub message: String,
}

/// A `core_mutation_item.outcome`: the result as JSON, or the error as an entry of the log's
/// error list, and the warnings the item recorded.
#[derive(Serialize, Deserialize)]
struct StoredItem {
    #[serde(default)]
    result: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Warning>,
}

impl StoredItem {
    fn item_error(&self) -> Option<ItemError> {
        let e = self.error.as_ref()?;
        let text = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or_default().into();
        Some(ItemError {
            code: text("code"),
            message: text("message"),
        })
    }
}

/// The entries a bulk mutation adds to its log row's `json_ext` (statistics, say), computed
/// from the outcome of every item when the mutation finishes.
pub type Summary<T> = fn(&BulkOutcome<T>) -> serde_json::Map<String, serde_json::Value>;

/// Runs `body` once per key as the bulk mutation `name` (see the module documentation). The
/// caller must meet `requirement`; `input` is what the log stores and a replay compares, and it
/// should contain the keys. Repeated keys run once. `summary`'s entries go to the log row's
/// `json_ext` beside the items' `warnings`. Each item calls a clone of `body` (see the test
/// below for why not `AsyncFn`).
#[allow(clippy::too_many_arguments)]
pub async fn run_each<T, F>(
    state: &AppState,
    principal: Option<&Principal>,
    lang: &str,
    name: &str,
    envelope: &Envelope,
    input: &serde_json::Value,
    requirement: Requirement,
    keys: Vec<String>,
    summary: Option<Summary<T>>,
    body: F,
) -> AppResult<Outcome<BulkOutcome<T>>>
where
    T: Serialize + DeserializeOwned,
    F: AsyncFnOnce(&mut MutationCtx<'_>, &str) -> AppResult<T> + Clone,
{
    let one_by_one = async move |m: &mut MutationCtx<'_>, keys: &[&str]| {
        let key = keys.first().copied().unwrap_or_default();
        Ok(vec![body(m, key).await])
    };
    let request = BulkRequest {
        state,
        principal,
        lang,
        name,
        envelope,
        input,
        requirement,
    };
    run_chunks(request, keys, summary, Batching::OneByOne, one_by_one).await
}

/// [`run_each`] whose `batch` handles many items at once, so that a chunk's facts are read and
/// its rows written in a few statements rather than a few per item (submitting a day of
/// claims). `batch` answers one result per key, in order, and must write nothing for a key it
/// answers with an error. A chunk's keys are given to one call of `batch`, in a savepoint; when
/// that call fails (other than for a retryable conflict, which runs the chunk again), answers an
/// internal error for a key, or records warnings (which belong to one item), its savepoint is
/// rolled back and each key runs on its own, `batch` called with that key alone in its own
/// savepoint, as in [`run_each`]. Either way each item's outcome is the same. What the call
/// records (links, staged files) is kept whole when it succeeds, so it must record nothing for
/// a key it fails.
#[allow(clippy::too_many_arguments)]
pub async fn run_batches<T, F>(
    state: &AppState,
    principal: Option<&Principal>,
    lang: &str,
    name: &str,
    envelope: &Envelope,
    input: &serde_json::Value,
    requirement: Requirement,
    keys: Vec<String>,
    summary: Option<Summary<T>>,
    batch: F,
) -> AppResult<Outcome<BulkOutcome<T>>>
where
    T: Serialize + DeserializeOwned,
    F: AsyncFnOnce(&mut MutationCtx<'_>, &[&str]) -> AppResult<Vec<AppResult<T>>> + Clone,
{
    let request = BulkRequest {
        state,
        principal,
        lang,
        name,
        envelope,
        input,
        requirement,
    };
    run_chunks(request, keys, summary, Batching::Chunk, batch).await
}

/// What identifies a bulk mutation's request.
struct BulkRequest<'a> {
    state: &'a AppState,
    principal: Option<&'a Principal>,
    lang: &'a str,
    name: &'a str,
    envelope: &'a Envelope,
    input: &'a serde_json::Value,
    requirement: Requirement,
}

/// Whether a body is given a chunk's keys at once or one key at a time.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Batching {
    OneByOne,
    Chunk,
}

async fn run_chunks<T, F>(
    request: BulkRequest<'_>,
    keys: Vec<String>,
    summary: Option<Summary<T>>,
    batching: Batching,
    body: F,
) -> AppResult<Outcome<BulkOutcome<T>>>
where
    T: Serialize + DeserializeOwned,
    F: AsyncFnOnce(&mut MutationCtx<'_>, &[&str]) -> AppResult<Vec<AppResult<T>>> + Clone,
{
    let BulkRequest {
        state,
        principal,
        lang,
        name,
        envelope,
        input,
        requirement,
    } = request;
    let (p, input_text) = mutation::admit(principal, envelope, input)?;
    let cmid = mutation::client_id(envelope);
    let log_uuid = Uuid::now_v7();
    // Refusals are logged as a single mutation's are.
    if let Err(err) = require_user(principal, requirement).and_then(|_| check_keys(&keys)) {
        mutation::log_failure(
            state,
            log_uuid,
            p.user_id,
            name,
            envelope,
            &input_text,
            &err,
            lang,
        )
        .await;
        return Err(err);
    }
    let mut seen = HashSet::new();
    let keys: Vec<String> = keys
        .into_iter()
        .filter(|k| seen.insert(k.clone()))
        .collect();
    let claimed = mutation::claim(
        state,
        log_uuid,
        p.user_id,
        name,
        envelope,
        &input_text,
        STATUS_RECEIVED,
    )
    .await?;
    let (log_id, log_uuid, resumed) = match claimed {
        Claim::New(tx, id) => {
            tx.commit().await?;
            (id, log_uuid, false)
        }
        Claim::Taken(stored) => {
            let c = cmid.as_deref().unwrap_or_default();
            match mutation::replay(
                stored,
                name,
                &input_text,
                envelope.secrets_digest.as_deref(),
                c,
            ) {
                Stored::Replay(outcome) => return outcome,
                Stored::Rerun(stored) => (stored.id, stored.uuid, true),
            }
        }
    };
    let log = BulkLog {
        state,
        principal,
        lang,
        id: log_id,
        uuid: log_uuid,
    };
    let outcome = async {
        let handled = if resumed {
            handled_keys(&state.db.conn, log_id, None).await?
        } else {
            HashSet::new()
        };
        let pending: Vec<&str> = keys
            .iter()
            .map(String::as_str)
            .filter(|k| !handled.contains(*k))
            .collect();
        for chunk in pending.chunks(BULK_CHUNK) {
            // A chunk the database aborted for a deadlock with a concurrent transaction (whose
            // locks it held all along) rolled back whole: it runs again, from its first item.
            if !with_retries(|| log.run_chunk(chunk, batching, &body)).await? {
                // Another run of the same request has finished it.
                break;
            }
        }
        with_retries(|| log.finish(&keys, cmid.clone(), summary)).await
    }
    .await;
    if let Err(err) = &outcome {
        log.mark_failed(err).await;
    }
    outcome
}

fn is_internal<T>(result: &AppResult<T>) -> bool {
    result
        .as_ref()
        .is_err_and(|e| e.kind == ErrorKind::Internal)
}

/// What a chunk's items did, stored when the chunk commits.
#[derive(Default)]
struct Handled<'k> {
    rows: Vec<(&'k str, StoredItem)>,
    links: Vec<(&'static str, i64)>,
    files: Vec<crate::files::StagedFile>,
}

impl<'k> Handled<'k> {
    fn push<T: Serialize>(
        &mut self,
        lang: &str,
        key: &'k str,
        result: AppResult<T>,
        warnings: Vec<Warning>,
    ) -> AppResult<()> {
        let item = match result {
            Ok(value) => StoredItem {
                result: Some(serde_json::to_value(&value)?),
                error: None,
                warnings,
            },
            Err(e) => StoredItem {
                result: None,
                error: Some(mutation::error_entry(&e, lang, key)),
                warnings: vec![],
            },
        };
        self.rows.push((key, item));
        Ok(())
    }
}

/// Keys must fit their column.
fn check_keys(keys: &[String]) -> AppResult<()> {
    match keys.iter().any(|k| k.chars().count() > MAX_ITEM_KEY_CHARS) {
        true => Err(AppError::invalid("keys", "at most 255 characters")),
        false => Ok(()),
    }
}

/// The log row of a bulk mutation being run.
struct BulkLog<'a> {
    state: &'a AppState,
    principal: Option<&'a Principal>,
    lang: &'a str,
    id: i64,
    uuid: Uuid,
}

impl BulkLog<'_> {
    /// Runs the items `keys` in one write transaction and stores their outcomes with their work:
    /// all at once in one savepoint when `batching` allows and that succeeds (see
    /// [`run_batches`]), else each in its own savepoint. Answers false, running nothing, when
    /// the mutation is already finished. An internal error rolls the whole chunk back and is
    /// returned: the items of the chunk stay unhandled, to run again (a retryable error) or on a
    /// replay.
    async fn run_chunk<T, F>(&self, keys: &[&str], batching: Batching, body: &F) -> AppResult<bool>
    where
        T: Serialize,
        F: AsyncFnOnce(&mut MutationCtx<'_>, &[&str]) -> AppResult<Vec<AppResult<T>>> + Clone,
    {
        let state = self.state;
        let tx = state.db.begin_write().await?;
        if !reopen(&tx, self.id).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        // A concurrent run of the same request may have handled some of them meanwhile.
        let done = handled_keys(&*tx, self.id, Some(keys)).await?;
        let pending: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| !done.contains(*k))
            .collect();
        let mut handled = Handled::default();
        let mut whole = false;
        if batching == Batching::Chunk && pending.len() > 1 {
            let savepoint = tx.savepoint().await?;
            let mut ctx = self.ctx(&savepoint);
            let outcome = body.clone()(&mut ctx, &pending).await;
            let MutationCtx {
                warnings,
                links: batch_links,
                staged_files,
                ..
            } = ctx;
            // A conflict met by one item is the chunk's: it runs again whole.
            let outcome = match outcome {
                Ok(mut results) => match results
                    .iter()
                    .position(|r| r.as_ref().is_err_and(crate::error::is_retryable_error))
                {
                    Some(i) => Err(results
                        .swap_remove(i)
                        .err()
                        .unwrap_or_else(AppError::internal)),
                    None => Ok(results),
                },
                Err(e) => Err(e),
            };
            match outcome {
                Ok(results)
                    if results.len() == pending.len()
                        && warnings.is_empty()
                        && !results.iter().any(is_internal) =>
                {
                    savepoint.commit().await?;
                    handled.links.extend(batch_links);
                    handled.files.extend(staged_files);
                    for (key, result) in pending.iter().zip(results) {
                        handled.push(self.lang, key, result, vec![])?;
                    }
                    whole = true;
                }
                Err(e) if crate::error::is_retryable_error(&e) => {
                    savepoint.rollback().await?;
                    tx.rollback().await?;
                    return Err(e);
                }
                // Each item on its own tells which failed, and why.
                other => {
                    let code = match &other {
                        Err(e) => e.code.clone(),
                        Ok(_) => "item_error_or_warning".into(),
                    };
                    tracing::info!(%code, items = pending.len(), "a batch fell back to one item at a time");
                    savepoint.rollback().await?;
                }
            }
        }
        if !whole {
            for &key in &pending {
                let savepoint = tx.savepoint().await?;
                let mut ctx = self.ctx(&savepoint);
                let result = match body.clone()(&mut ctx, &[key]).await {
                    Ok(mut results) if results.len() == 1 => results.remove(0),
                    Ok(_) => Err(AppError::internal()),
                    Err(e) => Err(e),
                };
                let MutationCtx {
                    warnings,
                    links: item_links,
                    staged_files,
                    ..
                } = ctx;
                match result {
                    Ok(value) => {
                        savepoint.commit().await?;
                        handled.links.extend(item_links);
                        handled.files.extend(staged_files);
                        handled.push(self.lang, key, Ok(value), warnings)?;
                    }
                    Err(e) if e.kind == ErrorKind::Internal => {
                        // Dropping the staged files deletes them: their rows are rolled back.
                        savepoint.rollback().await?;
                        tx.rollback().await?;
                        return Err(e);
                    }
                    Err(e) => {
                        savepoint.rollback().await?;
                        handled.push::<T>(self.lang, key, Err(e), vec![])?;
                    }
                }
            }
        }
        let Handled { rows, links, files } = handled;
        insert_items(&tx, self.id, &rows).await?;
        mutation::insert_links(&tx, self.id, links).await?;
        tx.commit().await?;
        mutation::finalise_files(files).await;
        state.outbox_wakeup.notify_one();
        Ok(true)
    }

    /// A fresh mutation context on `tx` for this run's caller and log row.
    fn ctx<'a>(&'a self, tx: &'a WriteTx) -> MutationCtx<'a> {
        MutationCtx {
            state: self.state,
            principal: self.principal,
            tx,
            log_id: self.id,
            log_uuid: self.uuid,
            warnings: vec![],
            links: vec![],
            autogenerated_code: None,
            staged_files: vec![],
        }
    }

    /// Writes the outcome of every key on the log row, last: status 2 when every item
    /// succeeded, else 1 with the failed items' errors; the items' warnings (each with its
    /// `key`) and the `summary` in `json_ext`. When another run finished first, its stored
    /// outcome is answered.
    async fn finish<T: Serialize + DeserializeOwned>(
        &self,
        keys: &[String],
        cmid: Option<String>,
        summary: Option<Summary<T>>,
    ) -> AppResult<Outcome<BulkOutcome<T>>> {
        let state = self.state;
        let tx = state.db.begin_write().await?;
        if !reopen(&tx, self.id).await? {
            tx.rollback().await?;
            return self.stored_outcome(cmid).await;
        }
        let mut stored = stored_items(&tx, self.id).await?;
        let mut items = Vec::with_capacity(keys.len());
        let mut errors = vec![];
        let mut warnings = vec![];
        for key in keys {
            // Every key has an outcome once its chunk has committed.
            let item = stored.remove(key).ok_or_else(AppError::internal)?;
            let error = item.item_error();
            errors.extend(item.error);
            for mut w in item.warnings {
                w.params.insert("key".into(), key.clone().into());
                warnings.push(w);
            }
            let result = item.result.map(serde_json::from_value).transpose()?;
            items.push(ItemOutcome {
                key: key.clone(),
                result,
                error,
            });
        }
        let outcome = BulkOutcome { items };
        let mut ext = summary.map(|s| s(&outcome)).unwrap_or_default();
        if !warnings.is_empty() {
            ext.insert("warnings".into(), serde_json::to_value(&warnings)?);
        }
        let ext = (!ext.is_empty()).then(|| serde_json::Value::Object(ext).to_string());
        let (status, error) = match errors.is_empty() {
            true => (STATUS_SUCCESS, None),
            false => (
                STATUS_ERROR,
                Some(serde_json::Value::from(errors).to_string()),
            ),
        };
        let update = crate::db::stmt(
            state.db.backend(),
            "UPDATE core_mutation_log SET status = ?, result = ?, error = ?, json_ext = ? WHERE id = ?",
            vec![
                status.into(),
                serde_json::to_string(&outcome)?.into(),
                error.into(),
                ext.into(),
                self.id.into(),
            ],
        );
        tx.execute_raw(update).await?;
        tx.commit().await?;
        Ok(Outcome {
            internal_id: self.uuid,
            client_mutation_id: cmid,
            result: outcome,
            replayed: false,
        })
    }

    /// The outcome another run of the same request stored.
    async fn stored_outcome<T: DeserializeOwned>(
        &self,
        cmid: Option<String>,
    ) -> AppResult<Outcome<BulkOutcome<T>>> {
        let conn = &self.state.db.conn;
        let row = conn
            .query_one_raw(crate::db::stmt(
                conn.get_database_backend(),
                "SELECT result FROM core_mutation_log WHERE id = ?",
                vec![self.id.into()],
            ))
            .await?
            .ok_or_else(AppError::internal)?;
        let text: Option<String> = row.try_get("", "result")?;
        let result = serde_json::from_str(&text.ok_or_else(AppError::internal)?)?;
        Ok(Outcome {
            internal_id: self.uuid,
            client_mutation_id: cmid,
            result,
            replayed: true,
        })
    }

    /// Records an error that stopped the run (status 1, its coded error, no result): the items
    /// committed so far keep their outcomes, and a replay runs the others.
    async fn mark_failed(&self, err: &AppError) {
        let state = self.state;
        let write = async {
            let tx = state.db.begin_write().await?;
            tx.execute_raw(crate::db::stmt(
                state.db.backend(),
                "UPDATE core_mutation_log SET status = ?, error = ? WHERE id = ? AND result IS NULL",
                vec![
                    STATUS_ERROR.into(),
                    mutation::error_json(err, self.lang).into(),
                    self.id.into(),
                ],
            ))
            .await?;
            tx.commit().await?;
            Ok::<_, AppError>(())
        };
        if let Err(e) = write.await {
            tracing::warn!(error = %e, log = self.id, "could not record a bulk mutation's failure");
        }
    }
}

/// Locks the log row `log_id` for this transaction (concurrent runs of the same request queue
/// here) and, while it has no result, sets it back to "received" (a replay after an internal
/// error resumes it). Answers whether the mutation is still unfinished.
async fn reopen(tx: &WriteTx, log_id: i64) -> AppResult<bool> {
    let done = tx
        .execute_raw(crate::db::stmt(
            tx.get_database_backend(),
            "UPDATE core_mutation_log SET status = ?, error = NULL WHERE id = ? AND result IS NULL",
            vec![STATUS_RECEIVED.into(), log_id.into()],
        ))
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The keys of the log `log_id` that have an outcome (among `among` when given).
async fn handled_keys(
    conn: &impl ConnectionTrait,
    log_id: i64,
    among: Option<&[&str]>,
) -> AppResult<HashSet<String>> {
    let mut sql = String::from("SELECT item_key FROM core_mutation_item WHERE mutation_id = ?");
    let mut values: Vec<sea_orm::Value> = vec![log_id.into()];
    if let Some(keys) = among {
        if keys.is_empty() {
            return Ok(HashSet::new());
        }
        sql.push_str(" AND item_key IN (");
        sql.push_str(&vec!["?"; keys.len()].join(", "));
        sql.push(')');
        values.extend(keys.iter().map(|k| sea_orm::Value::from(*k)));
    }
    let rows = conn
        .query_all_raw(crate::db::stmt(conn.get_database_backend(), &sql, values))
        .await?;
    rows.iter()
        .map(|r| r.try_get::<String>("", "item_key").map_err(Into::into))
        .collect()
}

/// Every stored item outcome of the log `log_id`, by key.
async fn stored_items(tx: &WriteTx, log_id: i64) -> AppResult<HashMap<String, StoredItem>> {
    let rows = tx
        .query_all_raw(crate::db::stmt(
            tx.get_database_backend(),
            "SELECT item_key, outcome FROM core_mutation_item WHERE mutation_id = ?",
            vec![log_id.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            let key: String = r.try_get("", "item_key")?;
            let outcome: String = r.try_get("", "outcome")?;
            Ok((key, serde_json::from_str(&outcome)?))
        })
        .collect()
}

/// Stores item outcomes, one statement per 300 items.
async fn insert_items(tx: &WriteTx, log_id: i64, rows: &[(&str, StoredItem)]) -> AppResult<()> {
    for chunk in rows.chunks(300) {
        let mut sql =
            String::from("INSERT INTO core_mutation_item (mutation_id, item_key, outcome) VALUES ");
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 3);
        for (i, (key, item)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?)");
            values.extend([
                log_id.into(),
                (*key).into(),
                serde_json::to_string(item)?.into(),
            ]);
        }
        tx.execute_raw(crate::db::stmt(tx.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<F: std::future::Future + Send>(_: F) {}

    /// GraphQL resolvers must be `Send`. The body is called through a clone of itself
    /// (`AsyncFnOnce + Clone`) rather than by reference (`AsyncFn`): with the latter, a body
    /// borrowing its caller's data makes rustc fail to prove the resolver `Send` ("not general
    /// enough"). This fails to compile if that comes back.
    #[test]
    fn bodies_borrowing_or_owning_their_callers_data_keep_the_run_send() {
        async fn resolver(state: &AppState, principal: Option<&Principal>) {
            let (envelope, input) = (Envelope::default(), serde_json::Value::Null);
            let plan = vec![String::from("x")];
            let track = 3_i64;
            let borrowing = async |m: &mut MutationCtx<'_>, key: &str| {
                let _ = (m.log_id, &plan, track, key);
                Ok::<_, AppError>(plan.len())
            };
            let owned = plan.clone();
            let owning = async move |m: &mut MutationCtx<'_>, key: &str| {
                let _ = (m.log_id, &owned, key);
                Ok::<_, AppError>(owned.len())
            };
            let requirement = || Requirement::Authenticated;
            let keys = || vec![String::from("x")];
            let _ = run_each(
                state,
                principal,
                "en",
                "bulk",
                &envelope,
                &input,
                requirement(),
                keys(),
                None,
                borrowing,
            )
            .await;
            let _ = run_each(
                state,
                principal,
                "en",
                "bulk",
                &envelope,
                &input,
                requirement(),
                keys(),
                None,
                owning,
            )
            .await;
        }
        let _ = |s: &'static AppState| assert_send(resolver(s, None));
    }
}
