//! The sandbox's settings: a plain [`SandboxConfig`] that the library API
//! takes, and [`SandboxArgs`], the command-line flags (clap) turned into a
//! config in exactly one place ([`SandboxArgs::into_config`]), so the
//! `segmentflow-wpcli sandbox` subcommand and the `sandbox` example share one
//! definition.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::faults::{FaultPlan, FaultPlanError};

/// Largest ingest request body, in bytes (500 KiB, the usual batch limit of
/// Segment-style ingest APIs); larger bodies get `413`.
pub const DEFAULT_MAX_INGEST_BYTES: usize = 500 * 1024;
/// Most events in one ingest batch; more get `413`.
pub const DEFAULT_MAX_BATCH_EVENTS: usize = 100;
/// Largest WooCommerce delivery body, in bytes (8 MiB: an order with
/// hundreds of line items stays far below); larger bodies get `413`.
pub const DEFAULT_MAX_DELIVERY_BYTES: usize = 8 * 1024 * 1024;

/// What "down" means for the delivery and ingest endpoints
/// (`--down-for`, `POST /__sandbox/down`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DownMode {
    /// Answer `503` with `Retry-After` (the `/__sandbox/*` endpoints keep
    /// working).
    #[default]
    Unavailable,
    /// Stop listening (new connections are refused) and close kept-alive
    /// connections when they send a sync request; `/__sandbox/*` requests on
    /// already open connections still work.
    Refuse,
}

impl std::str::FromStr for DownMode {
    type Err = String;
    fn from_str(s: &str) -> Result<DownMode, String> {
        match s {
            "503" | "unavailable" => Ok(DownMode::Unavailable),
            "refuse" => Ok(DownMode::Refuse),
            _ => Err(format!("unknown down mode {s:?}; use 503 or refuse")),
        }
    }
}

/// Everything the sandbox needs to run. [`SandboxConfig::default`] is a
/// loopback sandbox on a free port, seed 1, no faults, approving a poll token
/// after one pending answer.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Allow a non-loopback `listen` address (refused otherwise).
    pub allow_remote: bool,
    /// The base URL handed out (API host, delivery URL) instead of
    /// `http://<listen address>` — for a sandbox behind a proxy.
    pub public_url: Option<String>,
    /// Seed of the credentials, the poll tokens and the fault draws.
    pub seed: u64,
    /// Faults to inject on the ingest and delivery endpoints.
    pub faults: FaultPlan,
    /// Delay of a `slow` fault.
    pub slow: Duration,
    /// `Retry-After` of a `429` (and of `503` while down), in whole seconds.
    pub retry_after_secs: u64,
    /// Send `Retry-After` as an HTTP date instead of seconds.
    pub retry_after_http_date: bool,
    /// Approve a poll token after this many `{"connected": false}` answers;
    /// `None`: only `POST /__sandbox/approve` approves.
    pub approve_after: Option<u32>,
    /// How long a poll token lives before it answers `410`.
    pub poll_token_ttl: Duration,
    /// Start "down" for this long.
    pub down_for: Option<Duration>,
    /// What "down" means.
    pub down_mode: DownMode,
    /// Use this write key instead of the seeded one.
    pub write_key: Option<String>,
    /// Use this webhook secret instead of the seeded one (e.g. the secret
    /// that signed recorded WooCommerce deliveries).
    pub webhook_secret: Option<String>,
    /// Organization name handed out by the connect flow.
    pub organization_name: String,
    /// Largest ingest body in bytes.
    pub max_ingest_bytes: usize,
    /// Most events per ingest batch.
    pub max_batch_events: usize,
    /// Largest delivery body in bytes.
    pub max_delivery_bytes: usize,
    /// Tokio worker threads (1 runs everything on the sandbox's own thread).
    pub threads: usize,
    /// Log one line per request to stderr.
    pub verbose: bool,
}

impl Default for SandboxConfig {
    fn default() -> SandboxConfig {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            allow_remote: false,
            public_url: None,
            seed: 1,
            faults: FaultPlan::none(),
            slow: Duration::from_millis(2000),
            retry_after_secs: 1,
            retry_after_http_date: false,
            approve_after: Some(1),
            poll_token_ttl: Duration::from_secs(600),
            down_for: None,
            down_mode: DownMode::Unavailable,
            write_key: None,
            webhook_secret: None,
            organization_name: "Sandbox Store".to_owned(),
            max_ingest_bytes: DEFAULT_MAX_INGEST_BYTES,
            max_batch_events: DEFAULT_MAX_BATCH_EVENTS,
            max_delivery_bytes: DEFAULT_MAX_DELIVERY_BYTES,
            threads: 1,
            verbose: false,
        }
    }
}

