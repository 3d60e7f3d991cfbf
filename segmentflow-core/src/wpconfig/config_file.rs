//! Reading the literal settings of a `wp-config.php` without running PHP.
//!
//! [`WpConfig::parse`] finds every `define( 'NAME', value )` (any quoting and
//! spacing, `\define`, a top-level `const NAME = value;`) and every
//! `$table_prefix = value;`, skipping comments and strings, and records for
//! each whether its value is a literal and whether it runs unconditionally.
//! The typed accessors then answer the way PHP would have, or say clearly
//! why they cannot:
//!
//! * a value that is an expression (`getenv('DB_PASSWORD')`,
//!   `getenv_docker(…)`, concatenation, a constant, a function call) is
//!   [`ConfigError::NotLiteral`];
//! * a definition inside a condition is [`ConfigError::Conditional`] —
//!   except the "default" idiom guarded by its own name
//!   (`if ( ! defined( 'X' ) ) define( 'X', … )`,
//!   `defined( 'X' ) || define( 'X', … )`, `if ( ! isset( $table_prefix ) )`),
//!   which is honoured when nothing before it could have set the value;
//! * such a default that comes after an `include`/`require` of another file
//!   (Debian's `/usr/share/wordpress/wp-config.php` loads
//!   `/etc/wordpress/config-<host>.php` first) is
//!   [`ConfigError::MaybeOverridden`]: the included file may set the real
//!   value, which cannot be seen from here;
//! * definitions inside functions and classes never run at load and are
//!   ignored.
//!
//! Constants keep their first executed definition (PHP ignores a second
//! `define` of the same name); `$table_prefix` keeps its last assignment.
//! Every error suggests the way around it: run through `wp segmentflow`,
//! whose PHP side resolves everything and passes it with `--context=-`, or
//! give the value through the environment.

use super::DbPassword;
use super::db_host::{DbHost, DbHostError};
use super::extract::extract;
use super::lexer::{LexError, lex};
use super::table_prefix::{TableNameError, TablePrefix};
use serde::Serialize;
use std::collections::BTreeMap;

/// What every error adds: how to give the value another way.
pub const CONTEXT_HINT: &str = "run the command through `wp segmentflow`, which passes the values PHP resolved with --context=-, or provide the value through the environment";

/// A literal value from `wp-config.php`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ConfigValue {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

impl ConfigValue {
    /// PHP truthiness (`(bool) $value`).
    pub fn truthy(&self) -> bool {
        match self {
            ConfigValue::Str(s) => !(s.is_empty() || s == "0"),
            ConfigValue::Int(i) => *i != 0,
            ConfigValue::Float(f) => *f != 0.0,
            ConfigValue::Bool(b) => *b,
            ConfigValue::Null => false,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ConfigValue::Str(_) => "a string",
            ConfigValue::Int(_) => "an integer",
            ConfigValue::Float(_) => "a float",
            ConfigValue::Bool(_) => "a boolean",
            ConfigValue::Null => "null",
        }
    }
}

/// How a definition is reached when the file runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// Always runs.
    Always,
    /// Runs only when the name is not yet defined/set (the default idiom).
    Default,
    /// Depends on some other condition.
    Conditional,
}

/// The value side of a definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Definition {
    /// A literal.
    Literal(ConfigValue),
    /// An expression PHP would compute; its source text (whitespace
    /// collapsed, shortened).
    Expression(String),
}

/// One `define`, `const` or `$table_prefix` assignment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// The value.
    pub value: Definition,
    /// 1-based line.
    pub line: usize,
    /// Whether it always runs.
    pub reach: Reach,
    /// The line of an `include`/`require` that runs before it, if any.
    pub after_include: Option<usize>,
}

