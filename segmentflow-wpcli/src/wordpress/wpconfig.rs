//! A minimal reader for the literal values in `wp-config.php`.
//!
//! SEAM(core::wpconfig): the core's wp-config parser and DB_HOST parser
//! replace [`read`] and [`parse_db_host`] after the merge. Until then this
//! reader handles what generated configs contain: `define( 'NAME', <literal>
//! );` with a quoted string, `true`/`false` or an integer, and `$table_prefix
//! = '<literal>';`, skipping PHP comments. A value that is an expression
//! (`getenv(…)`, concatenation) is reported as [`ConfigValue::Expression`]
//! so callers can say which constant to provide another way.

use std::collections::HashMap;

/// A constant's value in wp-config.php.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigValue {
    /// A quoted string.
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// Anything else, as written.
    Expression(String),
}

/// What the reader found.
#[derive(Debug, Clone, Default)]
pub struct WpConfig {
    /// `define()`d constants (the first definition wins, as in PHP).
    pub constants: HashMap<String, ConfigValue>,
    /// `$table_prefix`, if assigned.
    pub table_prefix: Option<ConfigValue>,
}

impl WpConfig {
    /// A constant as a string, if it is a literal string.
    pub fn str(&self, name: &str) -> Option<&str> {
        match self.constants.get(name) {
            Some(ConfigValue::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// A constant as PHP truthiness, for flags like `MULTISITE`.
    pub fn truthy(&self, name: &str) -> bool {
        match self.constants.get(name) {
            Some(ConfigValue::Bool(b)) => *b,
            Some(ConfigValue::Int(i)) => *i != 0,
            Some(ConfigValue::Str(s)) => !s.is_empty() && s != "0",
            _ => false,
        }
    }
}

/// Reads the literal values of a wp-config.php text.
pub fn read(source: &str) -> WpConfig {
    let code = strip_comments(source);
    let mut config = WpConfig::default();
    let mut rest = code.as_str();
    while let Some(pos) = find_token(rest) {
        let (at, token) = pos;
        rest = &rest[at + token.len()..];
        let trimmed = rest.trim_start();
        if token == "define" {
            let Some(args) = trimmed.strip_prefix('(') else {
                continue;
            };
            let Some((inside, after)) = split_call(args) else {
                continue;
            };
            rest = after;
            let mut parts = split_args(inside).into_iter();
            let (Some(name), Some(value)) = (parts.next(), parts.next()) else {
                continue;
            };
            if let ConfigValue::Str(name) = literal(name.trim()) {
                config
                    .constants
                    .entry(name)
                    .or_insert_with(|| literal(value.trim()));
            }
        } else if let Some(assign) = trimmed.strip_prefix('=') {
            if assign.starts_with('=') {
                continue;
            }
            let end = statement_end(assign);
            config.table_prefix = Some(literal(assign[..end].trim()));
            rest = &assign[end..];
        }
    }
    config
}

/// The next `define` or `$table_prefix` outside strings (comments are gone).
fn find_token(code: &str) -> Option<(usize, &'static str)> {
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => i = skip_string(bytes, i),
            _ => {
                for token in ["define", "$table_prefix"] {
                    if bytes[i..].starts_with(token.as_bytes()) {
                        let before_ok = i == 0
                            || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
                        let after = bytes.get(i + token.len()).copied().unwrap_or(b' ');
                        let after_ok = !(after.is_ascii_alphanumeric() || after == b'_');
                        if before_ok && after_ok {
                            return Some((i, token));
                        }
                    }
                }
                i += 1;
            }
        }
    }
    None
}

/// Index just past the string literal starting at `start`.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn strip_comments(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let mut copy_from = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => i = skip_string(bytes, i),
            b'#' => {
                out.push_str(&source[copy_from..i]);
                i = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
                copy_from = i;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                out.push_str(&source[copy_from..i]);
                i = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
                copy_from = i;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                out.push_str(&source[copy_from..i]);
                i = source[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                copy_from = i;
                out.push(' ');
            }
            _ => i += 1,
        }
    }
    out.push_str(&source[copy_from.min(source.len())..]);
    out
}

/// Splits `args…) rest` into the argument text and what follows the `)`.
fn split_call(s: &str) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'(' => depth += 1,
            b')' if depth == 0 => return Some((&s[..i], &s[i + 1..])),
            b')' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Splits on top-level commas.
fn split_args(s: &str) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut parts = Vec::new();
    let (mut depth, mut start, mut i) = (0usize, 0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&s[start..]);
    parts
}

