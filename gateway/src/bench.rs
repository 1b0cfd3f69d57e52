//! `imis bench`: end-to-end GraphQL latency measured in-process on generated data (a benchmark,
//! not a test). It builds a fresh database (a temporary SQLite file unless `--database-url` names
//! one), seeds the demo data plus generated villages and health facilities, then times each
//! request `iterations` times and prints p50 and p99.

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
        #[cfg(feature = "insuree")]
        if families > 0 && state.enabled.contains("insuree") {
            let t = Instant::now();
            let (f, i) = imis_insuree::scale::seed_scale(&state, families, 1).await?;
            println!(
                "generated {f} families, {i} insurees in {:.1} s",
                t.elapsed().as_secs_f64()
            );
        }
    }
    #[cfg(not(feature = "insuree"))]
    let _ = families;
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
    let sample_chf: Option<String> = state
        .db
        .conn
        .query_one_raw(imis_core::db::stmt(
            state.db.backend(),
            "SELECT chf_id FROM insuree_insuree WHERE validity_to IS NULL ORDER BY id DESC LIMIT 1",
            vec![],
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<String>("", "chf_id").ok());
    let chf_case = sample_chf.map(|c| format!("{{ insurees(chfId: \"{c}\") {{ edges {{ node {{ id chfId lastName otherNames dob }} }} }} }}"));
    let mut cases: Vec<(&str, String, bool)> = vec![
        ("locations page of 100", "{ locations(first: 100, type: \"V\") { edges { node { id uuid code name type } } } }".into(), true),
        ("locations page of 100 + totalCount", "{ locations(first: 100) { totalCount edges { node { id code name parent { code } } } } }".into(), true),
        ("healthFacilities page of 100", "{ healthFacilities(first: 100) { edges { node { id uuid code name level careType location { code name } } } } }".into(), true),
        ("tokenAuth", "mutation { tokenAuth(username: \"Admin\", password: \"admin123\") { token } }".into(), false),
    ];
    if state.enabled.contains("insuree") {
        if let Some(q) = chf_case {
            cases.push(("insurees(chfId:)", q, true));
        }
        cases.push(("insurees(lastName_Istartswith:, first: 20)", "{ insurees(lastName_Istartswith: \"mba\", first: 20) { edges { node { id chfId lastName otherNames } } } }".into(), true));
        cases.push((
            "insurees page of 100, family and village",
            "{ insurees(first: 100, offset: 5000) { edges { node { id chfId lastName dob family { uuid location { code name parent { code } } } currentVillage { code } } } } }".into(),
            true,
        ));
        cases.push((
            "insurees filtered totalCount",
            "{ insurees(lastName_Istartswith: \"ngo\", first: 1) { totalCount } }".into(),
            true,
        ));
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
    if let Some(kib) = rss_kib() {
        println!(
            "resident memory after the run: {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    Ok(())
}
