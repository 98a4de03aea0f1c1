//! The desktop shell: opens the window, hands the use cases (`la_app`) a host that turns their
//! events into window events, and registers the commands, each a forwarder of a few lines.

mod checks;
mod commands;
mod dialogs;
mod host;
mod listing;
mod page;
mod purchase;
mod reports;
mod sandbox;

use la_app::App;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tauri::Manager;
use tauri_specta::{collect_commands, collect_events};

pub use host::{CheckProgress, PurchaseEvent, PurchaseVerdicts, PurchaseWatcher, StoreChanged};

/// Start-up measurement for the benchmark (`LA_BENCH_READY_FILE`, `LA_BENCH_EXIT`).
pub struct Bench {
    pub ready_file: Option<PathBuf>,
    pub exit: bool,
}

/// Every command, once: expands `$make![…the commands…]` with the macro given, so the runtime's
/// invoke handler (`tauri::generate_handler`) and the bindings (`tauri_specta::collect_commands`)
/// come from the same list.
macro_rules! with_commands {
    ($($make:tt)+) => {
        $($make)+![
            commands::app_info,
            commands::bootstrap,
            commands::get_checklist,
            commands::get_preferences,
            commands::set_preferences,
            commands::list_workspaces,
            commands::create_workspace,
            commands::rename_workspace,
            commands::delete_workspace,
            commands::get_workspace,
            commands::validate_environment,
            commands::save_environment,
            commands::set_access_keys,
            commands::clear_access_keys,
            commands::set_item_status,
            commands::item_history,
            commands::add_evidence,
            commands::list_evidence,
            commands::open_evidence,
            commands::report_ready,
            commands::export_environment_file,
            commands::import_environment_file,
            sandbox::sandbox_status,
            sandbox::sandbox_products,
            sandbox::sandbox_purchase,
            sandbox::sandbox_meter,
            sandbox::sandbox_cancel,
            sandbox::sandbox_advance_clock,
            sandbox::sandbox_activity,
            checks::run_checks,
            checks::cancel_checks,
            checks::latest_check_results,
            checks::check_history,
            checks::aws_profiles,
            checks::aws_identity,
            purchase::purchase_scenarios,
            purchase::purchase_start,
            purchase::purchase_stop,
            purchase::purchase_sessions,
            purchase::purchase_view,
            purchase::purchase_note,
            purchase::purchase_sandbox,
            purchase::purchase_sandbox_change,
            purchase::purchase_sandbox_clock,
            purchase::purchase_demo_meter,
            purchase::purchase_set_step,
            purchase::purchase_attach_file,
            purchase::purchase_attach_pasted,
            purchase::purchase_finish_scenario,
            listing::listing_load,
            listing::listing_save,
            listing::listing_lint,
            listing::listing_plan,
            listing::listing_apply,
            listing::listing_cancel,
            listing::listing_history,
            listing::listing_refresh,
            listing::listing_fixable,
            listing::listing_fix,
            listing::listing_release,
            listing::listing_request_public,
            listing::listing_export_file,
            listing::listing_import_file,
            reports::report_preview,
            reports::export_report,
            reports::open_exported_report,
            dialogs::pick_files,
            dialogs::pick_open_file,
            dialogs::pick_save_file,
        ]
    };
}

/// The typed events, once (see `with_commands!`).
macro_rules! with_events {
    ($($make:tt)+) => {
        $($make)+![
            StoreChanged,
            CheckProgress,
            PurchaseEvent,
            PurchaseWatcher,
            PurchaseVerdicts
        ]
    };
}

/// The typed command and event list with every type they carry: what the bindings are generated
/// from. Collecting the types walks every command's whole type graph, so the running app does not
/// build this (it cost start-up time and touched code pages for nothing, issue 15): it takes the
/// invoke handler straight from `with_commands!` and registers only the events (`events_builder`).
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(with_commands!(collect_commands))
        .events(with_events!(collect_events))
        // One shape per type: the UI always sends whole objects, so serde defaults never apply.
        .disable_serde_phases()
}

/// Only the events: what `mount_events` needs so typed events can be emitted at run time.
fn events_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new().events(with_events!(collect_events))
}

/// Writes the TypeScript bindings the UI imports.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated by `make bindings` from the Tauri commands. Do not edit.\n// @ts-nocheck"),
            path,
        )
        .map_err(|e| e.to_string())
}

