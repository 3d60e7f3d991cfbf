//! Per-customer aggregates, built once from the store's orders and people,
//! that every segment rule is evaluated against.
//!
//! [`Facts::build`] reads each [`OrderFact`] and [`PersonFact`] once and
//! groups what the rules need per customer ([`CustomerKey`]: the user id,
//! else the guest's lower-cased billing email) into a few flat arrays:
//!
//! * the customer's **paid orders** (status `processing`/`completed`):
//!   time, net amount (total minus refunds, as [`super::paid::net_paid`])
//!   and whether a coupon was used, sorted by time;
//! * **all their orders** of any status (time and interned status), sorted
//!   by time, for "order with status S in the last N days" and "status of
//!   the last order" (a refunded order is not paid but still their last);
//! * the **lines of their paid orders** (time and an interned product),
//!   for "bought product/category".
//!
//! Products (id, variation, SKU, name) and categories (slug, name) are
//! interned once, so a line costs 12 bytes and matching a product or
//! category name is done once per rule, not per line. Nothing is allocated
//! per order except for a new customer or a new product: a million
//! customers and three million orders aggregate in well under a second.
//!
//! An order's time is when it was created (its paid date when the store has
//! no creation date; an order with neither is skipped). Orders created
//! after the as-of instant are ignored, so results for `--as-of` are
//! reproducible. Guest orders without a billing email belong to no
//! customer but still count in the store's average order value
//! ([`Facts::store_aov`]).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use jiff::Timestamp;

use super::input::{OrderFact, PersonFact};
use super::money::Money;
use super::paid::{CustomerKey, bare_status, is_paid_status};

/// Index of a customer in [`Facts`] (0-based, in order of first
/// appearance: people first, then orders).
pub type CustomerId = u32;

/// A customer's headline numbers, for listing segment members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSummary<'a> {
    /// Who (user id or guest email).
    pub key: &'a CustomerKey,
    /// Whether they are a registered user.
    pub registered: bool,
    /// Paid orders over their lifetime (up to the as-of instant).
    pub paid_orders: u64,
    /// Net paid spend over their lifetime.
    pub spend: Money,
    /// When their first paid order was created.
    pub first_paid: Option<Timestamp>,
    /// When their last paid order was created.
    pub last_paid: Option<Timestamp>,
    /// Orders of any status.
    pub orders: u64,
    /// Index in the `people` slice given to [`Facts::build`] of the person
    /// record for this customer, if any (for names and emails).
    pub person: Option<usize>,
    /// Index in the `orders` slice of their most recent order, if any.
    pub last_order: Option<usize>,
}

/// An interned product as its order lines name it.
#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub(crate) product_id: u64,
    pub(crate) variation_id: u64,
    pub(crate) sku: String,
    pub(crate) name: String,
    pub(crate) categories: Vec<u32>,
    /// The next interned entry with the same ids (another name or SKU).
    next_same_id: u32,
}

/// An interned category.
#[derive(Debug, Clone)]
pub(crate) struct Category {
    pub(crate) slug: String,
    pub(crate) name: String,
}

/// Ranges of one customer's rows in the flat arrays.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Customer {
    pub(crate) registered: bool,
    pub(crate) paid: (u32, u32),
    pub(crate) orders: (u32, u32),
    pub(crate) lines: (u32, u32),
    person: u32,
}

const NONE: u32 = u32::MAX;

/// A small, fast, non-cryptographic hasher (FxHash) for the build's
/// lookup tables; keys are store ids and emails, not attacker-chosen
/// request data.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

/// The per-customer aggregates of a store as of one instant.
#[derive(Debug, Clone)]
pub struct Facts {
    pub(crate) as_of: Timestamp,
    pub(crate) keys: Vec<CustomerKey>,
    pub(crate) customers: Vec<Customer>,
    /// Paid orders, grouped by customer, sorted by time within a customer.
    pub(crate) paid_at: Vec<i64>,
    pub(crate) paid_net: Vec<Money>,
    pub(crate) paid_coupon: Vec<bool>,
    /// Orders of any status, grouped by customer, sorted by time.
    pub(crate) order_at: Vec<i64>,
    pub(crate) order_status: Vec<u16>,
    pub(crate) order_index: Vec<u32>,
    /// Lines of paid orders, grouped by customer, sorted by time.
    pub(crate) line_at: Vec<i64>,
    pub(crate) line_product: Vec<u32>,
    /// Interned bare statuses (`completed`, `pending`).
    pub(crate) statuses: Vec<String>,
    pub(crate) products: Vec<Product>,
    pub(crate) categories: Vec<Category>,
    store_revenue: Money,
    store_paid_orders: u64,
}

