//! Configuration, read with figment in this order: built-in defaults, `config/default.toml`, the
//! file named by `--config` or `IMIS_CONFIG`, then `IMIS_*` environment variables (sections are
//! separated by a double underscore: `IMIS_DATABASE__URL`). Unknown keys and bad values are
//! errors naming the key and the file; every error is reported at once (see
//! `docs/configuration.md`, which documents every key).

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `development`, `test` or `production`; demo data is refused in production (D30).
    pub environment: String,
    /// IANA time zone that defines "today" (D11).
    pub timezone: String,
    /// Language used when neither the user nor the request names one.
    pub default_language: String,
    pub database: DatabaseConfig,
    pub server: ServerConfig,
    pub auth: AuthConfig,
    pub graphql: GraphqlConfig,
    pub files: FilesConfig,
    pub log: LogConfig,
    pub jobs: JobsConfig,
    pub core: CoreConfig,
    pub modules: ModulesConfig,
    /// `[module.<name>]` sections, each extracted and validated by its module.
    pub module: BTreeMap<String, figment::value::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://path/to/file.db` (created with its folder) or `postgres://user@host/db`.
    pub url: String,
    pub max_connections: u32,
    /// Apply pending migrations when `imis serve` starts.
    pub auto_migrate: bool,
    /// How long a SQLite writer waits for the lock before failing, in milliseconds.
    pub busy_timeout_ms: u64,
    /// Log every SQL statement (target `sqlx::query`, level info) for diagnosis.
    pub log_statements: bool,
    /// Page cache of the SQLite connection every write transaction runs on, in MiB.
    pub sqlite_writer_cache_mib: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub listen: String,
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    /// Origins allowed by CORS; empty = same origin only; `["*"]` = any origin without credentials.
    pub cors_allowed_origins: Vec<String>,
    /// Folder of a built openIMIS web front end served under `/front/` (D31); empty = none.
    pub front_dir: String,
    /// Seconds given to in-flight requests after SIGTERM.
    pub shutdown_grace_secs: u64,
    /// Bearer token `GET /metrics` requires (`Authorization: Bearer <token>`); empty = none.
    pub metrics_token: String,
    /// A second address serving only `/metrics` (and `/health`); empty = `/metrics` is on `listen`.
    pub metrics_listen: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// HMAC key for access tokens; empty = a random key generated once and kept in the database.
    pub jwt_secret: String,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    pub lockout_threshold: u32,
    pub lockout_minutes: i64,
    /// Mark cookies `Secure` (set in production behind HTTPS).
    pub cookie_secure: bool,
    pub session_ttl_days: i64,
    pub username_max_length: usize,
    pub username_changeable: bool,
    pub password_min_length: usize,
    pub password_uppercase: u32,
    pub password_lowercase: u32,
    pub password_digits: u32,
    pub password_symbols: u32,
    /// argon2id memory cost in KiB and passes for new password hashes.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Password hashes computed at once (each holds `argon2_memory_kib`); logins beyond wait.
    pub max_concurrent_hashes: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GraphqlConfig {
    pub max_depth: usize,
    /// Largest cost of one operation: each field counts 1, a connection's `edges` count once per
    /// row of its page (see `docs/configuration.md`).
    pub max_complexity: usize,
    /// Most operations in one batched request (a JSON array); more is refused with HTTP 400.
    pub max_batch: usize,
    pub default_page_size: u32,
    pub max_page_size: u32,
    /// Serve GraphiQL on `GET /api/graphql`; unset = on, except in production.
    pub graphiql: Option<bool>,
    /// Who may query `__schema` / `__type`; unset = `open`, except in production (`authenticated`).
    pub introspection: Option<Introspection>,
    /// Folder with GraphiQL's scripts (`scripts/fetch-graphiql.sh`); empty = load them from a CDN.
    pub graphiql_assets_dir: String,
}

