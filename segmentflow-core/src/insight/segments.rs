//! The 11 pre-built segments, and the evaluation of any rule over a
//! store's [`Facts`].
//!
//! # The pre-built segments
//!
//! Each is a rule in the [`rules`](super::rules) language; the rules
//! below are exactly what [`PREBUILT`] holds (the snapshot test prints
//! them). "Paid order" is an order with status `processing` or `completed`,
//! its amount net of refunds; ages are whole UTC calendar days before the
//! as-of date (see the rules module doc).
//!
//! | Slug | Rule |
//! |---|---|
//! | `new-customers` | `first_paid_days <= 30`: first paid order at most 30 days ago (day 30 is in, day 31 out). |
//! | `recent-customers` | `last_paid_days <= 30`: last paid order at most 30 days ago. |
//! | `repeat-customers` | `paid_orders >= 2`: two or more paid orders, lifetime. |
//! | `loyal-customers` | `paid_orders[last 365 days] >= 5`: five or more paid orders at most 365 days old. |
//! | `vip-customers` | `paid_orders >= 2 and spend[last 365 days] >= 3 * store_aov`: two or more paid orders (lifetime) and net spend in the last 365 days at least three times the store's average order value. |
//! | `one-time-buyers` | `paid_orders = 1 and first_paid_days > 30`: exactly one paid order, placed more than 30 days ago. |
//! | `churning-customers` | `paid_orders >= 2 and last_paid_days between 91 and 180`: two or more paid orders, the last 91 to 180 days ago. |
//! | `lapsed-customers` | `last_paid_days > 180`: last paid order more than 180 days ago. |
//! | `prospects` | `paid_orders = 0`: a registered user or a person the store knows by email (from a customer record or an unpaid order) who never had a paid order. |
//! | `abandoned-checkouts` | `order_status[last 7 days] in ("pending", "failed", "checkout-draft") after_last_paid`: an order left pending, failed or as a checkout draft at most 7 days ago, with no paid order created after it. |
//! | `discount-shoppers` | `coupon_share >= 50%`: at least half of their paid orders (lifetime) used a coupon. |
//!
//! **The store's average order value** (VIP) is all net paid revenue
//! (totals minus refunds of processing/completed orders, guests without an
//! email included) divided by the number of those orders, over the store's
//! lifetime up to the as-of instant, rounded to 10⁻⁸; `3 * store_aov` is
//! that times three exactly. A store without paid orders has no average and
//! no VIPs. Amounts of different currencies are not converted: a
//! multi-currency store's spend and average add amounts as stored.
//!
//! No threshold was adjusted from the issue's definitions. Where the issue
//! leaves a boundary open, the choice is: "≤ 30 days" counts calendar days
//! (an order yesterday is 1 day old), "in 365 days" / "in the last 7 days"
//! mean at most that many days old (so `paid_orders[last 30 days] >= 1`
//! agrees with `last_paid_days <= 30`), and "older than 30 days" is > 30.
//!
//! # Evaluation
//!
//! [`evaluate`] and [`evaluate_all`] compile rules against the facts
//! (windows to time ranges, product and category names to sets of interned
//! products, statuses to interned ids, `store_aov` to an amount) and then
//! walk the customers once, all rules per customer. A [`Remote`] condition
//! is *unknown* locally (Kleene three-valued logic: `unknown and false` is
//! false, `unknown or true` is true, `not unknown` is unknown); customers
//! whose membership hinges on it are returned as
//! [`Members::undecided`], to be settled in Segmentflow.
//!
//! [`Remote`]: super::rules::Remote

use super::facts::{CustomerId, Facts};
use super::money::Money;
use super::rules::{Amount, Calendar, Comparison, Condition, CustomerKind, Item, Rule, Window};

/// A pre-built segment: its stable slug, display name, rule text and what
/// it means in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Stable identifier (`vip-customers`), used by `segments show <slug>`.
    pub slug: &'static str,
    /// Display name (`VIP Customers`).
    pub name: &'static str,
    /// The rule in the text syntax.
    pub rule: &'static str,
    /// One sentence a store owner understands.
    pub description: &'static str,
}

