//! The desktop's [`la_app::Host`]: use-case events become typed window events, and URLs and
//! files open through the opener plugin.

use la_app::{AppError, AppEvent, ErrorCode, Host};
use la_core::service::ChangeEvent;
use serde::{Deserialize, Serialize};
use std::path::Path;
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;
use tauri_specta::Event;

/// Emitted after every committed write.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct StoreChanged(pub ChangeEvent);

/// Emitted as each check of a run starts and finishes.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct CheckProgress(pub la_app::events::CheckProgress);

/// A timeline event as it lands.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct PurchaseEvent(pub la_app::events::PurchaseEvent);

/// A watcher's state changed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct PurchaseWatcher(pub la_app::events::PurchaseWatcher);

/// The verdicts changed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct PurchaseVerdicts(pub la_app::events::PurchaseVerdicts);

pub struct TauriHost(pub AppHandle);

impl Host for TauriHost {
    fn emit(&self, event: AppEvent) {
        let app = &self.0;
        let sent = match event {
            AppEvent::StoreChanged(e) => StoreChanged(e).emit(app),
            AppEvent::CheckProgress(e) => CheckProgress(e).emit(app),
            AppEvent::PurchaseEvent(e) => PurchaseEvent(e).emit(app),
            AppEvent::PurchaseWatcher(e) => PurchaseWatcher(e).emit(app),
            AppEvent::PurchaseVerdicts(e) => PurchaseVerdicts(e).emit(app),
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "could not emit an event to the window");
        }
    }

    fn open_url(&self, url: &str) -> Result<(), AppError> {
        self.0
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| AppError::new(ErrorCode::Io, format!("Could not open the browser: {e}")))
    }

    fn open_file(&self, path: &Path) -> Result<(), AppError> {
        self.0
            .opener()
            .open_path(path.display().to_string(), None::<&str>)
            .map_err(|e| {
                AppError::new(
                    ErrorCode::Io,
                    format!("Could not open {}: {e}", path.display()),
                )
            })
    }
}
