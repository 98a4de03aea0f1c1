//! Masking of secrets in evidence lives in la-core (reports use it too); re-exported here so the
//! checks keep calling `crate::redact::redact`.

pub use la_core::redact::*;
