//! Bulk mutations whose body is given a chunk's items at once (`run_batches`), through the test
//! module's `createTestWidgetsBatched`: each item's outcome, rows and log entries are those of
//! the item-by-item `createTestWidgets`; a whole call that fails, answers an internal error or
//! records warnings falls back to one call per item, each item written once.

use imis_core::auth::Principal;
use imis_tests::testmod::take_batch_calls;
use imis_tests::{TestApp, on_each_app};
use serde_json::{Value, json};
use std::collections::HashMap;

fn bulk_query(field: &str) -> String {
    format!(
        r#"mutation($cmid: String, $names: [String!]!) {{
  {field}(input: {{ clientMutationId: $cmid, names: $names }}) {{
    clientMutationId internalId items {{ key widgetId errorCode errorMessage }}
  }}
}}"#
    )
}

async fn run(app: &TestApp, who: &Principal, field: &str, cmid: &str, names: &[&str]) -> Value {
    let vars = json!({ "cmid": cmid, "names": names });
    app.ok_vars(Some(who), &bulk_query(field), vars).await[field].clone()
}

async fn batched(app: &TestApp, who: &Principal, cmid: &str, names: &[&str]) -> Value {
    run(app, who, "createTestWidgetsBatched", cmid, names).await
}

/// The log row of `cmid`: status, error list, `json_ext` and linked objects.
async fn log_of(app: &TestApp, admin: &Principal, cmid: &str) -> Value {
    let q = format!(
        r#"{{ mutationLogs(clientMutationId: "{cmid}") {{ totalCount edges {{ node {{ status error jsonExt objects {{ entity entityId }} }} }} }} }}"#
    );
    let r = app.ok(Some(admin), &q).await;
    assert_eq!(r["mutationLogs"]["totalCount"], 1, "one log row for {cmid}");
    r["mutationLogs"]["edges"][0]["node"].clone()
}

fn json_field(log: &Value, field: &str) -> Value {
    serde_json::from_str(log[field].as_str().unwrap_or("null")).unwrap()
}

