//! The process exit codes, in one place.
//!
//! | code | [`ExitStatus`] | meaning |
//! |---|---|---|
//! | 0 | `Success` | the command did what was asked (also: `--help`, `--version`, and a reader that closed our stdout early — a broken pipe) |
//! | 1 | `Error` | the command failed; `Error: …` is on stderr |
//! | 2 | `Usage` | the command line was wrong (unknown flag, bad value, missing argument); nothing was done |
//! | 3 | `Partial` | some items succeeded and some failed; the failures were reported |
//!
//! The PHP package relays the code unchanged with `WP_CLI::halt()`, so fleet
//! scripts see the same numbers whether they run `wp segmentflow …` or the
//! binary directly. The mapping to [`std::process::ExitCode`] lives here and
//! nowhere else.

use std::process::ExitCode;

/// How a run of `segmentflow-wpcli` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: everything asked for was done.
    Success,
    /// 1: the command failed.
    Error,
    /// 2: the command line could not be understood; nothing was done.
    Usage,
    /// 3: some items failed (and were reported), the rest succeeded.
    Partial,
}

impl ExitStatus {
    /// The numeric process exit code.
    pub const fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Error => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Partial => 3,
        }
    }

    /// The status for a numeric code, if it is one of ours.
    pub const fn from_code(code: u8) -> Option<ExitStatus> {
        match code {
            0 => Some(ExitStatus::Success),
            1 => Some(ExitStatus::Error),
            2 => Some(ExitStatus::Usage),
            3 => Some(ExitStatus::Partial),
            _ => None,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}

#[cfg(test)]
mod tests {
    use super::ExitStatus;

    #[test]
    fn codes_are_the_documented_ones() {
        let cases = [
            (ExitStatus::Success, 0),
            (ExitStatus::Error, 1),
            (ExitStatus::Usage, 2),
            (ExitStatus::Partial, 3),
        ];
        for (status, code) in cases {
            assert_eq!(status.code(), code, "{status:?}");
            assert_eq!(ExitStatus::from_code(code), Some(status), "{code}");
        }
        assert_eq!(ExitStatus::from_code(4), None);
        assert_eq!(ExitStatus::from_code(255), None);
    }
}
