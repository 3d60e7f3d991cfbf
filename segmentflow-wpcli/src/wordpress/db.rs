//! One database abstraction over MariaDB/MySQL and SQLite.
//!
//! WordPress sites live in MariaDB/MySQL; some (and our demo store) live in
//! SQLite through the SQLite Database Integration plugin, which keeps the
//! same table and column names. Every reader in this crate goes through
//! [`Db`], so a store reader is written once:
//!
//! * SQL uses `?` placeholders (both engines accept them) and parameters are
//!   always bound, never pasted into the text. Table names come only from a
//!   validated `segmentflow_core::wpconfig::TablePrefix`.
//! * Rows stream through a callback as a [`Row`] of text cells (MySQL's text
//!   form: numbers as decimal text, dates as `YYYY-MM-DD HH:MM:SS`); typed
//!   getters return errors instead of panicking (the `mysql` crate's
//!   `from_row` would panic), and a zero date (`0000-00-00 00:00:00`) reads as
//!   `None`.
//! * A MySQL session is set up as WordPress sets up its own: `SET NAMES
//!   utf8mb4`, and the SQL modes WordPress cannot work with removed
//!   (`wpdb::set_sql_mode()`: `NO_ZERO_DATE`, `ONLY_FULL_GROUP_BY`,
//!   `STRICT_*`, `TRADITIONAL`, `ANSI`). The session time zone is left alone:
//!   WordPress stores local and `_gmt` times itself.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use mysql::prelude::Queryable;

/// How to reach a MariaDB/MySQL server.
///
/// Built by [`super::site`] from the endpoint `segmentflow_core::wpconfig`
/// resolved (`DbHost::endpoint`): either a socket or a TCP host and port.
#[derive(Clone, Default)]
pub struct ConnectParams {
    /// Host name or IP (`None`/empty with a socket: socket only).
    pub host: Option<String>,
    /// TCP port; `None` means 3306.
    pub port: Option<u16>,
    /// Unix socket path; when set it is used instead of TCP.
    pub socket: Option<PathBuf>,
    /// User name.
    pub user: String,
    /// Password (never printed: `Debug` masks it).
    pub password: String,
    /// Database name.
    pub database: String,
    /// `DB_CHARSET` as configured (the session always uses utf8mb4).
    pub charset: Option<String>,
}

impl std::fmt::Debug for ConnectParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectParams")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("socket", &self.socket)
            .field("user", &self.user)
            .field(
                "password",
                &if self.password.is_empty() { "" } else { "***" },
            )
            .field("database", &self.database)
            .field("charset", &self.charset)
            .finish()
    }
}

impl ConnectParams {
    /// Where the connection goes, for messages: `socket /run/…` or `tcp host:port`.
    pub fn target(&self) -> String {
        match (&self.socket, &self.host) {
            (Some(socket), _) => format!("socket {}", socket.display()),
            (None, Some(host)) => format!("tcp {}:{}", host, self.port.unwrap_or(3306)),
            (None, None) => format!("tcp 127.0.0.1:{}", self.port.unwrap_or(3306)),
        }
    }
}

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The server could not be reached or refused the login.
    #[error("cannot connect to MySQL/MariaDB database '{database}' as '{user}' via {target}")]
    Connect {
        /// `socket …` or `tcp host:port`.
        target: String,
        /// The user name.
        user: String,
        /// The database name.
        database: String,
        /// The driver's error (it never contains the password).
        source: MysqlError,
    },
    /// The SQLite file could not be opened.
    #[error("cannot open SQLite database {path}")]
    OpenSqlite {
        /// The file.
        path: PathBuf,
        /// The driver's error.
        source: Box<rusqlite::Error>,
    },
    /// A statement failed on MySQL/MariaDB.
    #[error("query failed: {sql}")]
    Mysql {
        /// The statement text.
        sql: String,
        /// The driver's error.
        source: MysqlError,
    },
    /// A statement failed on SQLite.
    #[error("query failed: {sql}")]
    Sqlite {
        /// The statement text.
        sql: String,
        /// The driver's error.
        source: Box<rusqlite::Error>,
    },
    /// A cell did not have the type the reader asked for.
    #[error("column {column} ('{name}'): {problem}")]
    Column {
        /// Zero-based column index.
        column: usize,
        /// Column name.
        name: String,
        /// What was wrong.
        problem: String,
    },
}

