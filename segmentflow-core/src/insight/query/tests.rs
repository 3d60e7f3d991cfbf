//! Tests of the English compiler: the issue's 15 phrases (snapshots of the
//! printed rule and the remote parts), one table per phrase class, errors,
//! and the rule text round trip through the rule parser.

use jiff::civil::{Date, date};

use super::*;

/// A Monday, so that "last week" is the whole week before.
const AS_OF: Date = date(2026, 12, 7);

/// The issue's examples, in its order.
pub(super) const ISSUE_PHRASES: [&str; 15] = [
    "customers who bought twice but haven't ordered in a month",
    "repeat customers who spent more than $200 this year",
    "guests who ordered in the last 7 days",
    "customers who never used a coupon",
    "people who bought from the Accessories category but not in the last 90 days",
    "customers with an average order over 100",
    "first-time buyers from last week",
    "customers who bought twice but haven't opened an email in a month",
    "VIP customers",
    "customers who ordered at least 3 times since 2025-01-01",
    "customers who spent between 50 and 150",
    "lapsed customers who used a coupon",
    "registered customers with no orders",
    "customers who bought product SKU TSHIRT-RED",
    "customers whose last order was refunded",
];

fn rule_at(q: &str, as_of: Date) -> String {
    match compile(q, as_of) {
        Ok(c) => c.rule.to_string(),
        Err(e) => panic!("{q:?} did not compile: {e}"),
    }
}

fn rule(q: &str) -> String {
    rule_at(q, AS_OF)
}

fn err(q: &str) -> QueryError {
    match compile(q, AS_OF) {
        Ok(c) => panic!("{q:?} compiled to {}", c.rule),
        Err(e) => e,
    }
}

/// The report a user sees: rule, remote parts, currency, notes.
fn report(q: &str) -> String {
    let c = compile(q, AS_OF).unwrap();
    let mut out = format!("query: {q}\nas_of: {AS_OF}\nrule: {}\n", c.rule);
    if c.remote.is_empty() {
        out.push_str("remote: none (evaluated locally)\n");
    } else {
        out.push_str("remote (evaluated in Segmentflow, not locally):\n");
        for r in &c.remote {
            out.push_str(&format!(
                "  - {:?} from {:?} at bytes {}..{}\n",
                r.description, r.phrase, r.start, r.end
            ));
        }
    }
    out.push_str(&format!(
        "currency: {}\n",
        c.currency.as_deref().unwrap_or("none named")
    ));
    for n in &c.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}

#[test]
fn the_issue_phrases_compile_to_the_expected_rules() {
    let expected = [
        "paid_orders = 2 and paid_orders[last 30 days] = 0",
        "paid_orders >= 2 and spend[this year] > 200.00",
        "guest and paid_orders[last 7 days] >= 1",
        "coupon_orders = 0",
        r#"bought category_name "Accessories" and not bought[last 90 days] category_name "Accessories""#,
        "aov > 100.00",
        "first_paid_days between 1 and 7",
        r#"paid_orders = 2 and remote "did not open an email in the last 30 days""#,
        "paid_orders >= 2 and spend[last 365 days] >= 3 * store_aov",
        "paid_orders[since 2025-01-01] >= 3",
        "spend between 50.00 and 150.00",
        "last_paid_days > 180 and coupon_orders >= 1",
        "registered and paid_orders = 0",
        r#"bought product_sku "TSHIRT-RED""#,
        r#"last_order_status in ("refunded")"#,
    ];
    for (q, want) in ISSUE_PHRASES.iter().zip(expected) {
        assert_eq!(rule(q), want, "{q}");
    }
}

#[test]
fn the_issue_phrases_snapshot() {
    for (i, q) in ISSUE_PHRASES.iter().enumerate() {
        insta::assert_snapshot!(format!("issue_phrase_{:02}", i + 1), report(q));
    }
}

