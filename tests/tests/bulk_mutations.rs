//! Bulk mutations atomic per item (D26), through the test module's `createTestWidgets`: each
//! item commits with its own history, outbox rows and links, in chunks of at most 500; a failing
//! item rolls back alone; the log row is written last with every item's outcome; a replay answers
//! it, or runs only the items an interrupted run left without an outcome. On PostgreSQL, a chunk
//! aborted by a deadlock with a concurrent bulk mutation runs again.

use imis_core::auth::Principal;
use imis_tests::{TestApp, TestDb, on_each_app, postgres_url, testmod};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};

const BULK: &str = r#"mutation($cmid: String, $names: [String!]!) {
  createTestWidgets(input: { clientMutationId: $cmid, clientMutationLabel: "bulk", names: $names }) {
    clientMutationId internalId items { key widgetId errorCode errorMessage }
  }
}"#;

fn vars(cmid: &str, names: &[&str]) -> Value {
    json!({ "cmid": cmid, "names": names })
}

async fn bulk(app: &TestApp, who: &Principal, cmid: &str, names: &[&str]) -> Value {
    app.ok_vars(Some(who), BULK, vars(cmid, names)).await["createTestWidgets"].clone()
}

/// The log row of `cmid`: status, error list and the number of linked objects.
async fn log_of(app: &TestApp, admin: &Principal, cmid: &str) -> Value {
    let q = format!(
        r#"{{ mutationLogs(clientMutationId: "{cmid}") {{ totalCount edges {{ node {{ status error jsonExt objects {{ entity entityId }} }} }} }} }}"#
    );
    let r = app.ok(Some(admin), &q).await;
    assert_eq!(r["mutationLogs"]["totalCount"], 1, "one log row for {cmid}");
    r["mutationLogs"]["edges"][0]["node"].clone()
}

async fn exec_sql(app: &TestApp, sql: &str) {
    app.state
        .db
        .conn
        .execute_raw(imis_core::db::stmt(app.state.db.backend(), sql, vec![]))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Rows a widget named `name` left: widget, history and outbox rows.
async fn traces(app: &TestApp, name: &str) -> (i64, i64, i64) {
    (
        app.count("testmod_widget", &format!("name = '{name}'"))
            .await,
        app.count(
            "core_history",
            &format!("entity = 'testmod_widget' AND data LIKE '%\"{name}\"%'"),
        )
        .await,
        app.outbox_count("testmod.widget_created", Some(&format!("\"{name}\"")))
            .await,
    )
}

#[tokio::test]
async fn every_item_commits_with_its_history_outbox_and_links() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let out = bulk(&app, &admin, "b-all", &["all-1", "all-2", "all-3", "all-2"]).await;
        assert_eq!(out["clientMutationId"], "b-all");
        let items = out["items"].as_array().unwrap();
        // A repeated key runs once.
        let keys: Vec<&str> = items.iter().map(|i| i["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["all-1", "all-2", "all-3"]);
        for item in items {
            assert!(item["widgetId"].as_i64().is_some(), "{item}");
            assert!(item["errorCode"].is_null());
            assert_eq!(traces(&app, item["key"].as_str().unwrap()).await, (1, 1, 1));
        }
        let log = log_of(&app, &admin, "b-all").await;
        assert_eq!(log["status"], 2);
        assert!(log["error"].is_null());
        let mut linked: Vec<i64> = log["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["entityId"].as_i64().unwrap())
            .collect();
        linked.sort();
        let mut ids: Vec<i64> = items
            .iter()
            .map(|i| i["widgetId"].as_i64().unwrap())
            .collect();
        ids.sort();
        assert_eq!(linked, ids);
        assert_eq!(app.count("core_mutation_item", "").await, 3);
    })
    .await;
}

#[tokio::test]
async fn a_failing_item_rolls_back_alone() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let out = bulk(&app, &admin, "b-fail", &["ok-1", "fail-2", "ok-3"]).await;
        let items = out["items"].as_array().unwrap();
        assert!(items[0]["widgetId"].is_i64() && items[2]["widgetId"].is_i64());
        assert!(items[1]["widgetId"].is_null());
        assert_eq!(items[1]["errorCode"], "testmod.widget_refused");
        // In the caller's language (the demo users speak French).
        assert_eq!(items[1]["errorMessage"], "Gadget fail-2 refusé.");
        // The failed item wrote its widget, history, event and link, then failed: none remain;
        // the items around it committed.
        assert_eq!(traces(&app, "fail-2").await, (0, 0, 0));
        assert_eq!(traces(&app, "ok-1").await, (1, 1, 1));
        assert_eq!(traces(&app, "ok-3").await, (1, 1, 1));
        let log = log_of(&app, &admin, "b-fail").await;
        assert_eq!(log["status"], 1);
        assert_eq!(log["objects"].as_array().unwrap().len(), 2);
        let errors: Value = serde_json::from_str(log["error"].as_str().unwrap()).unwrap();
        assert_eq!(errors.as_array().unwrap().len(), 1);
        assert_eq!(errors[0]["code"], "testmod.widget_refused");
        assert_eq!(errors[0]["detail"], "fail-2");
        assert_eq!(errors[0]["message"], "Gadget fail-2 refusé.");
        // The mutation's summary, computed from every item's outcome.
        let ext: Value = serde_json::from_str(log["jsonExt"].as_str().unwrap()).unwrap();
        assert_eq!(ext["widget_stats"], json!({ "created": 2, "refused": 1 }));
    })
    .await;
}

