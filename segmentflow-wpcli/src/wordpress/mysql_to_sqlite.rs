//! Copies a WordPress database from MariaDB/MySQL into an SQLite file laid
//! out the way the SQLite Database Integration plugin
//! (`WordPress/sqlite-database-integration`, its `WP_SQLite_Translator`)
//! would hold the same tables had WordPress created them through it. Used by
//! the end-to-end harness (the SQLite twin of a test site) and by
//! `scripts/make-demo-site.sh` (the bundled demo store) through
//! `examples/mariadb_to_sqlite.rs`; not part of any subcommand.
//!
//! The translation, per table (as the plugin translates a `CREATE TABLE`):
//!
//! * table and column names unchanged, columns in their MySQL order, written
//!   as `"name" <type>` with the type mapped as the plugin maps it
//!   ([`sqlite_type`]: integers → `integer`, `decimal`/`float`/`double` →
//!   `real`, dates and strings → `text`, blobs → `blob`);
//! * an `AUTO_INCREMENT` column becomes `PRIMARY KEY AUTOINCREMENT`, a
//!   single-column primary key an inline `PRIMARY KEY`, a composite one a
//!   table constraint;
//! * `NOT NULL` columns get `NOT NULL ON CONFLICT REPLACE` and, without a
//!   MySQL default, `DEFAULT ''` (text) or `DEFAULT 0` (numbers); literal
//!   defaults are kept, `DEFAULT NULL` too; expression defaults
//!   (`current_timestamp()`) are dropped;
//! * `text` columns are `COLLATE NOCASE` (MySQL compares case-insensitively);
//! * every other key becomes `CREATE [UNIQUE] INDEX "{table}__{key}"` on its
//!   columns (prefix lengths dropped, as the plugin does);
//! * the plugin's `_mysql_data_types_cache` table records each column's
//!   MySQL type (`information_schema.COLUMNS.COLUMN_TYPE`) and each index's
//!   kind (`KEY`, `UNIQUE`, `FULLTEXT`), which the plugin uses to answer
//!   `DESCRIBE`/`SHOW` queries;
//! * rows are copied as the text MySQL returns them (SQLite's column
//!   affinity then stores `integer`/`real` columns as numbers, so a
//!   `decimal(26,8)` `12.50000000` reads back as `12.5`, as on a real SQLite
//!   site), binary values as blobs, and `sqlite_sequence` continues from the
//!   table's MySQL `AUTO_INCREMENT`.
//!
//! Where this is an approximation: the plugin stores the type text its own
//! lexer produced, which may differ in spelling from `COLUMN_TYPE`; and it
//! creates indexes with the table, this creates them after the rows (same
//! schema, faster).

use std::fmt::Write as _;

use mysql::prelude::Queryable;

/// What went wrong, and where.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// A MariaDB query failed.
    #[error("reading {what} of database {db} from MariaDB/MySQL: {source}")]
    Mysql {
        /// The source database.
        db: String,
        /// What was being read (`the table list`, `table wp_posts`, …).
        what: String,
        /// The driver's error.
        #[source]
        source: mysql::Error,
    },
    /// An SQLite statement failed.
    #[error("writing {what} into SQLite: {source}")]
    Sqlite {
        /// What was being written (`table wp_posts`, `index …`).
        what: String,
        /// The driver's error.
        #[source]
        source: rusqlite::Error,
    },
}

/// One copied table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    /// Its name.
    pub table: String,
    /// Rows copied.
    pub rows: u64,
}

/// A column as `information_schema.COLUMNS` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MysqlColumn {
    /// `COLUMN_NAME`.
    pub name: String,
    /// `DATA_TYPE` (`bigint`, `varchar`, …).
    pub data_type: String,
    /// `COLUMN_TYPE` (`bigint(20) unsigned`, …).
    pub column_type: String,
    /// `IS_NULLABLE = 'NO'`.
    pub not_null: bool,
    /// `COLUMN_DEFAULT` as MariaDB reports it: quoted literals (`'yes'`),
    /// bare numbers, `NULL`, or an expression; `None` for no default.
    pub default: Option<String>,
    /// `EXTRA` contains `auto_increment`.
    pub auto_increment: bool,
}

