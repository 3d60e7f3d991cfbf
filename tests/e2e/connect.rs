//! `sandbox`, `connect` and `disconnect` end to end: the real binary, real
//! MariaDB with WordPress installed, WooCommerce's real `wc_webhooks` DDL,
//! and the sandbox over real HTTP.

use std::io::BufRead as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use segmentflow_wpcli::sandbox::{self, Credentials, SandboxConfig, SandboxHandle};

use crate::util::{TempDir, TestEnv, bin};

/// The credentials JSON a host pipes to `connect --stdin`.
pub fn input_json(creds: &Credentials, secret: &str) -> String {
    serde_json::json!({
        "write_key": creds.write_key,
        "organization_id": creds.organization_id,
        "organization_name": creds.organization_name,
        "webhook_secret": secret,
        "webhook_delivery_url": creds.webhook_delivery_url,
    })
    .to_string()
}

/// A sandbox on a free loopback port.
pub fn start_sandbox(config: SandboxConfig) -> SandboxHandle {
    sandbox::start(config).expect("sandbox starts")
}

/// A sandbox on a free loopback port with `env` connected to it, `secret`
/// stored as the webhook secret (the sandbox's own when `None`).
pub fn connected_sandbox(
    env: &TestEnv,
    config: SandboxConfig,
    secret: Option<&str>,
) -> SandboxHandle {
    let sandbox = start_sandbox(config);
    let secret = secret
        .map(str::to_owned)
        .unwrap_or_else(|| sandbox.credentials().webhook_secret.clone());
    connect_to(env, &sandbox, &secret);
    sandbox
}

/// Connects `env` to `sandbox` non-interactively, pointing `api_host` at it.
pub fn connect_to(env: &TestEnv, sandbox: &SandboxHandle, secret: &str) {
    env.set_option("segmentflow_api_host", sandbox.base_url());
    let out = bin()
        .args(["--context=-", "connect", "--stdin", "--porcelain"])
        .stdin(format!(
            "{}\n{}\n",
            env.context_json_early(),
            input_json(sandbox.credentials(), secret)
        ))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

fn option(env: &TestEnv, name: &str) -> Option<String> {
    env.option_row(name).map(|(v, _)| v)
}

#[test]
fn sandbox_subcommand_prints_its_line_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_segmentflow-wpcli"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--seed", "7"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the sandbox");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let creds: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    let base = creds["base_url"].as_str().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    assert!(creds["write_key"].as_str().is_some_and(|k| !k.is_empty()));
    let stats: serde_json::Value = ureq::get(&format!("{base}/__sandbox/stats"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(stats["connected"], true);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "the sandbox ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(0));
}

#[test]
fn connect_non_interactive_saves_options_and_registers_webhooks() {
    let env = TestEnv::new();
    env.install_woocommerce_webhooks();
    let sandbox = start_sandbox(SandboxConfig::default());
    let creds = sandbox.credentials().clone();
    let written = TempDir::new();
    let report = written.path().join("written.json");

    let out = bin()
        .env("SEGMENTFLOW_WRITTEN_OPTIONS_FILE", &report)
        .args([
            "--context=-",
            "--debug",
            "connect",
            "--stdin",
            "--porcelain",
        ])
        .stdin(format!(
            "{}\n{}\n",
            env.context_json_early(),
            input_json(&creds, &creds.webhook_secret)
        ))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("{}\n", creds.organization_id));
    assert_eq!(
        option(&env, "segmentflow_write_key"),
        Some(creds.write_key.clone())
    );
    assert_eq!(
        option(&env, "segmentflow_connected_platform").as_deref(),
        Some("woocommerce")
    );
    assert_eq!(
        env.php_get_option("segmentflow_webhook_secret"),
        format!(
            "s:{}:\"{}\";",
            creds.webhook_secret.len(),
            creds.webhook_secret
        )
    );
    let names: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    for name in [
        "segmentflow_write_key",
        "segmentflow_organization_id",
        "segmentflow_webhook_secret",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }

    let hooks = env.segmentflow_webhooks();
    assert_eq!(hooks.len(), 10, "{hooks:?} {}", out.stderr);
    for (_, status, _, secret, url, api) in &hooks {
        assert_eq!(
            (status.as_str(), secret.as_str(), url.as_str(), *api),
            (
                "active",
                creds.webhook_secret.as_str(),
                creds.webhook_delivery_url.as_str(),
                2
            )
        );
    }
    let foreign =
        env.sql("SELECT COUNT(*) FROM wp_wc_webhooks WHERE name LIKE 'Segmentflow acceptance %'");
    assert_eq!(
        foreign[0][0].as_deref(),
        Some("3"),
        "other webhooks untouched"
    );

    // Reconnecting with a rotated secret (from a file) updates the same rows.
    let file = written.path().join("creds.json");
    std::fs::write(&file, input_json(&creds, "whsec_rotated_0123456789")).unwrap();
    let out = env
        .cmd()
        .args(["connect", &format!("--from-file={}", file.display())])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("0 created, 10 updated, 0 deleted"),
        "{}",
        out.stdout
    );
    let rotated = env.segmentflow_webhooks();
    assert_eq!(
        rotated.iter().map(|h| h.0).collect::<Vec<_>>(),
        hooks.iter().map(|h| h.0).collect::<Vec<_>>(),
        "same rows"
    );
    assert!(rotated.iter().all(|h| h.3 == "whsec_rotated_0123456789"));
    assert_eq!(
        option(&env, "segmentflow_webhook_secret").as_deref(),
        Some("whsec_rotated_0123456789")
    );

    // Bad input is refused before anything is written.
    let out = env
        .cmd()
        .args(["connect", "--stdin"])
        .stdin(r#"{"write_key": "", "organization_id": "x"}"#)
        .run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("write_key"), "{}", out.stderr);
}

