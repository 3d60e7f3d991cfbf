//! Revenue attribution: the store's paid revenue, net of refunds, grouped by
//! the UTM value (campaign, source, medium, content or term) of the visit
//! that brought each order — what Segmentflow's dashboard shows per
//! campaign, computed locally from [`OrderFact`]s.
//!
//! # What is counted
//!
//! * Only **paid** orders ([`is_paid_status`]: processing, completed), each
//!   for its **net** amount: `total − refunded` (a partly refunded order
//!   counts for what was kept; a fully refunded one for zero, and a
//!   `refunded` status is not paid at all).
//! * Amounts of different currencies are **never added**: the report has
//!   one [`CurrencySection`] per order currency, and each row's share is of
//!   its own currency's total. The rows of a section always add up, to the
//!   10⁻⁸ unit, to that section's total, which is the store's paid net
//!   total in that currency for the window ([`Money`] is exact).
//! * Orders without a usable UTM value for the chosen dimension are one
//!   **unattributed** row per currency (value `None`), never dropped.
//!
//! # Where an order's touch comes from
//!
//! An order's *touch* is one set of `utm_*` values:
//!
//! 1. the plugin's `_segmentflow_utm_*` meta ([`OrderFact::segmentflow_touch`])
//!    when it holds at least one non-empty value;
//! 2. otherwise WooCommerce's `_wc_order_attribution_utm_*` meta
//!    ([`OrderFact::wc_touch`]), under the same condition;
//! 3. otherwise the order has no touch.
//!
//! The choice is per order, not per field: when the plugin's touch has a
//! source but no term, `--by=term` puts the order in the unattributed row
//! rather than mixing in WooCommerce's term, which may describe another
//! visit. Values are trimmed; an empty value and sourcebuster's `(none)`
//! placeholder (what WooCommerce's attribution writes for a missing
//! campaign or medium) count as missing. Other placeholders such as
//! `(direct)` are real values and are shown as such.
//!
//! # First touch and last touch
//!
//! Each source stores **one** touch per order, with different meanings:
//!
//! * The plugin copies its `sf_utm` cookie at checkout. The cookie lives 30
//!   days and *the first touch wins* (a later `utm_*` visit does not
//!   overwrite it), so the plugin's touch is the **first** campaign visit
//!   within the 30 days before that checkout.
//! * WooCommerce's order attribution (sourcebuster.js) saves
//!   `sbjs.get.current`, the source of the **current (last) session**; its
//!   `first` touch is never stored.
//!
//! Neither stores both, so the two models differ across a customer's
//! orders, not within one order (the precedence above is the same in
//! both):
//!
//! * [`Model::LastTouch`]: each order is credited to its **own** touch —
//!   the campaign recorded at its checkout.
//! * [`Model::FirstTouch`]: each order is credited to the touch that
//!   **first brought its customer**: the touch of the customer's earliest
//!   order (of any status, by creation date then id) that has a touch and
//!   is not later than this order. A repeat purchase without UTM data is so
//!   still credited to the campaign that acquired the customer; an order
//!   before any touched order stays unattributed. The customer is
//!   [`OrderFact::customer`] (user id, else lower-cased billing email); a
//!   guest order without an email has only its own touch.
//!
//! # Windows
//!
//! `since` (inclusive) and `until` (exclusive) are instants compared with
//! the order's **paid date** (`date_paid_gmt`), or its **creation date**
//! when the store recorded no payment date (orders marked paid by hand,
//! imports). An order with neither date is counted only when no window is
//! given. The window selects which paid orders are counted; it does not
//! limit the first-touch lookup, which looks at the customer's whole
//! history.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use super::input::{OrderFact, Touch};
use super::money::Money;
use super::paid::{CustomerKey, is_paid_status};

/// The UTM dimension revenue is grouped by (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GroupBy {
    /// `utm_campaign` (the default).
    #[default]
    Campaign,
    /// `utm_source`.
    Source,
    /// `utm_medium`.
    Medium,
    /// `utm_content`.
    Content,
    /// `utm_term`.
    Term,
}

impl GroupBy {
    /// Every dimension, in the order the CLI lists them.
    pub const ALL: [GroupBy; 5] = [
        GroupBy::Campaign,
        GroupBy::Source,
        GroupBy::Medium,
        GroupBy::Content,
        GroupBy::Term,
    ];