/// The SQLite type the plugin gives a MySQL `DATA_TYPE`.
pub fn sqlite_type(data_type: &str) -> &'static str {
    match data_type.to_ascii_lowercase().as_str() {
        "bit" | "bool" | "boolean" | "tinyint" | "smallint" | "mediumint" | "int" | "integer"
        | "bigint" | "binary" => "integer",
        "float" | "double" | "decimal" | "dec" | "numeric" | "fixed" => "real",
        "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => "blob",
        _ => "text",
    }
}

/// Quotes an SQLite identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether a MariaDB `COLUMN_DEFAULT` is a literal SQLite can take as is.
fn literal_default(default: &str) -> bool {
    (default.len() >= 2 && default.starts_with('\'') && default.ends_with('\''))
        || default.parse::<f64>().is_ok()
}

/// The SQLite column definition for a MySQL column; `inline_pk` when the
/// column is the table's only primary-key column.
pub fn column_definition(column: &MysqlColumn, inline_pk: bool) -> String {
    let ty = sqlite_type(&column.data_type);
    let mut def = format!("{} {ty}", ident(&column.name));
    if column.auto_increment {
        def.push_str(" PRIMARY KEY AUTOINCREMENT");
    } else if inline_pk {
        def.push_str(" PRIMARY KEY");
    }
    if column.not_null {
        def.push_str(" NOT NULL ON CONFLICT REPLACE");
    }
    match column.default.as_deref() {
        Some(d) if d.eq_ignore_ascii_case("null") => def.push_str(" DEFAULT NULL"),
        Some(d) if literal_default(d) => {
            let _ = write!(def, " DEFAULT {d}");
        }
        _ if column.not_null && ty == "text" => def.push_str(" DEFAULT ''"),
        _ if column.not_null && (ty == "integer" || ty == "real") => def.push_str(" DEFAULT 0"),
        _ => {}
    }
    if ty == "text" {
        def.push_str(" COLLATE NOCASE");
    }
    def
}

/// The plugin's record of original MySQL types.
const DATA_TYPES_CACHE: &str = "CREATE TABLE IF NOT EXISTS _mysql_data_types_cache (\n\t`table` TEXT NOT NULL,\n\t`column_or_index` TEXT NOT NULL,\n\t`mysql_type` TEXT NOT NULL,\n\tPRIMARY KEY(`table`, `column_or_index`)\n);";

