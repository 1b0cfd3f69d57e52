//! The HTTP surface (D1, D31): `POST /api/graphql`, GraphiQL on `GET /api/graphql`, `/health`,
//! `/ready`, `/metrics`, `GET /api/core/users/current_user/`, `/keepLegacyAlive`, and a built
//! openIMIS front end under `/front/`. Every request gets a request id, a tracing span, the
//! security headers and a metrics sample.

use crate::metrics::Metrics;
use crate::schema::{build_schema, document_root_fields};
use async_graphql::{BatchRequest, BatchResponse, EmptySubscription, ObjectType, Schema};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use futures::future::BoxFuture;
use imis_core::AppState;
use imis_core::auth::Principal;
use imis_core::auth::request::{
    Credentials, JWT_COOKIE, SESSION_COOKIE, authenticate, cookie_value,
};
use imis_core::error::AppError;
use imis_core::graphql::Lang;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

type Executor = Arc<dyn Fn(BatchRequest) -> BoxFuture<'static, BatchResponse> + Send + Sync>;

/// What every handler shares.
#[derive(Clone)]
pub struct Gateway {
    pub state: AppState,
    pub metrics: Arc<Metrics>,
    exec: Executor,
}

/// Root fields an anonymous caller (or one whose cookie went stale) may call (D2, D31).
pub const ANONYMOUS_FIELDS: &[&str] = &[
    "tokenAuth",
    "verifyToken",
    "revokeToken",
    "moduleConfigurations",
    "deleteTokenCookie",
    "deleteRefreshTokenCookie",
    "__typename",
    "__schema",
    "__type",
];

/// The router of this binary.
pub fn router(state: AppState) -> Router {
    let schema = build_schema(&state);
    router_with(state, schema)
}

/// The router over any composed schema (tests compose their own modules).
pub fn router_with<Q, M>(state: AppState, schema: Schema<Q, M, EmptySubscription>) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
{
    let exec: Executor = Arc::new(move |req| {
        let schema = schema.clone();
        Box::pin(async move { schema.execute_batch(req).await })
    });
    let gw = Gateway {
        state: state.clone(),
        metrics: Arc::new(Metrics::default()),
        exec,
    };
    let cfg = &state.config.server;
    let mut app = Router::new()
        .route("/api/graphql", get(graphiql).post(graphql_post))
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/api/core/users/current_user/", get(current_user))
        .route("/api/core/users/current_user", get(current_user))
        .route("/keepLegacyAlive", get(|| async { "ok" }));
    let assets = &state.config.graphql.graphiql_assets_dir;
    if !assets.is_empty() {
        app = app.nest_service(
            "/api/graphiql-assets",
            tower_http::services::ServeDir::new(assets),
        );
    }
    if !cfg.front_dir.is_empty() {
        let dir = std::path::PathBuf::from(&cfg.front_dir);
        let index = dir.join("index.html");
        let serve = tower_http::services::ServeDir::new(&dir)
            .fallback(tower_http::services::ServeFile::new(index));
        app = app
            .nest_service("/front", serve)
            .route("/", get(|| async { Redirect::temporary("/front/") }));
    }
    let mut app = app
        .with_state(gw.clone())
        .layer(DefaultBodyLimit::max(cfg.body_limit_bytes));
    if let Some(cors) = cors_layer(&cfg.cors_allowed_origins) {
        app = app.layer(cors);
    }
    app.layer(axum::middleware::from_fn_with_state(gw, observe))
}

fn cors_layer(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use tower_http::cors::{AllowOrigin, Any, CorsLayer};
    if origins.is_empty() {
        return None;
    }
    let methods = [Method::GET, Method::POST, Method::OPTIONS];
    if origins.iter().any(|o| o == "*") {
        return Some(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods(methods)
                .allow_headers(Any),
        );
    }
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(list))
            .allow_methods(methods)
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                HeaderName::from_static("x-csrftoken"),
                HeaderName::from_static("x-requested-with"),
                HeaderName::from_static("x-request-id"),
            ])
            .allow_credentials(true),
    )
}