/// Why a setting cannot be read from `wp-config.php`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The file is not valid PHP (an unterminated string, comment or
    /// heredoc).
    #[error("wp-config.php: unterminated {what} starting at line {line} (byte {offset})")]
    Syntax {
        /// What is unterminated.
        what: &'static str,
        /// 1-based line.
        line: usize,
        /// Byte offset.
        offset: usize,
    },
    /// The setting is not defined in the file.
    #[error("{name} is not defined in wp-config.php{}; {CONTEXT_HINT}", include_note(*include_line))]
    Missing {
        /// The constant or variable.
        name: String,
        /// The first `include`/`require` in the file, which may define it.
        include_line: Option<usize>,
    },
    /// The value is an expression, not a literal.
    #[error(
        "{name} in wp-config.php (line {line}) is not a literal value but `{expression}`; {CONTEXT_HINT}"
    )]
    NotLiteral {
        /// The constant or variable.
        name: String,
        /// 1-based line.
        line: usize,
        /// The expression's source text.
        expression: String,
    },
    /// The first definition runs only under a condition.
    #[error(
        "{name} in wp-config.php (line {line}) is defined inside a condition that cannot be evaluated without PHP; {CONTEXT_HINT}"
    )]
    Conditional {
        /// The constant or variable.
        name: String,
        /// 1-based line.
        line: usize,
    },
    /// Only a default is given, after another file was loaded that may
    /// define the real value.
    #[error(
        "{name} in wp-config.php (line {line}) is only a default for when it is not already set, and the file loads another file first (line {include_line}) that may set it; {CONTEXT_HINT}"
    )]
    MaybeOverridden {
        /// The constant or variable.
        name: String,
        /// 1-based line of the default.
        line: usize,
        /// 1-based line of the include.
        include_line: usize,
    },
    /// The literal has the wrong type.
    #[error("{name} in wp-config.php (line {line}) is {found}, expected {expected}")]
    WrongType {
        /// The constant or variable.
        name: String,
        /// 1-based line.
        line: usize,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: &'static str,
    },
    /// `$table_prefix` is not a valid prefix.
    #[error("$table_prefix in wp-config.php: {0}")]
    TablePrefix(#[from] TableNameError),
    /// `DB_HOST` cannot be used.
    #[error("DB_HOST in wp-config.php: {0}")]
    DbHost(#[from] DbHostError),
}

fn include_note(line: Option<usize>) -> String {
    match line {
        Some(line) => format!(" (it loads another file at line {line}, which may define it)"),
        None => String::new(),
    }
}

impl From<LexError> for ConfigError {
    fn from(e: LexError) -> Self {
        ConfigError::Syntax {
            what: e.what,
            line: e.line,
            offset: e.offset,
        }
    }
}

/// The key under which `$table_prefix` is recorded.
pub const TABLE_PREFIX: &str = "$table_prefix";

/// The literal settings of one `wp-config.php`.
///
/// `Debug` and `Serialize` hide the values of secrets (`DB_PASSWORD` and the
/// `*_KEY` / `*_SALT` constants); the accessors give them.
#[derive(Clone, PartialEq)]
pub struct WpConfig {
    /// Every definition, by name (`$table_prefix` for the variable), in file
    /// order.
    pub entries: BTreeMap<String, Vec<Entry>>,
    /// The line of the first `include`/`require`, if any.
    pub first_include: Option<usize>,
}

/// Whether the value of constant `name` is a secret never to be shown.
pub fn is_secret_name(name: &str) -> bool {
    name == "DB_PASSWORD" || name.ends_with("_KEY") || name.ends_with("_SALT")
}

impl WpConfig {
    /// The entries with secret values replaced by `(hidden)`.
    fn shown(&self) -> BTreeMap<&str, Vec<Entry>> {
        self.entries
            .iter()
            .map(|(name, entries)| {
                let entries = entries
                    .iter()
                    .map(|e| {
                        let mut e = e.clone();
                        if is_secret_name(name) {
                            e.value = Definition::Literal(ConfigValue::Str("(hidden)".into()));
                        }
                        e
                    })
                    .collect();
                (name.as_str(), entries)
            })
            .collect()
    }
}

impl std::fmt::Debug for WpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WpConfig")
            .field("entries", &self.shown())
            .field("first_include", &self.first_include)
            .finish()
    }
}

