//! The notification parser lives in `la-notify-parse` (pure, only serde_json) so `fuzz/` can
//! build it without the AWS SDK; re-exported here so `la_purchase::message` stays the API.

pub use la_notify_parse::*;
