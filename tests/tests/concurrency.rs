//! Concurrent writers of one row (D7, D26): every read-modify-write of a versioned row reads it
//! under its row lock inside the write transaction (`FOR UPDATE` on PostgreSQL; SQLite writers
//! are serialised), so N concurrent updates of one row all succeed and leave exactly N previous
//! versions in `core_history`, each once, chained (a version ends when the next begins). And a
//! unique index that a concurrent insert loses answers the business code of the pre-check, not
//! `internal`.
//!
//! The requests run on their own tasks of a multi-threaded runtime, each with its own connection
//! (the PostgreSQL test pool has 5), so they really overlap on PostgreSQL.

use async_graphql::{Request, Response, Variables};
use chrono::{DateTime, Duration, Utc};
use imis_core::auth::Principal;
use imis_tests::fixtures::mutations::{
    CREATE_POLICY, CREATE_PREMIUM, UPDATE_POLICY, UPDATE_PREMIUM, UPDATE_PRODUCT,
};
use imis_tests::fixtures::{
    create_family, date_string as ds, first_village, location_id, policy_input_today,
    product_input_with_lump_sum, product_uuid_of, user_id,
};
use imis_tests::{TestApp, TestDb, error_code, on_each_db, one_i64, one_uuid};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Concurrent updates of each row.
const N: usize = 10;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Runs every `(query, variables)` at the same time, each on its own task, as `who`.
async fn concurrently(
    app: &TestApp,
    who: &Principal,
    calls: Vec<(String, Value)>,
) -> Vec<Response> {
    let tasks: Vec<_> = calls
        .into_iter()
        .map(|(q, vars)| {
            let schema = app.schema.clone();
            let who = who.clone();
            tokio::spawn(async move {
                schema
                    .execute(
                        Request::new(q)
                            .variables(Variables::from_json(vars))
                            .data(who),
                    )
                    .await
            })
        })
        .collect();
    let mut out = vec![];
    for r in futures::future::join_all(tasks).await {
        out.push(r.expect("task"));
    }
    out
}

fn code_of(r: &Response) -> String {
    error_code(r).unwrap_or_else(|| "ok".into())
}

fn all_ok(results: &[Response], what: &str, db: &TestDb) {
    let codes: Vec<String> = results.iter().map(code_of).collect();
    assert!(
        codes.iter().all(|c| c == "ok"),
        "{what} on {:?}: {codes:?} {:?}",
        db.backend,
        results
            .iter()
            .flat_map(|r| r.errors.clone())
            .collect::<Vec<_>>()
    );
}

/// Sends `mutation` N times at once as `who`, the `i`-th with `input` changed by `vary(i, …)`,
/// and checks that every one succeeds.
async fn update_concurrently(
    app: &TestApp,
    who: &Principal,
    db: &TestDb,
    mutation: &str,
    input: &Value,
    vary: impl Fn(usize, &mut Value),
) {
    let calls = (0..N)
        .map(|i| {
            let mut varied = input.clone();
            vary(i, &mut varied);
            (mutation.to_string(), json!({ "i": varied }))
        })
        .collect();
    all_ok(&concurrently(app, who, calls).await, mutation, db);
}

async fn ok(app: &TestApp, who: &Principal, q: &str, vars: Value) -> Value {
    app.ok_vars(Some(who), q, vars).await
}

