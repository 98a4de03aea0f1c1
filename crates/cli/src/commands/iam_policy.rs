//! `listing-assistant iam-policy`: the least-privilege IAM policy the checks need, or with
//! `--authoring` the separate policy that writing the listing (change sets) needs.

use crate::exit::ExitStatus;

pub fn run(authoring: bool) -> ExitStatus {
    let policy = if authoring {
        la_aws::checks::authoring_iam_policy()
    } else {
        la_aws::checks::iam_policy()
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&policy).unwrap_or_default()
    );
    ExitStatus::Success
}
