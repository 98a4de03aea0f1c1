//! Errors of the core crate and the `{code, message}` shape they cross the IPC boundary in.
//!
//! The code enum holds only what the UI branches on; everything else is in the message.

use serde::Serialize;
use specta::Type;

/// What the UI can branch on. Kept small on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    NotFound,
    Conflict,
    KeychainUnavailable,
    SchemaTooNew,
    Storage,
    Io,
    Internal,
    /// AWS refused: the message names the missing `service:Action`.
    AccessDenied,
    /// AWS throttled the call even after retries.
    Throttled,
    /// Credentials missing, invalid or expired (the message says how to renew them).
    Credentials,
    /// The endpoint could not be reached (network, DNS, TLS, time-out).
    Unreachable,
    /// Any other error AWS (or the sandbox) returned; the message carries its code.
    Aws,
}

/// The error every command returns: a stable code and a human-readable message. Errors that
/// come from AWS also keep AWS's own error code (`ResourceNotFoundException`, …) and the
/// operation that returned it, so callers match on the code instead of searching the text.
/// Both are left out of the JSON when absent, so `{code, message}` stays the shape.
#[derive(Debug, Clone, Serialize, Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// AWS's error code, without namespace (e.g. `ResourceNotFoundException`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_code: Option<String>,
    /// The AWS operation that failed (e.g. `DescribeEntity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            aws_code: None,
            operation: None,
        }
    }
    /// Records the AWS operation and, when AWS sent one, its error code.
    pub fn with_aws(mut self, operation: &str, aws_code: Option<&str>) -> Self {
        self.operation = Some(operation.to_string());
        self.aws_code = aws_code.map(str::to_string);
        self
    }
    /// Whether AWS answered with this error code (never a search of the message).
    pub fn is_aws(&self, code: &str) -> bool {
        self.aws_code.as_deref() == Some(code)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
}

/// Errors raised inside the core crate.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the database was written by a newer version of Listing Assistant (schema {found}, this version knows up to {known}); update the app, or open another data directory")]
    SchemaTooNew { found: i64, known: i64 },
    /// The keychain could not be used: none reachable, or locked (the message says which and
    /// what to do). Never "no keys stored": that is `Ok(None)`.
    #[error("{0}")]
    Keychain(String),
    #[error("{}", sqlite_message(.0))]
    Sqlite(#[from] rusqlite::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    /// The database could not be opened or written, said specifically (disk full, read-only,
    /// not a database) with the path and what to do.
    #[error("{0}")]
    Storage(String),
    /// A file could not be written, said specifically (see `crate::fsutil::describe`).
    #[error("{0}")]
    File(String),
    #[error("data error: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

impl CoreError {
    /// SQLite's "database is locked" (another connection holds the lock past the wait).
    pub fn is_locked(&self) -> bool {
        matches!(
            self,
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

/// A database failure as the user should read it. SQLite's own words ("database or disk is
/// full") name neither the cause nor that the earlier data is safe: every write is one
/// transaction, so a failed write changes nothing.
fn sqlite_message(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::DiskFull) => "The disk holding the data folder is full: the change was not saved. Free some space and try again; everything saved before is kept.".into(),
        Some(C::ReadOnly) | Some(C::PermissionDenied) => format!("The database is read-only ({e}): the change was not saved. Make the data folder and its files writable for your user; everything saved before is kept."),
        Some(C::NotADatabase) => format!("The database file is not a Listing Assistant database ({e}): move it aside and restart; it was left untouched."),
        _ => format!("database error: {e}"),
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        let code = match &e {
            CoreError::Invalid(_) => ErrorCode::InvalidInput,
            CoreError::NotFound(_) => ErrorCode::NotFound,
            CoreError::Conflict(_) => ErrorCode::Conflict,
            CoreError::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            CoreError::Keychain(_) => ErrorCode::KeychainUnavailable,
            CoreError::Sqlite(_) | CoreError::Storage(_) => ErrorCode::Storage,
            CoreError::Io(_) | CoreError::File(_) => ErrorCode::Io,
            CoreError::Json(_) => ErrorCode::Internal,
        };
        AppError::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_fields_are_serialized_only_when_set() {
        let plain = serde_json::to_value(AppError::invalid("bad")).expect("json");
        assert_eq!(
            plain,
            serde_json::json!({"code": "invalid_input", "message": "bad"})
        );
        let aws = AppError::new(
            ErrorCode::Aws,
            "DescribeEntity: ResourceNotFoundException: gone",
        )
        .with_aws("DescribeEntity", Some("ResourceNotFoundException"));
        assert!(aws.is_aws("ResourceNotFoundException"));
        assert!(!aws.is_aws("ResourceNotFound"));
        assert_eq!(
            serde_json::to_value(aws).expect("json"),
            serde_json::json!({
                "code": "aws",
                "message": "DescribeEntity: ResourceNotFoundException: gone",
                "aws_code": "ResourceNotFoundException",
                "operation": "DescribeEntity"
            })
        );
    }
}
