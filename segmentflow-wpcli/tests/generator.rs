//! Integration tests of the synthetic store generator: determinism, and the
//! generated SQL loaded into a real WordPress install on MariaDB (HPOS and
//! posts storage) and into SQLite, then checked with SQL — totals to the cent,
//! refunds, items, status mix, every segment populated, and the meta key sets
//! against those of the real WooCommerce 9.2.5 store (`fixtures/schema/meta-keys.json`).
//!
//! The MariaDB tests need the `mariadb` client, a server reachable as root over
//! the default socket, PHP and Debian's WordPress in /usr/share/wordpress; when
//! the `mariadb` client is missing they print why and return.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use segmentflow_wpcli::generator::{Dialect, GenerateOptions, GenerateSummary, Storage, generate};

fn gen_sql(opts: &GenerateOptions) -> (Vec<u8>, GenerateSummary) {
    let mut out = Vec::new();
    let summary = generate(opts, &mut out).expect("the generator succeeds");
    (out, summary)
}

fn opts(orders: u64, storage: Storage, dialect: Dialect) -> GenerateOptions {
    GenerateOptions {
        orders,
        storage,
        dialect,
        seed: 42,
        ..GenerateOptions::default()
    }
}

// ---------------------------------------------------------------- determinism

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    for (storage, dialect) in [
        (Storage::Hpos, Dialect::MySql),
        (Storage::Posts, Dialect::Sqlite),
    ] {
        let o = opts(250, storage, dialect);
        let (a, sa) = gen_sql(&o);
        let (b, sb) = gen_sql(&o);
        assert!(
            a == b,
            "{storage:?}/{dialect:?}: same options must give byte-identical SQL"
        );
        assert_eq!(sa, sb);
        let (c, _) = gen_sql(&GenerateOptions {
            seed: 43,
            ..o.clone()
        });
        assert!(
            a != c,
            "{storage:?}/{dialect:?}: another seed must give another store"
        );
    }
}

/// The shape of a small store, pinned: any change to what the generator draws
/// shows up here for review.
#[test]
fn small_store_summary_snapshot() {
    let (_, summary) = gen_sql(&opts(120, Storage::Hpos, Dialect::MySql));
    insta::assert_snapshot!(summary.to_string());
}

#[test]
fn batch_size_changes_statements_not_rows() {
    let o = opts(80, Storage::Hpos, Dialect::MySql);
    let (_, a) = gen_sql(&o);
    let (sql, b) = gen_sql(&GenerateOptions { batch_rows: 7, ..o });
    assert_eq!(a.tables, b.tables);
    let text = String::from_utf8(sql).expect("utf-8");
    assert!(text.matches("INSERT INTO `wp_wc_orders` ").count() >= 80 / 7);
    assert_eq!(
        text.matches("START TRANSACTION;").count(),
        text.matches("COMMIT;").count()
    );
}

// ---------------------------------------------------------------- databases

/// A database the checks can query; rows come back as text (`NULL` → "NULL").
trait Db {
    fn rows(&mut self, sql: &str) -> Vec<Vec<String>>;
    fn dialect(&self) -> Dialect;

    fn exec(&mut self, sql: &str) {
        let _ = self.rows(sql);
    }

    fn one(&mut self, sql: &str) -> String {
        self.rows(sql)
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .unwrap_or_default()
    }
    fn int(&mut self, sql: &str) -> i64 {
        let v = self.one(sql);
        v.parse::<f64>()
            .unwrap_or_else(|_| panic!("not a number: {v:?} from {sql}")) as i64
    }
}

static DB_COUNTER: AtomicU32 = AtomicU32::new(0);

struct MariaDb {
    name: String,
}

fn mariadb_missing() -> bool {
    let ok = Command::new("mariadb")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipping: the `mariadb` client is not installed");
    }
    !ok
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

