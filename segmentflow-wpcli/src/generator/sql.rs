//! SQL text output: multi-row `INSERT`s batched per table, grouped into
//! transactions, in the MySQL/MariaDB or SQLite dialect, plus the translation
//! of WooCommerce's MySQL DDL into SQLite.
//!
//! Rows are appended to a per-table buffer and a table's buffer is written as
//! one `INSERT` when it holds `batch_rows` rows (or ~1 MB), so memory stays flat
//! whatever the store size.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use super::{Dialect, GenerateError};

/// Maximum bytes of one buffered `INSERT` before it is flushed.
const MAX_STATEMENT_BYTES: usize = 1 << 20;
/// Statements per transaction.
const STATEMENTS_PER_TRANSACTION: u32 = 200;

/// One table's pending rows.
struct Batch {
    table: String,
    columns: &'static str,
    buf: String,
    rows: usize,
}

/// Batches rows per table and writes them as SQL.
pub struct SqlWriter<'w> {
    out: &'w mut dyn Write,
    dialect: Dialect,
    batch_rows: usize,
    batches: Vec<Batch>,
    counts: BTreeMap<String, u64>,
    in_transaction: bool,
    statements: u32,
    bytes: u64,
}

/// A handle to a table registered with [`SqlWriter::table`].
#[derive(Debug, Clone, Copy)]
pub struct TableId(usize);

impl<'w> SqlWriter<'w> {
    /// A writer to `out`.
    pub fn new(out: &'w mut dyn Write, dialect: Dialect, batch_rows: usize) -> Self {
        SqlWriter {
            out,
            dialect,
            batch_rows: batch_rows.max(1),
            batches: Vec::new(),
            counts: BTreeMap::new(),
            in_transaction: false,
            statements: 0,
            bytes: 0,
        }
    }

    /// Registers table `table` (full name, prefix included) with its column list.
    pub fn table(&mut self, table: String, columns: &'static str) -> TableId {
        self.batches.push(Batch {
            table,
            columns,
            buf: String::new(),
            rows: 0,
        });
        TableId(self.batches.len() - 1)
    }

    /// Writes raw SQL (DDL, comments) outside any transaction.
    pub fn raw(&mut self, sql: &str) -> Result<(), GenerateError> {
        self.end_transaction()?;
        self.write_bytes(sql.as_bytes())
    }

    fn write_bytes(&mut self, b: &[u8]) -> Result<(), GenerateError> {
        self.bytes += b.len() as u64;
        self.out.write_all(b).map_err(GenerateError::Io)
    }

    fn end_transaction(&mut self) -> Result<(), GenerateError> {
        if self.in_transaction {
            self.in_transaction = false;
            self.write_bytes(b"COMMIT;\n")?;
        }
        Ok(())
    }

    /// Writes one data statement inside the current transaction.
    pub fn statement(&mut self, sql: &str) -> Result<(), GenerateError> {
        self.statement_parts(&[sql.as_bytes()])
    }

    /// Writes one data statement, given in pieces, inside the current transaction.
    fn statement_parts(&mut self, parts: &[&[u8]]) -> Result<(), GenerateError> {
        if !self.in_transaction {
            let begin: &[u8] = match self.dialect {
                Dialect::MySql => b"START TRANSACTION;\n",
                Dialect::Sqlite => b"BEGIN;\n",
            };
            self.write_bytes(begin)?;
            self.in_transaction = true;
        }
        for part in parts {
            self.write_bytes(part)?;
        }
        self.statements += 1;
        if self.statements.is_multiple_of(STATEMENTS_PER_TRANSACTION) {
            self.end_transaction()?;
        }
        Ok(())
    }

    /// Starts a row of `table`; finish it with [`Row::end`].
    pub fn row(&mut self, table: TableId) -> Row<'_, 'w> {
        let dialect = self.dialect;
        let b = &mut self.batches[table.0];
        b.buf.push_str(if b.rows == 0 { "(" } else { ",\n(" });
        Row {
            writer: self,
            table,
            first: true,
            dialect,
        }
    }

    fn row_done(&mut self, table: TableId) -> Result<(), GenerateError> {
        let b = &mut self.batches[table.0];
        b.buf.push(')');
        b.rows += 1;
        if b.rows >= self.batch_rows || b.buf.len() >= MAX_STATEMENT_BYTES {
            self.flush_table(table)?;
        }
        Ok(())
    }

    fn flush_table(&mut self, table: TableId) -> Result<(), GenerateError> {
        let b = &mut self.batches[table.0];
        if b.rows == 0 {
            return Ok(());
        }
        let head = format!("INSERT INTO `{}` ({}) VALUES\n", b.table, b.columns);
        *self.counts.entry(b.table.clone()).or_default() += b.rows as u64;
        b.rows = 0;
        // Write the rows straight from the batch buffer (no copy), then reuse it.
        let mut rows = std::mem::take(&mut b.buf);
        rows.push_str(";\n");
        let result = self.statement_parts(&[head.as_bytes(), rows.as_bytes()]);
        rows.clear();
        self.batches[table.0].buf = rows;
        result
    }

