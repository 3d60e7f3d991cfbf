//! The segment rule language, as data: what a segment *is*.
//!
//! A [`Rule`] is a small boolean tree (`and`, `or`, `not`) over
//! [`Condition`]s on per-customer aggregates (paid orders, spend, average
//! order value, first/last paid order age, coupons, products and categories
//! bought, order statuses, registered or guest), plus [`Remote`] leaves for
//! what only Segmentflow knows (email opens and clicks, campaign
//! engagement). The 11 pre-built segments are written in it (see
//! `segments`), users write it with `--rule='…'`, and the English compiler
//! (`segments query`) produces it.
//!
//! # Text syntax
//!
//! ```text
//! rule       := or
//! or         := and ("or" and)*
//! and        := unary ("and" unary)*
//! unary      := "not" unary | "(" rule ")" | "all" "(" rules ")" | "any" "(" rules ")"
//!             | "true" | "false" | "remote" STRING | condition
//! rules      := [rule ("," rule)*]
//! condition  := "paid_orders" [window] cmp COUNT
//!             | "spend" [window] cmp AMOUNT
//!             | "aov" [window] cmp AMOUNT
//!             | "first_paid_days" cmp COUNT
//!             | "last_paid_days" cmp COUNT
//!             | "coupon_share" [window] cmp PERCENT
//!             | "coupon_orders" [window] cmp COUNT
//!             | "bought" [window] item
//!             | "order_status" [window] "in" "(" STRING ("," STRING)* ")" ["after_last_paid"]
//!             | "last_order_status" "in" "(" STRING ("," STRING)* ")"
//!             | "registered" | "guest"
//! window     := "[" span "]"
//! span       := "lifetime" | "last" N "days" | "since" DATE | "between" DATE "and" DATE
//!             | ("this" | "last") ("year" | "month" | "week") | "today" | "not" span
//! cmp        := ("=" | "!=" | "<" | "<=" | ">" | ">=") VALUE | "between" VALUE "and" VALUE
//! item       := "product_id" N | "product_sku" STRING | "product_name" STRING
//!             | "category_slug" STRING | "category_name" STRING
//! AMOUNT     := DECIMAL | DECIMAL "*" "store_aov"
//! PERCENT    := N "%"
//! ```
//!
//! For example the VIP segment is
//! `paid_orders >= 2 and spend[last 365 days] >= 3 * store_aov`.
//! Keywords are lower case; strings are in double quotes with `\"` and `\\`
//! escapes; a condition without a window is over the customer's lifetime.
//! `last_order_status = "refunded"` is accepted as a shorthand for
//! `last_order_status in ("refunded")`.
//!
//! The printer ([`fmt::Display`]) writes the canonical form, and parsing
//! what it printed gives the same tree back (`Rule::parse(&r.to_string())
//! == Ok(r)`): a compound child of `and`/`or`/`not` is printed in
//! parentheses, so grouping survives; `all(…)` / `any(…)` are printed only
//! for groups of fewer than two rules (`true` and `false` for empty ones).
//!
//! # Meaning
//!
//! Everything is measured *as of* one instant (the `--as-of` date, else
//! now), in UTC. Orders created after it do not exist.
//!
//! * A **paid order** is one with status `processing` or `completed`
//!   ([`super::paid`]); its amount is its total minus its refunds.
//! * **Days ago** counts UTC calendar days: an order placed on the as-of
//!   date is 0 days old, one placed the day before is 1 day old.
//! * **Windows** are ranges of UTC calendar dates ending at the as-of
//!   instant: `last N days` is the orders at most N days old (N + 1
//!   calendar dates, so `last_paid_days <= 30` and `paid_orders[last 30
//!   days] >= 1` agree); `since D` is from date D on; `between D1 and D2`
//!   is D1 to D2 inclusive; `this year|month|week` is from the first day of
//!   the as-of date's year/month/ISO week (Monday) to the as-of instant;
//!   `last year|month|week` is the whole previous one; `today` is the as-of
//!   date. `not W` is every order of the customer's history outside W
//!   (`bought[not last 90 days] …` means "bought more than 90 days ago").
//! * **aov** is a customer's net paid spend divided by their paid orders in
//!   the window; **coupon_share** is the percentage of their paid orders in
//!   the window that used at least one coupon. Both are compared exactly
//!   (without dividing), and are false for a customer without a paid order
//!   in the window, as are `first_paid_days` and `last_paid_days` for a
//!   customer who never paid.
//! * `N * store_aov` is N times the store's average order value: all net
//!   paid revenue divided by the number of paid orders, over the store's
//!   lifetime up to the as-of instant.
//! * **bought** looks at the lines of paid orders: `product_id` matches the
//!   product or its variation id, `product_sku` and `category_name` match
//!   case-insensitively, `product_name` matches when the line's name
//!   contains the text (case-insensitively), `category_slug` exactly.
//! * **order_status** is true when an order (of any status) with one of the
//!   listed statuses was created in the window; with `after_last_paid` only
//!   orders created after the customer's last paid order count (the
//!   Abandoned Checkouts segment). **last_order_status** is the status of
//!   the customer's most recent order of any status. Statuses are written
//!   without the `wc-` prefix.
//! * **registered** is a customer with a WordPress user id; **guest** one
//!   known only by email.
//! * A [`Remote`] condition cannot be decided locally: evaluation treats it
//!   as unknown (three-valued logic), so a customer is either a member, not
//!   a member, or undecided until Segmentflow evaluates the remote part.

