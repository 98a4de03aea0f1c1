//! The operations, one module per service. Each takes the request's JSON input and returns the
//! output shape as JSON (timestamps as epoch seconds) or an AWS error.

pub mod catalog;
pub mod cloudtrail;
pub mod entitlement;
pub mod metering;
