//! One error type for every layer. An error carries a stable machine code (`insuree.chfid_taken`)
//! and parameters, never message text: the message is looked up by code in the English and French
//! catalogues where the error leaves the process (D6): [`AppError::message`] in `i18n`,
//! [`AppError::to_gql`] in `graphql`. Database text never reaches a client: it is logged and replaced by `internal`.

use std::collections::BTreeMap;
use std::fmt;

/// What kind of failure this is; decides the HTTP-ish semantics and whether a replay may retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    NotFound,
    Unauthenticated,
    Forbidden,
    Validation,
    Conflict,
    Domain,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppError {
    pub kind: ErrorKind,
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(kind: ErrorKind, code: impl Into<String>) -> Self {
        Self {
            kind,
            code: code.into(),
            params: BTreeMap::new(),
        }
    }
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        self.params.insert(key.to_string(), value.to_string());
        self
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorKind::NotFound, "not_found").with("entity", what)
    }
    pub fn forbidden() -> Self {
        Self::new(ErrorKind::Forbidden, "auth.permission_denied")
    }
    /// A refusal with its own code (the caller holds the right but not over this target).
    pub fn forbidden_code(code: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, code)
    }
    pub fn unauthenticated() -> Self {
        Self::new(ErrorKind::Unauthenticated, "auth.unauthenticated")
    }
    pub fn validation(code: impl Into<String>) -> Self {
        Self::new(ErrorKind::Validation, code)
    }
    /// `input.invalid` naming the offending field.
    pub fn invalid(field: &str, reason: &str) -> Self {
        Self::validation("input.invalid")
            .with("field", field)
            .with("reason", reason)
    }
    pub fn conflict(code: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code)
    }
    pub fn domain(code: impl Into<String>) -> Self {
        Self::new(ErrorKind::Domain, code)
    }
    /// The target lies outside the caller's locations (D9).
    pub fn location_denied() -> Self {
        Self::new(ErrorKind::Forbidden, "auth.location_denied")
    }
    pub fn internal() -> Self {
        Self::new(ErrorKind::Internal, "internal")
    }
    pub fn module_disabled(module: &str) -> Self {
        Self::new(ErrorKind::Validation, "module.disabled").with("module", module)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        for (k, v) in &self.params {
            write!(f, " {k}={v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

/// A unique index that a concurrent writer won between a pre-check and the write (PostgreSQL;
/// SQLite writers are serialised) answers what the pre-check answers: a violation whose message
/// names one of `hints` (the index or column, e.g. `code`) gives `taken()`, a violation of a
/// `uuid` column `conflict.uuid_exists`; any other database error stays one (`internal`, logged).
pub fn unique_or(
    e: sea_orm::DbErr,
    hints: &[&str],
    uuid: Option<uuid::Uuid>,
    taken: impl FnOnce() -> AppError,
) -> AppError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(msg)) if msg.contains("uuid") => {
            let e = AppError::conflict("conflict.uuid_exists");
            match uuid {
                Some(u) => e.with("uuid", u),
                None => e,
            }
        }
        Some(sea_orm::SqlErr::UniqueConstraintViolation(msg))
            if hints.iter().any(|h| msg.contains(h)) =>
        {
            taken()
        }
        _ => e.into(),
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        // A deadlock or serialization failure is no fault: it stays recognisable, for the
        // mutation runners to run the transaction again (D26).
        if is_retryable(&e) {
            tracing::warn!(error = %e, "transaction aborted by a concurrent one");
            return retryable_error();
        }
        tracing::error!(error = %e, "database error");
        AppError::internal()
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(e: sea_orm::TransactionError<AppError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        tracing::error!(error = %e, "serialization error");
        AppError::internal()
    }
}

/// SQLSTATEs of a PostgreSQL transaction aborted because of concurrent ones, which succeeds when
/// run again: `deadlock_detected` and `serialization_failure`.
const RETRYABLE_SQLSTATES: [&str; 2] = ["40P01", "40001"];

/// Whether the database aborted the statement's transaction because of a concurrent one (a
/// deadlock or a serialization failure, PostgreSQL): rolled back and run again, it normally
/// succeeds (D26). SQLite never answers one (its writers wait their turn).
pub fn is_retryable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::RuntimeErr::SqlxError;
    let (sea_orm::DbErr::Exec(SqlxError(e))
    | sea_orm::DbErr::Query(SqlxError(e))
    | sea_orm::DbErr::Conn(SqlxError(e))) = e
    else {
        return false;
    };
    match &**e {
        sea_orm::sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| RETRYABLE_SQLSTATES.contains(&c.as_ref())),
        _ => false,
    }
}

/// The parameter that marks an [`AppError`] made from a retryable database error.
const RETRYABLE_PARAM: &str = "retryable";

/// The error a retryable database error becomes (`internal`, marked retryable: a client may
/// send the request again, the mutation runners run its transaction again).
pub fn retryable_error() -> AppError {
    AppError::internal().with(RETRYABLE_PARAM, true)
}

/// Whether `e` comes from a retryable database error (see [`is_retryable`]).
pub fn is_retryable_error(e: &AppError) -> bool {
    e.kind == ErrorKind::Internal && e.params.get(RETRYABLE_PARAM).is_some_and(|v| v == "true")
}