#[test]
fn only_the_email_phrase_has_a_remote_part() {
    for q in ISSUE_PHRASES {
        let c = compile(q, AS_OF).unwrap();
        let remote = c.rule.remote_parts();
        assert_eq!(remote.len(), c.remote.len(), "{q}");
        for (leaf, reported) in remote.iter().zip(&c.remote) {
            assert_eq!(leaf.description, reported.description);
            assert_eq!(&q[reported.start..reported.end], reported.phrase);
        }
        assert_eq!(c.is_local(), !q.contains("email"), "{q}");
    }
}

#[test]
fn compiled_rules_print_text_the_rule_parser_reads_back() {
    let more = [
        "VIP customers or loyal customers who bought a hoodie",
        "customers who clicked a campaign since January",
        "guests without a coupon who bought hoodies in 2025",
        "customers whose last order was more than 90 days ago",
        "customers with a refunded order in the last month",
        "\"quoted \\\" name\" buyers who bought a \"Red\" shirt",
    ];
    for q in ISSUE_PHRASES.iter().chain(&more) {
        let Ok(c) = compile(q, AS_OF) else { continue };
        let text = c.rule.to_string();
        assert_eq!(Rule::parse(&text).as_ref(), Ok(&c.rule), "{q} → {text}");
    }
}

#[test]
fn the_same_text_always_compiles_to_the_same_rule() {
    for q in ISSUE_PHRASES {
        assert_eq!(compile(q, AS_OF), compile(q, AS_OF));
    }
}

// --- phrase classes -----------------------------------------------------

#[test]
fn counts() {
    for (q, want) in [
        ("customers who bought once", "paid_orders = 1"),
        ("customers who bought twice", "paid_orders = 2"),
        ("customers who ordered three times", "paid_orders = 3"),
        ("customers who ordered 4 times", "paid_orders = 4"),
        ("customers who bought at least twice", "paid_orders >= 2"),
        ("customers who ordered at least 3 times", "paid_orders >= 3"),
        ("customers who bought more than once", "paid_orders > 1"),
        ("customers who ordered more than 5 times", "paid_orders > 5"),
        (
            "customers who ordered fewer than 3 times",
            "paid_orders < 3",
        ),
        ("customers who ordered at most 2 times", "paid_orders <= 2"),
        (
            "customers who ordered no more than 2 times",
            "paid_orders <= 2",
        ),
        ("customers who ordered exactly 3 times", "paid_orders = 3"),
        ("customers who ordered 3 or more times", "paid_orders >= 3"),
        ("customers who ordered 3+ times", "paid_orders >= 3"),
        ("customers with 3+ orders", "paid_orders >= 3"),
        ("customers with at least 3 orders", "paid_orders >= 3"),
        ("customers who placed at least 3 orders", "paid_orders >= 3"),
        ("customers who made a purchase", "paid_orders >= 1"),
        (
            "customers who placed an order this month",
            "paid_orders[this month] >= 1",
        ),
        (
            "customers who ordered between 2 and 4 times",
            "paid_orders between 2 and 4",
        ),
        ("customers who ordered multiple times", "paid_orders >= 2"),
        ("customers who bought repeatedly", "paid_orders >= 2"),
        ("customers who ordered >= 3 times", "paid_orders >= 3"),
        ("customers who never ordered", "paid_orders = 0"),
        ("customers who never bought", "paid_orders = 0"),
        ("customers with no orders", "paid_orders = 0"),
        ("customers without orders", "paid_orders = 0"),
        ("customers who ordered", "paid_orders >= 1"),
        ("customers who have not bought twice", "not paid_orders = 2"),
    ] {
        assert_eq!(rule(q), want, "{q}");
    }
    let c = compile("customers who bought twice", AS_OF).unwrap();
    assert!(c.notes[0].contains("exactly 2"), "{:?}", c.notes);
    assert!(
        compile("customers who bought at least twice", AS_OF)
            .unwrap()
            .notes
            .is_empty()
    );
}

