//! End-to-end tests of `segmentflow-wpcli`: the real binary against real
//! MariaDB with real WordPress core installed into it (and a SQLite twin).
//! One test binary; the harness is in `util.rs`.

mod cmds;
mod connect;
mod contract;
mod db;
mod demo_site;
mod insight;
mod reliability;
mod revenue_brand;
mod segments;
mod settings;
mod status;
mod store;
mod sync;
mod sync_util;
mod util;

use util::{SOCKET, TEST_PASSWORD, TestEnv, bin, server};

// ---------------------------------------------------------------- usage

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["status", "--no-such-flag"][..],
        &["status", "--format=ids"][..],
        &["options", "get"][..],
        &["--context=/tmp/ctx.json", "status"][..],
        &["options", "get", "siteurl", "--format=table"][..],
    ] {
        let out = bin().args(args).run();
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stdout.is_empty(),
            "{args:?}: usage errors print nothing on stdout"
        );
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn help_and_version_exit_0() {
    let out = bin().args(["--help"]).run();
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("Usage: segmentflow-wpcli"),
        "{}",
        out.stdout
    );
    let out = bin().args(["--version"]).run();
    assert_output!("version", out);
}

#[test]
fn bad_format_for_command_snapshot() {
    let out = bin().args(["status", "--format=count"]).run();
    assert_output!("status_format_count", out);
}

// ---------------------------------------------------------------- site discovery

#[test]
fn missing_wp_config_is_a_clear_error() {
    let dir = util::TempDir::new();
    let out = bin()
        .args([format!("--path={}", dir.path().display()), "status".into()])
        .run();
    assert_output!("missing_wp_config", out);
}

#[test]
fn wp_config_in_parent_directory_is_found() {
    let env = TestEnv::read_only();
    let sub = env.root.path().join("wordpress");
    std::fs::create_dir_all(&sub).unwrap();
    let out = bin()
        .args([
            format!("--path={}", sub.display()),
            "options".into(),
            "get".into(),
            "siteurl".into(),
        ])
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "http://example.test\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_table_prefix_is_a_clear_error() {
    let env = TestEnv::read_only();
    env.write_wp_config_full(&server().php_db_host(), "", "wp-x;", "");
    let out = env.cmd().args(["status"]).run();
    assert_output!("bad_table_prefix", out);
}

