//! A hand-run throughput check of the sandbox's delivery receiver: N
//! signed WooCommerce-style deliveries of a given size over C keep-alive
//! connections, then the sandbox's own count of what it accepted.
//!
//! ```text
//! cargo run --release --example sandbox -- --listen 127.0.0.1:8790 &
//! cargo run --release --example sandbox_load -- \
//!     --url <webhook_delivery_url> --secret <webhook_secret> -n 20000 -c 4 --bytes 3000
//! ```
//!
//! Not a test: it prints requests per second and the accepted count.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use clap::Parser;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Sends signed deliveries to a sandbox as fast as it answers.
#[derive(Parser)]
struct Cli {
    /// The sandbox's webhook_delivery_url.
    #[arg(long)]
    url: String,
    /// The sandbox's webhook_secret.
    #[arg(long)]
    secret: String,
    /// Deliveries to send.
    #[arg(short = 'n', default_value_t = 20_000)]
    count: u64,
    /// Keep-alive connections (one thread each).
    #[arg(short = 'c', default_value_t = 4)]
    connections: u64,
    /// Approximate body size in bytes.
    #[arg(long, default_value_t = 3000)]
    bytes: usize,
    /// First resource id (use different ranges for repeated runs).
    #[arg(long, default_value_t = 1)]
    first_id: u64,
}

fn main() {
    let cli = Arc::new(Cli::parse());
    let started = Instant::now();
    let threads: Vec<_> = (0..cli.connections)
        .map(|t| {
            let cli = Arc::clone(&cli);
            std::thread::spawn(move || send_share(&cli, t))
        })
        .collect();
    let mut ok = 0u64;
    let mut failed = 0u64;
    for thread in threads {
        let (o, f) = thread.join().expect("sender thread");
        ok += o;
        failed += f;
    }
    let elapsed = started.elapsed();
    println!(
        "{} deliveries of ~{} bytes over {} connections in {:.2} s: {:.0} req/s ({} answered 200, {} other)",
        cli.count,
        cli.bytes,
        cli.connections,
        elapsed.as_secs_f64(),
        cli.count as f64 / elapsed.as_secs_f64(),
        ok,
        failed
    );
    if let Some(base) = cli.url.split("/webhooks/").next() {
        let agent = ureq::Agent::new_with_defaults();
        if let Ok(mut r) = agent.get(format!("{base}/__sandbox/stats")).call()
            && let Ok(text) = r.body_mut().read_to_string()
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        {
            println!(
                "sandbox counted: accepted {}, duplicate {}, order unique ids {}",
                v["deliveries"]["accepted"],
                v["deliveries"]["duplicate"],
                v["deliveries"]["resources"]["order"]["unique_ids"]
            );
        }
    }
}

/// Sends this thread's share; returns (answered 200, anything else).
fn send_share(cli: &Cli, thread: u64) -> (u64, u64) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let key = <Hmac<Sha256> as KeyInit>::new_from_slice(cli.secret.as_bytes()).expect("any key");
    let padding = "x".repeat(cli.bytes.saturating_sub(60));
    let (mut ok, mut failed) = (0, 0);
    let mut i = thread;
    while i < cli.count {
        let id = cli.first_id + i;
        let body = format!(r#"{{"id":{id},"status":"completed","note":"{padding}"}}"#);
        let mut mac = key.clone();
        mac.update(body.as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let delivery_id = format!("{:032x}", id.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let result = agent
            .post(&cli.url)
            .header("Content-Type", "application/json")
            .header("X-WC-Webhook-Source", "http://shop.test/")
            .header("X-WC-Webhook-Topic", "order.updated")
            .header("X-WC-Webhook-Resource", "order")
            .header("X-WC-Webhook-Event", "updated")
            .header("X-WC-Webhook-Signature", &signature)
            .header("X-WC-Webhook-ID", "1")
            .header("X-WC-Webhook-Delivery-ID", &delivery_id)
            .send(body.as_bytes());
        match result {
            Ok(mut r) if r.status() == 200 => {
                let _ = r.body_mut().read_to_vec();
                ok += 1;
            }
            Ok(mut r) => {
                let _ = r.body_mut().read_to_vec();
                failed += 1;
            }
            Err(_) => failed += 1,
        }
        i += cli.connections;
    }
    (ok, failed)
}
