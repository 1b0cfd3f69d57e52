//! The mutation envelope (D5): idempotency by clientMutationId, rollback of failed mutations,
//! the outbox, history, and French messages.

use imis_tests::{TestApp, TestDb, on_each_app, on_each_db, postgres_url, testmod};
use sea_orm::ConnectionTrait;
use std::sync::atomic::Ordering;

fn widget(cmid: &str, name: &str) -> String {
    format!(
        r#"mutation {{ createTestWidget(input: {{ clientMutationId: "{cmid}", clientMutationLabel: "w", name: "{name}" }}) {{ clientMutationId internalId }} }}"#
    )
}

#[tokio::test]
async fn a_replayed_client_mutation_id_returns_the_stored_outcome() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let first = app.ok(Some(&admin), &widget("c-1", "alpha")).await;
        let again = app.ok(Some(&admin), &widget("c-1", "alpha")).await;
        assert_eq!(first["createTestWidget"]["internalId"], again["createTestWidget"]["internalId"]);
        assert_eq!(first["createTestWidget"]["clientMutationId"], "c-1");
        assert_eq!(app.count("testmod_widget", "").await, 1, "executed once");
        assert_eq!(app.err_code(Some(&admin), &widget("c-1", "beta")).await, "mutation.client_id_reused");
        assert_eq!(app.count("testmod_widget", "").await, 1);
        // The log shows the success with its links.
        let logs = app.ok(Some(&admin), r#"{ mutationLogs(clientMutationId: "c-1") { totalCount edges { node { status error clientMutationLabel objects { entity } } } } }"#).await;
        assert_eq!(logs["mutationLogs"]["totalCount"], 1);
        assert_eq!(logs["mutationLogs"]["edges"][0]["node"]["status"], 2);
        assert_eq!(logs["mutationLogs"]["edges"][0]["node"]["objects"][0]["entity"], "testmod_widget");
    })
    .await;
}

#[tokio::test]
async fn a_failed_mutation_leaves_only_its_error_log_row() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        let outbox_before = app.count("core_outbox", "").await;
        let history_before = app.count("core_history", "").await;
        let r = app.exec(Some(&admin), &widget("c-fail", "fail-now")).await;
        let e = &r.errors[0];
        assert_eq!(
            e.extensions
                .as_ref()
                .unwrap()
                .get("code")
                .unwrap()
                .to_string(),
            "\"testmod.widget_refused\""
        );
        assert_eq!(app.count("testmod_widget", "").await, 0, "no business row");
        assert_eq!(
            app.count("core_outbox", "").await,
            outbox_before,
            "no outbox event"
        );
        assert_eq!(
            app.count("core_history", "").await,
            history_before,
            "no history row"
        );
        assert_eq!(
            app.count(
                "core_mutation_log",
                "client_mutation_id = 'c-fail' AND status = 1"
            )
            .await,
            1
        );
        assert_eq!(app.count("core_mutation_log_object", "").await, 0);
        // The replay answers the same coded error without executing.
        assert_eq!(
            app.err_code(Some(&admin), &widget("c-fail", "fail-now"))
                .await,
            "testmod.widget_refused"
        );
        // Refused for rights: still logged as an error.
        let clerk = app.principal("clerk").await;
        assert_eq!(
            app.err_code(Some(&clerk), &widget("c-2", "x")).await,
            "auth.permission_denied"
        );
    })
    .await;
}

#[tokio::test]
async fn a_stored_internal_error_is_retried_once() {
    on_each_db(|db: TestDb| async move {
        let app = TestApp::new(&db).await;
        let admin = app.principal("Admin").await;
        app.ok(Some(&admin), &widget("c-int", "epsilon")).await;
        // Turn that attempt into one that failed for an internal reason (a lost connection, say)
        // and left nothing behind.
        let error = r#"[{"message":"x","detail":"internal","code":"internal","kind":"internal","params":{}}]"#;
        let b = app.state.db.backend();
        for (sql, values) in [
            (
                "UPDATE core_mutation_log SET status = 1, result = NULL, error = ? WHERE client_mutation_id = 'c-int'",
                vec![error.into()],
            ),
            ("DELETE FROM core_mutation_log_object", vec![]),
            ("DELETE FROM testmod_widget", vec![]),
        ] {
            app.state
                .db
                .conn
                .execute_raw(imis_core::db::stmt(b, sql, values))
                .await
                .unwrap();
        }
        let r = app.ok(Some(&admin), &widget("c-int", "epsilon")).await;
        assert_eq!(r["createTestWidget"]["clientMutationId"], "c-int");
        assert_eq!(app.count("testmod_widget", "").await, 1, "executed again");
        assert_eq!(app.count("core_mutation_log", "client_mutation_id = 'c-int'").await, 1);
        assert_eq!(
            app.count("core_mutation_log", "client_mutation_id = 'c-int' AND status = 2").await,
            1
        );
        // The success is stored now: a repeat replays it.
        app.ok(Some(&admin), &widget("c-int", "epsilon")).await;
        assert_eq!(app.count("testmod_widget", "").await, 1);
        db
    })
    .await;
}