#[tokio::test]
async fn a_replay_returns_the_stored_outcome_and_writes_nothing() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let first = bulk(&app, &admin, "b-replay", &["re-1", "fail-re-2"]).await;
        let tables = [
            "testmod_widget",
            "core_history",
            "core_outbox",
            "core_mutation_item",
            "core_mutation_log",
            "core_mutation_log_object",
        ];
        let mut before = vec![];
        for t in tables {
            before.push(app.count(t, "").await);
        }
        let again = bulk(&app, &admin, "b-replay", &["re-1", "fail-re-2"]).await;
        assert_eq!(first, again);
        for (t, n) in tables.iter().zip(before) {
            assert_eq!(app.count(t, "").await, n, "{t} unchanged by the replay");
        }
        // The same id with another input, or for another mutation, is refused.
        let r = app
            .exec_vars(Some(&admin), BULK, vars("b-replay", &["re-1"]))
            .await;
        assert_eq!(
            imis_tests::error_code(&r).as_deref(),
            Some("mutation.client_id_reused")
        );
        let single = r#"mutation { createTestWidget(input: { clientMutationId: "b-replay", name: "re-1" }) { internalId } }"#;
        assert_eq!(
            app.err_code(Some(&admin), single).await,
            "mutation.client_id_reused"
        );
        assert_eq!(app.count("testmod_widget", "").await, 1);
    })
    .await;
}

#[tokio::test]
async fn an_unfinished_run_resumes_with_the_items_left() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let names = ["un-1", "un-2", "un-3", "un-4"];
        let first = bulk(&app, &admin, "b-unfinished", &names).await;
        // What a crash after un-1 and un-2 leaves: their work and outcomes, a log row without
        // result, nothing of un-3 and un-4. un-1's stored outcome is changed to tell a stored
        // outcome from a new run.
        let ids: Vec<i64> = first["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["widgetId"].as_i64().unwrap())
            .collect();
        for sql in [
            "UPDATE core_mutation_log SET status = 0, result = NULL, error = NULL WHERE client_mutation_id = 'b-unfinished'".to_string(),
            "DELETE FROM core_mutation_item WHERE item_key IN ('un-3', 'un-4')".into(),
            r#"UPDATE core_mutation_item SET outcome = '{"result": 999}' WHERE item_key = 'un-1'"#.into(),
            format!("DELETE FROM core_mutation_log_object WHERE entity_id IN ({}, {})", ids[2], ids[3]),
            "DELETE FROM testmod_widget WHERE name IN ('un-3', 'un-4')".into(),
            "DELETE FROM core_history WHERE entity = 'testmod_widget' AND (data LIKE '%un-3%' OR data LIKE '%un-4%')".into(),
            "DELETE FROM core_outbox WHERE payload LIKE '%un-3%' OR payload LIKE '%un-4%'".into(),
        ] {
            exec_sql(&app, &sql).await;
        }
        let resumed = bulk(&app, &admin, "b-unfinished", &names).await;
        assert_eq!(resumed["internalId"], first["internalId"]);
        let items = resumed["items"].as_array().unwrap();
        assert_eq!(items[0]["widgetId"], 999, "un-1 was not run again");
        assert_eq!(items[1]["widgetId"], ids[1]);
        assert!(items[2]["widgetId"].as_i64().unwrap() > ids[3]);
        assert!(items[3]["widgetId"].as_i64().unwrap() > ids[3]);
        for name in names {
            assert_eq!(traces(&app, name).await, (1, 1, 1), "{name}");
        }
        let log = log_of(&app, &admin, "b-unfinished").await;
        assert_eq!(log["status"], 2);
        assert_eq!(log["objects"].as_array().unwrap().len(), 4);
        assert_eq!(app.count("core_mutation_item", "").await, 4);
        // Finished now: a replay answers the same outcome.
        assert_eq!(bulk(&app, &admin, "b-unfinished", &names).await, resumed);
    })
    .await;
}