/// Low-cardinality route label for metrics.
fn route_label(path: &str) -> &'static str {
    match path {
        "/api/graphql" => "/api/graphql",
        "/health" => "/health",
        "/ready" => "/ready",
        "/metrics" => "/metrics",
        "/api/core/users/current_user/" | "/api/core/users/current_user" => {
            "/api/core/users/current_user/"
        }
        "/keepLegacyAlive" => "/keepLegacyAlive",
        "/" => "/",
        p if p.starts_with("/front") => "/front",
        p if p.starts_with("/api/") => "/api/other",
        _ => "other",
    }
}

/// Request id, tracing span, access log, metrics and security headers.
async fn observe(State(gw): State<Gateway>, mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty() && s.len() <= 128)
        .map(String::from)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let id_value =
        HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("invalid"));
    req.headers_mut().insert("x-request-id", id_value.clone());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %path);
    let mut resp = next.run(req).instrument(span.clone()).await;
    let secs = start.elapsed().as_secs_f64();
    let status = resp.status().as_u16();
    gw.metrics
        .observe(method.as_str(), route_label(&path), status, secs);
    span.in_scope(|| tracing::info!(status, duration_ms = secs * 1000.0, "request finished"));
    let h = resp.headers_mut();
    h.insert("x-request-id", id_value);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    resp
}

fn header_str(headers: &HeaderMap, name: impl axum::http::header::AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(String::from)
}

/// The credentials found on a request (D2, D31).
pub fn credentials(headers: &HeaderMap) -> Credentials {
    let cookies: Vec<String> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(String::from)
        .collect();
    let cookie = |name: &str| cookies.iter().find_map(|c| cookie_value(c, name));
    Credentials {
        authorization: header_str(headers, header::AUTHORIZATION),
        jwt_cookie: cookie(JWT_COOKIE),
        session_cookie: cookie(SESSION_COOKIE),
        csrf_header: header_str(headers, "x-csrftoken"),
    }
}

/// The caller's language from `Accept-Language`.
/// The caller's language from `Accept-Language`, else the configured `default_language`.
pub fn request_lang(headers: &HeaderMap, default: &str) -> String {
    imis_core::i18n::pick_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
        default,
    )
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn error_body(e: &AppError, lang: &str) -> serde_json::Value {
    json!({"errors": [{"message": e.message(lang), "extensions": {"code": e.code}}]})
}

fn requests_of(batch: &BatchRequest) -> Vec<&async_graphql::Request> {
    match batch {
        BatchRequest::Single(r) => vec![r],
        BatchRequest::Batch(v) => v.iter().collect(),
    }
}

/// Whether every root field of every operation is open to anonymous callers.
fn only_anonymous_fields(batch: &BatchRequest) -> bool {
    requests_of(batch)
        .iter()
        .all(|r| match async_graphql::parser::parse_query(&r.query) {
            Ok(doc) => document_root_fields(&doc)
                .iter()
                .all(|(_, f)| ANONYMOUS_FIELDS.contains(&f.as_str())),
            Err(_) => false,
        })
}

async fn graphql_post(State(gw): State<Gateway>, headers: HeaderMap, body: Bytes) -> Response {
    let lang = request_lang(&headers, &gw.state.config.default_language);
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            let err = AppError::invalid("body", &e.to_string());
            gw.metrics.graphql_errors(1);
            return json_response(StatusCode::BAD_REQUEST, &error_body(&err, &lang));
        }
    };
    let creds = credentials(&headers);
    let principal: Option<Principal> = match authenticate(&gw.state, &creds).await {
        Ok(p) => p,
        // A stale cookie must not lock the front end out of logging in again (D31).
        Err(_) if creds.bearer().is_none() && only_anonymous_fields(&batch) => None,
        Err(e) => {
            gw.metrics.graphql_errors(1);
            return json_response(
                StatusCode::UNAUTHORIZED,
                &error_body(&e, principal_lang(None, &lang)),
            );
        }
    };
    let mut batch = batch.data(Lang(lang.clone()));
    if let Some(p) = principal {
        batch = batch.data(p);
    }
    let resp = (gw.exec)(batch).await;
    let responses: Vec<&async_graphql::Response> = match &resp {
        BatchResponse::Single(r) => vec![r],
        BatchResponse::Batch(v) => v.iter().collect(),
    };
    let mut unauthorized = false;
    let mut n_errors = 0;
    for r in &responses {
        n_errors += r.errors.len() as u64;
        unauthorized |= r.errors.iter().any(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_some_and(
                    |c| matches!(c, async_graphql::Value::String(s) if s == "auth.token_required"),
                )
        });
    }
    gw.metrics.graphql_errors(n_errors);
    let headers_out: Vec<(HeaderName, HeaderValue)> = resp.http_headers_iter().collect();
    let body = match serde_json::to_string(&resp) {
        Ok(b) => b,
        Err(_) => {
            return json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &error_body(&AppError::internal(), &lang),
            );
        }
    };
    let status = if unauthorized {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let mut out = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    for (name, value) in headers_out {
        out.headers_mut().append(name, value);
    }
    out
}

