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
            seed_enrolment_scale(&state, 1).await?;
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
    let chf_case = sample_chf.clone().map(|c| format!("{{ insurees(chfId: \"{c}\") {{ edges {{ node {{ id chfId lastName otherNames dob }} }} }} }}"));
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
    #[cfg(feature = "policy")]
    if state.enabled.contains("policy")
        && let Some(c) = &sample_chf
    {
        cases.push((
            "facility desk: insuree + policies + eligibility",
            format!(
                "{{ insurees(chfId: \"{c}\", ignoreLocation: true) {{ edges {{ node {{ chfId lastName otherNames dob }} }} }} \
                 policiesByInsuree(chfId: \"{c}\", activeOrLastExpiredOnly: true) {{ edges {{ node {{ productCode status startDate expiryDate balance ceiling }} }} }} \
                 policyEligibilityByInsuree(chfId: \"{c}\") {{ prodId totalVisitsLeft totalAdmissionsLeft }} }}"
            ),
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
    #[cfg(feature = "policy")]
    if state.enabled.contains("policy") {
        enrolment_rate(&state, &schema, &admin, 1000).await?;
        let t = Instant::now();
        let n = imis_policy::jobs::expire_policies(&state, state.clock.today()).await?;
        let total = count(&state, "SELECT COUNT(*) AS n FROM policy_policy").await?;
        println!(
            "policy.expire over {total} policies: {n} expired in {:.2} s",
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let n = imis_policy::jobs::expire_policies(&state, state.clock.today()).await?;
        println!(
            "policy.expire run again: {n} expired in {:.2} s",
            t.elapsed().as_secs_f64()
        );
    }
    if let Some(kib) = rss_kib() {
        println!(
            "resident memory after the run: {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    Ok(())
}

async fn count(state: &AppState, sql: &str) -> AppResult<i64> {
    Ok(state
        .db
        .conn
        .query_one_raw(imis_core::db::stmt(state.db.backend(), sql, vec![]))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0))
}

/// Policies and contributions for the generated families (`imis seed scale`, the benchmark).
pub async fn seed_enrolment_scale(state: &AppState, seed: u64) -> AppResult<()> {
    #[cfg(feature = "policy")]
    if state.enabled.contains("policy") {
        let t = Instant::now();
        let (p, c) = imis_policy::scale::seed_scale(state, seed).await?;
        println!(
            "{p} policies and {c} coverage rows added in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    #[cfg(feature = "payment")]
    if state.enabled.contains("payment") {
        let t = Instant::now();
        let n = imis_payment::scale::seed_scale(state, seed).await?;
        println!(
            "{n} contributions added in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let _ = (state, seed);
    Ok(())
}

/// Enrolment throughput through GraphQL, as an enrolment officer's tablet drives it: per family
/// `createFamily`, three `createInsuree`, `createPolicy`, the policy's value (`policies(uuid:)`)
/// and `createPremium` for it, each mutation with its `clientMutationId`, while the outbox
/// dispatcher delivers the events as in `imis serve`. Prints families per second.
#[cfg(feature = "policy")]
async fn enrolment_rate(
    state: &AppState,
    schema: &crate::schema::ImisSchema,
    admin: &imis_core::auth::Principal,
    families: usize,
) -> AppResult<()> {
    let b = state.db.backend();
    let one = |sql: &str| imis_core::db::stmt(b, sql, vec![]);
    let first_id = |row: Option<sea_orm::QueryResult>| -> AppResult<i64> {
        Ok(row
            .ok_or_else(|| AppError::not_found("row"))?
            .try_get_by_index::<i64>(0)?)
    };
    let village = first_id(
        state
            .db
            .conn
            .query_one_raw(one(
                "SELECT id FROM core_location WHERE type = 'V' AND code = 'V0001'",
            ))
            .await?,
    )?;
    let officer = first_id(
        state
            .db
            .conn
            .query_one_raw(one("SELECT id FROM core_user WHERE username = 'eo_douala'"))
            .await?,
    )?;
    let product = first_id(
        state
            .db
            .conn
            .query_one_raw(one(
                "SELECT id FROM product_product WHERE code = 'MUT01' AND validity_to IS NULL",
            ))
            .await?,
    )?;
    let with_premium = state.enabled.contains("payment");
    // Time spent per operation, to show where enrolment time goes.
    let spent: std::cell::RefCell<std::collections::BTreeMap<String, f64>> = Default::default();
    let run = async |q: String| -> AppResult<async_graphql::Value> {
        let op = q
            .trim_start_matches(['{', ' '])
            .trim_start_matches("mutation { ")
            .split(['(', ' '])
            .next()
            .unwrap_or("")
            .to_string();
        let started = Instant::now();
        let resp = schema
            .execute(async_graphql::Request::new(q).data(admin.clone()))
            .await;
        *spent.borrow_mut().entry(op).or_default() += started.elapsed().as_secs_f64();
        match resp.errors.first() {
            Some(e) => {
                Err(AppError::validation("bench.request_failed").with("message", &e.message))
            }
            None => Ok(resp.data),
        }
    };
    let today = state.clock.today();
    let base = 700_000_000 + (std::process::id() as u64 % 1000) * 10_000;
    let (stop_dispatcher, stopped) = tokio::sync::watch::channel(false);
    let dispatcher = tokio::spawn(imis_core::events::run_dispatcher(state.clone(), stopped));
    let t = Instant::now();
    for f in 0..families as u64 {
        let fam_uuid = uuid::Uuid::now_v7();
        let chf = |k: u64| format!("{}", base + f * 4 + k);
        run(format!(
            r#"mutation {{ createFamily(input: {{ clientMutationId: "{fam_uuid}-f", uuid: "{fam_uuid}", locationId: {village}, familyTypeId: "H", poverty: false, headInsuree: {{ chfId: "{}", lastName: "Ngono", otherNames: "Paul", genderId: "M", dob: "1980-03-04" }} }}) {{ internalId }} }}"#,
            chf(0)
        ))
        .await?;
        let fid = first_id(
            state
                .db
                .conn
                .query_one_raw(imis_core::db::stmt(
                    b,
                    "SELECT id FROM insuree_family WHERE uuid = ?",
                    vec![fam_uuid.into()],
                ))
                .await?,
        )?;
        for (k, (name, dob, rel)) in [
            ("Marie", "1984-05-06", 2),
            ("Luc", "2012-07-08", 4),
            ("Anne", "2016-09-10", 4),
        ]
        .iter()
        .enumerate()
        {
            run(format!(
                r#"mutation {{ createInsuree(input: {{ clientMutationId: "{fam_uuid}-i{k}", familyId: {fid}, chfId: "{}", lastName: "Ngono", otherNames: "{name}", genderId: "F", dob: "{dob}", relationshipId: {rel} }}) {{ internalId }} }}"#,
                chf(k as u64 + 1)
            ))
            .await?;
        }
        let pol_uuid = uuid::Uuid::now_v7();
        run(format!(
            r#"mutation {{ createPolicy(input: {{ clientMutationId: "{pol_uuid}-p", uuid: "{pol_uuid}", enrollDate: "{today}", productId: {product}, familyId: {fid}, officerId: {officer} }}) {{ internalId }} }}"#
        ))
        .await?;
        let v = run(format!(
            r#"{{ policies(uuid: "{pol_uuid}") {{ edges {{ node {{ value }} }} }} }}"#
        ))
        .await?;
        let value = v
            .into_json()
            .ok()
            .and_then(|j| {
                j["policies"]["edges"][0]["node"]["value"]
                    .as_str()
                    .map(str::to_string)
            })
            .ok_or_else(|| AppError::not_found("policy"))?;
        if with_premium {
            run(format!(
                r#"mutation {{ createPremium(input: {{ clientMutationId: "{pol_uuid}-c", policyUuid: "{pol_uuid}", amount: "{value}", receipt: "B{}", payDate: "{today}", payType: "C" }}) {{ internalId }} }}"#,
                base + f
            ))
            .await?;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let _ = stop_dispatcher.send(true);
    let _ = dispatcher.await;
    println!(
        "enrolment (createFamily + 3 createInsuree + createPolicy + value{}): {families} families in {secs:.2} s = {:.0} families/s",
        if with_premium { " + createPremium" } else { "" },
        families as f64 / secs
    );
    for (op, t) in spent.borrow().iter() {
        println!(
            "  {op:<38} {:>8.2} ms per family",
            t * 1000.0 / families as f64
        );
    }
    Ok(())
}
