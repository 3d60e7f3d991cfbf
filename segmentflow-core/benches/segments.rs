//! Segments benchmark: aggregation ([`Facts::build`]) and evaluation of the
//! 11 pre-built segments over a synthetic store of about a million
//! customers and three million orders, built in memory (reading the store
//! is the binary's part and is measured there).
//!
//! Run with `bench/segments.sh`, or `cargo bench -p segmentflow-core --bench
//! segments`. Environment:
//!
//! * `SEGMENTS_CUSTOMERS` (default 1 000 000) and `SEGMENTS_ORDERS`
//!   (default 3 000 000): the store's size;
//! * `SEGMENTS_RUNS` (default 3): runs of each measurement, best reported;
//! * `SEGMENTS_REPORT`: a Markdown file to write the table to.
//!
//! The store comes from a seeded SplitMix64, so every run sees the same
//! data: 70 % of customers registered (one `PersonFact` each, some never
//! ordering), 30 % guests with mixed-case emails; orders spread over three
//! years before the as-of date, ~88 % paid, the rest pending, failed,
//! checkout-draft, cancelled, refunded or on hold; 25 % with a coupon, 3 %
//! partly refunded; one product line each from 2 000 products in 50
//! categories. Times are wall clock, with this thread's on-CPU time
//! (`/proc/thread-self/schedstat`) next to it because the machine is shared.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use segmentflow_core::insight::facts::Facts;
use segmentflow_core::insight::segments::{self, PREBUILT};
use segmentflow_core::insight::{LineFact, Money, OrderFact, PersonFact};

/// SplitMix64: small, seeded, good enough to spread synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn on_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// Runs `f` `runs` times; the best wall time, its on-CPU time and the last
/// result.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Option<Duration>, T) {
    let mut best: Option<(Duration, Option<Duration>)> = None;
    let mut last = None;
    for _ in 0..runs.max(1) {
        let cpu0 = on_cpu();
        let t0 = Instant::now();
        let out = f();
        let wall = t0.elapsed();
        let cpu = on_cpu().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
        if best.is_none_or(|(w, _)| wall < w) {
            best = Some((wall, cpu));
        }
        // Drop the previous result outside the timed region.
        last = Some(out);
    }
    let (wall, cpu) = best.unwrap_or_default();
    (wall, cpu, last.expect("at least one run"))
}

