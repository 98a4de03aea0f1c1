//! Where the app keeps its data and what it calls itself in the OS keyring: worked out here once,
//! for the desktop app and the CLI alike, so `report export` without `--data-dir` reads the
//! app's database on every OS and both use one keyring service.
//!
//! The rules are pure functions of the OS and its environment variables so all three OSes are
//! tested on any machine; [`Identity::current`] and [`data_dir`] apply them to this one.

use std::ffi::OsString;
use std::path::PathBuf;

/// The app's identifier (tauri.conf.json's `identifier`; a test keeps the two equal).
pub const IDENTIFIER: &str = "io.listingassistant.app";
/// Points the app and the CLI at another data folder (tests, a second install).
pub const DATA_DIR_ENV: &str = "LISTING_ASSISTANT_DATA_DIR";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

impl Os {
    pub fn current() -> Self {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(target_os = "windows") {
            Os::Windows
        } else {
            Os::Linux
        }
    }
}

/// Which build is running: dev and test builds keep their data and keyring entries apart from
/// the release app's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub identifier: String,
    pub debug: bool,
}

impl Identity {
    /// This build: debug assertions on means a dev or test build. The app and the CLI are built
    /// with one profile, so both see the same answer.
    pub fn current() -> Self {
        Self {
            identifier: IDENTIFIER.to_string(),
            debug: cfg!(debug_assertions),
        }
    }

    /// The name of the app's folder and of its keyring service: `io.listingassistant.app`, or
    /// `io.listingassistant.app.dev` for a dev build.
    pub fn name(&self) -> String {
        if self.debug {
            format!("{}.dev", self.identifier)
        } else {
            self.identifier.clone()
        }
    }

    /// The keyring service every stored secret is filed under.
    pub fn keyring_service(&self) -> String {
        self.name()
    }
}

/// The platform's per-user data folder as the `dirs` crate (and so Tauri's `app_data_dir`)
/// finds it, from the OS and its environment: Linux `$XDG_DATA_HOME` (when absolute) or
/// `$HOME/.local/share`; macOS `$HOME/Library/Application Support`; Windows the roaming
/// AppData folder (`%APPDATA%`).
pub fn platform_data_base(os: Os, var: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let home = || var("HOME").map(PathBuf::from).filter(|p| p.is_absolute());
    match os {
        Os::Linux => var("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| home().map(|h| h.join(".local").join("share"))),
        Os::MacOs => home().map(|h| h.join("Library").join("Application Support")),
        Os::Windows => var("APPDATA").map(PathBuf::from),
    }
}

/// The data folder: `$LISTING_ASSISTANT_DATA_DIR` when set, else `<platform data>/<name>`, else
/// (no home at all) a folder under the temporary directory so the app still starts.
pub fn resolve_data_dir(
    os: Os,
    identity: &Identity,
    var: &dyn Fn(&str) -> Option<OsString>,
    base: Option<PathBuf>,
) -> PathBuf {
    if let Some(dir) = var(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let base = base.or_else(|| platform_data_base(os, var));
    match base {
        Some(b) => b.join(identity.name()),
        None => std::env::temp_dir().join(identity.name()),
    }
}

/// This machine's data folder for this build. The base comes from `dirs::data_dir()` itself (on
/// Windows that is the known-folder API, which an environment variable cannot fake).
pub fn data_dir() -> PathBuf {
    resolve_data_dir(
        Os::current(),
        &Identity::current(),
        &|k| std::env::var_os(k),
        dirs::data_dir(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    fn release() -> Identity {
        Identity {
            identifier: IDENTIFIER.into(),
            debug: false,
        }
    }

    fn dev() -> Identity {
        Identity {
            identifier: IDENTIFIER.into(),
            debug: true,
        }
    }

    #[test]
    fn linux_uses_xdg_data_home_then_local_share() {
        let e = env(&[("HOME", "/home/ann"), ("XDG_DATA_HOME", "/data/ann")]);
        assert_eq!(
            resolve_data_dir(Os::Linux, &release(), &e, None),
            PathBuf::from("/data/ann/io.listingassistant.app")
        );
        let e = env(&[("HOME", "/home/ann"), ("XDG_DATA_HOME", "relative")]);
        assert_eq!(
            resolve_data_dir(Os::Linux, &dev(), &e, None),
            PathBuf::from("/home/ann/.local/share/io.listingassistant.app.dev")
        );
    }

    #[test]
    fn macos_uses_application_support() {
        let e = env(&[("HOME", "/Users/ann"), ("XDG_DATA_HOME", "/ignored")]);
        assert_eq!(
            resolve_data_dir(Os::MacOs, &release(), &e, None),
            PathBuf::from("/Users/ann/Library/Application Support/io.listingassistant.app")
        );
    }

    #[test]
    fn windows_uses_roaming_appdata() {
        let e = env(&[("APPDATA", r"C:\Users\ann\AppData\Roaming")]);
        assert_eq!(
            resolve_data_dir(Os::Windows, &dev(), &e, None),
            PathBuf::from(r"C:\Users\ann\AppData\Roaming").join("io.listingassistant.app.dev")
        );
    }

    #[test]
    fn the_override_wins_on_every_os() {
        let e = env(&[(DATA_DIR_ENV, "/tmp/la"), ("HOME", "/home/ann")]);
        for os in [Os::Linux, Os::MacOs, Os::Windows] {
            assert_eq!(
                resolve_data_dir(os, &release(), &e, None),
                PathBuf::from("/tmp/la")
            );
        }
    }

    #[test]
    fn dev_and_release_builds_never_share_a_keyring_service() {
        assert_eq!(release().keyring_service(), "io.listingassistant.app");
        assert_eq!(dev().keyring_service(), "io.listingassistant.app.dev");
    }

    /// On this machine the pure rules agree with `dirs`, which Tauri's `app_data_dir` calls.
    #[test]
    fn the_rules_match_dirs_here() {
        let ours = platform_data_base(Os::current(), &|k| std::env::var_os(k));
        if cfg!(not(windows)) {
            assert_eq!(ours, dirs::data_dir());
        }
    }

    /// The identifier is the one tauri.conf.json gives the app.
    #[test]
    fn the_identifier_is_the_apps() {
        let conf = std::fs::read_to_string(
            std::path::PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo"),
            )
            .join("../../src-tauri/tauri.conf.json"),
        )
        .expect("tauri.conf.json");
        let v: serde_json::Value = serde_json::from_str(&conf).expect("json");
        assert_eq!(v["identifier"], IDENTIFIER);
    }
}
