//! Listing Assistant's use cases, written once below both front ends (the Tauri shell and the
//! CLI): every operation is an `async fn(&App, …) -> Result<_, AppError>`. This crate owns what
//! runs across calls — the test purchase sessions, the check-run slot, the built-in sandbox —
//! and what both front ends must agree on: the data folder, the keyring service, which
//! credentials an environment signs with, report requests.
//!
//! A front end supplies a [`Host`]: how to show an event, open a URL, open a file.

pub mod checks;
pub mod events;
pub mod listing;
pub mod paths;
pub mod picked;
pub mod purchase;
pub mod reports;
pub mod sandbox;
pub mod workspace;

pub use events::AppEvent;
pub use la_core::{AppError, ErrorCode};

use la_core::secrets::{Backend, Secrets};
use la_core::service::{ChangeEvent, Core, EventSink};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// What a front end does for the use cases.
pub trait Host: Send + Sync + 'static {
    /// Shows an event (the app's window, the CLI's output). Must not block.
    fn emit(&self, event: AppEvent);
    /// Opens a web page in the system browser.
    fn open_url(&self, url: &str) -> Result<(), AppError>;
    /// Opens a file with the system's default application.
    fn open_file(&self, path: &Path) -> Result<(), AppError>;
}

/// A host that shows nothing and opens nothing: tests, and CLI commands that print results.
pub struct QuietHost;

impl Host for QuietHost {
    fn emit(&self, _: AppEvent) {}
    fn open_url(&self, url: &str) -> Result<(), AppError> {
        Err(AppError::invalid(format!("cannot open {url} here")))
    }
    fn open_file(&self, path: &Path) -> Result<(), AppError> {
        Err(AppError::invalid(format!(
            "cannot open {} here",
            path.display()
        )))
    }
}

/// How to open the app's data.
#[derive(Debug, Clone)]
pub struct Options {
    pub data_dir: PathBuf,
    pub keyring_service: String,
    pub keyring: Backend,
    /// Create the Demo workspace when the database has none (the CLI on a fresh machine, so
    /// `--workspace Demo` works before the app ever ran). The app seeds it on its first start
    /// only, so a user who deletes it does not get it back.
    pub seed_demo_if_empty: bool,
}

impl Options {
    /// This machine's data folder and keyring service for this build (see [`paths`]), with the
    /// keyring backend `LISTING_ASSISTANT_KEYRING` picks.
    pub fn for_this_machine() -> Self {
        Self {
            data_dir: paths::data_dir(),
            keyring_service: paths::Identity::current().keyring_service(),
            keyring: Backend::from_env(),
            seed_demo_if_empty: false,
        }
    }

    /// The same, in another data folder (`--data-dir`).
    pub fn in_dir(dir: Option<&Path>) -> Self {
        let mut o = Self::for_this_machine();
        if let Some(d) = dir {
            o.data_dir = d.to_path_buf();
        }
        o
    }
}

/// The application: the core (or why it could not open), the host, and what runs.
pub struct App {
    core: Result<Arc<Core>, AppError>,
    host: Arc<dyn Host>,
    data_dir: PathBuf,
    pub(crate) checks: checks::Slot,
    pub(crate) purchases: purchase::Sessions,
    pub(crate) sandbox: sandbox::BuiltIn,
    pub(crate) reports: reports::LastExport,
    picked: picked::Picked,
    started: Instant,
}

/// Store writes reach the host as events.
struct HostEvents(Arc<dyn Host>);

impl EventSink for HostEvents {
    fn changed(&self, event: ChangeEvent) {
        self.0.emit(AppEvent::StoreChanged(event));
    }
}

impl App {
    /// Opens the data folder. A core that cannot open (a locked or too new database) is kept
    /// as its error, so the app still starts and shows why.
    pub fn open(opts: &Options, host: Arc<dyn Host>) -> Self {
        let core = Core::open(
            &opts.data_dir,
            Secrets::new(opts.keyring_service.clone(), opts.keyring),
            Arc::new(HostEvents(host.clone())),
        )
        .map_err(AppError::from)
        .and_then(|core| {
            if opts.seed_demo_if_empty && core.store().list_workspaces()?.is_empty() {
                la_core::demo::seed(&core).map_err(|e| {
                    let e = AppError::from(e);
                    AppError::new(
                        e.code,
                        format!("cannot create the Demo workspace: {}", e.message),
                    )
                })?;
            }
            Ok(Arc::new(core))
        })
        .map_err(|e| {
            AppError::new(
                e.code,
                format!(
                    "cannot open the data folder {}: {}",
                    opts.data_dir.display(),
                    e.message
                ),
            )
        });
        if let Err(e) = &core {
            tracing::error!(error = %e.message, "could not open the data directory");
        }
        Self {
            core,
            host,
            data_dir: opts.data_dir.clone(),
            checks: Default::default(),
            purchases: Default::default(),
            sandbox: Default::default(),
            reports: Default::default(),
            picked: Default::default(),
            started: Instant::now(),
        }
    }

    /// The core, or why it could not open.
    pub fn core(&self) -> Result<&Arc<Core>, AppError> {
        self.core.as_ref().map_err(Clone::clone)
    }

    /// Paths chosen in the desktop's native file dialog (`picked::Picked`).
    pub fn picked(&self) -> &picked::Picked {
        &self.picked
    }

    pub fn host(&self) -> &Arc<dyn Host> {
        &self.host
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Counts start-up from `t` (the process's start) instead of from `open`.
    pub fn started_at(mut self, t: Instant) -> Self {
        self.started = t;
        self
    }

    /// Since when this app runs (start-up time measurement).
    pub fn started(&self) -> Instant {
        self.started
    }
}