impl Segment {
    /// The parsed rule. The texts of [`PREBUILT`] are constants checked by
    /// the tests, so this cannot fail for them.
    pub fn rule(&self) -> Rule {
        Rule::parse(self.rule).unwrap_or_else(|e| {
            // Unreachable for PREBUILT (tested); a hand-made Segment with a
            // bad text matches nobody rather than panicking.
            debug_assert!(false, "pre-built rule {}: {e}", self.slug);
            Rule::Any(vec![])
        })
    }
}

/// The 11 pre-built segments, in the order the dashboard lists them.
pub const PREBUILT: [Segment; 11] = [
    Segment {
        slug: "new-customers",
        name: "New Customers",
        rule: "first_paid_days <= 30",
        description: "First paid order in the last 30 days.",
    },
    Segment {
        slug: "recent-customers",
        name: "Recent Customers",
        rule: "last_paid_days <= 30",
        description: "Last paid order in the last 30 days.",
    },
    Segment {
        slug: "repeat-customers",
        name: "Repeat Customers",
        rule: "paid_orders >= 2",
        description: "Two or more paid orders.",
    },
    Segment {
        slug: "loyal-customers",
        name: "Loyal Customers",
        rule: "paid_orders[last 365 days] >= 5",
        description: "Five or more paid orders in the last 365 days.",
    },
    Segment {
        slug: "vip-customers",
        name: "VIP Customers",
        rule: "paid_orders >= 2 and spend[last 365 days] >= 3 * store_aov",
        description: "Two or more paid orders and, in the last 365 days, spent at least three times the store's average order value.",
    },
    Segment {
        slug: "one-time-buyers",
        name: "One-Time Buyers",
        rule: "paid_orders = 1 and first_paid_days > 30",
        description: "Exactly one paid order, more than 30 days ago.",
    },
    Segment {
        slug: "churning-customers",
        name: "Churning Customers",
        rule: "paid_orders >= 2 and last_paid_days between 91 and 180",
        description: "Two or more paid orders, the last one 91 to 180 days ago.",
    },
    Segment {
        slug: "lapsed-customers",
        name: "Lapsed Customers",
        rule: "last_paid_days > 180",
        description: "Last paid order more than 180 days ago.",
    },
    Segment {
        slug: "prospects",
        name: "Prospects",
        rule: "paid_orders = 0",
        description: "Registered or known by email, never a paid order.",
    },
    Segment {
        slug: "abandoned-checkouts",
        name: "Abandoned Checkouts",
        rule: "order_status[last 7 days] in (\"pending\", \"failed\", \"checkout-draft\") after_last_paid",
        description: "A pending, failed or draft checkout in the last 7 days and no paid order after it.",
    },
    Segment {
        slug: "discount-shoppers",
        name: "Discount Shoppers",
        rule: "coupon_share >= 50%",
        description: "At least half of their paid orders used a coupon.",
    },
];

/// The pre-built segment with this slug.
pub fn prebuilt(slug: &str) -> Option<&'static Segment> {
    PREBUILT.iter().find(|s| s.slug == slug)
}

/// Who a rule selects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members {
    /// Customers the rule holds for, ascending.
    pub members: Vec<CustomerId>,
    /// Customers for whom it depends on a remote condition (evaluated in
    /// Segmentflow, not locally), ascending; empty for a rule without
    /// remote conditions.
    pub undecided: Vec<CustomerId>,
}

/// Evaluates one rule over every customer of `facts` (as of
/// [`Facts::as_of`]).
pub fn evaluate(rule: &Rule, facts: &Facts) -> Members {
    evaluate_all(std::slice::from_ref(rule), facts)
        .pop()
        .unwrap_or_default()
}

/// Evaluates several rules in one walk over the customers (all rules per
/// customer); the result is in the order of `rules`.
///
/// ```
/// use segmentflow_core::insight::{facts::Facts, segments};
/// let facts = Facts::build(&[], &[], "2025-06-30T00:00:00Z".parse().unwrap());
/// let rules: Vec<_> = segments::PREBUILT.iter().map(|s| s.rule()).collect();
/// let all = segments::evaluate_all(&rules, &facts);
/// assert_eq!(all.len(), 11);
/// ```
pub fn evaluate_all(rules: &[Rule], facts: &Facts) -> Vec<Members> {
    let ctx = Context::new(facts);
    let compiled: Vec<Node> = rules.iter().map(|r| ctx.compile(r)).collect();
    let mut out = vec![Members::default(); rules.len()];
    for c in 0..facts.len() as u32 {
        let view = View::new(facts, c);
        for (node, m) in compiled.iter().zip(out.iter_mut()) {
            match node.eval(&view) {
                Tri::True => m.members.push(c),
                Tri::Unknown => m.undecided.push(c),
                Tri::False => {}
            }
        }
    }
    out
}