/// The ids of the succeeded items and of the log's linked objects, each sorted.
fn ids_and_links(out: &Value, log: &Value) -> (Vec<i64>, Vec<i64>) {
    let mut ids: Vec<i64> = items(out)
        .iter()
        .filter_map(|i| i["widgetId"].as_i64())
        .collect();
    let mut linked: Vec<i64> = log["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["entityId"].as_i64().unwrap())
        .collect();
    ids.sort();
    linked.sort();
    (ids, linked)
}

fn items(out: &Value) -> &Vec<Value> {
    out["items"].as_array().unwrap()
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

/// What each item of a run left, ids aside: its outcome, and the names its widget row, history
/// rows and outbox rows carry.
async fn footprint(app: &TestApp, out: &Value) -> Vec<Value> {
    let conn = &app.state.db.conn;
    let rows = |sql: &'static str| async move {
        sea_orm::ConnectionTrait::query_all_raw(
            conn,
            imis_core::db::stmt(app.state.db.backend(), sql, vec![]),
        )
        .await
        .unwrap()
    };
    let mut by_id: HashMap<i64, (Vec<String>, Vec<String>, Vec<String>)> = HashMap::new();
    for r in rows("SELECT id, name FROM testmod_widget").await {
        let id: i64 = r.try_get("", "id").unwrap();
        by_id
            .entry(id)
            .or_default()
            .0
            .push(r.try_get("", "name").unwrap());
    }
    let history =
        rows("SELECT entity_id, data FROM core_history WHERE entity = 'testmod_widget'").await;
    for r in history {
        let data: Value = serde_json::from_str(&r.try_get::<String>("", "data").unwrap()).unwrap();
        let id: i64 = r.try_get("", "entity_id").unwrap();
        by_id
            .entry(id)
            .or_default()
            .1
            .push(data["name"].as_str().unwrap().into());
    }
    for p in app.outbox_payloads("testmod.widget_created").await {
        let id = p["id"].as_i64().unwrap();
        by_id
            .entry(id)
            .or_default()
            .2
            .push(p["name"].as_str().unwrap().into());
    }
    items(out)
        .iter()
        .map(|i| {
            let rows = i["widgetId"].as_i64().map(|id| by_id[&id].clone());
            json!([i["key"], i["errorCode"], i["errorMessage"], rows])
        })
        .collect()
}

#[tokio::test]
async fn a_batched_run_leaves_what_an_item_by_item_run_leaves() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        // Two chunks (500 + 101), with refused names in both.
        let names: Vec<String> = (0..601)
            .map(|i| match i % 250 == 3 {
                true => format!("fail-cmp-{i:04}"),
                false => format!("cmp-{i:04}"),
            })
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let each = run(&app, &admin, "createTestWidgets", "bb-each", &names).await;
        let batch = batched(&app, &admin, "bb-batch", &names).await;
        // Each chunk went whole: a refused item is no reason to fall back.
        assert_eq!(take_batch_calls(&names), [500, 101]);

        let expected: Vec<Value> = names
            .iter()
            .map(|&n| match n.starts_with("fail") {
                true => json!([
                    n,
                    "testmod.widget_refused",
                    format!("Gadget {n} refusé."),
                    null
                ]),
                false => json!([n, null, null, [[n], [n], [n]]]),
            })
            .collect();
        assert_eq!(footprint(&app, &batch).await, expected);
        assert_eq!(footprint(&app, &each).await, expected);
        // Nothing else: no row of a refused item, no duplicate.
        let succeeded = 601 - 3;
        assert_eq!(app.count("testmod_widget", "").await, 2 * succeeded);
        assert_eq!(
            app.history_count("testmod_widget", None).await,
            2 * succeeded
        );
        assert_eq!(
            app.outbox_count("testmod.widget_created", None).await,
            2 * succeeded
        );
        assert_eq!(app.count("core_mutation_item", "").await, 2 * 601);

        let (log_each, log_batch) = (
            log_of(&app, &admin, "bb-each").await,
            log_of(&app, &admin, "bb-batch").await,
        );
        assert_eq!(log_batch["status"], 1);
        for field in ["status", "error", "jsonExt"] {
            assert_eq!(log_batch[field], log_each[field], "{field}");
        }
        assert_eq!(json_field(&log_batch, "error").as_array().unwrap().len(), 3);
        assert_eq!(
            json_field(&log_batch, "jsonExt"),
            json!({ "widget_stats": { "created": succeeded, "refused": 3 } })
        );
        for (out, log) in [(&each, &log_each), (&batch, &log_batch)] {
            let (ids, linked) = ids_and_links(out, log);
            assert_eq!(ids.len() as i64, succeeded);
            assert_eq!(linked, ids);
        }
    })
    .await;
}

#[tokio::test]
async fn a_failing_whole_call_falls_back_to_one_call_per_item() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        // The whole call writes every widget, then fails on a database error.
        let names = ["wc-1", "break-wc-2", "wc-3", "fail-wc-4"];
        let out = batched(&app, &admin, "bb-break", &names).await;
        assert_eq!(take_batch_calls(&names), [4, 1, 1, 1, 1]);
        let outcomes: Vec<(Value, Value)> = items(&out)
            .iter()
            .map(|i| (i["key"].clone(), i["errorCode"].clone()))
            .collect();
        let refused = json!("testmod.widget_refused");
        assert_eq!(
            outcomes,
            [
                (json!("wc-1"), Value::Null),
                (json!("break-wc-2"), refused.clone()),
                (json!("wc-3"), Value::Null),
                (json!("fail-wc-4"), refused),
            ]
        );
        assert_eq!(items(&out)[1]["errorMessage"], "Gadget break-wc-2 refusé.");
        for (name, rows) in [
            ("wc-1", (1, 1, 1)),
            ("break-wc-2", (0, 0, 0)),
            ("wc-3", (1, 1, 1)),
            ("fail-wc-4", (0, 0, 0)),
        ] {
            assert_eq!(traces(&app, name).await, rows, "{name}");
        }
        assert_eq!(app.count("testmod_widget", "").await, 2);
        let log = log_of(&app, &admin, "bb-break").await;
        assert_eq!(log["status"], 1);
        let details: Vec<Value> = json_field(&log, "error")
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["detail"].clone())
            .collect();
        assert_eq!(details, ["break-wc-2", "fail-wc-4"]);
        let (ids, linked) = ids_and_links(&out, &log);
        assert_eq!((ids.len(), linked), (2, ids));

        // A whole call answering an internal error for one key falls back too; alone, that key
        // is written.
        let names = ["sh-1", "shaky-sh-2", "sh-3"];
        let out = batched(&app, &admin, "bb-shaky", &names).await;
        assert_eq!(take_batch_calls(&names), [3, 1, 1, 1]);
        assert!(items(&out).iter().all(|i| i["widgetId"].is_i64()), "{out}");
        for name in names {
            assert_eq!(traces(&app, name).await, (1, 1, 1), "{name}");
        }
        let log = log_of(&app, &admin, "bb-shaky").await;
        assert_eq!(log["status"], 2);
        let (ids, linked) = ids_and_links(&out, &log);
        assert_eq!((ids.len(), linked), (3, ids));
    })
    .await;
}