#[test]
fn money() {
    for (q, want, currency) in [
        (
            "customers who spent over $500",
            "spend > 500.00",
            Some("USD"),
        ),
        (
            "customers who spent more than $1,000.50",
            "spend > 1000.50",
            Some("USD"),
        ),
        (
            "customers who spent at least 100 USD",
            "spend >= 100.00",
            Some("USD"),
        ),
        (
            "customers who spent under 80 euros",
            "spend < 80.00",
            Some("EUR"),
        ),
        (
            "customers who spent less than €20",
            "spend < 20.00",
            Some("EUR"),
        ),
        (
            "customers who spent 20£ or less",
            "spend <= 20.00",
            Some("GBP"),
        ),
        (
            "customers who spent between 50 and 150",
            "spend between 50.00 and 150.00",
            None,
        ),
        (
            "customers who spent between $150 and $50",
            "spend between 50.00 and 150.00",
            Some("USD"),
        ),
        ("customers who spent $500", "spend >= 500.00", Some("USD")),
        (
            "customers who spent $500 or more",
            "spend >= 500.00",
            Some("USD"),
        ),
        (
            "customers who spent a total of over 99.99",
            "spend > 99.99",
            None,
        ),
        (
            "customers whose total spend is above 300",
            "spend > 300.00",
            None,
        ),
        (
            "customers with a lifetime value over 1000",
            "spend > 1000.00",
            None,
        ),
        (
            "customers who spent over $500 in the last year",
            "spend[last 365 days] > 500.00",
            Some("USD"),
        ),
        (
            "customers with an average order above 80 euros",
            "aov > 80.00",
            Some("EUR"),
        ),
        (
            "customers with an average order value of at least 50",
            "aov >= 50.00",
            None,
        ),
        (
            "customers whose average order is under 20",
            "aov < 20.00",
            None,
        ),
        (
            "customers with an aov over 100 this year",
            "aov[this year] > 100.00",
            None,
        ),
    ] {
        let c = compile(q, AS_OF).unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(c.rule.to_string(), want, "{q}");
        assert_eq!(c.currency.as_deref(), currency, "{q}");
        if let Some(cur) = currency {
            assert!(
                c.notes.iter().any(|n| n.contains(cur)),
                "{q}: {:?}",
                c.notes
            );
        }
    }
    assert_eq!(
        err("customers who spent over $500 and an average order over 80 euros"),
        QueryError::MixedCurrencies {
            first: "USD".into(),
            second: "EUR".into(),
            at: 56
        }
    );
    assert!(matches!(
        err("customers who spent between $5 and 10 euros"),
        QueryError::MixedCurrencies { .. }
    ));
}

