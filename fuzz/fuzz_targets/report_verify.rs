//! A file handed to `listing-assistant report verify` (or the app's verify): any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match la_report::verify(data) {
        // Only a digest recomputed from the content can verify.
        Ok(v) => assert_eq!(v.digest.len(), 64),
        Err(e) => assert!(!e.code().is_empty()),
    }
});
