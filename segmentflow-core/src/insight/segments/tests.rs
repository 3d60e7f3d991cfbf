//! Boundary tests of every pre-built segment, and snapshots of the rules
//! and of their evaluation over a small hand-built store.

use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::insight::input::{LineFact, OrderFact, PersonFact};
use crate::insight::rules::Rule;

/// The as-of instant of every test: midday, so "N days ago at the same
/// time" is N calendar days before.
fn as_of() -> Timestamp {
    "2025-06-30T12:00:00Z".parse().unwrap()
}

fn days_ago(d: i64) -> Timestamp {
    as_of() - SignedDuration::from_hours(24 * d)
}

fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

/// An order of user `user` (0 = guest with `email`).
fn order(id: u64, user: u64, email: &str, status: &str, age_days: i64, total: &str) -> OrderFact {
    OrderFact {
        id,
        customer_id: user,
        billing_email: email.into(),
        status: status.into(),
        created: Some(days_ago(age_days)),
        currency: "USD".into(),
        total: m(total),
        ..OrderFact::default()
    }
}

fn paid(id: u64, user: u64, age_days: i64, total: &str) -> OrderFact {
    order(id, user, "", "wc-completed", age_days, total)
}

/// Keys of the members of pre-built segment `slug`.
fn members_of(slug: &str, orders: &[OrderFact], people: &[PersonFact]) -> Vec<String> {
    let facts = Facts::build(orders, people, as_of());
    let rule = prebuilt(slug).unwrap().rule();
    let got = evaluate(&rule, &facts);
    assert!(got.undecided.is_empty());
    got.members
        .iter()
        .map(|&c| facts.key(c).to_string())
        .collect()
}

fn rule_members(rule: &str, orders: &[OrderFact], people: &[PersonFact]) -> Vec<String> {
    let facts = Facts::build(orders, people, as_of());
    let got = evaluate(&Rule::parse(rule).unwrap(), &facts);
    got.members
        .iter()
        .map(|&c| facts.key(c).to_string())
        .collect()
}

#[test]
fn prebuilt_rules_parse_and_print_as_written() {
    assert_eq!(PREBUILT.len(), 11);
    let mut slugs: Vec<_> = PREBUILT.iter().map(|s| s.slug).collect();
    slugs.sort_unstable();
    slugs.dedup();
    assert_eq!(slugs.len(), 11);
    let mut text = String::new();
    for s in &PREBUILT {
        let rule = Rule::parse(s.rule).unwrap_or_else(|e| panic!("{}: {e}", s.slug));
        assert_eq!(
            rule.to_string(),
            s.rule,
            "{} is not in canonical form",
            s.slug
        );
        assert_eq!(s.rule(), rule);
        text.push_str(&format!("{:<20} {:<20} {}\n", s.slug, s.name, rule));
    }
    insta::assert_snapshot!(text);
}

#[test]
fn new_customers_day_30_is_in_day_31_out() {
    let orders = [
        paid(1, 1, 30, "10"),
        paid(2, 2, 31, "10"),
        paid(3, 3, 0, "10"),
    ];
    assert_eq!(
        members_of("new-customers", &orders, &[]),
        ["user:1", "user:3"]
    );
    // New is about the first paid order: a second recent one does not help.
    let orders = [paid(1, 1, 31, "10"), paid(2, 1, 2, "10")];
    assert!(members_of("new-customers", &orders, &[]).is_empty());
    assert_eq!(members_of("recent-customers", &orders, &[]), ["user:1"]);
}

#[test]
fn recent_customers_day_30_is_in_day_31_out() {
    let orders = [paid(1, 1, 30, "10"), paid(2, 2, 31, "10")];
    assert_eq!(members_of("recent-customers", &orders, &[]), ["user:1"]);
}