fn statement_end(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            b';' => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// A PHP literal, or the expression text.
fn literal(text: &str) -> ConfigValue {
    let expr = || ConfigValue::Expression(text.to_owned());
    let lower = text.to_ascii_lowercase();
    if lower == "true" {
        return ConfigValue::Bool(true);
    }
    if lower == "false" {
        return ConfigValue::Bool(false);
    }
    if let Ok(i) = text.parse::<i64>() {
        return ConfigValue::Int(i);
    }
    let bytes = text.as_bytes();
    let Some(&quote) = bytes.first() else {
        return expr();
    };
    if !(quote == b'\'' || quote == b'"') || skip_string(bytes, 0) != bytes.len() || bytes.len() < 2
    {
        return expr();
    }
    let inner = &text[1..text.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (b'"', '$') => return expr(),
            (_, '\\') => match (quote, chars.next()) {
                (b'\'', Some(n @ ('\'' | '\\'))) => out.push(n),
                (b'"', Some(n @ ('"' | '\\' | '$'))) => out.push(n),
                (b'"', Some('n')) => out.push('\n'),
                (b'"', Some('t')) => out.push('\t'),
                (_, Some(n)) => {
                    out.push('\\');
                    out.push(n);
                }
                (_, None) => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    ConfigValue::Str(out)
}

/// Where the database server is, as `wpdb::parse_db_host()` reads DB_HOST.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DbHost {
    /// Host name or address (may be empty with a socket).
    pub host: String,
    /// TCP port.
    pub port: Option<u16>,
    /// Unix socket path.
    pub socket: Option<String>,
}

/// A DB_HOST wpdb could not parse.
#[derive(Debug, thiserror::Error)]
#[error("cannot parse DB_HOST '{0}'")]
pub struct BadDbHost(pub String);

/// SEAM(core::wpconfig): `wpdb::parse_db_host()`, plus the `p:` prefix.
pub fn parse_db_host(raw: &str) -> Result<DbHost, BadDbHost> {
    let bad = || BadDbHost(raw.to_owned());
    let mut host = raw.strip_prefix("p:").unwrap_or(raw);
    let mut socket = None;
    if let Some(at) = host.find(":/") {
        socket = Some(host[at + 1..].to_owned());
        host = &host[..at];
    }
    let (host, port) = if host.matches(':').count() > 1 {
        // IPv6, optionally [addr]:port
        match host.strip_prefix('[').and_then(|h| h.split_once(']')) {
            Some((addr, rest)) => {
                let port = match rest.strip_prefix(':') {
                    Some(p) if !p.is_empty() => Some(p.parse().map_err(|_| bad())?),
                    _ => None,
                };
                (addr.to_owned(), port)
            }
            None => (host.to_owned(), None),
        }
    } else {
        let end = host.find([':', '/']).unwrap_or(host.len());
        let port = match host[end..].strip_prefix(':') {
            Some(p) if !p.is_empty() => Some(p.parse().map_err(|_| bad())?),
            _ => None,
        };
        (host[..end].to_owned(), port)
    };
    Ok(DbHost { host, port, socket })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_literal_defines() {
        let src = r#"<?php
// define( 'DB_NAME', 'commented' );
/* define( 'DB_USER', 'block' ); */
define( 'DB_NAME', 'wordpress' ); # trailing
define("DB_USER", "it\"s");
define( 'DB_PASSWORD', 'p\'a//ss#word' );
define( 'DB_HOST', getenv('DB_HOST') );
define( 'MULTISITE', true );
define( 'WP_DEBUG', FALSE );
define( 'BLOG_ID_CURRENT_SITE', 1 );
define( 'DB_NAME', 'second wins not' );
define( 'X', "a$b" );
$table_prefix = 'wp_';
require_once ABSPATH . 'wp-settings.php';
"#;
        let c = read(src);
        assert_eq!(c.str("DB_NAME"), Some("wordpress"));
        assert_eq!(c.str("DB_USER"), Some("it\"s"));
        assert_eq!(c.str("DB_PASSWORD"), Some("p'a//ss#word"));
        assert_eq!(
            c.constants.get("DB_HOST"),
            Some(&ConfigValue::Expression("getenv('DB_HOST')".into()))
        );
        assert!(c.truthy("MULTISITE"));
        assert!(!c.truthy("WP_DEBUG"));
        assert_eq!(
            c.constants.get("BLOG_ID_CURRENT_SITE"),
            Some(&ConfigValue::Int(1))
        );
        assert!(matches!(
            c.constants.get("X"),
            Some(ConfigValue::Expression(_))
        ));
        assert_eq!(c.table_prefix, Some(ConfigValue::Str("wp_".into())));
    }

    #[test]
    fn never_panics_on_cut_or_multibyte_input() {
        let src = "<?php\n// Café config — ünïcode\ndefine( 'DB_NAME', 'büro' );\n# été\n/* ø */ define( \"DB_USER\", \"\\é\\\"x\" );\n$table_prefix = 'wp_'; define( 'A', (1 + 2) );\n";
        let full = read(src);
        assert_eq!(full.str("DB_NAME"), Some("büro"));
        assert_eq!(full.str("DB_USER"), Some("\\é\"x"));
        for (cut, _) in src.char_indices() {
            let _ = read(&src[..cut]);
            let _ = read(&src[cut..]);
        }
    }

    #[test]
    fn db_host_forms() {
        let cases: &[(&str, &str, Option<u16>, Option<&str>)] = &[
            ("localhost", "localhost", None, None),
            ("localhost:3307", "localhost", Some(3307), None),
            ("127.0.0.1:3306", "127.0.0.1", Some(3306), None),
            (
                "localhost:/run/mysqld/mysqld.sock",
                "localhost",
                None,
                Some("/run/mysqld/mysqld.sock"),
            ),
            (
                ":/run/mysqld/mysqld.sock",
                "",
                None,
                Some("/run/mysqld/mysqld.sock"),
            ),
            ("[::1]:3306", "::1", Some(3306), None),
            ("::1", "::1", None, None),
            ("p:localhost", "localhost", None, None),
            ("", "", None, None),
        ];
        for (raw, host, port, socket) in cases {
            let got = parse_db_host(raw).unwrap();
            assert_eq!(got.host, *host, "{raw}");
            assert_eq!(got.port, *port, "{raw}");
            assert_eq!(got.socket.as_deref(), *socket, "{raw}");
        }
        assert!(parse_db_host("db:notaport").is_err());
    }
}