#[tokio::test]
async fn events_reach_after_commit_handlers_through_the_outbox() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        app.ok(Some(&admin), &widget("c-ev", "gamma")).await;
        app.ok(Some(&admin), &widget("c-ev2", "gamma2")).await;
        assert_eq!(
            app.count(
                "core_outbox",
                "event_name = 'testmod.widget_created' AND delivered_at IS NULL"
            )
            .await,
            2
        );
        let before = testmod::DELIVERED.load(Ordering::SeqCst);
        let could_write = testmod::COULD_WRITE.load(Ordering::SeqCst);
        let n = app.state.bus.dispatch_pending(&app.state).await.unwrap();
        assert!(n >= 2);
        // Both in one dispatch: the batch is marked delivered together.
        assert!(testmod::DELIVERED.load(Ordering::SeqCst) >= before + 2);
        // The handlers ran outside the dispatcher's transactions: they could write (on SQLite
        // they would otherwise wait for the dispatcher's writer turn).
        assert!(testmod::COULD_WRITE.load(Ordering::SeqCst) >= could_write + 2);
        assert_eq!(app.count("core_outbox", "delivered_at IS NULL").await, 0);
        // Dispatching again delivers nothing twice.
        assert_eq!(app.state.bus.dispatch_pending(&app.state).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn a_failed_delivery_is_retried_after_a_back_off() {
    on_each_app(|app: TestApp| async move {
        let admin = app.principal("Admin").await;
        app.ok(Some(&admin), &widget("c-undeliverable", "undeliverable-1")).await;
        app.state.bus.dispatch_pending(&app.state).await.unwrap();
        let failed = "event_name = 'testmod.widget_created' AND payload LIKE '%undeliverable-1%'";
        assert_eq!(
            app.count(
                "core_outbox",
                &format!("{failed} AND delivered_at IS NULL AND attempts = 1 AND last_error IS NOT NULL AND next_attempt_at IS NOT NULL")
            )
            .await,
            1
        );
        // Not due again before its back-off ends: the next dispatch leaves it alone.
        app.state.bus.dispatch_pending(&app.state).await.unwrap();
        assert_eq!(
            app.count("core_outbox", &format!("{failed} AND attempts = 1")).await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn messages_follow_the_callers_language() {
    on_each_app(|app: TestApp| async move {
        // Demo users speak French.
        let clerk = app.principal("clerk").await;
        let r = app.exec(Some(&clerk), r#"mutation { createRole(input: { name: "", isSystem: false, isBlocked: false }) { internalId } }"#).await;
        assert_eq!(r.errors[0].message, "User not authorized for this operation");
        let admin = app.principal("Admin").await;
        let r = app.exec(Some(&admin), r#"mutation { createRole(input: { name: "Enrolment Officer", isSystem: false, isBlocked: false }) { internalId } }"#).await;
        assert_eq!(r.errors[0].message, "Le nom de rôle Enrolment Officer est déjà pris.");
    })
    .await;
}

/// Two requests with the same clientMutationId against one PostgreSQL: one execution.
#[tokio::test]
async fn concurrent_replays_execute_once_on_postgres() {
    let Some(url) = postgres_url() else { return };
    let db = TestDb::postgres(&url).await;
    let app = TestApp::new(&db).await;
    let admin = app.principal("Admin").await;
    let q = widget("c-race", "delta");
    let (a, b) = tokio::join!(app.exec(Some(&admin), &q), app.exec(Some(&admin), &q));
    assert!(
        a.errors.is_empty() && b.errors.is_empty(),
        "{:?} {:?}",
        a.errors,
        b.errors
    );
    assert_eq!(app.count("testmod_widget", "").await, 1);
    // Concurrent failed logins all count: five at once lock the username.
    let login = r#"mutation { tokenAuth(username: "clerk", password: "bad") { token } }"#;
    let _ = tokio::join!(
        app.exec(None, login),
        app.exec(None, login),
        app.exec(None, login),
        app.exec(None, login),
        app.exec(None, login)
    );
    assert_eq!(
        app.err_code(
            None,
            r#"mutation { tokenAuth(username: "clerk", password: "clerk1234") { token } }"#
        )
        .await,
        "auth.locked_out"
    );
    drop(app);
    db.cleanup().await;
}
