//! A deterministic synthetic WooCommerce store generator, for tests and
//! benchmarks that need stores of any size which look exactly like what
//! WooCommerce 9.2.5 writes.
//!
//! [`generate`] writes SQL text: the real WooCommerce table DDL (from
//! `fixtures/schema/woocommerce-9.2.5.sql`, translated for SQLite when asked),
//! then the data as batched multi-row `INSERT`s inside transactions — options,
//! catalog terms, orders (HPOS tables plus `shop_order_placehold` posts, or
//! legacy `shop_order` posts) with their items, order notes and Analytics
//! lookup rows, then products, coupons and users (with their lookup tables).
//! WordPress core tables are not created: load the SQL into a database where
//! WordPress is installed (`scripts/gen-store.sh` does both). Orders stream out
//! one at a time, so memory stays flat (about 10 MB for a million orders, which
//! take about 15 s of CPU in a release build); the same [`GenerateOptions`]
//! always produce the same bytes.
//!
//! ```no_run
//! use segmentflow_wpcli::generator::{GenerateOptions, Storage, generate};
//! let opts = GenerateOptions { orders: 20_000, storage: Storage::Posts, ..GenerateOptions::default() };
//! let summary = generate(&opts, &mut std::io::stdout().lock())?;
//! eprint!("{summary}");
//! # Ok::<(), segmentflow_wpcli::generator::GenerateError>(())
//! ```
//!
//! The store is calibrated on a real one (`/work/shared/fixtures/woocommerce-9.2.5`):
//! its status mix, guest share, refunds, coupons, fees, taxes and meta keys.
//! Besides the random stream, a few scripted customers make sure every one of
//! the Segmentflow segments has members relative to `now` (new, recent,
//! repeat, loyal, VIP, one-time, churning, lapsed, prospects, abandoned
//! checkouts, discount shoppers) as long as at least [`SCRIPTED_ORDERS`]
//! orders are asked for.

mod analytics;
mod catalog;
mod catalog_data;
mod catalog_rows;
mod order_rows;
mod orders;
mod people;
mod rng;
mod sql;
mod text;
mod users;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;

use catalog::Catalog;
use orders::{Buyer, Ids, OrderContext, OrderPlan, Status, Tables, Tally};
use rng::Rng;
use sql::SqlWriter;

/// The WooCommerce 9.2.5 DDL, table prefix as `{prefix}`.
pub const SCHEMA: &str = include_str!("../../../fixtures/schema/woocommerce-9.2.5.sql");

/// Where orders live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// High-performance order storage (`wc_orders*`), authoritative, sync off.
    Hpos,
    /// Legacy storage: `shop_order` posts and postmeta.
    Posts,
}

/// Which SQL dialect to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// MySQL / MariaDB.
    MySql,
    /// SQLite.
    Sqlite,
}

