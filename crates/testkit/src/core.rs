//! A core on a folder (usually a temporary one) with the in-memory keyring mock, and the Demo
//! workspace pointed at a sandbox.

use la_core::secrets::{Backend, Secrets};
use la_core::service::{Core, NoEvents};
use std::path::Path;
use std::sync::Arc;

/// The keyring service tests file their secrets under (the mock keeps them in memory).
pub const KEYRING_SERVICE: &str = "io.listingassistant.test";

/// Opens (creating) a core in `dir`: migrated, the Demo workspace seeded on first open.
pub fn open(dir: &Path) -> Core {
    Core::open(
        dir,
        Secrets::new(KEYRING_SERVICE, Backend::Mock),
        Arc::new(NoEvents),
    )
    .expect("open the core")
}

/// A core whose Demo workspace points at the sandbox at `sandbox_url`.
pub fn with_demo_at(dir: &Path, sandbox_url: &str) -> Core {
    let core = open(dir);
    la_core::demo::repoint(&core, sandbox_url).expect("point the Demo workspace at the sandbox");
    core
}

/// The id of the Demo workspace.
pub fn demo_id(core: &Core) -> String {
    core.store()
        .workspace_by_name(la_core::demo::DEMO_NAME)
        .expect("read workspaces")
        .expect("the Demo workspace is seeded on first start")
        .id
}