impl Serialize for WpConfig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = serializer.serialize_struct("WpConfig", 2)?;
        st.serialize_field("entries", &self.shown())?;
        st.serialize_field("first_include", &self.first_include)?;
        st.end()
    }
}

/// The database settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatabaseConfig {
    /// `DB_NAME`.
    pub name: String,
    /// `DB_USER`.
    pub user: String,
    /// `DB_PASSWORD` (never serialized).
    #[serde(skip)]
    pub password: DbPassword,
    /// `DB_HOST` as written.
    pub host_raw: String,
    /// `DB_HOST` split.
    pub host: DbHost,
    /// `DB_CHARSET`, when defined.
    pub charset: Option<String>,
    /// `DB_COLLATE`, when defined.
    pub collate: Option<String>,
    /// `$table_prefix`.
    pub table_prefix: TablePrefix,
}

/// The multisite settings (present when `MULTISITE` is truthy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MultisiteConfig {
    /// `SUBDOMAIN_INSTALL` (false when absent).
    pub subdomain_install: bool,
    /// `DOMAIN_CURRENT_SITE`.
    pub domain_current_site: Option<String>,
    /// `PATH_CURRENT_SITE`.
    pub path_current_site: Option<String>,
    /// `SITE_ID_CURRENT_SITE`.
    pub site_id_current_site: Option<i64>,
    /// `BLOG_ID_CURRENT_SITE`.
    pub blog_id_current_site: Option<i64>,
}

/// URL and path overrides (each `None` when not defined).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteOverrides {
    /// `WP_HOME` (overrides the `home` option).
    pub wp_home: Option<String>,
    /// `WP_SITEURL` (overrides the `siteurl` option).
    pub wp_siteurl: Option<String>,
    /// `WP_CONTENT_URL`.
    pub wp_content_url: Option<String>,
    /// `WP_CONTENT_DIR`.
    pub wp_content_dir: Option<String>,
    /// `UPLOADS` (uploads path relative to ABSPATH).
    pub uploads: Option<String>,
}

impl WpConfig {
    /// Reads `text`, the contents of a `wp-config.php`.
    pub fn parse(text: &str) -> Result<WpConfig, ConfigError> {
        let tokens = lex(text)?;
        let (entries, first_include) = extract(text, &tokens);
        Ok(WpConfig {
            entries,
            first_include,
        })
    }

    /// The definition that takes effect for `name` (a constant, or
    /// [`TABLE_PREFIX`]), checked to be known without running PHP.
    fn effective(&self, name: &str) -> Result<Option<&Entry>, ConfigError> {
        let Some(entries) = self.entries.get(name) else {
            return Ok(None);
        };
        let is_variable = name.starts_with('$');
        if let Some(e) = entries.iter().find(|e| e.reach == Reach::Conditional) {
            // A conditional assignment anywhere can change a variable; for a
            // constant only the first definition matters.
            if is_variable || std::ptr::eq(e, &entries[0]) {
                return Err(ConfigError::Conditional {
                    name: name.to_owned(),
                    line: e.line,
                });
            }
        }
        let chosen = if is_variable {
            // The last assignment wins, but a default only runs when nothing
            // was assigned before it.
            let mut chosen = None;
            for e in entries {
                match e.reach {
                    Reach::Default if chosen.is_some() => {}
                    _ => chosen = Some(e),
                }
            }
            chosen
        } else {
            entries.first()
        };
        let Some(entry) = chosen else {
            return Ok(None);
        };
        if entry.reach == Reach::Default
            && let Some(include_line) = entry.after_include
        {
            let first_of_name = std::ptr::eq(entry, &entries[0]);
            if first_of_name {
                return Err(ConfigError::MaybeOverridden {
                    name: name.to_owned(),
                    line: entry.line,
                    include_line,
                });
            }
        }
        Ok(Some(entry))
    }