/// What store to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Seed: the same options and seed give byte-identical SQL.
    pub seed: u64,
    /// Number of orders (refunds come on top).
    pub orders: u64,
    /// Registered customers; default `max(orders / 4, 12)` (plus scripted ones).
    pub customers: Option<u64>,
    /// Simple products (five variable products are always added).
    pub products: usize,
    /// Order storage.
    pub storage: Storage,
    /// SQL dialect.
    pub dialect: Dialect,
    /// Table prefix (`wp_`).
    pub table_prefix: String,
    /// "As of" time (Unix seconds, UTC); orders are spread over the two years before it.
    pub now: i64,
    /// Site URL, no trailing slash (used in GUIDs).
    pub site_url: String,
    /// Site time zone (IANA name), for the site-local post dates.
    pub timezone: String,
    /// First user id to use (a fresh WordPress has user 1, the admin).
    pub first_user_id: u64,
    /// First post id to use (a fresh WordPress has posts 1–3).
    pub first_post_id: u64,
    /// First term id to use (a fresh WordPress has term 1, Uncategorized).
    pub first_term_id: u64,
    /// Rows per `INSERT`.
    pub batch_rows: usize,
    /// Whether to write the WooCommerce DDL first.
    pub include_schema: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            seed: 1,
            orders: 300,
            customers: None,
            products: 30,
            storage: Storage::Hpos,
            dialect: Dialect::MySql,
            table_prefix: "wp_".to_owned(),
            now: 1_795_737_600, // 2026-11-27 00:00:00 UTC
            site_url: "http://localhost:8089".to_owned(),
            timezone: "America/New_York".to_owned(),
            first_user_id: 2,
            first_post_id: 10,
            first_term_id: 2,
            batch_rows: 500,
            include_schema: true,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateSummary {
    /// Rows written per table (full table names).
    pub tables: BTreeMap<String, u64>,
    /// Orders per status (`wc-completed` …), refunds excluded.
    pub statuses: BTreeMap<String, u64>,
    /// Orders (refunds excluded).
    pub orders: u64,
    /// Orders placed by guests.
    pub guest_orders: u64,
    /// Full refunds.
    pub full_refunds: u64,
    /// Partial refunds.
    pub partial_refunds: u64,
    /// Registered customers (users).
    pub customers: u64,
    /// Registered customers whose name has non-ASCII characters.
    pub unicode_customers: u64,
    /// Products (simple + variable parents).
    pub products: u64,
    /// Variations.
    pub variations: u64,
    /// Bytes of SQL written.
    pub bytes: u64,
}

impl fmt::Display for GenerateSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "orders {} (guest {}), refunds {} full + {} partial, customers {} ({} with non-ASCII names), products {} + {} variations, {} bytes of SQL",
            self.orders,
            self.guest_orders,
            self.full_refunds,
            self.partial_refunds,
            self.customers,
            self.unicode_customers,
            self.products,
            self.variations,
            self.bytes
        )?;
        for (status, n) in &self.statuses {
            writeln!(f, "  status {status:<20} {n}")?;
        }
        for (table, n) in &self.tables {
            writeln!(f, "  table  {table:<36} {n}")?;
        }
        Ok(())
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// Writing the output failed.
    #[error("writing the SQL output failed: {0}")]
    Io(#[source] std::io::Error),
    /// An option is out of range.
    #[error("invalid option `{option}`: {reason}")]
    InvalidOption {
        /// Option name.
        option: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The embedded schema could not be translated.
    #[error("cannot translate schema statement for `{statement}`: {reason}")]
    Schema {
        /// The table (or statement start).
        statement: String,
        /// What was not understood.
        reason: String,
    },
}

/// Orders placed by the scripted segment members.
pub const SCRIPTED_ORDERS: u64 = 26;

/// Scripted registered customers (slot, [(days ago, status, coupon, big)]).
type Script = &'static [(f64, Status, bool, bool)];
const C: Status = Status::Completed;
const SCRIPTED_REGISTERED: &[Script] = &[
    &[(10.0, C, false, false)], // new + recent
    &[
        (330.0, C, false, false),
        (250.0, C, false, false),
        (170.0, C, false, false),
        (100.0, C, false, false),
        (45.0, C, false, false),
        (12.0, C, false, false),
    ], // loyal, repeat
    &[
        (700.0, C, false, true),
        (520.0, C, false, true),
        (360.0, C, false, true),
        (190.0, C, false, true),
        (40.0, C, false, true),
    ], // VIP
    &[(400.0, C, false, false)], // one-time
    &[(400.0, C, false, false), (130.0, C, false, false)], // churning
    &[(600.0, C, false, false), (260.0, C, false, false)], // lapsed
    &[],                        // prospect
    &[],                        // prospect
    &[(3.0, Status::Pending, false, false)], // abandoned checkout
    &[
        (200.0, C, true, false),
        (95.0, C, true, false),
        (20.0, C, true, false),
    ], // discount shopper
];
/// Scripted guests: (days ago, status, case variant).
const SCRIPTED_GUESTS: &[&[(f64, Status, u64)]] = &[
    &[(1.5, Status::Failed, 0)],
    &[(0.3, Status::CheckoutDraft, 0)],
    &[(300.0, C, 0), (150.0, C, 1), (60.0, C, 2)],
];

fn validate(opts: &GenerateOptions) -> Result<(), GenerateError> {
    let bad = |option, reason: &str| {
        Err(GenerateError::InvalidOption {
            option,
            reason: reason.to_owned(),
        })
    };
    if opts.table_prefix.is_empty()
        || !opts
            .table_prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return bad(
            "table_prefix",
            "must be non-empty letters, digits and underscores",
        );
    }
    if opts.site_url.is_empty() || opts.site_url.ends_with('/') || opts.site_url.contains('\'') {
        return bad("site_url", "must be a URL without a trailing slash");
    }
    if opts.first_user_id < 1 || opts.first_post_id < 1 || opts.first_term_id < 1 {
        return bad("first_*_id", "ids start at 1");
    }
    if opts.customers == Some(0) {
        return bad("customers", "at least one registered customer");
    }
    if opts.orders > 100_000_000 {
        return bad("orders", "at most 100 000 000");
    }
    Ok(())
}