use std::fmt;

use jiff::civil::Date;

use super::money::Money;

mod parse;

pub use parse::ParseError;

/// A segment rule: a boolean tree over per-customer conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Every rule holds (`a and b`); an empty list is always true.
    All(Vec<Rule>),
    /// At least one rule holds (`a or b`); an empty list is always false.
    Any(Vec<Rule>),
    /// The rule does not hold (`not a`).
    Not(Box<Rule>),
    /// A condition on the customer's local aggregates.
    Condition(Condition),
    /// A condition only Segmentflow can decide (email engagement).
    Remote(Remote),
}

/// A condition only Segmentflow knows the answer to (email opens and
/// clicks, campaign engagement): kept in the rule, never dropped, and
/// reported as "evaluated in Segmentflow, not locally".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// What the condition says, in words (`opened an email in the last 30
    /// days`).
    pub description: String,
}

/// One test on a customer's aggregates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Number of paid orders in the window (`paid_orders[last 365 days] >= 5`).
    PaidOrders {
        /// Which orders count.
        window: Window,
        /// The comparison on the count.
        cmp: Comparison<u64>,
    },
    /// Net paid spend (totals minus refunds) in the window (`spend > 500`).
    Spend {
        /// Which orders count.
        window: Window,
        /// The comparison on the amount.
        cmp: Comparison<Amount>,
    },
    /// Average net paid order value in the window (`aov > 100`); false
    /// without a paid order in the window.
    AverageOrderValue {
        /// Which orders count.
        window: Window,
        /// The comparison on the average.
        cmp: Comparison<Amount>,
    },
    /// Days since the customer's first paid order (`first_paid_days <= 30`);
    /// false for a customer who never paid.
    FirstPaidDaysAgo(Comparison<u64>),
    /// Days since the customer's last paid order (`last_paid_days > 180`);
    /// false for a customer who never paid.
    LastPaidDaysAgo(Comparison<u64>),
    /// Percentage (0–100) of paid orders in the window that used a coupon
    /// (`coupon_share >= 50%`); false without a paid order in the window.
    CouponShare {
        /// Which orders count.
        window: Window,
        /// The comparison on the percentage.
        cmp: Comparison<u32>,
    },
    /// Number of paid orders in the window that used a coupon.
    CouponOrders {
        /// Which orders count.
        window: Window,
        /// The comparison on the count.
        cmp: Comparison<u64>,
    },
    /// A paid order in the window has a line matching the item
    /// (`bought[last 90 days] category_slug "shoes"`).
    Bought {
        /// Which orders count.
        window: Window,
        /// What was bought.
        item: Item,
    },
    /// An order of any of these statuses was created in the window
    /// (`order_status[last 7 days] in ("pending", "failed")`).
    OrderStatus {
        /// Which orders count.
        window: Window,
        /// Bare statuses (`pending`, `refunded`), without `wc-`.
        statuses: Vec<String>,
        /// Only orders created after the customer's last paid order count
        /// (`after_last_paid`).
        after_last_paid: bool,
    },
    /// The customer's most recent order (any status) has one of these
    /// statuses (`last_order_status in ("refunded")`).
    LastOrderStatus(Vec<String>),
    /// Registered (a WordPress user) or guest (known only by email).
    Kind(CustomerKind),
}