#[test]
fn wrong_password_is_reported_without_the_password() {
    let env = TestEnv::read_only();
    env.write_wp_config_full(&server().php_db_host(), "Sup3r-Secret-pw", "wp_", "");
    let out = env.cmd().args(["status"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr
            .starts_with("Error: cannot connect to MySQL/MariaDB database"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Access denied"), "{}", out.stderr);
    assert!(!out.stderr.contains("Sup3r-Secret-pw"), "{}", out.stderr);
    assert_eq!(
        out.stderr.lines().count(),
        1,
        "one error line: {}",
        out.stderr
    );
    env.write_wp_config_full("127.0.0.1:3306", "Sup3r-Secret-pw", "wp_", "");
    let out = env.cmd().args(["status"]).run();
    assert_output!("wrong_password", out);
}

#[test]
fn computed_password_needs_the_environment_variable() {
    let env = TestEnv::read_only();
    env.write_wp_config(&server().php_db_host(), "");
    let file = env.root.path().join("wp-config.php");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        &format!("define( 'DB_PASSWORD', '{TEST_PASSWORD}' );"),
        "define( 'DB_PASSWORD', getenv( 'WP_DB_PASS' ) );",
    );
    std::fs::write(&file, text).unwrap();
    let out = env.cmd().args(["status"]).run();
    assert_output!("computed_password", out);
    let out = env
        .cmd()
        .env("SEGMENTFLOW_DB_PASSWORD", "not-it")
        .args(["status"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("Access denied"), "{}", out.stderr);
    assert!(!out.stderr.contains("not-it"), "{}", out.stderr);
    let out = env
        .cmd()
        .env("SEGMENTFLOW_DB_PASSWORD", TEST_PASSWORD)
        .args(["options", "get", "blogname"])
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Segmentflow Test Site\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn context_password_is_used() {
    let env = TestEnv::read_only();
    let mut ctx: serde_json::Value = serde_json::from_str(&env.context_json()).unwrap();
    ctx["db_password"] = "wrong-one".into();
    let out = bin()
        .args(["--context=-", "status"])
        .stdin(format!("{ctx}\n"))
        .run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("Access denied"), "{}", out.stderr);
    assert!(!out.stderr.contains("wrong-one"), "{}", out.stderr);
    // Without a password in the context, the environment supplies it.
    ctx.as_object_mut().unwrap().remove("db_password");
    let out = bin()
        .args(["--context=-", "options", "get", "blogname"])
        .env("SEGMENTFLOW_DB_PASSWORD", TEST_PASSWORD)
        .stdin(format!("{ctx}\n"))
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Segmentflow Test Site\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn db_host_forms_reach_the_real_server() {
    let env = TestEnv::read_only();
    let mut forms = vec!["127.0.0.1:3306".to_owned(), "127.0.0.1".to_owned()];
    if server().socket.is_some() {
        forms.extend([
            "localhost".to_owned(),
            format!("localhost:{SOCKET}"),
            format!(":{SOCKET}"),
            format!("p:localhost:{SOCKET}"),
        ]);
    }
    for form in forms {
        env.write_wp_config(&form, "");
        let out = env
            .cmd()
            .args(["--debug", "options", "get", "siteurl"])
            .run();
        assert_eq!(out.code, 0, "{form}: {}", out.stderr);
        assert_eq!(out.stdout, "http://example.test\n", "{form}");
    }
}

#[test]
fn unreachable_host_is_an_error() {
    let env = TestEnv::read_only();
    env.write_wp_config("127.0.0.1:1", "");
    let out = env.cmd().args(["status"]).run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("via tcp 127.0.0.1:1"), "{}", out.stderr);
}

#[test]
fn context_on_stdin() {
    let env = TestEnv::read_only();
    let out = bin()
        .args(["--context=-", "status", "--format=json"])
        .stdin(format!("{}\n", env.context_json()))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let status: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(status["site_url"], "http://example.test");
    assert_eq!(status["database"], "mysql");

    let out = bin().args(["--context=-", "status"]).stdin("").run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no site context"), "{}", out.stderr);
    let out = bin().args(["--context=-", "status"]).stdin("{nope\n").run();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("site context (first stdin line) is not valid"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------- options

#[test]
fn options_get_reads_real_wordpress() {
    let env = TestEnv::read_only();
    let out = env.cmd().args(["options", "get", "blogname"]).run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Segmentflow Test Site\n")
    );
    let out = env
        .cmd()
        .args(["options", "get", "home", "--format=json"])
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "\"http:\\/\\/example.test\"\n")
    );
    let out = env.cmd().args(["options", "get", "no_such_option"]).run();
    assert_output!("options_get_missing", out);
}

#[test]
fn options_list_formats() {
    let env = TestEnv::read_only();
    let mut all = String::new();
    for format in ["table", "json", "csv", "yaml", "ids", "count"] {
        let out = env
            .cmd()
            .args([
                "options",
                "list",
                "--search=blog*",
                &format!("--format={format}"),
            ])
            .run();
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        all.push_str(&format!("== {format}\n{}\n", out.stdout));
    }
    let out = env
        .cmd()
        .env("SHELL_PIPE", "0")
        .args([
            "options",
            "list",
            "--search=blog*",
            "--fields=option_name,autoload",
        ])
        .run();
    all.push_str(&format!("== table on a terminal, --fields\n{}", out.stdout));
    insta::assert_snapshot!("options_list_formats", all);
}

#[test]
fn options_list_unknown_field() {
    let env = TestEnv::read_only();
    let out = env
        .cmd()
        .args(["options", "list", "--search=home", "--fields=nope"])
        .run();
    assert_output!("options_list_unknown_field", out);
}

#[test]
fn option_writes_behave_like_update_option() {
    let env = TestEnv::new();
    let written = util::TempDir::new();
    let report = written.path().join("written.json");

    // A new row on WordPress 6.1 (db_version 53496): autoload 'yes'.
    let out = env
        .cmd()
        .env("SEGMENTFLOW_WRITTEN_OPTIONS_FILE", &report)
        .args(["options", "set", "segmentflow_debug_mode", "1"])
        .run();
    assert_output!("options_set_new", out);
    assert_eq!(
        env.option_row("segmentflow_debug_mode"),
        Some(("1".into(), "yes".into()))
    );
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        r#"["segmentflow_debug_mode"]"#
    );
    assert_eq!(env.php_get_option("segmentflow_debug_mode"), r#"s:1:"1";"#);

    // An existing row keeps its autoload.
    env.sql("UPDATE wp_options SET autoload = 'no' WHERE option_name = 'segmentflow_debug_mode'");
    let out = env
        .cmd()
        .args(["options", "set", "segmentflow_debug_mode", ""])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        env.option_row("segmentflow_debug_mode"),
        Some(("".into(), "no".into()))
    );
    assert_eq!(env.php_get_option("segmentflow_debug_mode"), r#"s:0:"";"#);

    // Writing the same value again changes nothing and reports nothing.
    let out = env
        .cmd()
        .env("SEGMENTFLOW_WRITTEN_OPTIONS_FILE", &report)
        .args(["options", "set", "segmentflow_debug_mode", ""])
        .run();
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("unchanged"), "{}", out.stdout);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "[]");

    // WordPress >= 6.6 (db_version >= 57155): new rows get 'auto'.
    env.sql("UPDATE wp_options SET option_value = '57155' WHERE option_name = 'db_version'");
    let serialized = r#"a:2:{s:4:"name";s:5:"Acme!";s:2:"id";i:42;}"#;
    let out = env
        .cmd()
        .args(["options", "set", "segmentflow_organization"])
        .stdin(format!("{serialized}\n"))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        env.option_row("segmentflow_organization"),
        Some((serialized.into(), "auto".into()))
    );
    assert_eq!(
        env.php_get_option("segmentflow_organization"),
        serialized,
        "PHP unserializes what we stored"
    );

    // Only our own options can be written.
    let out = env
        .cmd()
        .args(["options", "set", "siteurl", "http://evil.test"])
        .run();
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("only Segmentflow's own options"),
        "{}",
        out.stderr
    );
    assert_eq!(env.option_row("siteurl").unwrap().0, "http://example.test");

    // Delete.
    let out = env
        .cmd()
        .args(["options", "delete", "segmentflow_organization"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(env.option_row("segmentflow_organization"), None);
    assert_eq!(env.php_get_option("segmentflow_organization"), "b:0;");
    let out = env
        .cmd()
        .args(["options", "delete", "segmentflow_organization"])
        .run();
    assert_eq!(out.code, 1);
}

#[test]
fn option_value_from_stdin_after_the_context_line() {
    let env = TestEnv::new();
    let out = bin()
        .args(["--context=-", "options", "set", "segmentflow_write_key"])
        .stdin(format!("{}\nwk_live_abc123\n", env.context_json()))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        env.option_row("segmentflow_write_key"),
        Some(("wk_live_abc123".into(), "yes".into()))
    );
    assert_eq!(
        env.php_get_option("segmentflow_write_key"),
        r#"s:14:"wk_live_abc123";"#
    );
}

