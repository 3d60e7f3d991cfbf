//! Tests of option reading, the metadata table and setting changes.

use super::*;

fn read(rows: &[(&str, &[u8])]) -> PluginOptions {
    PluginOptions::from_rows(rows.iter().copied())
}

#[test]
fn all_absent_gives_the_plugin_defaults() {
    let o = PluginOptions::default();
    assert!(!o.is_connected());
    assert_eq!(o.api_host, "https://api.segmentflow.ai");
    assert_eq!(o.app_host, "https://dashboard.segmentflow.ai");
    assert!(!o.debug_mode);
    assert!(!o.consent_required);
    assert!(o.wc_enabled, "wc_enabled defaults to true when absent");
    assert_eq!(o.connected_platform, RecordedPlatform::Unrecorded);
    assert!(o.webhook_secret.is_empty());
    assert_eq!(o.activated_at, None);
    assert!(!o.wc_upgrade_notice);
    assert!(o.stored.is_empty());
    assert!(o.problems.is_empty());
}

#[test]
fn boolean_options_from_raw_values() {
    // (raw value or absent, debug_mode, consent_required, wc_enabled)
    let cases: &[(Option<&[u8]>, bool, bool, bool)] = &[
        (None, false, false, true),
        (Some(b""), false, false, false),
        (Some(b"0"), false, false, false),
        (Some(b"1"), true, true, true),
        // PHP's (bool) cast: any other non-empty string is true.
        (Some(b"garbage"), true, true, true),
        (Some(b"false"), true, true, true),
        (Some(b"b:0;"), false, false, false),
        (Some(b"b:1;"), true, true, true),
    ];
    for (raw, debug, consent, wc) in cases {
        let rows: Vec<(&str, &[u8])> = match raw {
            Some(v) => vec![(DEBUG_MODE, *v), (CONSENT_REQUIRED, *v), (WC_ENABLED, *v)],
            None => vec![],
        };
        let o = read(&rows);
        assert_eq!(
            (o.debug_mode, o.consent_required, o.wc_enabled),
            (*debug, *consent, *wc),
            "raw {:?}",
            raw.map(String::from_utf8_lossy)
        );
    }
}

#[test]
fn connected_follows_php_empty() {
    let cases: &[(Option<&[u8]>, bool)] = &[
        (None, false),
        (Some(b""), false),
        (Some(b"0"), false),
        (Some(b"sk_live_x"), true),
        (Some(b" "), true),
        (Some(b"s:9:\"sk_live_x\";"), true),
    ];
    for (raw, connected) in cases {
        let rows: Vec<(&str, &[u8])> = raw.iter().map(|v| (WRITE_KEY, *v)).collect();
        assert_eq!(
            read(&rows).is_connected(),
            *connected,
            "write key {:?}",
            raw.map(String::from_utf8_lossy)
        );
    }
}

#[test]
fn platform_values() {
    let cases: &[(&[u8], RecordedPlatform, Platform)] = &[
        (
            b"woocommerce",
            RecordedPlatform::WooCommerce,
            Platform::WooCommerce,
        ),
        (
            b"wordpress",
            RecordedPlatform::WordPress,
            Platform::WordPress,
        ),
        (b"", RecordedPlatform::Unrecorded, Platform::WordPress),
        (
            b"WordPress",
            RecordedPlatform::Other("WordPress".into()),
            Platform::WordPress,
        ),
        (
            b"shopify",
            RecordedPlatform::Other("shopify".into()),
            Platform::WordPress,
        ),
    ];
    for (raw, recorded, displayed) in cases {
        let o = read(&[(CONNECTED_PLATFORM, raw)]);
        assert_eq!(&o.connected_platform, recorded);
        assert_eq!(o.connected_platform.displayed(), *displayed);
    }
}

#[test]
fn strings_problems_and_stored_names() {
    let o = read(&[
        (ORGANIZATION_NAME, b"Caf\xe9"),
        (API_HOST, b"a:1:{i:0;s:1:\"x\";}"),
        (APP_HOST, b""),
        (ACTIVATED_AT, b"2025-01-31 12:00:00"),
        (WC_UPGRADE_NOTICE_OPTION, b"1"),
        ("unrelated_option", b"x"),
    ]);
    assert_eq!(o.organization_name, "Caf\u{fffd}");
    assert_eq!(o.api_host, DEFAULT_API_HOST, "array in a string option");
    assert_eq!(o.app_host, "", "present but empty stays empty");
    assert!(o.wc_upgrade_notice);
    assert_eq!(
        o.stored,
        vec![ORGANIZATION_NAME, API_HOST, APP_HOST, ACTIVATED_AT]
    );
    assert!(o.problems.contains(&OptionProblem::NotUtf8 {
        name: ORGANIZATION_NAME
    }));
    assert_eq!(o.problems.len(), 2, "{:?}", o.problems);
    assert_eq!(
        o.activated_at_utc().map(|t| t.as_second()),
        Some(1_738_324_800)
    );
    assert!(o.app_host_url().is_err());
}