#[test]
fn time() {
    // 2026-12-07 is a Monday.
    for (q, want) in [
        (
            "customers who ordered in the last month",
            "paid_orders[last 30 days] >= 1",
        ),
        (
            "customers who ordered in the last 90 days",
            "paid_orders[last 90 days] >= 1",
        ),
        (
            "customers who ordered in the past 2 weeks",
            "paid_orders[last 14 days] >= 1",
        ),
        (
            "customers who ordered within 30 days",
            "paid_orders[last 30 days] >= 1",
        ),
        (
            "customers who ordered in the last week",
            "paid_orders[last 7 days] >= 1",
        ),
        (
            "customers who ordered in the past year",
            "paid_orders[last 365 days] >= 1",
        ),
        (
            "customers who ordered over the last 6 months",
            "paid_orders[last 180 days] >= 1",
        ),
        (
            "customers who ordered in the last couple of weeks",
            "paid_orders[last 14 days] >= 1",
        ),
        (
            "customers who ordered recently",
            "paid_orders[last 30 days] >= 1",
        ),
        (
            "customers who haven't ordered in a month",
            "paid_orders[last 30 days] = 0",
        ),
        (
            "customers who haven't ordered for 3 months",
            "paid_orders[last 90 days] = 0",
        ),
        (
            "customers who have not ordered in the last 90 days",
            "paid_orders[last 90 days] = 0",
        ),
        (
            "customers who ordered since January",
            "paid_orders[since 2026-01-01] >= 1",
        ),
        (
            "customers who ordered since March 2025",
            "paid_orders[since 2025-03-01] >= 1",
        ),
        (
            "customers who ordered since 2025-01-01",
            "paid_orders[since 2025-01-01] >= 1",
        ),
        (
            "customers who ordered since 2024",
            "paid_orders[since 2024-01-01] >= 1",
        ),
        (
            "customers who ordered since last month",
            "paid_orders[since 2026-11-01] >= 1",
        ),
        (
            "customers who ordered since 3 months ago",
            "paid_orders[since 2026-09-08] >= 1",
        ),
        (
            "customers who ordered since the start of the year",
            "paid_orders[since 2026-01-01] >= 1",
        ),
        (
            "customers who ordered this year",
            "paid_orders[this year] >= 1",
        ),
        (
            "customers who ordered this month",
            "paid_orders[this month] >= 1",
        ),
        (
            "customers who ordered this week",
            "paid_orders[this week] >= 1",
        ),
        ("customers who ordered today", "paid_orders[today] >= 1"),
        (
            "customers who ordered last week",
            "paid_orders[last week] >= 1",
        ),
        (
            "customers who ordered last month",
            "paid_orders[last month] >= 1",
        ),
        (
            "customers who ordered last year",
            "paid_orders[last year] >= 1",
        ),
        (
            "customers who ordered yesterday",
            "paid_orders[between 2026-12-06 and 2026-12-06] >= 1",
        ),
        (
            "customers who ordered in 2025",
            "paid_orders[between 2025-01-01 and 2025-12-31] >= 1",
        ),
        (
            "customers who ordered in February 2024",
            "paid_orders[between 2024-02-01 and 2024-02-29] >= 1",
        ),
        (
            "customers who ordered before 2025-01-01",
            "paid_orders[not since 2025-01-01] >= 1",
        ),
        (
            "customers who ordered after 2025-06-30",
            "paid_orders[since 2025-07-01] >= 1",
        ),
        (
            "customers who ordered after 2025",
            "paid_orders[since 2026-01-01] >= 1",
        ),
        (
            "customers who ordered between 2025-01-01 and 2025-03-31",
            "paid_orders[between 2025-01-01 and 2025-03-31] >= 1",
        ),
        (
            "customers who ordered from 2025-01-01 to 2025-03-31",
            "paid_orders[between 2025-01-01 and 2025-03-31] >= 1",
        ),
        (
            "customers who ordered on 2025-12-25",
            "paid_orders[between 2025-12-25 and 2025-12-25] >= 1",
        ),
    ] {
        assert_eq!(rule(q), want, "{q}");
    }
    // A month without a year is its latest occurrence, not a future one.
    assert_eq!(
        rule_at("customers who ordered since December", date(2026, 3, 15)),
        "paid_orders[since 2025-12-01] >= 1"
    );
    assert_eq!(
        rule_at("customers who ordered since March", date(2026, 3, 15)),
        "paid_orders[since 2026-03-01] >= 1"
    );
    // First-time buyers in a window become first-paid-order ages, computed
    // from the as-of date (a Wednesday here).
    assert_eq!(
        rule_at("first-time buyers from last week", date(2026, 12, 9)),
        "first_paid_days between 3 and 9"
    );
    assert_eq!(rule("first-time buyers this month"), "first_paid_days <= 6");
    assert_eq!(
        rule("first-time buyers in the last 14 days"),
        "first_paid_days <= 14"
    );
    assert_eq!(rule("first-time buyers"), "first_paid_days <= 30");
}

