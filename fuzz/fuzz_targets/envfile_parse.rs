//! An environment file (`listing-assistant check --env-file`, the app's import), as text.
//! A file that parses must survive the app's export (`to_toml`) and a re-import unchanged:
//! export then import loses nothing.
#![no_main]

use la_core::envfile::{parse, to_toml};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text, Path::new("/fuzz/base")) {
        // Bad input gets a message that says what is wrong, never an empty one.
        Err(e) => assert!(!e.to_string().is_empty()),
        Ok(file) => {
            let exported = to_toml(&file.name, &file.settings);
            let again = parse(&exported, Path::new("/fuzz/base")).unwrap_or_else(|e| {
                panic!("export of a valid file does not import: {e}\n{exported}")
            });
            assert_eq!(again.name, file.name);
            assert_eq!(again.settings, file.settings);
        }
    }
});