fn principal_lang<'a>(p: Option<&'a Principal>, lang: &'a str) -> &'a str {
    p.map(|p| p.language.as_str()).unwrap_or(lang)
}

async fn graphiql(State(gw): State<Gateway>) -> Response {
    if !gw.state.config.graphql.graphiql {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    let local = !gw.state.config.graphql.graphiql_assets_dir.is_empty();
    axum::response::Html(crate::graphiql::page(local)).into_response()
}

async fn ready(State(gw): State<Gateway>) -> Response {
    if gw.state.is_ready().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
    }
}

async fn metrics(State(gw): State<Gateway>) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        gw.metrics.render(&gw.state),
    )
        .into_response()
}

/// `GET /api/core/users/current_user/` in the openIMIS shape (D31); 401 when not logged in.
async fn current_user(State(gw): State<Gateway>, headers: HeaderMap) -> Response {
    let lang = request_lang(&headers, &gw.state.config.default_language);
    let unauthorized =
        |msg: String| json_response(StatusCode::UNAUTHORIZED, &json!({"detail": msg}));
    let principal = match authenticate(&gw.state, &credentials(&headers)).await {
        Ok(Some(p)) => p,
        Ok(None) => return unauthorized(AppError::unauthenticated().message(&lang)),
        Err(e) => return unauthorized(e.message(&lang)),
    };
    match current_user_body(&gw.state, &principal).await {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => {
            let status = if e.kind == imis_core::error::ErrorKind::Unauthenticated {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            json_response(status, &json!({"detail": e.message(&principal.language)}))
        }
    }
}

/// The openIMIS `current_user` body: from the principal, completed by the users service.
pub async fn current_user_body(
    state: &AppState,
    p: &Principal,
) -> imis_core::AppResult<serde_json::Value> {
    let extra = imis_core::users::service::current_user_json(state, p).await?;
    if extra.get("i_user").is_some() && extra.get("username").is_some() {
        return Ok(extra);
    }
    let from = extra.get("i_user").unwrap_or(&extra);
    let pick = |k: &str, default: serde_json::Value| from.get(k).cloned().unwrap_or(default);
    let rights: Vec<i32> = p.rights.iter().copied().collect();
    Ok(json!({
        "id": p.user_uuid.to_string(),
        "username": p.username,
        "i_user": {
            "id": p.user_id,
            "language": p.language,
            "last_name": pick("last_name", json!("")),
            "other_names": pick("other_names", json!("")),
            "health_facility_id": p.health_facility_id,
            "rights": rights,
            "has_password": pick("has_password", json!(true)),
        },
        "t_user": null,
    }))
}

/// Resolves when SIGTERM or Ctrl-C arrives.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => futures::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = futures::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Serves `app` on `listener` until SIGTERM/Ctrl-C; then stops accepting, tells background tasks
/// through `shutdown`, and gives in-flight requests `grace` to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: tokio::sync::watch::Sender<bool>,
    grace: Duration,
) -> anyhow::Result<()> {
    let mut rx = shutdown.subscribe();
    let signal_task = tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutdown requested");
        let _ = shutdown.send(true);
    });
    let mut rx2 = rx.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = rx2.wait_for(|v| *v).await;
    });
    let deadline = async move {
        let _ = rx.wait_for(|v| *v).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        r = server => r?,
        _ = deadline => tracing::warn!(grace_secs = grace.as_secs(), "shutdown grace period expired; dropping in-flight requests"),
    }
    signal_task.abort();
    Ok(())
}
