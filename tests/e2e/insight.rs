//! The intelligence layer's store reader (`store::insight`) against real
//! data: the WooCommerce 9.2.5 dump and stores written by the generator.
//!
//! Every expected value is computed here by SQL written independently of
//! the reader (paid totals net of refunds, refunds, coupons, line SKUs,
//! category counts, UTM sources, customers), and the reader's facts must
//! agree; posts storage must give the same facts as HPOS for the same
//! store (the real dump converted by `tests/support/hpos-to-posts.sql`, and
//! the generator's two storages); SQLite (the bundled demo site) the same
//! facts as MariaDB.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use mysql::prelude::Queryable;
use segmentflow_core::insight::{Money, OrderFact, PersonFact, is_paid_status};
use segmentflow_core::wpconfig::TablePrefix;
use segmentflow_wpcli::generator::{self, GenerateOptions, Storage};
use segmentflow_wpcli::wordpress::db::Db;
use segmentflow_wpcli::wordpress::store::Tables;
use segmentflow_wpcli::wordpress::store::insight::{order_facts, person_facts};
use segmentflow_wpcli::wordpress::store::site::{OrderStorage, order_storage};

use crate::store::connect;
use crate::util::{server, support};

/// WordPress core tables (structure copied from the dump's template).
const CORE_TABLES: &[&str] = &[
    "commentmeta",
    "comments",
    "links",
    "options",
    "postmeta",
    "posts",
    "term_relationships",
    "term_taxonomy",
    "termmeta",
    "terms",
    "usermeta",
    "users",
];

pub(crate) fn wp_tables() -> Tables {
    Tables::new(&TablePrefix::new("wp_").unwrap(), 1).unwrap()
}

/// Every order fact and person of a database, failing on any error.
pub(crate) fn read_facts(db: &mut Db, window: usize) -> (Vec<OrderFact>, Vec<PersonFact>) {
    let t = wp_tables();
    let storage = order_storage(db, &t).unwrap();
    let orders: Vec<OrderFact> = order_facts(db, &t, storage, window)
        .map(|r| r.expect("order fact reads"))
        .collect();
    let people = person_facts(db, &t, window).expect("people read");
    (orders, people)
}

/// Rows of a query as text cells.
pub(crate) fn sql_rows(db: &str, sql: &str) -> Vec<Vec<Option<String>>> {
    let mut conn = server().admin();
    conn.select_db(db).unwrap();
    let rows: Vec<mysql::Row> = conn.query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter()
        .map(|r| {
            r.unwrap()
                .into_iter()
                .map(|v| match v {
                    mysql::Value::NULL => None,
                    mysql::Value::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
                    other => Some(other.as_sql(true).trim_matches('\'').to_owned()),
                })
                .collect()
        })
        .collect()
}

fn cell(row: &[Option<String>], i: usize) -> String {
    row[i].clone().unwrap_or_default()
}

fn root_mariadb(db: &str) -> Command {
    let mut cmd = Command::new("mariadb");
    cmd.arg("-uroot");
    match &server().socket {
        Some(s) => cmd.arg(format!("--socket={}", s.display())),
        None => cmd.arg("--host=127.0.0.1"),
    };
    cmd.arg(db);
    cmd
}

/// Pipes `sql` into database `db` through the `mariadb` client.
fn load_sql(db: &str, sql: &[u8]) {
    let mut child = root_mariadb(db)
        .stdin(Stdio::piped())
        .spawn()
        .expect("mariadb client");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(sql)
        .expect("pipe the generated SQL");
    assert!(child.wait().unwrap().success(), "loading {db} failed");
}

/// A generated store loaded into MariaDB (WordPress core tables shaped as
/// the real dump's, then the generator's SQL), kept between runs under a
/// name hashing the SQL (`sfwp_cache_gen_<hash>`).
pub(crate) fn generated_store(opts: &GenerateOptions) -> String {
    use std::hash::{Hash, Hasher};
    let mut sql = Vec::new();
    generator::generate(opts, &mut sql).expect("generate");
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    sql.hash(&mut hasher);
    let name = format!("sfwp_cache_gen_{:016x}", hasher.finish());
    let template = crate::store::template();
    // Only this exact store is cached; other generated stores stay.
    crate::util::cached_database(&name, &name, |conn| {
        for t in CORE_TABLES {
            conn.query_drop(format!(
                "CREATE TABLE `{name}`.`wp_{t}` LIKE `{template}`.`wp_{t}`"
            ))
            .unwrap();
        }
        load_sql(&name, &sql);
    });
    name
}

