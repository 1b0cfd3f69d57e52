//! Tokens and login state, all kept in the database so that several instances agree (D2):
//! HS256 access tokens, refresh tokens (stored hashed), revoked access-token ids, login lockouts
//! and the cookie sessions that carry the CSRF token of the openIMIS web front end (D31).

use crate::db::{Db, stmt};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::state::AppState;
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
    /// The login (one `tokenAuth`) this token belongs to: logout ends every token of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Issue time in milliseconds, compared with the user's password-change cut-off.
    #[serde(rename = "iatMs", default, skip_serializing_if = "Option::is_none")]
    pub iat_ms: Option<i64>,
}

impl Claims {
    /// Issue time in milliseconds (tokens from before `iatMs` existed count from their second).
    pub fn issued_at_ms(&self) -> i64 {
        self.iat_ms.unwrap_or(self.iat.saturating_mul(1000))
    }
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

/// A new access token of the login `sid` (`None` only for tokens of logins from before login
/// ids existed).
pub fn access_token(
    state: &AppState,
    username: &str,
    user_uuid: &str,
    orig_iat: Option<i64>,
    sid: Option<&str>,
) -> (String, Claims) {
    let now = state.clock.now();
    let claims = Claims {
        username: username.into(),
        sub: user_uuid.into(),
        exp: (now + Duration::seconds(state.config.auth.access_token_ttl_secs)).timestamp(),
        iat: now.timestamp(),
        orig_iat: orig_iat.unwrap_or(now.timestamp()),
        jti: uuid::Uuid::new_v4().to_string(),
        sid: sid.map(str::to_string),
        iat_ms: Some(now.timestamp_millis()),
    };
    (sign(&state.jwt_key, &claims), claims)
}

/// Issues an access token and a refresh token for a user: a new login.
pub async fn issue(
    state: &AppState,
    conn: &impl ConnectionTrait,
    user_id: i64,
    username: &str,
    user_uuid: &str,
) -> AppResult<Issued> {
    let sid = uuid::Uuid::new_v4().simple().to_string();
    let (token, claims) = access_token(state, username, user_uuid, None, Some(&sid));
    let refresh_token = random_token();
    let refresh_expires_at =
        state.clock.now() + Duration::seconds(state.config.auth.refresh_token_ttl_secs);
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "INSERT INTO core_refresh_token (token_hash, user_id, created_at, expires_at, login_id) VALUES (?, ?, ?, ?, ?)",
        vec![sha256_hex(&refresh_token).into(), user_id.into(), state.clock.now().into(), refresh_expires_at.into(), sid.into()],
    ))
    .await?;
    Ok(Issued {
        token,
        claims,
        refresh_token,
        refresh_expires_at,
    })
}

/// A live refresh token: its user, expiry and login.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub user_id: i64,
    pub expires_at: DateTime<Utc>,
    pub login_id: Option<String>,
}

/// The grant of a valid refresh token.
pub async fn refresh_token_user(state: &AppState, refresh_token: &str) -> AppResult<RefreshGrant> {
    let row = state
        .db
        .conn
        .query_one_raw(stmt(
            state.db.backend(),
            "SELECT user_id, expires_at, revoked_at, login_id FROM core_refresh_token WHERE token_hash = ?",
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
    Ok(RefreshGrant {
        user_id: row.try_get("", "user_id")?,
        expires_at: expires,
        login_id: row.try_get("", "login_id")?,
    })
}

/// The login of a refresh token, live or not (`revokeToken` ends it); None when unknown.
pub async fn login_of_refresh_token(
    state: &AppState,
    refresh_token: &str,
) -> AppResult<Option<(i64, Option<String>, bool)>> {
    let row = state
        .db
        .conn
        .query_one_raw(stmt(
            state.db.backend(),
            "SELECT user_id, login_id, revoked_at FROM core_refresh_token WHERE token_hash = ?",
            vec![sha256_hex(refresh_token).into()],
        ))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let revoked: Option<DateTime<Utc>> = row.try_get("", "revoked_at")?;
    Ok(Some((
        row.try_get("", "user_id")?,
        row.try_get("", "login_id")?,
        revoked.is_none(),
    )))
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

/// Revokes every token of a user (password change, deletion): refresh tokens, cookie sessions,
/// and access tokens issued before now (millisecond cut-off `tokens_valid_after`).
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
        "DELETE FROM core_session WHERE user_id = ?",
        vec![user_id.into()],
    ))
    .await?;
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "UPDATE core_user SET tokens_valid_after = ? WHERE id = ?",
        vec![now.timestamp_millis().into(), user_id.into()],
    ))
    .await?;
    Ok(())
}

