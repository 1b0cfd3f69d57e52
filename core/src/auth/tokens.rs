//! Tokens and login state, all kept in the database so that several instances agree (D2):
//! HS256 access tokens, refresh tokens (stored hashed), revoked access-token ids, login lockouts
//! and the cookie sessions that carry the CSRF token of the openIMIS web front end (D31).

use crate::app::AppState;
use crate::db::{Db, stmt};
use crate::error::{AppError, AppResult, ErrorKind};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Claims {
    pub username: String,
    /// The user's uuid.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(rename = "origIat")]
    pub orig_iat: i64,
    pub jti: String,
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The signing key kept in `core_setting`, generated on first use.
pub async fn stored_signing_key(db: &Db) -> anyhow::Result<Vec<u8>> {
    let read = || {
        stmt(
            db.backend(),
            "SELECT value FROM core_setting WHERE name = ?",
            vec!["jwt_secret".into()],
        )
    };
    if let Some(row) = db.conn.query_one_raw(read()).await? {
        return Ok(row.try_get::<String>("", "value")?.into_bytes());
    }
    let insert = stmt(
        db.backend(),
        "INSERT INTO core_setting (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        vec!["jwt_secret".into(), random_token().into()],
    );
    db.conn.execute_raw(insert).await?;
    let row = db
        .conn
        .query_one_raw(read())
        .await?
        .ok_or_else(|| anyhow::anyhow!("signing key missing"))?;
    Ok(row.try_get::<String>("", "value")?.into_bytes())
}

pub fn sign(key: &[u8], claims: &Claims) -> String {
    let header = B64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = B64.encode(serde_json::to_vec(claims).expect("claims serialize"));
    let signing_input = format!("{header}.{payload}");
    let mut mac = HmacSha256::new_from_slice(key).expect("hmac accepts any key");
    mac.update(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        B64.encode(mac.finalize().into_bytes())
    )
}

/// Checks the signature; `allow_expired` lets `refreshToken(token:)` renew a recently expired token.
pub fn decode(
    key: &[u8],
    token: &str,
    now: DateTime<Utc>,
    allow_expired: bool,
) -> AppResult<Claims> {
    let invalid = || AppError::new(ErrorKind::Unauthenticated, "auth.token_invalid");
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    let mut mac = HmacSha256::new_from_slice(key).expect("hmac accepts any key");
    mac.update(format!("{h}.{p}").as_bytes());
    let sig = B64.decode(s).map_err(|_| invalid())?;
    mac.verify_slice(&sig).map_err(|_| invalid())?;
    let claims: Claims =
        serde_json::from_slice(&B64.decode(p).map_err(|_| invalid())?).map_err(|_| invalid())?;
    if !allow_expired && claims.exp <= now.timestamp() {
        return Err(AppError::new(
            ErrorKind::Unauthenticated,
            "auth.token_expired",
        ));
    }
    Ok(claims)
}

/// A freshly issued pair.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub claims: Claims,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

pub fn access_token(
    state: &AppState,
    username: &str,
    user_uuid: &str,
    orig_iat: Option<i64>,
) -> (String, Claims) {
    let now = state.clock.now();
    let claims = Claims {
        username: username.into(),
        sub: user_uuid.into(),
        exp: (now + Duration::seconds(state.config.auth.access_token_ttl_secs)).timestamp(),
        iat: now.timestamp(),
        orig_iat: orig_iat.unwrap_or(now.timestamp()),
        jti: uuid::Uuid::new_v4().to_string(),
    };
    (sign(&state.jwt_key, &claims), claims)
}

/// Issues an access token and a refresh token for a user.
pub async fn issue(
    state: &AppState,
    conn: &impl ConnectionTrait,
    user_id: i64,
    username: &str,
    user_uuid: &str,
) -> AppResult<Issued> {
    let (token, claims) = access_token(state, username, user_uuid, None);
    let refresh_token = random_token();
    let refresh_expires_at =
        state.clock.now() + Duration::seconds(state.config.auth.refresh_token_ttl_secs);
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "INSERT INTO core_refresh_token (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        vec![sha256_hex(&refresh_token).into(), user_id.into(), state.clock.now().into(), refresh_expires_at.into()],
    ))
    .await?;
    Ok(Issued {
        token,
        claims,
        refresh_token,
        refresh_expires_at,
    })
}

