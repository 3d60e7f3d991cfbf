//! "Talk to your data": English segment descriptions compiled to the rule
//! language, deterministically (no network, no model).
//!
//! [`compile`] reads a description such as *customers who bought twice
//! but haven't ordered in a month* and returns the [`Rule`] it means
//! (`paid_orders = 2 and paid_orders[last 30 days] = 0`), the conditions
//! only Segmentflow can evaluate (email opens and clicks, campaign
//! engagement: kept in the rule as `remote "…"` and listed in
//! [`Compiled::remote`], never dropped), the currency the query named, and
//! notes on how ambiguous words were read. The same text and as-of date
//! always give the same rule.
//!
//! ```
//! use jiff::civil::date;
//! use segmentflow_core::insight::query::compile;
//!
//! let q = compile("guests who ordered in the last 7 days", date(2026, 12, 7)).unwrap();
//! assert_eq!(q.rule.to_string(), "guest and paid_orders[last 7 days] >= 1");
//! assert!(q.remote.is_empty());
//!
//! let err = compile("customers who purchsed twice", date(2026, 12, 7)).unwrap_err();
//! assert_eq!(err.position(), Some(14));
//! assert!(err.to_string().contains("did you mean \"purchased\""));
//! ```
//!
//! # What it understands
//!
//! See `parser` for the grammar and `time` for how time phrases resolve
//! against the as-of date. In short, a subject (`customers`, `people`,
//! `guests`, `registered customers`, a pre-built segment: `VIP`, `new`,
//! `recent`, `repeat`, `loyal`, `one-time`, `churning`, `lapsed`,
//! `prospects`, `abandoned checkouts`, `discount shoppers`, and
//! `first-time buyers`) and clauses joined by `who`/`that`/`with`/`whose`/
//! `and`/`but` (and) or `or`:
//!
//! | English | rule |
//! |---|---|
//! | bought twice · at least 3 times · more than once · 3+ orders | `paid_orders = 2` · `>= 3` · `> 1` · `>= 3` |
//! | never ordered · with no orders | `paid_orders = 0` |
//! | spent over $500 · between 50 and 150 | `spend > 500.00` · `spend between 50.00 and 150.00` |
//! | an average order above 80 euros | `aov > 80.00` |
//! | in the last month · since January · this year · last week | `[last 30 days]` · `[since 2026-01-01]` · `[this year]` · `[last week]` |
//! | bought a hoodie · product SKU TSHIRT-RED · from the Shoes category | `bought product_name "hoodie"` · `product_sku "TSHIRT-RED"` · `category_name "Shoes"` |
//! | used a coupon · never used a coupon | `coupon_orders >= 1` · `coupon_orders = 0` |
//! | whose last order was refunded | `last_order_status in ("refunded")` |
//! | haven't opened an email in a month | `remote "did not open an email in the last 30 days"` |
//!
//! Reading choices (each also reported in [`Compiled::notes`] when it
//! applies): "orders" are paid orders (processing or completed); "twice"
//! is exactly two, "at least twice" two or more; a bare amount (`spent
//! $500`) is at least that; amounts are in the store's currency (the
//! rule language has none; the currency named is reported); "first-time
//! buyers" is the New Customers segment, or with a time, customers whose
//! first paid order falls in it; a product named without an article must
//! be plural (`bought hoodies`), and its name is matched without the `s`.
//!
//! # Errors
//!
//! Text the compiler cannot use is a [`QueryError`] carrying the byte
//! offset of the word it stopped at, what it expected there, the nearest
//! vocabulary word when the word looks misspelt, and a whole supported
//! query to copy ([`QueryError::pointer`] draws a caret under the word).

mod lexer;
mod lexicon;
mod lower;
mod parser;
mod time;

use jiff::civil::Date;

use super::rules::Rule;

/// The rule an English description compiles to, with what could not be
/// evaluated locally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    /// The rule, in the same language as the pre-built segments.
    pub rule: Rule,
    /// The conditions only Segmentflow can decide, in order of appearance:
    /// each is a `remote "…"` leaf of [`Compiled::rule`] too. Report them
    /// as "evaluated in Segmentflow, not locally".
    pub remote: Vec<RemoteCondition>,
    /// The currency the query's amounts were written in (`USD` for `$`,
    /// `EUR` for `euros`), if it named one. The rule compares amounts in
    /// the store's currency; a caller may warn when they differ.
    pub currency: Option<String>,
    /// How ambiguous words were read ("\"twice\" is read as exactly 2 paid
    /// orders…"), for the user.
    pub notes: Vec<String>,
}

impl Compiled {
    /// Whether the whole rule can be evaluated from the store.
    pub fn is_local(&self) -> bool {
        self.remote.is_empty()
    }
}

/// A condition of the query that Segmentflow evaluates, not the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCondition {
    /// The condition in canonical words, as in the rule's `remote "…"`
    /// (`did not open an email in the last 30 days`).
    pub description: String,
    /// The words of the query it came from (`haven't opened an email in a
    /// month`).
    pub phrase: String,
    /// Byte offset of the phrase in the query.
    pub start: usize,
    /// Byte offset just past the phrase.
    pub end: usize,
}