#[test]
fn products_and_categories() {
    for (q, want) in [
        (
            "customers who bought a hoodie",
            r#"bought product_name "hoodie""#,
        ),
        (
            "customers who bought a Blue Hoodie",
            r#"bought product_name "Blue Hoodie""#,
        ),
        (
            "customers who bought hoodies",
            r#"bought product_name "hoodie""#,
        ),
        (
            "customers who bought some hoodies",
            r#"bought product_name "hoodie""#,
        ),
        (
            "customers who purchased product SKU TSHIRT-RED",
            r#"bought product_sku "TSHIRT-RED""#,
        ),
        (
            "customers who bought sku woo-beanie",
            r#"bought product_sku "woo-beanie""#,
        ),
        ("customers who bought product id 42", "bought product_id 42"),
        ("customers who bought product 42", "bought product_id 42"),
        (
            "customers who bought from the Shoes category",
            r#"bought category_name "Shoes""#,
        ),
        (
            "customers who bought from the category Home Decor",
            r#"bought category_name "Home Decor""#,
        ),
        (
            "customers who bought something from the Home Decor category",
            r#"bought category_name "Home Decor""#,
        ),
        (
            "customers who bought a product in the Shoes category",
            r#"bought category_name "Shoes""#,
        ),
        (
            "customers who bought a hoodie in the last 30 days",
            r#"bought[last 30 days] product_name "hoodie""#,
        ),
        (
            "customers who bought a hoodie from the Clothing category",
            r#"bought product_name "hoodie" and bought category_name "Clothing""#,
        ),
        (
            "customers who never bought a hoodie",
            r#"not bought product_name "hoodie""#,
        ),
        (
            "customers who bought a hoodie but not this year",
            r#"bought product_name "hoodie" and not bought[this year] product_name "hoodie""#,
        ),
    ] {
        assert_eq!(rule(q), want, "{q}");
    }
    let c = compile("customers who bought hoodies", AS_OF).unwrap();
    assert!(
        c.notes.iter().any(|n| n.contains("\"hoodie\"")),
        "{:?}",
        c.notes
    );
    assert!(matches!(
        err("customers who bought a hoodie twice"),
        QueryError::Unsupported { at: 30, .. }
    ));
}

#[test]
fn statuses() {
    for (q, want) in [
        (
            "customers whose last order was refunded",
            r#"last_order_status in ("refunded")"#,
        ),
        (
            "customers whose last order was cancelled",
            r#"last_order_status in ("cancelled")"#,
        ),
        (
            "customers whose latest order is on hold",
            r#"last_order_status in ("on-hold")"#,
        ),
        (
            "customers whose most recent order was not completed",
            r#"not last_order_status in ("completed")"#,
        ),
        (
            "customers whose last order status is failed",
            r#"last_order_status in ("failed")"#,
        ),
        (
            "customers with a refunded order",
            r#"order_status in ("refunded")"#,
        ),
        (
            "customers with a failed order in the last 7 days",
            r#"order_status[last 7 days] in ("failed")"#,
        ),
        (
            "customers with refunded orders this year",
            r#"order_status[this year] in ("refunded")"#,
        ),
        (
            "customers whose last order was more than 90 days ago",
            "last_paid_days > 90",
        ),
        (
            "customers whose last order was over a month ago",
            "last_paid_days > 30",
        ),
        (
            "customers whose last order was less than 7 days ago",
            "last_paid_days < 7",
        ),
    ] {
        assert_eq!(rule(q), want, "{q}");
    }
}

#[test]
fn guests_and_registered() {
    for (q, want) in [
        ("guests", "guest"),
        (
            "guest customers who ordered this week",
            "guest and paid_orders[this week] >= 1",
        ),
        ("registered customers", "registered"),
        (
            "registered users who never ordered",
            "registered and paid_orders = 0",
        ),
        ("customers who are guests", "guest"),
        ("customers with an account", "registered"),
        ("customers without an account", "guest"),
        ("customers who are not registered", "guest"),
        ("customers who are not guests", "registered"),
    ] {
        assert_eq!(rule(q), want, "{q}");
    }
}

#[test]
fn coupons() {
    for (q, want) in [
        ("customers who used a coupon", "coupon_orders >= 1"),
        ("customers who never used a coupon", "coupon_orders = 0"),
        (
            "customers who haven't used a discount code",
            "coupon_orders = 0",
        ),
        (
            "customers who used coupons this year",
            "coupon_orders[this year] >= 1",
        ),
        (
            "customers who redeemed a voucher in the last 30 days",
            "coupon_orders[last 30 days] >= 1",
        ),
        ("customers with a coupon", "coupon_orders >= 1"),
        ("customers without a coupon", "coupon_orders = 0"),
        ("customers with no coupon", "coupon_orders = 0"),
    ] {
        assert_eq!(rule(q), want, "{q}");
    }
    assert!(matches!(
        err("customers who used coupon SUMMER10"),
        QueryError::Unsupported { at: 26, .. }
    ));
}

