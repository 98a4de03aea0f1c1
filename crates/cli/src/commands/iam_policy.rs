//! `listing-assistant iam-policy`: the least-privilege IAM policy the checks need.

use crate::exit::ExitStatus;

pub fn run() -> ExitStatus {
    println!(
        "{}",
        serde_json::to_string_pretty(&la_aws::checks::iam_policy()).unwrap_or_default()
    );
    ExitStatus::Success
}
