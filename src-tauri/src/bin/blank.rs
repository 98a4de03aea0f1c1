//! A blank Tauri window built with the same profile and features as the app: the floor the
//! webview sets for start-up time and memory, which the start-up benchmark compares against.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::time::Instant;
use tauri::Manager;

fn main() {
    let started = Instant::now();
    listing_assistant_app::choose_rendering();
    let ready_file = std::env::var_os("LA_BENCH_READY_FILE");
    let mut ctx = tauri::generate_context!();
    // Same config, but a page with nothing in it.
    ctx.config_mut().app.windows.clear();
    let result = tauri::Builder::default()
        .setup(move |app| {
            // An empty page served through the same embedded-asset protocol as the app's UI.
            let url = tauri::WebviewUrl::App("blank.html".into());
            let window = tauri::WebviewWindowBuilder::new(app, "main", url)
                .title("blank")
                .inner_size(1280.0, 820.0)
                .on_page_load(move |w, payload| {
                    if matches!(payload.event(), tauri::webview::PageLoadEvent::Finished) {
                        let ms = started.elapsed().as_millis();
                        if let Some(f) = &ready_file {
                            let _ = std::fs::write(f, format!("{ms}\n"));
                        }
                        if std::env::var_os("LA_BENCH_EXIT").is_some() {
                            w.app_handle().exit(0);
                        }
                    }
                })
                .build()?;
            listing_assistant_app::tune_webview(&window);
            Ok(())
        })
        .run(ctx);
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
