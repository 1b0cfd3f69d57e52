//! What the gateway's test binaries share: sending a request through the router in-process.

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

/// A response read whole.
pub struct Answer {
    pub status: StatusCode,
    /// Every `Set-Cookie` header, in order.
    pub cookies: Vec<String>,
    pub body: Bytes,
}

/// Sends `request` through `app` and reads the response, its body up to `body_limit` bytes.
pub async fn respond(app: &axum::Router, request: Request<Body>, body_limit: usize) -> Answer {
    let response = app.clone().oneshot(request).await.expect("router answers");
    let status = response.status();
    let cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ASCII cookie").to_string())
        .collect();
    let body = axum::body::to_bytes(response.into_body(), body_limit)
        .await
        .expect("body within its limit");
    Answer {
        status,
        cookies,
        body,
    }
}