#[test]
fn debug_output_masks_secrets() {
    let o = read(&[
        (WRITE_KEY, b"sk_live_abcdef0123456789a1b2"),
        (WEBHOOK_SECRET, b"whsec_0123456789abcdefXYZW"),
    ]);
    let debug = format!("{o:?}");
    assert!(!debug.contains("abcdef0123456789"), "{debug}");
    assert!(debug.contains("sk_live…a1b2"), "{debug}");
    assert!(debug.contains("whsec…XYZW"), "{debug}");
}

#[test]
fn option_table_is_complete_and_consistent() {
    let names: Vec<&str> = OPTIONS.iter().map(|o| o.name).collect();
    assert_eq!(
        names,
        [
            "segmentflow_write_key",
            "segmentflow_organization_name",
            "segmentflow_organization_id",
            "segmentflow_api_host",
            "segmentflow_app_host",
            "segmentflow_debug_mode",
            "segmentflow_consent_required",
            "segmentflow_wc_enabled",
            "segmentflow_connected_platform",
            "segmentflow_webhook_secret",
            "segmentflow_webhook_delivery_url",
            "segmentflow_activated_at",
            "segmentflow_sync_state",
            "segmentflow_last_sync",
        ]
    );
    for info in OPTIONS {
        assert_eq!(
            info.secret,
            info.kind == OptionKind::Secret,
            "{}",
            info.name
        );
        if let Some(setting) = info.setting {
            assert_eq!(setting.option_name(), info.name);
        }
    }
    for setting in Setting::ALL {
        let info = option_info(setting.option_name()).expect("every setting has an option");
        assert_eq!(info.setting, Some(setting));
    }
    let secrets: Vec<&str> = OPTIONS
        .iter()
        .filter(|o| o.secret)
        .map(|o| o.name)
        .collect();
    assert_eq!(secrets, [WRITE_KEY, WEBHOOK_SECRET]);
}

#[test]
fn entries_snapshot() {
    let o = read(&[
        (WRITE_KEY, b"sk_live_abcdef0123456789a1b2"),
        (ORGANIZATION_NAME, b"Acme Shop"),
        (ORGANIZATION_ID, b"org_123"),
        (CONSENT_REQUIRED, b"1"),
        (WC_ENABLED, b""),
        (CONNECTED_PLATFORM, b"woocommerce"),
        (WEBHOOK_SECRET, b"0123456789abcdef0123456789abcdef"),
        (
            WEBHOOK_DELIVERY_URL,
            b"https://api.segmentflow.ai/api/v1/webhooks/woocommerce/int_1",
        ),
        (ACTIVATED_AT, b"2025-01-31 12:00:00"),
    ]);
    let entries: Vec<(&str, Option<String>, &str)> = o
        .entries()
        .into_iter()
        .map(|e| (e.name, e.value, if e.stored { "stored" } else { "default" }))
        .collect();
    insta::assert_debug_snapshot!(entries);
}

#[test]
fn autoload_by_wordpress_version() {
    let cases: &[(&str, Result<Autoload, ()>)] = &[
        ("6.6", Ok(Autoload::Auto)),
        ("6.6.2", Ok(Autoload::Auto)),
        ("6.7-RC1", Ok(Autoload::Auto)),
        ("6.10", Ok(Autoload::Auto)),
        ("7", Ok(Autoload::Auto)),
        ("6.5.5", Ok(Autoload::Yes)),
        ("6.6-beta1", Ok(Autoload::Auto)),
        ("5.8", Ok(Autoload::Yes)),
        ("4.9.26", Ok(Autoload::Yes)),
        ("", Err(())),
        ("six", Err(())),
        ("6.x", Err(())),
    ];
    for (version, expected) in cases {
        assert_eq!(
            Autoload::for_wordpress(version).map_err(|_| ()),
            *expected,
            "version {version:?}"
        );
    }
}

#[test]
fn setting_names() {
    let cases: &[(&str, Option<Setting>)] = &[
        ("debug_mode", Some(Setting::DebugMode)),
        ("debug-mode", Some(Setting::DebugMode)),
        ("segmentflow_debug_mode", Some(Setting::DebugMode)),
        ("Consent_Required", Some(Setting::ConsentRequired)),
        ("api-host", Some(Setting::ApiHost)),
        ("app_host", Some(Setting::AppHost)),
        ("wc_enabled", Some(Setting::WcEnabled)),
        ("write_key", None),
        ("", None),
    ];
    for (name, expected) in cases {
        assert_eq!(Setting::from_name(name).ok(), *expected, "name {name:?}");
    }
    let err = Setting::from_name("write_key").expect_err("not settable");
    assert!(
        err.to_string().contains("debug_mode, consent_required"),
        "{err}"
    );
}

