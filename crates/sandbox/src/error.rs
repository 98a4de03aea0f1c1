//! AWS-style errors: the code, HTTP status and message AWS itself sends, rendered per protocol
//! by `protocol.rs`.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl AwsError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
    /// A request that does not match the operation's input shape.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "ValidationException", message)
    }
    /// A body that is not valid JSON or CBOR (the decoder's error, one definition).
    pub fn serialization(message: impl Into<String>) -> Self {
        la_sandbox_wire::DecodeError::serialization(message).into()
    }
    pub fn throttling() -> Self {
        Self::new(400, "ThrottlingException", "Rate exceeded")
    }
    pub fn internal() -> Self {
        Self::new(
            500,
            "InternalServiceErrorException",
            "An internal error occurred.",
        )
    }
    pub fn unknown_operation(op: &str) -> Self {
        la_sandbox_wire::DecodeError::unknown_operation(op).into()
    }
}

impl std::fmt::Display for AwsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for AwsError {}

impl From<la_sandbox_wire::DecodeError> for AwsError {
    fn from(e: la_sandbox_wire::DecodeError) -> Self {
        Self::new(e.status, e.code, e.message)
    }
}

impl From<rusqlite::Error> for AwsError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "sandbox state error");
        AwsError::internal()
    }
}

pub type AwsResult<T> = Result<T, AwsError>;