/// Registered or guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerKind {
    /// A WordPress user (`registered`).
    Registered,
    /// Known only by email (`guest`).
    Guest,
}

/// What a `bought` condition looks for on paid order lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// The product id, or a variation id (`product_id 42`).
    ProductId(u64),
    /// The SKU, case-insensitively (`product_sku "TSHIRT-RED"`).
    Sku(String),
    /// Text the line's product name contains, case-insensitively
    /// (`product_name "hoodie"`).
    ProductName(String),
    /// A category slug, exactly (`category_slug "accessories"`).
    CategorySlug(String),
    /// A category name, case-insensitively (`category_name "Accessories"`).
    CategoryName(String),
}

/// Which orders a condition looks at: a range of UTC calendar dates ending
/// at the as-of instant (see the module doc for each form's exact range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Window {
    /// All of the customer's orders up to the as-of instant.
    Lifetime,
    /// Orders at most N days old (`last 30 days`).
    LastDays(u32),
    /// Orders from this date on (`since 2025-01-01`).
    Since(Date),
    /// Orders from the first to the second date, both included
    /// (`between 2025-01-01 and 2025-03-31`).
    Between(Date, Date),
    /// A calendar period relative to the as-of date (`this year`,
    /// `last week`).
    Calendar(Calendar),
    /// The orders outside the inner window (`not last 90 days`: older than
    /// 90 days).
    Not(Box<Window>),
}

/// A calendar period, resolved against the as-of date (UTC; weeks start on
/// Monday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Calendar {
    /// The as-of date (`today`).
    Today,
    /// From the Monday of the as-of week (`this week`).
    ThisWeek,
    /// The whole previous Monday–Sunday week (`last week`).
    LastWeek,
    /// From the first of the as-of month (`this month`).
    ThisMonth,
    /// The whole previous month (`last month`).
    LastMonth,
    /// From January 1 of the as-of year (`this year`).
    ThisYear,
    /// The whole previous year (`last year`).
    LastYear,
}

/// A comparison of an aggregate with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison<T> {
    /// `= v`
    Eq(T),
    /// `!= v`
    Ne(T),
    /// `< v`
    Lt(T),
    /// `<= v`
    Le(T),
    /// `> v`
    Gt(T),
    /// `>= v`
    Ge(T),
    /// `between lo and hi`, both included.
    Between(T, T),
}

/// An amount a spend or average is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// A fixed amount in the store's currency (`500`, `99.90`).
    Fixed(Money),
    /// A multiple of the store's average order value (`3 * store_aov`); the
    /// multiplier is an exact decimal.
    StoreAov(Money),
}

impl<T: Copy + PartialOrd> Comparison<T> {
    /// Whether `value` satisfies the comparison.
    pub fn holds(&self, value: T) -> bool {
        match *self {
            Comparison::Eq(v) => value == v,
            Comparison::Ne(v) => value != v,
            Comparison::Lt(v) => value < v,
            Comparison::Le(v) => value <= v,
            Comparison::Gt(v) => value > v,
            Comparison::Ge(v) => value >= v,
            Comparison::Between(lo, hi) => lo <= value && value <= hi,
        }
    }
}

impl<T> Comparison<T> {
    /// The same comparison with its value(s) mapped.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Comparison<U> {
        match self {
            Comparison::Eq(v) => Comparison::Eq(f(v)),
            Comparison::Ne(v) => Comparison::Ne(f(v)),
            Comparison::Lt(v) => Comparison::Lt(f(v)),
            Comparison::Le(v) => Comparison::Le(f(v)),
            Comparison::Gt(v) => Comparison::Gt(f(v)),
            Comparison::Ge(v) => Comparison::Ge(f(v)),
            Comparison::Between(lo, hi) => {
                let lo = f(lo);
                Comparison::Between(lo, f(hi))
            }
        }
    }
}

