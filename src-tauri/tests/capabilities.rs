//! Least privilege for the window: the capability grants exactly the app commands registered in
//! src/lib.rs (each through its generated `allow-<command>` permission) and the few plugin
//! permissions the UI uses; no wildcard permission, no default sets, the opener scoped to https;
//! and the CSP stays strict.

use std::collections::BTreeSet;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo"),
    )
}

include!("../registered_commands.rs");

/// The commands registered in src/lib.rs, as permission names: kebab-case (app_info → app-info).
fn registered() -> BTreeSet<String> {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).expect("lib.rs");
    let names = registered_commands(&lib);
    assert!(!names.is_empty(), "no with_commands! list in src/lib.rs");
    names.iter().map(|n| n.replace('_', "-")).collect()
}

/// Every permission of every capability file: (identifier, the whole entry).
fn permissions() -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("capabilities")).expect("capabilities/") {
        let path = entry.expect("entry").path();
        let cap: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
        for p in cap["permissions"].as_array().expect("permissions") {
            let id = p
                .as_str()
                .or_else(|| p["identifier"].as_str())
                .expect("identifier")
                .to_string();
            out.push((id, p.clone()));
        }
        assert_eq!(
            cap["windows"],
            serde_json::json!(["main"]),
            "{}",
            path.display()
        );
        assert!(cap.get("remote").is_none(), "no remote URL may use the IPC");
    }
    out
}

#[test]
fn no_wildcards_or_default_sets() {
    for (id, entry) in permissions() {
        assert!(!id.contains('*'), "wildcard permission {id}");
        assert!(
            !id.ends_with(":default") && id != "default",
            "a whole default set: {id}"
        );
        for scope in entry["allow"].as_array().into_iter().flatten() {
            let url = scope["url"].as_str().unwrap_or_default();
            assert!(url.starts_with("https://"), "{id} allows {scope}");
            assert_ne!(scope.get("path").and_then(|p| p.as_str()), Some("**"));
        }
    }
}

#[test]
fn exactly_the_registered_commands_are_granted() {
    let granted: BTreeSet<String> = permissions()
        .into_iter()
        .filter(|(id, _)| !id.contains(':'))
        .map(|(id, _)| {
            id.strip_prefix("allow-")
                .unwrap_or_else(|| panic!("app permission {id} is not allow-<command>"))
                .to_string()
        })
        .collect();
    let registered = registered();
    let missing: Vec<_> = registered.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&registered).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "capabilities/default.json out of step with src/lib.rs: add {missing:?}, remove {extra:?}"
    );
}

#[test]
fn the_opener_opens_https_only() {
    let opener: Vec<_> = permissions()
        .into_iter()
        .filter(|(id, _)| id.starts_with("opener:"))
        .collect();
    assert_eq!(opener.len(), 1, "{opener:?}");
    let (id, entry) = &opener[0];
    assert_eq!(id, "opener:allow-open-url");
    assert_eq!(entry["allow"], serde_json::json!([{ "url": "https://*" }]));
}

#[test]
fn the_csp_is_strict() {
    let conf: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("tauri.conf.json")).expect("tauri.conf.json"),
    )
    .expect("json");
    let csp = conf["app"]["security"]["csp"].as_str().expect("a CSP");
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    let get = |name: &str| {
        directives
            .iter()
            .find(|d| d.split_whitespace().next() == Some(name))
            .copied()
            .unwrap_or_default()
    };
    assert!(get("default-src").contains("'self'"), "{csp}");
    assert_eq!(get("object-src"), "object-src 'none'", "{csp}");
    assert_eq!(get("base-uri"), "base-uri 'none'", "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    // Scripts come from the bundle, and index.html's one inline script by the hash Tauri adds
    // at build time; inline styles remain for the report preview's srcdoc, which runs no script
    // (sandboxed iframe).
    assert!(!get("default-src").contains("unsafe-inline"), "{csp}");
    assert!(get("script-src").is_empty() || !get("script-src").contains("unsafe-inline"));
    for d in &directives {
        for source in d.split_whitespace().skip(1) {
            let any_host = matches!(source, "*" | "http:" | "https:" | "data:" | "blob:")
                && !d.starts_with("img-src")
                || source.contains('*');
            assert!(!any_host, "{d} allows {source}");
        }
    }
}
