//! Passwords: argon2id for new hashes; legacy openIMIS hashes (hex SHA-256 of the right-trimmed
//! password followed by the 256-hex-character salt, compared case-insensitively) are accepted for
//! imported users and re-hashed at their first successful login (D2).

use crate::config::AuthConfig;
use crate::error::{AppError, AppResult};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Stored value of a user who has no password yet (openIMIS `locked`).
pub const LOCKED: &str = "locked";

static PARAMS: std::sync::OnceLock<(u32, u32)> = std::sync::OnceLock::new();
/// Threads that compute password hashes: `auth.max_concurrent_hashes` for logins, one for account
/// changes, so a flood of anonymous logins never makes a password change wait while it holds
/// the write transaction.
static LOGIN_THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
static LOGIN_POOL: std::sync::OnceLock<HashPool> = std::sync::OnceLock::new();
static ACCOUNT_POOL: std::sync::OnceLock<HashPool> = std::sync::OnceLock::new();

type Job = Box<dyn FnOnce() + Send>;

/// A few dedicated threads and a permit per thread. Dedicated threads, not tokio's blocking
/// pool: every thread that ever hashes keeps an allocator arena holding the hash's memory
/// (19 MiB by default), and the blocking pool would spread hashes over hundreds of threads.
struct HashPool {
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
    permits: Arc<Semaphore>,
}

impl HashPool {
    fn start(name: &str, threads: usize) -> HashPool {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let mut started = 0;
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("imis-{name}-hash-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => match r.recv() {
                                Ok(job) => job,
                                Err(_) => return,
                            },
                            Err(_) => return,
                        };
                        job();
                    }
                });
            if spawned.is_ok() {
                started += 1;
            }
        }
        let permits = Arc::new(Semaphore::new(started));
        if started == 0 {
            // No thread (the system refused them all): every hash fails as `internal`.
            permits.close();
        }
        HashPool {
            jobs: std::sync::Mutex::new(tx),
            permits,
        }
    }
}
/// A hash of a random password with the configured cost, verified against when the username is
/// unknown so that unknown and known usernames take the same time.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the cost of new hashes and the number of hashes computed at once from configuration
/// (first call wins; verification reads the parameters stored in each hash).
pub fn configure(cfg: &AuthConfig) {
    let _ = PARAMS.set((cfg.argon2_memory_kib, cfg.argon2_iterations));
    let _ = LOGIN_THREADS.set(cfg.max_concurrent_hashes.max(1));
}

fn hasher() -> Argon2<'static> {
    match PARAMS.get() {
        Some((m, t)) => match argon2::Params::new(*m, *t, 1, None) {
            Ok(p) => Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p),
            Err(_) => Argon2::default(),
        },
        None => Argon2::default(),
    }
}

/// Which bounded pool a computation waits for.
#[derive(Debug, Clone, Copy)]
pub enum Pool {
    /// `tokenAuth`, open to anonymous callers.
    Login,
    /// Password changes and user administration (logged-in callers, inside a transaction).
    Account,
}

/// Runs a password computation on its pool's threads, at most one per thread at once: argon2
/// takes tens of milliseconds of CPU and must not stall the async workers. The permit moves into
/// the job, so a caller that goes away frees it only when the hash is done; a caller that goes
/// away while waiting for a permit queues nothing.
async fn on_hash_pool<T: Send + 'static>(
    pool: Pool,
    f: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    let pool = match pool {
        Pool::Login => {
            LOGIN_POOL.get_or_init(|| HashPool::start("login", *LOGIN_THREADS.get_or_init(|| 1)))
        }
        Pool::Account => ACCOUNT_POOL.get_or_init(|| HashPool::start("account", 1)),
    };
    let permit = pool
        .permits
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| AppError::internal())?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let out = f();
        drop(permit);
        let _ = tx.send(out);
    });
    pool.jobs
        .lock()
        .map_err(|_| AppError::internal())?
        .send(job)
        .map_err(|_| AppError::internal())?;
    rx.await.map_err(|_| AppError::internal())
}