/// Why an English description could not be compiled. Every variant that
/// concerns a part of the text carries its byte offset (`at`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Nothing to compile.
    #[error("the query is empty; try \"customers who bought twice\"")]
    Empty,
    /// A word the compiler could not use where it stands.
    #[error(
        "could not use {word:?} at byte {at}: expected {expected}{}; try {example:?}",
        did_you_mean.as_ref().map(|w| format!("; did you mean {w:?}?")).unwrap_or_default()
    )]
    CannotUse {
        /// The word as written.
        word: String,
        /// Its byte offset.
        at: usize,
        /// What could stand there.
        expected: &'static str,
        /// The nearest vocabulary word, when this one looks misspelt.
        did_you_mean: Option<String>,
        /// A whole supported query using the expected words.
        example: String,
    },
    /// The text stops where more was needed.
    #[error("the query ends at byte {at} where it needs {expected}; try {example:?}")]
    Incomplete {
        /// The text's length.
        at: usize,
        /// What was needed.
        expected: &'static str,
        /// A whole supported query.
        example: String,
    },
    /// A date that does not exist (`2025-02-30`).
    #[error("{text:?} at byte {at} is not a real date")]
    BadDate {
        /// The date as written.
        text: String,
        /// Its byte offset.
        at: usize,
    },
    /// A currency symbol without an amount.
    #[error(
        "{text:?} at byte {at} is a currency symbol without an amount; try \"spent over $500\""
    )]
    BadAmount {
        /// The symbol.
        text: String,
        /// Its byte offset.
        at: usize,
    },
    /// Understood, but the rule language cannot say it.
    #[error("{what} at byte {at} is not supported: {why}")]
    Unsupported {
        /// What was asked.
        what: String,
        /// Its byte offset.
        at: usize,
        /// Why, and what to say instead.
        why: &'static str,
    },
    /// Amounts in two currencies.
    #[error("amounts in {first} and {second} (byte {at}) cannot be compared in one rule")]
    MixedCurrencies {
        /// The first currency named.
        first: String,
        /// The other one.
        second: String,
        /// Byte offset of the amount in the other currency.
        at: usize,
    },
    /// A pre-built segment the library does not define (a bug: the
    /// vocabulary and the segment list disagree).
    #[error("the pre-built segment {slug:?} is not defined")]
    UnknownSegment {
        /// Its slug.
        slug: String,
    },
}

impl QueryError {
    /// The byte offset in the query the error is about, if any.
    pub fn position(&self) -> Option<usize> {
        match self {
            QueryError::CannotUse { at, .. }
            | QueryError::Incomplete { at, .. }
            | QueryError::BadDate { at, .. }
            | QueryError::BadAmount { at, .. }
            | QueryError::Unsupported { at, .. }
            | QueryError::MixedCurrencies { at, .. } => Some(*at),
            QueryError::Empty | QueryError::UnknownSegment { .. } => None,
        }
    }

    /// The query with a caret under the position of the error, for a
    /// terminal (two lines; the query alone when the error has no
    /// position).
    ///
    /// ```
    /// use jiff::civil::date;
    /// use segmentflow_core::insight::query::compile;
    /// let q = "customers who bougth twice";
    /// let err = compile(q, date(2026, 12, 7)).unwrap_err();
    /// assert_eq!(err.pointer(q), "customers who bougth twice\n              ^");
    /// ```
    pub fn pointer(&self, query: &str) -> String {
        match self.position() {
            Some(at) => {
                let column = query.get(..at).map_or(at, |s| s.chars().count());
                format!("{query}\n{}^", " ".repeat(column))
            }
            None => query.to_string(),
        }
    }
}

/// Compiles an English segment description to a rule; time phrases
/// resolve against `as_of` (the evaluation date, counted as today).
///
/// Pure and deterministic: the same text and date give the same result.
pub fn compile(text: &str, as_of: Date) -> Result<Compiled, QueryError> {
    let tokens = lexer::tokenize(text)?;
    let mut parser = parser::Parser::new(&tokens, as_of, text.len());
    let clause = parser.parse_query()?;
    let mut extras = lower::Extras {
        notes: std::mem::take(&mut parser.notes),
        ..lower::Extras::default()
    };
    let rule = lower::lower(&clause, as_of, text, prebuilt, &mut extras)?;
    let currency = extras.currency.map(|(c, _)| c.to_string());
    if let Some(c) = &currency {
        extras.notes.push(format!(
            "amounts are compared in the store's currency; the query named {c}"
        ));
    }
    Ok(Compiled {
        rule,
        remote: extras.remote,
        currency,
        notes: extras.notes,
    })
}

/// The rule of a pre-built segment, by slug.
fn prebuilt(slug: &str) -> Option<Rule> {
    TEMP_prebuilt(slug)
}

#[cfg(test)]
mod tests;

// TEMP until seg-core's segments.rs is merged.
#[allow(non_snake_case)]
fn TEMP_prebuilt(slug: &str) -> Option<Rule> {
    use super::rules::{Amount, Comparison, Condition, Window};
    let po = |cmp| {
        Rule::Condition(Condition::PaidOrders {
            window: Window::Lifetime,
            cmp,
        })
    };
    Some(match slug {
        "new-customers" => Rule::Condition(Condition::FirstPaidDaysAgo(Comparison::Le(30))),
        "repeat-customers" => po(Comparison::Ge(2)),
        "lapsed-customers" => Rule::Condition(Condition::LastPaidDaysAgo(Comparison::Gt(180))),
        "vip-customers" => po(Comparison::Ge(2)).and(Rule::Condition(Condition::Spend {
            window: Window::LastDays(365),
            cmp: Comparison::Ge(Amount::StoreAov(crate::insight::Money::from_units(3))),
        })),
        _ => return None,
    })
}