/// A MariaDB/MySQL driver error, shown as the server shows it
/// (`ERROR 1045 (28000): Access denied …`) rather than as the driver's
/// debug-like text.
#[derive(Debug)]
pub struct MysqlError(pub Box<mysql::Error>);

impl std::fmt::Display for MysqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0 {
            mysql::Error::MySqlError(e) => write!(f, "{e}"),
            mysql::Error::IoError(e) => write!(f, "{e}"),
            other => write!(f, "{other}"),
        }
    }
}

impl std::error::Error for MysqlError {}

/// A bound parameter.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A text value.
    Str(&'a str),
    /// Raw bytes (stored as they are; option values are byte strings).
    Bytes(&'a [u8]),
}

/// One result row: text cells by column, `None` for NULL.
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<[String]>,
    cells: Vec<Cell>,
}

/// One cell's text. Numbers and dates (what MariaDB's binary protocol sends
/// as values, not text) are written into the cell itself, so the many id
/// cells of a read cost no allocation each.
///
/// A cell is as big as the driver's own value (24 bytes), so a row's cells
/// take over the driver's vector in place rather than a new allocation.
#[derive(Debug, Clone)]
enum Cell {
    Null,
    Heap(Box<[u8]>),
    Inline { len: u8, text: [u8; INLINE] },
}

/// The longest text kept inside a [`Cell`]: an `i64` is at most 20 bytes, a
/// date-time without fractions 19.
const INLINE: usize = 22;

impl Cell {
    fn bytes(&self) -> Option<&[u8]> {
        match self {
            Cell::Null => None,
            Cell::Heap(b) => Some(b),
            Cell::Inline { len, text } => Some(&text[..usize::from(*len)]),
        }
    }

    /// The text `args` formats, inline when it fits.
    fn format(args: std::fmt::Arguments<'_>) -> Cell {
        use std::io::Write;
        let mut text = [0u8; INLINE];
        let mut rest = &mut text[..];
        if rest.write_fmt(args).is_ok() {
            let len = INLINE - rest.len();
            return Cell::Inline {
                len: len as u8,
                text,
            };
        }
        Cell::Heap(std::fmt::format(args).into_bytes().into_boxed_slice())
    }
}

/// A date-time cell, as stored (no time zone conversion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// Year.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
}

impl Row {
    /// The column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    fn column_error(&self, column: usize, problem: impl Into<String>) -> DbError {
        DbError::Column {
            column,
            name: self.columns.get(column).cloned().unwrap_or_default(),
            problem: problem.into(),
        }
    }

    /// The raw bytes of a cell (`None` for NULL).
    pub fn bytes(&self, column: usize) -> Result<Option<&[u8]>, DbError> {
        match self.cells.get(column) {
            Some(cell) => Ok(cell.bytes()),
            None => {
                Err(self.column_error(column, format!("row has only {} columns", self.cells.len())))
            }
        }
    }

    /// A cell as UTF-8 text (`None` for NULL).
    pub fn str(&self, column: usize) -> Result<Option<&str>, DbError> {
        match self.bytes(column)? {
            None => Ok(None),
            Some(b) => std::str::from_utf8(b)
                .map(Some)
                .map_err(|e| self.column_error(column, format!("not UTF-8 text: {e}"))),
        }
    }

    /// A cell that must not be NULL, as text.
    pub fn required_str(&self, column: usize) -> Result<&str, DbError> {
        self.str(column)?
            .ok_or_else(|| self.column_error(column, "unexpected NULL"))
    }

    /// A cell as a signed integer (`None` for NULL).
    pub fn i64(&self, column: usize) -> Result<Option<i64>, DbError> {
        match self.str(column)? {
            None => Ok(None),
            Some(s) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| self.column_error(column, format!("not an integer: '{s}'"))),
        }
    }

    /// A cell as a date-time; NULL and MySQL's zero date read as `None`.
    pub fn datetime(&self, column: usize) -> Result<Option<DateTime>, DbError> {
        let Some(s) = self.str(column)? else {
            return Ok(None);
        };
        let bad = || self.column_error(column, format!("not a date-time: '{s}'"));
        let num = |range: std::ops::Range<usize>| -> Result<u16, DbError> {
            s.get(range).and_then(|p| p.parse().ok()).ok_or_else(bad)
        };
        if s.len() < 10 {
            return Err(bad());
        }
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = if s.len() >= 19 {
            (num(11..13)?, num(14..16)?, num(17..19)?)
        } else {
            (0, 0, 0)
        };
        if year == 0 || month == 0 || day == 0 {
            return Ok(None);
        }
        let small = |v: u16| u8::try_from(v).map_err(|_| bad());
        Ok(Some(DateTime {
            year,
            month: small(month)?,
            day: small(day)?,
            hour: small(hour)?,
            minute: small(minute)?,
            second: small(second)?,
        }))
    }
}

