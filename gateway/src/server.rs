//! The HTTP surface (D1, D31): `POST /api/graphql`, GraphiQL on `GET /api/graphql`, `/health`,
//! `/ready`, `/metrics`, `GET /api/core/users/current_user/`, `/keepLegacyAlive`, and a built
//! openIMIS front end under `/front/`. Every request gets a request id, a tracing span, the
//! security headers and a metrics sample.
//!
//! `POST /api/graphql` accepts only JSON (`application/json`, `application/graphql-response+json`)
//! or a GraphQL document (`application/graphql`, the body is the query); anything else, notably
//! the `text/plain` a browser sends cross-site without a CORS preflight, is refused with HTTP 415
//! `request.unsupported_media_type`. A batch (JSON array) of more than `graphql.max_batch`
//! operations is refused whole with HTTP 400 `request.batch_too_large`; the operations of a
//! batch share one complexity budget ([`crate::limits`]). The request's
//! [`Credentials`] (bearer header, `JWT` and `sessionid` cookies, `X-CSRFToken`) join the request
//! data, so that `refreshToken`, `verifyToken` and the logout mutations can read the cookies.
//!
//! `/metrics` requires `Authorization: Bearer <server.metrics_token>` when a token is set; when
//! `server.metrics_listen` is set it is served only there ([`Routers::metrics`]); in production
//! without either it is refused (HTTP 403). GraphiQL follows `graphql.graphiql` (off in
//! production unless set).

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
use imis_core::error::{AppError, ErrorKind};
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
    // Checks the token itself (from its argument or the cookie), allowing an expired one within
    // the refresh window: the front end refreshes an expired cookie.
    "refreshToken",
    "verifyToken",
    "revokeToken",
    "moduleConfigurations",
    "deleteTokenCookie",
    "deleteRefreshTokenCookie",
    "__typename",
    "__schema",
    "__type",
];

/// The routers of a server: the public one, and the one serving `/metrics` on
/// `server.metrics_listen` when that is set.
pub struct Routers {
    pub main: Router,
    pub metrics: Option<Router>,
}

/// The router of this binary.
pub fn router(state: AppState) -> Router {
    routers(state).main
}

/// The routers of this binary.
pub fn routers(state: AppState) -> Routers {
    let schema = build_schema(&state);
    routers_with(state, schema)
}

/// The router over any composed schema (tests compose their own modules).
pub fn router_with<Q, M>(state: AppState, schema: Schema<Q, M, EmptySubscription>) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
{
    routers_with(state, schema).main
}

/// The routers over any composed schema.
pub fn routers_with<Q, M>(state: AppState, schema: Schema<Q, M, EmptySubscription>) -> Routers
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
    let separate_metrics = !cfg.metrics_listen.is_empty();
    let mut app = Router::new()
        .route("/api/graphql", get(graphiql).post(graphql_post))
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready))
        .route("/api/core/users/current_user/", get(current_user))
        .route("/api/core/users/current_user", get(current_user))
        .route("/keepLegacyAlive", get(|| async { "ok" }));
    if !separate_metrics {
        app = app.route("/metrics", get(metrics_public));
    }
    let assets = &state.config.graphql.graphiql_assets_dir;
    let graphiql_on = state.config.graphql.graphiql_for(&state.config.environment);
    if !assets.is_empty() && graphiql_on {
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
    let metrics = separate_metrics.then(|| {
        Router::new()
            .route("/metrics", get(metrics_private))
            .route("/health", get(|| async { "ok" }))
            .with_state(gw.clone())
    });
    Routers {
        main: app.layer(axum::middleware::from_fn_with_state(gw, observe)),
        metrics,
    }
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
    let mut extensions: serde_json::Map<String, serde_json::Value> = e
        .params
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    extensions.insert("code".into(), json!(e.code));
    json!({"errors": [{"message": e.message(lang), "extensions": extensions}]})
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

/// How a `POST /api/graphql` body is to be read, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `{query, variables, operationName}` or an array of them.
    Json,
    /// The GraphQL document itself.
    Graphql,
}