/// Three-valued truth (Kleene), for rules with remote conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    False,
    Unknown,
    True,
}

impl Tri {
    fn of(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// A time window resolved to Unix seconds: `lo <= t <= hi`, negated when
/// `neg`.
#[derive(Debug, Clone, Copy)]
struct Span {
    lo: i64,
    hi: i64,
    neg: bool,
}

impl Span {
    const ALL: Span = Span {
        lo: i64::MIN,
        hi: i64::MAX,
        neg: false,
    };

    fn contains(&self, t: i64) -> bool {
        (self.lo <= t && t <= self.hi) != self.neg
    }
}

const DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day number (Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn date_day(d: jiff::civil::Date) -> i64 {
    days_from_civil(
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    )
}

/// A compiled rule.
#[derive(Debug, Clone)]
enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Remote,
    Const(bool),
    PaidOrders(Span, Comparison<u64>),
    Spend(Span, Comparison<Money>),
    Aov(Span, Comparison<Money>),
    FirstDays(Comparison<u64>),
    LastDays(Comparison<u64>),
    CouponShare(Span, Comparison<u32>),
    CouponOrders(Span, Comparison<u64>),
    Bought(Span, Vec<bool>),
    Status(Span, Vec<bool>, bool),
    LastStatus(Vec<bool>),
    Kind(CustomerKind),
}

struct Context<'f> {
    facts: &'f Facts,
    as_of_day: i64,
    store_aov: Option<Money>,
}

impl<'f> Context<'f> {
    fn new(facts: &'f Facts) -> Self {
        Context {
            facts,
            as_of_day: facts.as_of().as_second().div_euclid(DAY),
            store_aov: facts.store_aov(),
        }
    }

    fn span(&self, w: &Window) -> Span {
        let from_day = |d: i64| Span {
            lo: d.saturating_mul(DAY),
            hi: i64::MAX,
            neg: false,
        };
        let days = |a: i64, b: i64| Span {
            lo: a.saturating_mul(DAY),
            hi: b.saturating_add(1).saturating_mul(DAY).saturating_sub(1),
            neg: false,
        };
        let today = self.as_of_day;
        let (y, m, _) = civil_from_days(today);
        match w {
            Window::Lifetime => Span::ALL,
            Window::LastDays(n) => from_day(today - i64::from(*n)),
            Window::Since(d) => from_day(date_day(*d)),
            Window::Between(a, b) => days(date_day(*a), date_day(*b)),
            Window::Calendar(c) => {
                let monday = today - (today + 3).rem_euclid(7);
                let month1 = days_from_civil(y, m, 1);
                let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
                match c {
                    Calendar::Today => from_day(today),
                    Calendar::ThisWeek => from_day(monday),
                    Calendar::LastWeek => days(monday - 7, monday - 1),
                    Calendar::ThisMonth => from_day(month1),
                    Calendar::LastMonth => days(days_from_civil(py, pm, 1), month1 - 1),
                    Calendar::ThisYear => from_day(days_from_civil(y, 1, 1)),
                    Calendar::LastYear => {
                        days(days_from_civil(y - 1, 1, 1), days_from_civil(y, 1, 1) - 1)
                    }
                }
            }
            Window::Not(inner) => {
                let s = self.span(inner);
                Span { neg: !s.neg, ..s }
            }
        }
    }

    /// An amount threshold; `None` (the condition is false) for a multiple
    /// of the average of a store without paid orders.
    fn amount(&self, a: Amount) -> Option<Money> {
        match a {
            Amount::Fixed(m) => Some(m),
            Amount::StoreAov(k) => {
                let aov = self.store_aov?;
                // aov × k, both in 10⁻⁸ units: divide once by 10⁸, rounded.
                let product = aov.raw().checked_mul(k.raw())?;
                Money::from_raw(product).div_round(100_000_000)
            }
        }
    }

