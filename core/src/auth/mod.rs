//! Authentication and authorisation: the [`Principal`] built for each request from a bearer token
//! or the `JWT` cookie, right checks (D8) and the location scope (D9).

pub mod password;
pub mod request;
pub mod scope;
pub mod tokens;

use crate::error::{AppError, AppResult};
pub use scope::Scope;
use std::collections::BTreeSet;
use uuid::Uuid;

/// Right code bit of the IMIS Administrator system role (IsSystem 64): holds every right.
pub const IMIS_ADMIN_SYSTEM_FLAG: i64 = 64;

/// What an operation requires (D8). The table in `docs/api.md` lists every operation's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// No login needed (`tokenAuth`, `refreshToken`, `verifyToken`, `revokeToken`, `moduleConfigurations`).
    Anonymous,
    /// Any logged-in user.
    Authenticated,
    /// Any one of these rights.
    AnyOf(&'static [i32]),
}

/// The kinds of a login (openIMIS `UserTypes`); a login may have several.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserKinds {
    pub interactive: bool,
    pub officer: bool,
    pub claim_admin: bool,
    pub technical: bool,
}

/// Outcome of the CSRF check for cookie-authenticated requests (D31).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Csrf {
    /// Bearer-token request, or the header matched the session.
    Satisfied,
    NoSession,
    MissingHeader,
    Mismatch,
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i64,
    pub user_uuid: Uuid,
    pub username: String,
    pub language: String,
    pub rights: BTreeSet<i32>,
    pub is_admin: bool,
    pub kinds: UserKinds,
    pub health_facility_id: Option<i64>,
    pub scope: Scope,
    /// The access token's id (for logout revocation).
    pub jti: Option<String>,
    /// The login (one `tokenAuth`) the token belongs to; logout ends all of it.
    pub login_id: Option<String>,
    /// Expiry (unix time) of the access token, for logout revocation.
    pub token_exp: i64,
    /// Tokens issued before this unix time in milliseconds are refused (password change).
    pub tokens_valid_after: i64,
    pub csrf: Csrf,
}

impl Principal {
    pub fn has_right(&self, right: i32) -> bool {
        self.is_admin || self.rights.contains(&right)
    }
    pub fn has_any(&self, rights: &[i32]) -> bool {
        self.is_admin || rights.iter().any(|r| self.rights.contains(r))
    }
    /// Cookie-authenticated list queries and mutations must echo the session's CSRF token.
    pub fn check_csrf(&self) -> AppResult<()> {
        match self.csrf {
            Csrf::Satisfied => Ok(()),
            Csrf::NoSession => Err(AppError::new(
                crate::error::ErrorKind::Forbidden,
                "auth.csrf_no_session",
            )),
            Csrf::MissingHeader => Err(AppError::new(
                crate::error::ErrorKind::Forbidden,
                "auth.csrf_missing",
            )),
            Csrf::Mismatch => Err(AppError::new(
                crate::error::ErrorKind::Forbidden,
                "auth.csrf_mismatch",
            )),
        }
    }
}

/// The one rights check every service calls first.
pub fn require(
    principal: Option<&Principal>,
    requirement: Requirement,
) -> AppResult<Option<&Principal>> {
    match requirement {
        Requirement::Anonymous => Ok(principal),
        Requirement::Authenticated => principal.map(Some).ok_or_else(AppError::unauthenticated),
        Requirement::AnyOf(rights) => {
            let p = principal.ok_or_else(AppError::unauthenticated)?;
            if p.has_any(rights) {
                Ok(Some(p))
            } else {
                Err(AppError::forbidden())
            }
        }
    }
}

/// Like [`require`] for operations that need a login: returns the principal itself.
pub fn require_user(
    principal: Option<&Principal>,
    requirement: Requirement,
) -> AppResult<&Principal> {
    require(principal, requirement)?.ok_or_else(AppError::unauthenticated)
}