/// The user of a valid refresh token.
pub async fn refresh_token_user(
    state: &AppState,
    refresh_token: &str,
) -> AppResult<(i64, DateTime<Utc>)> {
    let row = state
        .db
        .conn
        .query_one_raw(stmt(
            state.db.backend(),
            "SELECT user_id, expires_at, revoked_at FROM core_refresh_token WHERE token_hash = ?",
            vec![sha256_hex(refresh_token).into()],
        ))
        .await?
        .ok_or_else(|| AppError::new(ErrorKind::Unauthenticated, "auth.token_invalid"))?;
    let revoked: Option<DateTime<Utc>> = row.try_get("", "revoked_at")?;
    if revoked.is_some() {
        return Err(AppError::new(
            ErrorKind::Unauthenticated,
            "auth.token_revoked",
        ));
    }
    let expires: DateTime<Utc> = row.try_get("", "expires_at")?;
    if expires <= state.clock.now() {
        return Err(AppError::new(
            ErrorKind::Unauthenticated,
            "auth.token_expired",
        ));
    }
    Ok((row.try_get("", "user_id")?, expires))
}

/// Revokes one refresh token; returns whether it existed and was live.
pub async fn revoke_refresh_token(state: &AppState, refresh_token: &str) -> AppResult<bool> {
    let r = state
        .db
        .conn
        .execute_raw(stmt(
            state.db.backend(),
            "UPDATE core_refresh_token SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
            vec![state.clock.now().into(), sha256_hex(refresh_token).into()],
        ))
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Revokes every token of a user (password change): refresh tokens, and access tokens issued
/// before now through the user's `tokens_valid_after`.
pub async fn revoke_all_for_user(
    state: &AppState,
    conn: &impl ConnectionTrait,
    user_id: i64,
) -> AppResult<()> {
    let now = state.clock.now();
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "UPDATE core_refresh_token SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        vec![now.into(), user_id.into()],
    ))
    .await?;
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "UPDATE core_user SET tokens_valid_after = ? WHERE id = ?",
        vec![now.timestamp().into(), user_id.into()],
    ))
    .await?;
    Ok(())
}

/// Revokes one access token by id until it would have expired anyway (logout).
pub async fn revoke_access_token(state: &AppState, jti: &str, exp: i64) -> AppResult<()> {
    state
        .db
        .conn
        .execute_raw(stmt(
            state.db.backend(),
            "INSERT INTO core_revoked_token (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING",
            vec![jti.into(), exp.into()],
        ))
        .await?;
    Ok(())
}

pub async fn is_access_token_revoked(state: &AppState, jti: &str) -> AppResult<bool> {
    let row = state
        .db
        .conn
        .query_one_raw(stmt(
            state.db.backend(),
            "SELECT jti FROM core_revoked_token WHERE jti = ?",
            vec![jti.into()],
        ))
        .await?;
    Ok(row.is_some())
}

/// Refuses a locked username; the lock is per username, in the database.
pub async fn check_lockout(state: &AppState, username: &str) -> AppResult<()> {
    let row = state
        .db
        .conn
        .query_one_raw(stmt(
            state.db.backend(),
            "SELECT locked_until FROM core_login_attempt WHERE username = ?",
            vec![username.to_lowercase().into()],
        ))
        .await?;
    if let Some(row) = row {
        let until: Option<DateTime<Utc>> = row.try_get("", "locked_until")?;
        if until.is_some_and(|u| u > state.clock.now()) {
            return Err(AppError::new(ErrorKind::Forbidden, "auth.locked_out")
                .with("minutes", state.config.auth.lockout_minutes));
        }
    }
    Ok(())
}

