//! Test purchases: a session per environment and buyer with a live timeline of what AWS (or the
//! sandbox) and the SaaS did — SQS notifications, EventBridge events, entitlement changes,
//! the SaaS's ResolveCustomer and BatchMeterUsage calls from CloudTrail, the tester's steps —
//! and the verdicts the app can decide from it.
//!
//! `message` (the parser), `party` (whose a notification is) and `verdict` are pure; `watch` owns the watcher tasks; `sandbox`
//! plays the buyer against the Marketplace sandbox. Front ends (the app, the CLI) only wire a
//! [`watch::Sink`] and the configuration.

pub mod config;
pub mod message;
pub mod party;
pub mod sandbox;
pub mod verdict;
pub mod watch;

pub use watch::{NewEvent, Session, Sink, WatchConfig};
