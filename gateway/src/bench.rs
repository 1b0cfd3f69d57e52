//! `imis bench`: end-to-end GraphQL latency measured in-process on generated data (a benchmark,
//! not a test). It builds a fresh database (a temporary SQLite file unless `--database-url` names
//! one), seeds the demo data plus generated villages and health facilities (and, with
//! `--families`, every enabled module's scale data), then times the core's requests and each
//! enabled module's (its descriptor's `bench`) `iterations` times, prints p50 and p99, and runs the
//! modules' whole-operation measurements.

use imis_core::registry::{BenchContext, Execute, ScaleArgs};
use imis_core::{AppError, AppResult, AppState};
use sea_orm::ConnectionTrait;
use std::time::Instant;

/// Adds `villages` villages (under generated wards of the demo districts) and `facilities`
/// health facilities, set-based.
async fn generate(state: &AppState, villages: usize, facilities: usize) -> AppResult<()> {
    let b = state.db.backend();
    let tx = state.db.begin_write().await?;
    let districts: Vec<i64> = tx
        .query_all_raw(imis_core::db::stmt(
            b,
            "SELECT id FROM core_location WHERE type = 'D' ORDER BY id",
            vec![],
        ))
        .await?
        .iter()
        .map(|r| r.try_get_by_index::<i64>(0))
        .collect::<Result<_, _>>()?;
    if districts.is_empty() {
        return Err(AppError::not_found("district"));
    }
    let now = state.clock.now();
    let wards_needed = villages.div_ceil(50).max(1);
    let mut wards = vec![];
    for w in 0..wards_needed {
        let d = districts[w % districts.len()];
        let row = tx
            .query_one_raw(imis_core::db::stmt(
                b,
                "INSERT INTO core_location (uuid, code, name, name_search, parent_id, type, validity_from) VALUES (?, ?, ?, ?, ?, 'W', ?) RETURNING id",
                vec![uuid::Uuid::now_v7().into(), format!("BW{w:05}").into(), format!("Arrondissement {w}").into(), format!("arrondissement {w}").into(), d.into(), now.into()],
            ))
            .await?
            .ok_or_else(AppError::internal)?;
        wards.push(row.try_get::<i64>("", "id")?);
    }
    for v in 0..villages {
        tx.execute_raw(imis_core::db::stmt(
            b,
            "INSERT INTO core_location (uuid, code, name, name_search, parent_id, type, validity_from) VALUES (?, ?, ?, ?, ?, 'V', ?)",
            vec![uuid::Uuid::now_v7().into(), format!("BV{v:06}").into(), format!("Village {v}").into(), format!("village {v}").into(), wards[v / 50].into(), now.into()],
        ))
        .await?;
    }
    for h in 0..facilities {
        let d = districts[h % districts.len()];
        tx.execute_raw(imis_core::db::stmt(
            b,
            "INSERT INTO core_health_facility (uuid, code, name, name_search, legal_form, level, location_id, care_type, offline, status, validity_from) \
             VALUES (?, ?, ?, ?, 'G', 'C', ?, 'B', ?, 'AC', ?)",
            vec![uuid::Uuid::now_v7().into(), format!("BH{h:05}").into(), format!("Centre de santé {h}").into(), format!("centre de sante {h}").into(), d.into(), false.into(), now.into()],
        ))
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Runs the benchmark and prints one line per request.
pub async fn run(
    state: AppState,
    iterations: usize,
    villages: usize,
    facilities: usize,
    families: usize,
) -> AppResult<()> {
    if imis_core::demo::seed_all(&state).await?.is_some() {
        generate(&state, villages, facilities).await?;
        if families > 0 {
            for line in seed_scale(&state, families, 1).await? {
                println!("generated {line}");
            }
        }
    }
    let schema = crate::schema::build_schema(&state);
    let uuid: uuid::Uuid = state
        .db
        .conn
        .query_one_raw(imis_core::db::stmt(
            state.db.backend(),
            "SELECT uuid FROM core_user WHERE username = 'Admin'",
            vec![],
        ))
        .await?
        .ok_or_else(|| AppError::not_found("user"))?
        .try_get("", "uuid")?;
    let admin = imis_core::users::service::load_principal(&state, uuid)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    let bench = BenchContext {
        state: state.clone(),
        execute: executor(&schema),
        admin: admin.clone(),
    };
    let mut cases: Vec<(String, String, bool)> = vec![
        ("locations page of 100".into(), "{ locations(first: 100, type: \"V\") { edges { node { id uuid code name type } } } }".into(), true),
        ("locations page of 100 + totalCount".into(), "{ locations(first: 100) { totalCount edges { node { id code name parent { code } } } } }".into(), true),
        ("healthFacilities page of 100".into(), "{ healthFacilities(first: 100) { edges { node { id uuid code name level careType location { code name } } } } }".into(), true),
        ("tokenAuth".into(), "mutation { tokenAuth(username: \"Admin\", password: \"admin123\") { token } }".into(), false),
    ];
    // Each enabled module's timed requests, in module order.
    for module in state.modules.iter() {
        if let Some(requests) = module.bench.as_ref().and_then(|b| b.requests) {
            cases.extend(
                requests(bench.clone())
                    .await?
                    .into_iter()
                    .map(|r| (r.label, r.query, r.as_admin)),
            );
        }
    }
    println!(
        "{:<40} {:>10} {:>10} {:>8}",
        "request", "p50 ms", "p99 ms", "rows"
    );
    for (label, query, as_admin) in cases {
        let query = query.as_str();
        let mut times = Vec::with_capacity(iterations);
        let mut rows = 0usize;
        for i in 0..iterations + 5 {
            let mut req = async_graphql::Request::new(query);
            if as_admin {
                req = req.data(admin.clone());
            }
            let t = Instant::now();
            let resp = schema.execute(req).await;
            let elapsed = t.elapsed().as_secs_f64() * 1000.0;
            if !resp.errors.is_empty() {
                println!("{label:<40} error: {}", resp.errors[0].message);
                break;
            }
            if i >= 5 {
                times.push(elapsed);
            } else if i == 0 {
                rows = resp
                    .data
                    .into_json()
                    .map(|v| v.to_string().matches("\"node\"").count())
                    .unwrap_or(0);
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        if !times.is_empty() {
            println!(
                "{label:<40} {:>10.2} {:>10.2} {:>8}",
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                rows
            );
        }
    }
    // Each enabled module's whole-operation runs (a job over every row, a throughput run).
    for module in state.modules.iter() {
        if let Some(runs) = module.bench.as_ref().and_then(|b| b.runs) {
            for line in runs(bench.clone()).await? {
                println!("{line}");
            }
        }
    }
    if let Some(kib) = rss_kib() {
        println!(
            "resident memory after the run: {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    Ok(())
}

/// The composed schema as the benchmark's executor.
fn executor(schema: &crate::schema::ImisSchema) -> Execute {
    let schema = schema.clone();
    std::sync::Arc::new(move |request| {
        let schema = schema.clone();
        Box::pin(async move { schema.execute(request).await })
    })
}

/// Generated national-scale data: every enabled module's scale seeder in module order (each
/// builds on the rows of the modules before it). Returns one line per kind of row added, with
/// the time each module took.
pub async fn seed_scale(state: &AppState, families: usize, seed: u64) -> AppResult<Vec<String>> {
    let args = ScaleArgs { families, seed };
    let mut out = vec![];
    for module in state.modules.iter() {
        let started = Instant::now();
        let Some(seeder) = module.scale_seed else {
            continue;
        };
        let lines = seeder(state.clone(), args).await?;
        if lines.is_empty() {
            continue;
        }
        out.push(format!(
            "{}: {} added in {:.1} s",
            module.name,
            lines.join(", "),
            started.elapsed().as_secs_f64()
        ));
    }
    // The seeders' ANALYZE is seen by the connections opened before it only once reloaded.
    state.db.reload_statistics().await?;
    Ok(out)
}
