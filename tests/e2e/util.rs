//! The end-to-end harness: a real MariaDB, real WordPress core, the real binary.
//!
//! * The server is found once: the Unix socket `/run/mysqld/mysqld.sock` when
//!   it exists, else TCP 127.0.0.1:3306. The harness administers it as root
//!   with an empty password; the sites use [`TEST_USER`], a password-protected
//!   account limited to the `sfwp_*` databases.
//! * WordPress is installed once per test run and kind (single site,
//!   multisite) into a template database by `tests/support/wp-install.php`,
//!   which calls WordPress's own `wp_install()` from Debian's
//!   /usr/share/wordpress. Each [`TestEnv`] gets a fresh, uniquely named
//!   copy (`CREATE TABLE … LIKE` + `INSERT … SELECT`) and a temp WordPress
//!   root with its own wp-config.php; both are removed when it drops, also
//!   when the test fails (a killed run's copies are dropped by the next run).
//!   Tests that only read share the template instead of copying it.
//!   Templates are kept between runs, keyed by a hash of the installer and
//!   WordPress's version.
//! * [`TestEnv::sqlite_site`] makes the SQLite twin of a site: the same tables
//!   and rows in `wp-content/database/.ht.sqlite` plus a `wp-content/db.php`
//!   drop-in marker, the layout of the SQLite Database Integration plugin
//!   (which cannot be downloaded here, so WordPress PHP does not run on it);
//!   the tables are translated as that plugin translates them
//!   (`segmentflow_wpcli::wordpress::mysql_to_sqlite`, which also builds
//!   the bundled demo store).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use mysql::prelude::Queryable;

/// Debian's WordPress core.
pub const ABSPATH: &str = "/usr/share/wordpress/";
/// The socket MariaDB uses on Debian.
pub const SOCKET: &str = "/run/mysqld/mysqld.sock";
/// The URL the test sites are installed at.
pub const SITE_URL: &str = "http://example.test";

const DB_PREFIX: &str = "sfwp_";

/// The MariaDB account the test sites use: a password of its own and rights
/// on the `sfwp_*` databases only. (root on Debian may log in over the socket
/// by `unix_socket` whatever the password, which would hide password bugs.)
pub const TEST_USER: &str = "sfwp_test";
/// [`TEST_USER`]'s password.
pub const TEST_PASSWORD: &str = "sfwp-test-pw";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate lives in the workspace")
        .to_path_buf()
}

/// A file of `tests/support/`.
pub(crate) fn support(file: &str) -> PathBuf {
    repo_root().join("tests/support").join(file)
}

/// Runs a `tests/support/` PHP script against WordPress core on database
/// `db` (as the test user) and returns its stdout; fails the test when
/// the script fails.
pub(crate) fn run_wp_php(script: &str, arg: &str, db: &str) -> Vec<u8> {
    let out = Command::new("php")
        .arg(support(script))
        .arg(arg)
        .env("SF_TEST_DB_NAME", db)
        .env("SF_TEST_DB_HOST", server().php_db_host())
        .env("SF_TEST_DB_USER", TEST_USER)
        .env("SF_TEST_DB_PASSWORD", TEST_PASSWORD)
        .env("SF_TEST_ABSPATH", ABSPATH)
        .output()
        .expect("php");
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// How this machine's MariaDB is reached.
#[derive(Debug, Clone)]
pub struct Server {
    /// The Unix socket, when there is one.
    pub socket: Option<PathBuf>,
}

impl Server {
    /// The DB_HOST WordPress (PHP) should use.
    pub fn php_db_host(&self) -> String {
        match &self.socket {
            Some(s) => format!("localhost:{}", s.display()),
            None => "127.0.0.1:3306".into(),
        }
    }

    /// A root connection.
    pub fn admin(&self) -> mysql::Conn {
        let opts = mysql::OptsBuilder::new().user(Some("root")).pass(Some(""));
        let opts = match &self.socket {
            Some(s) => opts.socket(Some(s.to_string_lossy().into_owned())),
            None => opts.ip_or_hostname(Some("127.0.0.1")).tcp_port(3306),
        }
        .prefer_socket(false);
        mysql::Conn::new(opts).expect("MariaDB must be running (make setup starts it)")
    }
}

/// The server, detected once.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let socket = Path::new(SOCKET).exists().then(|| PathBuf::from(SOCKET));
        let server = Server { socket };
        create_test_user(&server);
        drop_stale_databases(&server);
        server
    })
}