#[tokio::test]
async fn a_key_answered_with_a_domain_error_leaves_no_row() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let names = ["dom-1", "fail-dom-2", "dom-3"];
        let out = batched(&app, &admin, "bb-domain", &names).await;
        assert_eq!(take_batch_calls(&names), [3]);
        let failed = &items(&out)[1];
        assert!(failed["widgetId"].is_null());
        assert_eq!(failed["errorCode"], "testmod.widget_refused");
        assert_eq!(traces(&app, "fail-dom-2").await, (0, 0, 0));
        assert_eq!(traces(&app, "dom-1").await, (1, 1, 1));
        assert_eq!(traces(&app, "dom-3").await, (1, 1, 1));
        let log = log_of(&app, &admin, "bb-domain").await;
        assert_eq!(log["status"], 1);
        let errors = json_field(&log, "error");
        assert_eq!(errors.as_array().unwrap().len(), 1);
        assert_eq!(errors[0]["detail"], "fail-dom-2");
        let (ids, linked) = ids_and_links(&out, &log);
        assert_eq!((ids.len(), linked), (2, ids));
        assert_eq!(app.count("core_mutation_item", "").await, 3);
    })
    .await;
}

#[tokio::test]
async fn warnings_fall_back_and_stay_with_their_item() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let names = ["wa-1", "warn-wa-2", "wa-3", "warn-wa-4"];
        let out = batched(&app, &admin, "bb-warn", &names).await;
        assert_eq!(take_batch_calls(&names), [4, 1, 1, 1, 1]);
        assert!(items(&out).iter().all(|i| i["widgetId"].is_i64()), "{out}");
        for name in names {
            assert_eq!(traces(&app, name).await, (1, 1, 1), "{name}");
        }
        let log = log_of(&app, &admin, "bb-warn").await;
        assert_eq!(log["status"], 2);
        let warning = |key: &str| json!({ "code": "testmod.widget_odd", "params": { "key": key } });
        assert_eq!(
            json_field(&log, "jsonExt"),
            json!({
                "widget_stats": { "created": 4, "refused": 0 },
                "warnings": [warning("warn-wa-2"), warning("warn-wa-4")],
            })
        );
        let (ids, linked) = ids_and_links(&out, &log);
        assert_eq!((ids.len(), linked), (4, ids));
    })
    .await;
}

#[tokio::test]
async fn a_replay_answers_the_stored_outcome_and_writes_nothing() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let names = ["rp-1", "fail-rp-2", "warn-rp-3", "rp-4"];
        let first = batched(&app, &admin, "bb-replay", &names).await;
        assert_eq!(take_batch_calls(&names), [4, 1, 1, 1, 1]);
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
        let log = log_of(&app, &admin, "bb-replay").await;
        let again = batched(&app, &admin, "bb-replay", &names).await;
        assert_eq!(again, first);
        assert_eq!(take_batch_calls(&names), Vec::<usize>::new());
        for (t, n) in tables.iter().zip(before) {
            assert_eq!(app.count(t, "").await, n, "{t} unchanged by the replay");
        }
        assert_eq!(log_of(&app, &admin, "bb-replay").await, log);
        // The same id for the item-by-item mutation is refused.
        let vars = json!({ "cmid": "bb-replay", "names": names });
        let code = app
            .err_code_vars(Some(&admin), &bulk_query("createTestWidgets"), vars)
            .await;
        assert_eq!(code, "mutation.client_id_reused");
    })
    .await;
}