    /// The literal value of `name`, `None` when it is not defined.
    pub fn value(&self, name: &str) -> Result<Option<(&ConfigValue, usize)>, ConfigError> {
        match self.effective(name)? {
            None => Ok(None),
            Some(Entry {
                value: Definition::Literal(v),
                line,
                ..
            }) => Ok(Some((v, *line))),
            Some(Entry {
                value: Definition::Expression(expression),
                line,
                ..
            }) => Err(ConfigError::NotLiteral {
                name: name.to_owned(),
                line: *line,
                expression: expression.clone(),
            }),
        }
    }

    /// `name` as a string, as PHP would convert the literal (integers in
    /// decimal, `true` as `1`, `false` and `null` as empty).
    pub fn string(&self, name: &str) -> Result<Option<String>, ConfigError> {
        let Some((value, line)) = self.value(name)? else {
            return Ok(None);
        };
        Ok(Some(match value {
            ConfigValue::Str(s) => s.clone(),
            ConfigValue::Int(i) => i.to_string(),
            ConfigValue::Bool(true) => "1".to_owned(),
            ConfigValue::Bool(false) | ConfigValue::Null => String::new(),
            ConfigValue::Float(_) => {
                return Err(ConfigError::WrongType {
                    name: name.to_owned(),
                    line,
                    expected: "a string",
                    found: value.kind(),
                });
            }
        }))
    }