impl MariaDb {
    /// A fresh database with WordPress core installed in it.
    fn with_wordpress(label: &str) -> MariaDb {
        let name = format!(
            "sf_gen_test_{}_{}_{label}",
            std::process::id(),
            DB_COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let db = MariaDb { name };
        db.exec_admin(&format!(
            "CREATE DATABASE `{}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci",
            db.name
        ));
        let out = Command::new("php")
            .arg(repo_root().join("tests/support/wp-install.php"))
            .env("SF_TEST_DB_NAME", &db.name)
            .output()
            .expect("php runs");
        assert!(
            out.status.success(),
            "wp-install.php failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        db
    }

    fn exec_admin(&self, sql: &str) {
        let out = Command::new("mariadb")
            .args(["-uroot", "-e", sql])
            .output()
            .expect("mariadb runs");
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn load(&self, sql: &[u8]) {
        let mut child = Command::new("mariadb")
            .args(["-uroot", &self.name])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mariadb runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(sql)
            .expect("SQL written");
        let out = child.wait_with_output().expect("mariadb finishes");
        assert!(
            out.status.success(),
            "loading the generated SQL failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = Command::new("mariadb")
            .args([
                "-uroot",
                "-e",
                &format!("DROP DATABASE IF EXISTS `{}`", self.name),
            ])
            .status();
    }
}

impl Db for MariaDb {
    fn rows(&mut self, sql: &str) -> Vec<Vec<String>> {
        let out = Command::new("mariadb")
            .args(["-uroot", "-N", "-B", &self.name, "-e", sql])
            .output()
            .expect("mariadb runs");
        assert!(
            out.status.success(),
            "{sql}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .lines()
            .map(|l| l.split('\t').map(str::to_owned).collect())
            .collect()
    }
    fn dialect(&self) -> Dialect {
        Dialect::MySql
    }
}

struct Sqlite(rusqlite::Connection);

/// The WordPress core tables the generator inserts into, as SQLite DDL, with
/// the rows of a fresh install that matter (admin, posts 1–3, term 1).
const SQLITE_CORE: &str = "
CREATE TABLE wp_users (ID INTEGER PRIMARY KEY AUTOINCREMENT, user_login varchar(60) NOT NULL DEFAULT '', user_pass varchar(255) NOT NULL DEFAULT '', user_nicename varchar(50) NOT NULL DEFAULT '', user_email varchar(100) NOT NULL DEFAULT '', user_url varchar(100) NOT NULL DEFAULT '', user_registered datetime NOT NULL DEFAULT '0000-00-00 00:00:00', user_activation_key varchar(255) NOT NULL DEFAULT '', user_status int NOT NULL DEFAULT 0, display_name varchar(250) NOT NULL DEFAULT '');
CREATE TABLE wp_usermeta (umeta_id INTEGER PRIMARY KEY AUTOINCREMENT, user_id bigint NOT NULL DEFAULT 0, meta_key varchar(255) DEFAULT NULL, meta_value longtext);
CREATE TABLE wp_posts (ID INTEGER PRIMARY KEY AUTOINCREMENT, post_author bigint NOT NULL DEFAULT 0, post_date datetime NOT NULL DEFAULT '0000-00-00 00:00:00', post_date_gmt datetime NOT NULL DEFAULT '0000-00-00 00:00:00', post_content longtext NOT NULL, post_title text NOT NULL, post_excerpt text NOT NULL, post_status varchar(20) NOT NULL DEFAULT 'publish', comment_status varchar(20) NOT NULL DEFAULT 'open', ping_status varchar(20) NOT NULL DEFAULT 'open', post_password varchar(255) NOT NULL DEFAULT '', post_name varchar(200) NOT NULL DEFAULT '', to_ping text NOT NULL, pinged text NOT NULL, post_modified datetime NOT NULL DEFAULT '0000-00-00 00:00:00', post_modified_gmt datetime NOT NULL DEFAULT '0000-00-00 00:00:00', post_content_filtered longtext NOT NULL, post_parent bigint NOT NULL DEFAULT 0, guid varchar(255) NOT NULL DEFAULT '', menu_order int NOT NULL DEFAULT 0, post_type varchar(20) NOT NULL DEFAULT 'post', post_mime_type varchar(100) NOT NULL DEFAULT '', comment_count bigint NOT NULL DEFAULT 0);
CREATE TABLE wp_postmeta (meta_id INTEGER PRIMARY KEY AUTOINCREMENT, post_id bigint NOT NULL DEFAULT 0, meta_key varchar(255) DEFAULT NULL, meta_value longtext);
CREATE TABLE wp_terms (term_id INTEGER PRIMARY KEY AUTOINCREMENT, name varchar(200) NOT NULL DEFAULT '', slug varchar(200) NOT NULL DEFAULT '', term_group bigint NOT NULL DEFAULT 0);
CREATE TABLE wp_term_taxonomy (term_taxonomy_id INTEGER PRIMARY KEY AUTOINCREMENT, term_id bigint NOT NULL DEFAULT 0, taxonomy varchar(32) NOT NULL DEFAULT '', description longtext NOT NULL, parent bigint NOT NULL DEFAULT 0, count bigint NOT NULL DEFAULT 0, UNIQUE (term_id, taxonomy));
CREATE TABLE wp_term_relationships (object_id bigint NOT NULL DEFAULT 0, term_taxonomy_id bigint NOT NULL DEFAULT 0, term_order int NOT NULL DEFAULT 0, PRIMARY KEY (object_id, term_taxonomy_id));
CREATE TABLE wp_options (option_id INTEGER PRIMARY KEY AUTOINCREMENT, option_name varchar(191) NOT NULL DEFAULT '' UNIQUE, option_value longtext NOT NULL, autoload varchar(20) NOT NULL DEFAULT 'yes');
CREATE TABLE wp_comments (comment_ID INTEGER PRIMARY KEY AUTOINCREMENT, comment_post_ID bigint NOT NULL DEFAULT 0, comment_author tinytext NOT NULL, comment_author_email varchar(100) NOT NULL DEFAULT '', comment_author_url varchar(200) NOT NULL DEFAULT '', comment_author_IP varchar(100) NOT NULL DEFAULT '', comment_date datetime NOT NULL DEFAULT '0000-00-00 00:00:00', comment_date_gmt datetime NOT NULL DEFAULT '0000-00-00 00:00:00', comment_content text NOT NULL, comment_karma int NOT NULL DEFAULT 0, comment_approved varchar(20) NOT NULL DEFAULT '1', comment_agent varchar(255) NOT NULL DEFAULT '', comment_type varchar(20) NOT NULL DEFAULT 'comment', comment_parent bigint NOT NULL DEFAULT 0, user_id bigint NOT NULL DEFAULT 0);
CREATE INDEX wp_postmeta_post_id ON wp_postmeta (post_id, meta_key);
CREATE INDEX wp_usermeta_user_id ON wp_usermeta (user_id, meta_key);
CREATE INDEX wp_posts_type_status_date ON wp_posts (post_type, post_status, post_date, ID);
CREATE INDEX wp_posts_parent ON wp_posts (post_parent);
INSERT INTO wp_users (ID, user_login, user_email, display_name) VALUES (1, 'admin', 'admin@example.test', 'admin');
INSERT INTO wp_posts (ID, post_content, post_title, post_excerpt, to_ping, pinged, post_content_filtered, post_type) VALUES (1, '', 'Hello world!', '', '', '', '', 'post'), (2, '', 'Sample Page', '', '', '', '', 'page'), (3, '', 'Privacy Policy', '', '', '', '', 'page');
INSERT INTO wp_terms VALUES (1, 'Uncategorized', 'uncategorized', 0);
INSERT INTO wp_term_taxonomy VALUES (1, 1, 'category', '', 0, 1);
INSERT INTO wp_options (option_name, option_value) VALUES ('active_plugins', 'a:0:{}');
";

impl Sqlite {
    fn with_core() -> Sqlite {
        let c = rusqlite::Connection::open_in_memory().expect("sqlite opens");
        c.execute_batch(SQLITE_CORE).expect("core DDL");
        Sqlite(c)
    }
    fn load(&self, sql: &[u8]) {
        self.0
            .execute_batch(std::str::from_utf8(sql).expect("utf-8"))
            .expect("the generated SQLite SQL loads");
    }
}

impl Db for Sqlite {
    fn exec(&mut self, sql: &str) {
        self.0
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    fn rows(&mut self, sql: &str) -> Vec<Vec<String>> {
        let mut stmt = self.0.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let n = stmt.column_count();
        let mut rows = stmt.query([]).expect("query");
        let mut out = Vec::new();
        while let Some(row) = rows.next().expect("row") {
            out.push(
                (0..n)
                    .map(|i| match row.get_ref(i).expect("cell") {
                        rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                        rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                        rusqlite::types::ValueRef::Real(v) => v.to_string(),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                    })
                    .collect(),
            );
        }
        out
    }
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
}

// ---------------------------------------------------------------- checks

/// `YYYY-MM-DD HH:MM:SS` of `now - days`.
fn days_before(now: i64, days: i64) -> String {
    let ts = jiff::Timestamp::from_second(now - days * 86_400).expect("timestamp");
    ts.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// Per-order sums of item meta (cents), portable SQL.
fn item_sums(order_types: &str) -> String {
    let m = |cond: &str| {
        format!(
            "ROUND(SUM(CASE WHEN {cond} THEN CAST(m.meta_value AS DECIMAL(20,6)) ELSE 0 END) * 100)"
        )
    };
    format!(
        "SELECT i.order_id AS order_id, {li} AS li, {sub} AS sub, {fee} AS fee, {tax} AS tax, {ship} AS ship, {shiptax} AS shiptax, {disc} AS disc, {taxline} AS taxline,
         SUM(CASE WHEN i.order_item_type = 'line_item' AND m.meta_key = '_qty' THEN 1 ELSE 0 END) AS nlines
         FROM wp_woocommerce_order_items i JOIN wp_woocommerce_order_itemmeta m ON m.order_item_id = i.order_item_id
         WHERE i.order_id IN ({order_types}) GROUP BY i.order_id",
        li = m("i.order_item_type = 'line_item' AND m.meta_key = '_line_total'"),
        sub = m("i.order_item_type = 'line_item' AND m.meta_key = '_line_subtotal'"),
        fee = m("i.order_item_type = 'fee' AND m.meta_key = '_line_total'"),
        tax = m("m.meta_key = '_line_tax'"),
        ship = m("i.order_item_type = 'shipping' AND m.meta_key = 'cost'"),
        shiptax = m("i.order_item_type = 'shipping' AND m.meta_key = 'total_tax'"),
        disc = m("i.order_item_type = 'coupon' AND m.meta_key = 'discount_amount'"),
        taxline = m("i.order_item_type = 'tax' AND m.meta_key = 'tax_amount'"),
    )
}

fn assert_none(db: &mut dyn Db, what: &str, sql: &str) {
    let rows = db.rows(&format!("{sql} LIMIT 5"));
    assert!(rows.is_empty(), "{:?}: {what}: {rows:?}", db.dialect());
}

/// Orders as (id, status, total cents, tax cents, customer key, created) for either storage.
fn orders_view(storage: Storage) -> String {
    match storage {
        Storage::Hpos => "SELECT o.id AS id, o.status AS status, o.type AS type, o.parent_order_id AS parent,
            ROUND(o.total_amount * 100) AS total, ROUND(o.tax_amount * 100) AS tax,
            ROUND(od.shipping_total_amount * 100) AS ship, ROUND(od.shipping_tax_amount * 100) AS shiptax,
            ROUND(od.discount_total_amount * 100) AS disc,
            CASE WHEN o.customer_id > 0 THEN CONCAT('u', o.customer_id) ELSE LOWER(o.billing_email) END AS k,
            o.customer_id AS customer_id, o.billing_email AS email, o.date_created_gmt AS d
            FROM wp_wc_orders o JOIN wp_wc_order_operational_data od ON od.order_id = o.id"
            .to_owned(),
        Storage::Posts => {
            let meta = |k: &str| format!("(SELECT pm.meta_value FROM wp_postmeta pm WHERE pm.post_id = p.ID AND pm.meta_key = '{k}')");
            format!(
                "SELECT p.ID AS id, p.post_status AS status, p.post_type AS type, p.post_parent AS parent,
                 ROUND({total} * 100) AS total, ROUND({tax} * 100) AS tax, ROUND({ship} * 100) AS ship,
                 ROUND({shiptax} * 100) AS shiptax, ROUND(COALESCE({disc}, 0) * 100) AS disc,
                 CASE WHEN {cust} > 0 THEN CONCAT('u', {cust}) ELSE LOWER({email}) END AS k,
                 {cust} AS customer_id, {email} AS email, p.post_date_gmt AS d
                 FROM wp_posts p WHERE p.post_type IN ('shop_order', 'shop_order_refund')",
                total = meta("_order_total"),
                tax = meta("_order_tax"),
                ship = meta("_order_shipping"),
                shiptax = meta("_order_shipping_tax"),
                disc = meta("_cart_discount"),
                cust = meta("_customer_user"),
                email = meta("_billing_email"),
            )
        }
    }
}

/// Materializes the orders of either storage as table `sf_orders` and their
/// item sums as `sf_sums`, so the checks below are plain joins (and fast).
fn materialize(db: &mut dyn Db, storage: Storage) {
    let view = orders_view(storage);
    db.exec("DROP TABLE IF EXISTS sf_orders");
    db.exec(&format!("CREATE TABLE sf_orders AS {view}"));
    db.exec("CREATE INDEX sf_orders_id ON sf_orders (id)");
    db.exec(
        "CREATE INDEX sf_orders_k ON sf_orders (k(100), d)"
            .replace(
                "k(100)",
                if db.dialect() == Dialect::MySql {
                    "k(100)"
                } else {
                    "k"
                },
            )
            .as_str(),
    );
    db.exec("DROP TABLE IF EXISTS sf_sums");
    db.exec(&format!(
        "CREATE TABLE sf_sums AS {}",
        item_sums("SELECT x.id FROM sf_orders x")
    ));
    db.exec("CREATE INDEX sf_sums_id ON sf_sums (order_id)");
}

const ORDERS: &str = "SELECT * FROM sf_orders";

fn check_totals_and_refunds(db: &mut dyn Db, storage: Storage, orders: u64) {
    let o = ORDERS;
    assert_eq!(
        db.int(&format!(
            "SELECT COUNT(*) FROM ({o}) o WHERE o.type = 'shop_order'"
        )),
        orders as i64
    );
    let sums = "SELECT * FROM sf_sums";
    // Every order has line items; every item belongs to an order.
    assert_none(
        db,
        "orders without line items",
        &format!(
            "SELECT o.id FROM ({o}) o LEFT JOIN ({sums}) s ON s.order_id = o.id WHERE o.type = 'shop_order' AND (s.nlines IS NULL OR s.nlines = 0)"
        ),
    );
    assert_none(
        db,
        "items of no order",
        &format!(
            "SELECT i.order_item_id FROM wp_woocommerce_order_items i LEFT JOIN ({o}) o ON o.id = i.order_id WHERE o.id IS NULL"
        ),
    );
    // Totals to the cent: line totals + shipping + fees − (discounts already in line totals) + taxes = total.
    assert_none(
        db,
        "orders whose items do not add up",
        &format!(
            "SELECT o.id, o.total, s.li, s.fee, s.ship, s.tax, s.shiptax FROM ({o}) o JOIN ({sums}) s ON s.order_id = o.id
             WHERE o.type = 'shop_order' AND (s.li + s.fee + s.ship + s.tax + s.shiptax <> o.total OR s.tax <> o.tax
               OR s.ship <> o.ship OR s.shiptax <> o.shiptax OR s.sub - s.li <> o.disc OR s.disc <> o.disc
               OR (s.taxline <> 0 AND s.taxline <> o.tax))"
        ),
    );
    // Refunds: negative, never more than the order, full refunds exactly the order, items add up.
    assert_none(
        db,
        "refunds exceeding their order",
        &format!(
            "SELECT p.id, p.total, r.refunded FROM ({o}) p JOIN (SELECT parent, -SUM(total) AS refunded, MAX(total) AS biggest FROM ({o}) x WHERE x.type = 'shop_order_refund' GROUP BY parent) r ON r.parent = p.id
             WHERE r.refunded > p.total OR r.biggest >= 0 OR (p.status = 'wc-refunded' AND r.refunded <> p.total)"
        ),
    );
    assert_none(
        db,
        "refunds whose items do not add up",
        &format!(
            "SELECT r.id, r.total FROM ({o}) r JOIN ({sums}) s ON s.order_id = r.id
             WHERE r.type = 'shop_order_refund' AND s.li + s.fee + s.ship + s.tax + s.shiptax <> r.total"
        ),
    );
    let refunded = db.int(&format!(
        "SELECT COUNT(*) FROM ({o}) o WHERE o.status = 'wc-refunded' AND o.type = 'shop_order'"
    ));
    let with_refund = db.int(&format!(
        "SELECT COUNT(DISTINCT parent) FROM ({o}) o WHERE o.type = 'shop_order_refund'"
    ));
    assert!(
        refunded > 0 && with_refund > refunded,
        "full ({refunded}) and partial refunds ({with_refund} orders refunded)"
    );
    let meta_table = match storage {
        Storage::Hpos => {
            "wp_wc_orders_meta m JOIN wp_wc_orders r ON r.id = m.order_id AND r.type = 'shop_order_refund'"
        }
        Storage::Posts => {
            "wp_postmeta m JOIN wp_posts r ON r.ID = m.post_id AND r.post_type = 'shop_order_refund'"
        }
    };
    assert_none(
        db,
        "_refund_amount differs from the refund total",
        &format!(
            "SELECT r2.id FROM {meta_table} JOIN ({o}) r2 ON r2.id = r.{id} WHERE m.meta_key = '_refund_amount' AND ROUND(m.meta_value * 100) <> -r2.total",
            id = if storage == Storage::Hpos { "id" } else { "ID" }
        ),
    );
}

fn check_status_mix(db: &mut dyn Db, tolerance: f64) {
    let o = ORDERS;
    let total = db.int(&format!(
        "SELECT COUNT(*) FROM ({o}) o WHERE o.type = 'shop_order'"
    )) as f64;
    let rows = db.rows(&format!(
        "SELECT status, COUNT(*) FROM ({o}) o WHERE o.type = 'shop_order' GROUP BY status"
    ));
    let got: BTreeMap<String, f64> = rows
        .into_iter()
        .map(|r| (r[0].clone(), r[1].parse::<f64>().expect("count") / total))
        .collect();
    for (status, want) in [
        ("wc-completed", 0.68),
        ("wc-processing", 0.05),
        ("wc-on-hold", 0.01),
        ("wc-pending", 0.03),
        ("wc-failed", 0.07),
        ("wc-cancelled", 0.09),
        ("wc-refunded", 0.07),
    ] {
        let share = got.get(status).copied().unwrap_or(0.0);
        assert!(
            (share - want).abs() <= tolerance.max(want * 0.5),
            "{status}: {share:.3} of orders, expected about {want}"
        );
    }
    assert!(
        got.contains_key("wc-checkout-draft"),
        "some checkout drafts"
    );
    let guests = db.int(&format!(
        "SELECT COUNT(*) FROM ({o}) o WHERE o.type = 'shop_order' AND o.customer_id = 0"
    )) as f64
        / total;
    assert!((0.25..=0.35).contains(&guests), "guest share {guests:.3}");
}

/// Every segment the Segmentflow plugin pre-builds has members relative to `now`.
fn check_segments(db: &mut dyn Db, storage: Storage, now: i64) {
    let o = ORDERS;
    let paid = format!(
        "SELECT * FROM ({o}) a WHERE a.type = 'shop_order' AND a.status IN ('wc-completed', 'wc-processing')"
    );
    let (d7, d30, d90, d180, d365) = (
        days_before(now, 7),
        days_before(now, 30),
        days_before(now, 90),
        days_before(now, 180),
        days_before(now, 365),
    );
    let coupon_orders =
        "SELECT DISTINCT order_id FROM wp_woocommerce_order_items WHERE order_item_type = 'coupon'";
    let segments: Vec<(&str, String)> = vec![
        ("new customers", format!("SELECT k FROM ({paid}) p GROUP BY k HAVING MIN(d) >= '{d30}'")),
        ("recent", format!("SELECT k FROM ({paid}) p GROUP BY k HAVING MAX(d) >= '{d30}'")),
        ("repeat", format!("SELECT k FROM ({paid}) p GROUP BY k HAVING COUNT(*) >= 2")),
        ("loyal", format!("SELECT k FROM ({paid}) p WHERE d >= '{d365}' GROUP BY k HAVING COUNT(*) >= 5")),
        ("VIP", format!("SELECT k FROM ({paid}) p GROUP BY k HAVING SUM(total) >= 100000")),
        ("one-time", format!("SELECT k FROM ({paid}) p GROUP BY k HAVING COUNT(*) = 1")),
        ("churning", format!("SELECT k FROM ({paid}) p GROUP BY k HAVING MAX(d) < '{d90}' AND MAX(d) >= '{d180}'")),
        ("lapsed", format!("SELECT k FROM ({paid}) p GROUP BY k HAVING MAX(d) < '{d180}'")),
        (
            "prospects",
            format!(
                "SELECT u.ID FROM wp_users u JOIN wp_usermeta c ON c.user_id = u.ID AND c.meta_key = 'wp_capabilities' AND c.meta_value LIKE '%customer%'
                 WHERE NOT EXISTS (SELECT 1 FROM ({paid}) p WHERE p.k = CONCAT('u', u.ID))"
            ),
        ),
        (
            "abandoned checkouts",
            format!(
                "SELECT a.k FROM ({o}) a WHERE a.type = 'shop_order' AND a.status IN ('wc-pending', 'wc-failed', 'wc-checkout-draft') AND a.d >= '{d7}'
                 AND NOT EXISTS (SELECT 1 FROM ({paid}) p WHERE p.k = a.k AND p.d > a.d)"
            ),
        ),
        (
            "discount shoppers",
            format!(
                "SELECT p.k FROM ({paid}) p LEFT JOIN ({coupon_orders}) c ON c.order_id = p.id GROUP BY p.k
                 HAVING SUM(CASE WHEN c.order_id IS NULL THEN 0 ELSE 1 END) * 2 >= COUNT(*)"
            ),
        ),
        (
            "guests typing their email in another case",
            format!(
                "SELECT LOWER(g.email) FROM ({o}) g WHERE g.type = 'shop_order' AND g.customer_id = 0 GROUP BY LOWER(g.email) HAVING COUNT(DISTINCT HEX(g.email)) > 1"
            ),
        ),
    ];
    for (name, sql) in segments {
        let n = db.int(&format!("SELECT COUNT(*) FROM ({sql}) seg"));
        assert!(
            n >= 1,
            "{:?}/{storage:?}: segment {name:?} is empty",
            db.dialect()
        );
    }
}

fn check_catalog_and_attribution(db: &mut dyn Db, storage: Storage) {
    assert_eq!(
        db.int(
            "SELECT COUNT(*) FROM wp_postmeta WHERE meta_key = '_sku' AND meta_value = 'TSHIRT-RED'"
        ),
        1
    );
    for cat in ["Accessories", "Shoes", "Hoodies"] {
        assert_eq!(
            db.int(&format!("SELECT COUNT(*) FROM wp_terms t JOIN wp_term_taxonomy tt ON tt.term_id = t.term_id AND tt.taxonomy = 'product_cat' WHERE t.name = '{cat}' AND tt.count > 0")),
            1,
            "category {cat}"
        );
    }
    assert!(db.int("SELECT COUNT(*) FROM wp_posts WHERE post_type = 'product_variation'") > 0);
    assert!(db.int("SELECT COUNT(*) FROM wp_postmeta WHERE meta_key = 'attribute_pa_size'") > 0);
    for code in ["welcome10", "save5", "vip20"] {
        assert!(
            db.int(&format!("SELECT COUNT(*) FROM wp_woocommerce_order_items WHERE order_item_type = 'coupon' AND order_item_name = '{code}'")) > 0,
            "coupon {code} used"
        );
    }
    let (meta, id) = match storage {
        Storage::Hpos => ("wp_wc_orders_meta", "order_id"),
        Storage::Posts => ("wp_postmeta", "post_id"),
    };
    let o = ORDERS;
    let orders = db.int(&format!(
        "SELECT COUNT(*) FROM ({o}) o WHERE o.type = 'shop_order'"
    )) as f64;
    let share = |db: &mut dyn Db, key: &str| {
        db.int(&format!(
            "SELECT COUNT(DISTINCT {id}) FROM {meta} WHERE meta_key = '{key}'"
        )) as f64
            / orders
    };
    let utm = share(db, "_segmentflow_utm_source");
    let attribution = share(db, "_wc_order_attribution_source_type");
    let locale = share(db, "_segmentflow_locale");
    assert!((0.35..=0.55).contains(&utm), "UTM share {utm:.3}");
    assert!(
        (attribution - utm).abs() < 1e-9,
        "attribution meta on the UTM orders"
    );
    assert!((0.5..=0.7).contains(&locale), "locale share {locale:.3}");
    assert_eq!(
        db.one("SELECT option_value FROM wp_options WHERE option_name = 'woocommerce_custom_orders_table_enabled'"),
        if storage == Storage::Hpos { "yes" } else { "no" }
    );
    assert!(
        db.one("SELECT option_value FROM wp_options WHERE option_name = 'active_plugins'")
            .contains("woocommerce/woocommerce.php")
    );
}

/// Meta keys written per order type / item type / post type, as in `meta-keys.json`.
fn meta_keys(db: &mut dyn Db) -> serde_json::Value {
    let group = |db: &mut dyn Db, sql: &str| -> serde_json::Value {
        let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in db.rows(sql) {
            map.entry(r[0].clone()).or_default().insert(r[1].clone());
        }
        serde_json::json!(map)
    };
    let orders_meta = group(
        db,
        "SELECT DISTINCT o.type, m.meta_key FROM wp_wc_orders_meta m JOIN wp_wc_orders o ON o.id = m.order_id",
    );
    let itemmeta = group(
        db,
        "SELECT DISTINCT CONCAT(o.type, '/', i.order_item_type), m.meta_key FROM wp_woocommerce_order_itemmeta m JOIN wp_woocommerce_order_items i ON i.order_item_id = m.order_item_id JOIN wp_wc_orders o ON o.id = i.order_id",
    );
    let postmeta = group(
        db,
        "SELECT DISTINCT p.post_type, m.meta_key FROM wp_postmeta m JOIN wp_posts p ON p.ID = m.post_id WHERE p.post_type IN ('product', 'product_variation', 'shop_coupon')",
    );
    let users: BTreeSet<String> = db
        .rows("SELECT DISTINCT m.meta_key FROM wp_usermeta m JOIN wp_usermeta c ON c.user_id = m.user_id AND c.meta_key = 'wp_capabilities' AND c.meta_value LIKE '%customer%'")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    serde_json::json!({ "orders_meta": orders_meta, "order_itemmeta": itemmeta, "postmeta": postmeta, "customer_usermeta": users })
}

fn reference_meta_keys() -> serde_json::Value {
    let text = std::fs::read_to_string(repo_root().join("fixtures/schema/meta-keys.json"))
        .expect("meta-keys.json");
    serde_json::from_str(&text).expect("valid JSON")
}

/// The Analytics lookup tables agree with the orders they are derived from.
fn check_analytics(db: &mut dyn Db) {
    assert_eq!(
        db.int("SELECT COUNT(*) FROM wp_wc_order_stats"),
        db.int("SELECT COUNT(*) FROM wp_wc_orders WHERE status <> 'wc-checkout-draft'"),
        "one stats row per order and refund, drafts excluded"
    );
    assert_none(
        db,
        "stats totals differ from the orders",
        "SELECT s.order_id FROM wp_wc_order_stats s JOIN wp_wc_orders o ON o.id = s.order_id
         WHERE ROUND(s.total_sales * 100) <> ROUND(o.total_amount * 100) OR s.parent_id <> o.parent_order_id
            OR ROUND(s.net_total * 100) + ROUND(s.tax_total * 100) + ROUND(s.shipping_total * 100) <> ROUND(o.total_amount * 100)",
    );
    assert_none(
        db,
        "product lookup rows without their line item",
        "SELECT p.order_item_id FROM wp_wc_order_product_lookup p LEFT JOIN wp_woocommerce_order_items i
           ON i.order_item_id = p.order_item_id AND i.order_id = p.order_id AND i.order_item_type = 'line_item' WHERE i.order_item_id IS NULL",
    );
    assert_eq!(
        db.int("SELECT COUNT(*) FROM wp_wc_order_product_lookup"),
        db.int("SELECT COUNT(*) FROM wp_woocommerce_order_items i JOIN wp_wc_orders o ON o.id = i.order_id WHERE i.order_item_type = 'line_item' AND o.status <> 'wc-checkout-draft'")
    );
    assert_none(
        db,
        "stats rows whose customer is not in the customer lookup, or is another user",
        "SELECT s.order_id FROM wp_wc_order_stats s JOIN wp_wc_orders o ON o.id = CASE WHEN s.parent_id > 0 THEN s.parent_id ELSE s.order_id END
           LEFT JOIN wp_wc_customer_lookup c ON c.customer_id = s.customer_id
         WHERE c.customer_id IS NULL OR (o.customer_id > 0 AND c.user_id <> o.customer_id)
            OR (o.customer_id = 0 AND (c.user_id IS NOT NULL OR LOWER(c.email) <> LOWER(o.billing_email)))",
    );
    assert_eq!(
        db.int("SELECT COUNT(*) FROM wp_wc_customer_lookup WHERE user_id IS NOT NULL"),
        db.int("SELECT COUNT(*) FROM wp_users WHERE ID > 1")
    );
    assert!(db.int("SELECT COUNT(*) FROM wp_wc_order_stats WHERE returning_customer = 1") > 0);
    assert_eq!(
        db.int("SELECT COUNT(*) FROM wp_wc_product_meta_lookup"),
        db.int("SELECT COUNT(*) FROM wp_posts WHERE post_type IN ('product', 'product_variation')"),
        "a meta lookup row per product and variation"
    );
    assert_none(
        db,
        "meta lookup SKU or total_sales differ from postmeta",
        "SELECT l.product_id FROM wp_wc_product_meta_lookup l
           JOIN wp_postmeta s ON s.post_id = l.product_id AND s.meta_key = '_sku'
           JOIN wp_postmeta t ON t.post_id = l.product_id AND t.meta_key = 'total_sales'
         WHERE s.meta_value <> l.sku OR CAST(t.meta_value AS DECIMAL(20,0)) <> l.total_sales",
    );
}

// ---------------------------------------------------------------- the tests

#[test]
fn hpos_store_loads_into_wordpress_on_mariadb_and_is_consistent() {
    if mariadb_missing() {
        return;
    }
    let o = opts(300, Storage::Hpos, Dialect::MySql);
    let (sql, summary) = gen_sql(&o);
    let mut db = MariaDb::with_wordpress("hpos");
    db.load(&sql);
    materialize(&mut db, Storage::Hpos);
    check_totals_and_refunds(&mut db, Storage::Hpos, 300);
    check_segments(&mut db, Storage::Hpos, o.now);
    check_catalog_and_attribution(&mut db, Storage::Hpos);
    check_analytics(&mut db);
    // Placeholders: one shop_order_placehold post per order and refund id.
    assert_eq!(
        db.int("SELECT COUNT(*) FROM wp_wc_orders o LEFT JOIN wp_posts p ON p.ID = o.id AND p.post_type = 'shop_order_placehold' WHERE p.ID IS NULL"),
        0
    );
    assert_eq!(
        db.int(
            "SELECT COUNT(*) FROM wp_posts WHERE post_type IN ('shop_order', 'shop_order_refund')"
        ),
        0
    );
    // The summary tells the truth.
    for (table, rows) in &summary.tables {
        let have = db.int(&format!("SELECT COUNT(*) FROM `{table}`"));
        let base = match table.as_str() {
            "wp_posts" => 3,
            "wp_users" => 1,
            "wp_terms" | "wp_term_taxonomy" | "wp_term_relationships" | "wp_comments" => 1,
            _ => 0,
        };
        if table == "wp_options" || table == "wp_usermeta" || table == "wp_postmeta" {
            assert!(have >= *rows as i64, "{table}: {have} < {rows}");
        } else {
            assert_eq!(have, *rows as i64 + base, "{table}");
        }
    }
    // About 30 % of customers have non-ASCII names.
    let unicode = db.int("SELECT COUNT(*) FROM wp_users WHERE ID > 1 AND LENGTH(display_name) <> CHAR_LENGTH(display_name)") as f64;
    let users = db.int("SELECT COUNT(*) FROM wp_users WHERE ID > 1") as f64;
    assert!(
        (0.2..=0.4).contains(&(unicode / users)),
        "{unicode} of {users} customers with non-ASCII names"
    );
    // Exactly the meta keys real WooCommerce 9.2.5 wrote.
    assert_eq!(meta_keys(&mut db), reference_meta_keys());
}

#[test]
fn posts_store_loads_into_wordpress_on_mariadb_and_is_consistent() {
    if mariadb_missing() {
        return;
    }
    let o = opts(300, Storage::Posts, Dialect::MySql);
    let (sql, _) = gen_sql(&o);
    let mut db = MariaDb::with_wordpress("posts");
    db.load(&sql);
    materialize(&mut db, Storage::Posts);
    check_totals_and_refunds(&mut db, Storage::Posts, 300);
    check_segments(&mut db, Storage::Posts, o.now);
    check_catalog_and_attribution(&mut db, Storage::Posts);
    assert_eq!(
        db.int("SELECT COUNT(*) FROM wp_wc_orders"),
        0,
        "HPOS tables exist but stay empty"
    );
    assert_eq!(
        db.int("SELECT COUNT(*) FROM wp_posts WHERE post_type = 'shop_order_placehold'"),
        0
    );
    // Only the order postmeta keys WooCommerce's CPT data store and the plugins write.
    let documented: BTreeSet<&str> = [
        "_order_key",
        "_customer_user",
        "_payment_method",
        "_payment_method_title",
        "_transaction_id",
        "_customer_ip_address",
        "_customer_user_agent",
        "_created_via",
        "_date_completed",
        "_date_paid",
        "_billing_first_name",
        "_billing_last_name",
        "_billing_company",
        "_billing_address_1",
        "_billing_address_2",
        "_billing_city",
        "_billing_state",
        "_billing_postcode",
        "_billing_country",
        "_billing_email",
        "_billing_phone",
        "_shipping_first_name",
        "_shipping_last_name",
        "_shipping_company",
        "_shipping_address_1",
        "_shipping_address_2",
        "_shipping_city",
        "_shipping_state",
        "_shipping_postcode",
        "_shipping_country",
        "_order_currency",
        "_cart_discount",
        "_cart_discount_tax",
        "_order_shipping",
        "_order_shipping_tax",
        "_order_tax",
        "_order_total",
        "_order_version",
        "_prices_include_tax",
        "_billing_address_index",
        "_shipping_address_index",
        "_paid_date",
        "_completed_date",
        "_recorded_sales",
        "_recorded_coupon_usage_counts",
        "_download_permissions_granted",
        "_order_stock_reduced",
        "_new_order_email_sent",
        "_refund_amount",
        "_refunded_by",
        "_refunded_payment",
        "_refund_reason",
    ]
    .into_iter()
    .collect();
    let reference = reference_meta_keys();
    let custom: BTreeSet<String> = reference["orders_meta"]["shop_order"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    for r in db.rows("SELECT DISTINCT m.meta_key FROM wp_postmeta m JOIN wp_posts p ON p.ID = m.post_id WHERE p.post_type IN ('shop_order', 'shop_order_refund')") {
        assert!(documented.contains(r[0].as_str()) || custom.contains(&r[0]), "unexpected order postmeta key {:?}", r[0]);
    }
    // Dates: `_date_paid` is a Unix timestamp, `_paid_date` site-local.
    let row = db.rows(
        "SELECT a.meta_value, b.meta_value, p.post_date_gmt FROM wp_postmeta a JOIN wp_postmeta b ON b.post_id = a.post_id AND b.meta_key = '_paid_date'
         JOIN wp_posts p ON p.ID = a.post_id WHERE a.meta_key = '_date_paid' LIMIT 1",
    );
    let ts: i64 = row[0][0].parse().expect("unix timestamp");
    let local = jiff::Timestamp::from_second(ts)
        .expect("ts")
        .in_tz("America/New_York")
        .expect("tz");
    assert_eq!(row[0][1], local.strftime("%Y-%m-%d %H:%M:%S").to_string());
}

#[test]
fn both_storages_load_into_sqlite() {
    for storage in [Storage::Hpos, Storage::Posts] {
        let o = opts(3000, storage, Dialect::Sqlite);
        let (sql, summary) = gen_sql(&o);
        let mut db = Sqlite::with_core();
        db.load(&sql);
        materialize(&mut db, storage);
        check_totals_and_refunds(&mut db, storage, 3000);
        check_status_mix(&mut db, 0.03);
        check_segments(&mut db, storage, o.now);
        check_catalog_and_attribution(&mut db, storage);
        if storage == Storage::Hpos {
            check_analytics(&mut db);
        }
        assert_eq!(summary.orders, 3000);
    }
}

#[test]
fn sqlite_and_mysql_carry_the_same_rows() {
    let (_, my) = gen_sql(&opts(200, Storage::Hpos, Dialect::MySql));
    let (_, lite) = gen_sql(&opts(200, Storage::Hpos, Dialect::Sqlite));
    assert_eq!(
        my,
        GenerateSummary {
            bytes: my.bytes,
            ..lite
        }
    );
}