impl Rule {
    /// Parses the text syntax (see the module doc); the error names the
    /// byte offset, the column and the token expected there.
    ///
    /// ```
    /// use segmentflow_core::insight::rules::Rule;
    /// let r = Rule::parse("paid_orders >= 2 and last_paid_days between 91 and 180").unwrap();
    /// assert_eq!(r.to_string(), "paid_orders >= 2 and last_paid_days between 91 and 180");
    /// let e = Rule::parse("spend > lots").unwrap_err();
    /// assert_eq!((e.offset, e.column), (8, 9));
    /// ```
    pub fn parse(text: &str) -> Result<Rule, ParseError> {
        parse::parse(text)
    }

    /// `a and b` of two rules.
    pub fn and(self, other: Rule) -> Rule {
        Rule::All(vec![self, other])
    }

    /// `a or b` of two rules.
    pub fn or(self, other: Rule) -> Rule {
        Rule::Any(vec![self, other])
    }

    /// `not a`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Rule {
        Rule::Not(Box::new(self))
    }

    /// A remote condition with this description.
    pub fn remote(description: impl Into<String>) -> Rule {
        Rule::Remote(Remote {
            description: description.into(),
        })
    }

    /// The remote conditions in the rule, in order of appearance: what
    /// Segmentflow must evaluate ("evaluated in Segmentflow, not locally").
    pub fn remote_parts(&self) -> Vec<&Remote> {
        let mut out = Vec::new();
        self.collect_remote(&mut out);
        out
    }

    fn collect_remote<'a>(&'a self, out: &mut Vec<&'a Remote>) {
        match self {
            Rule::All(rs) | Rule::Any(rs) => rs.iter().for_each(|r| r.collect_remote(out)),
            Rule::Not(r) => r.collect_remote(out),
            Rule::Condition(_) => {}
            Rule::Remote(r) => out.push(r),
        }
    }

    /// Whether printing this rule as a child of `and`/`or`/`not` needs
    /// parentheses (it is itself an infix `and`/`or`).
    fn is_infix(&self) -> bool {
        matches!(self, Rule::All(rs) | Rule::Any(rs) if rs.len() >= 2)
    }

    fn fmt_child(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_infix() {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

impl From<Condition> for Rule {
    fn from(c: Condition) -> Rule {
        Rule::Condition(c)
    }
}

/// The exact text of an amount: all its significant decimals, at least two
/// (`500.00`, `0.125`), so that printing and parsing give it back.
pub(crate) fn exact_money(m: Money) -> String {
    let mut s = m.format(8);
    while s.ends_with('0') && s.len() - s.find('.').unwrap_or(s.len()) > 3 {
        s.pop();
    }
    s
}

/// A multiplier with no trailing zeros (`3`, `2.5`).
fn multiplier(m: Money) -> String {
    let s = m.format(8);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A string in double quotes with `"` and `\` escaped.
fn quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

fn quoted_list(f: &mut fmt::Formatter<'_>, items: &[String]) -> fmt::Result {
    f.write_str("(")?;
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        quoted(f, s)?;
    }
    f.write_str(")")
}

/// The canonical text (see the module doc); it parses back to the same rule.
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::All(rs) | Rule::Any(rs) => {
                let (word, func) = match self {
                    Rule::All(_) => (" and ", "all"),
                    _ => (" or ", "any"),
                };
                match rs.len() {
                    0 => f.write_str(if func == "all" { "true" } else { "false" }),
                    1 => {
                        write!(f, "{func}(")?;
                        write!(f, "{}", rs[0])?;
                        f.write_str(")")
                    }
                    _ => {
                        for (i, r) in rs.iter().enumerate() {
                            if i > 0 {
                                f.write_str(word)?;
                            }
                            r.fmt_child(f)?;
                        }
                        Ok(())
                    }
                }
            }
            Rule::Not(r) => {
                f.write_str("not ")?;
                r.fmt_child(f)
            }
            Rule::Condition(c) => write!(f, "{c}"),
            Rule::Remote(r) => write!(f, "{r}"),
        }
    }
}

/// `remote "…"`.
impl fmt::Display for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("remote ")?;
        quoted(f, &self.description)
    }
}

struct WindowSuffix<'a>(&'a Window);

impl fmt::Display for WindowSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Window::Lifetime => Ok(()),
            w => write!(f, "[{w}]"),
        }
    }
}

/// `field[window] cmp value`, `bought[window] item`, … (see the module doc).
impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::PaidOrders { window, cmp } => {
                write!(f, "paid_orders{} {cmp}", WindowSuffix(window))
            }
            Condition::Spend { window, cmp } => write!(f, "spend{} {cmp}", WindowSuffix(window)),
            Condition::AverageOrderValue { window, cmp } => {
                write!(f, "aov{} {cmp}", WindowSuffix(window))
            }
            Condition::FirstPaidDaysAgo(cmp) => write!(f, "first_paid_days {cmp}"),
            Condition::LastPaidDaysAgo(cmp) => write!(f, "last_paid_days {cmp}"),
            Condition::CouponShare { window, cmp } => {
                write!(
                    f,
                    "coupon_share{} {}",
                    WindowSuffix(window),
                    cmp.map(Percent)
                )
            }
            Condition::CouponOrders { window, cmp } => {
                write!(f, "coupon_orders{} {cmp}", WindowSuffix(window))
            }
            Condition::Bought { window, item } => {
                write!(f, "bought{} {item}", WindowSuffix(window))
            }
            Condition::OrderStatus {
                window,
                statuses,
                after_last_paid,
            } => {
                write!(f, "order_status{} in ", WindowSuffix(window))?;
                quoted_list(f, statuses)?;
                if *after_last_paid {
                    f.write_str(" after_last_paid")?;
                }
                Ok(())
            }
            Condition::LastOrderStatus(statuses) => {
                f.write_str("last_order_status in ")?;
                quoted_list(f, statuses)
            }
            Condition::Kind(CustomerKind::Registered) => f.write_str("registered"),
            Condition::Kind(CustomerKind::Guest) => f.write_str("guest"),
        }
    }
}

struct Percent(u32);

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// `= v`, `>= v`, `between lo and hi`.
impl<T: fmt::Display> fmt::Display for Comparison<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Comparison::Eq(v) => write!(f, "= {v}"),
            Comparison::Ne(v) => write!(f, "!= {v}"),
            Comparison::Lt(v) => write!(f, "< {v}"),
            Comparison::Le(v) => write!(f, "<= {v}"),
            Comparison::Gt(v) => write!(f, "> {v}"),
            Comparison::Ge(v) => write!(f, ">= {v}"),
            Comparison::Between(lo, hi) => write!(f, "between {lo} and {hi}"),
        }
    }
}

/// `500.00` or `3.00 * store_aov`, with every significant decimal.
impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Fixed(m) => f.write_str(&exact_money(*m)),
            Amount::StoreAov(m) => write!(f, "{} * store_aov", multiplier(*m)),
        }
    }
}

/// `product_id 42`, `category_name "Accessories"`.
impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::ProductId(id) => write!(f, "product_id {id}"),
            Item::Sku(s) => {
                f.write_str("product_sku ")?;
                quoted(f, s)
            }
            Item::ProductName(s) => {
                f.write_str("product_name ")?;
                quoted(f, s)
            }
            Item::CategorySlug(s) => {
                f.write_str("category_slug ")?;
                quoted(f, s)
            }
            Item::CategoryName(s) => {
                f.write_str("category_name ")?;
                quoted(f, s)
            }
        }
    }
}

/// `lifetime`, `last 30 days`, `since 2025-01-01`, `not last 90 days`.
impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::Lifetime => f.write_str("lifetime"),
            Window::LastDays(n) => write!(f, "last {n} days"),
            Window::Since(d) => write!(f, "since {d}"),
            Window::Between(a, b) => write!(f, "between {a} and {b}"),
            Window::Calendar(c) => write!(f, "{c}"),
            Window::Not(w) => write!(f, "not {w}"),
        }
    }
}

/// `today`, `this week`, `last year`.
impl fmt::Display for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Calendar::Today => "today",
            Calendar::ThisWeek => "this week",
            Calendar::LastWeek => "last week",
            Calendar::ThisMonth => "this month",
            Calendar::LastMonth => "last month",
            Calendar::ThisYear => "this year",
            Calendar::LastYear => "last year",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn prints_the_canonical_text() {
        let vip = Rule::from(Condition::PaidOrders {
            window: Window::Lifetime,
            cmp: Comparison::Ge(2),
        })
        .and(
            Condition::Spend {
                window: Window::LastDays(365),
                cmp: Comparison::Ge(Amount::StoreAov(m("3"))),
            }
            .into(),
        );
        assert_eq!(
            vip.to_string(),
            "paid_orders >= 2 and spend[last 365 days] >= 3 * store_aov"
        );
        let nested = Rule::Any(vec![
            vip.clone(),
            Rule::from(Condition::Kind(CustomerKind::Guest)).not(),
        ]);
        assert_eq!(
            nested.to_string(),
            "(paid_orders >= 2 and spend[last 365 days] >= 3 * store_aov) or not guest"
        );
        assert_eq!(Rule::All(vec![]).to_string(), "true");
        assert_eq!(Rule::Any(vec![]).to_string(), "false");
        assert_eq!(
            Rule::All(vec![Rule::remote("opened \"an\" email")]).to_string(),
            r#"all(remote "opened \"an\" email")"#
        );
        let abandoned = Condition::OrderStatus {
            window: Window::Not(Box::new(Window::Calendar(Calendar::LastWeek))),
            statuses: vec!["pending".into(), "failed".into()],
            after_last_paid: true,
        };
        assert_eq!(
            abandoned.to_string(),
            r#"order_status[not last week] in ("pending", "failed") after_last_paid"#
        );
        assert_eq!(
            Condition::CouponShare {
                window: Window::Lifetime,
                cmp: Comparison::Between(10, 50)
            }
            .to_string(),
            "coupon_share between 10% and 50%"
        );
        assert_eq!(exact_money(m("0.125")), "0.125");
        assert_eq!(exact_money(m("-5")), "-5.00");
        assert_eq!(exact_money(m("0.00000001")), "0.00000001");
    }

    #[test]
    fn comparisons_hold_as_written() {
        assert!(Comparison::Between(91, 180).holds(91));
        assert!(Comparison::Between(91, 180).holds(180));
        assert!(!Comparison::Between(91, 180).holds(181));
        assert!(Comparison::Ge(5).holds(5) && !Comparison::Gt(5).holds(5));
        assert!(Comparison::Ne(1).holds(2) && !Comparison::Eq(1).holds(2));
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;
    use proptest::prelude::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn parses_every_form() {
        let cases: Vec<(&str, Rule)> = vec![
            (
                "paid_orders[last 365 days] >= 5",
                Condition::PaidOrders {
                    window: Window::LastDays(365),
                    cmp: Comparison::Ge(5),
                }
                .into(),
            ),
            (
                "spend[since 2025-01-01] > 500",
                Condition::Spend {
                    window: Window::Since(date("2025-01-01")),
                    cmp: Comparison::Gt(Amount::Fixed(m("500"))),
                }
                .into(),
            ),
            (
                "aov[between 2025-01-01 and 2025-03-31] between 50 and 150.5",
                Condition::AverageOrderValue {
                    window: Window::Between(date("2025-01-01"), date("2025-03-31")),
                    cmp: Comparison::Between(Amount::Fixed(m("50")), Amount::Fixed(m("150.5"))),
                }
                .into(),
            ),
            (
                "spend[this year] >= 2.5 * store_aov",
                Condition::Spend {
                    window: Window::Calendar(Calendar::ThisYear),
                    cmp: Comparison::Ge(Amount::StoreAov(m("2.5"))),
                }
                .into(),
            ),
            (
                "first_paid_days <= 30",
                Condition::FirstPaidDaysAgo(Comparison::Le(30)).into(),
            ),
            (
                "last_paid_days != 3",
                Condition::LastPaidDaysAgo(Comparison::Ne(3)).into(),
            ),
            (
                "coupon_share[last week] < 50%",
                Condition::CouponShare {
                    window: Window::Calendar(Calendar::LastWeek),
                    cmp: Comparison::Lt(50),
                }
                .into(),
            ),
            (
                "coupon_orders = 0",
                Condition::CouponOrders {
                    window: Window::Lifetime,
                    cmp: Comparison::Eq(0),
                }
                .into(),
            ),
            (
                "bought[not last 90 days] category_name \"Accessories\"",
                Condition::Bought {
                    window: Window::Not(Box::new(Window::LastDays(90))),
                    item: Item::CategoryName("Accessories".into()),
                }
                .into(),
            ),
            (
                "bought product_sku \"TSHIRT-RED\"",
                Condition::Bought {
                    window: Window::Lifetime,
                    item: Item::Sku("TSHIRT-RED".into()),
                }
                .into(),
            ),
            (
                "bought[today] product_id 42",
                Condition::Bought {
                    window: Window::Calendar(Calendar::Today),
                    item: Item::ProductId(42),
                }
                .into(),
            ),
            (
                "last_order_status = \"refunded\"",
                Condition::LastOrderStatus(vec!["refunded".into()]).into(),
            ),
            (
                "order_status[last 7 days] in (\"pending\",\"failed\") after_last_paid",
                Condition::OrderStatus {
                    window: Window::LastDays(7),
                    statuses: vec!["pending".into(), "failed".into()],
                    after_last_paid: true,
                }
                .into(),
            ),
            (
                "guest and not registered or remote \"opened an email\"",
                Rule::Any(vec![
                    Rule::All(vec![
                        Condition::Kind(CustomerKind::Guest).into(),
                        Rule::from(Condition::Kind(CustomerKind::Registered)).not(),
                    ]),
                    Rule::remote("opened an email"),
                ]),
            ),
            ("(guest)", Condition::Kind(CustomerKind::Guest).into()),
            ("all()", Rule::All(vec![])),
            (
                "any(true, false)",
                Rule::Any(vec![Rule::All(vec![]), Rule::Any(vec![])]),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Rule::parse(text), Ok(want.clone()), "{text}");
            assert_eq!(Rule::parse(&want.to_string()), Ok(want), "{text}");
        }
    }

    #[test]
    fn errors_say_where_and_what_was_expected() {
        let cases = [
            ("", 0, 1, "a condition", "end of rule"),
            ("spend > lots", 8, 9, "an amount", "\"lots\""),
            (
                "paid_orders[last 7 weeks] > 1",
                19,
                20,
                "\"days\"",
                "\"weeks\"",
            ),
            ("paid_orders >= 2 and", 20, 21, "a condition", "end of rule"),
            (
                "paid_orders >= 2 guest",
                17,
                18,
                "\"and\", \"or\"",
                "\"guest\"",
            ),
            (
                "spend[since 2025-13-01] > 1",
                12,
                13,
                "a date",
                "\"2025-13-01\"",
            ),
            ("coupon_share >= 50", 18, 19, "\"%\"", "end of rule"),
            ("remote \"open", 12, 13, "a closing", "end of rule"),
            ("guest &", 6, 7, "a word", "'&'"),
            ("bought hoodie", 7, 8, "product_id", "\"hoodie\""),
            ("paid_ordres > 1", 0, 1, "a condition", "\"paid_ordres\""),
            ("guest and\n  spend ~", 18, 9, "a word", "'~'"),
            ("last_paid_days 30", 15, 16, "a comparison", "\"30\""),
            ("(guest", 6, 7, "\")\"", "end of rule"),
        ];
        for (text, offset, column, expected, found) in cases {
            let e = Rule::parse(text).unwrap_err();
            assert_eq!((e.offset, e.column), (offset, column), "{text}: {e}");
            assert!(e.expected.contains(expected), "{text}: {e}");
            assert_eq!(e.found, found, "{text}: {e}");
        }
        assert_eq!(
            Rule::parse("spend > lots").unwrap_err().to_string(),
            "rule: expected an amount (like 500 or 99.90) at column 9 (byte 8), found \"lots\""
        );
    }

    fn text() -> impl Strategy<Value = String> + Clone {
        prop_oneof![Just(String::new()), "[a-zA-Z0-9 _\\-\"\\\\é]{0,12}",]
    }

    fn money() -> impl Strategy<Value = Money> {
        (-10_000_000_000_000i64..10_000_000_000_000).prop_map(|r| Money::from_raw(r.into()))
    }

    fn cmp<T: Clone + std::fmt::Debug + 'static>(
        v: impl Strategy<Value = T> + Clone + 'static,
    ) -> impl Strategy<Value = Comparison<T>> {
        prop_oneof![
            v.clone().prop_map(Comparison::Eq),
            v.clone().prop_map(Comparison::Ne),
            v.clone().prop_map(Comparison::Lt),
            v.clone().prop_map(Comparison::Le),
            v.clone().prop_map(Comparison::Gt),
            v.clone().prop_map(Comparison::Ge),
            (v.clone(), v).prop_map(|(a, b)| Comparison::Between(a, b)),
        ]
    }

    fn amount() -> impl Strategy<Value = Amount> + Clone {
        prop_oneof![
            money().prop_map(Amount::Fixed),
            money().prop_map(Amount::StoreAov)
        ]
    }

    fn a_date() -> impl Strategy<Value = Date> + Clone {
        (1990i16..2100, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
    }

    fn window() -> impl Strategy<Value = Window> {
        let calendar = prop_oneof![
            Just(Calendar::Today),
            Just(Calendar::ThisWeek),
            Just(Calendar::LastWeek),
            Just(Calendar::ThisMonth),
            Just(Calendar::LastMonth),
            Just(Calendar::ThisYear),
            Just(Calendar::LastYear),
        ];
        let leaf = prop_oneof![
            Just(Window::Lifetime),
            any::<u32>().prop_map(Window::LastDays),
            a_date().prop_map(Window::Since),
            (a_date(), a_date()).prop_map(|(a, b)| Window::Between(a, b)),
            calendar.prop_map(Window::Calendar),
        ];
        leaf.prop_recursive(2, 3, 1, |inner| {
            inner.prop_map(|w| Window::Not(Box::new(w)))
        })
    }

    fn item() -> impl Strategy<Value = Item> {
        prop_oneof![
            any::<u64>().prop_map(Item::ProductId),
            text().prop_map(Item::Sku),
            text().prop_map(Item::ProductName),
            text().prop_map(Item::CategorySlug),
            text().prop_map(Item::CategoryName),
        ]
    }

    fn condition() -> impl Strategy<Value = Condition> {
        let statuses = prop::collection::vec(text(), 1..3);
        prop_oneof![
            (window(), cmp(any::<u64>()))
                .prop_map(|(window, cmp)| Condition::PaidOrders { window, cmp }),
            (window(), cmp(amount())).prop_map(|(window, cmp)| Condition::Spend { window, cmp }),
            (window(), cmp(amount()))
                .prop_map(|(window, cmp)| Condition::AverageOrderValue { window, cmp }),
            cmp(any::<u64>()).prop_map(Condition::FirstPaidDaysAgo),
            cmp(any::<u64>()).prop_map(Condition::LastPaidDaysAgo),
            (window(), cmp(0u32..=100))
                .prop_map(|(window, cmp)| Condition::CouponShare { window, cmp }),
            (window(), cmp(any::<u64>()))
                .prop_map(|(window, cmp)| Condition::CouponOrders { window, cmp }),
            (window(), item()).prop_map(|(window, item)| Condition::Bought { window, item }),
            (window(), statuses.clone(), any::<bool>()).prop_map(
                |(window, statuses, after_last_paid)| Condition::OrderStatus {
                    window,
                    statuses,
                    after_last_paid
                }
            ),
            statuses.prop_map(Condition::LastOrderStatus),
            Just(Condition::Kind(CustomerKind::Registered)),
            Just(Condition::Kind(CustomerKind::Guest)),
        ]
    }

    fn rule() -> impl Strategy<Value = Rule> {
        let leaf = prop_oneof![
            condition().prop_map(Rule::Condition),
            text().prop_map(Rule::remote),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Rule::All),
                prop::collection::vec(inner.clone(), 0..4).prop_map(Rule::Any),
                inner.prop_map(|r| r.not()),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn printing_then_parsing_gives_the_rule_back(r in rule()) {
            let text = r.to_string();
            prop_assert_eq!(Rule::parse(&text), Ok(r), "{}", text);
        }
    }
}