/// Which engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// MariaDB or MySQL.
    Mysql,
    /// SQLite (SQLite Database Integration layout).
    Sqlite,
}

/// An open WordPress database.
pub enum Db {
    /// MariaDB/MySQL.
    Mysql(Box<mysql::Conn>),
    /// SQLite.
    Sqlite(rusqlite::Connection),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Db::Mysql(_) => "Db::Mysql",
            Db::Sqlite(_) => "Db::Sqlite",
        })
    }
}

/// The SQL modes WordPress removes from the session (`wpdb::$incompatible_modes`).
fn is_incompatible_mode(mode: &str) -> bool {
    matches!(
        mode,
        "NO_ZERO_DATE" | "ONLY_FULL_GROUP_BY" | "TRADITIONAL" | "ANSI"
    ) || mode.starts_with("STRICT_")
}

/// The session's SQL modes with WordPress's incompatible ones removed.
pub fn compatible_sql_modes(current: &str) -> String {
    current
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty() && !is_incompatible_mode(&m.to_ascii_uppercase()))
        .collect::<Vec<_>>()
        .join(",")
}

impl Db {
    /// Connects to MariaDB/MySQL and prepares the session as WordPress does.
    pub fn connect_mysql(params: &ConnectParams) -> Result<Db, DbError> {
        let connect_err = |source| DbError::Connect {
            target: params.target(),
            user: params.user.clone(),
            database: params.database.clone(),
            source: MysqlError(Box::new(source)),
        };
        let mut opts = mysql::OptsBuilder::new()
            .user(Some(params.user.clone()))
            .pass(Some(params.password.clone()))
            .db_name(Some(params.database.clone()))
            .prefer_socket(false)
            .tcp_connect_timeout(Some(std::time::Duration::from_secs(10)))
            .init(vec!["SET NAMES utf8mb4"]);
        if let Some(socket) = &params.socket {
            opts = opts.socket(Some(socket.to_string_lossy().into_owned()));
        } else {
            let host = params
                .host
                .clone()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "127.0.0.1".to_owned());
            opts = opts
                .ip_or_hostname(Some(host))
                .tcp_port(params.port.unwrap_or(3306));
        }
        let mut conn = mysql::Conn::new(opts).map_err(connect_err)?;
        let sql = "SELECT @@SESSION.sql_mode";
        let modes: Option<String> = conn.query_first(sql).map_err(|source| DbError::Mysql {
            sql: sql.into(),
            source: MysqlError(Box::new(source)),
        })?;
        let wanted = compatible_sql_modes(modes.as_deref().unwrap_or(""));
        if modes.as_deref() != Some(wanted.as_str()) {
            let sql = "SET SESSION sql_mode = ?";
            conn.exec_drop(sql, (wanted,))
                .map_err(|source| DbError::Mysql {
                    sql: sql.into(),
                    source: MysqlError(Box::new(source)),
                })?;
        }
        Ok(Db::Mysql(Box::new(conn)))
    }

    /// Opens a SQLite WordPress database file (which must exist).
    pub fn open_sqlite(path: &Path) -> Result<Db, DbError> {
        let err = |source| DbError::OpenSqlite {
            path: path.to_owned(),
            source: Box::new(source),
        };
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        Ok(Db::Sqlite(conn))
    }

    /// Which engine this is.
    pub fn engine(&self) -> Engine {
        match self {
            Db::Mysql(_) => Engine::Mysql,
            Db::Sqlite(_) => Engine::Sqlite,
        }
    }

    /// Runs a query and hands each row to `each`, streaming.
    pub fn query_rows<E: From<DbError>>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        mut each: impl FnMut(&Row) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Db::Mysql(conn) => {
                let mysql_err = |source| DbError::Mysql {
                    sql: sql.to_owned(),
                    source: MysqlError(Box::new(source)),
                };
                let result = conn
                    .exec_iter(sql, mysql_params(params))
                    .map_err(mysql_err)?;
                let columns: Arc<[String]> = result
                    .columns()
                    .as_ref()
                    .iter()
                    .map(|c| c.name_str().into_owned())
                    .collect();
                for row in result {
                    let row = row.map_err(mysql_err)?;
                    let cells = row.unwrap().into_iter().map(mysql_cell).collect();
                    each(&Row {
                        columns: Arc::clone(&columns),
                        cells,
                    })?;
                }
                Ok(())
            }
            Db::Sqlite(conn) => {
                let sqlite_err = |source| DbError::Sqlite {
                    sql: sql.to_owned(),
                    source: Box::new(source),
                };
                let mut stmt = conn.prepare(sql).map_err(sqlite_err)?;
                let columns: Arc<[String]> = stmt.column_names().map(str::to_owned).collect();
                let n = columns.len();
                let mut rows = stmt
                    .query(rusqlite::params_from_iter(params.iter().map(sqlite_param)))
                    .map_err(sqlite_err)?;
                while let Some(row) = rows.next().map_err(sqlite_err)? {
                    let mut cells = Vec::with_capacity(n);
                    for i in 0..n {
                        cells.push(sqlite_cell(row.get_ref(i).map_err(sqlite_err)?));
                    }
                    each(&Row {
                        columns: Arc::clone(&columns),
                        cells,
                    })?;
                }
                Ok(())
            }
        }
    }

    /// Runs a query and returns its first row, if any.
    pub fn query_first(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>, DbError> {
        let mut first = None;
        self.query_rows(sql, params, |row| {
            if first.is_none() {
                first = Some(row.clone());
            }
            Ok::<(), DbError>(())
        })?;
        Ok(first)
    }

    /// Whether a table exists in the current database (`name` is bound,
    /// never pasted into the SQL text).
    pub fn table_exists(&mut self, name: &str) -> Result<bool, DbError> {
        let sql = match self.engine() {
            Engine::Mysql => {
                "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? LIMIT 1"
            }
            Engine::Sqlite => {
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? LIMIT 1"
            }
        };
        Ok(self.query_first(sql, &[Param::Str(name)])?.is_some())
    }

    /// Runs a statement that returns no rows; gives the number of affected rows.
    pub fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, DbError> {
        match self {
            Db::Mysql(conn) => {
                conn.exec_drop(sql, mysql_params(params))
                    .map_err(|source| DbError::Mysql {
                        sql: sql.to_owned(),
                        source: MysqlError(Box::new(source)),
                    })?;
                Ok(conn.affected_rows())
            }
            Db::Sqlite(conn) => conn
                .execute(
                    sql,
                    rusqlite::params_from_iter(params.iter().map(sqlite_param)),
                )
                .map(|n| n as u64)
                .map_err(|source| DbError::Sqlite {
                    sql: sql.to_owned(),
                    source: Box::new(source),
                }),
        }
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        match self {
            Db::Mysql(conn) => conn.query_drop(sql).map_err(|source| DbError::Mysql {
                sql: sql.to_owned(),
                source: MysqlError(Box::new(source)),
            }),
            Db::Sqlite(conn) => conn.execute_batch(sql).map_err(|source| DbError::Sqlite {
                sql: sql.to_owned(),
                source: Box::new(source),
            }),
        }
    }

    /// Runs `body` in a transaction: committed when it returns `Ok`, rolled
    /// back when it returns an error.
    pub fn transaction<T, E: From<DbError>>(
        &mut self,
        body: impl FnOnce(&mut Db) -> Result<T, E>,
    ) -> Result<T, E> {
        let begin = match self.engine() {
            Engine::Mysql => "START TRANSACTION",
            Engine::Sqlite => "BEGIN IMMEDIATE",
        };
        self.batch(begin)?;
        match body(self) {
            Ok(value) => {
                self.batch("COMMIT")?;
                Ok(value)
            }
            Err(e) => {
                // The body's error is the one worth reporting.
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

fn mysql_params(params: &[Param<'_>]) -> mysql::Params {
    if params.is_empty() {
        return mysql::Params::Empty;
    }
    mysql::Params::Positional(
        params
            .iter()
            .map(|p| match p {
                Param::Null => mysql::Value::NULL,
                Param::Int(i) => mysql::Value::Int(*i),
                Param::Str(s) => mysql::Value::Bytes(s.as_bytes().to_vec()),
                Param::Bytes(b) => mysql::Value::Bytes(b.to_vec()),
            })
            .collect(),
    )
}

/// A binary-protocol value as MySQL's text protocol would have sent it.
fn mysql_cell(value: mysql::Value) -> Cell {
    use mysql::Value as V;
    match value {
        V::NULL => Cell::Null,
        V::Bytes(b) => Cell::Heap(b.into_boxed_slice()),
        V::Int(i) => Cell::format(format_args!("{i}")),
        V::UInt(u) => Cell::format(format_args!("{u}")),
        V::Float(f) => Cell::format(format_args!("{f}")),
        V::Double(f) => Cell::format(format_args!("{f}")),
        V::Date(y, m, d, h, i, s, 0) => {
            Cell::format(format_args!("{y:04}-{m:02}-{d:02} {h:02}:{i:02}:{s:02}"))
        }
        V::Date(y, m, d, h, i, s, us) => Cell::format(format_args!(
            "{y:04}-{m:02}-{d:02} {h:02}:{i:02}:{s:02}.{us:06}"
        )),
        V::Time(neg, days, h, i, s, us) => {
            let hours = u64::from(days) * 24 + u64::from(h);
            let sign = if neg { "-" } else { "" };
            if us > 0 {
                Cell::format(format_args!("{sign}{hours:02}:{i:02}:{s:02}.{us:06}"))
            } else {
                Cell::format(format_args!("{sign}{hours:02}:{i:02}:{s:02}"))
            }
        }
    }
}

fn sqlite_param<'a>(p: &'a Param<'a>) -> rusqlite::types::ToSqlOutput<'a> {
    use rusqlite::types::{ToSqlOutput, Value, ValueRef};
    match p {
        Param::Null => ToSqlOutput::Owned(Value::Null),
        Param::Int(i) => ToSqlOutput::Owned(Value::Integer(*i)),
        Param::Str(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        // Option values are text in WordPress's SQLite layout; store bytes as
        // TEXT so `=` comparisons with text parameters keep working.
        Param::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Text(b)),
    }
}

fn sqlite_cell(value: rusqlite::types::ValueRef<'_>) -> Cell {
    use rusqlite::types::ValueRef as V;
    match value {
        V::Null => Cell::Null,
        V::Integer(i) => Cell::format(format_args!("{i}")),
        V::Real(f) => Cell::format(format_args!("{f}")),
        V::Text(t) => Cell::Heap(t.into()),
        V::Blob(b) => Cell::Heap(b.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_is_as_big_as_the_drivers_value() {
        // What lets a row's cells reuse the driver's vector in place.
        assert_eq!(
            std::mem::size_of::<Cell>(),
            std::mem::size_of::<mysql::Value>()
        );
    }

    #[test]
    fn binary_protocol_values_read_as_mysql_prints_them() {
        use mysql::Value as V;
        let text = |v: V| {
            mysql_cell(v)
                .bytes()
                .map(|b| String::from_utf8_lossy(b).into_owned())
        };
        assert_eq!(text(V::NULL), None);
        assert_eq!(
            text(V::Int(-9_223_372_036_854_775_808)).as_deref(),
            Some("-9223372036854775808")
        );
        assert_eq!(
            text(V::UInt(18_446_744_073_709_551_615)).as_deref(),
            Some("18446744073709551615")
        );
        assert_eq!(
            text(V::Bytes(b"caf\xc3\xa9".to_vec())).as_deref(),
            Some("café")
        );
        assert_eq!(
            text(V::Date(2024, 2, 29, 23, 5, 9, 0)).as_deref(),
            Some("2024-02-29 23:05:09")
        );
        assert_eq!(
            text(V::Date(0, 0, 0, 0, 0, 0, 0)).as_deref(),
            Some("0000-00-00 00:00:00")
        );
        // Longer than a cell holds: on the heap, the same text.
        assert_eq!(
            text(V::Date(2024, 2, 29, 23, 5, 9, 1500)).as_deref(),
            Some("2024-02-29 23:05:09.001500")
        );
        assert_eq!(
            text(V::Time(true, 1, 2, 3, 4, 0)).as_deref(),
            Some("-26:03:04")
        );
        assert_eq!(text(V::Double(0.5)).as_deref(), Some("0.5"));
        assert_eq!(
            text(V::Double(1e-30)).as_deref(),
            Some(&*format!("{}", 1e-30_f64))
        );
    }

    #[test]
    fn sql_modes_wordpress_removes() {
        let cases = [
            (
                "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION",
                "ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION",
            ),
            ("ONLY_FULL_GROUP_BY,STRICT_ALL_TABLES,NO_ZERO_DATE", ""),
            ("TRADITIONAL,ANSI,NO_ZERO_IN_DATE", "NO_ZERO_IN_DATE"),
            ("", ""),
        ];
        for (have, want) in cases {
            assert_eq!(compatible_sql_modes(have), want, "{have}");
        }
    }

    #[test]
    fn sqlite_reads_and_typed_getters() {
        let mut db = Db::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
        db.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, d TEXT, v TEXT)",
            &[],
        )
        .unwrap();
        db.execute(
            "INSERT INTO t (d, v) VALUES (?, ?), (?, ?)",
            &[
                Param::Str("0000-00-00 00:00:00"),
                Param::Bytes(b"\xff"),
                Param::Str("2024-02-29 13:14:15"),
                Param::Null,
            ],
        )
        .unwrap();
        let mut rows = Vec::new();
        db.query_rows("SELECT id, d, v FROM t ORDER BY id", &[], |row| {
            rows.push(row.clone());
            Ok::<_, DbError>(())
        })
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].i64(0).unwrap(), Some(1));
        assert_eq!(rows[0].datetime(1).unwrap(), None, "zero date is None");
        assert!(
            rows[0].str(2).is_err(),
            "invalid UTF-8 is an error, not a panic"
        );
        assert_eq!(rows[0].bytes(2).unwrap(), Some(&b"\xff"[..]));
        assert!(rows[0].i64(1).is_err());
        assert!(rows[0].bytes(9).is_err());
        assert_eq!(
            rows[1].datetime(1).unwrap(),
            Some(DateTime {
                year: 2024,
                month: 2,
                day: 29,
                hour: 13,
                minute: 14,
                second: 15
            })
        );
        assert_eq!(rows[1].str(2).unwrap(), None);
        assert_eq!(rows[1].columns(), ["id", "d", "v"]);
    }

    #[test]
    fn table_existence() {
        let mut db = Db::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
        db.execute("CREATE TABLE wp_options (v TEXT)", &[]).unwrap();
        assert!(db.table_exists("wp_options").unwrap());
        assert!(!db.table_exists("wp_wc_webhooks").unwrap());
        assert!(!db.table_exists("wp_options' OR '1'='1").unwrap());
    }

    #[test]
    fn transactions_roll_back_on_error() {
        let mut db = Db::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
        db.execute("CREATE TABLE t (v TEXT)", &[]).unwrap();
        let r: Result<(), DbError> = db.transaction(|tx| {
            tx.execute("INSERT INTO t VALUES ('a')", &[])?;
            tx.execute("INSERT INTO nope VALUES ('b')", &[])?;
            Ok(())
        });
        assert!(r.is_err());
        let n = db
            .query_first("SELECT COUNT(*) FROM t", &[])
            .unwrap()
            .unwrap();
        assert_eq!(n.i64(0).unwrap(), Some(0));
        db.transaction(|tx| tx.execute("INSERT INTO t VALUES ('c')", &[]).map(drop))
            .unwrap();
        let n = db
            .query_first("SELECT COUNT(*) FROM t", &[])
            .unwrap()
            .unwrap();
        assert_eq!(n.i64(0).unwrap(), Some(1));
    }
}