/// When an order happened, in Unix seconds: created, else paid.
fn order_time(o: &OrderFact) -> Option<i64> {
    o.created.or(o.paid).map(|t| t.as_second())
}

/// Per-build interning of products and categories.
#[derive(Default)]
struct Catalog<'a> {
    by_id: HashMap<(u64, u64), u32, FxBuild>,
    categories: HashMap<&'a str, u32, FxBuild>,
    products: Vec<Product>,
    category_list: Vec<Category>,
}

impl<'a> Catalog<'a> {
    fn intern(&mut self, line: &'a super::input::LineFact) -> u32 {
        let ids = (line.product_id, line.variation_id);
        let mut at = self.by_id.get(&ids).copied().unwrap_or(NONE);
        let head = at;
        while at != NONE {
            let p = &self.products[at as usize];
            if p.name == line.name && p.sku == line.sku {
                return at;
            }
            at = p.next_same_id;
        }
        let mut categories = Vec::with_capacity(line.category_slugs.len());
        for (i, slug) in line.category_slugs.iter().enumerate() {
            let next = self.category_list.len() as u32;
            let c = *self.categories.entry(slug.as_str()).or_insert(next);
            if c == next {
                self.category_list.push(Category {
                    slug: slug.clone(),
                    name: line.category_names.get(i).cloned().unwrap_or_default(),
                });
            }
            categories.push(c);
        }
        let idx = self.products.len() as u32;
        self.products.push(Product {
            product_id: line.product_id,
            variation_id: line.variation_id,
            sku: line.sku.clone(),
            name: line.name.clone(),
            categories,
            next_same_id: head,
        });
        self.by_id.insert(ids, idx);
        idx
    }
}

/// Customer lookup without allocating for customers already seen.
#[derive(Default)]
struct Directory {
    users: HashMap<u64, u32, FxBuild>,
    guests: HashMap<Box<str>, u32, FxBuild>,
    keys: Vec<CustomerKey>,
    buf: String,
}

impl Directory {
    /// The customer of a user id / email pair ([`super::paid::customer_key`]
    /// semantics), created when new; `None` for a guest without an email.
    fn id(&mut self, user_id: u64, email: &str) -> Option<u32> {
        let next = self.keys.len() as u32;
        if user_id != 0 {
            let id = *self.users.entry(user_id).or_insert(next);
            if id == next {
                self.keys.push(CustomerKey::User(user_id));
            }
            return Some(id);
        }
        let email = email.trim();
        if email.is_empty() {
            return None;
        }
        self.buf.clear();
        if email.is_ascii() {
            self.buf.push_str(email);
            self.buf.make_ascii_lowercase();
        } else {
            self.buf.push_str(&email.to_lowercase());
        }
        if let Some(&id) = self.guests.get(self.buf.as_str()) {
            return Some(id);
        }
        self.guests.insert(self.buf.as_str().into(), next);
        self.keys.push(CustomerKey::Guest(self.buf.clone()));
        Some(next)
    }
}

/// Sorts rows `lo..hi` of parallel columns by time (insertion sort, stable:
/// rows usually arrive nearly sorted and a customer has few).
fn sort_rows(lo: usize, hi: usize, at: &mut [i64], mut swap: impl FnMut(usize, usize)) {
    for i in lo + 1..hi {
        let mut j = i;
        while j > lo && at[j - 1] > at[j] {
            at.swap(j - 1, j);
            swap(j - 1, j);
            j -= 1;
        }
    }
}

