//! AWS access for Listing Assistant: SDK configuration built from an environment's settings
//! (default chain, named profile incl. SSO, assumed role, or access keys from the keyring; an
//! endpoint override for the sandbox), and the Marketplace calls the app makes, returning the
//! app's own serializable types (no SDK type leaks to the UI).

pub mod access;
pub mod marketplace;

pub use access::{sdk_config, AccessError};
/// Re-exported so front ends can hold a config without depending on aws-config themselves.
pub use aws_config::SdkConfig;
