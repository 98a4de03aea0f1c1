//! What AWS requires before a SaaS product goes Public, rehearsed: an `UpdateVisibility` to
//! `Public` fails with `MISSING_SELLER_PROFILE_INFORMATION` while the seller's public profile is
//! incomplete, and otherwise is reviewed by people (AWS: days to weeks) before it applies. The
//! sandbox holds such a change set in APPLYING until its review time has passed on the sandbox
//! clock, so a test moves the clock instead of waiting.
//!
//! Both settings live in the state's `meta` table and are set through `/_sandbox/review`
//! (`configure`). Defaults: the profile is complete and the review takes no time, so change sets
//! that existed before this rehearsal behave as they did.

use super::iso;
use super::validate::{self, ErrorDetail};
use crate::error::AwsResult;
use crate::Sandbox;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// AWS's error code for a visibility request from a seller whose public profile is incomplete
/// (AWS Marketplace Seller Guide, "Troubleshooting change sets").
pub const MISSING_SELLER_PROFILE_INFORMATION: &str = "MISSING_SELLER_PROFILE_INFORMATION";

/// The review settings, as `/_sandbox/review` reads and writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSettings {
    /// Whether the seller's public profile (name, description, logo, support contact) is filled.
    pub seller_profile_complete: bool,
    /// How long, in sandbox-clock seconds, AWS's review of a Public request takes.
    pub review_secs: i64,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        Self {
            seller_profile_complete: true,
            review_secs: 0,
        }
    }
}

/// A partial update of the settings (absent fields keep their value).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReviewUpdate {
    pub seller_profile_complete: Option<bool>,
    pub review_secs: Option<i64>,
}

const KEY: &str = "review_settings";

pub fn settings(sb: &Sandbox) -> AwsResult<ReviewSettings> {
    let raw: Option<String> = sb.state.with(|c| {
        c.query_row("SELECT value FROM meta WHERE key = ?1", [KEY], |r| r.get(0))
            .optional()
    })?;
    Ok(raw
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

pub fn configure(sb: &Sandbox, u: &ReviewUpdate) -> AwsResult<ReviewSettings> {
    let mut s = settings(sb)?;
    if let Some(b) = u.seller_profile_complete {
        s.seller_profile_complete = b;
    }
    if let Some(n) = u.review_secs {
        if n < 0 {
            return Err(crate::AwsError::validation(
                "review_secs must be zero or more.",
            ));
        }
        s.review_secs = n;
    }
    let text = serde_json::to_string(&s).unwrap_or_default();
    sb.state.with(|c| {
        c.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [KEY, text.as_str()],
        )?;
        Ok(())
    })?;
    Ok(s)
}

/// What to do with a change set that reached the end of APPLYING.
pub(super) enum Hold {
    /// Apply it now.
    Proceed,
    /// Still under review: keep it APPLYING (the document was updated with the review's end).
    Wait,
    /// Refused: the change set fails with this change's error.
    Refuse { change: usize, error: ErrorDetail },
}

/// The index of the change asking for Public visibility, if any.
fn public_request(cs: &Value) -> Option<usize> {
    cs["ChangeSet"].as_array()?.iter().position(|c| {
        c["ChangeType"] == "UpdateVisibility"
            && c["Entity"]["Type"] == validate::SAAS_PRODUCT
            && c["DetailsDocument"]["TargetVisibility"] == "Public"
    })
}

/// Decides whether an APPLY change set asking for Public may be applied yet. VALIDATE change
/// sets are judged on their shapes only, as AWS does (the review happens on APPLY).
pub(super) fn hold(sb: &Sandbox, cs: &mut Value) -> AwsResult<Hold> {
    if cs["Intent"] == "VALIDATE" {
        return Ok(Hold::Proceed);
    }
    let Some(i) = public_request(cs) else {
        return Ok(Hold::Proceed);
    };
    let s = settings(sb)?;
    if !s.seller_profile_complete {
        return Ok(Hold::Refuse {
            change: i,
            error: ErrorDetail::new(
                MISSING_SELLER_PROFILE_INFORMATION,
                "Your seller profile is incomplete. Complete the public seller profile (company name, description, logo, support contact) in the AWS Marketplace Management Portal, then request Public visibility again.",
            ),
        });
    }
    let now = sb.now();
    let until = match cs["_reviewUntil"].as_i64() {
        Some(u) => u,
        None => {
            let u = now + s.review_secs;
            cs["_reviewUntil"] = json!(u);
            // Shown while it waits, so a tracker can tell review from a stuck change set.
            cs["_reviewStarted"] = json!(iso(now));
            u
        }
    };
    Ok(if now >= until {
        Hold::Proceed
    } else {
        Hold::Wait
    })
}
