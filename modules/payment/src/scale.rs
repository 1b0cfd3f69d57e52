//! Scale data (`imis seed scale`, after the policy module's scale policies): the premiums that
//! account for what each scale policy has been paid. For every current policy whose `paid`
//! (Σ of its contributions, a fact owned by the policy module) is positive and that has no
//! current premium yet, one premium of that amount — or, for about a quarter of them, two
//! installments — is inserted, so that Σ premiums = `paid` everywhere. Policies are read by
//! keyset in batches of 10,000 and premiums written with multi-row inserts of 1,000 rows, one
//! transaction per batch; running it again adds nothing for policies already covered.

use chrono::{Duration, NaiveDate};
use imis_core::AppState;
use imis_core::db::stmt;
use imis_core::error::AppResult;
use imis_insuree::api::Rng;
use sea_orm::ConnectionTrait;
use std::collections::HashSet;

const READ_BATCH: u64 = 10_000;
const INSERT_ROWS: usize = 1_000;

struct Row {
    policy_id: i64,
    product_id: i64,
    amount: i64,
    receipt: String,
    pay_date: NaiveDate,
    pay_type: &'static str,
}

/// Adds the premiums of the scale policies; returns how many premiums were written.
pub async fn seed_scale(state: &AppState, seed: u64) -> AppResult<usize> {
    let conn = &state.db.conn;
    let backend = state.db.backend();
    let today = state.clock.today();
    let now = state.clock.now();
    let mut rng = Rng::new(seed);
    let mut last_id = 0i64;
    let mut written = 0usize;
    loop {
        let batch = imis_policy::api::paid_policies_page(conn, last_id, READ_BATCH).await?;
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            break;
        };
        let (first_id, last_batch_id) = (first.0, last.0);
        last_id = last_batch_id;
        let covered: HashSet<i64> = conn
            .query_all_raw(stmt(
                backend,
                "SELECT DISTINCT policy_id FROM payment_premium WHERE policy_id BETWEEN ? AND ? AND validity_to IS NULL",
                vec![first_id.into(), last_batch_id.into()],
            ))
            .await?
            .iter()
            .map(|r| r.try_get::<i64>("", "policy_id"))
            .collect::<Result<_, _>>()?;
        let mut rows: Vec<Row> = Vec::with_capacity(batch.len() * 5 / 4);
        for (policy_id, product_id, paid, enroll) in batch {
            if covered.contains(&policy_id) {
                continue;
            }
            let pay_type = match rng.below(10) {
                0..=5 => "C",
                6..=8 => "M",
                _ => "B",
            };
            let first_date = enroll.min(today);
            if paid >= 2 && rng.below(4) == 0 {
                let part = paid / 2;
                let later = (first_date + Duration::days(1 + rng.below(60) as i64)).min(today);
                rows.push(Row {
                    policy_id,
                    product_id,
                    amount: part,
                    receipt: format!("SC-{policy_id}-1"),
                    pay_date: first_date,
                    pay_type,
                });
                rows.push(Row {
                    policy_id,
                    product_id,
                    amount: paid - part,
                    receipt: format!("SC-{policy_id}-2"),
                    pay_date: later,
                    pay_type,
                });
            } else {
                rows.push(Row {
                    policy_id,
                    product_id,
                    amount: paid,
                    receipt: format!("SC-{policy_id}"),
                    pay_date: first_date,
                    pay_type,
                });
            }
        }
        if rows.is_empty() {
            continue;
        }
        let tx = state.db.begin_write().await?;
        for chunk in rows.chunks(INSERT_ROWS) {
            let mut sql = String::from(
                "INSERT INTO payment_premium (uuid, policy_id, product_id, amount, receipt, pay_date, pay_type, created_date, validity_from) VALUES ",
            );
            let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 9);
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
                values.extend([
                    uuid::Uuid::now_v7().into(),
                    r.policy_id.into(),
                    r.product_id.into(),
                    r.amount.into(),
                    r.receipt.clone().into(),
                    r.pay_date.into(),
                    r.pay_type.into(),
                    now.into(),
                    now.into(),
                ]);
            }
            tx.execute_raw(stmt(backend, &sql, values)).await?;
        }
        tx.commit().await?;
        written += rows.len();
        if written % 100_000 < rows.len() {
            tracing::info!(premiums = written, "scale data");
        }
    }
    // Fresh statistics so the planner uses the indexes at once after a bulk load.
    sea_orm::ConnectionTrait::execute_unprepared(conn, "ANALYZE payment_premium").await?;
    Ok(written)
}

/// The descriptor's scale seeder ([`seed_scale`]): one line per kind of row added.
pub(crate) fn scale_seed(
    state: AppState,
    args: imis_core::registry::ScaleArgs,
) -> futures::future::BoxFuture<'static, AppResult<Vec<String>>> {
    Box::pin(async move {
        let contributions = seed_scale(&state, args.seed).await?;
        Ok(vec![format!("{contributions} contributions")])
    })
}