/// Who may introspect the GraphQL schema (`graphql.introspection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Introspection {
    /// Anyone, logged in or not.
    Open,
    /// Only callers with a valid token or cookie.
    Authenticated,
    /// Nobody.
    Closed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesConfig {
    /// Root folder of the file store (D29); a shared mount when several instances run.
    pub root: String,
    pub max_file_bytes: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// tracing filter, e.g. `info` or `imis=debug,sqlx=warn`.
    pub level: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// Run scheduled jobs and the outbox dispatcher inside `imis serve`.
    pub enabled: bool,
    /// Poll interval of the outbox dispatcher, in milliseconds.
    pub outbox_poll_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CoreConfig {
    pub age_of_majority: u32,
    pub currency: String,
    /// Digits after the decimal point of the currency (minor units).
    pub currency_minor_digits: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModulesConfig {
    /// Modules enabled at run time; each must be compiled in (D10). `core` is always on.
    /// Default: every module compiled into the binary.
    pub enabled: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            environment: "development".into(),
            timezone: "UTC".into(),
            default_language: "en".into(),
            database: DatabaseConfig::default(),
            server: ServerConfig::default(),
            auth: AuthConfig::default(),
            graphql: GraphqlConfig::default(),
            files: FilesConfig::default(),
            log: LogConfig::default(),
            jobs: JobsConfig::default(),
            core: CoreConfig::default(),
            modules: ModulesConfig::default(),
            module: BTreeMap::new(),
        }
    }
}
impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://data/imis.db".into(),
            max_connections: 8,
            auto_migrate: true,
            busy_timeout_ms: 10_000,
            log_statements: false,
            sqlite_writer_cache_mib: 64,
        }
    }
}
impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8000".into(),
            body_limit_bytes: 10 * 1024 * 1024,
            cors_allowed_origins: vec![],
            front_dir: String::new(),
            shutdown_grace_secs: 20,
            metrics_token: String::new(),
            metrics_listen: String::new(),
        }
    }
}
impl ServerConfig {
    /// The separate metrics address, if any; an error naming the key when it is not an address
    /// or equals `listen`.
    pub fn metrics_listen_addr(&self) -> Result<Option<std::net::SocketAddr>, String> {
        if self.metrics_listen.is_empty() {
            return Ok(None);
        }
        match self.metrics_listen.parse::<std::net::SocketAddr>() {
            Ok(a) if self.listen.parse::<std::net::SocketAddr>().ok() == Some(a) => Err(format!(
                "server.metrics_listen: `{}` must differ from server.listen",
                self.metrics_listen
            )),
            Ok(a) => Ok(Some(a)),
            Err(_) => Err(format!(
                "server.metrics_listen: `{}` is not an address such as 127.0.0.1:9100",
                self.metrics_listen
            )),
        }
    }
}
impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            jwt_secret: String::new(),
            access_token_ttl_secs: 86_400,
            refresh_token_ttl_secs: 30 * 86_400,
            lockout_threshold: 5,
            lockout_minutes: 5,
            cookie_secure: false,
            session_ttl_days: 14,
            username_max_length: 12,
            username_changeable: true,
            password_min_length: 8,
            password_uppercase: 0,
            password_lowercase: 0,
            password_digits: 0,
            password_symbols: 0,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            max_concurrent_hashes: 2,
        }
    }
}
impl Default for GraphqlConfig {
    fn default() -> Self {
        Self {
            max_depth: 15,
            max_complexity: 20_000,
            max_batch: 10,
            default_page_size: 10,
            max_page_size: 100,
            graphiql: None,
            introspection: None,
            graphiql_assets_dir: String::new(),
        }
    }
}
impl GraphqlConfig {
    /// Whether GraphiQL is served: `graphiql` when set, else on except in production.
    pub fn graphiql_for(&self, environment: &str) -> bool {
        self.graphiql.unwrap_or(environment != "production")
    }
    /// Who may introspect: `introspection` when set, else open except in production.
    pub fn introspection_for(&self, environment: &str) -> Introspection {
        self.introspection
            .unwrap_or(if environment == "production" {
                Introspection::Authenticated
            } else {
                Introspection::Open
            })
    }
}
impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            root: "data/files".into(),
            max_file_bytes: 5 * 1024 * 1024,
        }
    }
}
impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: "text".into(),
            level: "info".into(),
        }
    }
}
impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            outbox_poll_ms: 1000,
        }
    }
}
impl Default for CoreConfig {
    fn default() -> Self {
        Self {
            age_of_majority: 18,
            currency: "XAF".into(),
            currency_minor_digits: 2,
        }
    }
}
/// Where configuration comes from; the CLI fills it from its flags.
#[derive(Debug, Clone, Default)]
pub struct ConfigSources {
    /// The folder holding `default.toml` (default `config`).
    pub config_dir: Option<PathBuf>,
    /// `--config FILE`, else `IMIS_CONFIG`.
    pub file: Option<PathBuf>,
    /// Read `IMIS_*` variables (off in tests that must not see the caller's environment).
    pub environment: bool,
    /// Last-word overrides from CLI flags, as `(dotted.key, value)`.
    pub overrides: Vec<(String, figment::value::Value)>,
}

impl ConfigSources {
    pub fn standard(file: Option<PathBuf>) -> Self {
        let file = file.or_else(|| std::env::var_os("IMIS_CONFIG").map(PathBuf::from));
        Self {
            config_dir: None,
            file,
            environment: true,
            overrides: vec![],
        }
    }

    pub fn figment(&self) -> Figment {
        let dir = self
            .config_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("config"));
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        let default_file = dir.join("default.toml");
        if default_file.exists() {
            fig = fig.merge(Toml::file_exact(default_file));
        }
        if let Some(file) = &self.file {
            fig = fig.merge(Toml::file_exact(file));
        }
        if self.environment {
            fig = fig.merge(
                Env::prefixed("IMIS_")
                    .filter(|k| {
                        let k = k.as_str();
                        k != "config" && !k.starts_with("test_")
                    })
                    .split("__"),
            );
        }
        for (key, value) in &self.overrides {
            fig = fig.merge(Serialized::default(key, value.clone()));
        }
        fig
    }
}

/// Every problem found, each naming its key and source; printed one per line.
#[derive(Debug, Clone)]
pub struct ConfigErrors(pub Vec<String>);