/// The body kind a `Content-Type` names (parameters such as `charset` are ignored); `None` when
/// it is missing or another type (`text/plain`, forms: what a browser sends cross-site without a
/// preflight).
pub fn body_kind(headers: &HeaderMap) -> Option<BodyKind> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = ct.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" | "application/graphql-response+json" => Some(BodyKind::Json),
        "application/graphql" => Some(BodyKind::Graphql),
        _ => None,
    }
}

fn parse_body(kind: BodyKind, body: &[u8]) -> Result<BatchRequest, AppError> {
    match kind {
        BodyKind::Json => {
            serde_json::from_slice(body).map_err(|e| AppError::invalid("body", &e.to_string()))
        }
        BodyKind::Graphql => std::str::from_utf8(body)
            .map(|q| BatchRequest::Single(async_graphql::Request::new(q)))
            .map_err(|e| AppError::invalid("body", &e.to_string())),
    }
}

async fn graphql_post(State(gw): State<Gateway>, headers: HeaderMap, body: Bytes) -> Response {
    let lang = request_lang(&headers, &gw.state.config.default_language);
    let refuse = |status: StatusCode, err: AppError| {
        gw.metrics.graphql_errors(1);
        json_response(status, &error_body(&err, &lang))
    };
    let Some(kind) = body_kind(&headers) else {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::new(ErrorKind::Validation, "request.unsupported_media_type"),
        );
    };
    let batch = match parse_body(kind, &body) {
        Ok(b) => b,
        Err(err) => return refuse(StatusCode::BAD_REQUEST, err),
    };
    let max_batch = gw.state.config.graphql.max_batch;
    if let BatchRequest::Batch(list) = &batch
        && list.len() > max_batch
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            AppError::new(ErrorKind::Validation, "request.batch_too_large").with("max", max_batch),
        );
    }
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
    // The operations of a batch share one complexity budget.
    let budget = matches!(batch, BatchRequest::Batch(_))
        .then(|| Arc::new(crate::limits::BatchBudget::default()));
    // The resolvers of `refreshToken`, `verifyToken` and the logout mutations read the cookies.
    let mut batch = batch.data(Lang(lang.clone())).data(creds);
    if let Some(b) = budget {
        batch = batch.data(b);
    }
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

/// Compares two secrets in time independent of where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn principal_lang<'a>(p: Option<&'a Principal>, lang: &'a str) -> &'a str {
    p.map(|p| p.language.as_str()).unwrap_or(lang)
}

async fn graphiql(State(gw): State<Gateway>) -> Response {
    let config = &gw.state.config;
    if !config.graphql.graphiql_for(&config.environment) {
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

/// `/metrics` on the public listener: the token when one is set; closed in production without one.
async fn metrics_public(State(gw): State<Gateway>, headers: HeaderMap) -> Response {
    let config = &gw.state.config;
    if config.server.metrics_token.is_empty() && config.environment == "production" {
        return (
            StatusCode::FORBIDDEN,
            "metrics are closed in production: set server.metrics_token or server.metrics_listen",
        )
            .into_response();
    }
    metrics_private(State(gw), headers).await
}

/// `/metrics`: the token when one is set.
async fn metrics_private(State(gw): State<Gateway>, headers: HeaderMap) -> Response {
    let token = &gw.state.config.server.metrics_token;
    if !token.is_empty() {
        let given = header_str(&headers, header::AUTHORIZATION);
        let ok = given
            .as_deref()
            .and_then(|h| h.trim().split_once(' '))
            .is_some_and(|(scheme, t)| {
                scheme.eq_ignore_ascii_case("bearer")
                    && constant_time_eq(t.trim().as_bytes(), token.as_bytes())
            });
        if !ok {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics require a bearer token",
            )
                .into_response();
        }
    }
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