    /// The name used on the command line and as the row's field name
    /// (`campaign`).
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Campaign => "campaign",
            GroupBy::Source => "source",
            GroupBy::Medium => "medium",
            GroupBy::Content => "content",
            GroupBy::Term => "term",
        }
    }

    /// The touch's value for this dimension, as stored.
    fn pick(self, touch: &Touch) -> Option<&str> {
        match self {
            GroupBy::Campaign => touch.campaign.as_deref(),
            GroupBy::Source => touch.source.as_deref(),
            GroupBy::Medium => touch.medium.as_deref(),
            GroupBy::Content => touch.content.as_deref(),
            GroupBy::Term => touch.term.as_deref(),
        }
    }
}

impl std::str::FromStr for GroupBy {
    type Err = RevenueError;

    /// `campaign`, `source`, `medium`, `content` or `term` (also with a
    /// `utm_` prefix, any case).
    fn from_str(s: &str) -> Result<GroupBy, RevenueError> {
        let lower = s.trim().to_ascii_lowercase();
        let bare = lower.strip_prefix("utm_").unwrap_or(&lower);
        GroupBy::ALL
            .into_iter()
            .find(|g| g.as_str() == bare)
            .ok_or_else(|| RevenueError::UnknownGroupBy(s.to_owned()))
    }
}

/// The attribution model (`--model`); see the module doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Model {
    /// Credit each order to its customer's first touch.
    FirstTouch,
    /// Credit each order to its own touch (the default).
    #[default]
    LastTouch,
}

impl Model {
    /// `first-touch` / `last-touch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Model::FirstTouch => "first-touch",
            Model::LastTouch => "last-touch",
        }
    }
}

impl std::str::FromStr for Model {
    type Err = RevenueError;

    /// `first-touch` / `last-touch` (also `first`/`last`, `_` for `-`).
    fn from_str(s: &str) -> Result<Model, RevenueError> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "first-touch" | "first" => Ok(Model::FirstTouch),
            "last-touch" | "last" => Ok(Model::LastTouch),
            _ => Err(RevenueError::UnknownModel(s.to_owned())),
        }
    }
}

/// A revenue option that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevenueError {
    /// `--by` names no UTM dimension.
    #[error("unknown dimension {0:?} (expected campaign, source, medium, content or term)")]
    UnknownGroupBy(String),
    /// `--model` names no model.
    #[error("unknown attribution model {0:?} (expected first-touch or last-touch)")]
    UnknownModel(String),
    /// The window ends before it starts.
    #[error("the window is empty: since {since} is not before until {until}")]
    EmptyWindow {
        /// The start given.
        since: Timestamp,
        /// The end given.
        until: Timestamp,
    },
}

/// What to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RevenueOptions {
    /// The dimension rows are grouped by.
    pub by: GroupBy,
    /// The attribution model.
    pub model: Model,
    /// Count orders paid (else created) at or after this instant.
    pub since: Option<Timestamp>,
    /// Count orders paid (else created) strictly before this instant.
    pub until: Option<Timestamp>,
}

/// Which meta an order's touch came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TouchOrigin {
    /// The plugin's `_segmentflow_utm_*` meta.
    Segmentflow,
    /// WooCommerce's `_wc_order_attribution_utm_*` meta.
    WooCommerce,
}

/// One row: the paid orders of one currency credited to one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevenueRow {
    /// The UTM value; `None` for the unattributed row.
    pub value: Option<String>,
    /// Paid orders credited to it.
    pub orders: u64,
    /// Their net revenue (totals minus refunds).
    pub revenue: Money,
    /// `revenue / orders`, rounded half away from zero to 10⁻⁸.
    pub average_order_value: Money,
    /// Share of the currency's total, in percent with one decimal (`"12.5"`);
    /// `None` when that total is zero.
    pub share: Option<String>,
    /// Of [`orders`](Self::orders), those whose credited touch came from
    /// the plugin's meta.
    pub from_segmentflow: u64,
    /// Of [`orders`](Self::orders), those whose credited touch came from
    /// WooCommerce's meta (the fallback).
    pub from_woocommerce: u64,
}