/// Creates (or resets) [`TEST_USER`] for socket and TCP logins.
fn create_test_user(server: &Server) {
    let mut conn = server.admin();
    for host in ["localhost", "127.0.0.1"] {
        let account = format!("'{TEST_USER}'@'{host}'");
        conn.query_drop(format!(
            "CREATE USER IF NOT EXISTS {account} IDENTIFIED BY '{TEST_PASSWORD}'"
        ))
        .unwrap();
        conn.query_drop(format!(
            "ALTER USER {account} IDENTIFIED BY '{TEST_PASSWORD}'"
        ))
        .unwrap();
        conn.query_drop(format!("GRANT ALL PRIVILEGES ON `sfwp\\_%`.* TO {account}"))
            .unwrap();
    }
}

/// Drops per-test databases (`sfwp_t_<pid>_<n>`) left by test processes
/// that no longer run (a killed run cannot run its Drop guards).
fn drop_stale_databases(server: &Server) {
    let mut conn = server.admin();
    let names: Vec<String> = conn
        .query("SHOW DATABASES LIKE 'sfwp\\_t\\_%'")
        .expect("SHOW DATABASES");
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && pid != std::process::id()
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS `{name}`"));
        }
    }
}

/// Which WordPress install a template holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A single site.
    Single,
    /// A subdirectory network with blog 2 at `/second/`.
    Multisite,
}