    /// `name` as PHP truthiness.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ConfigError> {
        Ok(self.value(name)?.map(|(v, _)| v.truthy()))
    }

    /// `name` as an integer (an integer literal or a string of digits).
    pub fn integer(&self, name: &str) -> Result<Option<i64>, ConfigError> {
        let Some((value, line)) = self.value(name)? else {
            return Ok(None);
        };
        match value {
            ConfigValue::Int(i) => Ok(Some(*i)),
            ConfigValue::Str(s) if s.parse::<i64>().is_ok() => Ok(s.parse().ok()),
            other => Err(ConfigError::WrongType {
                name: name.to_owned(),
                line,
                expected: "an integer",
                found: other.kind(),
            }),
        }
    }

    fn required_string(&self, name: &str) -> Result<String, ConfigError> {
        self.string(name)?.ok_or_else(|| ConfigError::Missing {
            name: name.to_owned(),
            include_line: self.first_include,
        })
    }

    /// `$table_prefix`, validated.
    pub fn table_prefix(&self) -> Result<TablePrefix, ConfigError> {
        let prefix = self.required_string(TABLE_PREFIX)?;
        Ok(TablePrefix::new(&prefix)?)
    }

    /// The database settings: `DB_NAME`, `DB_USER`, `DB_PASSWORD`, `DB_HOST`
    /// (all required), `DB_CHARSET`, `DB_COLLATE` and `$table_prefix`.
    pub fn database(&self) -> Result<DatabaseConfig, ConfigError> {
        let name = self.required_string("DB_NAME")?;
        let user = self.required_string("DB_USER")?;
        let password = DbPassword::new(self.required_string("DB_PASSWORD")?);
        let host_raw = self.required_string("DB_HOST")?;
        let host = DbHost::parse(&host_raw)?;
        Ok(DatabaseConfig {
            name,
            user,
            password,
            host_raw,
            host,
            charset: self.string("DB_CHARSET")?,
            collate: self.string("DB_COLLATE")?,
            table_prefix: self.table_prefix()?,
        })
    }

    /// The multisite settings, `None` for a single site (`MULTISITE` absent
    /// or falsy).
    pub fn multisite(&self) -> Result<Option<MultisiteConfig>, ConfigError> {
        if !self.boolean("MULTISITE")?.unwrap_or(false) {
            return Ok(None);
        }
        Ok(Some(MultisiteConfig {
            subdomain_install: self.boolean("SUBDOMAIN_INSTALL")?.unwrap_or(false),
            domain_current_site: self.string("DOMAIN_CURRENT_SITE")?,
            path_current_site: self.string("PATH_CURRENT_SITE")?,
            site_id_current_site: self.integer("SITE_ID_CURRENT_SITE")?,
            blog_id_current_site: self.integer("BLOG_ID_CURRENT_SITE")?,
        }))
    }

    /// `WP_HOME`, `WP_SITEURL`, `WP_CONTENT_URL`, `WP_CONTENT_DIR`, `UPLOADS`.
    /// Fails on the first that is defined but not readable; use
    /// [`WpConfig::string`] to read them one by one.
    pub fn site_overrides(&self) -> Result<SiteOverrides, ConfigError> {
        Ok(SiteOverrides {
            wp_home: self.string("WP_HOME")?,
            wp_siteurl: self.string("WP_SITEURL")?,
            wp_content_url: self.string("WP_CONTENT_URL")?,
            wp_content_dir: self.string("WP_CONTENT_DIR")?,
            uploads: self.string("UPLOADS")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wpconfig::db_host::DbEndpoint;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../fixtures/wp-config/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn parse(src: &str) -> WpConfig {
        WpConfig::parse(src).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    fn str_value(s: &str) -> ConfigValue {
        ConfigValue::Str(s.into())
    }

    #[test]
    fn wordpress_sample_config() {
        let config = parse(&fixture("wp-config-sample.php"));
        let db = config.database().expect("all literal");
        assert_eq!(db.name, "database_name_here");
        assert_eq!(db.user, "username_here");
        assert_eq!(db.password.expose(), "password_here");
        assert_eq!(db.host_raw, "localhost");
        assert_eq!(
            db.host.endpoint("/run/mysqld/mysqld.sock").endpoint,
            DbEndpoint::Socket {
                path: "/run/mysqld/mysqld.sock".into()
            }
        );
        assert_eq!(db.charset.as_deref(), Some("utf8"));
        assert_eq!(db.collate.as_deref(), Some(""));
        assert_eq!(db.table_prefix.as_str(), "wp_");
        assert_eq!(config.boolean("WP_DEBUG"), Ok(Some(false)));
        assert_eq!(
            config.string("AUTH_KEY"),
            Ok(Some("put your unique phrase here".into()))
        );
        assert_eq!(config.multisite(), Ok(None));
        assert_eq!(
            config.site_overrides(),
            Ok(SiteOverrides {
                wp_home: None,
                wp_siteurl: None,
                wp_content_url: None,
                wp_content_dir: None,
                uploads: None,
            })
        );
        // `if ( ! defined( 'ABSPATH' ) ) define( 'ABSPATH', __DIR__ . '/' );`
        assert_eq!(
            config.string("ABSPATH"),
            Err(ConfigError::NotLiteral {
                name: "ABSPATH".into(),
                line: 92,
                expression: "__DIR__ . '/'".into(),
            })
        );
        assert_eq!(config.entries["ABSPATH"][0].reach, Reach::Default);
        assert_eq!(config.first_include, Some(96));
        assert!(!format!("{db:?}").contains("password_here"));
        let shown = format!(
            "{config:?} {}",
            serde_json::to_string(&config).expect("serializes")
        );
        assert!(
            !shown.contains("password_here") && !shown.contains("unique phrase"),
            "{shown}"
        );
        assert!(
            is_secret_name("NONCE_SALT")
                && is_secret_name("AUTH_KEY")
                && !is_secret_name("DB_USER")
        );
    }

    #[test]
    fn debian_config_defers_to_etc_wordpress() {
        let config = parse(&fixture("debian-wp-config.php"));
        assert_eq!(config.first_include, Some(27));
        let err = config
            .database()
            .expect_err("only defaults after an include");
        assert_eq!(
            err,
            ConfigError::MaybeOverridden {
                name: "DB_NAME".into(),
                line: 54,
                include_line: 27,
            }
        );
        let message = err.to_string();
        for needle in ["DB_NAME", "line 54", "line 27", "--context=-"] {
            assert!(message.contains(needle), "{message}");
        }
        assert_eq!(
            config.string("DB_PASSWORD"),
            Ok(None),
            "not defined in the file at all"
        );
        assert_eq!(
            config.required_string("DB_PASSWORD"),
            Err(ConfigError::Missing {
                name: "DB_PASSWORD".into(),
                include_line: Some(27),
            })
        );
        assert_eq!(
            config.table_prefix(),
            Err(ConfigError::MaybeOverridden {
                name: TABLE_PREFIX.into(),
                line: 65,
                include_line: 27,
            })
        );
        assert!(matches!(
            config.string("WP_CONTENT_DIR"),
            Err(ConfigError::MaybeOverridden { line: 60, .. })
        ));
        assert!(matches!(
            config.string("DEBIAN_FILE"),
            Err(ConfigError::Conditional { line: 28, .. })
        ));
    }

    #[test]
    fn docker_style_config_is_not_literal() {
        let config = parse(&fixture("docker-style-wp-config.php"));
        let err = config.database().expect_err("computed values");
        assert_eq!(
            err,
            ConfigError::NotLiteral {
                name: "DB_NAME".into(),
                line: 23,
                expression: "getenv_docker( 'WORDPRESS_DB_NAME', 'wordpress' )".into(),
            }
        );
        let message = err.to_string();
        assert!(
            message.contains("DB_NAME") && message.contains("--context=-"),
            "{message}"
        );
        assert!(matches!(
            config.string("DB_PASSWORD"),
            Err(ConfigError::NotLiteral { line: 25, .. })
        ));
        assert!(matches!(
            config.table_prefix(),
            Err(ConfigError::NotLiteral { line: 30, .. })
        ));
        assert!(
            !config.entries.contains_key("NEVER_RUNS_AT_LOAD"),
            "definitions inside functions are ignored"
        );
        assert_eq!(config.first_include, Some(46));
    }

    #[test]
    fn tricky_config_reads_like_php() {
        let config = parse(&fixture("tricky-wp-config.php"));
        let db = config.database().expect("literal");
        assert_eq!(
            db.name, "shop_db",
            "first define wins; comments and strings skipped"
        );
        assert_eq!(db.user, "shop_user");
        assert_eq!(db.password.expose(), r#"p@ss'w"o\rd#//"#);
        assert_eq!(
            (db.host.host.as_str(), db.host.port),
            ("127.0.0.1", Some(3307))
        );
        assert_eq!(db.charset.as_deref(), Some("utf8mb4"));
        assert_eq!(db.table_prefix.as_str(), "shop_");
        assert_eq!(
            config.site_overrides(),
            Ok(SiteOverrides {
                wp_home: Some("https://shop.example".into()),
                wp_siteurl: Some("https://shop.example/wp".into()),
                wp_content_url: Some("https://cdn.example/content".into()),
                wp_content_dir: Some("/srv/shop/content".into()),
                uploads: Some("media".into()),
            })
        );
        assert_eq!(
            config.multisite(),
            Ok(Some(MultisiteConfig {
                subdomain_install: false,
                domain_current_site: Some("shop.example".into()),
                path_current_site: Some("/".into()),
                site_id_current_site: Some(1),
                blog_id_current_site: Some(1),
            }))
        );
        assert_eq!(config.integer("WP_POST_REVISIONS"), Ok(Some(-5)));
        assert_eq!(config.integer("EMPTY_TRASH_DAYS"), Ok(Some(30)));
        assert_eq!(
            config.string("SEGMENTFLOW_EXAMPLE"),
            Ok(Some("const works".into()))
        );
        assert!(matches!(
            config.string("WP_MEMORY_LIMIT"),
            Err(ConfigError::NotLiteral { ref expression, .. }) if expression == "'256' . 'M'"
        ));
        assert!(matches!(
            config.string("WP_ENVIRONMENT_TYPE"),
            Err(ConfigError::Conditional { line: 40, .. })
        ));
        let shown = format!(
            "{config:?} {}",
            serde_json::to_string(&config).expect("serializes")
        );
        assert!(!shown.contains("p@ss"), "{shown}");
        insta::assert_json_snapshot!("tricky_config_entries", config);
    }

    #[test]
    fn snippet_cases() {
        // (source, constant, expected literal or error kind)
        let ok: &[(&str, &str, Option<ConfigValue>)] = &[
            ("<?php define('X', 'a') ?>", "X", Some(str_value("a"))),
            ("<?php define('X', 'a', true);", "X", Some(str_value("a"))),
            (
                "<?php defined('X') or define('X', 1);",
                "X",
                Some(ConfigValue::Int(1)),
            ),
            (
                "<?php if (!defined('X')): define('X', 2); endif;",
                "X",
                Some(ConfigValue::Int(2)),
            ),
            (
                "<?php define('X', -1.5);",
                "X",
                Some(ConfigValue::Float(-1.5)),
            ),
            ("<?php define('X', NULL);", "X", Some(ConfigValue::Null)),
            (
                "<?php define('X', TRUE);",
                "X",
                Some(ConfigValue::Bool(true)),
            ),
            ("<?php function f() { define('X', 1); }", "X", None),
            (
                "<?php class C { const X = 1; function g() { define('X', 2); } }",
                "X",
                None,
            ),
            ("<?php $o->define('X', 1); C::define('X', 2);", "X", None),
            (
                "<?php $c = Foo::class; { define('X', 9); }",
                "X",
                Some(ConfigValue::Int(9)),
            ),
            (
                "<?php $f = fn($x) => $x; { define('X', 10); }",
                "X",
                Some(ConfigValue::Int(10)),
            ),
            (
                "<?php try { define('X', 11); } catch (E $e) {}",
                "X",
                Some(ConfigValue::Int(11)),
            ),
            (
                "<?php include 'x.php'; define('X', 1);",
                "X",
                Some(ConfigValue::Int(1)),
            ),
            (
                "<?php if (a) {\n}\ndefine('X', 3);",
                "X",
                Some(ConfigValue::Int(3)),
            ),
            (
                "<?php if (a) x(); define('X', 4);",
                "X",
                Some(ConfigValue::Int(4)),
            ),
            (
                "<?php define('X', 5); if (a) define('X', 6);",
                "X",
                Some(ConfigValue::Int(5)),
            ),
            (
                "<?php define ( \"X\" , \"a\\tb\" ) ;",
                "X",
                Some(str_value("a\tb")),
            ),
            (
                "<?php ?>html<?php define('X', 7);",
                "X",
                Some(ConfigValue::Int(7)),
            ),
            (
                "<?php $table_prefix = 'a'; $table_prefix = 'b';",
                TABLE_PREFIX,
                Some(str_value("b")),
            ),
            (
                "<?php $table_prefix = 'a'; if (!isset($table_prefix)) $table_prefix = 'b';",
                TABLE_PREFIX,
                Some(str_value("a")),
            ),
            (
                "<?php if (!isset($table_prefix)) { $table_prefix = 'c'; }",
                TABLE_PREFIX,
                Some(str_value("c")),
            ),
        ];
        for (src, name, expected) in ok {
            let config = parse(src);
            let got = config.value(name).map(|v| v.map(|(v, _)| v.clone()));
            assert_eq!(got, Ok(expected.clone()), "{src}");
        }
        let conditional = [
            "<?php if (a) define('X', 1);",
            "<?php if (a) { define('X', 1); }",
            "<?php if (!defined('X')) {} else define('X', 1);",
            "<?php if (!defined('X')) {} else { define('X', 1); }",
            "<?php if (a) {} else if (!defined('X')) { define('X', 1); }",
            "<?php defined('Y') || define('X', 1);",
            "<?php if (a): define('X', 1); endif;",
            "<?php if (a): if (!defined('X')): define('X', 1); endif; endif;",
            "<?php if (!defined('X')): else: define('X', 1); endif;",
            "<?php if (a): elseif (!defined('X')): define('X', 1); endif;",
            "<?php while (a) { define('X', 1); }",
            "<?php switch (a) { case 1: define('X', 1); }",
            "<?php echo match (a) { 1 => define('X', 1) };",
            "<?php try {} catch (E $e) { define('X', 1); }",
            "<?php if (!defined('X')) if (b) define('X', 1);",
            "<?php $a ? define('X', 1) : null;",
            "<?php $table_prefix = 'a'; if (b) $table_prefix = 'b';",
        ];
        for src in conditional {
            let config = parse(src);
            let name = if src.contains("$table_prefix") {
                TABLE_PREFIX
            } else {
                "X"
            };
            assert!(
                matches!(config.value(name), Err(ConfigError::Conditional { .. })),
                "{src}: {:?}",
                config.value(name)
            );
        }
        let not_literal = [
            ("<?php define('X', CONSTANT_Y);", "CONSTANT_Y"),
            ("<?php define('X', \"a$b\");", "\"a$b\""),
            ("<?php define('X', getenv('X'));", "getenv('X')"),
            ("<?php define('X', $_ENV['X'] ?? 'd');", "$_ENV['X'] ?? 'd'"),
            ("<?php define('X', 'a' . 'b');", "'a' . 'b'"),
            ("<?php define('X', <<<EOT\nabc\nEOT\n);", "<<<EOT abc EOT"),
            ("<?php define('X', ['a']);", "['a']"),
            ("<?php define('X', );", "(nothing)"),
        ];
        for (src, expression) in not_literal {
            assert_eq!(
                parse(src).value("X"),
                Err(ConfigError::NotLiteral {
                    name: "X".into(),
                    line: 1,
                    expression: expression.into(),
                }),
                "{src}"
            );
        }
        assert_eq!(
            parse("<?php include 'x.php';\ndefined('X') || define('X', 1);").value("X"),
            Err(ConfigError::MaybeOverridden {
                name: "X".into(),
                line: 2,
                include_line: 1,
            })
        );
    }

    #[test]
    fn database_errors() {
        assert_eq!(
            parse("<?php $table_prefix = 'wp_';").database(),
            Err(ConfigError::Missing {
                name: "DB_NAME".into(),
                include_line: None,
            })
        );
        let base = "<?php define('DB_NAME','n'); define('DB_USER','u'); define('DB_PASSWORD','');";
        assert_eq!(
            parse(&format!(
                "{base} define('DB_HOST','zz::1'); $table_prefix='wp_';"
            ))
            .database()
            .map(|d| d.name),
            Err(ConfigError::DbHost(DbHostError::Unparseable {
                value: "zz::1".into()
            }))
        );
        assert!(matches!(
            parse(&format!(
                "{base} define('DB_HOST','db'); $table_prefix='wp-';"
            ))
            .database(),
            Err(ConfigError::TablePrefix(
                TableNameError::InvalidPrefix { .. }
            ))
        ));
        assert!(matches!(
            parse(&format!(
                "{base} define('DB_HOST', 1.5); $table_prefix='wp_';"
            ))
            .database(),
            Err(ConfigError::WrongType {
                expected: "a string",
                found: "a float",
                ..
            })
        ));
        let ok = parse(&format!(
            "{base} define('DB_HOST','db:3307'); $table_prefix='wp_';"
        ))
        .database()
        .expect("valid");
        assert!(ok.password.is_empty());
        assert_eq!(ok.collate, None);
        assert_eq!(
            WpConfig::parse("<?php define('X', 'unterminated"),
            Err(ConfigError::Syntax {
                what: "string",
                line: 1,
                offset: 18,
            })
        );
    }

    proptest::proptest! {
        /// Any text — PHP-flavoured or not — is read without panicking, and
        /// every accessor answers.
        #[test]
        fn never_panics(src in "(<\\?php |define|defined|\\(|\\)|'|\"|\\\\|\\$table_prefix|=|;|\\{|\\}|if|else|:|endif|\\|\\||//|#|/\\*|\\*/|\\?>|<<<|EOT|\n| |x|DB_NAME|,|0x|1|\\.|function|include|\\[|\\]|é)*") {
            if let Ok(config) = WpConfig::parse(&src) {
                let _ = config.database();
                let _ = config.multisite();
                let _ = config.site_overrides();
                let _ = format!("{config:?}");
            }
        }

        #[test]
        fn arbitrary_text_never_panics(src in proptest::prelude::any::<String>()) {
            if let Ok(config) = WpConfig::parse(&src) {
                let _ = config.database();
            }
        }
    }
}