/// A generated store on top of a real WordPress install, as
/// `scripts/gen-store.sh` makes it (the generator's ids start after a fresh
/// install's): the single-site template's tables copied, then the
/// generator's SQL loaded. Kept between runs under a name hashing the SQL
/// and the template (`sfwp_cache_site_<hash>`); a site for a test is a
/// [`TestEnv::copy_of`](crate::util::TestEnv::copy_of) it.
pub(crate) fn generated_site(opts: &GenerateOptions) -> String {
    use std::hash::{Hash, Hasher};
    let mut sql = Vec::new();
    generator::generate(opts, &mut sql).expect("generate");
    let wordpress = crate::util::wordpress_template();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    sql.hash(&mut hasher);
    wordpress.hash(&mut hasher);
    let name = format!("sfwp_cache_site_{:016x}", hasher.finish());
    crate::util::cached_database(&name, &name, |conn| {
        crate::util::copy_wp_tables(conn, wordpress, &name);
        load_sql(&name, &sql);
    });
    name
}

/// A scratch copy of a database's tables, dropped on drop.
pub(crate) struct DbCopy {
    pub db: String,
}

impl DbCopy {
    pub(crate) fn of(from: &str) -> DbCopy {
        static N: AtomicUsize = AtomicUsize::new(0);
        let db = format!(
            "sfwp_t_{}_i{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut conn = server().admin();
        conn.query_drop(format!("CREATE DATABASE `{db}`")).unwrap();
        crate::util::copy_wp_tables(&mut conn, from, &db);
        DbCopy { db }
    }
}

impl Drop for DbCopy {
    fn drop(&mut self) {
        let _ = server()
            .admin()
            .query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.db));
    }
}