    fn amount_cmp(&self, cmp: Comparison<Amount>) -> Option<Comparison<Money>> {
        Some(match cmp {
            Comparison::Eq(a) => Comparison::Eq(self.amount(a)?),
            Comparison::Ne(a) => Comparison::Ne(self.amount(a)?),
            Comparison::Lt(a) => Comparison::Lt(self.amount(a)?),
            Comparison::Le(a) => Comparison::Le(self.amount(a)?),
            Comparison::Gt(a) => Comparison::Gt(self.amount(a)?),
            Comparison::Ge(a) => Comparison::Ge(self.amount(a)?),
            Comparison::Between(a, b) => Comparison::Between(self.amount(a)?, self.amount(b)?),
        })
    }

    fn statuses(&self, wanted: &[String]) -> Vec<bool> {
        self.facts
            .statuses
            .iter()
            .map(|s| {
                wanted
                    .iter()
                    .any(|w| super::paid::bare_status(w.trim()).eq_ignore_ascii_case(s))
            })
            .collect()
    }

    fn products(&self, item: &Item) -> Vec<bool> {
        let f = self.facts;
        let category_hit: Vec<bool> = match item {
            Item::CategorySlug(s) => f.categories.iter().map(|c| c.slug == *s).collect(),
            Item::CategoryName(n) => {
                let n = n.to_lowercase();
                f.categories
                    .iter()
                    .map(|c| c.name.to_lowercase() == n)
                    .collect()
            }
            _ => Vec::new(),
        };
        let needle = match item {
            Item::ProductName(n) | Item::Sku(n) => n.to_lowercase(),
            _ => String::new(),
        };
        f.products
            .iter()
            .map(|p| match item {
                Item::ProductId(id) => p.product_id == *id || (p.variation_id == *id && *id != 0),
                Item::Sku(_) => !p.sku.is_empty() && p.sku.to_lowercase() == needle,
                Item::ProductName(_) => p.name.to_lowercase().contains(&needle),
                Item::CategorySlug(_) | Item::CategoryName(_) => {
                    p.categories.iter().any(|&c| category_hit[c as usize])
                }
            })
            .collect()
    }

    fn compile(&self, rule: &Rule) -> Node {
        match rule {
            Rule::All(rs) => Node::All(rs.iter().map(|r| self.compile(r)).collect()),
            Rule::Any(rs) => Node::Any(rs.iter().map(|r| self.compile(r)).collect()),
            Rule::Not(r) => Node::Not(Box::new(self.compile(r))),
            Rule::Remote(_) => Node::Remote,
            Rule::Condition(c) => self.condition(c),
        }
    }

    fn condition(&self, c: &Condition) -> Node {
        match c {
            Condition::PaidOrders { window, cmp } => Node::PaidOrders(self.span(window), *cmp),
            Condition::Spend { window, cmp } => match self.amount_cmp(*cmp) {
                Some(cmp) => Node::Spend(self.span(window), cmp),
                None => Node::Const(false),
            },
            Condition::AverageOrderValue { window, cmp } => match self.amount_cmp(*cmp) {
                Some(cmp) => Node::Aov(self.span(window), cmp),
                None => Node::Const(false),
            },
            Condition::FirstPaidDaysAgo(cmp) => Node::FirstDays(*cmp),
            Condition::LastPaidDaysAgo(cmp) => Node::LastDays(*cmp),
            Condition::CouponShare { window, cmp } => Node::CouponShare(self.span(window), *cmp),
            Condition::CouponOrders { window, cmp } => Node::CouponOrders(self.span(window), *cmp),
            Condition::Bought { window, item } => {
                Node::Bought(self.span(window), self.products(item))
            }
            Condition::OrderStatus {
                window,
                statuses,
                after_last_paid,
            } => Node::Status(self.span(window), self.statuses(statuses), *after_last_paid),
            Condition::LastOrderStatus(statuses) => Node::LastStatus(self.statuses(statuses)),
            Condition::Kind(k) => Node::Kind(*k),
        }
    }
}

/// One customer's rows.
struct View<'f> {
    registered: bool,
    as_of_day: i64,
    paid_at: &'f [i64],
    paid_net: &'f [Money],
    paid_coupon: &'f [bool],
    order_at: &'f [i64],
    order_status: &'f [u16],
    line_at: &'f [i64],
    line_product: &'f [u32],
}

