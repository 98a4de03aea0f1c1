//! The committed `ui/src/ipc/bindings.ts` matches the commands: fails when they drift, so a
//! change to a command or type must come with regenerated bindings (`make bindings`).

#[test]
fn committed_bindings_are_current() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fresh = dir.path().join("bindings.ts");
    listing_assistant_app::export_bindings(&fresh).expect("export");
    let committed = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo"),
    )
    .join("../ui/src/ipc/bindings.ts");
    let fresh = std::fs::read_to_string(fresh).expect("fresh");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed, &fresh).expect("write bindings");
        return;
    }
    let old = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        old == fresh,
        "ui/src/ipc/bindings.ts is stale: run `make bindings` and commit the result"
    );
}