/// Why the sandbox's flags were refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--faults` did not parse.
    #[error("--faults: {0}")]
    Faults(#[from] FaultPlanError),
    /// `--approve-after` is neither a count nor `never`.
    #[error("--approve-after: {value:?} is neither a number nor \"never\"")]
    ApproveAfter {
        /// The offending value.
        value: String,
    },
    /// `--webhook-secret-file` could not be read.
    #[error("--webhook-secret-file {path}: {source}")]
    SecretFile {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// The secret file is empty.
    #[error("--webhook-secret-file {path}: the file is empty")]
    EmptySecretFile {
        /// The file.
        path: PathBuf,
    },
    /// `--threads` is 0.
    #[error("--threads must be at least 1")]
    NoThreads,
}

/// Command-line flags of the sandbox (`segmentflow-wpcli sandbox …` and
/// `cargo run --example sandbox -- …`).
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Allow listening on a non-loopback address.
    #[arg(long)]
    pub allow_remote: bool,
    /// Base URL to hand out instead of `http://LISTEN-ADDRESS`.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Seed of credentials, poll tokens and fault draws (runs are reproducible).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Faults per request on ingest and deliveries, e.g.
    /// 429:0.05,500:0.03,reset:0.01,slow:0.01 (kinds: 429 500 502 503 reset lost slow).
    #[arg(long, default_value = "none", value_name = "SPEC")]
    pub faults: String,
    /// Delay of a `slow` fault, in milliseconds.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub slow_ms: u64,
    /// Retry-After of a 429 (and of 503 while down), in seconds.
    #[arg(long, default_value_t = 1, value_name = "SECS")]
    pub retry_after: u64,
    /// Send Retry-After as an HTTP date instead of seconds.
    #[arg(long)]
    pub retry_after_date: bool,
    /// Approve a poll token after N pending answers ("never": only
    /// POST /__sandbox/approve approves).
    #[arg(long, default_value = "1", value_name = "N|never")]
    pub approve_after: String,
    /// Lifetime of a poll token, in seconds.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    pub poll_token_ttl: u64,
    /// Start with the receiver down for this many milliseconds.
    #[arg(long, value_name = "MS")]
    pub down_for: Option<u64>,
    /// What "down" means: 503 answers, or refused connections.
    #[arg(long, default_value = "503", value_name = "503|refuse")]
    pub down_mode: DownMode,
    /// Use this write key instead of the seeded one.
    #[arg(long, value_name = "KEY")]
    pub write_key: Option<String>,
    /// Use this webhook secret instead of the seeded one.
    #[arg(long, value_name = "SECRET", conflicts_with = "webhook_secret_file")]
    pub webhook_secret: Option<String>,
    /// Read the webhook secret from a file (one trailing newline ignored).
    #[arg(long, value_name = "PATH")]
    pub webhook_secret_file: Option<PathBuf>,
    /// Organization name handed out by the connect flow.
    #[arg(long, default_value = "Sandbox Store", value_name = "NAME")]
    pub organization_name: String,
    /// Most events per ingest batch (more: 413).
    #[arg(long, default_value_t = DEFAULT_MAX_BATCH_EVENTS, value_name = "N")]
    pub max_batch_events: usize,
    /// Largest ingest body in bytes (larger: 413).
    #[arg(long, default_value_t = DEFAULT_MAX_INGEST_BYTES, value_name = "BYTES")]
    pub max_ingest_bytes: usize,
    /// Largest delivery body in bytes (larger: 413).
    #[arg(long, default_value_t = DEFAULT_MAX_DELIVERY_BYTES, value_name = "BYTES")]
    pub max_delivery_bytes: usize,
    /// Tokio worker threads.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub threads: usize,
    /// Log one line per request to stderr.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

impl SandboxArgs {
    /// Turns the flags into a [`SandboxConfig`] (reads
    /// `--webhook-secret-file`).
    pub fn into_config(self) -> Result<SandboxConfig, ConfigError> {
        let faults: FaultPlan = self.faults.parse()?;
        let approve_after = parse_approve_after(&self.approve_after)?;
        let webhook_secret = match (self.webhook_secret, self.webhook_secret_file) {
            (Some(secret), _) => Some(secret),
            (None, Some(path)) => {
                let text =
                    std::fs::read_to_string(&path).map_err(|source| ConfigError::SecretFile {
                        path: path.clone(),
                        source,
                    })?;
                let secret = text
                    .strip_suffix('\n')
                    .map(|s| s.strip_suffix('\r').unwrap_or(s))
                    .unwrap_or(&text);
                if secret.is_empty() {
                    return Err(ConfigError::EmptySecretFile { path });
                }
                Some(secret.to_owned())
            }
            (None, None) => None,
        };
        if self.threads == 0 {
            return Err(ConfigError::NoThreads);
        }
        Ok(SandboxConfig {
            listen: self.listen,
            allow_remote: self.allow_remote,
            public_url: self.public_url,
            seed: self.seed,
            faults,
            slow: Duration::from_millis(self.slow_ms),
            retry_after_secs: self.retry_after,
            retry_after_http_date: self.retry_after_date,
            approve_after,
            poll_token_ttl: Duration::from_secs(self.poll_token_ttl),
            down_for: self.down_for.map(Duration::from_millis),
            down_mode: self.down_mode,
            write_key: self.write_key,
            webhook_secret,
            organization_name: self.organization_name,
            max_ingest_bytes: self.max_ingest_bytes,
            max_batch_events: self.max_batch_events,
            max_delivery_bytes: self.max_delivery_bytes,
            threads: self.threads,
            verbose: self.verbose,
        })
    }
}

/// Reads `--approve-after`: a count, or `never`/`manual` for `None`.
fn parse_approve_after(value: &str) -> Result<Option<u32>, ConfigError> {
    match value {
        "never" | "manual" => Ok(None),
        _ => value
            .parse()
            .map(Some)
            .map_err(|_| ConfigError::ApproveAfter {
                value: value.to_owned(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }

    fn config(argv: &[&str]) -> Result<SandboxConfig, ConfigError> {
        let mut full = vec!["sandbox"];
        full.extend_from_slice(argv);
        Cli::try_parse_from(full)
            .expect("flags parse")
            .args
            .into_config()
    }

    #[test]
    fn defaults_match_the_library_defaults() {
        let from_flags = config(&[]).unwrap();
        let lib = SandboxConfig::default();
        assert_eq!(from_flags.listen, lib.listen);
        assert_eq!(from_flags.seed, lib.seed);
        assert_eq!(from_flags.faults, lib.faults);
        assert_eq!(from_flags.slow, lib.slow);
        assert_eq!(from_flags.approve_after, lib.approve_after);
        assert_eq!(from_flags.poll_token_ttl, lib.poll_token_ttl);
        assert_eq!(from_flags.max_ingest_bytes, lib.max_ingest_bytes);
        assert_eq!(from_flags.max_batch_events, lib.max_batch_events);
        assert_eq!(from_flags.max_delivery_bytes, lib.max_delivery_bytes);
        assert_eq!(from_flags.organization_name, lib.organization_name);
        assert_eq!(from_flags.threads, lib.threads);
        assert_eq!(from_flags.down_mode, lib.down_mode);
    }

    #[test]
    fn flags_reach_the_config() {
        let c = config(&[
            "--listen",
            "127.0.0.1:8799",
            "--faults",
            "429:0.05,500:0.03,reset:0.01,slow:0.01",
            "--approve-after",
            "2",
            "--slow-ms",
            "50",
            "--down-for",
            "300",
            "--down-mode",
            "refuse",
            "--seed",
            "42",
            "--retry-after-date",
        ])
        .unwrap();
        assert_eq!(c.listen.port(), 8799);
        assert_eq!(c.approve_after, Some(2));
        assert_eq!(c.slow, Duration::from_millis(50));
        assert_eq!(c.down_for, Some(Duration::from_millis(300)));
        assert_eq!(c.down_mode, DownMode::Refuse);
        assert_eq!(c.seed, 42);
        assert!(c.retry_after_http_date);
        assert_eq!(
            c.faults.to_string(),
            "429:0.05,500:0.03,reset:0.01,slow:0.01"
        );
        assert_eq!(
            config(&["--approve-after", "never"]).unwrap().approve_after,
            None
        );
    }

    #[test]
    fn bad_flags_are_named() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["--faults", "404:1"],
                "--faults: unknown fault kind \"404\"",
            ),
            (&["--approve-after", "soon"], "--approve-after: \"soon\""),
            (&["--threads", "0"], "--threads must be at least 1"),
            (
                &["--webhook-secret-file", "/nonexistent/secret"],
                "--webhook-secret-file /nonexistent/secret:",
            ),
        ];
        for (argv, want) in cases {
            let err = config(argv).unwrap_err().to_string();
            assert!(err.starts_with(want), "{argv:?}: {err}");
        }
    }

    #[test]
    fn secret_file_drops_one_trailing_newline() {
        let dir = std::env::temp_dir().join(format!("sf-sandbox-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("secret.txt");
        std::fs::write(&path, "s3cret \n").unwrap();
        let c = config(&["--webhook-secret-file", path.to_str().unwrap()]).unwrap();
        assert_eq!(c.webhook_secret.as_deref(), Some("s3cret "));
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            config(&["--webhook-secret-file", path.to_str().unwrap()]),
            Err(ConfigError::EmptySecretFile { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