/// Every row of one currency, and its total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencySection {
    /// The order currency (`USD`), upper-cased; empty when orders carry none.
    pub currency: String,
    /// Paid orders in the window.
    pub orders: u64,
    /// Their net revenue: the store's paid net total in this currency.
    pub revenue: Money,
    /// Rows by revenue (largest first; ties: more orders first, then by
    /// value), the unattributed row last.
    pub rows: Vec<RevenueRow>,
}

/// The attribution report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevenueReport {
    /// What was computed.
    pub options: RevenueOptions,
    /// One section per currency, by currency code.
    pub currencies: Vec<CurrencySection>,
}

impl RevenueReport {
    /// The section of one currency.
    pub fn currency(&self, code: &str) -> Option<&CurrencySection> {
        self.currencies.iter().find(|c| c.currency == code)
    }
}

/// A touch value as attribution uses it: trimmed, `None` when empty or the
/// `(none)` placeholder.
fn clean(value: Option<&str>) -> Option<&str> {
    let v = value?.trim();
    (!v.is_empty() && !v.eq_ignore_ascii_case("(none)")).then_some(v)
}

/// Whether a touch holds at least one usable value.
fn has_value(touch: &Touch) -> bool {
    GroupBy::ALL
        .into_iter()
        .any(|g| clean(g.pick(touch)).is_some())
}

/// The order's own touch and where it came from (see the module doc).
pub fn order_touch(order: &OrderFact) -> Option<(&Touch, TouchOrigin)> {
    if let Some(t) = order.segmentflow_touch.as_ref().filter(|t| has_value(t)) {
        return Some((t, TouchOrigin::Segmentflow));
    }
    order
        .wc_touch
        .as_ref()
        .filter(|t| has_value(t))
        .map(|t| (t, TouchOrigin::WooCommerce))
}

/// The date the window is compared with: paid, else created.
pub fn window_date(order: &OrderFact) -> Option<Timestamp> {
    order.paid.or(order.created)
}

/// Whether an order is counted in the window.
fn in_window(order: &OrderFact, opts: &RevenueOptions) -> bool {
    if opts.since.is_none() && opts.until.is_none() {
        return true;
    }
    let Some(at) = window_date(order) else {
        return false;
    };
    opts.since.is_none_or(|s| at >= s) && opts.until.is_none_or(|u| at < u)
}

/// Chronological order of a customer's orders: by creation date, then id;
/// an order without a creation date after every dated one.
fn chrono_key(order: &OrderFact) -> (bool, Option<Timestamp>, u64) {
    (order.created.is_none(), order.created, order.id)
}

/// Per customer, the index of their earliest order that has a touch.
fn first_touches(orders: &[OrderFact]) -> HashMap<CustomerKey, usize> {
    let mut first: HashMap<CustomerKey, usize> = HashMap::new();
    for (i, order) in orders.iter().enumerate() {
        if order_touch(order).is_none() {
            continue;
        }
        let Some(key) = order.customer() else {
            continue;
        };
        first
            .entry(key)
            .and_modify(|best| {
                if chrono_key(order) < chrono_key(&orders[*best]) {
                    *best = i;
                }
            })
            .or_insert(i);
    }
    first
}

/// The order's net paid amount: total minus refunded (the refunded amount
/// counted by its absolute value, whatever sign it was stored with).
pub fn net_amount(order: &OrderFact) -> Money {
    let refunded = if order.refunded.is_negative() {
        -order.refunded
    } else {
        order.refunded
    };
    order.total - refunded
}

/// The currency code of an order as the report groups it.
fn currency_of(order: &OrderFact) -> String {
    order.currency.trim().to_ascii_uppercase()
}

#[derive(Default)]
struct Acc {
    orders: u64,
    revenue: Money,
    from_segmentflow: u64,
    from_woocommerce: u64,
}