/// Generates the store described by `opts` as SQL into `out`.
pub fn generate(
    opts: &GenerateOptions,
    out: &mut dyn Write,
) -> Result<GenerateSummary, GenerateError> {
    validate(opts)?;
    let tz = jiff::tz::TimeZone::get(&opts.timezone).map_err(|e| GenerateError::InvalidOption {
        option: "timezone",
        reason: e.to_string(),
    })?;
    let local = move |ts: i64| -> i64 {
        match jiff::Timestamp::from_second(ts) {
            Ok(t) => ts + i64::from(tz.to_offset(t).seconds()),
            Err(_) => ts,
        }
    };
    let p = opts.table_prefix.as_str();
    let now = opts.now;
    let span = 730 * 86_400;
    let start = now - span;
    let catalog = Catalog::build(
        opts.seed,
        opts.products,
        opts.first_post_id,
        opts.first_term_id,
        start,
    );
    let registered = opts.customers.unwrap_or((opts.orders / 4).max(12));
    let guests = (opts.orders / 5).max(4);
    let users = registered + SCRIPTED_REGISTERED.len() as u64;

    let mut w = SqlWriter::new(out, opts.dialect, opts.batch_rows);
    let mut header = format!(
        "-- Synthetic WooCommerce 9.2.5 store: seed {}, {} orders, {:?} storage, prefix {p}\n",
        opts.seed, opts.orders, opts.storage
    );
    if opts.dialect == Dialect::MySql {
        header
            .push_str("SET NAMES utf8mb4;\nSET foreign_key_checks = 0;\nSET unique_checks = 0;\n");
    }
    w.raw(&header)?;
    if opts.include_schema {
        w.raw(&sql::schema_ddl(SCHEMA, p, opts.dialect)?)?;
    }

    let t = Tables {
        posts: w.table(format!("{p}posts"), orders::POSTS_COLUMNS),
        postmeta: w.table(format!("{p}postmeta"), orders::POSTMETA_COLUMNS),
        orders: w.table(format!("{p}wc_orders"), orders::ORDERS_COLUMNS),
        addresses: w.table(format!("{p}wc_order_addresses"), orders::ADDRESS_COLUMNS),
        operational: w.table(
            format!("{p}wc_order_operational_data"),
            orders::OPERATIONAL_COLUMNS,
        ),
        orders_meta: w.table(format!("{p}wc_orders_meta"), orders::META_COLUMNS_ORDER),
        items: w.table(format!("{p}woocommerce_order_items"), orders::ITEMS_COLUMNS),
        itemmeta: w.table(
            format!("{p}woocommerce_order_itemmeta"),
            orders::ITEMMETA_COLUMNS,
        ),
        comments: w.table(format!("{p}comments"), orders::COMMENTS_COLUMNS),
    };

    let analytics = analytics::AnalyticsTables {
        stats: w.table(format!("{p}wc_order_stats"), analytics::STATS_COLUMNS),
        products: w.table(
            format!("{p}wc_order_product_lookup"),
            analytics::PRODUCT_COLUMNS,
        ),
        coupons: w.table(
            format!("{p}wc_order_coupon_lookup"),
            analytics::COUPON_COLUMNS,
        ),
        taxes: w.table(format!("{p}wc_order_tax_lookup"), analytics::TAX_COLUMNS),
        customers: w.table(
            format!("{p}wc_customer_lookup"),
            analytics::CUSTOMER_COLUMNS,
        ),
    };

    write_options(&mut w, opts)?;
    catalog_rows::write_terms(&mut w, p, &catalog)?;

    // The order stream: scripted orders merged by time into the random ones.
    let mut scripted: Vec<OrderPlan> = Vec::new();
    let mut srng = Rng::stream(opts.seed, 0x5C41, 0);
    let at = |days: f64, rng: &mut Rng| now - (days * 86_400.0) as i64 - rng.range(0, 3_600);
    for (slot, script) in SCRIPTED_REGISTERED.iter().enumerate() {
        for &(days, status, coupon, big) in script.iter() {
            scripted.push(OrderPlan {
                created: at(days, &mut srng),
                buyer: Buyer::Registered(registered + slot as u64),
                status: Some(status),
                coupon,
                big,
            });
        }
    }
    for (slot, script) in SCRIPTED_GUESTS.iter().enumerate() {
        for &(days, status, case) in script.iter() {
            scripted.push(OrderPlan {
                created: at(days, &mut srng),
                buyer: Buyer::Guest {
                    index: guests + slot as u64,
                    case,
                },
                status: Some(status),
                coupon: false,
                big: false,
            });
        }
    }
    scripted.sort_by_key(|s| s.created);
    scripted.truncate(opts.orders as usize);
    let n_random = opts.orders - scripted.len() as u64;

    let ctx = OrderContext {
        seed: opts.seed,
        catalog: &catalog,
        storage: opts.storage,
        now,
        site_url: &opts.site_url,
        local: &local,
        first_user_id: opts.first_user_id,
        currency: "USD",
        users,
        analytics: &analytics,
    };
    let guest_identities = guests + SCRIPTED_GUESTS.len() as u64;
    let mut ids = Ids {
        post: catalog.next_post_id,
        item: 1,
    };
    let mut tally = Tally {
        statuses: [0; 8],
        guest_orders: 0,
        full_refunds: 0,
        partial_refunds: 0,
        product_sales: vec![0; catalog.products.len()],
        coupon_uses: [0; 3],
        paying: vec![false; users as usize],
        last_order: vec![0; users as usize],
        guest_last_order: vec![0; guest_identities as usize],
        counted: vec![false; (users + guest_identities) as usize],
    };
    let mut rrng = Rng::stream(opts.seed, 0x7A4D, 0);
    let end = now - 2 * 3_600;
    let mut next_scripted = scripted.iter().peekable();
    let mut seq = 0u64;
    let emit = |plan: OrderPlan,
                seq: &mut u64,
                w: &mut SqlWriter<'_>,
                ids: &mut Ids,
                tally: &mut Tally| {
        let person = match plan.buyer {
            Buyer::Registered(i) => people::person(opts.seed, false, i),
            Buyer::Guest { index, .. } => people::person(opts.seed, true, index),
        };
        let r = orders::write_order(&ctx, w, &t, ids, tally, *seq, plan, &person);
        *seq += 1;
        r
    };
    for i in 0..n_random {
        // Linear growth: twice as many orders at the end of the window as at its start.
        let u = (i as f64 + 0.5 + (rrng.unit() - 0.5) * 0.9) / n_random as f64;
        let x = (-1.0 + (1.0 + 3.0 * u).sqrt()).clamp(0.0, 1.0);
        let created = start + (x * (end - start) as f64) as i64;
        while let Some(s) = next_scripted.next_if(|s| s.created <= created) {
            emit(*s, &mut seq, &mut w, &mut ids, &mut tally)?;
        }
        let buyer = if rrng.chance(0.30) {
            let case = if rrng.chance(0.04) {
                1 + rrng.below(2)
            } else {
                0
            };
            Buyer::Guest {
                index: skewed(&mut rrng, guests),
                case,
            }
        } else {
            Buyer::Registered(skewed(&mut rrng, registered))
        };
        emit(
            OrderPlan {
                created,
                buyer,
                status: None,
                coupon: false,
                big: false,
            },
            &mut seq,
            &mut w,
            &mut ids,
            &mut tally,
        )?;
    }
    for s in next_scripted {
        emit(*s, &mut seq, &mut w, &mut ids, &mut tally)?;
    }

    catalog_rows::write_catalog(&mut w, &t, opts, &catalog, &tally, &local)?;
    let unicode_customers =
        users::write_users(&mut w, opts, users, registered, &tally, start, &analytics)?;
    for (g, &last) in tally.guest_last_order.iter().enumerate() {
        if last > 0 {
            let person = people::person(opts.seed, true, g as u64);
            analytics::write_customer(
                &mut w,
                &analytics,
                users + g as u64 + 1,
                None,
                &person,
                Some(last),
                None,
            )?;
        }
    }

    let (tables, bytes) = w.finish()?;
    Ok(GenerateSummary {
        tables,
        statuses: Status::ALL
            .iter()
            .filter(|s| tally.statuses[s.index()] > 0)
            .map(|s| (s.slug().to_owned(), tally.statuses[s.index()]))
            .collect(),
        orders: seq,
        guest_orders: tally.guest_orders,
        full_refunds: tally.full_refunds,
        partial_refunds: tally.partial_refunds,
        customers: users,
        unicode_customers,
        products: catalog.products.len() as u64,
        variations: catalog
            .products
            .iter()
            .map(|p| p.variations.len() as u64)
            .sum(),
        bytes,
    })
}

