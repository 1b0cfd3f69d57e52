//! In-process tests of the gateway: composition, the module guard, SDL filtering and HTTP routes.
// The composed GraphQL roots nest deeply enough to pass rustc's default query depth in a
// clean build.
#![recursion_limit = "256"]

use async_graphql::Object;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use imis_core::AppState;
use imis_core::config::Config;
use imis_core::registry::EnabledModules;
use imis_gateway::schema::{build_schema_with, root_field_collisions, sdl_with, strip_root_fields};
use tower::ServiceExt;

mod common;
use common::respond;

/// A module that is compiled into this test but not registered, hence disabled.
#[derive(Default)]
pub struct FakeQuery;
#[Object]
impl FakeQuery {
    /// A field of the fake module.
    async fn fake_things(&self, #[graphql(desc = "first")] first: Option<i32>) -> i32 {
        first.unwrap_or(1)
    }
}
#[derive(Default)]
pub struct FakeMutation;
#[Object]
impl FakeMutation {
    async fn fake_do(&self) -> bool {
        true
    }
    async fn fake_cookie(&self, ctx: &async_graphql::Context<'_>) -> bool {
        ctx.append_http_header("Set-Cookie", "a=1; Path=/");
        ctx.append_http_header("Set-Cookie", "b=2; Path=/");
        true
    }
}

mod composed {
    use super::*;
    imis_gateway::compose_roots! {
        query: TestQuery {
            "core" => imis_gateway::schema::Query,
            #[cfg(all())] "fake" => FakeQuery,
        }
        mutation: TestMutation {
            "core" => imis_gateway::schema::Mutation,
            "fake" => FakeMutation,
        }
        owners: owners
    }
}

async fn state() -> AppState {
    let dir = std::env::temp_dir().join(format!("imis-gw-{}", uuid::Uuid::new_v4()));
    let config = Config::for_tests("sqlite::memory:", &dir);
    AppState::build(config, true).await.expect("state")
}

#[test]
fn root_fields_never_collide() {
    let owners = imis_gateway::root_field_owners();
    assert!(!owners.is_empty());
    assert!(
        root_field_collisions(&owners).is_empty(),
        "{:?}",
        root_field_collisions(&owners)
    );
    let test_owners = composed::owners();
    assert!(
        test_owners
            .iter()
            .any(|(m, r, f)| *m == "fake" && *r == "Query" && f == "fakeThings")
    );
    assert!(root_field_collisions(&test_owners).is_empty());
}

#[test]
fn collisions_are_detected() {
    let owners = vec![
        ("a", "Query", "x".to_string()),
        ("b", "Query", "x".to_string()),
        ("b", "Mutation", "x".to_string()),
    ];
    let c = root_field_collisions(&owners);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].2, vec!["a", "b"]);
}

#[test]
fn sdl_hides_disabled_module_fields() {
    let enabled = EnabledModules::default();
    let sdl =
        sdl_with::<composed::TestQuery, composed::TestMutation>(&enabled, &composed::owners());
    assert!(!sdl.contains("fakeThings"), "{sdl}");
    assert!(!sdl.contains("fakeDo"), "{sdl}");
    let mut on = EnabledModules::default();
    on.0.insert("fake".into());
    let sdl = sdl_with::<composed::TestQuery, composed::TestMutation>(&on, &composed::owners());
    assert!(sdl.contains("fakeThings"));
    assert!(sdl.contains("fakeDo"));
}

#[test]
fn strip_handles_descriptions_and_multiline_args() {
    let sdl = "type Query {\n\t\"\"\"\n\tdoc of a\n\t\"\"\"\n\ta(\n\t\t\"\"\"\n\t\tx\n\t\t\"\"\"\n\t\tfirst: Int\n\t): Int!\n\t\"b doc\"\n\tb: Int!\n\tc(x: Int): Int\n}\ntype Other {\n\ta: Int\n}\n";
    let out = strip_root_fields(sdl, &[("Query", "Query")], |_, f| f == "a");
    assert_eq!(
        out,
        "type Query {\n\t\"b doc\"\n\tb: Int!\n\tc(x: Int): Int\n}\ntype Other {\n\ta: Int\n}\n"
    );
    let out = strip_root_fields(sdl, &[("Query", "Query")], |_, f| f == "b" || f == "c");
    assert!(
        out.contains("doc of a") && !out.contains("b doc") && !out.contains("c(x"),
        "{out}"
    );
}