/// Counts a failed login atomically; the threshold-th failure locks the username.
pub async fn record_failure(state: &AppState, username: &str) -> AppResult<()> {
    let now = state.clock.now();
    let row = state
        .db
        .conn
        .query_one_raw(stmt(
            state.db.backend(),
            "INSERT INTO core_login_attempt (username, failed_count, last_failed_at) VALUES (?, 1, ?) \
             ON CONFLICT (username) DO UPDATE SET failed_count = core_login_attempt.failed_count + 1, last_failed_at = excluded.last_failed_at \
             RETURNING failed_count",
            vec![username.to_lowercase().into(), now.into()],
        ))
        .await?
        .ok_or_else(AppError::internal)?;
    let count: i32 = row.try_get("", "failed_count")?;
    if count as u32 >= state.config.auth.lockout_threshold {
        state
            .db
            .conn
            .execute_raw(stmt(
                state.db.backend(),
                "UPDATE core_login_attempt SET failed_count = 0, locked_until = ? WHERE username = ?",
                vec![(now + Duration::minutes(state.config.auth.lockout_minutes)).into(), username.to_lowercase().into()],
            ))
            .await?;
    }
    Ok(())
}

pub async fn clear_failures(state: &AppState, username: &str) -> AppResult<()> {
    state
        .db
        .conn
        .execute_raw(stmt(
            state.db.backend(),
            "DELETE FROM core_login_attempt WHERE username = ?",
            vec![username.to_lowercase().into()],
        ))
        .await?;
    Ok(())
}

/// Creates a cookie session holding a CSRF token; returns (session key, csrf token).
pub async fn create_session(state: &AppState, user_id: i64) -> AppResult<(String, String)> {
    let key = random_token();
    let csrf = random_token();
    state
        .db
        .conn
        .execute_raw(stmt(
            state.db.backend(),
            "INSERT INTO core_session (key_hash, user_id, csrf_token, expires_at) VALUES (?, ?, ?, ?)",
            vec![
                sha256_hex(&key).into(),
                user_id.into(),
                csrf.clone().into(),
                (state.clock.now() + Duration::days(state.config.auth.session_ttl_days)).into(),
            ],
        ))
        .await?;
    Ok((key, csrf))
}

/// The CSRF token of a live session of this user.
pub async fn session_csrf(
    state: &AppState,
    session_key: &str,
    user_id: i64,
) -> AppResult<Option<String>> {
    let row = state
        .db
        .conn
        .query_one_raw(stmt(
            state.db.backend(),
            "SELECT csrf_token, expires_at FROM core_session WHERE key_hash = ? AND user_id = ?",
            vec![sha256_hex(session_key).into(), user_id.into()],
        ))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let expires: DateTime<Utc> = row.try_get("", "expires_at")?;
    if expires <= state.clock.now() {
        return Ok(None);
    }
    Ok(Some(row.try_get("", "csrf_token")?))
}

pub async fn delete_session(state: &AppState, session_key: &str) -> AppResult<()> {
    state
        .db
        .conn
        .execute_raw(stmt(
            state.db.backend(),
            "DELETE FROM core_session WHERE key_hash = ?",
            vec![sha256_hex(session_key).into()],
        ))
        .await?;
    Ok(())
}

/// Removes expired refresh tokens, revocations and sessions (daily job).
pub async fn purge_expired(state: &AppState) -> AppResult<u64> {
    let now = state.clock.now();
    let mut n = 0;
    for (sql, v) in [
        (
            "DELETE FROM core_refresh_token WHERE expires_at < ?",
            sea_orm::Value::from(now),
        ),
        ("DELETE FROM core_session WHERE expires_at < ?", now.into()),
        (
            "DELETE FROM core_revoked_token WHERE expires_at < ?",
            now.timestamp().into(),
        ),
    ] {
        n += state
            .db
            .conn
            .execute_raw(stmt(state.db.backend(), sql, vec![v]))
            .await?
            .rows_affected();
    }
    Ok(n)
}
