//! The contract with the PHP package, checked from the PHP sources as text:
//! the site-context field names (`SiteContext.php` ⇄ core's
//! `site_context::fields::ALL`), the options the binary may write
//! (`Contract::WRITABLE_OPTIONS` ⇄ core's `options::OPTIONS`), the exit codes
//! (`Contract::EXIT_*` ⇄ `ExitStatus`) and the environment variable names
//! (`Contract::ENV_*` ⇄ `env.rs`). No database needed.

use std::collections::BTreeSet;
use std::path::PathBuf;

use segmentflow_core::options::OPTIONS;
use segmentflow_core::wpconfig::site_context::fields;
use segmentflow_wpcli::env;
use segmentflow_wpcli::exit::ExitStatus;

fn php(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../wp-cli-package/src")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in the PHP source"))
        + start.len();
    let len = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    &text[from..from + len]
}

/// Every single-quoted string in `text`, in order.
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('\'') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('\'') else { break };
        out.push(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    out
}

/// Keys written as `'key' =>` (array literals).
fn array_keys(text: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('\'') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('\'') else { break };
        let key = &after[..close];
        let tail = after[close + 1..].trim_start();
        if tail.starts_with("=>") {
            keys.insert(key.to_owned());
        }
        rest = &after[close + 1..];
    }
    keys
}

/// `const NAME = value;` pairs whose name starts with `prefix`.
fn constants(text: &str, prefix: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("const ")?;
            let (name, value) = rest.split_once('=')?;
            let name = name.trim();
            name.starts_with(prefix).then(|| {
                (
                    name.to_owned(),
                    value.trim().trim_end_matches(';').trim().to_owned(),
                )
            })
        })
        .collect()
}

#[test]
fn site_context_fields_match() {
    let source = php("SiteContext.php");
    // The keys of the context array and of later `$context['…'] =`.
    let build = between(
        &source,
        "public static function build()",
        "return $context;",
    );
    let php_keys = array_keys(between(build, "$context = array(", ");"));
    let assigned: BTreeSet<String> = build
        .split("$context['")
        .skip(1)
        .filter_map(|rest| rest.split_once('\'').map(|(key, _)| key.to_owned()))
        .collect();
    assert!(assigned.contains("home_url"), "{assigned:?}");
    let ours: BTreeSet<String> = fields::ALL.iter().map(|f| f.to_string()).collect();
    assert_eq!(php_keys, ours, "keys of SiteContext::build()'s array");
    assert!(
        assigned.is_subset(&ours),
        "SiteContext.php assigns unknown fields: {:?}",
        assigned.difference(&ours).collect::<Vec<_>>()
    );
}

#[test]
fn writable_options_match() {
    let source = php("Contract.php");
    let list = quoted(between(&source, "const WRITABLE_OPTIONS = array(", ");"));
    let ours: Vec<String> = OPTIONS.iter().map(|o| o.name.to_owned()).collect();
    assert_eq!(list, ours, "Contract::WRITABLE_OPTIONS");
    assert!(list.iter().all(|n| n.starts_with("segmentflow_")));
}

#[test]
fn exit_codes_match() {
    let source = php("Contract.php");
    let codes = constants(&source, "EXIT_");
    assert_eq!(codes.len(), 4, "{codes:?}");
    for (name, value) in codes {
        let code: u8 = value.parse().unwrap_or_else(|_| panic!("{name} = {value}"));
        let status = ExitStatus::from_code(code).unwrap_or_else(|| panic!("{name} = {code}"));
        assert_eq!(
            name,
            format!("EXIT_{}", format!("{status:?}").to_uppercase()),
            "{code}"
        );
    }
}

#[test]
fn environment_variable_names_match() {
    let source = php("Contract.php");
    let vars: Vec<(String, String)> = constants(&source, "ENV_")
        .into_iter()
        .map(|(name, value)| (name, value.trim_matches('\'').to_owned()))
        .collect();
    let find = |name: &str| {
        vars.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(find("ENV_BIN"), Some(env::WPCLI_BIN));
    assert_eq!(
        find("ENV_WRITTEN_OPTIONS_FILE"),
        Some(env::WRITTEN_OPTIONS_FILE)
    );
    for (name, value) in &vars {
        assert!(
            env::ALL.contains(&value.as_str()),
            "{name} = {value} is not in env.rs"
        );
    }
    // Dispatch passes the file through the constant, not a copy of the name.
    let dispatch = php("Dispatch.php");
    assert!(dispatch.contains("Contract::ENV_WRITTEN_OPTIONS_FILE"));
    assert!(!dispatch.contains(env::WRITTEN_OPTIONS_FILE));
}

#[test]
fn the_parsers_here_can_fail() {
    assert_eq!(
        array_keys("array( 'a' => 1, 'b'=>2, 'c' => $h['d'] ); f('e');"),
        ["a", "b", "c"].iter().map(|s| s.to_string()).collect()
    );
    assert_eq!(
        constants("\tconst EXIT_X = 4;\n const ENV_Y = 'Z';", "EXIT_"),
        vec![("EXIT_X".to_owned(), "4".to_owned())]
    );
}
