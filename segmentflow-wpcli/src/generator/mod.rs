//! A deterministic synthetic WooCommerce store generator, for tests and
//! benchmarks that need stores of any size which look exactly like what
//! WooCommerce 9.2.5 writes.
//!
//! [`generate`] writes SQL text: the real WooCommerce table DDL (from
//! `fixtures/schema/woocommerce-9.2.5.sql`, translated for SQLite when asked),
//! then the data as batched multi-row `INSERT`s inside transactions — options,
//! catalog terms, orders (HPOS tables plus `shop_order_placehold` posts, or
//! legacy `shop_order` posts), order items, then products, coupons and users.
//! WordPress core tables are not created: load the SQL into a database where
//! WordPress is installed. Orders stream out one at a time, so memory stays
//! flat for a million orders; the same [`GenerateOptions`] always produce the
//! same bytes.
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
mod order_rows;
mod orders;
mod people;
mod rng;
mod sql;
mod text;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;

use catalog::{Catalog, DiscountType, TAX_RATES};
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
    write_terms(&mut w, p, &catalog)?;

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

    write_catalog(&mut w, &t, opts, &catalog, &tally, &local)?;
    let unicode_customers =
        write_users(&mut w, opts, users, registered, &tally, start, &analytics)?;
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

fn write_terms(w: &mut SqlWriter<'_>, p: &str, catalog: &Catalog) -> Result<(), GenerateError> {
    let terms = w.table(format!("{p}terms"), "`term_id`,`name`,`slug`,`term_group`");
    let tt = w.table(
        format!("{p}term_taxonomy"),
        "`term_taxonomy_id`,`term_id`,`taxonomy`,`description`,`parent`,`count`",
    );
    for term in &catalog.terms {
        w.row(terms)
            .int(term.id as i64)
            .str(term.name)
            .str(term.slug)
            .int(0)
            .end()?;
        w.row(tt)
            .int(term.id as i64)
            .int(term.id as i64)
            .str(term.taxonomy)
            .str("")
            .int(term.parent as i64)
            .int(term.count as i64)
            .end()?;
    }
    let attrs = w.table(
        format!("{p}woocommerce_attribute_taxonomies"),
        "`attribute_id`,`attribute_name`,`attribute_label`,`attribute_type`,`attribute_orderby`,`attribute_public`",
    );
    for (id, name, label) in [(1, "color", "Color"), (2, "size", "Size")] {
        w.row(attrs)
            .int(id)
            .str(name)
            .str(label)
            .str("select")
            .str("menu_order")
            .int(0)
            .end()?;
    }
    let rates = w.table(
        format!("{p}woocommerce_tax_rates"),
        "`tax_rate_id`,`tax_rate_country`,`tax_rate_state`,`tax_rate`,`tax_rate_name`,`tax_rate_priority`,`tax_rate_compound`,`tax_rate_shipping`,`tax_rate_order`,`tax_rate_class`",
    );
    for (i, r) in TAX_RATES.iter().enumerate() {
        w.row(rates)
            .int(i64::from(r.id))
            .str(r.country)
            .str(r.state)
            .str(&r.rate_text())
            .str(r.name)
            .int(1)
            .int(0)
            .int(1)
            .int(i as i64)
            .str("")
            .end()?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn post_row(
    w: &mut SqlWriter<'_>,
    t: &Tables,
    local: &dyn Fn(i64) -> i64,
    id: u64,
    created: i64,
    modified: i64,
    content: &str,
    title: &str,
    excerpt: &str,
    comments: &str,
    slug: &str,
    parent: u64,
    guid: &str,
    menu_order: i64,
    kind: &str,
) -> Result<(), GenerateError> {
    w.row(t.posts)
        .int(id as i64)
        .int(1)
        .str(&text::datetime(local(created)))
        .datetime(Some(created))
        .str(content)
        .str(title)
        .str(excerpt)
        .str("publish")
        .str(comments)
        .str("closed")
        .str("")
        .str(slug)
        .str("")
        .str("")
        .str(&text::datetime(local(modified)))
        .datetime(Some(modified))
        .str("")
        .int(parent as i64)
        .str(guid)
        .int(menu_order)
        .str(kind)
        .str("")
        .int(0)
        .end()
}

fn write_catalog(
    w: &mut SqlWriter<'_>,
    t: &Tables,
    opts: &GenerateOptions,
    catalog: &Catalog,
    tally: &Tally,
    local: &dyn Fn(i64) -> i64,
) -> Result<(), GenerateError> {
    let p = opts.table_prefix.as_str();
    let site = opts.site_url.as_str();
    let rel = w.table(
        format!("{p}term_relationships"),
        "`object_id`,`term_taxonomy_id`,`term_order`",
    );
    let modified = opts.now - 86_400;
    let meta = |w: &mut SqlWriter<'_>, id: u64, k: &str, v: Option<&str>| {
        w.row(t.postmeta).int(id as i64).str(k).opt_str(v).end()
    };
    for (pi, product) in catalog.products.iter().enumerate() {
        let id = product.id;
        post_row(
            w,
            t,
            local,
            id,
            product.created,
            modified,
            &format!(
                "<p>{} — a staple of our collection.</p><p>Care: see label. Ships in 1–2 business days.</p>",
                product.name
            ),
            &product.name,
            product.excerpt,
            "open",
            &product.slug,
            0,
            &format!("{site}/product/{}/", product.slug),
            0,
            "product",
        )?;
        let sales = tally
            .product_sales
            .get(pi)
            .copied()
            .unwrap_or(0)
            .to_string();
        meta(w, id, "_sku", Some(&product.sku))?;
        if !product.is_variable() {
            meta(
                w,
                id,
                "_regular_price",
                Some(&text::money2(product.regular)),
            )?;
            if let Some(s) = product.sale {
                meta(w, id, "_sale_price", Some(&text::money2(s)))?;
            }
        }
        meta(w, id, "total_sales", Some(&sales))?;
        meta(w, id, "_tax_status", Some("taxable"))?;
        meta(w, id, "_tax_class", Some(""))?;
        let managed = product.stock.is_some();
        meta(
            w,
            id,
            "_manage_stock",
            Some(if managed { "yes" } else { "no" }),
        )?;
        meta(
            w,
            id,
            "_backorders",
            Some(if managed { "notify" } else { "no" }),
        )?;
        meta(w, id, "_sold_individually", Some("no"))?;
        if !product.is_variable() {
            for (k, v) in ["_weight", "_length", "_width", "_height"]
                .iter()
                .zip(product.dims)
            {
                meta(w, id, k, Some(v))?;
            }
        }
        meta(w, id, "_virtual", Some("no"))?;
        meta(w, id, "_downloadable", Some("no"))?;
        meta(w, id, "_download_limit", Some("-1"))?;
        meta(w, id, "_download_expiry", Some("-1"))?;
        let stock = product.stock.map(|s| format!("{}.000000", s.max(0)));
        meta(w, id, "_stock", stock.as_deref())?;
        meta(w, id, "_stock_status", Some("instock"))?;
        meta(w, id, "_wc_average_rating", Some("0"))?;
        meta(w, id, "_wc_review_count", Some("0"))?;
        if product.is_variable() {
            meta(
                w,
                id,
                "_product_attributes",
                Some(&product_attributes(product)),
            )?;
        }
        meta(w, id, "_product_version", Some("9.2.5"))?;
        if product.is_variable() {
            let mut prices: Vec<i64> = product
                .variations
                .iter()
                .map(|v| catalog::Product::active_price(v.regular, v.sale))
                .collect();
            prices.sort_unstable();
            prices.dedup();
            for price in prices {
                meta(w, id, "_price", Some(&text::money2(price)))?;
            }
        } else {
            meta(
                w,
                id,
                "_price",
                Some(&text::money2(catalog::Product::active_price(
                    product.regular,
                    product.sale,
                ))),
            )?;
        }
        // Taxonomies.
        let mut terms = vec![
            catalog.term(
                "product_type",
                if product.is_variable() {
                    "variable"
                } else {
                    "simple"
                },
            ),
            catalog.term("product_cat", product.category),
        ];
        terms.extend(
            product
                .tags
                .iter()
                .map(|tag| catalog.term("product_tag", tag)),
        );
        for a in product.attributes.iter().filter(|a| a.taxonomy) {
            terms.extend(a.values.iter().map(|&(_, slug)| catalog.term(a.key, slug)));
        }
        for term in terms.into_iter().flatten() {
            w.row(rel).int(id as i64).int(term.id as i64).int(0).end()?;
        }
        for (k, v) in product.variations.iter().enumerate() {
            let labels: Vec<&str> = v
                .values
                .iter()
                .zip(&product.attributes)
                .map(|(&i, a)| a.values[i].0)
                .collect();
            let excerpt: Vec<String> = v
                .values
                .iter()
                .zip(&product.attributes)
                .map(|(&i, a)| format!("{}: {}", a.label, a.values[i].0))
                .collect();
            let title = format!("{} - {}", product.name, labels.join(", "));
            let slug = format!(
                "{}-{}",
                product.slug,
                labels.join("-").to_lowercase().replace(' ', "-")
            );
            post_row(
                w,
                t,
                local,
                v.id,
                product.created + 60 * (k as i64 + 1),
                modified,
                "",
                &title,
                &excerpt.join(", "),
                "closed",
                &slug,
                id,
                &format!("{site}/?post_type=product_variation&p={}", v.id),
                k as i64 + 1,
                "product_variation",
            )?;
            let vid = v.id;
            meta(w, vid, "_variation_description", Some(""))?;
            meta(w, vid, "_sku", Some(&v.sku))?;
            meta(w, vid, "_regular_price", Some(&text::money2(v.regular)))?;
            meta(w, vid, "total_sales", Some("0"))?;
            meta(w, vid, "_tax_status", Some("taxable"))?;
            meta(w, vid, "_tax_class", Some("parent"))?;
            meta(w, vid, "_manage_stock", Some("yes"))?;
            meta(w, vid, "_backorders", Some("notify"))?;
            meta(w, vid, "_sold_individually", Some("no"))?;
            meta(w, vid, "_weight", Some(product.dims[0]))?;
            meta(w, vid, "_virtual", Some("no"))?;
            meta(w, vid, "_downloadable", Some("no"))?;
            meta(w, vid, "_download_limit", Some("-1"))?;
            meta(w, vid, "_download_expiry", Some("-1"))?;
            meta(w, vid, "_stock", Some(&v.stock.to_string()))?;
            meta(w, vid, "_stock_status", Some("instock"))?;
            meta(w, vid, "_wc_average_rating", Some("0"))?;
            meta(w, vid, "_wc_review_count", Some("0"))?;
            for (&i, a) in v.values.iter().zip(&product.attributes) {
                meta(w, vid, &format!("attribute_{}", a.key), Some(a.values[i].1))?;
            }
            meta(
                w,
                vid,
                "_price",
                Some(&text::money2(catalog::Product::active_price(
                    v.regular, v.sale,
                ))),
            )?;
            meta(w, vid, "_product_version", Some("9.2.5"))?;
            meta(w, vid, "_thumbnail_id", Some("0"))?;
            if let Some(s) = v.sale {
                meta(w, vid, "_sale_price", Some(&text::money2(s)))?;
            }
        }
    }
    write_product_lookups(w, p, catalog, tally)?;
    for (ci, c) in catalog.coupons.iter().enumerate() {
        let created = opts.now - 730 * 86_400 - 3 * 86_400;
        post_row(
            w,
            t,
            local,
            c.id,
            created,
            created,
            "",
            c.code,
            c.description,
            "closed",
            c.code,
            0,
            &format!("{site}/?post_type=shop_coupon&p={}", c.id),
            0,
            "shop_coupon",
        )?;
        let kind = match c.kind {
            DiscountType::Percent => "percent",
            DiscountType::FixedCart => "fixed_cart",
        };
        let uses = tally.coupon_uses[ci].to_string();
        for (k, v) in [
            ("discount_type", Some(kind)),
            ("coupon_amount", Some(c.amount.to_string().as_str())),
            ("individual_use", Some("no")),
            ("usage_limit", Some("0")),
            ("usage_limit_per_user", Some("0")),
            ("limit_usage_to_x_items", None),
            ("usage_count", Some(uses.as_str())),
            ("date_expires", None),
            ("free_shipping", Some("no")),
            ("exclude_sale_items", Some("no")),
        ] {
            meta(w, c.id, k, v)?;
        }
    }
    Ok(())
}

/// The product lookup tables WooCommerce maintains on save:
/// `wc_product_meta_lookup` (products and variations), `wc_category_lookup`
/// (category → itself and its descendants) and `wc_product_attributes_lookup`
/// (variations × their global attribute terms).
fn write_product_lookups(
    w: &mut SqlWriter<'_>,
    p: &str,
    catalog: &Catalog,
    tally: &Tally,
) -> Result<(), GenerateError> {
    let meta = w.table(
        format!("{p}wc_product_meta_lookup"),
        "`product_id`,`sku`,`global_unique_id`,`virtual`,`downloadable`,`min_price`,`max_price`,`onsale`,`stock_quantity`,`stock_status`,`rating_count`,`average_rating`,`total_sales`,`tax_status`,`tax_class`",
    );
    let row = |w: &mut SqlWriter<'_>,
               id: u64,
               sku: &str,
               min: i64,
               max: i64,
               onsale: bool,
               stock: Option<i64>,
               sales: i64,
               class: &str| {
        let r = w
            .row(meta)
            .int(id as i64)
            .str(sku)
            .str("")
            .int(0)
            .int(0)
            .money(min)
            .money(max)
            .int(i64::from(onsale));
        let r = match stock {
            Some(s) => r.int(s),
            None => r.null(),
        };
        r.str("instock")
            .int(0)
            .raw_text("0.00")
            .int(sales)
            .str("taxable")
            .str(class)
            .end()
    };
    for (pi, product) in catalog.products.iter().enumerate() {
        let sales = tally.product_sales.get(pi).copied().unwrap_or(0);
        if product.is_variable() {
            let prices = product
                .variations
                .iter()
                .map(|v| catalog::Product::active_price(v.regular, v.sale));
            let (min, max) =
                prices.fold((i64::MAX, i64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
            row(
                w,
                product.id,
                &product.sku,
                min,
                max,
                false,
                None,
                sales,
                "",
            )?;
            for v in &product.variations {
                let price = catalog::Product::active_price(v.regular, v.sale);
                row(
                    w,
                    v.id,
                    &v.sku,
                    price,
                    price,
                    v.sale.is_some(),
                    Some(v.stock),
                    0,
                    "parent",
                )?;
            }
        } else {
            let price = catalog::Product::active_price(product.regular, product.sale);
            row(
                w,
                product.id,
                &product.sku,
                price,
                price,
                product.sale.is_some(),
                product.stock,
                sales,
                "",
            )?;
        }
    }
    let cats = w.table(
        format!("{p}wc_category_lookup"),
        "`category_tree_id`,`category_id`",
    );
    for t in catalog
        .terms
        .iter()
        .filter(|t| t.taxonomy == "product_cat" && t.slug != "uncategorized")
    {
        // Ancestors-or-self of `t`, each paired with `t`.
        let mut node = Some(t);
        while let Some(n) = node {
            w.row(cats).int(n.id as i64).int(t.id as i64).end()?;
            node = catalog
                .terms
                .iter()
                .find(|x| x.id == n.parent && n.parent != 0);
        }
    }
    let attrs = w.table(
        format!("{p}wc_product_attributes_lookup"),
        "`product_id`,`product_or_parent_id`,`taxonomy`,`term_id`,`is_variation_attribute`,`in_stock`",
    );
    for product in &catalog.products {
        for v in &product.variations {
            for (&k, a) in v
                .values
                .iter()
                .zip(&product.attributes)
                .filter(|(_, a)| a.taxonomy)
            {
                if let Some(term) = catalog.term(a.key, a.values[k].1) {
                    w.row(attrs)
                        .int(v.id as i64)
                        .int(product.id as i64)
                        .str(a.key)
                        .int(term.id as i64)
                        .int(1)
                        .int(1)
                        .end()?;
                }
            }
        }
    }
    Ok(())
}

/// `_product_attributes` of a variable product, serialized as WooCommerce does.
fn product_attributes(product: &catalog::Product) -> String {
    use std::fmt::Write as _;
    let mut s = format!("a:{}:{{", product.attributes.len());
    for (pos, a) in product.attributes.iter().enumerate() {
        text::ser_str(&mut s, a.key);
        s.push_str("a:6:{");
        text::ser_str(&mut s, "name");
        text::ser_str(&mut s, if a.taxonomy { a.key } else { a.label });
        text::ser_str(&mut s, "value");
        let value = if a.taxonomy {
            String::new()
        } else {
            a.values.iter().map(|v| v.0).collect::<Vec<_>>().join(" | ")
        };
        text::ser_str(&mut s, &value);
        let _ = write!(
            s,
            "s:8:\"position\";i:{pos};s:10:\"is_visible\";i:1;s:12:\"is_variation\";i:1;s:11:\"is_taxonomy\";i:{};}}",
            i32::from(a.taxonomy)
        );
    }
    s.push('}');
    s
}

fn write_users(
    w: &mut SqlWriter<'_>,
    opts: &GenerateOptions,
    users: u64,
    registered: u64,
    tally: &Tally,
    start: i64,
    analytics: &analytics::AnalyticsTables,
) -> Result<u64, GenerateError> {
    let mut unicode = 0;
    let p = opts.table_prefix.as_str();
    let ut = w.table(
        format!("{p}users"),
        "`ID`,`user_login`,`user_pass`,`user_nicename`,`user_email`,`user_url`,`user_registered`,`user_activation_key`,`user_status`,`display_name`",
    );
    let um = w.table(format!("{p}usermeta"), "`user_id`,`meta_key`,`meta_value`");
    let caps_key = format!("{p}capabilities");
    let level_key = format!("{p}user_level");
    const HASH: &[u8] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for i in 0..users {
        let person = people::person(opts.seed, false, i);
        unicode += u64::from(person.unicode);
        let mut rng = Rng::stream(opts.seed, 0x05E5, i);
        let id = opts.first_user_id + i;
        // The scripted "new customer" (first slot) registered just before buying.
        let registered_at = if i == registered {
            opts.now - 12 * 86_400
        } else {
            start - rng.range(1, 300) * 86_400 - rng.range(0, 86_399)
        };
        let mut pass = String::from("$P$B");
        rng.token(HASH, 30, &mut pass);
        let a = &person.address;
        let display = format!("{} {}", a.first_name, a.last_name);
        w.row(ut)
            .int(id as i64)
            .str(&person.login)
            .str(&pass)
            .str(&person.login.replace('.', "-"))
            .str(&person.email)
            .str("")
            .datetime(Some(registered_at))
            .str("")
            .int(0)
            .str(&display)
            .end()?;
        let last_update = tally
            .last_order
            .get(i as usize)
            .copied()
            .unwrap_or(0)
            .max(registered_at)
            .to_string();
        let mut meta: Vec<(&str, &str)> = vec![
            ("nickname", &person.login),
            ("first_name", &a.first_name),
            ("last_name", &a.last_name),
            ("description", ""),
            ("rich_editing", "true"),
            ("syntax_highlighting", "true"),
            ("comment_shortcuts", "false"),
            ("admin_color", "fresh"),
            ("use_ssl", "0"),
            ("show_admin_bar_front", "true"),
            // A quarter keep the site language (stored as an empty string).
            ("locale", if i % 4 == 3 { "" } else { person.locale }),
            (&caps_key, "a:1:{s:8:\"customer\";b:1;}"),
            (&level_key, "0"),
            ("dismissed_wp_pointers", ""),
            ("last_update", &last_update),
        ];
        let fields: [(&str, &str, &str); 9] = [
            ("billing_first_name", "shipping_first_name", &a.first_name),
            ("billing_last_name", "shipping_last_name", &a.last_name),
            ("billing_company", "shipping_company", &a.company),
            ("billing_address_1", "shipping_address_1", &a.address_1),
            ("billing_address_2", "shipping_address_2", &a.address_2),
            ("billing_city", "shipping_city", a.city),
            ("billing_state", "shipping_state", a.state),
            ("billing_postcode", "shipping_postcode", a.postcode),
            ("billing_country", "shipping_country", a.country),
        ];
        for (b, _, v) in fields {
            if !v.is_empty() {
                meta.push((b, v));
            }
        }
        meta.push(("billing_email", &person.email));
        meta.push(("billing_phone", &a.phone));
        for (_, s, v) in fields {
            if !v.is_empty() {
                meta.push((s, v));
            }
        }
        if i % 5 == 0 {
            meta.push(("shipping_phone", &a.phone));
        }
        if tally.paying.get(i as usize).copied().unwrap_or(false) {
            meta.push(("paying_customer", "1"));
        }
        for (k, v) in meta {
            w.row(um).int(id as i64).str(k).str(v).end()?;
        }
        let last = tally.last_order.get(i as usize).copied().filter(|&t| t > 0);
        analytics::write_customer(
            w,
            analytics,
            i + 1,
            Some(id),
            &person,
            last,
            Some(registered_at),
        )?;
    }
    Ok(unicode)
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
