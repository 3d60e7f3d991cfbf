//! `settings list|get|set` against real WordPress: every format, every
//! validation error with its exit code, the autoload WordPress would use,
//! the written-options report, and WordPress's own `get_option()` reading
//! back what was written.

use crate::assert_output;
use crate::util::{TempDir, TestEnv, bin};

#[test]
fn list_in_every_format() {
    let env = TestEnv::read_only();
    let mut all = String::new();
    for format in ["table", "json", "csv", "yaml", "count"] {
        let out = env
            .cmd()
            .args(["settings", "list", &format!("--format={format}")])
            .run();
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        assert!(out.stderr.is_empty(), "{}", out.stderr);
        all.push_str(&format!("== {format}\n{}\n", out.stdout));
    }
    let out = env
        .cmd()
        .env("SHELL_PIPE", "0")
        .args(["settings", "list", "--fields=name,option_name,description"])
        .run();
    all.push_str(&format!("== table on a terminal, --fields\n{}", out.stdout));
    insta::assert_snapshot!("settings_list_formats", all);
}

#[test]
fn get_in_every_format() {
    let env = TestEnv::read_only();
    let mut all = String::new();
    for name in [
        "debug_mode",
        "wc_enabled",
        "api_host",
        "app-host",
        "segmentflow_consent_required",
    ] {
        for format in ["table", "json", "yaml"] {
            let out = env
                .cmd()
                .args(["settings", "get", name, &format!("--format={format}")])
                .run();
            assert_eq!(out.code, 0, "{name} {format}: {}", out.stderr);
            all.push_str(&format!("== {name} {format}\n{}", out.stdout));
        }
    }
    insta::assert_snapshot!("settings_get_formats", all);
}