/// Computes the attribution report (see the module doc for every rule).
pub fn attribute(
    orders: &[OrderFact],
    opts: &RevenueOptions,
) -> Result<RevenueReport, RevenueError> {
    if let (Some(since), Some(until)) = (opts.since, opts.until)
        && since >= until
    {
        return Err(RevenueError::EmptyWindow { since, until });
    }
    let first = match opts.model {
        Model::FirstTouch => first_touches(orders),
        Model::LastTouch => HashMap::new(),
    };
    // currency → (value → accumulated), plus the section totals kept apart
    // so that the reconciliation below checks two independent sums.
    let mut groups: BTreeMap<String, HashMap<Option<String>, Acc>> = BTreeMap::new();
    let mut totals: BTreeMap<String, (u64, Money)> = BTreeMap::new();
    for order in orders {
        if !is_paid_status(&order.status) || !in_window(order, opts) {
            continue;
        }
        let net = net_amount(order);
        let currency = currency_of(order);
        let total = totals.entry(currency.clone()).or_default();
        total.0 += 1;
        total.1 += net;

        let credited = match opts.model {
            Model::LastTouch => order_touch(order),
            Model::FirstTouch => match order.customer().and_then(|k| first.get(&k)) {
                Some(&i) if chrono_key(&orders[i]) <= chrono_key(order) => order_touch(&orders[i]),
                Some(_) => None,
                None => order_touch(order),
            },
        };
        let (value, origin) = match credited {
            Some((touch, origin)) => (clean(opts.by.pick(touch)).map(str::to_owned), Some(origin)),
            None => (None, None),
        };
        let acc = groups
            .entry(currency)
            .or_default()
            .entry(value.clone())
            .or_default();
        acc.orders += 1;
        acc.revenue += net;
        // An unattributed row counts no origin: its orders were credited to
        // no value, even when their touch lacked only this dimension.
        if value.is_some() {
            match origin {
                Some(TouchOrigin::Segmentflow) => acc.from_segmentflow += 1,
                Some(TouchOrigin::WooCommerce) => acc.from_woocommerce += 1,
                None => {}
            }
        }
    }

    let mut currencies = Vec::with_capacity(totals.len());
    for (currency, (count, revenue)) in totals {
        let mut rows: Vec<RevenueRow> = groups
            .remove(&currency)
            .unwrap_or_default()
            .into_iter()
            .map(|(value, acc)| RevenueRow {
                value,
                orders: acc.orders,
                revenue: acc.revenue,
                average_order_value: acc.revenue.div_round(acc.orders).unwrap_or(Money::ZERO),
                share: acc.revenue.share_of(revenue),
                from_segmentflow: acc.from_segmentflow,
                from_woocommerce: acc.from_woocommerce,
            })
            .collect();
        rows.sort_by(|a, b| {
            a.value
                .is_none()
                .cmp(&b.value.is_none())
                .then(b.revenue.cmp(&a.revenue))
                .then(b.orders.cmp(&a.orders))
                .then(a.value.cmp(&b.value))
        });
        debug_assert_eq!(rows.iter().map(|r| r.revenue).sum::<Money>(), revenue);
        currencies.push(CurrencySection {
            currency,
            orders: count,
            revenue,
            rows,
        });
    }
    Ok(RevenueReport {
        options: *opts,
        currencies,
    })
}