fn m(s: &str) -> Money {
    Money::parse_or_zero(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Checks the facts of an HPOS database against SQL over its tables.
fn check_against_sql(db: &str, orders: &[OrderFact], people: &[PersonFact]) {
    // Orders read: every shop_order not trashed/drafted.
    let ids: Vec<u64> = sql_rows(
        db,
        "SELECT id FROM wp_wc_orders WHERE type = 'shop_order' \
         AND status NOT IN ('trash', 'draft', 'auto-draft') ORDER BY id",
    )
    .iter()
    .map(|r| cell(r, 0).parse().unwrap())
    .collect();
    let got_ids: Vec<u64> = orders.iter().map(|o| o.id).collect();
    assert_eq!(got_ids, ids, "the orders read, in id order");

    // Paid total net of refunds, to the cent (exactly).
    let want_net = sql_rows(
        db,
        "SELECT COALESCE(SUM(o.total_amount), 0) - COALESCE(SUM((SELECT SUM(ABS(r.total_amount)) \
           FROM wp_wc_orders r WHERE r.parent_order_id = o.id AND r.type = 'shop_order_refund')), 0) \
         FROM wp_wc_orders o WHERE o.type = 'shop_order' AND o.status IN ('wc-processing', 'wc-completed')",
    );
    let got_net: Money = orders
        .iter()
        .filter(|o| is_paid_status(&o.status))
        .map(|o| o.total - o.refunded)
        .sum();
    assert_eq!(got_net, m(&cell(&want_net[0], 0)), "paid net total");
    assert!(got_net > Money::ZERO);

    // Per order: total, refunds, coupons, SKUs.
    let totals: BTreeMap<u64, (Money, Money)> = sql_rows(
        db,
        "SELECT o.id, o.total_amount, (SELECT COALESCE(SUM(ABS(r.total_amount)), 0) FROM wp_wc_orders r \
           WHERE r.parent_order_id = o.id AND r.type = 'shop_order_refund') \
         FROM wp_wc_orders o WHERE o.type = 'shop_order'",
    )
    .iter()
    .map(|r| {
        (
            cell(r, 0).parse().unwrap(),
            (m(&cell(r, 1)), m(&cell(r, 2))),
        )
    })
    .collect();
    let mut coupons: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for r in sql_rows(
        db,
        "SELECT order_id, LOWER(TRIM(order_item_name)) FROM wp_woocommerce_order_items \
         WHERE order_item_type = 'coupon'",
    ) {
        coupons
            .entry(cell(&r, 0).parse().unwrap())
            .or_default()
            .push(cell(&r, 1));
    }
    let mut skus: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for r in sql_rows(
        db,
        "SELECT i.order_id, COALESCE( \
           NULLIF((SELECT s.meta_value FROM wp_postmeta s WHERE s.post_id = v.meta_value AND v.meta_value <> '0' \
             AND s.meta_key = '_sku' ORDER BY s.meta_id LIMIT 1), ''), \
           (SELECT s.meta_value FROM wp_postmeta s WHERE s.post_id = p.meta_value AND s.meta_key = '_sku' \
             ORDER BY s.meta_id LIMIT 1), '') \
         FROM wp_woocommerce_order_items i \
         JOIN wp_woocommerce_order_itemmeta p ON p.order_item_id = i.order_item_id AND p.meta_key = '_product_id' \
         LEFT JOIN wp_woocommerce_order_itemmeta v ON v.order_item_id = i.order_item_id AND v.meta_key = '_variation_id' \
         WHERE i.order_item_type = 'line_item'",
    ) {
        skus.entry(cell(&r, 0).parse().unwrap())
            .or_default()
            .push(cell(&r, 1));
    }
    let mut with_refund = 0;
    let mut with_coupon = 0;
    let mut with_sku = 0;
    for o in orders {
        let (total, refunded) = totals[&o.id];
        assert_eq!((o.total, o.refunded), (total, refunded), "order {}", o.id);
        let mut want_c = coupons.get(&o.id).cloned().unwrap_or_default();
        let mut got_c = o.coupons.clone();
        want_c.sort();
        got_c.sort();
        assert_eq!(got_c, want_c, "coupons of order {}", o.id);
        let mut want_s = skus.get(&o.id).cloned().unwrap_or_default();
        let mut got_s: Vec<String> = o.lines.iter().map(|l| l.sku.clone()).collect();
        want_s.sort();
        got_s.sort();
        assert_eq!(got_s, want_s, "SKUs of order {}", o.id);
        with_refund += usize::from(refunded > Money::ZERO);
        with_coupon += usize::from(!got_c.is_empty());
        with_sku += usize::from(got_s.iter().any(|s| !s.is_empty()));
    }
    assert!(
        with_refund > 0 && with_coupon > 0 && with_sku > 0,
        "the store exercises refunds ({with_refund}), coupons ({with_coupon}), SKUs ({with_sku})"
    );

    // Lines per product category.
    let want_cats: BTreeMap<String, u64> = sql_rows(
        db,
        "SELECT t.slug, COUNT(*) FROM wp_woocommerce_order_items i \
         JOIN wp_wc_orders o ON o.id = i.order_id AND o.type = 'shop_order' \
           AND o.status NOT IN ('trash', 'draft', 'auto-draft') \
         JOIN wp_woocommerce_order_itemmeta p ON p.order_item_id = i.order_item_id AND p.meta_key = '_product_id' \
         JOIN wp_term_relationships tr ON tr.object_id = p.meta_value \
         JOIN wp_term_taxonomy tt ON tt.term_taxonomy_id = tr.term_taxonomy_id AND tt.taxonomy = 'product_cat' \
         JOIN wp_terms t ON t.term_id = tt.term_id \
         WHERE i.order_item_type = 'line_item' GROUP BY t.slug",
    )
    .iter()
    .map(|r| (cell(r, 0), cell(r, 1).parse().unwrap()))
    .collect();
    let mut got_cats: BTreeMap<String, u64> = BTreeMap::new();
    for l in orders.iter().flat_map(|o| &o.lines) {
        assert_eq!(l.category_slugs.len(), l.category_names.len());
        for s in &l.category_slugs {
            *got_cats.entry(s.clone()).or_default() += 1;
        }
    }
    assert!(!want_cats.is_empty());
    assert_eq!(got_cats, want_cats, "lines per category");

    // UTM sources of both families.
    for (key, touch) in [
        ("_segmentflow_utm_source", true),
        ("_wc_order_attribution_utm_source", false),
    ] {
        let want: BTreeMap<u64, String> = sql_rows(
            db,
            &format!(
                "SELECT order_id, MIN(meta_value) FROM wp_wc_orders_meta WHERE meta_key = '{key}' \
                 AND meta_value <> '' GROUP BY order_id"
            ),
        )
        .iter()
        .map(|r| (cell(r, 0).parse().unwrap(), cell(r, 1)))
        .collect();
        let got: BTreeMap<u64, String> = orders
            .iter()
            .filter(|o| want.contains_key(&o.id))
            .filter_map(|o| {
                let t = if touch {
                    &o.segmentflow_touch
                } else {
                    &o.wc_touch
                };
                t.as_ref().and_then(|t| t.source.clone()).map(|s| (o.id, s))
            })
            .collect();
        let want: BTreeMap<u64, String> = want
            .into_iter()
            .filter(|(id, _)| totals.contains_key(id) && got_ids_contains(&got_ids, *id))
            .collect();
        assert_eq!(got, want, "{key}");
        if touch {
            let none = orders
                .iter()
                .filter(|o| !want.contains_key(&o.id) && o.segmentflow_touch.is_some())
                .filter(|o| o.segmentflow_touch.as_ref().unwrap().source.is_some())
                .count();
            assert_eq!(none, 0, "no plugin source where the meta has none");
        }
    }

    // People: customer-role users and the lookup's customers.
    let mut want_users: BTreeSet<u64> = sql_rows(
        db,
        "SELECT user_id FROM wp_usermeta WHERE meta_key = 'wp_capabilities' \
         AND meta_value LIKE '%s:8:\"customer\";b:1;%'",
    )
    .iter()
    .map(|r| cell(r, 0).parse().unwrap())
    .collect();
    let mut want_guests: BTreeSet<String> = BTreeSet::new();
    let lookup = sql_rows(
        db,
        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
         AND TABLE_NAME = 'wp_wc_customer_lookup'",
    );
    if cell(&lookup[0], 0) == "1" {
        for r in sql_rows(
            db,
            "SELECT COALESCE(user_id, 0), LOWER(TRIM(email)) FROM wp_wc_customer_lookup",
        ) {
            match cell(&r, 0).parse::<u64>().unwrap() {
                0 if !cell(&r, 1).is_empty() => {
                    want_guests.insert(cell(&r, 1));
                }
                0 => {}
                id => {
                    want_users.insert(id);
                }
            }
        }
    }
    let got_users: BTreeSet<u64> = people
        .iter()
        .filter(|p| p.user_id != 0)
        .map(|p| p.user_id)
        .collect();
    let got_guests: BTreeSet<String> = people
        .iter()
        .filter(|p| p.user_id == 0)
        .map(|p| p.email.trim().to_lowercase())
        .collect();
    assert_eq!(got_users, want_users, "registered people");
    assert_eq!(got_guests, want_guests, "guest people");
    assert_eq!(
        got_users.len() + got_guests.len(),
        people.len(),
        "one person per customer key"
    );
}

fn got_ids_contains(ids: &[u64], id: u64) -> bool {
    ids.binary_search(&id).is_ok()
}

#[test]
fn real_store_facts_match_sql() {
    let db = crate::store::template();
    let mut conn = connect(db);
    // A small window so that several windows (and the product cache) are used.
    let (orders, people) = read_facts(&mut conn, 37);
    assert_eq!(orders.len(), 300, "the dump's orders");
    check_against_sql(db, &orders, &people);
    // The window size changes nothing.
    let (again, people_again) = read_facts(&mut conn, 5000);
    assert_eq!(again, orders);
    assert_eq!(people_again, people);
    // Order 118 (the webhook sample) as the dump holds it.
    let o = orders.iter().find(|o| o.id == 118).expect("order 118");
    assert!(o.created.is_some());
    assert!(!o.lines.is_empty());
}

#[test]
fn real_store_in_posts_storage_gives_the_same_facts() {
    let (hpos, hpos_people) = read_facts(&mut connect(crate::store::template()), 5000);
    let copy = DbCopy::of(crate::store::template());
    let script = std::fs::read_to_string(support("hpos-to-posts.sql")).unwrap();
    let mut conn = server().admin();
    conn.select_db(&copy.db).unwrap();
    conn.query_drop(&script).unwrap();
    drop(conn);
    let mut db = connect(&copy.db);
    assert_eq!(
        order_storage(&mut db, &wp_tables()).unwrap(),
        OrderStorage::Posts
    );
    let (posts, posts_people) = read_facts(&mut db, 64);
    assert_eq!(posts.len(), hpos.len());
    for (p, h) in posts.iter().zip(&hpos) {
        assert_eq!(p, h, "order {}", h.id);
    }
    assert_eq!(posts_people, hpos_people);
}

fn small_store(storage: Storage) -> GenerateOptions {
    GenerateOptions {
        seed: 7,
        orders: 1500,
        storage,
        ..GenerateOptions::default()
    }
}

#[test]
fn generated_store_facts_match_sql_and_both_storages_agree() {
    let hpos_db = generated_store(&small_store(Storage::Hpos));
    let posts_db = generated_store(&small_store(Storage::Posts));
    let (hpos, hpos_people) = read_facts(&mut connect(&hpos_db), 400);
    assert_eq!(hpos.len(), 1500);
    check_against_sql(&hpos_db, &hpos, &hpos_people);
    assert!(
        hpos.iter().any(|o| o.segmentflow_touch.is_some())
            && hpos.iter().any(|o| o.wc_touch.is_some()),
        "the generator stamps UTM data"
    );
    let mut db = connect(&posts_db);
    assert_eq!(
        order_storage(&mut db, &wp_tables()).unwrap(),
        OrderStorage::Posts
    );
    let (posts, posts_people) = read_facts(&mut db, 700);
    assert_eq!(posts.len(), hpos.len());
    for (p, h) in posts.iter().zip(&hpos) {
        assert_eq!(p, h, "order {}", h.id);
    }
    assert_eq!(posts_people, hpos_people);
}

#[test]
fn sqlite_demo_site_gives_the_same_facts_as_mariadb() {
    // The demo site is the generator's store (scripts/make-demo-site.sh).
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let script = std::fs::read_to_string(repo.join("scripts/make-demo-site.sh")).unwrap();
    let setting = |name: &str| {
        script
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .map(|v| v.trim_matches('"').to_owned())
            .unwrap_or_else(|| panic!("{name}= in make-demo-site.sh"))
    };
    let now = setting("now")
        .replace(' ', "T")
        .parse::<jiff::civil::DateTime>()
        .and_then(|d| jiff::tz::TimeZone::UTC.to_timestamp(d))
        .unwrap()
        .as_second();
    let opts = GenerateOptions {
        seed: setting("seed").parse().unwrap(),
        orders: setting("orders").parse().unwrap(),
        storage: match setting("storage").as_str() {
            "posts" => Storage::Posts,
            _ => Storage::Hpos,
        },
        table_prefix: setting("prefix"),
        now,
        site_url: setting("site_url"),
        timezone: setting("timezone"),
        ..GenerateOptions::default()
    };
    assert_eq!(opts.table_prefix, "wp_");
    let maria = generated_store(&opts);
    let (want, want_people) = read_facts(&mut connect(&maria), 5000);

    let dir = crate::util::TempDir::new();
    let file = dir.path().join("demo.sqlite");
    std::fs::copy(
        repo.join("fixtures/demo-site/wp-content/database/.ht.sqlite"),
        &file,
    )
    .unwrap();
    let mut db = Db::open_sqlite(&file).unwrap();
    let (got, got_people) = read_facts(&mut db, 128);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "order {}", w.id);
    }
    assert_eq!(got_people, want_people);
}