// ---------------------------------------------------------------- status

#[test]
fn status_formats() {
    let env = TestEnv::read_only();
    let mut all = String::new();
    for format in ["table", "json", "csv", "yaml"] {
        let out = env
            .cmd()
            .args(["status", &format!("--format={format}")])
            .run();
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        all.push_str(&format!("== {format}\n{}\n", out.stdout));
    }
    let out = env.cmd().env("SHELL_PIPE", "0").args(["status"]).run();
    all.push_str(&format!("== table on a terminal\n{}", out.stdout));
    insta::assert_snapshot!("status_formats", all);
}

#[test]
fn status_sees_woocommerce_and_hpos() {
    let env = TestEnv::new();
    env.sql(r#"UPDATE wp_options SET option_value = 'a:1:{i:0;s:27:"woocommerce/woocommerce.php";}' WHERE option_name = 'active_plugins'"#);
    env.sql("INSERT INTO wp_options (option_name, option_value, autoload) VALUES ('woocommerce_version', '9.4.2', 'yes'), ('woocommerce_custom_orders_table_enabled', 'yes', 'yes'), ('woocommerce_custom_orders_table_data_sync_enabled', 'no', 'yes')");
    let out = env.cmd().args(["status", "--format=json"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(s["woocommerce_active"], true);
    assert_eq!(s["woocommerce_version"], "9.4.2");
    assert_eq!(s["hpos_enabled"], true);
    assert_eq!(s["hpos_sync_enabled"], false);
}

// ---------------------------------------------------------------- multisite

#[test]
fn multisite_url_selects_the_blog() {
    let env = TestEnv::read_only_multisite();
    let out = env.cmd().args(["options", "get", "blogname"]).run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Segmentflow Test Site\n"),
        "{}",
        out.stderr
    );
    let out = env
        .cmd()
        .args([
            "--url=http://example.test/second/",
            "options",
            "get",
            "blogname",
        ])
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Second Blog\n"),
        "{}",
        out.stderr
    );
    let out = env
        .cmd()
        .args([
            "--url=example.test/second",
            "status",
            "--format=json",
            "--fields=blog_id,multisite,site_url",
        ])
        .run();
    assert_eq!(
        out.stdout,
        "{\"blog_id\":2,\"multisite\":true,\"site_url\":\"http:\\/\\/example.test\\/second\"}\n",
        "{}",
        out.stderr
    );
    let out = env
        .cmd()
        .args(["--url=http://example.test/nope/", "status"])
        .run();
    assert_output!("multisite_unknown_url", out);
}

// ---------------------------------------------------------------- SQLite

#[test]
fn sqlite_site_reads_and_writes_the_same_way() {
    let env = TestEnv::read_only();
    let site = env.sqlite_site();
    let cmd = || bin().args([format!("--path={}", site.path().display())]);

    let out = cmd().args(["options", "get", "blogname"]).run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Segmentflow Test Site\n"),
        "{}",
        out.stderr
    );

    let mysql_list = env
        .cmd()
        .args(["options", "list", "--search=blog*", "--format=csv"])
        .run();
    let sqlite_list = cmd()
        .args(["options", "list", "--search=blog*", "--format=csv"])
        .run();
    assert_eq!(sqlite_list.code, 0, "{}", sqlite_list.stderr);
    assert_eq!(
        sqlite_list.stdout, mysql_list.stdout,
        "same rows from both engines"
    );

    let out = cmd()
        .args(["status", "--format=json", "--fields=database,wp_db_version"])
        .run();
    assert_eq!(
        out.stdout, "{\"database\":\"sqlite\",\"wp_db_version\":53496}\n",
        "{}",
        out.stderr
    );

    let out = cmd()
        .args(["options", "set", "segmentflow_debug_mode", "1"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = cmd()
        .args([
            "options",
            "list",
            "--search=segmentflow_*",
            "--fields=option_name,option_value,autoload",
            "--format=csv",
        ])
        .run();
    assert_eq!(
        out.stdout,
        "option_name,option_value,autoload\nsegmentflow_debug_mode,1,yes\n"
    );

    std::fs::remove_file(site.path().join("wp-content/database/.ht.sqlite")).unwrap();
    let out = cmd().args(["status"]).run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("uses SQLite"), "{}", out.stderr);
}

// ---------------------------------------------------------------- plumbing

#[test]
fn closed_stdout_counts_as_success() {
    use std::process::{Command, Stdio};
    let env = TestEnv::read_only();
    for _ in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_segmentflow-wpcli"))
            .args([
                format!("--path={}", env.root.path().display()),
                "options".into(),
                "list".into(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn quiet_drops_messages_but_not_results() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args([
            "--quiet",
            "options",
            "set",
            "segmentflow_consent_required",
            "1",
        ])
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let out = env
        .cmd()
        .args(["--quiet", "options", "get", "segmentflow_consent_required"])
        .run();
    assert_eq!((out.code, out.stdout.as_str()), (0, "1\n"));
}

#[test]
fn context_blog_id_selects_the_blog() {
    let env = TestEnv::multisite();
    let mut ctx: serde_json::Value = serde_json::from_str(&env.context_json()).unwrap();
    ctx["blog_id"] = 2.into();
    let out = bin()
        .args(["--context=-", "options", "get", "blogname"])
        .stdin(format!("{ctx}\n"))
        .run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Second Blog\n"),
        "{}",
        out.stderr
    );
    let out = bin()
        .args([
            "--context=-",
            "options",
            "set",
            "segmentflow_wc_enabled",
            "1",
        ])
        .stdin(format!("{ctx}\n"))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = env
        .sql("SELECT option_value FROM wp_2_options WHERE option_name = 'segmentflow_wc_enabled'");
    assert_eq!(rows, vec![vec![Some("1".to_owned())]]);
    assert_eq!(
        env.option_row("segmentflow_wc_enabled"),
        None,
        "blog 1 untouched"
    );
}