#[test]
fn set_writes_what_wordpress_reads_back() {
    let env = TestEnv::new();
    let dir = TempDir::new();
    let report = dir.path().join("written.json");
    // (setting, typed value, stored option_value, serialize(get_option()))
    let cases = [
        ("debug_mode", "on", "1", r#"s:1:"1";"#),
        ("consent_required", "YES", "1", r#"s:1:"1";"#),
        ("wc_enabled", "off", "", r#"s:0:"";"#),
        (
            "api_host",
            " https://api.example.test/ ",
            "https://api.example.test",
            r#"s:24:"https://api.example.test";"#,
        ),
        (
            "app_host",
            "http://127.0.0.1:8089",
            "http://127.0.0.1:8089",
            r#"s:21:"http://127.0.0.1:8089";"#,
        ),
        ("debug_mode", "false", "", r#"s:0:"";"#),
    ];
    for (setting, typed, stored, php) in cases {
        let option = format!("segmentflow_{setting}");
        let out = env
            .cmd()
            .env("SEGMENTFLOW_WRITTEN_OPTIONS_FILE", &report)
            .args(["settings", "set", setting, typed])
            .run();
        assert_eq!(out.code, 0, "{setting}: {}", out.stderr);
        assert!(
            out.stdout
                .starts_with(&format!("Success: {setting} is now ")),
            "{}",
            out.stdout
        );
        assert_eq!(
            std::fs::read_to_string(&report).unwrap(),
            format!("[\"{option}\"]"),
            "{setting}"
        );
        // WordPress 6.1 (db_version 53496): a new row is autoload 'yes'.
        assert_eq!(
            env.option_row(&option),
            Some((stored.to_owned(), "yes".to_owned())),
            "{setting}"
        );
        assert_eq!(env.php_get_option(&option), php, "{setting}");
        let out = env.cmd().args(["settings", "get", setting]).run();
        let shown = match stored {
            "1" => "on",
            "" => "off",
            url => url,
        };
        assert_eq!(out.stdout, format!("{shown}\n"), "{setting}");
    }

    // The same value again: nothing written, nothing reported.
    let out = env
        .cmd()
        .env("SEGMENTFLOW_WRITTEN_OPTIONS_FILE", &report)
        .args(["settings", "set", "wc_enabled", "0"])
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Success: wc_enabled is already off.\n")
    );
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "[]");

    // An existing row keeps its autoload.
    env.sql("UPDATE wp_options SET autoload = 'no' WHERE option_name = 'segmentflow_debug_mode'");
    let out = env.cmd().args(["settings", "set", "debug_mode", "1"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        env.option_row("segmentflow_debug_mode"),
        Some(("1".into(), "no".into()))
    );

    // --quiet: no Success line.
    let out = env
        .cmd()
        .args(["--quiet", "settings", "set", "debug_mode", "off"])
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );

    let out = env.cmd().args(["settings", "list", "--format=json"]).run();
    insta::assert_snapshot!("settings_list_after_set", out.stdout);
}

#[test]
fn autoload_follows_the_wordpress_version() {
    let env = TestEnv::new();
    // PHP says WordPress 6.6.2: a new row gets 'auto', as add_option() gives it.
    let mut ctx: serde_json::Value = serde_json::from_str(&env.context_json()).unwrap();
    ctx["wp_version"] = "6.6.2".into();
    // The PHP package passes positionals after `--`.
    let out = bin()
        .args([
            "--context=-",
            "settings",
            "set",
            "--",
            "consent_required",
            "on",
        ])
        .stdin(format!("{ctx}\n"))
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Success: consent_required is now on.\n"),
        "{}",
        out.stderr
    );
    assert_eq!(
        env.option_row("segmentflow_consent_required"),
        Some(("1".into(), "auto".into()))
    );

    // Standalone, wp-includes/version.php under ABSPATH says 6.1.9: 'yes'.
    let out = env
        .cmd()
        .args(["settings", "set", "app_host", "https://app.example.test"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        env.option_row("segmentflow_app_host")
            .map(|r| r.1)
            .as_deref(),
        Some("yes")
    );
    let out = env
        .cmd()
        .args(["status", "--format=json", "--fields=wp_version"])
        .run();
    assert_eq!(out.stdout, "{\"wp_version\":\"6.1.9\"}\n", "{}", out.stderr);

    // Without version.php, the site's db_version decides (57155 = WordPress 6.6).
    env.write_wp_config(
        &crate::util::server().php_db_host(),
        "define( 'ABSPATH', '/nonexistent/' );\n",
    );
    env.sql("UPDATE wp_options SET option_value = '57155' WHERE option_name = 'db_version'");
    let out = env
        .cmd()
        .args(["settings", "set", "debug_mode", "on"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        env.option_row("segmentflow_debug_mode"),
        Some(("1".into(), "auto".into()))
    );
    assert_eq!(env.php_get_option("segmentflow_debug_mode"), r#"s:1:"1";"#);

    // The context PHP sends before WordPress loads works too.
    let out = bin()
        .args(["--context=-", "settings", "set", "wc_enabled", "off"])
        .stdin(format!("{}\n", env.context_json_early()))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(env.php_get_option("segmentflow_wc_enabled"), r#"s:0:"";"#);
}

#[test]
fn every_validation_error() {
    let env = TestEnv::read_only();
    let cases: &[(&str, &[&str])] = &[
        ("bool_word", &["settings", "set", "debug_mode", "maybe"]),
        ("bool_empty", &["settings", "set", "wc_enabled", ""]),
        ("url_empty", &["settings", "set", "api_host", " "]),
        (
            "url_no_scheme",
            &["settings", "set", "api_host", "api.example.test"],
        ),
        (
            "url_scheme",
            &["settings", "set", "app_host", "ftp://files.example.test"],
        ),
        (
            "url_plain_http",
            &["settings", "set", "api_host", "http://api.example.test"],
        ),
        (
            "url_credentials",
            &[
                "settings",
                "set",
                "api_host",
                "https://user:pw@api.example.test",
            ],
        ),
        (
            "url_query",
            &[
                "settings",
                "set",
                "api_host",
                "https://api.example.test/?x=1",
            ],
        ),
        (
            "url_port",
            &[
                "settings",
                "set",
                "api_host",
                "https://api.example.test:99999",
            ],
        ),
        (
            "url_character",
            &[
                "settings",
                "set",
                "app_host",
                "https://dash.example.test/a b",
            ],
        ),
        (
            "unknown_setting_set",
            &["settings", "set", "write_key", "x"],
        ),
        ("unknown_setting_get", &["settings", "get", "nope"]),
        ("missing_value", &["settings", "set", "debug_mode"]),
        (
            "format_on_set",
            &["settings", "set", "debug_mode", "on", "--format=json"],
        ),
        (
            "format_on_get",
            &["settings", "get", "debug_mode", "--format=csv"],
        ),
    ];
    let mut all = String::new();
    for (name, args) in cases {
        let out = env.cmd().args(*args).run();
        assert!(out.code == 1 || out.code == 2, "{name}: {}", out.code);
        assert!(out.stdout.is_empty(), "{name}: {}", out.stdout);
        all.push_str(&format!(
            "== {name}: {}\n{}\n",
            args.join(" "),
            out.snapshot()
        ));
    }
    assert_output!("settings_validation_errors", AllOutput(all));
    // Nothing was written.
    let rows = env.sql("SELECT COUNT(*) FROM wp_options WHERE option_name LIKE 'segmentflow\\_%'");
    assert_eq!(rows, vec![vec![Some("0".to_owned())]]);
}

/// Lets `assert_output!` snapshot several outputs at once.
struct AllOutput(String);

impl AllOutput {
    fn snapshot(&self) -> String {
        self.0.clone()
    }
}
