//! An environment file (`listing-assistant check --env-file`, the app's import), as text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = la_core::envfile::parse(text, Path::new("/fuzz/base")) {
        // Bad input gets a message that says what is wrong, never an empty one.
        assert!(!e.to_string().is_empty());
    }
});
