//! Every environment variable the binary reads, by name, in one module.
//!
//! These names are part of the contract with the PHP package
//! (`wp-cli-package/`), which sets them for the child process; a contract test
//! there checks it uses the same spellings. Secrets reach the binary through
//! the environment or the stdin site context, never through argv.

/// The database password. Overrides `DB_PASSWORD` from `wp-config.php` and the
/// `db_password` field of the site context (useful when `wp-config.php`
/// computes the password, e.g. with `getenv()`).
pub const DB_PASSWORD: &str = "SEGMENTFLOW_DB_PASSWORD";

/// The Unix socket to use when the database host is `localhost` without an
/// explicit socket (PHP's `mysqli.default_socket`). The PHP side sends what
/// PHP would use; standalone runs fall back to the usual Debian/RedHat paths.
pub const DB_SOCKET: &str = "SEGMENTFLOW_DB_SOCKET";

/// Where the PHP package finds this binary (read by the PHP side only; listed
/// here so both sides spell it the same way).
pub const WPCLI_BIN: &str = "SEGMENTFLOW_WPCLI_BIN";

/// A file the binary writes, after a command that wrote options, with the
/// JSON list of the option names it wrote or deleted (`["segmentflow_a",…]`).
/// The PHP package creates the file, passes its path here, and afterwards
/// deletes those names from the object cache. Unset: nothing is written.
pub const WRITTEN_OPTIONS_FILE: &str = "SEGMENTFLOW_WRITTEN_OPTIONS_FILE";

/// WP-CLI's own override of "is stdout a pipe?" (`cli\Shell::isPiped()`):
/// a true value renders tables tab-separated, a false value with ASCII
/// borders, whatever stdout is. The PHP package sets `SHELL_PIPE=0` when its
/// own stdout is a terminal, because the binary's stdout is then a pipe.
pub const SHELL_PIPE: &str = "SHELL_PIPE";

/// The poll token of an interactive `connect`, when not given with
/// `--poll-token` (branch sync-cmd). Not set by the PHP package, so not in
/// [`ALL`].
pub const POLL_TOKEN: &str = "SEGMENTFLOW_POLL_TOKEN";

/// Every variable above, for the contract test with the PHP package.
pub const ALL: &[&str] = &[
    DB_PASSWORD,
    DB_SOCKET,
    WPCLI_BIN,
    WRITTEN_OPTIONS_FILE,
    SHELL_PIPE,
];

/// Reads a variable; unset, empty and non-UTF-8 values all count as absent.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Reads a variable as WP-CLI reads `SHELL_PIPE` (PHP's
/// `FILTER_VALIDATE_BOOLEAN`): `1`, `true`, `on`, `yes` are true; anything
/// else is false. Unset is `None`.
pub fn flag(name: &str) -> Option<bool> {
    let value = std::env::var(name).ok()?;
    Some(matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "on" | "yes"
    ))
}