/// The versions of one row in `core_history` must be exactly `n`, each once, chained: each
/// version's `validity_to` is the next one's `validity_from`, the last one's is the current
/// row's `validity_from`, and the versions' `key` contents are distinct. Returns the contents
/// (current row's included).
async fn assert_history_chain(
    app: &TestApp,
    db: &TestDb,
    entity: &str,
    table: &str,
    id: i64,
    key: &str,
    n: usize,
) -> BTreeSet<String> {
    let conn = &app.state.db.conn;
    let backend = app.state.db.backend();
    let rows = conn
        .query_all_raw(imis_core::db::stmt(
            backend,
            "SELECT data, validity_from, validity_to FROM core_history WHERE entity = ? AND entity_id = ? ORDER BY validity_from, id",
            vec![entity.into(), id.into()],
        ))
        .await
        .expect("history");
    assert_eq!(rows.len(), n, "{entity}: history rows on {:?}", db.backend);
    let mut contents = BTreeSet::new();
    let mut froms = BTreeSet::new();
    let mut chain: Vec<(DateTime<Utc>, DateTime<Utc>)> = vec![];
    for r in &rows {
        let data: Value =
            serde_json::from_str(&r.try_get::<String>("", "data").expect("data")).expect("json");
        contents.insert(data[key].to_string());
        let from: DateTime<Utc> = r.try_get("", "validity_from").expect("from");
        let to: DateTime<Utc> = r.try_get("", "validity_to").expect("to");
        froms.insert(from);
        chain.push((from, to));
    }
    assert_eq!(
        contents.len(),
        n,
        "{entity}: each version once on {:?}: {contents:?}",
        db.backend
    );
    assert_eq!(
        froms.len(),
        n,
        "{entity}: distinct validity_from on {:?}",
        db.backend
    );
    for w in chain.windows(2) {
        assert_eq!(
            w[0].1, w[1].0,
            "{entity}: a version ends when the next begins on {:?}",
            db.backend
        );
    }
    let current = conn
        .query_one_raw(imis_core::db::stmt(
            backend,
            &format!("SELECT validity_from FROM {table} WHERE id = ? AND validity_to IS NULL"),
            vec![id.into()],
        ))
        .await
        .expect("current")
        .expect("current row");
    let current_from: DateTime<Utc> = current.try_get("", "validity_from").expect("from");
    assert_eq!(
        chain.last().expect("versions").1,
        current_from,
        "{entity}: the last version ends when the current row begins on {:?}",
        db.backend
    );
    contents
}

/// A national product sold 2020–2035, 12 months, with this lump sum; returns (id, input).
async fn product(app: &TestApp, admin: &Principal, code: &str, lump: &str) -> (i64, Value) {
    let input = product_input_with_lump_sum(code, lump, json!({}));
    let id = imis_tests::fixtures::create_product_from(app, admin, &input).await;
    (id, input)
}

/// An Idle policy enrolled today for a new family of village `v1`; returns (uuid, input).
async fn idle_policy(
    app: &TestApp,
    admin: &Principal,
    product_id: i64,
    chf: &str,
) -> (String, Value) {
    let v1 = first_village(app, "D0001").await;
    let family = create_family(app, admin, v1, chf).await;
    let officer = user_id(app, "eo_douala").await;
    let input = policy_input_today(app, family, product_id, officer);
    ok(app, admin, CREATE_POLICY, json!({ "i": input })).await;
    (input["uuid"].as_str().expect("uuid").to_string(), input)
}