    /// Writes every pending batch.
    pub fn flush_all(&mut self) -> Result<(), GenerateError> {
        for i in 0..self.batches.len() {
            self.flush_table(TableId(i))?;
        }
        Ok(())
    }

    /// Flushes everything, closes the transaction and the output.
    pub fn finish(mut self) -> Result<(BTreeMap<String, u64>, u64), GenerateError> {
        self.flush_all()?;
        self.end_transaction()?;
        self.out.flush().map_err(GenerateError::Io)?;
        Ok((self.counts, self.bytes))
    }

    /// Counts a row written by a hand-made statement (options upserts).
    pub fn count(&mut self, table: &str, n: u64) {
        *self.counts.entry(table.to_owned()).or_default() += n;
    }
}

/// A row being appended; values go in column order.
pub struct Row<'a, 'w> {
    writer: &'a mut SqlWriter<'w>,
    table: TableId,
    first: bool,
    dialect: Dialect,
}

impl Row<'_, '_> {
    fn sep(&mut self) -> &mut String {
        let buf = &mut self.writer.batches[self.table.0].buf;
        if !self.first {
            buf.push(',');
        }
        self.first = false;
        buf
    }

    /// An integer.
    pub fn int(mut self, v: i64) -> Self {
        super::text::push_int(self.sep(), v);
        self
    }

    /// A quoted, escaped string.
    pub fn str(mut self, v: &str) -> Self {
        let dialect = self.dialect;
        push_quoted(self.sep(), v, dialect);
        self
    }

