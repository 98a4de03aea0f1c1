//! A raw request to the Marketplace sandbox, written like an HTTP request head so the seeds stay
//! readable:
//!
//! ```text
//! POST /path?query
//! x-amz-target: AWSMPMeteringService.BatchMeterUsage
//!
//! body (JSON, CBOR or a form)
//! ```
//!
//! The first line is the method and the path with its query string; an optional header line
//! gives `X-Amz-Target`; everything after the blank line is the body, decoded as the path and
//! header say (and also as a query-protocol form, as the sandbox's STS/IAM endpoint reads it).
#![no_main]

use la_sandbox_wire::{classify, url_pairs, Protocol};
use libfuzzer_sys::fuzz_target;

fn split_once<'a>(data: &'a [u8], sep: &[u8]) -> (&'a [u8], &'a [u8]) {
    match data.windows(sep.len()).position(|w| w == sep) {
        Some(i) => (&data[..i], &data[i + sep.len()..]),
        None => (data, &[]),
    }
}

fuzz_target!(|data: &[u8]| {
    let (head, body) = split_once(data, b"\n\n");
    // The head comes from the HTTP parser as text; the body is raw bytes.
    let Ok(head) = std::str::from_utf8(head) else {
        return;
    };
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default();
    let (method, target) = first.split_once(' ').unwrap_or((first, "/"));
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let amz_target = lines.find_map(|l| l.strip_prefix("x-amz-target: "));
    match classify(method, path, query, amz_target, body) {
        Ok(req) => assert!(req.input.is_object()),
        Err((protocol, e)) => {
            assert!(e.status >= 400 && !e.message.is_empty());
            if path.starts_with("/service/") {
                assert_eq!(protocol, Protocol::Cbor);
            }
        }
    }
    let _ = url_pairs(&String::from_utf8_lossy(body));
});