#[tokio::test]
async fn more_than_a_chunk_commits_chunk_by_chunk() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let names: Vec<String> = (0..1201).map(|i| format!("chunk-{i:04}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        // Item 700, in the second chunk, fails with an internal error once.
        testmod::CRASH_ONCE
            .lock()
            .unwrap()
            .insert("chunk-0700".into());
        let r = app
            .exec_vars(Some(&admin), BULK, vars("b-chunks", &refs))
            .await;
        assert_eq!(imis_tests::error_code(&r).as_deref(), Some("internal"));
        // The first chunk of 500 committed; the second rolled back whole.
        assert_eq!(app.count("testmod_widget", "").await, 500);
        assert_eq!(app.count("core_mutation_item", "").await, 500);
        assert_eq!(app.count("testmod_widget", "name = 'chunk-0499'").await, 1);
        assert_eq!(app.count("testmod_widget", "name = 'chunk-0500'").await, 0);
        let log = log_of(&app, &admin, "b-chunks").await;
        assert_eq!(log["status"], 1);
        assert_eq!(log["objects"].as_array().unwrap().len(), 500);
        let errors: Value = serde_json::from_str(log["error"].as_str().unwrap()).unwrap();
        assert_eq!(errors[0]["code"], "internal");

        // The replay runs the 701 items left and finishes.
        let out = bulk(&app, &admin, "b-chunks", &refs).await;
        let items = out["items"].as_array().unwrap();
        assert_eq!(items.len(), 1201);
        assert!(items.iter().all(|i| i["widgetId"].is_i64()));
        assert_eq!(app.count("testmod_widget", "").await, 1201);
        assert_eq!(
            app.count("core_history", "entity = 'testmod_widget'").await,
            1201
        );
        assert_eq!(app.outbox_count("testmod.widget_created", None).await, 1201);
        let log = log_of(&app, &admin, "b-chunks").await;
        assert_eq!(log["status"], 2);
        assert!(log["error"].is_null());
        assert_eq!(log["objects"].as_array().unwrap().len(), 1201);
    })
    .await;
}

#[tokio::test]
async fn a_caller_without_the_right_is_refused_and_nothing_runs() {
    on_each_app(|app: TestApp| async move {
        let clerk = app.principal("clerk").await;
        let r = app
            .exec_vars(Some(&clerk), BULK, vars("b-clerk", &["no-1"]))
            .await;
        assert_eq!(
            imis_tests::error_code(&r).as_deref(),
            Some("auth.permission_denied")
        );
        // Logged as a refused single mutation is.
        assert_eq!(
            app.count(
                "core_mutation_log",
                "client_mutation_id = 'b-clerk' AND status = 1"
            )
            .await,
            1
        );
        let r = app.exec_vars(None, BULK, vars("b-anon", &["no-2"])).await;
        assert_eq!(
            imis_tests::error_code(&r).as_deref(),
            Some("auth.unauthenticated")
        );
        assert_eq!(
            app.count("core_mutation_log", "client_mutation_id = 'b-anon'")
                .await,
            0
        );
        assert_eq!(app.count("testmod_widget", "").await, 0);
        assert_eq!(app.count("core_mutation_item", "").await, 0);
        // Keys longer than their column are refused before any work.
        let admin = app.principal("Admin").await;
        let long = "k".repeat(256);
        let r = app
            .exec_vars(Some(&admin), BULK, vars("b-long", &[long.as_str()]))
            .await;
        assert_eq!(imis_tests::error_code(&r).as_deref(), Some("input.invalid"));
        assert_eq!(app.count("testmod_widget", "").await, 0);
    })
    .await;
}