// ---------------------------------------------------------------------------------------------
// One row, N concurrent updates

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_item_and_product_updates_keep_every_version_once() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;

        // A medical item.
        ok(
            &app,
            &admin,
            r#"mutation { createItem(input: { code: "CCI1", name: "Version initiale", type: "D", careType: "B", price: "10", patientCategory: 15 }) { internalId } }"#,
            json!({}),
        )
        .await;
        let item_uuid = one_uuid(&app, "SELECT uuid FROM medical_item WHERE code = 'CCI1'", vec![]).await;
        let item_id = one_i64(&app, "SELECT id FROM medical_item WHERE code = 'CCI1'", vec![]).await;
        let calls = (0..N)
            .map(|i| {
                (
                    format!(
                        r#"mutation {{ updateItem(input: {{ uuid: "{item_uuid}", code: "CCI1", name: "Version {i}", type: "D", careType: "B", price: "{}", patientCategory: 15 }}) {{ internalId }} }}"#,
                        10 + i
                    ),
                    json!({}),
                )
            })
            .collect();
        all_ok(&concurrently(&app, &admin, calls).await, "updateItem", &db);
        let names =
            assert_history_chain(&app, &db, "medical_item", "medical_item", item_id, "name", N).await;
        assert!(names.contains("\"Version initiale\""), "{names:?}");

        // A product.
        let (product_id, input) = product(&app, &admin, "CCP1", "1000").await;
        let product_uuid = product_uuid_of(&app, product_id).await;
        update_concurrently(&app, &admin, &db, UPDATE_PRODUCT, &input, |i, v| {
            v["uuid"] = json!(product_uuid);
            v["name"] = json!(format!("Produit version {i}"));
        })
        .await;
        let names =
            assert_history_chain(&app, &db, "product", "product_product", product_id, "name", N).await;
        assert!(names.contains("\"Produit CCP1\""), "{names:?}");
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_health_facility_updates_keep_every_version_once() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let hf = ok(
            &app,
            &admin,
            r#"{ healthFacilities(first: 1, orderBy: ["code"]) { edges { node { id uuid code location { id } } } } }"#,
            json!({}),
        )
        .await;
        let node = hf["healthFacilities"]["edges"][0]["node"].clone();
        let (uuid, code) = (node["uuid"].as_str().unwrap(), node["code"].as_str().unwrap());
        let id = imis_core::graphql::parse_pk(node["id"].as_str().unwrap(), "HealthFacilityGQLType")
            .unwrap();
        let loc = imis_core::graphql::parse_pk(node["location"]["id"].as_str().unwrap(), "LocationGQLType")
            .unwrap();
        let calls = (0..N)
            .map(|i| {
                (
                    format!(
                        r#"mutation {{ updateHealthFacility(input: {{ uuid: "{uuid}", code: "{code}", name: "Centre version {i}", legalFormId: "G", level: "H", locationId: {loc}, careType: "B" }}) {{ internalId }} }}"#
                    ),
                    json!({}),
                )
            })
            .collect();
        all_ok(&concurrently(&app, &admin, calls).await, "updateHealthFacility", &db);
        assert_history_chain(&app, &db, "health_facility", "core_health_facility", id, "name", N).await;
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_policy_and_premium_updates_keep_every_version_once() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let today = app.state.clock.today();
        let (product_id, _) = product(&app, &admin, "CCPOL", "10000").await;

        // updatePolicy of an Idle policy, each with its own enrolment date.
        let (policy_uuid, input) = idle_policy(&app, &admin, product_id, "870000001").await;
        let policy_id = one_i64(
            &app,
            "SELECT id FROM policy_policy WHERE uuid = ?",
            vec![uuid::Uuid::parse_str(&policy_uuid).unwrap().into()],
        )
        .await;
        update_concurrently(&app, &admin, &db, UPDATE_POLICY, &input, |i, v| {
            v["enrollDate"] = json!(ds(today - Duration::days(i as i64 + 1)));
        })
        .await;
        let dates = assert_history_chain(
            &app,
            &db,
            "policy",
            "policy_policy",
            policy_id,
            "enroll_date",
            N,
        )
        .await;
        assert!(dates.contains(&format!("\"{}\"", ds(today))), "{dates:?}");
        // Its coverage rows were replaced once per update: one current row for its one member.
        assert_eq!(
            app.count(
                "policy_insuree_policy",
                &format!("policy_id = {policy_id} AND validity_to IS NULL")
            )
            .await,
            1
        );

        // updatePremium of one contribution, each with its own amount (the policy stays Idle).
        let (other, _) = idle_policy(&app, &admin, product_id, "870000002").await;
        let premium_uuid = uuid::Uuid::now_v7().to_string();
        let premium = json!({
            "uuid": premium_uuid,
            "policyUuid": other,
            "amount": "1000",
            "receipt": "CC-REC-1",
            "payDate": ds(today),
            "payType": "C",
        });
        ok(&app, &admin, CREATE_PREMIUM, json!({ "i": premium })).await;
        let premium_id = one_i64(
            &app,
            "SELECT id FROM payment_premium WHERE receipt = 'CC-REC-1'",
            vec![],
        )
        .await;
        update_concurrently(&app, &admin, &db, UPDATE_PREMIUM, &premium, |i, v| {
            v["amount"] = json!(format!("{}", 2000 + i));
        })
        .await;
        let amounts = assert_history_chain(
            &app,
            &db,
            "premium",
            "payment_premium",
            premium_id,
            "amount",
            N,
        )
        .await;
        assert!(
            amounts.contains("100000"),
            "the created amount, in minor units: {amounts:?}"
        );
        // The policy's paid total is the last amount written.
        let paid = one_i64(
            &app,
            "SELECT paid FROM policy_policy WHERE uuid = ?",
            vec![uuid::Uuid::parse_str(&other).unwrap().into()],
        )
        .await;
        let amount = one_i64(
            &app,
            "SELECT amount FROM payment_premium WHERE id = ?",
            vec![premium_id.into()],
        )
        .await;
        assert_eq!(paid, amount);
        db
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Unique indexes: the loser of a concurrent insert gets the business code

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_with_one_code_give_the_business_code() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        let district = location_id(&app, "D0001").await;
        let cases: [(&str, String, &str, &str); 3] = [
            (
                "createItem",
                r#"mutation { createItem(input: { code: "RACE1", name: "Course", type: "D", careType: "B", price: "1", patientCategory: 15 }) { internalId } }"#.to_string(),
                "medical.item_code_taken",
                "SELECT COUNT(*) FROM medical_item WHERE code = 'RACE1'",
            ),
            (
                "createProduct",
                format!(
                    r#"mutation {{ createProduct(input: {{ code: "RACEP", name: "Course", dateFrom: "2020-01-01", dateTo: "2035-12-31", insurancePeriod: 12, lumpSum: "10", maxMembers: 1 }}) {{ internalId }} }}"#
                ),
                "product.code_taken",
                "SELECT COUNT(*) FROM product_product WHERE code = 'RACEP'",
            ),
            (
                "createHealthFacility",
                format!(
                    r#"mutation {{ createHealthFacility(input: {{ code: "RACEHF", name: "Course", legalFormId: "G", level: "C", locationId: {district}, careType: "B" }}) {{ internalId }} }}"#
                ),
                "health_facility.code_taken",
                "SELECT COUNT(*) FROM core_health_facility WHERE code = 'RACEHF'",
            ),
        ];
        for (what, q, code, count) in cases {
            let calls = (0..5).map(|_| (q.clone(), json!({}))).collect();
            let mut codes: Vec<String> =
                concurrently(&app, &admin, calls).await.iter().map(code_of).collect();
            codes.sort();
            let mut want = vec!["ok".to_string()];
            want.extend((0..4).map(|_| code.to_string()));
            want.sort();
            assert_eq!(codes, want, "{what} on {:?}", db.backend);
            assert_eq!(one_i64(&app, count, vec![]).await, 1, "{what} on {:?}", db.backend);
        }
        db
    })
    .await;
}

/// After an `ANALYZE` on one connection, the others read the new planner statistics only once
/// told to (a later `ANALYZE` does not change the schema version SQLite connections watch).
/// The reload reaches the writer and the read pool and leaves both usable.
#[tokio::test]
async fn statistics_are_reloaded_on_every_connection_after_analyze() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let state = &app.state;
        if state.db.is_sqlite() {
            state.db.conn.execute_unprepared("ANALYZE").await.unwrap();
        }
        state.db.reload_statistics().await.expect("reloaded");
        let tx = state.db.begin_write().await.unwrap();
        tx.execute_unprepared("CREATE TABLE stats_probe (id BIGINT)")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            one_i64(&app, "SELECT COUNT(*) FROM stats_probe", vec![]).await,
            0
        );
        db
    })
    .await;
}
