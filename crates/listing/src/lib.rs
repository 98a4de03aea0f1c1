//! Listing as code: the listing file (TOML beside the environment file), `pull` from the
//! Catalog API into it, `plan` (field-by-field diff and the exact change set), validate
//! (StartChangeSet Intent VALIDATE, errors mapped back to fields), `apply` (Intent APPLY with a
//! ClientRequestToken derived from the plan, followed to its end), fixes for failing catalog
//! checks, the Public release with its prechecks, and listing lint.
//!
//! Front ends stay thin: every operation is one function here taking an `SdkConfig` (or a
//! `Catalog`) and plain data, returning serializable types.

pub mod aws;
pub mod catalog;
pub mod details;
pub mod errors;
pub mod file;
pub mod fix;
pub mod flow;
pub mod lint;
pub mod plan;
pub mod record;
pub mod release;
pub mod shapes;
pub mod write;

pub use aws::{AwsValues, Snapshot};
pub use catalog::{Catalog, ChangeSetStatus};
pub use file::Listing;
pub use plan::{Plan, PlannedChange};
