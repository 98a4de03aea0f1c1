//! The native file dialogs, opened from Rust: the paths they return are recorded
//! (`la_app::picked`), and the file commands accept only those. The window gets no dialog
//! permission of its own.

use la_app::App;
use la_core::AppError;
use std::path::PathBuf;
use tauri::State;
use tauri_plugin_dialog::{DialogExt, FilePath};

fn to_path(p: FilePath) -> Option<PathBuf> {
    p.into_path().ok()
}

/// Records a single pick (if any) and returns it for the window.
fn record_one(app: &App, picked: Option<FilePath>) -> Option<String> {
    let path = picked.and_then(to_path);
    app.picked().record(path.as_slice());
    path.map(|p| p.display().to_string())
}

/// Runs a blocking dialog off the async runtime's workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::invalid(format!("the file dialog failed: {e}")))
}

/// "Open" for any files (evidence, screenshots); empty when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn pick_files(
    handle: tauri::AppHandle,
    app: State<'_, App>,
) -> Result<Vec<String>, AppError> {
    let picked = blocking(move || handle.dialog().file().blocking_pick_files()).await?;
    let paths: Vec<PathBuf> = picked
        .unwrap_or_default()
        .into_iter()
        .filter_map(to_path)
        .collect();
    app.picked().record(&paths);
    Ok(paths.iter().map(|p| p.display().to_string()).collect())
}

/// "Open" for one file of a kind (an environment file); none when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn pick_open_file(
    handle: tauri::AppHandle,
    app: State<'_, App>,
    filter_name: String,
    extension: String,
) -> Result<Option<String>, AppError> {
    let picked = blocking(move || {
        handle
            .dialog()
            .file()
            .add_filter(filter_name, &[extension.as_str()])
            .blocking_pick_file()
    })
    .await?;
    Ok(record_one(&app, picked))
}

/// "Save as" with a suggested name (a report, an environment file); none when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn pick_save_file(
    handle: tauri::AppHandle,
    app: State<'_, App>,
    default_name: String,
    filter_name: String,
    extension: String,
) -> Result<Option<String>, AppError> {
    let picked = blocking(move || {
        handle
            .dialog()
            .file()
            .set_file_name(default_name)
            .add_filter(filter_name, &[extension.as_str()])
            .blocking_save_file()
    })
    .await?;
    Ok(record_one(&app, picked))
}