/// `LIKE` pattern matching names that start with `prefix`.
fn like_prefix(prefix: &str) -> String {
    let mut out = String::new();
    for c in prefix.chars() {
        if matches!(c, '_' | '%' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Copies every table of `db` whose name starts with `prefix` into
/// `sqlite` (which should be empty), in one transaction. Returns the
/// tables in name order with their row counts.
pub fn copy_database(
    conn: &mut mysql::Conn,
    db: &str,
    prefix: &str,
    sqlite: &mut rusqlite::Connection,
) -> Result<Vec<TableCopy>, CopyError> {
    let my = |what: &str| {
        let db = db.to_owned();
        let what = what.to_owned();
        move |source| CopyError::Mysql { db, what, source }
    };
    let lite = |what: &str| {
        let what = what.to_owned();
        move |source| CopyError::Sqlite { what, source }
    };
    let tables: Vec<(String, Option<u64>)> = conn
        .exec(
            "SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME LIKE ? ORDER BY TABLE_NAME",
            (db, like_prefix(prefix)),
        )
        .map_err(my("the table list"))?;
    let tx = sqlite.transaction().map_err(lite("a transaction"))?;
    tx.execute_batch(DATA_TYPES_CACHE)
        .map_err(lite("_mysql_data_types_cache"))?;
    let mut copied = Vec::new();
    for (table, auto_increment) in tables {
        let what = format!("table {table}");
        let columns: Vec<(String, String, String, String, Option<String>, String)> = conn
            .exec(
                "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA \
                 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                (db, &table),
            )
            .map_err(my(&what))?;
        let columns: Vec<MysqlColumn> = columns
            .into_iter()
            .map(
                |(name, data_type, column_type, nullable, default, extra)| MysqlColumn {
                    name,
                    data_type,
                    column_type: column_type.to_ascii_lowercase(),
                    not_null: nullable == "NO",
                    default,
                    auto_increment: extra.to_ascii_lowercase().contains("auto_increment"),
                },
            )
            .collect();
        // (index name, non-unique, index type, column) in key order.
        let keys: Vec<(String, i64, String, String)> = conn
            .exec(
                "SELECT INDEX_NAME, NON_UNIQUE, INDEX_TYPE, COLUMN_NAME FROM information_schema.STATISTICS \
                 WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX",
                (db, &table),
            )
            .map_err(my(&what))?;
        let primary: Vec<&str> = keys
            .iter()
            .filter(|k| k.0 == "PRIMARY")
            .map(|k| k.3.as_str())
            .collect();
        let mut defs: Vec<String> = columns
            .iter()
            .map(|c| column_definition(c, primary.len() == 1 && primary[0] == c.name))
            .collect();
        if primary.len() > 1 {
            let cols: Vec<String> = primary.iter().map(|c| ident(c)).collect();
            defs.push(format!("PRIMARY KEY ({})", cols.join(", ")));
        }
        tx.execute_batch(&format!(
            "CREATE TABLE {} (\n{})",
            ident(&table),
            defs.join(",\n")
        ))
        .map_err(lite(&what))?;
        for c in &columns {
            tx.execute(
                "INSERT INTO _mysql_data_types_cache (`table`, `column_or_index`, `mysql_type`) VALUES (?1, ?2, ?3)",
                (&table, &c.name, &c.column_type),
            )
            .map_err(lite(&what))?;
        }

        let names: Vec<String> = columns.iter().map(|c| format!("`{}`", c.name)).collect();
        let placeholders = vec!["?"; names.len()].join(", ");
        let insert = format!("INSERT INTO {} VALUES ({placeholders})", ident(&table));
        let mut rows = 0u64;
        {
            let mut stmt = tx.prepare(&insert).map_err(lite(&what))?;
            let result = conn
                .query_iter(format!("SELECT {} FROM `{db}`.`{table}`", names.join(", ")))
                .map_err(my(&what))?;
            for row in result {
                let row = row.map_err(my(&what))?;
                let values: Vec<rusqlite::types::Value> = row
                    .unwrap()
                    .into_iter()
                    .zip(&columns)
                    .map(|(v, c)| sqlite_value(v, sqlite_type(&c.data_type) == "blob"))
                    .collect();
                stmt.execute(rusqlite::params_from_iter(values))
                    .map_err(lite(&what))?;
                rows += 1;
            }
        }
        if let Some(seq) = auto_increment
            .and_then(|n| i64::try_from(n).ok())
            .map(|n| n - 1)
            .filter(|n| *n > 0)
            && columns.iter().any(|c| c.auto_increment)
        {
            tx.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, ?1) WHERE name = ?2",
                (seq, &table),
            )
            .map_err(lite(&what))?;
            tx.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT ?2, ?1 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?2)",
                (seq, &table),
            )
            .map_err(lite(&what))?;
        }

        let mut index_names: Vec<&str> = keys
            .iter()
            .filter(|k| k.0 != "PRIMARY")
            .map(|k| k.0.as_str())
            .collect();
        index_names.dedup();
        for index in index_names {
            let parts: Vec<&(String, i64, String, String)> =
                keys.iter().filter(|k| k.0 == index).collect();
            let unique = parts.first().is_some_and(|k| k.1 == 0);
            let kind = match parts.first().map(|k| k.2.as_str()) {
                Some("FULLTEXT") => "FULLTEXT",
                _ if unique => "UNIQUE",
                _ => "KEY",
            };
            let cols: Vec<String> = parts.iter().map(|k| ident(&k.3)).collect();
            let name = format!("{table}__{index}");
            tx.execute_batch(&format!(
                "CREATE {}INDEX {} ON {} ({})",
                if unique { "UNIQUE " } else { "" },
                ident(&name),
                ident(&table),
                cols.join(", ")
            ))
            .map_err(lite(&format!("index {name}")))?;
            tx.execute(
                "INSERT INTO _mysql_data_types_cache (`table`, `column_or_index`, `mysql_type`) VALUES (?1, ?2, ?3)",
                (&table, &name, kind),
            )
            .map_err(lite(&what))?;
        }
        copied.push(TableCopy { table, rows });
    }
    tx.commit().map_err(lite("the copy (commit)"))?;
    Ok(copied)
}