#[test]
fn calendar_days_not_24_hour_periods() {
    // 30 days and 23 hours before 2025-06-30T12:00 is 2025-05-30T13:00,
    // on May 30: 31 calendar days before June 30.
    let mut o = paid(1, 1, 0, "10");
    o.created = Some(as_of() - SignedDuration::from_hours(24 * 30 + 23));
    assert!(members_of("recent-customers", &[o.clone()], &[]).is_empty());
    // 30 days and 11 hours ago is May 31, 01:00: 30 days.
    o.created = Some(as_of() - SignedDuration::from_hours(24 * 30 + 11));
    assert_eq!(members_of("recent-customers", &[o], &[]), ["user:1"]);
}

#[test]
fn repeat_needs_two_paid_orders_not_two_orders() {
    let orders = [
        paid(1, 1, 400, "10"),
        paid(2, 1, 3, "10"),
        paid(3, 2, 3, "10"),
        order(4, 2, "", "wc-cancelled", 2, "10"),
        order(5, 2, "", "wc-on-hold", 1, "10"),
        order(6, 3, "", "processing", 9, "10"),
        order(7, 3, "", "wc-processing", 8, "10"),
    ];
    assert_eq!(
        members_of("repeat-customers", &orders, &[]),
        ["user:1", "user:3"]
    );
}

#[test]
fn loyal_counts_five_paid_orders_at_most_365_days_old() {
    let mut orders: Vec<_> = (0..4).map(|i| paid(i, 1, 10 * i as i64, "5")).collect();
    orders.push(paid(10, 1, 365, "5"));
    orders.extend((0..4).map(|i| paid(20 + i, 2, 10 * i as i64, "5")));
    orders.push(paid(30, 2, 366, "5"));
    assert_eq!(members_of("loyal-customers", &orders, &[]), ["user:1"]);
}

/// A store whose average order value is exactly 100.00: user 1 has two
/// orders of `a` and `b`, four fillers of 75.00 by users 2–5.
fn vip_store(a: &str, b: &str) -> Vec<OrderFact> {
    let mut orders = vec![paid(1, 1, 10, a), paid(2, 1, 200, b)];
    orders.extend((2..6).map(|u| paid(u + 10, u, 50, "75")));
    orders
}

#[test]
fn vip_at_exactly_three_times_the_store_average() {
    let orders = vip_store("150", "150");
    let facts = Facts::build(&orders, &[], as_of());
    assert_eq!(facts.store_aov(), Some(m("100")));
    assert_eq!(members_of("vip-customers", &orders, &[]), ["user:1"]);
}

#[test]
fn refunds_reduce_spend_below_the_vip_threshold() {
    let mut orders = vip_store("150", "150");
    orders[0].refunded = m("0.01");
    let facts = Facts::build(&orders, &[], as_of());
    // (600 − 0.01) / 6 = 99.99833333…, rounded to 10⁻⁸.
    assert_eq!(facts.store_aov(), Some(m("99.99833333")));
    assert_eq!(facts.summary(0).spend, m("299.99"));
    assert!(members_of("vip-customers", &orders, &[]).is_empty());
}

#[test]
fn vip_counts_only_the_last_365_days_of_spend_and_needs_two_orders() {
    // 300 in total, but 150 of it 400 days ago.
    let mut orders = vip_store("150", "150");
    orders[1].created = Some(days_ago(400));
    assert!(members_of("vip-customers", &orders, &[]).is_empty());
    // One big order is not enough.
    let mut orders = vec![paid(1, 1, 3, "1000")];
    orders.extend((2..6).map(|u| paid(u + 10, u, 50, "10")));
    assert!(members_of("vip-customers", &orders, &[]).is_empty());
    // A store without paid orders has no average and no VIPs.
    let orders = [order(1, 1, "", "wc-pending", 1, "10")];
    assert!(members_of("vip-customers", &orders, &[]).is_empty());
}

#[test]
fn one_time_buyers_exactly_one_paid_order_older_than_30_days() {
    let orders = [
        paid(1, 1, 30, "10"),
        paid(2, 2, 31, "10"),
        paid(3, 3, 31, "10"),
        paid(4, 3, 40, "10"),
        paid(5, 4, 31, "10"),
        order(6, 4, "", "wc-refunded", 5, "10"),
    ];
    assert_eq!(
        members_of("one-time-buyers", &orders, &[]),
        ["user:2", "user:4"]
    );
}