/// The template database of a kind, installed on first use.
///
/// Templates are kept between runs (`sfwp_cache_<kind>_<hash>`, the hash
/// covering the installer script and WordPress's version file), so only the
/// first run on a machine pays for `wp_install()`; a template whose hash no
/// longer matches is dropped. A named lock serialises concurrent test
/// processes, and a `sfwp_ready` table marks a finished install.
fn template(kind: Kind) -> &'static str {
    static SINGLE: OnceLock<String> = OnceLock::new();
    static MULTI: OnceLock<String> = OnceLock::new();
    let cell = match kind {
        Kind::Single => &SINGLE,
        Kind::Multisite => &MULTI,
    };
    cell.get_or_init(|| {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::fs::read(support("wp-install.php"))
            .unwrap()
            .hash(&mut hasher);
        std::fs::read(Path::new(ABSPATH).join("wp-includes/version.php"))
            .expect("WordPress core in /usr/share/wordpress (make setup)")
            .hash(&mut hasher);
        let kind_name = if kind == Kind::Multisite {
            "ms"
        } else {
            "single"
        };
        let name = format!("{DB_PREFIX}cache_{kind_name}_{:016x}", hasher.finish());

        let server = server();
        let stale = format!("{DB_PREFIX}cache\\_{kind_name}\\_%");
        cached_database(&name, &stale, |conn| {
            let mut cmd = Command::new("php");
            cmd.arg(support("wp-install.php"));
            if kind == Kind::Multisite {
                cmd.arg("--multisite");
            }
            let out = cmd
                .env("SF_TEST_DB_NAME", &name)
                .env("SF_TEST_DB_HOST", server.php_db_host())
                .env("SF_TEST_DB_USER", "root")
                .env("SF_TEST_DB_PASSWORD", "")
                .env("SF_TEST_ABSPATH", ABSPATH)
                .env("SF_TEST_SITE_URL", SITE_URL)
                .output()
                .expect("php must be installed (make setup)");
            if !out.status.success() {
                let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS `{name}`"));
                panic!(
                    "wp-install.php failed: {}\n{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        });
        name
    })
}

/// The single-site WordPress template database (installed on first use).
pub(crate) fn wordpress_template() -> &'static str {
    template(Kind::Single)
}

/// Copies every `wp_` table of database `from` (structure and rows) into
/// the existing database `to`.
pub(crate) fn copy_wp_tables(conn: &mut mysql::Conn, from: &str, to: &str) {
    let tables: Vec<String> = conn
        .exec(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'wp\\_%'",
            (from,),
        )
        .unwrap();
    assert!(!tables.is_empty(), "no wp_ tables in {from}");
    for table in tables {
        conn.query_drop(format!(
            "CREATE TABLE `{to}`.`{table}` LIKE `{from}`.`{table}`"
        ))
        .unwrap();
        conn.query_drop(format!(
            "INSERT INTO `{to}`.`{table}` SELECT * FROM `{from}`.`{table}`"
        ))
        .unwrap();
    }
}

/// A database built once and kept between test runs under `name`.
///
/// A MariaDB named lock serialises concurrent test processes; a
/// `sfwp_ready` table marks a finished build. When `name` is not ready,
/// the databases matching `stale_like` (older builds of the same kind)
/// are dropped, `name` is created empty and `build` fills it.
pub(crate) fn cached_database(name: &str, stale_like: &str, build: impl FnOnce(&mut mysql::Conn)) {
    let mut conn = server().admin();
    let locked: Option<i64> = conn.exec_first("SELECT GET_LOCK(?, 600)", (name,)).unwrap();
    assert_eq!(locked, Some(1), "could not lock the cached database {name}");
    let ready: Option<String> = conn
        .exec_first(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'sfwp_ready'",
            (name,),
        )
        .unwrap();
    if ready.is_none() {
        let old: Vec<String> = conn
            .exec(
                "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?",
                (stale_like,),
            )
            .unwrap();
        for db in old {
            conn.query_drop(format!("DROP DATABASE IF EXISTS `{db}`"))
                .unwrap();
        }
        conn.query_drop(format!("DROP DATABASE IF EXISTS `{name}`"))
            .unwrap();
        conn.query_drop(format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci"
        ))
        .unwrap();
        build(&mut conn);
        conn.query_drop(format!("CREATE TABLE `{name}`.`sfwp_ready` (id INT)"))
            .unwrap();
    }
    let _: Option<i64> = conn.exec_first("SELECT RELEASE_LOCK(?)", (name,)).unwrap();
}

/// The result of running the binary.
#[derive(Debug)]
pub struct Output {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Exit code, stdout and stderr in one text, for snapshots.
    pub fn snapshot(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A command line for the binary under test.
pub struct Cmd {
    command: Command,
    stdin: Vec<u8>,
}

impl Cmd {
    /// Adds arguments.
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Cmd {
        self.command.args(args);
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    /// Feeds stdin.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Cmd {
        self.stdin = bytes.into();
        self
    }

    /// Runs it.
    pub fn run(mut self) -> Output {
        let mut child = self
            .command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run segmentflow-wpcli");
        let mut stdin = child.stdin.take().expect("piped stdin");
        let input = std::mem::take(&mut self.stdin);
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child
            .wait_with_output()
            .expect("wait for segmentflow-wpcli");
        let _ = writer.join();
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Cmd {
    /// Starts it in the background (stdin empty, stdout and stderr piped;
    /// collect them with `wait_with_output`), for tests that kill it or act
    /// while it runs.
    pub fn spawn(mut self) -> std::process::Child {
        self.command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start segmentflow-wpcli")
    }
}

impl From<std::process::Output> for Output {
    fn from(out: std::process::Output) -> Output {
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The binary, with a clean environment for our variables.
pub fn bin() -> Cmd {
    let mut command = Command::new(env!("CARGO_BIN_EXE_segmentflow-wpcli"));
    for var in segmentflow_wpcli::env::ALL {
        command.env_remove(var);
    }
    command.env("SHELL_PIPE", "1");
    Cmd {
        command,
        stdin: Vec::new(),
    }
}

/// A temp directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory.
    pub fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "sfwp-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A WordPress site of its own: a database copied from the template and a
/// WordPress root with a wp-config.php pointing at it.
pub struct TestEnv {
    /// The database name.
    pub db: String,
    /// The WordPress root (holds wp-config.php; core stays in /usr/share/wordpress).
    pub root: TempDir,
    /// The kind of install.
    pub kind: Kind,
    /// Whether the database is this env's own copy (dropped with it) or the
    /// shared template (read-only use).
    owned: bool,
}

impl TestEnv {
    /// A fresh single site of its own, for tests that write.
    pub fn new() -> TestEnv {
        TestEnv::of_kind(Kind::Single)
    }

    /// A fresh multisite network (blog 2 at /second/), for tests that write.
    pub fn multisite() -> TestEnv {
        TestEnv::of_kind(Kind::Multisite)
    }

    /// A site for tests that only read: its own WordPress root, but the
    /// shared template database. Copying a database is DDL (one fsync-bound
    /// `CREATE TABLE` per table), which dominates the suite's time, so
    /// readers share.
    pub fn read_only() -> TestEnv {
        TestEnv::shared(Kind::Single)
    }

    /// [`read_only`](Self::read_only) for the multisite network.
    pub fn read_only_multisite() -> TestEnv {
        TestEnv::shared(Kind::Multisite)
    }

    fn shared(kind: Kind) -> TestEnv {
        let env = TestEnv {
            db: template(kind).to_owned(),
            root: TempDir::new(),
            kind,
            owned: false,
        };
        env.write_wp_config(&server().php_db_host(), "");
        env
    }

    fn of_kind(kind: Kind) -> TestEnv {
        TestEnv::copy_of(template(kind), kind)
    }

    /// A site of its own whose database is a copy of `source`'s `wp_`
    /// tables (a template of `kind`, or a cached store built on one).
    pub fn copy_of(source: &str, kind: Kind) -> TestEnv {
        static N: AtomicUsize = AtomicUsize::new(0);
        let db = format!(
            "{DB_PREFIX}t_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut conn = server().admin();
        conn.query_drop(format!("CREATE DATABASE `{db}`")).unwrap();
        let env = TestEnv {
            db,
            root: TempDir::new(),
            kind,
            owned: true,
        };
        copy_wp_tables(&mut conn, source, &env.db);
        env.write_wp_config(&server().php_db_host(), "");
        env
    }

    /// Writes the site's wp-config.php with this DB_HOST and extra PHP lines.
    pub fn write_wp_config(&self, db_host: &str, extra: &str) {
        self.write_wp_config_full(db_host, TEST_PASSWORD, "wp_", extra);
    }

    /// Writes wp-config.php with every knob.
    pub fn write_wp_config_full(&self, db_host: &str, password: &str, prefix: &str, extra: &str) {
        let multisite = if self.kind == Kind::Multisite {
            "define( 'WP_ALLOW_MULTISITE', true );\ndefine( 'MULTISITE', true );\ndefine( 'SUBDOMAIN_INSTALL', false );\ndefine( 'DOMAIN_CURRENT_SITE', 'example.test' );\ndefine( 'PATH_CURRENT_SITE', '/' );\ndefine( 'SITE_ID_CURRENT_SITE', 1 );\ndefine( 'BLOG_ID_CURRENT_SITE', 1 );\n"
        } else {
            ""
        };
        let text = format!(
            "<?php\n// Written by the segmentflow-wpcli end-to-end tests.\ndefine( 'DB_NAME', '{db}' );\ndefine( 'DB_USER', '{TEST_USER}' );\ndefine( 'DB_PASSWORD', '{password}' );\ndefine( 'DB_HOST', '{db_host}' );\ndefine( 'DB_CHARSET', 'utf8mb4' );\ndefine( 'DB_COLLATE', '' );\n{multisite}{extra}\n$table_prefix = '{prefix}';\n\nif ( ! defined( 'ABSPATH' ) ) {{\n\tdefine( 'ABSPATH', '{ABSPATH}' );\n}}\nrequire_once ABSPATH . 'wp-settings.php';\n",
            db = self.db
        );
        std::fs::write(self.root.path().join("wp-config.php"), text).unwrap();
    }

    /// The binary with `--path` set to this site.
    pub fn cmd(&self) -> Cmd {
        bin().args([format!("--path={}", self.root.path().display())])
    }

    /// A JSON site context for `--context=-`, as the PHP package sends it
    /// after a full WordPress load (`@when after_wp_load`).
    pub fn context_json(&self) -> String {
        let (host, socket) = match &server().socket {
            Some(s) => ("localhost".to_owned(), Some(s.display().to_string())),
            None => ("127.0.0.1".to_owned(), None),
        };
        serde_json::json!({
            "version": 1,
            "db_host": host,
            "db_port": null,
            "db_socket": socket,
            "db_default_socket": null,
            "db_user": TEST_USER,
            "db_password": TEST_PASSWORD,
            "db_name": self.db,
            "db_charset": "utf8mb4",
            "db_collate": "",
            "table_prefix": "wp_",
            "blog_id": 1,
            "multisite": self.kind == Kind::Multisite,
            "home_url": SITE_URL,
            "site_url": SITE_URL,
            "wp_version": "6.1.9",
            "wc_active": false,
            "wc_version": null,
            "hpos": null,
            "locale": "en_US",
        })
        .to_string()
    }

    /// The context the PHP package sends under `@when
    /// after_wp_config_load`: WordPress has not loaded, so URLs, locale and
    /// WooCommerce are `null` (the binary reads them from the database).
    pub fn context_json_early(&self) -> String {
        let mut ctx: serde_json::Value = serde_json::from_str(&self.context_json()).unwrap();
        for key in [
            "home_url",
            "site_url",
            "wc_active",
            "wc_version",
            "hpos",
            "locale",
        ] {
            ctx[key] = serde_json::Value::Null;
        }
        ctx.to_string()
    }

    /// Runs SQL and returns the rows as optional strings.
    pub fn sql(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let mut conn = server().admin();
        conn.select_db(&self.db).unwrap();
        let rows: Vec<mysql::Row> = conn.query(sql).unwrap();
        rows.into_iter()
            .map(|row| {
                row.unwrap()
                    .into_iter()
                    .map(|v| match v {
                        mysql::Value::NULL => None,
                        mysql::Value::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
                        other => Some(other.as_sql(true)),
                    })
                    .collect()
            })
            .collect()
    }

    /// Creates `wp_wc_webhooks` with WooCommerce's own DDL
    /// (`tests/support/wc-webhooks.sql`), in the session SQL mode WordPress
    /// uses (its zero-date defaults need `NO_ZERO_DATE` off).
    pub fn create_wc_webhooks(&self) {
        let ddl: String = std::fs::read_to_string(support("wc-webhooks.sql"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut conn = server().admin();
        conn.select_db(&self.db).unwrap();
        conn.query_drop("SET SESSION sql_mode = ''").unwrap();
        conn.query_drop(ddl).unwrap();
    }

    /// One option row's (value, autoload), read with SQL.
    pub fn option_row(&self, name: &str) -> Option<(String, String)> {
        let rows = self.sql(&format!(
            "SELECT option_value, autoload FROM wp_options WHERE option_name = '{name}'"
        ));
        rows.into_iter().next().map(|r| {
            (
                r[0].clone().unwrap_or_default(),
                r[1].clone().unwrap_or_default(),
            )
        })
    }

    /// `serialize( get_option( $name ) )` from WordPress's own PHP.
    pub fn php_get_option(&self, name: &str) -> String {
        String::from_utf8_lossy(&run_wp_php("wp-get-option.php", name, &self.db)).into_owned()
    }

    /// The SQLite twin of this site, in a new WordPress root.
    pub fn sqlite_site(&self) -> TempDir {
        let root = TempDir::new();
        let content = root.path().join("wp-content");
        std::fs::create_dir_all(content.join("database")).unwrap();
        std::fs::write(
            content.join("db.php"),
            "<?php\n/**\n * Stand-in for the SQLite Database Integration drop-in (tests only).\n */\ndefine( 'SQLITE_DB_DROPIN_VERSION', '2.1.16' );\n",
        )
        .unwrap();
        std::fs::write(
            root.path().join("wp-config.php"),
            "<?php\ndefine( 'DB_NAME', 'database_name_here' );\ndefine( 'DB_USER', 'username_here' );\ndefine( 'DB_PASSWORD', 'password_here' );\ndefine( 'DB_HOST', 'localhost' );\n$table_prefix = 'wp_';\n",
        )
        .unwrap();
        copy_to_sqlite(&self.db, &content.join("database/.ht.sqlite"));
        root
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if self.owned {
            let mut conn = server().admin();
            let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.db));
        }
    }
}

/// Copies every `wp_` table of a MariaDB database into a new SQLite file,
/// in the layout of the SQLite Database Integration plugin (the library's
/// `wordpress::mysql_to_sqlite`, shared with `scripts/make-demo-site.sh`).
fn copy_to_sqlite(db: &str, file: &Path) {
    let mut conn = server().admin();
    let mut sqlite = rusqlite::Connection::open(file).unwrap();
    segmentflow_wpcli::wordpress::mysql_to_sqlite::copy_database(&mut conn, db, "wp_", &mut sqlite)
        .unwrap();
}

/// Filters that make snapshots stable: database names, temp paths, versions.
pub fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"sfwp_(t_\d+_\d+|cache_[a-z]+_[0-9a-f]+)", "[DB]"),
        (r#"[^\s'"]*/sfwp-\d+-\d+"#, "[ROOT]"),
        (
            r"segmentflow-wpcli \d+\.\d+\.\d+",
            "segmentflow-wpcli [VERSION]",
        ),
    ]
}

/// Snapshots an output with the standard filters.
#[macro_export]
macro_rules! assert_output {
    ($name:expr, $out:expr) => {
        insta::with_settings!({filters => $crate::util::filters(), prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $out.snapshot());
        });
    };
}

// ---------------------------------------------------------------- WooCommerce tables (branch sync-cmd)

/// The WooCommerce 9.2.5 dump whose DDL the connection and sync tests load.
pub const WC_DUMP: &str = "fixtures/woocommerce-9.2.5/wp_accept-hpos.sql.gz";

/// The store-record fixtures `sync --records-dir` reads.
pub fn records_dir() -> PathBuf {
    repo_root().join("fixtures/woocommerce-9.2.5/records")
}

/// `CREATE TABLE` statements (and, with `with_rows`, the `INSERT`s) for the
/// given `wp_`-prefixed tables, cut out of the real WooCommerce dump.
pub fn woocommerce_ddl(tables: &[&str], with_rows: bool) -> Vec<String> {
    let out = Command::new("zcat")
        .arg(repo_root().join(WC_DUMP))
        .output()
        .expect("zcat the WooCommerce dump");
    assert!(out.status.success(), "zcat failed");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut statements = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(stmt) = current.as_mut() {
            stmt.push_str(line);
            stmt.push('\n');
            if line.ends_with(';') {
                statements.push(current.take().unwrap_or_default());
            }
            continue;
        }
        let starts = tables.iter().any(|t| {
            line.starts_with(&format!("CREATE TABLE `{t}` "))
                || (with_rows && line.starts_with(&format!("INSERT INTO `{t}` ")))
        });
        if starts {
            if line.ends_with(';') {
                statements.push(format!("{line}\n"));
            } else {
                current = Some(format!("{line}\n"));
            }
        }
    }
    assert!(
        statements.len() >= tables.len(),
        "tables {tables:?} not found in the dump"
    );
    statements
}

impl TestEnv {
    /// Creates `wp_wc_webhooks` from the real WooCommerce DDL, with the
    /// dump's three (non-Segmentflow) webhook rows, and marks WooCommerce
    /// 9.2.5 active.
    pub fn install_woocommerce_webhooks(&self) {
        let mut conn = server().admin();
        conn.select_db(&self.db).unwrap();
        for statement in woocommerce_ddl(&["wp_wc_webhooks"], true) {
            conn.query_drop(statement).unwrap();
        }
        self.sql(r#"UPDATE wp_options SET option_value = 'a:1:{i:0;s:27:"woocommerce/woocommerce.php";}' WHERE option_name = 'active_plugins'"#);
        self.sql("INSERT INTO wp_options (option_name, option_value, autoload) VALUES ('woocommerce_version', '9.2.5', 'yes')");
    }

    /// Sets (or adds) one option with SQL.
    pub fn set_option(&self, name: &str, value: &str) {
        let mut conn = server().admin();
        conn.select_db(&self.db).unwrap();
        conn.exec_drop(
            "INSERT INTO wp_options (option_name, option_value, autoload) VALUES (?, ?, 'yes') \
             ON DUPLICATE KEY UPDATE option_value = VALUES(option_value)",
            (name, value),
        )
        .unwrap();
    }

    /// The Segmentflow rows of `wp_wc_webhooks`: (id, status, topic, secret,
    /// delivery_url, api_version).
    pub fn segmentflow_webhooks(&self) -> Vec<(u64, String, String, String, String, i64)> {
        self.sql("SELECT webhook_id, status, topic, secret, delivery_url, api_version FROM wp_wc_webhooks WHERE name LIKE 'Segmentflow: %' ORDER BY webhook_id")
            .into_iter()
            .map(|r| {
                let s = |i: usize| r[i].clone().unwrap_or_default();
                (
                    s(0).parse().unwrap(),
                    s(1),
                    s(2),
                    s(3),
                    s(4),
                    s(5).parse().unwrap(),
                )
            })
            .collect()
    }
}
