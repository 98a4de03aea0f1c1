//! The limits a tester's input must keep: note kinds and length, contract quantities, how far
//! the sandbox clock may move, which pages are opened.

use la_core::AppError;
use serde::{Deserialize, Serialize};
use specta::Type;

/// What the tester puts on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum TesterNote {
    /// "I landed on the SaaS's page."
    Landing,
    Note,
}

impl TesterNote {
    pub fn as_str(self) -> &'static str {
        match self {
            TesterNote::Landing => "landing",
            TesterNote::Note => "note",
        }
    }
}

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

pub(crate) fn note_text(text: &str) -> Result<&str, AppError> {
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::invalid("A note has at most 2,000 characters."));
    }
    Ok(text.trim())
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SandboxAction {
    /// Purchase, the sandbox posting the token to the fulfillment URL itself.
    Purchase,
    /// Purchase, the tester's browser opening the SaaS's landing page.
    PurchaseInBrowser,
    Cancel,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Quantity {
    pub dimension: String,
    pub quantity: i32,
}

pub(crate) fn quantities(q: Vec<Quantity>) -> Result<Vec<(String, i64)>, AppError> {
    if q.is_empty() || q.iter().any(|q| q.quantity < 0) {
        return Err(AppError::invalid(
            "Give each dimension a quantity of 0 or more.",
        ));
    }
    Ok(q.into_iter()
        .map(|q| (q.dimension, i64::from(q.quantity)))
        .collect())
}

/// The longest clock move: 30 days, in minutes.
pub const MAX_CLOCK_MINUTES: u32 = 60 * 24 * 30;

pub(crate) fn clock_secs(minutes: u32) -> Result<i64, AppError> {
    if minutes == 0 || minutes > MAX_CLOCK_MINUTES {
        return Err(AppError::invalid("Move the clock by 1 minute to 30 days."));
    }
    Ok(i64::from(minutes) * 60)
}

/// Only https pages are opened, and plain http on loopback (the local sandbox).
pub(crate) fn openable(url: &str) -> Result<(), AppError> {
    let ok = url.starts_with("https://")
        || url.starts_with("http://127.0.0.1:")
        || url.starts_with("http://localhost:");
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(format!(
            "Refusing to open {url}: only https pages (or the local sandbox) are opened."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert!(note_text(&"x".repeat(2000)).is_ok());
        assert!(note_text(&"x".repeat(2001)).is_err());
        assert_eq!(note_text("  hi \n").ok(), Some("hi"));
        assert!(quantities(vec![]).is_err());
        let q = |n| Quantity {
            dimension: "seats".into(),
            quantity: n,
        };
        assert!(quantities(vec![q(-1)]).is_err());
        assert_eq!(quantities(vec![q(0)]).ok(), Some(vec![("seats".into(), 0)]));
        assert!(clock_secs(0).is_err());
        assert!(clock_secs(MAX_CLOCK_MINUTES + 1).is_err());
        assert_eq!(clock_secs(90).ok(), Some(5400));
        assert!(openable("https://aws.amazon.com/marketplace/pp/prod-x").is_ok());
        assert!(openable("http://127.0.0.1:8484/_sandbox/landing/a").is_ok());
        assert!(openable("http://example.com/").is_err());
        assert!(openable("file:///etc/passwd").is_err());
    }

    #[test]
    fn note_kinds_are_the_two_the_ui_sends() {
        let k: TesterNote = serde_json::from_str("\"landing\"").expect("landing");
        assert_eq!(k, TesterNote::Landing);
        assert!(serde_json::from_str::<TesterNote>("\"product-page\"").is_err());
    }
}