#[test]
fn churning_is_91_to_180_days_and_lapsed_beyond() {
    let two = |user: u64, last: i64| {
        [
            paid(user * 10, user, 400, "10"),
            paid(user * 10 + 1, user, last, "10"),
        ]
    };
    let orders: Vec<_> = [(1, 90), (2, 91), (3, 180), (4, 181)]
        .into_iter()
        .flat_map(|(u, d)| two(u, d))
        .chain([paid(50, 5, 120, "10")])
        .collect();
    assert_eq!(
        members_of("churning-customers", &orders, &[]),
        ["user:2", "user:3"]
    );
    assert_eq!(members_of("lapsed-customers", &orders, &[]), ["user:4"]);
}

#[test]
fn prospects_are_known_people_who_never_paid() {
    let people = [
        PersonFact {
            user_id: 7,
            email: "reg@example.com".into(),
            ..PersonFact::default()
        },
        PersonFact {
            user_id: 8,
            email: "buyer@example.com".into(),
            ..PersonFact::default()
        },
        PersonFact {
            user_id: 0,
            email: "Lead@Example.com".into(),
            ..PersonFact::default()
        },
    ];
    let orders = [
        paid(1, 8, 3, "10"),
        order(2, 0, "cart@example.com", "wc-failed", 2, "10"),
        order(3, 0, "LEAD@example.com", "wc-cancelled", 20, "10"),
        order(4, 0, "", "wc-pending", 1, "10"),
    ];
    assert_eq!(
        members_of("prospects", &orders, &people),
        ["user:7", "guest:lead@example.com", "guest:cart@example.com"]
    );
}

#[test]
fn abandoned_checkouts_in_the_last_7_days_without_a_later_paid_order() {
    let orders = [
        order(1, 1, "", "wc-pending", 7, "10"),
        order(2, 2, "", "wc-pending", 8, "10"),
        order(3, 3, "", "wc-failed", 3, "10"),
        paid(4, 3, 2, "10"),
        paid(5, 4, 5, "10"),
        order(6, 4, "", "wc-checkout-draft", 3, "10"),
        order(7, 5, "", "wc-cancelled", 1, "10"),
        order(8, 6, "", "wc-on-hold", 1, "10"),
    ];
    assert_eq!(
        members_of("abandoned-checkouts", &orders, &[]),
        ["user:1", "user:4"]
    );
}

#[test]
fn discount_shoppers_at_exactly_half() {
    let with = |mut o: OrderFact| {
        o.coupons = vec!["save10".into()];
        o
    };
    let orders = [
        with(paid(1, 1, 3, "10")),
        paid(2, 1, 4, "10"),
        with(paid(3, 2, 3, "10")),
        paid(4, 2, 4, "10"),
        paid(5, 2, 5, "10"),
        // Coupons on unpaid orders do not count.
        with(order(6, 3, "", "wc-pending", 1, "10")),
        paid(7, 3, 5, "10"),
        with(paid(8, 4, 5, "10")),
    ];
    assert_eq!(
        members_of("discount-shoppers", &orders, &[]),
        ["user:1", "user:4"]
    );
}

#[test]
fn guest_emails_are_one_customer_whatever_their_case() {
    let orders = [
        order(1, 0, "Ana@Example.COM", "wc-completed", 3, "10"),
        order(2, 0, "  ana@example.com ", "wc-completed", 50, "10"),
        order(3, 0, "Zoë@Example.com", "wc-completed", 3, "10"),
        order(4, 0, "ZOË@example.com", "wc-completed", 4, "10"),
    ];
    assert_eq!(
        members_of("repeat-customers", &orders, &[]),
        ["guest:ana@example.com", "guest:zoë@example.com"]
    );
}