#[test]
fn bool_words() {
    let cases: &[(&str, Option<bool>)] = &[
        ("on", Some(true)),
        ("ON", Some(true)),
        (" true ", Some(true)),
        ("yes", Some(true)),
        ("1", Some(true)),
        ("off", Some(false)),
        ("False", Some(false)),
        ("no", Some(false)),
        ("0", Some(false)),
        ("", None),
        ("y", None),
        ("enabled", None),
        ("2", None),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_bool_word(input), *expected, "input {input:?}");
    }
    let err = Setting::DebugMode
        .parse_value("maybe")
        .expect_err("not a bool");
    assert_eq!(
        err.to_string(),
        "debug_mode: \"maybe\" is not a boolean; use one of: on, off, true, false, yes, no, 1, 0"
    );
}

#[test]
fn setting_rows_match_update_option() {
    let cases: &[(Setting, &str, &str, &[u8], &str)] = &[
        (Setting::DebugMode, "on", "6.7", b"1", "auto"),
        (Setting::DebugMode, "off", "6.7", b"", "auto"),
        (Setting::ConsentRequired, "yes", "6.5", b"1", "yes"),
        (Setting::WcEnabled, "0", "6.6", b"", "auto"),
        (
            Setting::ApiHost,
            " http://127.0.0.1:8080/ ",
            "6.6",
            b"http://127.0.0.1:8080",
            "auto",
        ),
        (
            Setting::AppHost,
            "https://dashboard.example.com/",
            "6.4.3",
            b"https://dashboard.example.com",
            "yes",
        ),
    ];
    for (setting, input, wp, value, autoload) in cases {
        let row = setting
            .parse_value(input)
            .expect("valid input")
            .to_row(wp)
            .expect("valid version");
        assert_eq!(row.name(), setting.option_name());
        assert_eq!(row.value(), *value, "{setting} {input:?}");
        assert_eq!(row.autoload_if_new(), *autoload, "{setting} on {wp}");
    }
    let err = Setting::ApiHost
        .parse_value("http://example.com")
        .expect_err("insecure");
    assert!(matches!(
        err,
        SettingError::Url(UrlError::InsecureHttp { .. })
    ));
}

#[test]
fn secret_rows_are_masked_in_debug_and_serialize() {
    let row = OptionRow::new(WRITE_KEY, "sk_live_abcdef0123456789a1b2", Autoload::Auto);
    assert!(row.is_secret());
    assert_eq!(row.value(), b"sk_live_abcdef0123456789a1b2");
    let debug = format!("{row:?}");
    assert!(!debug.contains("abcdef"), "{debug}");
    let json = serde_json::to_string(&row).expect("serializes");
    assert_eq!(
        json,
        r#"{"name":"segmentflow_write_key","value":"sk_live…a1b2","autoload_if_new":"auto"}"#
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn reading_arbitrary_rows_never_panics(
            values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 14)
        ) {
            let rows: Vec<(&str, &[u8])> = OPTIONS
                .iter()
                .map(|o| o.name)
                .zip(values.iter().map(Vec::as_slice))
                .collect();
            let o = PluginOptions::from_rows(rows.iter().copied());
            let _ = o.api_host_url();
            let _ = o.activated_at_utc();
            prop_assert_eq!(o.entries().len(), OPTIONS.len());
        }

        #[test]
        fn url_validation_never_panics(input in prop_oneof![
            "\\PC{0,40}",
            "[ ]?(HTTPS?|https?|ftp)://[a-zA-Z0-9.:@%\\[\\]-]{0,24}(/[a-z?#]{0,6})?/{0,2}[ ]?",
        ]) {
            if let Ok(url) = validate_url("segmentflow_api_host", &input, UrlKind::Host) {
                // Whatever passes is https, or http to loopback, and stable.
                prop_assert!(url.as_str().starts_with("https://") || url.is_loopback());
                let again = validate_url("segmentflow_api_host", url.as_str(), UrlKind::Host);
                prop_assert_eq!(again.as_ref().map(ValidUrl::as_str), Ok(url.as_str()));
            }
        }

        #[test]
        fn masking_hides_all_but_tag_and_last_four(body in "[a-z0-9]{12,40}") {
            let masked = mask_secret(&body);
            let last4: String = body.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
            prop_assert_eq!(masked, format!("…{last4}"));
            let tagged = format!("sk_live_{body}");
            let masked = mask_secret(&tagged);
            prop_assert_eq!(masked, format!("sk_live…{last4}"));
        }
    }
}