async fn post(
    app: axum::Router,
    body: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::post("/api/graphql").header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let answer = respond(
        &app,
        req.body(Body::from(body.to_string())).unwrap(),
        1 << 20,
    )
    .await;
    (
        answer.status,
        serde_json::from_slice(&answer.body).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn disabled_module_fields_are_refused() {
    let state = state().await;
    let schema = build_schema_with::<composed::TestQuery, composed::TestMutation>(
        &state,
        composed::owners(),
    );
    let app = imis_gateway::server::router_with(state, schema);
    let (status, body) = post(app.clone(), r#"{"query":"{ fakeThings }"}"#, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "module.disabled",
        "{body}"
    );
    let (_, body) = post(
        app.clone(),
        r#"{"query":"query { ...F } fragment F on TestQuery { fakeThings }"}"#,
        &[],
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "module.disabled",
        "{body}"
    );
    let (status, body) = post(app, r#"{"query":"{ __typename }"}"#, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["__typename"], "TestQuery");
}

#[tokio::test]
async fn http_routes() {
    let state = state().await;
    let app = imis_gateway::router(state);
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    let r = app.clone().oneshot(get("/health")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key("x-request-id"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let r = app
        .clone()
        .oneshot(
            Request::get("/health")
                .header("x-request-id", "abc")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc");
    for path in ["/ready", "/api/graphql", "/keepLegacyAlive"] {
        assert_eq!(
            app.clone().oneshot(get(path)).await.unwrap().status(),
            StatusCode::OK,
            "{path}"
        );
    }
    let r = app
        .clone()
        .oneshot(get("/api/core/users/current_user/"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = post(
        app.clone(),
        r#"{"query":"{ __typename }"}"#,
        &[("authorization", "Bearer junk")],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["errors"][0]["extensions"]["code"].is_string());
    let (status, _) = post(app.clone(), "not json", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let metrics = respond(&app, get("/metrics"), 1 << 20).await;
    let text = String::from_utf8(metrics.body.to_vec()).unwrap();
    assert!(
        text.contains("imis_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"}"),
        "{text}"
    );
    assert!(text.contains("imis_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
}

#[tokio::test]
async fn resolver_cookies_reach_the_response_and_stale_cookies_allow_login() {
    let mut state = state().await;
    state.enabled.0.insert("fake".into());
    let schema = build_schema_with::<composed::TestQuery, composed::TestMutation>(
        &state,
        composed::owners(),
    );
    let app = imis_gateway::server::router_with(state, schema);
    let req = Request::post("/api/graphql")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"query":"mutation { fakeCookie }"}"#))
        .unwrap();
    let answer = respond(&app, req, 1 << 20).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.cookies, vec!["a=1; Path=/", "b=2; Path=/"]);
    // A stale JWT cookie: anonymous fields still answer, others get 401.
    for (body, expected) in [
        (r#"{"query":"{ __typename }"}"#, StatusCode::OK),
        (r#"{"query":"{ fakeThings }"}"#, StatusCode::UNAUTHORIZED),
    ] {
        let (status, _) = post(app.clone(), body, &[("cookie", "JWT=stale")]).await;
        assert_eq!(status, expected, "{body}");
    }
}

#[tokio::test]
async fn serves_the_front_end_with_spa_fallback() {
    let dir = std::env::temp_dir().join(format!("imis-front-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html>front</html>").unwrap();
    std::fs::write(dir.join("app.js"), "js").unwrap();
    let mut config = Config::for_tests("sqlite::memory:", &dir.join("files"));
    config.server.front_dir = dir.display().to_string();
    let app = imis_gateway::router(AppState::build(config, true).await.unwrap());
    let get = |p: &str| Request::get(p).body(Body::empty()).unwrap();
    let r = app.clone().oneshot(get("/")).await.unwrap();
    assert!(r.status().is_redirection());
    assert_eq!(r.headers()["location"], "/front/");
    // A file, and the index for the front end's own routes (the SPA fallback).
    for (path, content) in [
        ("/front/", "<html>front</html>"),
        ("/front/app.js", "js"),
        ("/front/insuree/families", "<html>front</html>"),
    ] {
        let answer = respond(&app, get(path), 1 << 20).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(String::from_utf8_lossy(&answer.body), content, "{path}");
    }
}