#[test]
fn prebuilt_segments_are_atoms() {
    let new = rule("new customers");
    assert_eq!(rule("first-time buyers"), new);
    assert_eq!(rule("first time buyers"), new);
    for (q, same_as) in [
        ("VIPs", "VIP customers"),
        ("vip buyers", "VIP customers"),
        ("returning customers", "repeat customers"),
        ("customers who are lapsed", "lapsed customers"),
        ("at-risk customers", "churning customers"),
        ("one-time buyers", "one time buyers"),
        ("cart abandoners", "abandoned checkouts"),
        ("customers who abandoned their cart", "abandoned checkouts"),
        ("deal hunters", "discount shoppers"),
    ] {
        assert_eq!(rule(q), rule(same_as), "{q}");
    }
    for (q, slug) in [
        ("new customers", "new-customers"),
        ("recent customers", "recent-customers"),
        ("repeat customers", "repeat-customers"),
        ("loyal customers", "loyal-customers"),
        ("VIP customers", "vip-customers"),
        ("one-time buyers", "one-time-buyers"),
        ("churning customers", "churning-customers"),
        ("lapsed customers", "lapsed-customers"),
        ("prospects", "prospects"),
        ("abandoned checkouts", "abandoned-checkouts"),
        ("discount shoppers", "discount-shoppers"),
    ] {
        let want = prebuilt(slug).unwrap_or_else(|| panic!("no segment {slug}"));
        assert_eq!(compile(q, AS_OF).unwrap().rule, want, "{q}");
    }
}

#[test]
fn combinations() {
    for (q, want) in [
        (
            "VIP customers or loyal customers",
            "(paid_orders >= 2 and spend[last 365 days] >= 3 * store_aov) or paid_orders[last 365 days] >= 5",
        ),
        (
            "guests who ordered this year and used a coupon",
            "guest and paid_orders[this year] >= 1 and coupon_orders >= 1",
        ),
        (
            "customers who bought twice, spent over 100 and never used a coupon",
            "paid_orders = 2 and spend > 100.00 and coupon_orders = 0",
        ),
        (
            "guests or registered customers with no orders",
            "guest or (registered and paid_orders = 0)",
        ),
        (
            "customers who bought a hoodie or bought a beanie",
            r#"bought product_name "hoodie" or bought product_name "beanie""#,
        ),
        (
            "show me all customers who ordered in the last 30 days but who did not use a coupon",
            "paid_orders[last 30 days] >= 1 and coupon_orders = 0",
        ),
        ("customers", "true"),
    ] {
        assert_eq!(rule(q), want, "{q}");
    }
}

#[test]
fn remote_conditions_are_kept_and_reported() {
    for (q, description) in [
        ("customers who opened an email", "opened an email"),
        (
            "customers who opened an email in the last 30 days",
            "opened an email in the last 30 days",
        ),
        (
            "customers who haven't opened an email in a month",
            "did not open an email in the last 30 days",
        ),
        (
            "customers who never opened our emails",
            "did not open emails",
        ),
        ("customers who clicked a campaign", "clicked a campaign"),
        (
            "customers who clicked a link in an email this week",
            "clicked a link this week",
        ),
        (
            "customers who engaged with a campaign since January",
            "engaged with a campaign since 2026-01-01",
        ),
        (
            "customers who didn't click any email",
            "did not click any email",
        ),
        ("customers who unsubscribed", "unsubscribed"),
    ] {
        let c = compile(q, AS_OF).unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(c.remote.len(), 1, "{q}");
        assert_eq!(c.remote[0].description, description, "{q}");
        assert_eq!(c.rule.to_string(), format!("remote {description:?}"), "{q}");
    }
    let c = compile(
        "VIP customers who clicked a campaign or opened an email this week",
        AS_OF,
    )
    .unwrap();
    assert_eq!(
        c.rule.to_string(),
        r#"(paid_orders >= 2 and spend[last 365 days] >= 3 * store_aov and remote "clicked a campaign") or remote "opened an email this week""#
    );
    assert_eq!(c.remote.len(), 2);
    assert_eq!(c.remote[1].phrase, "opened an email this week");
    // `but not` after a remote clause negates it in the new window.
    assert_eq!(
        rule("customers who opened an email but not in the last 30 days"),
        r#"remote "opened an email" and remote "did not open an email in the last 30 days""#
    );
}

