//! Scheduled jobs: each enabled module's [`JobDef`]s run once a day at their hour in the
//! configured time zone, and on demand with `imis jobs run <name>`. A run is recorded in
//! `core_job_run`, unique per (job, date), so several instances never run the same day twice;
//! every job is harmless when run again.

use crate::db::stmt;
use crate::error::{AppError, AppResult};
use crate::registry::JobDef;
use crate::state::AppState;
use chrono::Timelike;
use sea_orm::ConnectionTrait;

pub const CORE_JOBS: &[JobDef] = &[
    JobDef {
        name: "core.purge_expired_tokens",
        daily_at_hour: 2,
        run: |state| {
            Box::pin(async move {
                Ok(format!(
                    "{} expired rows removed",
                    crate::auth::tokens::purge_expired(&state).await?
                ))
            })
        },
    },
    JobDef {
        name: "core.file_store_cleanup",
        daily_at_hour: 3,
        run: |state| {
            Box::pin(async move {
                let n = state
                    .files
                    .remove_stale_temporaries(std::time::Duration::from_secs(24 * 3600))
                    .await?;
                Ok(format!("{n} orphaned temporary files removed"))
            })
        },
    },
];

pub fn find(state: &AppState, name: &str) -> Option<&'static JobDef> {
    state
        .modules
        .iter()
        .flat_map(|m| m.jobs.iter())
        .find(|j| j.name == name)
}

/// Runs a job now (CLI), recording nothing: manual runs may repeat.
pub async fn run_now(state: &AppState, name: &str) -> AppResult<String> {
    let job = find(state, name).ok_or_else(|| AppError::not_found("job"))?;
    (job.run)(state.clone()).await
}

/// Claims today's run of a job; false when another instance (or an earlier tick) already did.
async fn claim(state: &AppState, name: &str) -> AppResult<bool> {
    let r = state
        .db
        .conn
        .execute_raw(stmt(
            state.db.backend(),
            "INSERT INTO core_job_run (job_name, run_date, started_at) VALUES (?, ?, ?) ON CONFLICT (job_name, run_date) DO NOTHING",
            vec![name.into(), state.clock.today().into(), state.clock.now().into()],
        ))
        .await?;
    Ok(r.rows_affected() == 1)
}

/// The in-process scheduler: checks every minute which jobs are due today.
pub async fn run_scheduler(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        let hour = state.clock.now().with_timezone(&state.clock.tz).hour();
        for job in state.modules.iter().flat_map(|m| m.jobs.iter()) {
            if hour < job.daily_at_hour {
                continue;
            }
            match claim(&state, job.name).await {
                Ok(true) => {
                    let outcome = match (job.run)(state.clone()).await {
                        Ok(s) => s,
                        Err(e) => format!("failed: {e}"),
                    };
                    tracing::info!(job = job.name, outcome = %outcome, "job finished");
                    let _ = state
                        .db
                        .conn
                        .execute_raw(stmt(
                            state.db.backend(),
                            "UPDATE core_job_run SET finished_at = ?, outcome = ? WHERE job_name = ? AND run_date = ?",
                            vec![state.clock.now().into(), outcome.into(), job.name.into(), state.clock.today().into()],
                        ))
                        .await;
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(job = job.name, error = %e, "could not claim job run"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
