//! Listing Assistant's domain: the checklist as data, workspaces and their two environments,
//! item statuses with history, evidence and waivers, kept in SQLite; secrets in the OS keyring.
//!
//! Everything here is plain Rust, testable without a webview; the Tauri shell only forwards.

pub mod checklist;
pub mod demo;
pub mod envfile;
pub mod error;
pub mod fsutil;
pub mod model;
pub mod purchase;
pub mod redact;
pub mod secrets;
pub mod service;
pub mod signing;
pub mod store;
pub mod validate;

pub use error::{AppError, CoreError, ErrorCode, Result};
