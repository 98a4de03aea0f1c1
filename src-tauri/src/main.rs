// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `listing-assistant-app --export-bindings PATH` regenerates the UI's typed IPC bindings.
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, path] = args.as_slice() {
        if flag == "--export-bindings" {
            if let Err(e) = listing_assistant_app::export_bindings(std::path::Path::new(path)) {
                eprintln!("could not export bindings: {e}");
                std::process::exit(1);
            }
            return;
        }
    }
    listing_assistant_app::run();
}
