//! Benchmark: read every order of a WooCommerce database with the store
//! readers and map it to its REST v2 webhook body, printing orders/s, MB/s
//! of JSON and peak RSS (`VmHWM`). Not a test: `bench/read-map.sh` runs it
//! in release on the 20k-order dump.
//!
//! Settings (environment): `BENCH_DB` (database, required), `BENCH_SOCKET`
//! (Unix socket; else TCP `BENCH_HOST`:`BENCH_PORT`, default
//! 127.0.0.1:3306), `BENCH_USER` (root), `BENCH_PASSWORD` (empty),
//! `BENCH_PREFIX` (wp_), `BENCH_PAGE` (page size, 500), `BENCH_VERSION`
//! (v2 or v3), `BENCH_MAP` (`0`: read only, no mapping), `BENCH_THREADS`
//! (`1`: read and map on one thread; default: the reader on its own thread,
//! as `sync` does), `BENCH_LOADERS` (extra connections loading pages in
//! parallel, default 0; with `BENCH_THREADS=1` ignored).

use std::time::Instant;

use segmentflow_core::rest::{self, ApiVersion};
use segmentflow_core::wpconfig::TablePrefix;
use segmentflow_wpcli::wordpress::db::{ConnectParams, Db};
use segmentflow_wpcli::wordpress::store::orders::{orders, orders_parallel};
use segmentflow_wpcli::wordpress::store::site::{SiteFacts, order_storage, read_site};
use segmentflow_wpcli::wordpress::store::{PAGE_SIZE, Tables};

/// The binary's allocator, so the numbers are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Peak resident set size in KiB (`VmHWM` of /proc/self/status).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    let params = ConnectParams {
        host: Some(env("BENCH_HOST", "127.0.0.1")),
        port: env("BENCH_PORT", "3306").parse().ok(),
        socket: std::env::var("BENCH_SOCKET").ok().map(Into::into),
        user: env("BENCH_USER", "root"),
        password: env("BENCH_PASSWORD", ""),
        database: std::env::var("BENCH_DB").map_err(|_| anyhow::anyhow!("set BENCH_DB"))?,
        charset: Some("utf8mb4".into()),
    };
    let page: usize = env("BENCH_PAGE", &PAGE_SIZE.to_string()).parse()?;
    let map = env("BENCH_MAP", "1") != "0";
    let version = match env("BENCH_VERSION", "v2").as_str() {
        "v3" => ApiVersion::V3,
        _ => ApiVersion::V2,
    };
    let tables = Tables::new(&TablePrefix::new(&env("BENCH_PREFIX", "wp_"))?, 1)?;
    let mut db = Db::connect_mysql(&params)?;
    let site = read_site(&mut db, &tables, &SiteFacts::default())?;
    let storage = order_storage(&mut db, &tables)?;

    let start = Instant::now();
    let (mut n, mut refunds, mut errors, mut bytes) = (0u64, 0u64, 0u64, 0u64);
    // As in `sync`: the reader runs on a thread of its own, a page ahead of
    // the mapping (BENCH_THREADS=1: both on this thread).
    let (tx, rx) = std::sync::mpsc::sync_channel(2 * page);
    let pipelined = env("BENCH_THREADS", "2") != "1";
    let loaders: usize = env("BENCH_LOADERS", "0").parse()?;
    std::thread::scope(|scope| {
        let mut records: Box<dyn Iterator<Item = _>> = if pipelined {
            let (db, tables, params) = (&mut db, &tables, &params);
            scope.spawn(move || {
                let connect = || Ok(Db::connect_mysql(params)?);
                let mut send = |order| tx.send(order).is_ok();
                orders_parallel(
                    db, &connect, tables, storage, None, None, page, loaders, &mut send,
                );
            });
            Box::new(rx.into_iter())
        } else {
            drop(tx);
            Box::new(orders(&mut db, &tables, storage, None, None, page))
        };
        for order in &mut records {
            match order {
                Ok(o) => {
                    n += 1;
                    refunds += o.refunds.len() as u64;
                    if map {
                        bytes += rest::webhook_body(&rest::order::to_json(&o, &site, version)).len()
                            as u64;
                    }
                }
                Err(e) => {
                    errors += 1;
                    eprintln!("error: {e}");
                }
            }
        }
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "| {storage:?}{} | {page} | {n} | {refunds} | {errors} | {secs:.2} | {:.0} | {:.1} | {:.1} |",
        if map { " + map" } else { " read only" },
        n as f64 / secs,
        bytes as f64 / 1e6 / secs,
        peak_rss_kib() as f64 / 1024.0
    );
    Ok(())
}