    /// An optional string (`NULL` when absent).
    pub fn opt_str(self, v: Option<&str>) -> Self {
        match v {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    /// Unquoted text, for numeric literals already formatted (`2.24625`).
    pub fn raw_text(mut self, v: &str) -> Self {
        self.sep().push_str(v);
        self
    }

    /// `NULL`.
    pub fn null(mut self) -> Self {
        self.sep().push_str("NULL");
        self
    }

    /// A decimal literal from cents (`12.34`), for `decimal(26,8)` columns.
    pub fn money(mut self, cents: i64) -> Self {
        super::text::push_money2(self.sep(), cents);
        self
    }

    /// A quoted `YYYY-MM-DD HH:MM:SS` (UTC) or `NULL`.
    pub fn datetime(mut self, ts: Option<i64>) -> Self {
        match ts {
            Some(t) => {
                let buf = self.sep();
                buf.push('\'');
                super::text::push_datetime(buf, t);
                buf.push('\'');
            }
            None => {
                self.sep().push_str("NULL");
            }
        }
        self
    }

    /// Ends the row (and flushes the batch when full).
    pub fn end(self) -> Result<(), GenerateError> {
        self.writer.row_done(self.table)
    }
}

/// Appends `v` as a SQL string literal for `dialect`.
pub fn push_quoted(buf: &mut String, v: &str, dialect: Dialect) {
    buf.push('\'');
    if !v.bytes().any(|b| b == b'\'' || b == b'\\' || b == 0) {
        // The common case: nothing to escape.
        buf.push_str(v);
    } else {
        for ch in v.chars() {
            match ch {
                '\'' => buf.push_str("''"),
                '\\' if dialect == Dialect::MySql => buf.push_str("\\\\"),
                '\0' if dialect == Dialect::MySql => buf.push_str("\\0"),
                c => buf.push(c),
            }
        }
    }
    buf.push('\'');
}

/// The WooCommerce DDL for `dialect` with `{prefix}` replaced: MySQL keeps the
/// real statements (each preceded by `DROP TABLE IF EXISTS`); SQLite gets them
/// translated (see [`mysql_table_to_sqlite`]).
pub fn schema_ddl(schema: &str, prefix: &str, dialect: Dialect) -> Result<String, GenerateError> {
    let schema = schema.replace("{prefix}", prefix);
    let mut out = String::new();
    for stmt in schema.split(";\n") {
        let stmt: String = stmt
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        let stmt = stmt.trim();
        if stmt.is_empty() {
            continue;
        }
        let name = table_name(stmt).ok_or_else(|| GenerateError::Schema {
            statement: stmt.chars().take(60).collect(),
            reason: "not a CREATE TABLE statement".into(),
        })?;
        let _ = writeln!(out, "DROP TABLE IF EXISTS `{name}`;");
        match dialect {
            Dialect::MySql => {
                out.push_str(stmt);
                out.push_str(";\n");
            }
            Dialect::Sqlite => out.push_str(&mysql_table_to_sqlite(stmt, &name)?),
        }
    }
    Ok(out)
}

fn table_name(stmt: &str) -> Option<String> {
    let rest = stmt.strip_prefix("CREATE TABLE `")?;
    Some(rest[..rest.find('`')?].to_owned())
}

/// Translates one MySQL `CREATE TABLE` into SQLite: the `AUTO_INCREMENT`
/// column becomes `INTEGER PRIMARY KEY AUTOINCREMENT`; `unsigned`, `ENGINE`,
/// `CHARSET`, `COLLATE` and index prefix lengths go; `KEY`/`UNIQUE KEY` become
/// `CREATE [UNIQUE] INDEX` statements named `<table>__<key>`.
pub fn mysql_table_to_sqlite(stmt: &str, table: &str) -> Result<String, GenerateError> {
    let err = |reason: &str| GenerateError::Schema {
        statement: table.to_owned(),
        reason: reason.to_owned(),
    };
    let mut columns: Vec<String> = Vec::new();
    let mut indexes: Vec<String> = Vec::new();
    let mut auto_col: Option<String> = None;
    let mut primary: Option<String> = None;
    for line in stmt.lines().skip(1) {
        let l = line.trim().trim_end_matches(',');
        if l.starts_with(')') {
            break;
        }
        if let Some(cols) = l.strip_prefix("PRIMARY KEY ") {
            primary = Some(strip_prefix_lengths(cols));
        } else if l.starts_with("KEY ") || l.starts_with("UNIQUE KEY ") {
            let unique = l.starts_with("UNIQUE");
            let rest = l.trim_start_matches("UNIQUE ").trim_start_matches("KEY ");
            let name_end = rest[1..]
                .find('`')
                .ok_or_else(|| err("unterminated key name"))?
                + 2;
            let key = rest[1..name_end - 1].to_owned();
            let cols = strip_prefix_lengths(rest[name_end..].trim());
            indexes.push(format!(
                "CREATE {}INDEX `{table}__{key}` ON `{table}` {cols};\n",
                if unique { "UNIQUE " } else { "" }
            ));
        } else if let Some(unquoted) = l.strip_prefix('`') {
            let name_end = unquoted
                .find('`')
                .ok_or_else(|| err("unterminated column name"))?
                + 2;
            let name = &l[..name_end];
            let mut def = l[name_end..].replace(" unsigned", "");
            for cut in [" CHARACTER SET ", " COLLATE "] {
                while let Some(p) = def.find(cut) {
                    let after = def[p + cut.len()..]
                        .find(' ')
                        .map_or(def.len(), |e| p + cut.len() + e);
                    def.replace_range(p..after, "");
                }
            }
            if def.contains("AUTO_INCREMENT") {
                auto_col = Some(name.to_owned());
                columns.push(format!("  {name} INTEGER PRIMARY KEY AUTOINCREMENT"));
            } else {
                columns.push(format!("  {name}{def}"));
            }
        } else {
            return Err(err(&format!("unexpected line: {l}")));
        }
    }
    if let Some(pk) = primary {
        let single_auto = auto_col.as_ref().is_some_and(|c| pk == format!("({c})"));
        if !single_auto {
            columns.push(format!("  PRIMARY KEY {pk}"));
        }
    }
    let mut out = format!("CREATE TABLE `{table}` (\n{}\n);\n", columns.join(",\n"));
    for i in indexes {
        out.push_str(&i);
    }
    Ok(out)
}

/// `(`a`,`b`(171))` → `(`a`,`b`)`.
fn strip_prefix_lengths(cols: &str) -> String {
    let mut out = String::with_capacity(cols.len());
    let mut chars = cols.chars().peekable();
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        if c == '(' && prev == '`' {
            for d in chars.by_ref() {
                if d == ')' {
                    break;
                }
            }
            prev = ')';
            continue;
        }
        out.push(c);
        prev = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_per_dialect() {
        for (input, mysql, sqlite) in [
            ("plain", "'plain'", "'plain'"),
            ("O'Brien", "'O''Brien'", "'O''Brien'"),
            ("a\\b", "'a\\\\b'", "'a\\b'"),
            ("渋谷区 ✨", "'渋谷区 ✨'", "'渋谷区 ✨'"),
        ] {
            let mut m = String::new();
            push_quoted(&mut m, input, Dialect::MySql);
            let mut s = String::new();
            push_quoted(&mut s, input, Dialect::Sqlite);
            assert_eq!((m.as_str(), s.as_str()), (mysql, sqlite));
        }
    }

    #[test]
    fn sqlite_translation() {
        let ddl = "CREATE TABLE `wp_x` (\n  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n  `order_id` bigint(20) unsigned NOT NULL,\n  `email` varchar(320) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `order_id` (`order_id`),\n  KEY `email` (`email`(191))\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci";
        let got = mysql_table_to_sqlite(ddl, "wp_x").expect("translates");
        assert_eq!(
            got,
            "CREATE TABLE `wp_x` (\n  `id` INTEGER PRIMARY KEY AUTOINCREMENT,\n  `order_id` bigint(20) NOT NULL,\n  `email` varchar(320) DEFAULT NULL\n);\nCREATE UNIQUE INDEX `wp_x__order_id` ON `wp_x` (`order_id`);\nCREATE INDEX `wp_x__email` ON `wp_x` (`email`);\n"
        );
        let composite = "CREATE TABLE `wp_y` (\n  `a` bigint(20) NOT NULL,\n  `b` bigint(20) NOT NULL,\n  PRIMARY KEY (`a`,`b`)\n) ENGINE=InnoDB";
        assert!(
            mysql_table_to_sqlite(composite, "wp_y")
                .expect("ok")
                .contains("PRIMARY KEY (`a`,`b`)")
        );
    }
}