/// A customer index in `0..n`, half uniform, half heavily skewed to low
/// indices, so a few customers buy often and most buy once or twice.
fn skewed(rng: &mut Rng, n: u64) -> u64 {
    if rng.chance(0.5) {
        rng.below(n)
    } else {
        let u = rng.unit();
        ((u * u * u * n as f64) as u64).min(n.saturating_sub(1))
    }
}

fn write_options(w: &mut SqlWriter<'_>, opts: &GenerateOptions) -> Result<(), GenerateError> {
    let hpos = opts.storage == Storage::Hpos;
    let options: [(&str, &str, &str); 21] = [
        (
            "active_plugins",
            "a:1:{i:0;s:27:\"woocommerce/woocommerce.php\";}",
            "on",
        ),
        ("woocommerce_version", "9.2.5", "auto"),
        ("woocommerce_db_version", "9.2.5", "auto"),
        ("woocommerce_currency", "USD", "on"),
        ("woocommerce_currency_pos", "left", "on"),
        ("woocommerce_price_num_decimals", "2", "on"),
        ("woocommerce_price_thousand_sep", ",", "on"),
        ("woocommerce_price_decimal_sep", ".", "on"),
        ("woocommerce_calc_taxes", "yes", "on"),
        ("woocommerce_prices_include_tax", "no", "on"),
        ("woocommerce_tax_display_shop", "excl", "on"),
        ("woocommerce_tax_display_cart", "excl", "on"),
        ("woocommerce_default_country", "US:NY", "on"),
        ("woocommerce_weight_unit", "kg", "on"),
        ("woocommerce_dimension_unit", "cm", "on"),
        (
            "woocommerce_custom_orders_table_enabled",
            if hpos { "yes" } else { "no" },
            "on",
        ),
        (
            "woocommerce_custom_orders_table_data_sync_enabled",
            "no",
            "on",
        ),
        ("woocommerce_custom_orders_table_created", "yes", "auto"),
        ("woocommerce_feature_order_attribution_enabled", "yes", "on"),
        ("timezone_string", &opts.timezone, "on"),
        ("gmt_offset", "0", "on"),
    ];
    let table = format!("{}options", opts.table_prefix);
    let mut sql = match opts.dialect {
        Dialect::MySql => {
            format!("INSERT INTO `{table}` (`option_name`,`option_value`,`autoload`) VALUES\n")
        }
        Dialect::Sqlite => format!(
            "INSERT OR REPLACE INTO `{table}` (`option_name`,`option_value`,`autoload`) VALUES\n"
        ),
    };
    for (i, (name, value, autoload)) in options.iter().enumerate() {
        if i > 0 {
            sql.push_str(",\n");
        }
        sql.push('(');
        sql::push_quoted(&mut sql, name, opts.dialect);
        sql.push(',');
        sql::push_quoted(&mut sql, value, opts.dialect);
        sql.push(',');
        sql::push_quoted(&mut sql, autoload, opts.dialect);
        sql.push(')');
    }
    if opts.dialect == Dialect::MySql {
        sql.push_str("\nON DUPLICATE KEY UPDATE `option_value` = VALUES(`option_value`), `autoload` = VALUES(`autoload`)");
    }
    sql.push_str(";\n");
    w.count(&table, options.len() as u64);
    w.statement(&sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(opts: &GenerateOptions) -> (Vec<u8>, GenerateSummary) {
        let mut out = Vec::new();
        let summary = generate(opts, &mut out).expect("generates");
        (out, summary)
    }

    #[test]
    fn summary_counts_match_the_options() {
        let opts = GenerateOptions {
            orders: 120,
            ..GenerateOptions::default()
        };
        let (sql, s) = run(&opts);
        assert_eq!(s.orders, 120);
        assert_eq!(s.statuses.values().sum::<u64>(), 120);
        assert_eq!(
            s.tables.get("wp_wc_orders"),
            Some(&(120 + s.full_refunds + s.partial_refunds))
        );
        assert_eq!(s.bytes, sql.len() as u64);
    }

    #[test]
    fn scripted_order_count_is_documented_right() {
        let n: usize = SCRIPTED_REGISTERED.iter().map(|s| s.len()).sum::<usize>()
            + SCRIPTED_GUESTS.iter().map(|s| s.len()).sum::<usize>();
        assert_eq!(n as u64, SCRIPTED_ORDERS);
    }

    #[test]
    fn tiny_and_odd_sizes_generate() {
        for (orders, customers, products) in [
            (0, None, 30),
            (1, None, 30),
            (5, Some(1), 0),
            (26, None, 1),
            (27, Some(3), 80),
        ] {
            let opts = GenerateOptions {
                orders,
                customers,
                products,
                ..GenerateOptions::default()
            };
            let (_, s) = run(&opts);
            assert_eq!(s.orders, orders, "{orders} orders");
            assert_eq!(
                s.products,
                products as u64 + 5,
                "{products} simple products + 5 variable"
            );
        }
    }

    #[test]
    fn invalid_options_are_named() {
        for (opts, option) in [
            (
                GenerateOptions {
                    table_prefix: "wp-".into(),
                    ..GenerateOptions::default()
                },
                "table_prefix",
            ),
            (
                GenerateOptions {
                    site_url: "http://x/".into(),
                    ..GenerateOptions::default()
                },
                "site_url",
            ),
            (
                GenerateOptions {
                    timezone: "Mars/Olympus".into(),
                    ..GenerateOptions::default()
                },
                "timezone",
            ),
            (
                GenerateOptions {
                    customers: Some(0),
                    ..GenerateOptions::default()
                },
                "customers",
            ),
        ] {
            match generate(&opts, &mut Vec::new()) {
                Err(GenerateError::InvalidOption { option: o, .. }) => assert_eq!(o, option),
                other => panic!("expected InvalidOption({option}), got {other:?}"),
            }
        }
    }
}
