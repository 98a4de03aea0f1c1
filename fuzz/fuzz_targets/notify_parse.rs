//! An SQS message body, as the test-purchase watcher reads it: an SNS envelope, a raw
//! Marketplace message or an EventBridge event. SQS bodies are text, so non-UTF-8 is skipped.
#![no_main]

use la_notify_parse::{parse, Parsed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    match parse(body) {
        // A rejection always says why: the timeline shows the reason to the user.
        Parsed::Malformed { reason } => assert!(!reason.is_empty()),
        Parsed::Marketplace(m) => assert!(!m.action.as_str().is_empty()),
        Parsed::EventBridge(_) => {}
    }
});