#[test]
fn connect_interactive_polls_until_approved() {
    let env = TestEnv::new();
    let sandbox = start_sandbox(SandboxConfig {
        approve_after: Some(2),
        ..SandboxConfig::default()
    });
    env.set_option("segmentflow_api_host", sandbox.base_url());
    let token = sandbox.credentials().poll_token.clone();
    let out = env
        .cmd()
        .args([
            "connect",
            &format!("--poll-token={token}"),
            "--poll-interval-ms=50",
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "https://dashboard.segmentflow.ai/connect/wordpress?site_url=http%3A%2F%2Fexample.test"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(
        option(&env, "segmentflow_write_key"),
        Some(sandbox.credentials().write_key.clone())
    );
    assert_eq!(
        option(&env, "segmentflow_connected_platform").as_deref(),
        Some("wordpress")
    );
    let stats = sandbox.stats();
    assert_eq!(stats.connect.approved, 1);
    assert!(stats.connect.pending >= 2, "{:?}", stats.connect);

    // The token was used: polling again is a clear error.
    let out = env
        .cmd()
        .args(["connect", "--poll-interval-ms=50"])
        .env("SEGMENTFLOW_POLL_TOKEN", &token)
        .run();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("expired or was already used (HTTP 410)"),
        "{}",
        out.stderr
    );
    // So is a token the API never issued.
    let out = env
        .cmd()
        .args(["connect", "--poll-interval-ms=50"])
        .stdin("pt_not_issued\n")
        .run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("(HTTP 404)"), "{}", out.stderr);
}

#[test]
fn connect_interactive_waits_for_the_approve_endpoint_and_times_out() {
    let env = TestEnv::new();
    let sandbox = start_sandbox(SandboxConfig {
        approve_after: None,
        ..SandboxConfig::default()
    });
    env.set_option("segmentflow_api_host", sandbox.base_url());
    let token = sandbox.credentials().poll_token.clone();

    let out = env
        .cmd()
        .args([
            "connect",
            &format!("--poll-token={token}"),
            "--poll-interval-ms=50",
            "--timeout=1",
        ])
        .run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("timed out after 1 s"), "{}", out.stderr);
    assert_eq!(option(&env, "segmentflow_write_key"), None);

    let approve = format!("{}/__sandbox/approve?token={token}", sandbox.base_url());
    let approver = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        ureq::post(&approve).send_empty().unwrap().status().as_u16()
    });
    let out = env
        .cmd()
        .args([
            "connect",
            &format!("--poll-token={token}"),
            "--poll-interval-ms=50",
        ])
        .run();
    assert_eq!(approver.join().unwrap(), 200);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(sandbox.stats().connect.manual_approvals, 1);
    assert!(option(&env, "segmentflow_write_key").is_some());
}

#[test]
fn connect_refuses_a_plain_http_api_host() {
    let env = TestEnv::new();
    env.set_option("segmentflow_api_host", "http://api.example.com");
    let out = env.cmd().args(["connect", "--poll-token=pt_x"]).run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("https"), "{}", out.stderr);
}

#[test]
fn disconnect_with_the_api_down_warns_and_succeeds() {
    let env = TestEnv::new();
    env.install_woocommerce_webhooks();
    let sandbox = start_sandbox(SandboxConfig::default());
    connect_to(
        &env,
        &sandbox,
        &sandbox.credentials().webhook_secret.clone(),
    );
    assert_eq!(env.segmentflow_webhooks().len(), 10);
    // The API goes away.
    env.set_option("segmentflow_api_host", "http://127.0.0.1:1");

    let out = env.cmd().args(["disconnect"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("Warning: could not notify Segmentflow"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("10 webhook(s) removed"),
        "{}",
        out.stdout
    );
    assert!(env.segmentflow_webhooks().is_empty());
    for name in [
        "segmentflow_write_key",
        "segmentflow_organization_id",
        "segmentflow_webhook_secret",
        "segmentflow_webhook_delivery_url",
        "segmentflow_connected_platform",
    ] {
        assert_eq!(option(&env, name), None, "{name}");
    }
    let foreign = env.sql("SELECT COUNT(*) FROM wp_wc_webhooks");
    assert_eq!(
        foreign[0][0].as_deref(),
        Some("3"),
        "other webhooks untouched"
    );

    // Idempotent.
    let out = env.cmd().args(["disconnect"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("not connected"), "{}", out.stdout);
}

#[test]
fn disconnect_notifies_the_api() {
    let env = TestEnv::new();
    let sandbox = start_sandbox(SandboxConfig::default());
    connect_to(
        &env,
        &sandbox,
        &sandbox.credentials().webhook_secret.clone(),
    );
    let out = env.cmd().args(["disconnect"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("Warning"), "{}", out.stderr);
    let stats = sandbox.stats();
    assert_eq!(stats.disconnect.ok, 1);
    assert!(!stats.connected);
}