// --- errors -------------------------------------------------------------

#[test]
fn misspelt_words_are_pointed_at_with_the_nearest_phrasing() {
    for (q, at, word, near) in [
        ("customers who purchsed twice", 14, "purchsed", "purchased"),
        ("customers who bougth twice", 14, "bougth", "bought"),
        ("customers who bought twcie", 21, "twcie", "twice"),
        ("custmers who bought twice", 0, "custmers", "customers"),
        ("customers who spnet over $500", 14, "spnet", "spent"),
        ("customers who used a copon", 21, "copon", "coupon"),
        (
            "customers whose last order was refundd",
            31,
            "refundd",
            "refunded",
        ),
        ("registred customers", 0, "registred", "registered"),
    ] {
        match err(q) {
            QueryError::CannotUse {
                word: w,
                at: a,
                did_you_mean,
                example,
                ..
            } => {
                assert_eq!((a, w.as_str()), (at, word), "{q}");
                assert_eq!(did_you_mean.as_deref(), Some(near), "{q}");
                assert!(example.contains(near), "{q}: {example}");
                // The example itself compiles.
                assert!(compile(&example, AS_OF).is_ok(), "{example}");
            }
            other => panic!("{q}: {other:?}"),
        }
    }
    let e = err("customers who purchsed twice");
    assert_eq!(
        e.to_string(),
        "could not use \"purchsed\" at byte 14: expected a condition such as \"bought twice\", \"spent over $500\" or \"used a coupon\"; did you mean \"purchased\"?; try \"customers who purchased a hoodie\""
    );
    assert_eq!(
        e.pointer("customers who purchsed twice"),
        "customers who purchsed twice\n              ^"
    );
}

#[test]
fn unusable_words_without_a_near_match_get_an_example() {
    match err("customers who bought xylophone") {
        QueryError::CannotUse {
            at,
            did_you_mean,
            example,
            ..
        } => {
            assert_eq!(at, 21);
            assert_eq!(did_you_mean, None);
            assert_eq!(example, "customers who bought a xylophone");
        }
        other => panic!("{other:?}"),
    }
    match err("customers who like cats") {
        QueryError::CannotUse { word, at, .. } => assert_eq!((word.as_str(), at), ("like", 14)),
        other => panic!("{other:?}"),
    }
    // A known word in the wrong place: no "did you mean", still an example.
    match err("customers who spent twice") {
        QueryError::CannotUse {
            word,
            at,
            did_you_mean,
            example,
            ..
        } => {
            assert_eq!((word.as_str(), at, did_you_mean), ("twice", 20, None));
            assert_eq!(example, "customers who spent over $500");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn incomplete_and_malformed_queries() {
    assert_eq!(err(""), QueryError::Empty);
    assert_eq!(err("  show me "), QueryError::Empty);
    for (q, at) in [
        ("customers who", 13),
        ("customers who spent", 19),
        ("customers who spent between 50 and", 34),
        ("customers who ordered since", 27),
        ("customers whose last order was", 30),
        ("customers who bought product SKU", 32),
    ] {
        let e = err(q);
        assert!(matches!(e, QueryError::Incomplete { .. }), "{q}: {e:?}");
        assert_eq!(e.position(), Some(at), "{q}");
    }
    assert_eq!(
        err("customers who ordered since 2025-02-30"),
        QueryError::BadDate {
            text: "2025-02-30".into(),
            at: 28
        }
    );
    assert!(matches!(
        err("customers who ordered since Blursday"),
        QueryError::CannotUse { at: 28, .. }
    ));
    assert!(matches!(
        err("VIP customers from last week"),
        QueryError::Unsupported { at: 14, .. }
    ));
    assert!(matches!(
        err("customers but not in the last 90 days"),
        QueryError::Unsupported { at: 14, .. }
    ));
    assert!(matches!(
        err("customers who bought from Accessories"),
        QueryError::CannotUse { at: 26, .. }
    ));
}
