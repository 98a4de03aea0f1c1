//! WebKitGTK's runtime features: WebKitGTK 2.42+ lists them (`webkit_settings_get_all_features`)
//! and lets an embedder turn each on or off per web view's settings. Neither Tauri nor the
//! `webkit2gtk` crate binds that list, so the few C functions are declared here — the only
//! unsafe code in the workspace, kept to one function that looks a feature up by name.
//!
//! Elsewhere this crate is empty: the features are WebKitGTK's.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::{feature_enabled, set_feature, set_view_feature};
