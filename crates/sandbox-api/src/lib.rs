//! The sandbox's control API (`/_sandbox/…`): what each route takes and answers, shared by the
//! server (`la_sandbox::server`) and every client, so a field renamed on one side is a compile
//! error on the other instead of a `Value` lookup that quietly reads nothing.
//!
//! Also here, once: which error kind an HTTP status means ([`ErrorKind::from_status`]) and how a
//! registration token is shown ([`mask_token`]).

mod client;
pub mod secret;
mod types;

pub use client::{Client, ControlError};
pub use secret::{MAX_FAULT_DELAY_MS, SECRET_ENV, SECRET_HEADER};
pub use types::*;

/// The route of each control operation, relative to the sandbox's URL.
pub mod routes {
    pub const HEALTH: &str = "/_sandbox/health";
    pub const PRODUCTS: &str = "/_sandbox/products";
    pub const LICENSES: &str = "/_sandbox/licenses";
    pub const METERING: &str = "/_sandbox/metering";
    pub const NOTIFICATIONS: &str = "/_sandbox/notifications";
    pub const PURCHASE: &str = "/_sandbox/purchase";
    pub const CHANGE: &str = "/_sandbox/change";
    pub const CANCEL: &str = "/_sandbox/cancel";
    pub const FAIL: &str = "/_sandbox/fail";
    pub const CLOCK: &str = "/_sandbox/clock";
    pub const FAULTS: &str = "/_sandbox/faults";
    /// `/_sandbox/landing/{id}`: a purchase's one-time browser page.
    pub const LANDING: &str = "/_sandbox/landing/{id}";
}

/// How many characters of a registration token are ever shown (timelines, the app, the CLI's
/// text output): enough to tell two purchases apart, too few to register with.
pub const TOKEN_SHOWN_CHARS: usize = 8;

/// A registration token as it may be shown: its first characters and an ellipsis. The token is
/// a credential for the buyer's registration, so this is the only way any front end prints it.
pub fn mask_token(token: &str) -> String {
    let shown: String = token.chars().take(TOKEN_SHOWN_CHARS).collect();
    format!("{shown}…")
}

/// What a failed control call means to a client; each front end maps it to its own error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    AccessDenied,
    NotFound,
    /// The request is valid but the sandbox's state forbids it (e.g. cancelling a cancelled
    /// license): 409.
    Conflict,
    InvalidInput,
    /// Anything else the sandbox answered (throttling injected by a fault, a 500).
    Other,
}

impl ErrorKind {
    /// The one status → kind map of the control API (the server answers these statuses).
    pub fn from_status(status: u16) -> Self {
        match status {
            401 | 403 => ErrorKind::AccessDenied,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            400 | 422 => ErrorKind::InvalidInput,
            _ => ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_shows_its_first_eight_characters_only() {
        assert_eq!(mask_token("abcdefghijklmnop"), "abcdefgh…");
        // Multi-byte characters are counted as characters, never cut in half.
        assert_eq!(mask_token("ééééééééé"), "éééééééé…");
        assert_eq!(mask_token("abc"), "abc…");
    }

    #[test]
    fn statuses_map_to_kinds() {
        assert_eq!(ErrorKind::from_status(409), ErrorKind::Conflict);
        assert_eq!(ErrorKind::from_status(400), ErrorKind::InvalidInput);
        assert_eq!(ErrorKind::from_status(422), ErrorKind::InvalidInput);
        assert_eq!(ErrorKind::from_status(403), ErrorKind::AccessDenied);
        assert_eq!(ErrorKind::from_status(401), ErrorKind::AccessDenied);
        assert_eq!(ErrorKind::from_status(404), ErrorKind::NotFound);
        assert_eq!(ErrorKind::from_status(500), ErrorKind::Other);
        assert_eq!(ErrorKind::from_status(429), ErrorKind::Other);
    }
}
