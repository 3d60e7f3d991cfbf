//! The WordPress options table: read any option, write our own.
//!
//! Writes behave as `update_option()` / `add_option()` would leave the table
//! (WordPress 6.6's `wp-includes/option.php`):
//!
//! * an existing row keeps its `autoload`; its value is replaced only when it
//!   differs (`update_option()` is a no-op for an equal value, and such a
//!   name is not reported as written);
//! * a new row gets `autoload = 'auto'` on WordPress ≥ 6.6 (`db_version` ≥
//!   57155), `'yes'` before — what `add_option()` stores when the caller
//!   passes no autoload preference;
//! * all writes of one command happen in one transaction.
//!
//! Values are the stored bytes (what `maybe_serialize()` produced); which
//! bytes and which autoload a setting gets is decided by the core
//! (`segmentflow_core::options::OptionRow`, written with [`write_rows`]).
//! Every function takes the options table's validated name
//! ([`super::site::Site::options_table`]).
//!
//! After writing, the PHP side must drop the written names from the object
//! cache. [`report_written`] tells it: when `SEGMENTFLOW_WRITTEN_OPTIONS_FILE`
//! names a file, the JSON list of names goes there (stdout stays pure
//! results, stderr stays for people); `--debug` also logs the names.

use segmentflow_core::wpconfig::TableName;

use super::db::{Db, DbError, Engine, Param};
use crate::env;

/// The first `db_version` of WordPress 6.6, which introduced `auto` autoload values.
pub const DB_VERSION_WP_6_6: i64 = 57155;

/// One row of the options table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionRow {
    /// `option_name`.
    pub name: String,
    /// `option_value`, as stored.
    pub value: Vec<u8>,
    /// `autoload` (`yes`, `no`, `on`, `off`, `auto`, `auto-on`, `auto-off`).
    pub autoload: String,
}

/// One option to store.
#[derive(Debug, Clone)]
pub struct OptionWrite {
    /// `option_name`.
    pub name: String,
    /// The stored value.
    pub value: Vec<u8>,
}

fn row_to_option(row: &super::db::Row) -> Result<OptionRow, DbError> {
    Ok(OptionRow {
        name: row.required_str(0)?.to_owned(),
        value: row.bytes(1)?.unwrap_or_default().to_vec(),
        autoload: row.str(2)?.unwrap_or_default().to_owned(),
    })
}

/// Reads one option.
pub fn get(db: &mut Db, table: &TableName, name: &str) -> Result<Option<OptionRow>, DbError> {
    let sql = format!(
        "SELECT option_name, option_value, autoload FROM {} WHERE option_name = ? LIMIT 1",
        table.quoted()
    );
    db.query_first(&sql, &[Param::Str(name)])?
        .map(|row| row_to_option(&row))
        .transpose()
}

/// Reads several options at once; missing names are left out.
pub fn get_many(db: &mut Db, table: &TableName, names: &[&str]) -> Result<Vec<OptionRow>, DbError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = vec!["?"; names.len()].join(", ");
    let sql = format!(
        "SELECT option_name, option_value, autoload FROM {} WHERE option_name IN ({placeholders}) ORDER BY option_id",
        table.quoted()
    );
    let params: Vec<Param<'_>> = names.iter().map(|n| Param::Str(n)).collect();
    let mut out = Vec::new();
    db.query_rows(&sql, &params, |row| {
        out.push(row_to_option(row)?);
        Ok::<(), DbError>(())
    })?;
    Ok(out)
}

/// Reads the plugin's options (every name `segmentflow_core::options`
/// knows, plus the WooCommerce upgrade-notice transient row) as the plugin
/// reads them.
pub fn read_plugin_options(
    db: &mut Db,
    table: &TableName,
) -> Result<segmentflow_core::options::PluginOptions, DbError> {
    let names: Vec<&str> = segmentflow_core::options::names_to_read().collect();
    let rows = get_many(db, table, &names)?;
    Ok(segmentflow_core::options::PluginOptions::from_rows(
        rows.iter().map(|r| (r.name.as_str(), r.value.as_slice())),
    ))
}