impl Facts {
    /// Aggregates `orders` and `people` as of `as_of` (orders created later
    /// are ignored). Every person and every customer with an order becomes
    /// a customer, registered when keyed by a user id.
    ///
    /// ```
    /// use jiff::Timestamp;
    /// use segmentflow_core::insight::{Money, OrderFact, facts::Facts};
    /// let as_of: Timestamp = "2025-06-30T12:00:00Z".parse().unwrap();
    /// let order = OrderFact {
    ///     id: 1,
    ///     billing_email: "Ana@Example.com".into(),
    ///     status: "wc-completed".into(),
    ///     created: Some("2025-06-01T10:00:00Z".parse().unwrap()),
    ///     total: Money::parse("80").unwrap(),
    ///     refunded: Money::parse("30").unwrap(),
    ///     ..OrderFact::default()
    /// };
    /// let facts = Facts::build(&[order], &[], as_of);
    /// assert_eq!(facts.len(), 1);
    /// assert_eq!(facts.summary(0).spend.to_string(), "50.00");
    /// assert_eq!(facts.key(0).to_string(), "guest:ana@example.com");
    /// ```
    pub fn build(orders: &[OrderFact], people: &[PersonFact], as_of: Timestamp) -> Facts {
        let cutoff = as_of.as_second();
        let mut dir = Directory::default();
        let mut person_of: Vec<u32> = Vec::with_capacity(people.len());
        for (i, p) in people.iter().enumerate() {
            if let Some(c) = dir.id(p.user_id, &p.email)
                && c as usize == person_of.len()
            {
                person_of.push(i as u32);
            }
        }

        // Pass 1: the customer of each order, counts per customer, interned
        // statuses and products.
        let mut statuses: Vec<String> = Vec::new();
        let mut status_ids: HashMap<&str, u16, FxBuild> = HashMap::default();
        let mut catalog = Catalog::default();
        let mut order_cust: Vec<u32> = vec![NONE; orders.len()];
        let mut order_stat: Vec<u16> = vec![0; orders.len()];
        let mut line_products: Vec<u32> = Vec::new();
        let mut counts: Vec<(u32, u32, u32)> = Vec::new(); // paid, all, lines
        let mut store_revenue = Money::ZERO;
        let mut store_paid_orders = 0u64;
        for (i, o) in orders.iter().enumerate() {
            let Some(at) = order_time(o) else { continue };
            if at > cutoff {
                continue;
            }
            let paid = is_paid_status(&o.status);
            if paid {
                store_revenue += o.total - o.refunded;
                store_paid_orders += 1;
            }
            let Some(c) = dir.id(o.customer_id, &o.billing_email) else {
                continue;
            };
            order_cust[i] = c;
            let bare = bare_status(&o.status);
            let next = statuses.len() as u16;
            let s = *status_ids.entry(bare).or_insert(next);
            if s == next {
                statuses.push(bare.to_string());
            }
            order_stat[i] = s;
            if counts.len() <= c as usize {
                counts.resize(c as usize + 1, (0, 0, 0));
            }
            let n = &mut counts[c as usize];
            n.1 += 1;
            if paid {
                n.0 += 1;
                n.2 += o.lines.len() as u32;
                for line in &o.lines {
                    line_products.push(catalog.intern(line));
                }
            }
        }
        counts.resize(dir.keys.len(), (0, 0, 0));
        person_of.resize(dir.keys.len(), NONE);

        // Ranges per customer.
        let mut customers = Vec::with_capacity(dir.keys.len());
        let (mut p, mut a, mut l) = (0u32, 0u32, 0u32);
        for (c, &(np, na, nl)) in counts.iter().enumerate() {
            customers.push(Customer {
                registered: matches!(dir.keys[c], CustomerKey::User(_)),
                paid: (p, p + np),
                orders: (a, a + na),
                lines: (l, l + nl),
                person: person_of[c],
            });
            p += np;
            a += na;
            l += nl;
        }
        drop(counts);

        // Pass 2: scatter rows into their customer's ranges.
        let (np, na, nl) = (p as usize, a as usize, l as usize);
        let mut paid_at = vec![0i64; np];
        let mut paid_net = vec![Money::ZERO; np];
        let mut paid_coupon = vec![false; np];
        let mut order_at = vec![0i64; na];
        let mut order_status = vec![0u16; na];
        let mut order_index = vec![0u32; na];
        let mut line_at = vec![0i64; nl];
        let mut line_product = vec![0u32; nl];
        let mut cursor: Vec<(u32, u32, u32)> = customers
            .iter()
            .map(|c| (c.paid.0, c.orders.0, c.lines.0))
            .collect();
        let mut next_line = 0usize;
        for (i, o) in orders.iter().enumerate() {
            let c = order_cust[i];
            if c == NONE {
                continue;
            }
            let at = order_time(o).unwrap_or_default();
            let cur = &mut cursor[c as usize];
            let k = cur.1 as usize;
            order_at[k] = at;
            order_status[k] = order_stat[i];
            order_index[k] = i as u32;
            cur.1 += 1;
            if is_paid_status(&o.status) {
                let k = cur.0 as usize;
                paid_at[k] = at;
                paid_net[k] = o.total - o.refunded;
                paid_coupon[k] = !o.coupons.is_empty();
                cur.0 += 1;
                for _ in &o.lines {
                    let k = cur.2 as usize;
                    line_at[k] = at;
                    line_product[k] = line_products[next_line];
                    next_line += 1;
                    cur.2 += 1;
                }
            }
        }
        drop(cursor);
        drop(order_cust);

        for c in &customers {
            let (lo, hi) = (c.paid.0 as usize, c.paid.1 as usize);
            sort_rows(lo, hi, &mut paid_at, |x, y| {
                paid_net.swap(x, y);
                paid_coupon.swap(x, y);
            });
            let (lo, hi) = (c.orders.0 as usize, c.orders.1 as usize);
            sort_rows(lo, hi, &mut order_at, |x, y| {
                order_status.swap(x, y);
                order_index.swap(x, y);
            });
            let (lo, hi) = (c.lines.0 as usize, c.lines.1 as usize);
            sort_rows(lo, hi, &mut line_at, |x, y| line_product.swap(x, y));
        }

        Facts {
            as_of,
            keys: dir.keys,
            customers,
            paid_at,
            paid_net,
            paid_coupon,
            order_at,
            order_status,
            order_index,
            line_at,
            line_product,
            statuses,
            products: catalog.products,
            categories: catalog.category_list,
            store_revenue,
            store_paid_orders,
        }
    }

