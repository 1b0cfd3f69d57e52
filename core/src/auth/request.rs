//! Builds the [`Principal`] of a request from its credentials: `Authorization: Bearer <token>`,
//! or the HttpOnly `JWT` cookie of the openIMIS web front end (D31). An `Authorization` header that
//! is not `Bearer …` (such as `JWT undefined`) is ignored. Cookie-authenticated requests carry the
//! outcome of the CSRF check, enforced by list queries and mutations.

use super::{Csrf, Principal, tokens};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::state::AppState;

pub const JWT_COOKIE: &str = "JWT";
pub const SESSION_COOKIE: &str = "sessionid";

/// The credentials a transport found on a request.
#[derive(Debug, Default, Clone)]
pub struct Credentials {
    pub authorization: Option<String>,
    pub jwt_cookie: Option<String>,
    pub session_cookie: Option<String>,
    pub csrf_header: Option<String>,
}

impl Credentials {
    pub fn bearer(&self) -> Option<&str> {
        let h = self.authorization.as_deref()?.trim();
        let (scheme, token) = h.split_once(' ')?;
        (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
    }
}

/// Parses a `Cookie` header into the value of `name`.
pub fn cookie_value(header: &str, name: &str) -> Option<String> {
    header
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The claims and principal of a live token: signature and expiry (unless `allow_expired`),
/// neither the token nor its login revoked (logout), the user current, and the token issued
/// after the user's last password change (millisecond cut-off).
pub async fn principal_of_token(
    state: &AppState,
    token: &str,
    allow_expired: bool,
) -> AppResult<(tokens::Claims, Principal)> {
    let claims = tokens::decode(&state.jwt_key, token, state.clock.now(), allow_expired)?;
    if tokens::is_revoked(state, &claims).await? {
        return Err(AppError::new(
            ErrorKind::Unauthenticated,
            "auth.token_revoked",
        ));
    }
    let uuid = uuid::Uuid::parse_str(&claims.sub)
        .map_err(|_| AppError::new(ErrorKind::Unauthenticated, "auth.token_invalid"))?;
    let load = state.ports.load_principal.ok_or_else(|| {
        tracing::error!("no principal loader installed: the core registers are not wired");
        AppError::internal()
    })?;
    let mut principal = load(state, uuid)
        .await?
        .ok_or_else(|| AppError::new(ErrorKind::Unauthenticated, "auth.token_invalid"))?;
    if principal.tokens_valid_after > claims.issued_at_ms() {
        return Err(AppError::new(
            ErrorKind::Unauthenticated,
            "auth.token_revoked",
        ));
    }
    principal.jti = Some(claims.jti.clone());
    principal.login_id = claims.sid.clone();
    principal.token_exp = claims.exp;
    Ok((claims, principal))
}

/// The token a request carries: the bearer header first, else the `JWT` cookie (`true`).
pub fn request_token(creds: &Credentials) -> Option<(String, bool)> {
    match (creds.bearer(), creds.jwt_cookie.as_deref()) {
        (Some(t), _) => Some((t.to_string(), false)),
        (None, Some(c)) if !c.is_empty() => Some((c.to_string(), true)),
        _ => None,
    }
}

/// `Ok(None)` for anonymous requests; an error for a bad, expired or revoked token.
pub async fn authenticate(state: &AppState, creds: &Credentials) -> AppResult<Option<Principal>> {
    let Some((token, via_cookie)) = request_token(creds) else {
        return Ok(None);
    };
    let (_, mut principal) = principal_of_token(state, &token, false).await?;
    principal.csrf = if !via_cookie {
        Csrf::Satisfied
    } else {
        match creds.session_cookie.as_deref() {
            None => Csrf::NoSession,
            Some(key) => match tokens::session_csrf(state, key, principal.user_id).await? {
                None => Csrf::NoSession,
                Some(expected) => match creds.csrf_header.as_deref() {
                    None | Some("") | Some("undefined") | Some("null") => Csrf::MissingHeader,
                    Some(h) if constant_time_eq(h.as_bytes(), expected.as_bytes()) => {
                        Csrf::Satisfied
                    }
                    Some(_) => Csrf::Mismatch,
                },
            },
        }
    };
    Ok(Some(principal))
}

/// Compares two secrets in time independent of where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