/// Linux: how the webview paints, chosen before GTK starts and before any thread is spawned
/// (WebKit reads these variables when it creates the web process). The blank window the
/// start-up benchmark compares against calls this too, so both are built the same way.
///
/// - **No GPU, Skia paints on the CPU.** WebKitGTK 2.46+ paints page tiles with Skia on the GPU;
///   where the machine has no GPU render node (VMs, remote desktops, Xvfb in CI), "the GPU" is
///   Mesa's llvmpipe, which emulates it on the CPU and JIT-compiles every shader through LLVM.
///   Skia's own CPU rasterizer does the same painting for less: measured under Xvfb, the web
///   process 225 → 186 MiB PSS for the app (issue 15). Compositing and async scrolling stay on.
///   A GPU (a `/dev/dri/renderD*` node, and `LIBGL_ALWAYS_SOFTWARE` unset) keeps WebKit's default;
///   a `WEBKIT_SKIA_ENABLE_CPU_RENDERING` the user set is left as it is.
/// - **Opt-in, no compositing** (`LISTING_ASSISTANT_SOFTWARE_RENDERING=1` sets
///   `WEBKIT_DISABLE_COMPOSITING_MODE`): saves more (~80 MiB of compositing buffers) and is the
///   usual way round WebKitGTK's blank windows on some GPU drivers, but under Xvfb the e2e suite
///   ran 3× slower with it and clicks landed on elements still scrolling (5 of 23 tests failed),
///   so it is not the default.
pub fn choose_rendering() {
    #[cfg(target_os = "linux")]
    {
        if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none()
            && std::env::var_os("LISTING_ASSISTANT_SOFTWARE_RENDERING").is_some_and(|v| v == "1")
        {
            std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        }
        if std::env::var_os("WEBKIT_SKIA_ENABLE_CPU_RENDERING").is_none() && !has_gpu() {
            std::env::set_var("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1");
        }
    }
}

/// Whether GL would reach a GPU: a DRM render node exists and Mesa is not told to use software.
#[cfg(target_os = "linux")]
fn has_gpu() -> bool {
    if std::env::var_os("LIBGL_ALWAYS_SOFTWARE").is_some_and(|v| !v.is_empty() && v != "0") {
        return false;
    }
    std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Linux: scroll areas inside the page scroll with the page's own painting, not as layers of
/// their own that WebKit scrolls on another thread ("async overflow scrolling"). Each such
/// layer keeps tiles for about twice its visible area, double-buffered: measured under Xvfb,
/// the app's two panes (step rail and main pane) cost 18 MiB of the web and app processes at
/// start-up, a fifth of all the app costs over a blank window (issue 15). For a form-like page
/// scrolled by wheel and keyboard the threaded scrolling buys nothing visible. The blank window
/// the benchmark compares against gets the same setting.
pub fn tune_webview<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let done = window.with_webview(|w| {
            if !la_webkit::set_view_feature(&w.inner(), "AsyncOverflowScrolling", false) {
                tracing::warn!("this WebKitGTK has no AsyncOverflowScrolling feature");
            }
        });
        if let Err(e) = done {
            tracing::warn!(error = %e, "cannot reach the web view's settings");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// The main window, from its configuration (`"create": false` there, so that it is made here,
/// with the handler that places the first screen's data in its page: `page`).
fn main_window(app: &tauri::App) -> tauri::Result<tauri::WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .on_web_resource_request(page::fill_bootstrap(app.handle().clone()))
        .build()
}

pub fn run() {
    let started = Instant::now();
    choose_rendering();
    tracing_subscriber::fmt()
        .with_env_filter(la_aws::logging::env_filter("info"))
        .with_writer(std::io::stderr)
        .init();
    let events = events_builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(with_commands!(tauri::generate_handler))
        .setup(move |app| {
            events.mount_events(app);
            let window = main_window(app)?;
            tune_webview(&window);
            let host = Arc::new(host::TauriHost(app.handle().clone()));
            let opts = la_app::Options::for_this_machine();
            tracing::info!(dir = %opts.data_dir.display(), "data directory");
            let la = App::open(&opts, host).started_at(started);
            // The built-in Marketplace sandbox the Demo workspace points at starts once the UI
            // has shown its first screen (at most 2 s after this hook): the window's page is
            // served only once this hook has returned, and neither that page nor its first frame
            // need the sandbox (issue 15). Calls that do need it wait for it.
            la_app::sandbox::will_start_builtin(&la);
            app.manage(la);
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let la = handle.state::<App>();
                la_app::sandbox::start_builtin_after_first_screen(&la, Duration::from_secs(2))
                    .await;
            });
            app.manage(Bench {
                ready_file: std::env::var_os("LA_BENCH_READY_FILE").map(PathBuf::from),
                exit: std::env::var_os("LA_BENCH_EXIT").is_some(),
            });
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        std::process::exit(1);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// The only test in this binary that touches the environment, so nothing races it.
    #[test]
    fn software_gl_means_cpu_painting_unless_the_user_chose_otherwise() {
        std::env::set_var("LIBGL_ALWAYS_SOFTWARE", "1");
        std::env::remove_var("WEBKIT_SKIA_ENABLE_CPU_RENDERING");
        std::env::remove_var("WEBKIT_DISABLE_COMPOSITING_MODE");
        std::env::remove_var("LISTING_ASSISTANT_SOFTWARE_RENDERING");
        assert!(!super::has_gpu());
        super::choose_rendering();
        assert_eq!(
            std::env::var("WEBKIT_SKIA_ENABLE_CPU_RENDERING").as_deref(),
            Ok("1")
        );
        // A value the user set is theirs.
        std::env::set_var("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "0");
        super::choose_rendering();
        assert_eq!(
            std::env::var("WEBKIT_SKIA_ENABLE_CPU_RENDERING").as_deref(),
            Ok("0")
        );
        // Compositing stays on unless asked.
        assert!(std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none());
    }
}