fn secs(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

fn cpu_secs(d: Option<Duration>) -> String {
    d.map_or_else(|| "n/a".to_string(), secs)
}

fn store(customers: usize, orders: usize, as_of: Timestamp) -> (Vec<OrderFact>, Vec<PersonFact>) {
    let mut rng = Rng(0x5e6_f10f);
    let registered = customers * 7 / 10;
    let people: Vec<PersonFact> = (1..=registered as u64)
        .map(|id| PersonFact {
            user_id: id,
            email: format!("user{id}@example.test"),
            ..PersonFact::default()
        })
        .collect();
    let categories: Vec<(String, String)> = (0..50)
        .map(|c| (format!("cat-{c}"), format!("Category {c}")))
        .collect();
    let statuses = [
        (800, "wc-completed"),
        (80, "wc-processing"),
        (40, "wc-pending"),
        (20, "wc-failed"),
        (10, "wc-checkout-draft"),
        (20, "wc-cancelled"),
        (20, "wc-refunded"),
        (10, "wc-on-hold"),
    ];
    let span = 3 * 365 * 86_400;
    let now = as_of.as_second();
    let mut out = Vec::with_capacity(orders);
    for id in 1..=orders as u64 {
        // Customers 0..registered are users, the rest guests; skew so some
        // customers order often and ~10 % of users never order.
        let c = if rng.below(10) < 3 {
            rng.below(customers as u64 / 20)
        } else {
            rng.below(customers as u64)
        };
        let (customer_id, billing_email) = if (c as usize) < registered {
            // Users whose id ends in 0 never order (prospects).
            let u = if c % 10 == 9 { c } else { c + 1 };
            (u, format!("user{u}@example.test"))
        } else if c % 2 == 0 {
            (0, format!("Guest{c}@Example.test"))
        } else {
            (0, format!("guest{c}@example.test"))
        };
        let mut pick = rng.below(1000);
        let status = statuses
            .iter()
            .find(|(w, _)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map_or("wc-completed", |(_, s)| s);
        let created = now - rng.below(span) as i64;
        let cents = 500 + rng.below(49_500) as i64;
        let total = Money::from_raw(i128::from(cents) * 1_000_000);
        let refunded = if rng.below(100) < 3 {
            Money::from_raw(i128::from(cents / 4) * 1_000_000)
        } else {
            Money::ZERO
        };
        let product = rng.below(2000);
        let (slug, name) = &categories[(product % 50) as usize];
        out.push(OrderFact {
            id,
            customer_id,
            billing_email,
            status: status.to_string(),
            created: Timestamp::from_second(created).ok(),
            paid: None,
            currency: "USD".into(),
            total,
            refunded,
            coupons: if rng.below(4) == 0 {
                vec!["save10".into()]
            } else {
                Vec::new()
            },
            lines: vec![LineFact {
                product_id: product + 1,
                variation_id: 0,
                name: format!("Product {product}"),
                sku: format!("SKU-{product}"),
                category_slugs: vec![slug.clone()],
                category_names: vec![name.clone()],
                quantity: 1,
                total,
            }],
            segmentflow_touch: None,
            wc_touch: None,
        });
    }
    (out, people)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to filter here.
    let customers = env_usize("SEGMENTS_CUSTOMERS", 1_000_000);
    let orders = env_usize("SEGMENTS_ORDERS", 3_000_000);
    let runs = env_usize("SEGMENTS_RUNS", 3);
    let as_of: Timestamp = "2026-06-30T12:00:00Z".parse().expect("a timestamp");

    let t0 = Instant::now();
    let (orders, people) = store(customers, orders, as_of);
    let generated = t0.elapsed();

    let (build_wall, build_cpu, facts) = best(runs, || Facts::build(&orders, &people, as_of));
    let rules: Vec<_> = PREBUILT.iter().map(|s| s.rule()).collect();
    let (all_wall, all_cpu, all) = best(runs, || segments::evaluate_all(&rules, &facts));

    let mut table = String::new();
    let _ = writeln!(
        table,
        "Store: {} customers ({} people), {} orders (generated in {} s), as of {}; best of {runs} runs.\n",
        facts.len(),
        people.len(),
        orders.len(),
        secs(generated),
        as_of
    );
    let _ = writeln!(table, "| Step | Wall (s) | On-CPU (s) | Members |");
    let _ = writeln!(table, "|---|---:|---:|---:|");
    let _ = writeln!(
        table,
        "| Aggregate (`Facts::build`) | {} | {} | {} customers |",
        secs(build_wall),
        cpu_secs(build_cpu),
        facts.len()
    );
    let _ = writeln!(
        table,
        "| Evaluate all 11 (`evaluate_all`, one walk) | {} | {} | {} memberships |",
        secs(all_wall),
        cpu_secs(all_cpu),
        all.iter().map(|m| m.members.len()).sum::<usize>()
    );
    let total = build_wall + all_wall;
    let _ = writeln!(
        table,
        "| **Aggregate + evaluate all 11** | **{}** | {} | |",
        secs(total),
        cpu_secs(build_cpu.zip(all_cpu).map(|(a, b)| a + b))
    );
    for (s, (rule, together)) in PREBUILT.iter().zip(rules.iter().zip(&all)) {
        let (wall, cpu, alone) = best(runs, || segments::evaluate(rule, &facts));
        assert_eq!(alone, *together, "{}: one walk and alone disagree", s.slug);
        let _ = writeln!(
            table,
            "| {} alone | {} | {} | {} |",
            s.name,
            secs(wall),
            cpu_secs(cpu),
            alone.members.len()
        );
    }
    print!("{table}");
    if let Some(path) = std::env::var_os("SEGMENTS_REPORT")
        && let Err(e) = std::fs::write(&path, &table)
    {
        eprintln!(
            "segments bench: cannot write {}: {e}",
            path.to_string_lossy()
        );
        std::process::exit(1);
    }
}