    /// The as-of instant the aggregates were built for.
    pub fn as_of(&self) -> Timestamp {
        self.as_of
    }

    /// Number of customers.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there is no customer at all.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key of a customer. Panics if `id` is not below [`Facts::len`]
    /// (ids come from this value's own evaluation results).
    pub fn key(&self, id: CustomerId) -> &CustomerKey {
        &self.keys[id as usize]
    }

    /// All customer keys, indexed by [`CustomerId`].
    pub fn keys(&self) -> &[CustomerKey] {
        &self.keys
    }

    /// The store's average order value: net paid revenue divided by the
    /// number of paid orders, over all paid orders created up to the as-of
    /// instant (guest orders without an email included), rounded half away
    /// from zero to 10⁻⁸; `None` when the store has no paid order.
    pub fn store_aov(&self) -> Option<Money> {
        self.store_revenue.div_round(self.store_paid_orders)
    }

    /// Net paid revenue and the number of paid orders behind
    /// [`Facts::store_aov`].
    pub fn store_totals(&self) -> (Money, u64) {
        (self.store_revenue, self.store_paid_orders)
    }

    /// A customer's headline numbers. Panics if `id` is not below
    /// [`Facts::len`].
    pub fn summary(&self, id: CustomerId) -> CustomerSummary<'_> {
        let c = &self.customers[id as usize];
        let paid = c.paid.0 as usize..c.paid.1 as usize;
        let ts = |s: i64| Timestamp::from_second(s).ok();
        CustomerSummary {
            key: &self.keys[id as usize],
            registered: c.registered,
            paid_orders: paid.len() as u64,
            spend: self.paid_net[paid.clone()].iter().copied().sum(),
            first_paid: self.paid_at[paid.clone()].first().copied().and_then(ts),
            last_paid: self.paid_at[paid].last().copied().and_then(ts),
            orders: u64::from(c.orders.1 - c.orders.0),
            person: (c.person != NONE).then_some(c.person as usize),
            last_order: (c.orders.1 > c.orders.0)
                .then(|| self.order_index[c.orders.1 as usize - 1] as usize),
        }
    }
}
