//! The exit statuses, one meaning each, the same for every subcommand.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Done; nothing failed.
    Success,
    /// The work ran and something failed: a check failed or could not run, a report changed, a
    /// sandbox call was refused or could not be made.
    Failure,
    /// Usage or configuration: a file that cannot be read, a workspace that does not exist,
    /// settings that do not validate. (clap's own argument errors exit 2 as well.)
    Usage,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
        }
    }

    /// Prints `error: MESSAGE` and returns `self`.
    pub fn with_error(self, message: impl std::fmt::Display) -> Self {
        eprintln!("error: {message}");
        self
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        ExitCode::from(s.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(ExitStatus::Success.code(), 0);
        assert_eq!(ExitStatus::Failure.code(), 1);
        assert_eq!(ExitStatus::Usage.code(), 2);
    }
}