impl std::fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "configuration is invalid ({} problem(s)):", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "  - {e}")?;
        }
        Ok(())
    }
}
impl std::error::Error for ConfigErrors {}

impl Config {
    /// Semantic checks that serde cannot express, of the values alone (the enabled modules are
    /// checked against the linked ones by [`Config::validate`]).
    pub(crate) fn validate_values(&self) -> Vec<String> {
        let mut errors = vec![];
        if !["development", "test", "production"].contains(&self.environment.as_str()) {
            errors.push(format!(
                "environment: `{}` is not one of development, test, production",
                self.environment
            ));
        }
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            errors.push(format!(
                "timezone: `{}` is not an IANA time zone name",
                self.timezone
            ));
        }
        if !["en", "fr"].contains(&self.default_language.as_str()) {
            errors.push(format!(
                "default_language: `{}` is not one of en, fr",
                self.default_language
            ));
        }
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            errors.push(format!(
                "database.url: `{url}` must start with sqlite: or postgres://"
            ));
        }
        if self.database.max_connections == 0 {
            errors.push("database.max_connections: must be at least 1".into());
        }
        if self.server.listen.parse::<std::net::SocketAddr>().is_err() {
            errors.push(format!(
                "server.listen: `{}` is not an address such as 127.0.0.1:8000",
                self.server.listen
            ));
        }
        if self.auth.access_token_ttl_secs <= 0 || self.auth.refresh_token_ttl_secs <= 0 {
            errors.push("auth: token lifetimes must be positive".into());
        }
        if self.auth.max_concurrent_hashes == 0 {
            errors.push("auth.max_concurrent_hashes: at least 1".into());
        }
        if self.auth.argon2_memory_kib < 8 || self.auth.argon2_iterations == 0 {
            errors.push(
                "auth.argon2_memory_kib / auth.argon2_iterations: at least 8 KiB and 1 pass".into(),
            );
        }
        if self.auth.lockout_threshold == 0 {
            errors.push("auth.lockout_threshold: must be at least 1".into());
        }
        if self.environment == "production"
            && !self.auth.jwt_secret.is_empty()
            && self.auth.jwt_secret.len() < 32
        {
            errors.push("auth.jwt_secret: must be at least 32 characters in production".into());
        }
        if let Err(e) = self.server.metrics_listen_addr() {
            errors.push(e);
        }
        if self.environment == "production"
            && !self.server.metrics_token.is_empty()
            && self.server.metrics_token.len() < 16
        {
            errors
                .push("server.metrics_token: must be at least 16 characters in production".into());
        }
        if self.graphql.max_depth == 0 || self.graphql.max_complexity == 0 {
            errors.push("graphql.max_depth / graphql.max_complexity: at least 1".into());
        }
        if self.graphql.max_batch == 0 {
            errors.push("graphql.max_batch: at least 1".into());
        }
        if self.graphql.max_page_size == 0 || self.graphql.default_page_size == 0 {
            errors.push("graphql: page sizes must be at least 1".into());
        } else if self.graphql.default_page_size > self.graphql.max_page_size {
            errors.push("graphql.default_page_size: must not exceed graphql.max_page_size".into());
        }
        if !["text", "json"].contains(&self.log.format.as_str()) {
            errors.push(format!(
                "log.format: `{}` is not one of text, json",
                self.log.format
            ));
        }
        if self.core.currency_minor_digits > 4 {
            errors.push("core.currency_minor_digits: at most 4".into());
        }
        errors
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }

    pub fn is_sqlite(&self) -> bool {
        self.database.url.starts_with("sqlite:")
    }
}

/// Checks a module's `[module.<name>]` section (`section` = `"module.<name>"`) against its
/// settings type `T` (which should deny unknown fields): one message per problem; an absent
/// section is fine. The descriptor's `config_check` of a module with settings.
pub fn check_section<T: serde::de::DeserializeOwned>(fig: &Figment, section: &str) -> Vec<String> {
    match fig.extract_inner::<T>(section) {
        Ok(_) => vec![],
        Err(e) if e.missing() => vec![],
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    }
}

/// The settings of a module that has none: its section may be absent or empty, and any key in
/// it is refused, so that a misspelt setting never passes unnoticed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoSettings {}

/// The `config_check` of a module without settings: one message per key in `section`.
pub fn check_no_settings(fig: &Figment, section: &str) -> Vec<String> {
    check_section::<NoSettings>(fig, section)
}

#[cfg(test)]
mod section_tests {
    use super::check_no_settings;
    use figment::Figment;
    use figment::providers::{Format, Toml};

    #[test]
    fn a_module_without_settings_refuses_every_key() {
        let absent = Figment::from(Toml::string("[module.other]\nx = 1\n"));
        assert!(check_no_settings(&absent, "module.x").is_empty());
        let empty = Figment::from(Toml::string("[module.x]\n"));
        assert!(check_no_settings(&empty, "module.x").is_empty());
        let unknown = Figment::from(Toml::string("[module.x]\nprice_digits = 2\n"));
        let errors = check_no_settings(&unknown, "module.x");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("price_digits"), "{errors:?}");
    }
}