/// Two requests with the same clientMutationId against one PostgreSQL: every item runs once and
/// both get the same outcome.
#[tokio::test]
async fn concurrent_duplicates_run_each_item_once_on_postgres() {
    let Some(url) = postgres_url() else { return };
    let db = TestDb::postgres(&url).await;
    let app = TestApp::new(&db).await;
    let admin = app.principal("Admin").await;
    let names: Vec<String> = (0..40).map(|i| format!("race-{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let v = vars("b-race", &refs);
    let (a, b) = tokio::join!(
        app.exec_vars(Some(&admin), BULK, v.clone()),
        app.exec_vars(Some(&admin), BULK, v.clone())
    );
    assert!(
        a.errors.is_empty() && b.errors.is_empty(),
        "{:?} {:?}",
        a.errors,
        b.errors
    );
    assert_eq!(a.data.into_json().unwrap(), b.data.into_json().unwrap());
    assert_eq!(app.count("testmod_widget", "").await, 40);
    assert_eq!(app.count("core_mutation_item", "").await, 40);
    drop(app);
    db.cleanup().await;
}

/// Two bulk mutations locking the same widgets in opposite orders, each item holding its locks
/// until its chunk commits: PostgreSQL detects the deadlock and aborts one chunk, which runs
/// again. Both succeed, every item counted once per mutation.
#[tokio::test]
async fn bulk_mutations_deadlocking_on_postgres_both_succeed() {
    let Some(url) = postgres_url() else { return };
    let db = TestDb::postgres(&url).await;
    let app = TestApp::new(&db).await;
    let admin = app.principal("Admin").await;
    exec_sql(
        &app,
        "INSERT INTO testmod_widget (name) VALUES ('dl-a'), ('dl-b'), ('dl-c')",
    )
    .await;
    let forward: Vec<String> = ["dl-a", "dl-b", "dl-c"].map(String::from).into();
    let backward: Vec<String> = forward.iter().rev().cloned().collect();
    // Each item waits long enough for the other mutation to lock its first widget.
    let pause = std::time::Duration::from_millis(300);
    let (runs_a, runs_b) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let (a, b) = tokio::join!(
        testmod::touch_widgets(&app.state, &admin, "dl-fwd", forward, pause, &runs_a),
        testmod::touch_widgets(&app.state, &admin, "dl-back", backward, pause, &runs_b),
    );
    for outcome in [a.expect("forward run"), b.expect("backward run")] {
        let items = &outcome.result.items;
        assert_eq!(items.len(), 3);
        assert!(
            items
                .iter()
                .all(|i| i.result == Some(1) && i.error.is_none())
        );
    }
    // The aborted chunk ran some items again: a deadlock did happen.
    let runs = runs_a.load(Ordering::SeqCst) + runs_b.load(Ordering::SeqCst);
    assert!(runs > 6, "no item ran twice: no deadlock ({runs} runs)");
    for name in ["dl-a", "dl-b", "dl-c"] {
        let history = format!("entity = 'testmod_widget' AND data LIKE '%\"{name}\"%'");
        assert_eq!(app.count("core_history", &history).await, 2, "{name}");
    }
    assert_eq!(app.count("core_mutation_item", "").await, 6);
    assert_eq!(
        app.count(
            "core_mutation_log",
            "client_mutation_id IN ('dl-fwd', 'dl-back') AND status = 2"
        )
        .await,
        2
    );
    assert_eq!(app.count("core_mutation_log_object", "").await, 6);
    drop(app);
    db.cleanup().await;
}
