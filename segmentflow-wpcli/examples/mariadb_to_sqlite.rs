//! Copies a WordPress database from MariaDB into a new SQLite file in the
//! layout of the SQLite Database Integration plugin
//! (`segmentflow_wpcli::wordpress::mysql_to_sqlite`), then `VACUUM`s it.
//! `scripts/make-demo-site.sh` uses it to build `fixtures/demo-site`.
//!
//! ```text
//! cargo run --example mariadb_to_sqlite -- --db NAME --out wp-content/database/.ht.sqlite
//! ```
//!
//! Connects as `--user` (default root; password from `MARIADB_PASSWORD`,
//! default empty) over the Unix socket `/run/mysqld/mysqld.sock` when it
//! exists, else TCP 127.0.0.1:3306. Prints `<table>\t<rows>` per table.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use segmentflow_wpcli::wordpress::mysql_to_sqlite::copy_database;

/// Copy a WordPress database from MariaDB into an SQLite file.
#[derive(Parser)]
struct Args {
    /// Source database.
    #[arg(long)]
    db: String,
    /// Table prefix: only tables starting with it are copied.
    #[arg(long, default_value = "wp_")]
    prefix: String,
    /// The SQLite file to write (replaced if it exists).
    #[arg(long)]
    out: PathBuf,
    /// MariaDB user.
    #[arg(long, default_value = "root")]
    user: String,
    /// Unix socket (default: /run/mysqld/mysqld.sock when it exists).
    #[arg(long)]
    socket: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let socket = args.socket.clone().or_else(|| {
        let default = PathBuf::from("/run/mysqld/mysqld.sock");
        default.exists().then_some(default)
    });
    let password = std::env::var("MARIADB_PASSWORD").unwrap_or_default();
    let opts = mysql::OptsBuilder::new()
        .user(Some(&args.user))
        .pass(Some(password));
    let opts = match &socket {
        Some(s) => opts.socket(Some(s.to_string_lossy().into_owned())),
        None => opts.ip_or_hostname(Some("127.0.0.1")).tcp_port(3306),
    }
    .prefer_socket(false);
    let mut conn = mysql::Conn::new(opts).context("cannot connect to MariaDB")?;

    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut file = args.out.clone().into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
    let mut sqlite = rusqlite::Connection::open(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let tables = copy_database(&mut conn, &args.db, &args.prefix, &mut sqlite)?;
    sqlite
        .execute_batch("VACUUM")
        .context("VACUUM of the SQLite file")?;
    drop(sqlite);
    for t in tables {
        println!("{}\t{}", t.table, t.rows);
    }
    Ok(())
}