#[test]
fn future_orders_are_ignored() {
    let mut later = paid(2, 1, 0, "1000");
    later.created = Some(as_of() + SignedDuration::from_secs(1));
    let orders = [paid(1, 1, 40, "10"), later, paid(3, 2, 40, "10")];
    assert_eq!(
        members_of("one-time-buyers", &orders, &[]),
        ["user:1", "user:2"]
    );
    let facts = Facts::build(&orders, &[], as_of());
    assert_eq!(facts.store_totals(), (m("20"), 2));
    assert_eq!(facts.summary(0).orders, 1);
}

#[test]
fn orders_without_a_creation_date_use_the_paid_date_or_are_skipped() {
    let mut a = paid(1, 1, 0, "10");
    a.created = None;
    a.paid = Some(days_ago(45));
    let mut b = paid(2, 2, 0, "10");
    b.created = None;
    let orders = [a, b];
    assert_eq!(members_of("one-time-buyers", &orders, &[]), ["user:1"]);
    assert_eq!(members_of("prospects", &orders, &[]), Vec::<String>::new());
}

#[test]
fn conditions_beyond_the_prebuilt_ones() {
    let line = |pid: u64, sku: &str, name: &str, cat: &str, cat_name: &str| LineFact {
        product_id: pid,
        sku: sku.into(),
        name: name.into(),
        category_slugs: vec![cat.into()],
        category_names: vec![cat_name.into()],
        quantity: 1,
        ..LineFact::default()
    };
    let mut o1 = paid(1, 1, 100, "120");
    o1.lines = vec![line(10, "TSHIRT-RED", "T-Shirt Red", "tops", "Tops")];
    let mut o2 = paid(2, 2, 20, "40");
    o2.lines = vec![
        line(11, "HOOD-1", "Blue Hoodie", "tops", "Tops"),
        line(12, "BELT", "Belt", "accessories", "Accessories"),
    ];
    let mut o3 = paid(3, 3, 200, "60");
    o3.lines = vec![line(12, "BELT", "Belt", "accessories", "Accessories")];
    let o4 = order(4, 3, "", "wc-refunded", 5, "60");
    let mut o5 = order(5, 4, "", "wc-pending", 1, "500");
    o5.lines = vec![line(12, "BELT", "Belt", "accessories", "Accessories")];
    let orders = [o1, o2, o3, o4, o5];
    let q = |r: &str| rule_members(r, &orders, &[]);
    assert_eq!(q(r#"bought product_sku "tshirt-red""#), ["user:1"]);
    assert_eq!(q(r#"bought product_name "hoodie""#), ["user:2"]);
    assert_eq!(q("bought product_id 12"), ["user:2", "user:3"]);
    assert_eq!(
        q(
            r#"bought category_name "accessories" and not bought[last 90 days] category_slug "accessories""#
        ),
        ["user:3"]
    );
    assert_eq!(
        q(r#"bought[not last 90 days] category_slug "accessories""#),
        ["user:3"]
    );
    assert_eq!(q(r#"last_order_status = "refunded""#), ["user:3"]);
    assert_eq!(
        q(r#"order_status[last 7 days] in ("wc-refunded")"#),
        ["user:3"]
    );
    assert_eq!(q("aov > 50"), ["user:1", "user:3"]);
    assert_eq!(q("aov between 40 and 60"), ["user:2", "user:3"]);
    assert_eq!(q("spend[this year] >= 40"), ["user:1", "user:2"]);
    assert_eq!(q("paid_orders[this month] = 1"), ["user:2"]);
    assert!(q("paid_orders[last month] >= 1").is_empty());
    assert_eq!(
        q("paid_orders[since 2025-01-01] >= 1"),
        ["user:1", "user:2"]
    );
    assert_eq!(q("paid_orders[last year] >= 1"), ["user:3"]);
    assert_eq!(
        q("paid_orders[between 2025-03-22 and 2025-03-22] >= 1"),
        ["user:1"]
    );
    assert_eq!(
        q("coupon_orders = 0 and paid_orders >= 1"),
        ["user:1", "user:2", "user:3"]
    );
    assert_eq!(q("registered and paid_orders = 0"), ["user:4"]);
    assert_eq!(q("guest"), Vec::<String>::new());
}

#[test]
fn calendar_windows_resolve_against_the_as_of_date() {
    // 2025-06-30 is a Monday: this week is that day alone, last week is
    // June 23–29.
    let orders = [
        paid(1, 1, 0, "10"),
        paid(2, 2, 1, "10"),
        paid(3, 3, 7, "10"),
        paid(4, 4, 8, "10"),
        paid(5, 5, 29, "10"),
        paid(6, 6, 30, "10"),
    ];
    let q = |r: &str| rule_members(r, &orders, &[]);
    assert_eq!(q("paid_orders[this week] >= 1"), ["user:1"]);
    assert_eq!(q("paid_orders[today] >= 1"), ["user:1"]);
    assert_eq!(q("paid_orders[last week] >= 1"), ["user:2", "user:3"]);
    assert_eq!(
        q("paid_orders[this month] >= 1"),
        ["user:1", "user:2", "user:3", "user:4", "user:5"]
    );
    assert_eq!(q("paid_orders[last month] >= 1"), ["user:6"]);
    assert_eq!(
        q("paid_orders[last 7 days] >= 1"),
        ["user:1", "user:2", "user:3"]
    );
}

#[test]
fn remote_conditions_leave_customers_undecided_not_dropped() {
    let orders = [
        paid(1, 1, 3, "10"),
        paid(2, 1, 4, "10"),
        paid(3, 2, 3, "10"),
    ];
    let facts = Facts::build(&orders, &[], as_of());
    let rule =
        Rule::parse(r#"paid_orders >= 2 and not remote "opened an email in the last 30 days""#)
            .unwrap();
    let got = evaluate(&rule, &facts);
    assert_eq!(got.members, Vec::<u32>::new());
    assert_eq!(got.undecided, [0]);
    let rule = Rule::parse(r#"paid_orders >= 2 or remote "clicked""#).unwrap();
    let got = evaluate(&rule, &facts);
    assert_eq!((got.members, got.undecided), (vec![0], vec![1]));
}

/// A small store with one customer in each segment (and some in several).
fn small_store() -> (Vec<OrderFact>, Vec<PersonFact>) {
    let mut orders = vec![
        paid(1, 1, 5, "40"),  // new, recent
        paid(2, 2, 20, "60"), // repeat, recent
        paid(3, 2, 300, "60"),
        order(4, 0, "Guest@Shop.test", "wc-completed", 45, "25"), // one-time
        paid(5, 3, 120, "80"),                                    // churning
        paid(6, 3, 500, "80"),
        paid(7, 4, 400, "30"),                         // lapsed, one-time
        order(8, 5, "", "wc-checkout-draft", 2, "99"), // abandoned, prospect
    ];
    for i in 0..5 {
        // loyal, VIP, discount shopper
        let mut o = paid(100 + i, 6, 10 + 60 * i as i64, "90");
        if i % 2 == 0 {
            o.coupons = vec!["vip".into()];
        }
        orders.push(o);
    }
    let people = vec![PersonFact {
        user_id: 9,
        email: "lead@shop.test".into(),
        ..PersonFact::default()
    }];
    (orders, people)
}

#[test]
fn evaluation_over_a_small_store() {
    let (orders, people) = small_store();
    let facts = Facts::build(&orders, &people, as_of());
    let rules: Vec<Rule> = PREBUILT.iter().map(Segment::rule).collect();
    let all = evaluate_all(&rules, &facts);
    let mut text = format!(
        "store aov: {} ({} paid orders)\n",
        facts.store_aov().unwrap(),
        facts.store_totals().1
    );
    for (s, got) in PREBUILT.iter().zip(&all) {
        let keys: Vec<String> = got
            .members
            .iter()
            .map(|&c| facts.key(c).to_string())
            .collect();
        text.push_str(&format!("{:<20} {}\n", s.slug, keys.join(", ")));
        // The one-pass evaluation agrees with evaluating each alone.
        assert_eq!(*got, evaluate(&s.rule(), &facts), "{}", s.slug);
    }
    insta::assert_snapshot!(text);
}