impl<'f> View<'f> {
    fn new(f: &'f Facts, id: CustomerId) -> Self {
        let c = &f.customers[id as usize];
        let r = |(a, b): (u32, u32)| a as usize..b as usize;
        View {
            registered: c.registered,
            as_of_day: f.as_of().as_second().div_euclid(DAY),
            paid_at: &f.paid_at[r(c.paid)],
            paid_net: &f.paid_net[r(c.paid)],
            paid_coupon: &f.paid_coupon[r(c.paid)],
            order_at: &f.order_at[r(c.orders)],
            order_status: &f.order_status[r(c.orders)],
            line_at: &f.line_at[r(c.lines)],
            line_product: &f.line_product[r(c.lines)],
        }
    }

    fn age_days(&self, t: i64) -> u64 {
        u64::try_from(self.as_of_day - t.div_euclid(DAY)).unwrap_or(0)
    }

    /// Paid orders in the window: (count, net spend, with a coupon).
    fn paid_in(&self, s: Span) -> (u64, Money, u64) {
        let (mut n, mut spend, mut coupons) = (0u64, Money::ZERO, 0u64);
        for (i, &t) in self.paid_at.iter().enumerate() {
            if s.contains(t) {
                n += 1;
                spend += self.paid_net[i];
                coupons += u64::from(self.paid_coupon[i]);
            }
        }
        (n, spend, coupons)
    }
}

impl Node {
    fn eval(&self, v: &View<'_>) -> Tri {
        match self {
            Node::All(ns) => {
                let mut acc = Tri::True;
                for n in ns {
                    match n.eval(v) {
                        Tri::False => return Tri::False,
                        Tri::Unknown => acc = Tri::Unknown,
                        Tri::True => {}
                    }
                }
                acc
            }
            Node::Any(ns) => {
                let mut acc = Tri::False;
                for n in ns {
                    match n.eval(v) {
                        Tri::True => return Tri::True,
                        Tri::Unknown => acc = Tri::Unknown,
                        Tri::False => {}
                    }
                }
                acc
            }
            Node::Not(n) => n.eval(v).not(),
            Node::Remote => Tri::Unknown,
            Node::Const(b) => Tri::of(*b),
            leaf => Tri::of(leaf.test(v)),
        }
    }

    fn test(&self, v: &View<'_>) -> bool {
        match self {
            Node::PaidOrders(s, cmp) => {
                let n = if s.lo == i64::MIN && s.hi == i64::MAX && !s.neg {
                    v.paid_at.len() as u64
                } else {
                    v.paid_at.iter().filter(|&&t| s.contains(t)).count() as u64
                };
                cmp.holds(n)
            }
            Node::Spend(s, cmp) => cmp.holds(v.paid_in(*s).1),
            Node::Aov(s, cmp) => {
                let (n, spend, _) = v.paid_in(*s);
                n > 0 && cmp.map(|x| x.times(n as i64)).holds(spend)
            }
            Node::FirstDays(cmp) => v.paid_at.first().is_some_and(|&t| cmp.holds(v.age_days(t))),
            Node::LastDays(cmp) => v.paid_at.last().is_some_and(|&t| cmp.holds(v.age_days(t))),
            Node::CouponShare(s, cmp) => {
                let (n, _, coupons) = v.paid_in(*s);
                n > 0
                    && cmp
                        .map(|p| u64::from(p).saturating_mul(n))
                        .holds(coupons.saturating_mul(100))
            }
            Node::CouponOrders(s, cmp) => cmp.holds(v.paid_in(*s).2),
            Node::Bought(s, products) => v
                .line_at
                .iter()
                .zip(v.line_product)
                .any(|(&t, &p)| s.contains(t) && products[p as usize]),
            Node::Status(s, statuses, after_last_paid) => {
                let after = if *after_last_paid {
                    v.paid_at.last().copied().unwrap_or(i64::MIN)
                } else {
                    i64::MIN
                };
                v.order_at
                    .iter()
                    .zip(v.order_status)
                    .any(|(&t, &st)| s.contains(t) && statuses[st as usize] && t > after)
            }
            Node::LastStatus(statuses) => v
                .order_status
                .last()
                .is_some_and(|&st| statuses[st as usize]),
            Node::Kind(CustomerKind::Registered) => v.registered,
            Node::Kind(CustomerKind::Guest) => !v.registered,
            Node::All(_) | Node::Any(_) | Node::Not(_) | Node::Remote | Node::Const(_) => {
                self.eval(v) == Tri::True
            }
        }
    }
}

#[cfg(test)]
mod tests;
