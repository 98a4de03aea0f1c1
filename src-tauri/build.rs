//! Every command registered in src/lib.rs (the `with_commands!` list) gets generated `allow-…` /
//! `deny-…` permissions, so the capability file can grant exactly the commands the UI calls —
//! nothing is allowed by default. tests/capabilities.rs keeps lib.rs and the capability in step.

fn main() {
    println!("cargo:rerun-if-changed=src/lib.rs");
    println!("cargo:rerun-if-changed=registered_commands.rs");
    let lib = std::fs::read_to_string("src/lib.rs").expect("src/lib.rs");
    let commands: Vec<&'static str> = registered_commands(&lib)
        .into_iter()
        .map(|c| &*Box::leak(c.into_boxed_str()))
        .collect();
    assert!(
        !commands.is_empty(),
        "no with_commands! list found in src/lib.rs"
    );
    let manifest = tauri_build::AppManifest::new().commands(Box::leak(commands.into_boxed_slice()));
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build");
}

include!("registered_commands.rs");