/// Ends a login (logout): the token `jti`, and when the token names its login `sid`, every
/// access token of that login (the login id joins the revocation list for as long as any of its
/// tokens could live), its refresh tokens and its cookie sessions. A token from before login
/// ids existed has no `sid`: only that token is revoked.
pub async fn end_login(state: &AppState, jti: &str, exp: i64, sid: Option<&str>) -> AppResult<()> {
    let now = state.clock.now();
    let longest = (now
        + Duration::seconds(
            state.config.auth.refresh_token_ttl_secs + state.config.auth.access_token_ttl_secs,
        ))
    .timestamp();
    let tx = state.db.begin_write().await?;
    let backend = state.db.backend();
    let mut revoke = vec![];
    if sid != Some(jti) {
        revoke.push((jti.to_string(), exp));
    }
    if let Some(sid) = sid {
        revoke.push((sid.to_string(), longest));
        tx.execute_raw(stmt(
            backend,
            "UPDATE core_refresh_token SET revoked_at = ? WHERE login_id = ? AND revoked_at IS NULL",
            vec![now.into(), sid.into()],
        ))
        .await?;
        tx.execute_raw(stmt(
            backend,
            "DELETE FROM core_session WHERE login_id = ?",
            vec![sid.into()],
        ))
        .await?;
    }
    for (id, until) in revoke {
        tx.execute_raw(stmt(
            backend,
            "INSERT INTO core_revoked_token (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING",
            vec![id.into(), until.into()],
        ))
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends the login of a refresh token (`revokeToken`): the token, its login's other refresh
/// tokens, access tokens and cookie sessions. Returns whether the token was live.
pub async fn end_login_of_refresh_token(state: &AppState, refresh_token: &str) -> AppResult<bool> {
    let Some((_, login_id, live)) = login_of_refresh_token(state, refresh_token).await? else {
        return Ok(false);
    };
    revoke_refresh_token(state, refresh_token).await?;
    if let Some(sid) = login_id {
        // The login id stands for the token id too: nothing else to revoke by id.
        end_login(state, &sid, 0, Some(&sid)).await?;
    }
    Ok(live)
}

/// Whether the token itself or its whole login was revoked (one query).
pub async fn is_revoked(state: &AppState, claims: &Claims) -> AppResult<bool> {
    let sid = claims.sid.clone().unwrap_or_else(|| claims.jti.clone());
    let row = state
        .db
        .conn
        .query_one_raw(stmt(
            state.db.backend(),
            "SELECT jti FROM core_revoked_token WHERE jti IN (?, ?)",
            vec![claims.jti.clone().into(), sid.into()],
        ))
        .await?;
    Ok(row.is_some())
}

/// What the lockout decided for one login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The password may be checked; the attempt is already counted as a failure.
    Proceed {
        count: i32,
    },
    Locked,
}

/// Counts a login attempt before its password is checked, and decides in the same statement
/// (D2, atomic across instances): a locked username is refused without checking, and once
/// `lockout_threshold` attempts are in flight or failed, further ones are refused too, so a burst
/// of parallel guesses gets no more than the threshold evaluated. A success clears the count
/// ([`clear_failures`]); the threshold-th failure locks ([`record_failure`]).
pub async fn begin_attempt(state: &AppState, username: &str) -> AppResult<Attempt> {
    let now = state.clock.now();
    // Counts older than one lockout period restart: an attempt that was counted but never
    // recorded (its client went away) cannot keep a username refused for ever.
    let stale_before = now - Duration::minutes(state.config.auth.lockout_minutes);
    let row = state
        .db
        .conn
        .query_one_raw(stmt(
            state.db.backend(),
            "INSERT INTO core_login_attempt (username, failed_count, last_failed_at) VALUES (?, 1, ?) \
             ON CONFLICT (username) DO UPDATE SET \
               failed_count = CASE \
                 WHEN core_login_attempt.locked_until IS NOT NULL AND core_login_attempt.locked_until > ? \
                   THEN core_login_attempt.failed_count \
                 WHEN core_login_attempt.last_failed_at IS NULL OR core_login_attempt.last_failed_at < ? THEN 1 \
                 ELSE core_login_attempt.failed_count + 1 END, \
               last_failed_at = excluded.last_failed_at \
             RETURNING failed_count, locked_until",
            vec![
                username.to_lowercase().into(),
                now.into(),
                now.into(),
                stale_before.into(),
            ],
        ))
        .await?
        .ok_or_else(AppError::internal)?;
    let until: Option<DateTime<Utc>> = row.try_get("", "locked_until")?;
    let count: i32 = row.try_get("", "failed_count")?;
    if until.is_some_and(|u| u > now) || count as u32 > state.config.auth.lockout_threshold {
        return Ok(Attempt::Locked);
    }
    Ok(Attempt::Proceed { count })
}

/// The error of a refused attempt.
pub fn locked_out(state: &AppState) -> AppError {
    AppError::new(ErrorKind::Forbidden, "auth.locked_out")
        .with("minutes", state.config.auth.lockout_minutes)
}

/// A counted attempt failed: the threshold-th failure locks the username and restarts the count
/// (attempts that arrive while it is locked are not counted).
pub async fn record_failure(state: &AppState, username: &str, count: i32) -> AppResult<()> {
    if (count as u32) < state.config.auth.lockout_threshold {
        return Ok(());
    }
    let now = state.clock.now();
    state
        .db
        .conn
        .execute_raw(stmt(
            state.db.backend(),
            "UPDATE core_login_attempt SET failed_count = 0, locked_until = ? WHERE username = ?",
            vec![
                (now + Duration::minutes(state.config.auth.lockout_minutes)).into(),
                username.to_lowercase().into(),
            ],
        ))
        .await?;
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

/// Creates a cookie session of a login holding a CSRF token; returns (session key, csrf token).
pub async fn create_session(
    state: &AppState,
    user_id: i64,
    login_id: Option<&str>,
) -> AppResult<(String, String)> {
    let key = random_token();
    let csrf = random_token();
    state
        .db
        .conn
        .execute_raw(stmt(
            state.db.backend(),
            "INSERT INTO core_session (key_hash, user_id, csrf_token, expires_at, login_id) VALUES (?, ?, ?, ?, ?)",
            vec![
                sha256_hex(&key).into(),
                user_id.into(),
                csrf.clone().into(),
                (state.clock.now() + Duration::days(state.config.auth.session_ttl_days)).into(),
                login_id.map(str::to_string).into(),
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
    let stale_before = now - Duration::minutes(state.config.auth.lockout_minutes);
    let mut n = 0;
    for (sql, values) in [
        (
            "DELETE FROM core_refresh_token WHERE expires_at < ?",
            vec![sea_orm::Value::from(now)],
        ),
        (
            "DELETE FROM core_session WHERE expires_at < ?",
            vec![now.into()],
        ),
        (
            // Attempt counts that no longer lock anything (a count restarts after a period).
            "DELETE FROM core_login_attempt WHERE (locked_until IS NULL OR locked_until < ?) AND last_failed_at < ?",
            vec![now.into(), stale_before.into()],
        ),
        (
            "DELETE FROM core_revoked_token WHERE expires_at < ?",
            vec![now.timestamp().into()],
        ),
    ] {
        n += state
            .db
            .conn
            .execute_raw(stmt(state.db.backend(), sql, values))
            .await?
            .rows_affected();
    }
    Ok(n)
}