/// [`hash`] on a hashing pool.
pub async fn hash_async(pool: Pool, password: &str) -> AppResult<String> {
    let password = password.to_string();
    on_hash_pool(pool, move || hash(&password)).await?
}

/// [`verify`] on a hashing pool. `None` (unknown user) verifies against a dummy hash
/// of the same cost and answers `No`; a legacy hash also pays for one argon2 verification, so the
/// answer time does not tell which usernames exist.
pub async fn verify_async(pool: Pool, password: &str, stored: Option<&str>) -> AppResult<Verified> {
    let password = password.to_string();
    let stored = stored.map(str::to_string);
    on_hash_pool(pool, move || {
        let dummy =
            DUMMY_HASH.get_or_init(|| hash(&super::tokens::random_token()).unwrap_or_default());
        match stored {
            None => {
                let _ = verify(&password, dummy);
                Verified::No
            }
            Some(s) if s.starts_with("legacy$") || s == LOCKED || s.is_empty() => {
                let _ = verify(&password, dummy);
                verify(&password, &s)
            }
            Some(s) => verify(&password, &s),
        }
    })
    .await
}

pub fn hash(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AppError::internal())
}

/// Legacy stored form: `legacy$<HEX HASH>$<salt>`.
pub fn legacy_hash(password: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{}{}", password.trim_end(), salt).as_bytes());
    format!("legacy${}${salt}", hex::encode_upper(digest))
}

pub enum Verified {
    No,
    Yes,
    /// Correct, but stored with the legacy scheme: re-hash it.
    YesRehash,
}

pub fn verify(password: &str, stored: &str) -> Verified {
    if stored == LOCKED || stored.is_empty() {
        return Verified::No;
    }
    if let Some(rest) = stored.strip_prefix("legacy$") {
        let Some((expected, salt)) = rest.split_once('$') else {
            return Verified::No;
        };
        let digest = hex::encode(Sha256::digest(
            format!("{}{}", password.trim_end(), salt).as_bytes(),
        ));
        return if digest.eq_ignore_ascii_case(expected) {
            Verified::YesRehash
        } else {
            Verified::No
        };
    }
    match PasswordHash::new(stored) {
        Ok(parsed)
            if Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok() =>
        {
            Verified::Yes
        }
        _ => Verified::No,
    }
}

/// Checks the configured password policy; the error names the first unmet rule.
pub fn check_policy(password: &str, cfg: &AuthConfig) -> AppResult<()> {
    let fail =
        |reason: &str| Err(AppError::validation("auth.password_policy").with("reason", reason));
    if password.chars().count() < cfg.password_min_length {
        return fail(&format!("at least {} characters", cfg.password_min_length));
    }
    let count = |f: fn(&char) -> bool| password.chars().filter(f).count() as u32;
    if count(char::is_ascii_uppercase) < cfg.password_uppercase {
        return fail(&format!(
            "at least {} upper-case letters",
            cfg.password_uppercase
        ));
    }
    if count(char::is_ascii_lowercase) < cfg.password_lowercase {
        return fail(&format!(
            "at least {} lower-case letters",
            cfg.password_lowercase
        ));
    }
    if count(char::is_ascii_digit) < cfg.password_digits {
        return fail(&format!("at least {} digits", cfg.password_digits));
    }
    if count(|c| !c.is_alphanumeric()) < cfg.password_symbols {
        return fail(&format!("at least {} symbols", cfg.password_symbols));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2_and_legacy_hashes_verify() {
        let h = hash("s3cret!").unwrap();
        assert!(matches!(verify("s3cret!", &h), Verified::Yes));
        assert!(matches!(verify("other", &h), Verified::No));
        let salt = "ab".repeat(128);
        let legacy = legacy_hash("pass  ", &salt);
        // right-trimmed, and the hex case does not matter
        assert!(matches!(
            verify(
                "pass",
                &legacy.to_lowercase().replacen("legacy$", "legacy$", 1)
            ),
            Verified::YesRehash
        ));
        assert!(matches!(verify("pass", &legacy), Verified::YesRehash));
        assert!(matches!(verify("pas", &legacy), Verified::No));
        assert!(matches!(verify("x", LOCKED), Verified::No));
    }
}