/// A MySQL text-protocol value as the value PHP's PDO would bind: text
/// (binary data, or any value of a `blob` column, as a blob).
fn sqlite_value(value: mysql::Value, blob: bool) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match value {
        mysql::Value::NULL => V::Null,
        mysql::Value::Bytes(b) if blob => V::Blob(b),
        mysql::Value::Bytes(b) => match String::from_utf8(b) {
            Ok(s) => V::Text(s),
            Err(e) => V::Blob(e.into_bytes()),
        },
        mysql::Value::Int(i) => V::Integer(i),
        mysql::Value::UInt(u) => {
            i64::try_from(u).map_or_else(|_| V::Text(u.to_string()), V::Integer)
        }
        mysql::Value::Float(f) => V::Real(f64::from(f)),
        mysql::Value::Double(d) => V::Real(d),
        other => V::Text(other.as_sql(true).trim_matches('\'').to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, data_type: &str, not_null: bool, default: Option<&str>) -> MysqlColumn {
        MysqlColumn {
            name: name.into(),
            data_type: data_type.into(),
            column_type: data_type.into(),
            not_null,
            default: default.map(str::to_owned),
            auto_increment: false,
        }
    }

    #[test]
    fn column_definitions_follow_the_plugin() {
        let mut id = col("option_id", "bigint", true, None);
        id.auto_increment = true;
        let cases: &[(MysqlColumn, bool, &str)] = &[
            (
                id,
                true,
                r#""option_id" integer PRIMARY KEY AUTOINCREMENT NOT NULL ON CONFLICT REPLACE DEFAULT 0"#,
            ),
            (
                col("option_name", "varchar", true, Some("''")),
                false,
                r#""option_name" text NOT NULL ON CONFLICT REPLACE DEFAULT '' COLLATE NOCASE"#,
            ),
            (
                col("autoload", "varchar", true, Some("'yes'")),
                false,
                r#""autoload" text NOT NULL ON CONFLICT REPLACE DEFAULT 'yes' COLLATE NOCASE"#,
            ),
            (
                col("option_value", "longtext", true, None),
                false,
                r#""option_value" text NOT NULL ON CONFLICT REPLACE DEFAULT '' COLLATE NOCASE"#,
            ),
            (
                col("total_amount", "decimal", false, Some("NULL")),
                false,
                r#""total_amount" real DEFAULT NULL"#,
            ),
            (
                col("menu_order", "int", true, Some("0")),
                false,
                r#""menu_order" integer NOT NULL ON CONFLICT REPLACE DEFAULT 0"#,
            ),
            (
                col("date_created_gmt", "datetime", false, None),
                false,
                r#""date_created_gmt" text COLLATE NOCASE"#,
            ),
            (
                col("updated", "timestamp", true, Some("current_timestamp()")),
                false,
                r#""updated" text NOT NULL ON CONFLICT REPLACE DEFAULT '' COLLATE NOCASE"#,
            ),
            (
                col("order_key", "varchar", false, None),
                true,
                r#""order_key" text PRIMARY KEY COLLATE NOCASE"#,
            ),
            (
                col("data", "longblob", false, None),
                false,
                r#""data" blob"#,
            ),
        ];
        for (column, pk, want) in cases {
            assert_eq!(column_definition(column, *pk), *want, "{}", column.name);
        }
    }

    #[test]
    fn types_and_patterns() {
        for (mysql, sqlite) in [
            ("BIGINT", "integer"),
            ("tinyint", "integer"),
            ("decimal", "real"),
            ("double", "real"),
            ("datetime", "text"),
            ("enum", "text"),
            ("longtext", "text"),
            ("varbinary", "blob"),
        ] {
            assert_eq!(sqlite_type(mysql), sqlite, "{mysql}");
        }
        assert_eq!(like_prefix("wp_"), "wp\\_%");
        assert_eq!(like_prefix("a%b"), "a\\%b%");
        assert!(literal_default("'0000-00-00 00:00:00'"));
        assert!(literal_default("-1.5"));
        assert!(!literal_default("current_timestamp()"));
        assert!(!literal_default("'"));
    }

    #[test]
    fn definitions_are_valid_sqlite() {
        let mut id = col("ID", "bigint", true, None);
        id.auto_increment = true;
        let defs = [
            column_definition(&id, true),
            column_definition(&col("a", "varchar", true, Some("'x'")), false),
            column_definition(&col("b", "decimal", false, Some("NULL")), false),
        ];
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(&format!("CREATE TABLE t ({})", defs.join(", ")))
            .unwrap();
        db.execute("INSERT INTO t (a, b) VALUES (NULL, '12.50000000')", [])
            .unwrap();
        let (id, a, b): (i64, String, f64) = db
            .query_row("SELECT ID, a, b FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(
            (id, a.as_str(), b),
            (1, "x", 12.5),
            "NOT NULL ⇒ default, real affinity"
        );
    }
}