/// An amount as text with every significant decimal, at least two
/// (`12.50`, `0.125`): the exact value, so that rows printed this way add
/// up to the printed total to the last digit.
pub fn exact_text(amount: Money) -> String {
    let mut dp = 2;
    while dp < super::money::SCALE && Money::parse(&amount.format(dp)).ok() != Some(amount) {
        dp += 1;
    }
    amount.format(dp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn touch(campaign: &str, source: &str, medium: &str) -> Touch {
        let o = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Touch {
            campaign: o(campaign),
            source: o(source),
            medium: o(medium),
            content: None,
            term: None,
        }
    }

    struct O(OrderFact);

    impl O {
        fn new(id: u64, status: &str, total: &str) -> O {
            O(OrderFact {
                id,
                status: status.into(),
                currency: "USD".into(),
                total: m(total),
                created: Some(
                    ts("2025-01-01T00:00:00Z") + jiff::SignedDuration::from_hours(id as i64),
                ),
                ..OrderFact::default()
            })
        }
        fn user(mut self, id: u64) -> O {
            self.0.customer_id = id;
            self
        }
        fn email(mut self, e: &str) -> O {
            self.0.billing_email = e.into();
            self
        }
        fn refunded(mut self, r: &str) -> O {
            self.0.refunded = m(r);
            self
        }
        fn currency(mut self, c: &str) -> O {
            self.0.currency = c.into();
            self
        }
        fn sf(mut self, t: Touch) -> O {
            self.0.segmentflow_touch = Some(t);
            self
        }
        fn wc(mut self, t: Touch) -> O {
            self.0.wc_touch = Some(t);
            self
        }
        fn created(mut self, at: &str) -> O {
            self.0.created = Some(ts(at));
            self
        }
        fn paid(mut self, at: &str) -> O {
            self.0.paid = Some(ts(at));
            self
        }
    }

    fn run(orders: &[O], by: GroupBy, model: Model) -> RevenueReport {
        let facts: Vec<OrderFact> = orders.iter().map(|o| o.0.clone()).collect();
        attribute(
            &facts,
            &RevenueOptions {
                by,
                model,
                ..RevenueOptions::default()
            },
        )
        .unwrap()
    }

    /// The report as a small text table, for snapshots.
    fn render(report: &RevenueReport) -> String {
        let mut out = format!(
            "by={} model={}\n",
            report.options.by.as_str(),
            report.options.model.as_str()
        );
        for c in &report.currencies {
            let _ = writeln!(
                out,
                "[{}] orders={} revenue={}",
                c.currency,
                c.orders,
                exact_text(c.revenue)
            );
            for r in &c.rows {
                let _ = writeln!(
                    out,
                    "  {:<16} orders={} revenue={} aov={} share={} sf={} wc={}",
                    r.value.as_deref().unwrap_or("(unattributed)"),
                    r.orders,
                    exact_text(r.revenue),
                    r.average_order_value,
                    r.share.as_deref().unwrap_or("-"),
                    r.from_segmentflow,
                    r.from_woocommerce
                );
            }
        }
        out
    }

    fn check_reconciles(report: &RevenueReport) {
        for c in &report.currencies {
            assert_eq!(
                c.rows.iter().map(|r| r.revenue).sum::<Money>(),
                c.revenue,
                "{}",
                c.currency
            );
            assert_eq!(c.rows.iter().map(|r| r.orders).sum::<u64>(), c.orders);
        }
    }

    fn store() -> Vec<O> {
        vec![
            // Plugin touch wins over WooCommerce's.
            O::new(1, "wc-completed", "100.00")
                .user(1)
                .sf(touch("spring", "newsletter", "email"))
                .wc(touch("", "google", "cpc")),
            // Only WooCommerce's touch: the fallback.
            O::new(2, "wc-processing", "50.00")
                .email("Guest@Example.com")
                .wc(touch("", "google", "cpc")),
            // A plugin touch with only empty/placeholder values falls back.
            O::new(3, "completed", "30.00")
                .user(2)
                .sf(touch(" ", "", "(none)"))
                .wc(touch("retarget", "facebook", "paid_social")),
            // Partly refunded: counts for what was kept.
            O::new(4, "wc-completed", "80.00")
                .user(1)
                .refunded("-20.00")
                .sf(touch("spring", "newsletter", "email")),
            // Repeat order without touch.
            O::new(5, "wc-completed", "40.00").user(1),
            // Not paid: ignored whatever its touch.
            O::new(6, "wc-refunded", "999.00")
                .user(3)
                .sf(touch("spring", "x", "y")),
            O::new(7, "wc-pending", "999.00").user(3),
            O::new(8, "wc-on-hold", "999.00").sf(touch("spring", "x", "y")),
            // Another currency: its own section.
            O::new(9, "wc-completed", "70.00")
                .currency("eur")
                .user(4)
                .sf(touch("été", "instagram", "social")),
            O::new(10, "wc-completed", "12.345").currency("EUR").user(5),
            // A guest without email: no customer, only its own touch.
            O::new(11, "wc-completed", "10.00").wc(touch("", "bing", "cpc")),
        ]
    }

    #[test]
    fn last_touch_by_campaign_and_source() {
        let s = store();
        let mut out = String::new();
        for by in [GroupBy::Campaign, GroupBy::Source] {
            let r = run(&s, by, Model::LastTouch);
            check_reconciles(&r);
            out.push_str(&render(&r));
        }
        insta::assert_snapshot!(out);
    }

    #[test]
    fn first_touch_credits_the_customers_first_campaign() {
        let s = store();
        let r = run(&s, GroupBy::Campaign, Model::FirstTouch);
        check_reconciles(&r);
        insta::assert_snapshot!(render(&r));
        // Customer 1's untouched repeat order (5) goes to "spring".
        let usd = r.currency("USD").unwrap();
        let spring = usd
            .rows
            .iter()
            .find(|r| r.value.as_deref() == Some("spring"))
            .unwrap();
        assert_eq!((spring.orders, spring.revenue), (3, m("200.00")));
    }

    #[test]
    fn first_touch_never_credits_a_later_touch() {
        let s = vec![
            O::new(1, "wc-completed", "10").user(9),
            O::new(2, "wc-completed", "20")
                .user(9)
                .sf(touch("later", "a", "b")),
            O::new(3, "wc-completed", "30")
                .user(9)
                .sf(touch("third", "a", "b")),
            // An unpaid earlier order's touch still acquired the customer.
            O::new(4, "wc-completed", "5")
                .user(8)
                .created("2025-02-01T00:00:00Z"),
            O::new(5, "wc-failed", "5")
                .user(8)
                .created("2025-01-15T00:00:00Z")
                .sf(touch("failed-first", "a", "b")),
        ];
        let r = run(&s, GroupBy::Campaign, Model::FirstTouch);
        check_reconciles(&r);
        let usd = r.currency("USD").unwrap();
        let get = |v: Option<&str>| {
            usd.rows
                .iter()
                .find(|r| r.value.as_deref() == v)
                .map(|r| (r.orders, r.revenue))
        };
        assert_eq!(get(Some("later")), Some((2, m("50"))));
        assert_eq!(get(Some("third")), None);
        assert_eq!(get(Some("failed-first")), Some((1, m("5"))));
        assert_eq!(get(None), Some((1, m("10"))));
        // Last touch: each order its own.
        let r = run(&s, GroupBy::Campaign, Model::LastTouch);
        let usd = r.currency("USD").unwrap();
        assert_eq!(usd.rows.len(), 3, "{usd:?}");
        assert_eq!(usd.rows[2].value, None);
        assert_eq!(usd.rows[2].revenue, m("15"));
    }

    #[test]
    fn fallback_is_per_order_not_per_field() {
        let mut sf = touch("only-campaign", "", "");
        sf.term = None;
        let mut wc = touch("", "google", "cpc");
        wc.term = Some("shoes".into());
        let s = vec![O::new(1, "wc-completed", "10").sf(sf).wc(wc.clone())];
        let r = run(&s, GroupBy::Term, Model::LastTouch);
        let usd = r.currency("USD").unwrap();
        assert_eq!(usd.rows.len(), 1);
        assert_eq!(usd.rows[0].value, None);
        assert_eq!(
            usd.rows[0].from_segmentflow + usd.rows[0].from_woocommerce,
            0
        );
        // Without the plugin's touch, WooCommerce's term is used.
        let s = vec![O::new(1, "wc-completed", "10").wc(wc)];
        let r = run(&s, GroupBy::Term, Model::LastTouch);
        let row = &r.currencies[0].rows[0];
        assert_eq!(row.value.as_deref(), Some("shoes"));
        assert_eq!((row.from_segmentflow, row.from_woocommerce), (0, 1));
    }

    #[test]
    fn refunds_are_subtracted_whatever_their_sign() {
        let s = vec![
            O::new(1, "wc-completed", "100").refunded("-25.50"),
            O::new(2, "wc-completed", "100").refunded("25.50"),
            O::new(3, "wc-completed", "10").refunded("10"),
        ];
        let r = run(&s, GroupBy::Campaign, Model::LastTouch);
        let usd = r.currency("USD").unwrap();
        assert_eq!(usd.revenue, m("149.00"));
        assert_eq!(usd.orders, 3);
        assert_eq!(usd.rows[0].average_order_value.to_string(), "49.67");
    }

    #[test]
    fn currencies_are_never_added() {
        let s = store();
        let r = run(&s, GroupBy::Medium, Model::LastTouch);
        let codes: Vec<&str> = r.currencies.iter().map(|c| c.currency.as_str()).collect();
        assert_eq!(codes, ["EUR", "USD"]);
        assert_eq!(r.currency("EUR").unwrap().revenue, m("82.345"));
        assert_eq!(r.currency("USD").unwrap().revenue, m("290.00"));
        // Shares are of the row's own currency.
        let eur = r.currency("EUR").unwrap();
        assert_eq!(eur.rows[0].share.as_deref(), Some("85.0"));
        assert_eq!(exact_text(eur.revenue), "82.345");
    }

    #[test]
    fn windows_use_the_paid_date_else_the_created_date() {
        let s = [
            // Created before the window, paid inside: counted.
            O::new(1, "wc-completed", "1")
                .created("2025-01-31T23:00:00Z")
                .paid("2025-02-01T00:00:00Z"),
            // Created inside, paid after: not counted.
            O::new(2, "wc-completed", "2")
                .created("2025-02-10T00:00:00Z")
                .paid("2025-03-01T00:00:00Z"),
            // No paid date: the created date decides.
            O::new(3, "wc-completed", "4").created("2025-02-28T23:59:59Z"),
            O::new(4, "wc-completed", "8").created("2025-01-31T23:59:59Z"),
        ];
        let facts: Vec<OrderFact> = s.iter().map(|o| o.0.clone()).collect();
        let opts = RevenueOptions {
            since: Some(ts("2025-02-01T00:00:00Z")),
            until: Some(ts("2025-03-01T00:00:00Z")),
            ..RevenueOptions::default()
        };
        let r = attribute(&facts, &opts).unwrap();
        assert_eq!(r.currencies[0].revenue, m("5"));
        assert_eq!(r.currencies[0].orders, 2);
        // Open-ended windows.
        let since = RevenueOptions {
            since: Some(ts("2025-02-15T00:00:00Z")),
            ..RevenueOptions::default()
        };
        assert_eq!(
            attribute(&facts, &since).unwrap().currencies[0].revenue,
            m("6")
        );
        let until = RevenueOptions {
            until: Some(ts("2025-02-01T00:00:00Z")),
            ..RevenueOptions::default()
        };
        assert_eq!(
            attribute(&facts, &until).unwrap().currencies[0].revenue,
            m("8")
        );
        // An order without any date only counts without a window.
        let mut undated = O::new(5, "wc-completed", "16").0;
        undated.created = None;
        let mut all = facts.clone();
        all.push(undated);
        assert_eq!(
            attribute(&all, &since).unwrap().currencies[0].revenue,
            m("6")
        );
        let r = attribute(&all, &RevenueOptions::default()).unwrap();
        assert_eq!(r.currencies[0].revenue, m("31"));
        // An empty window is an error, naming both ends.
        let bad = RevenueOptions {
            since: Some(ts("2025-03-01T00:00:00Z")),
            until: Some(ts("2025-03-01T00:00:00Z")),
            ..RevenueOptions::default()
        };
        assert!(matches!(
            attribute(&facts, &bad),
            Err(RevenueError::EmptyWindow { .. })
        ));
    }

    #[test]
    fn an_empty_store_has_no_sections() {
        let r = attribute(&[], &RevenueOptions::default()).unwrap();
        assert!(r.currencies.is_empty());
        // Only unpaid orders: still nothing.
        let s = [O::new(1, "wc-pending", "5").0];
        assert!(
            attribute(&s, &RevenueOptions::default())
                .unwrap()
                .currencies
                .is_empty()
        );
        // A zero total has no share.
        let s = [O::new(1, "wc-completed", "0").0];
        let r = attribute(&s, &RevenueOptions::default()).unwrap();
        assert_eq!(r.currencies[0].rows[0].share, None);
    }

    #[test]
    fn names_parse() {
        for (text, want) in [
            ("campaign", GroupBy::Campaign),
            ("UTM_SOURCE", GroupBy::Source),
            (" medium ", GroupBy::Medium),
            ("content", GroupBy::Content),
            ("term", GroupBy::Term),
        ] {
            assert_eq!(text.parse::<GroupBy>().unwrap(), want);
        }
        assert!(matches!(
            "channel".parse::<GroupBy>(),
            Err(RevenueError::UnknownGroupBy(s)) if s == "channel"
        ));
        assert_eq!("first_touch".parse::<Model>().unwrap(), Model::FirstTouch);
        assert_eq!("last-touch".parse::<Model>().unwrap(), Model::LastTouch);
        assert!("linear".parse::<Model>().is_err());
    }

    #[test]
    fn exact_text_keeps_every_decimal() {
        for (amount, want) in [
            ("12.5", "12.50"),
            ("0.125", "0.125"),
            ("-3", "-3.00"),
            ("1.00000001", "1.00000001"),
        ] {
            assert_eq!(exact_text(m(amount)), want);
        }
    }
}
