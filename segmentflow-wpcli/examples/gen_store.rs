//! Writes a synthetic WooCommerce store as SQL to stdout and its summary to
//! stderr (`scripts/gen-store.sh` pipes it into MariaDB). A stop-gap entry
//! point until the generator is exposed as a subcommand.
//!
//! `cargo run --example gen_store -- --orders 300 --storage posts --dialect sqlite --seed 7`

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use segmentflow_wpcli::generator::{Dialect, GenerateOptions, Storage, generate};

#[derive(Clone, Copy, ValueEnum)]
enum StorageArg {
    Hpos,
    Posts,
}

#[derive(Clone, Copy, ValueEnum)]
enum DialectArg {
    Mysql,
    Sqlite,
}

/// Generate a deterministic synthetic WooCommerce 9.2.5 store as SQL.
#[derive(Parser)]
struct Args {
    /// Seed (same seed ⇒ same bytes).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of orders.
    #[arg(long, default_value_t = 300)]
    orders: u64,
    /// Registered customers (default: orders / 4, at least 12).
    #[arg(long)]
    customers: Option<u64>,
    /// Simple products (five variable products are added).
    #[arg(long, default_value_t = 30)]
    products: usize,
    /// Order storage.
    #[arg(long, value_enum, default_value = "hpos")]
    storage: StorageArg,
    /// SQL dialect.
    #[arg(long, value_enum, default_value = "mysql")]
    dialect: DialectArg,
    /// Table prefix.
    #[arg(long, default_value = "wp_")]
    prefix: String,
    /// "As of" date-time in UTC (`2026-11-27 00:00:00`).
    #[arg(long, default_value = "2026-11-27 00:00:00")]
    now: String,
    /// Site URL.
    #[arg(long, default_value = "http://localhost:8089")]
    site_url: String,
    /// Site time zone.
    #[arg(long, default_value = "America/New_York")]
    timezone: String,
    /// Omit the WooCommerce DDL.
    #[arg(long)]
    no_schema: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let now = match args
        .now
        .replace(' ', "T")
        .parse::<jiff::civil::DateTime>()
        .and_then(|d| jiff::tz::TimeZone::UTC.to_timestamp(d))
    {
        Ok(t) => t.as_second(),
        Err(e) => {
            eprintln!("Error: --now {:?}: {e}", args.now);
            return ExitCode::from(2);
        }
    };
    let opts = GenerateOptions {
        seed: args.seed,
        orders: args.orders,
        customers: args.customers,
        products: args.products,
        storage: match args.storage {
            StorageArg::Hpos => Storage::Hpos,
            StorageArg::Posts => Storage::Posts,
        },
        dialect: match args.dialect {
            DialectArg::Mysql => Dialect::MySql,
            DialectArg::Sqlite => Dialect::Sqlite,
        },
        table_prefix: args.prefix,
        now,
        site_url: args.site_url,
        timezone: args.timezone,
        include_schema: !args.no_schema,
        ..GenerateOptions::default()
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let started = std::time::Instant::now();
    match generate(&opts, &mut out).and_then(|s| {
        out.flush()
            .map(|()| s)
            .map_err(segmentflow_wpcli::generator::GenerateError::Io)
    }) {
        Ok(summary) => {
            eprint!("{summary}");
            eprintln!("generated in {:.2} s", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(segmentflow_wpcli::generator::GenerateError::Io(e))
            if e.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}