/// Turns a WP-CLI `--search` pattern (`*` wildcard) into a LIKE pattern with
/// `!` as the escape character (`%` and `_` in the name match literally).
pub fn like_pattern(search: &str) -> String {
    let mut out = String::with_capacity(search.len() + 4);
    for c in search.chars() {
        match c {
            '*' => out.push('%'),
            '%' | '_' | '!' => {
                out.push('!');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Lists options (optionally those matching a `*` pattern) in `option_id` order.
pub fn list(
    db: &mut Db,
    table: &TableName,
    search: Option<&str>,
    mut each: impl FnMut(OptionRow) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let table = table.quoted();
    let pattern = search.map(like_pattern);
    let (sql, params) = match &pattern {
        Some(p) => (
            format!(
                "SELECT option_name, option_value, autoload FROM {table} WHERE option_name LIKE ? ESCAPE '!' ORDER BY option_id"
            ),
            vec![Param::Str(p)],
        ),
        None => (
            format!("SELECT option_name, option_value, autoload FROM {table} ORDER BY option_id"),
            vec![],
        ),
    };
    db.query_rows(&sql, &params, |row| each(row_to_option(row)?))
}

/// The autoload value `add_option()` gives a new row when the caller has no
/// preference, for the site's `db_version`.
pub fn default_autoload(db_version: Option<i64>) -> &'static str {
    match db_version {
        Some(v) if v >= DB_VERSION_WP_6_6 => "auto",
        _ => "yes",
    }
}

/// The site's `db_version` option as a number.
pub fn db_version(db: &mut Db, table: &TableName) -> Result<Option<i64>, DbError> {
    Ok(get(db, table, "db_version")?
        .and_then(|row| String::from_utf8(row.value).ok())
        .and_then(|v| v.trim().parse().ok()))
}

/// Stores options in one transaction; returns the names actually changed.
/// New rows get the autoload `add_option()` would give them on the site's
/// `db_version` ([`default_autoload`]).
pub fn write(
    db: &mut Db,
    table: &TableName,
    writes: &[OptionWrite],
) -> Result<Vec<String>, DbError> {
    let unset: Vec<(OptionWrite, &'static str)> = writes.iter().map(|w| (w.clone(), "")).collect();
    write_with(db, table, &unset, true)
}

/// Stores the rows the core decided on (value and autoload-if-new) in one
/// transaction; returns the names actually changed.
pub fn write_rows(
    db: &mut Db,
    table: &TableName,
    rows: &[segmentflow_core::options::OptionRow],
) -> Result<Vec<String>, DbError> {
    let writes: Vec<(OptionWrite, &'static str)> = rows
        .iter()
        .map(|row| {
            (
                OptionWrite {
                    name: row.name().to_owned(),
                    value: row.value().to_vec(),
                },
                row.autoload_if_new(),
            )
        })
        .collect();
    write_with(db, table, &writes, false)
}

/// Writes `(option, autoload-if-new)` pairs; with `site_default`, the
/// autoload of new rows comes from the site's `db_version` instead.
fn write_with(
    db: &mut Db,
    table: &TableName,
    writes: &[(OptionWrite, &'static str)],
    site_default: bool,
) -> Result<Vec<String>, DbError> {
    let options_table = table;
    let table = table.quoted();
    let lock = match db.engine() {
        Engine::Mysql => " FOR UPDATE",
        Engine::Sqlite => "",
    };
    db.transaction(|tx| {
        let site_autoload = if site_default {
            Some(default_autoload(db_version(tx, options_table)?))
        } else {
            None
        };
        let mut written = Vec::new();
        for (w, row_autoload) in writes {
            let autoload = site_autoload.unwrap_or(row_autoload);
            let sql =
                format!("SELECT option_value FROM {table} WHERE option_name = ? LIMIT 1{lock}");
            match tx.query_first(&sql, &[Param::Str(&w.name)])? {
                Some(row) if row.bytes(0)?.unwrap_or_default() == w.value.as_slice() => {}
                Some(_) => {
                    let sql = format!("UPDATE {table} SET option_value = ? WHERE option_name = ?");
                    tx.execute(&sql, &[Param::Bytes(&w.value), Param::Str(&w.name)])?;
                    written.push(w.name.clone());
                }
                None => {
                    let sql = format!(
                        "INSERT INTO {table} (option_name, option_value, autoload) VALUES (?, ?, ?)"
                    );
                    tx.execute(
                        &sql,
                        &[
                            Param::Str(&w.name),
                            Param::Bytes(&w.value),
                            Param::Str(autoload),
                        ],
                    )?;
                    written.push(w.name.clone());
                }
            }
        }
        Ok(written)
    })
}

/// Deletes options in one transaction; returns the names that existed.
pub fn delete(db: &mut Db, table: &TableName, names: &[&str]) -> Result<Vec<String>, DbError> {
    let table = table.quoted();
    db.transaction(|tx| {
        let mut deleted = Vec::new();
        for name in names {
            let sql = format!("DELETE FROM {table} WHERE option_name = ?");
            if tx.execute(&sql, &[Param::Str(name)])? > 0 {
                deleted.push((*name).to_owned());
            }
        }
        Ok(deleted)
    })
}

/// Tells the PHP side which options changed (see the module doc).
pub fn report_written(names: &[String]) -> std::io::Result<()> {
    let Some(path) = env::var(env::WRITTEN_OPTIONS_FILE) else {
        return Ok(());
    };
    let json = serde_json::to_string(names).unwrap_or_else(|_| "[]".into());
    std::fs::write(path, json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_site() -> (Db, TableName) {
        let mut db = Db::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
        db.execute(
            "CREATE TABLE wp_options (option_id INTEGER PRIMARY KEY AUTOINCREMENT, option_name TEXT NOT NULL DEFAULT '' UNIQUE, option_value TEXT NOT NULL, autoload TEXT NOT NULL DEFAULT 'yes')",
            &[],
        )
        .unwrap();
        let prefix = segmentflow_core::wpconfig::TablePrefix::new("wp_").unwrap();
        let table = prefix
            .table(1, segmentflow_core::wpconfig::Table::Options)
            .unwrap();
        (db, table)
    }

    fn put(db: &mut Db, name: &str, value: &str, autoload: &str) {
        db.execute(
            "INSERT INTO wp_options (option_name, option_value, autoload) VALUES (?, ?, ?)",
            &[Param::Str(name), Param::Str(value), Param::Str(autoload)],
        )
        .unwrap();
    }

    #[test]
    fn autoload_for_new_rows_depends_on_db_version() {
        let cases = [
            (None, "yes"),
            (Some(53496), "yes"),
            (Some(57154), "yes"),
            (Some(57155), "auto"),
            (Some(58975), "auto"),
        ];
        for (v, want) in cases {
            assert_eq!(default_autoload(v), want, "{v:?}");
        }
    }

    #[test]
    fn like_patterns() {
        let cases = [
            ("segmentflow_*", "segmentflow!_%"),
            ("*", "%"),
            ("a%b!", "a!%b!!"),
        ];
        for (search, want) in cases {
            assert_eq!(like_pattern(search), want, "{search}");
        }
    }

    #[test]
    fn core_rows_carry_their_own_autoload() {
        use segmentflow_core::options::{Setting, SettingValue};
        let (mut db, table) = sqlite_site();
        put(&mut db, "db_version", "53496", "yes");
        put(&mut db, "segmentflow_consent_required", "", "off");
        let rows = [
            SettingValue::Bool(Setting::DebugMode, true)
                .to_row("6.6.2")
                .unwrap(),
            SettingValue::Bool(Setting::ConsentRequired, true)
                .to_row("6.6.2")
                .unwrap(),
            SettingValue::Bool(Setting::WcEnabled, false)
                .to_row("6.5")
                .unwrap(),
        ];
        let written = write_rows(&mut db, &table, &rows).unwrap();
        assert_eq!(
            written,
            [
                "segmentflow_debug_mode",
                "segmentflow_consent_required",
                "segmentflow_wc_enabled"
            ]
        );
        let got: Vec<(String, Vec<u8>, String)> = get_many(
            &mut db,
            &table,
            &[
                "segmentflow_debug_mode",
                "segmentflow_consent_required",
                "segmentflow_wc_enabled",
            ],
        )
        .unwrap()
        .into_iter()
        .map(|r| (r.name, r.value, r.autoload))
        .collect();
        assert_eq!(
            got,
            [
                // Existing row: keeps its autoload.
                (
                    "segmentflow_consent_required".into(),
                    b"1".to_vec(),
                    "off".into()
                ),
                // New rows: what the core decided, not the site's db_version.
                (
                    "segmentflow_debug_mode".into(),
                    b"1".to_vec(),
                    "auto".into()
                ),
                ("segmentflow_wc_enabled".into(), b"".to_vec(), "yes".into()),
            ]
        );
    }

    #[test]
    fn write_preserves_autoload_and_skips_equal_values() {
        let (mut db, prefix) = sqlite_site();
        put(&mut db, "db_version", "57155", "on");
        put(&mut db, "segmentflow_debug_mode", "", "off");
        put(
            &mut db,
            "segmentflow_api_host",
            "https://api.segmentflow.ai",
            "yes",
        );
        let written = write(
            &mut db,
            &prefix,
            &[
                OptionWrite {
                    name: "segmentflow_debug_mode".into(),
                    value: b"1".to_vec(),
                },
                OptionWrite {
                    name: "segmentflow_api_host".into(),
                    value: b"https://api.segmentflow.ai".to_vec(),
                },
                OptionWrite {
                    name: "segmentflow_write_key".into(),
                    value: b"wk_1".to_vec(),
                },
            ],
        )
        .unwrap();
        assert_eq!(written, ["segmentflow_debug_mode", "segmentflow_write_key"]);
        let rows = get_many(
            &mut db,
            &prefix,
            &["segmentflow_debug_mode", "segmentflow_write_key", "missing"],
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].value.as_slice(), rows[0].autoload.as_str()),
            (&b"1"[..], "off")
        );
        assert_eq!(
            (rows[1].value.as_slice(), rows[1].autoload.as_str()),
            (&b"wk_1"[..], "auto")
        );

        let mut names = Vec::new();
        list(&mut db, &prefix, Some("segmentflow_*"), |row| {
            names.push(row.name);
            Ok(())
        })
        .unwrap();
        assert_eq!(
            names,
            [
                "segmentflow_debug_mode",
                "segmentflow_api_host",
                "segmentflow_write_key"
            ]
        );

        let deleted = delete(&mut db, &prefix, &["segmentflow_write_key", "missing"]).unwrap();
        assert_eq!(deleted, ["segmentflow_write_key"]);
        assert!(
            get(&mut db, &prefix, "segmentflow_write_key")
                .unwrap()
                .is_none()
        );
    }
}
