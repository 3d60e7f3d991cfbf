//! The grammar of the English the compiler accepts, read by recursive
//! descent into [`Clause`]s: what each part of the sentence means, before
//! it is written in the rule language (see `lower`).
//!
//! A query is a subject (`customers`, `people`, `guests`, `registered
//! customers`, a pre-built segment such as `VIP customers` or `lapsed
//! customers`) followed by clauses joined by `who`, `that`, `with`,
//! `whose`, `and`, `but`, commas (all meaning *and*) or `or` (which binds
//! looser than *and*). A clause is one condition, possibly negated
//! (`not`, `never`, `haven't`, `no`, `without`):
//!
//! * ordering: `bought|ordered|purchased|shopped|placed … orders` with a
//!   count (`twice`, `at least 3 times`, `more than once`, `3+ orders`), a
//!   time (`in the last 90 days`, `since January`, `this year`) and what
//!   was bought (`a hoodie`, `product SKU TSHIRT-RED`, `from the Shoes
//!   category`), in any order;
//! * spending: `spent over $500`, `spent between 50 and 150 this year`,
//!   `total spend above 1,000 euros`; `an average order over 100`;
//! * coupons: `used a coupon`, `with a discount code`;
//! * statuses: `whose last order was refunded`, `with a failed order in
//!   the last 7 days`;
//! * registered or guest: `guests`, `registered customers`, `with an
//!   account`;
//! * remote engagement: `opened an email`, `clicked a campaign`,
//!   `engaged with a campaign`, `unsubscribed`.
//!
//! A time phrase on its own applies to the clause before it (`first-time
//! buyers from last week`); `not` + a time phrase negates the clause before
//! it in that window (`bought from the Accessories category but not in the
//! last 90 days`).

use jiff::civil::Date;

use super::QueryError;
use super::lexer::{Tok, Token};
use super::lexicon;
use super::time;
use crate::insight::money::Money;
use crate::insight::rules::{Comparison, Item, Window};

/// Words that introduce or join clauses (all meaning *and*).
const CONNECTORS: &[&str] = &[
    "who", "that", "which", "and", "but", "with", "whose", "where", "also", "while", "yet",
    "having",
];

/// Nouns that name everyone (the subject of most queries).
const SUBJECTS: &[&str] = &[
    "customers",
    "customer",
    "people",
    "persons",
    "person",
    "users",
    "user",
    "buyers",
    "buyer",
    "shoppers",
    "shopper",
    "clients",
    "client",
    "purchasers",
    "purchaser",
    "contacts",
    "contact",
    "everyone",
    "everybody",
    "anyone",
    "anybody",
    "those",
    "ones",
];

/// Auxiliary verbs and fillers that carry no meaning here.
const FILLERS: &[&str] = &[
    "have",
    "has",
    "had",
    "did",
    "do",
    "does",
    "are",
    "is",
    "was",
    "were",
    "been",
    "be",
    "ever",
    "also",
    "all",
    "only",
    "currently",
    "still",
    "actually",
    "already",
    "got",
    "just",
];

/// Words that end a product name (`bought a hoodie in the last week`).
const NAME_STOPS: &[&str] = &[
    "who",
    "that",
    "which",
    "and",
    "but",
    "or",
    "with",
    "whose",
    "where",
    "from",
    "in",
    "within",
    "during",
    "since",
    "before",
    "after",
    "this",
    "last",
    "past",
    "over",
    "on",
    "at",
    "more",
    "less",
    "fewer",
    "than",
    "for",
    "not",
    "never",
    "twice",
    "once",
    "thrice",
    "times",
    "time",
    "recently",
    "today",
    "yesterday",
    "ever",
    "between",
    "exactly",
    "again",
    "multiple",
    "several",
    "repeatedly",
    "category",
    "categories",
];

/// Pre-built segments named in a query: the words, and the segment slug.
/// A segment adjective may be followed by a subject noun (`lapsed
/// customers`, `VIP buyers`).
const SEGMENTS: &[(&[&str], &str)] = &[
    (&["vip"], "vip-customers"),
    (&["vips"], "vip-customers"),
    (&["new"], "new-customers"),
    (&["recent"], "recent-customers"),
    (&["repeat"], "repeat-customers"),
    (&["returning"], "repeat-customers"),
    (&["loyal"], "loyal-customers"),
    (&["one-time"], "one-time-buyers"),
    (&["one", "time"], "one-time-buyers"),
    (&["churning"], "churning-customers"),
    (&["at-risk"], "churning-customers"),
    (&["at", "risk"], "churning-customers"),
    (&["lapsed"], "lapsed-customers"),
    (&["prospects"], "prospects"),
    (&["prospective"], "prospects"),
    (&["abandoned", "checkouts"], "abandoned-checkouts"),
    (&["abandoned", "checkout"], "abandoned-checkouts"),
    (&["abandoned", "carts"], "abandoned-checkouts"),
    (&["abandoned", "a", "checkout"], "abandoned-checkouts"),
    (&["abandoned", "their", "checkout"], "abandoned-checkouts"),
    (&["abandoned", "their", "cart"], "abandoned-checkouts"),
    (&["abandoned", "a", "cart"], "abandoned-checkouts"),
    (&["cart", "abandoners"], "abandoned-checkouts"),
    (&["checkout", "abandoners"], "abandoned-checkouts"),
    (&["discount", "shoppers"], "discount-shoppers"),
    (&["deal", "hunters"], "discount-shoppers"),
    (&["bargain", "hunters"], "discount-shoppers"),
];

/// Words for "first-time buyers" (see [`Clause::FirstTime`]).
const FIRST_TIME: &[&[&str]] = &[
    &["first-time"],
    &["first", "time"],
    &["first-timers"],
    &["first", "timers"],
];

/// An amount compared in a spend or average condition, with the currency
/// the query named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Amount {
    /// The comparison on the amount.
    pub cmp: Comparison<Money>,
    /// `USD`, `EUR`… when the query named one.
    pub currency: Option<&'static str>,
    /// Byte offset of the amount.
    pub at: usize,
}

/// Email engagement Segmentflow knows and the store does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteEvent {
    /// Past tense (`opened`).
    pub past: &'static str,
    /// Bare form for negation (`open`).
    pub base: &'static str,
    /// What was engaged with (`an email`, `a campaign`), may be empty.
    pub object: String,
}

/// What one part of the query means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Clause {
    /// The subject `customers`, `people`: no condition.
    Everyone,
    /// Every clause holds.
    And(Vec<Clause>),
    /// One of the clauses holds.
    Or(Vec<Clause>),
    /// The clause does not hold.
    Not(Box<Clause>),
    /// A pre-built segment, by slug.
    Segment(&'static str),
    /// "First-time buyers": the first paid order falls in the window (no
    /// window: the pre-built New Customers segment).
    FirstTime(Option<Window>),
    /// Paid orders in the window.
    Orders {
        /// Which orders; `None` is lifetime.
        window: Option<Window>,
        /// The count.
        cmp: Comparison<u64>,
    },
    /// Bought items (each must match) in the window.
    Bought {
        /// Which orders; `None` is lifetime.
        window: Option<Window>,
        /// What was bought.
        items: Vec<Item>,
    },
    /// Net spend in the window.
    Spend {
        /// Which orders; `None` is lifetime.
        window: Option<Window>,
        /// The amount.
        amount: Amount,
    },
    /// Average order value.
    Average {
        /// Which orders; `None` is lifetime.
        window: Option<Window>,
        /// The amount.
        amount: Amount,
    },
    /// Paid orders with a coupon in the window (at least one).
    Coupon {
        /// Which orders; `None` is lifetime.
        window: Option<Window>,
    },
    /// An order with one of these statuses in the window.
    Status {
        /// Which orders; `None` is lifetime.
        window: Option<Window>,
        /// Bare statuses.
        statuses: Vec<String>,
    },
    /// The most recent order has one of these statuses.
    LastStatus(Vec<String>),
    /// Days since the last paid order.
    LastPaidDays(Comparison<u64>),
    /// A registered customer.
    Registered,
    /// A guest.
    Guest,
    /// Remote engagement, possibly negated.
    Remote {
        /// The event.
        event: RemoteEvent,
        /// Whether the query says it did *not* happen.
        negated: bool,
        /// When; `None` is ever.
        window: Option<Window>,
        /// Byte span of the words in the query.
        span: (usize, usize),
    },
}

impl Clause {
    /// Puts a time phrase that followed this clause on it; false when the
    /// clause has no window or already has one.
    fn set_window(&mut self, w: Window) -> bool {
        match self {
            Clause::FirstTime(slot)
            | Clause::Orders { window: slot, .. }
            | Clause::Bought { window: slot, .. }
            | Clause::Spend { window: slot, .. }
            | Clause::Average { window: slot, .. }
            | Clause::Coupon { window: slot, .. }
            | Clause::Status { window: slot, .. }
            | Clause::Remote { window: slot, .. } => {
                if slot.is_some() {
                    return false;
                }
                *slot = Some(w);
                true
            }
            Clause::Not(inner) => inner.set_window(w),
            _ => false,
        }
    }

    /// The same clause in another window, for `… but not in the last 90
    /// days`: a count becomes "any order" (`bought twice but not this
    /// year` means no order this year).
    fn in_window(&self, w: Window) -> Option<Clause> {
        let w = Some(w);
        Some(match self {
            Clause::Orders { .. } => Clause::Orders {
                window: w,
                cmp: Comparison::Ge(1),
            },
            Clause::Bought { items, .. } => Clause::Bought {
                window: w,
                items: items.clone(),
            },
            Clause::Spend { amount, .. } => Clause::Spend {
                window: w,
                amount: amount.clone(),
            },
            Clause::Coupon { .. } => Clause::Coupon { window: w },
            Clause::Status { statuses, .. } => Clause::Status {
                window: w,
                statuses: statuses.clone(),
            },
            Clause::Remote {
                event,
                negated,
                span,
                ..
            } => Clause::Remote {
                event: event.clone(),
                negated: *negated,
                window: w,
                span: *span,
            },
            Clause::Not(inner) => inner.in_window(w.unwrap_or(Window::Lifetime))?,
            _ => return None,
        })
    }
}

/// What a unit of the sentence turned out to be.
enum Unit {
    /// A condition.
    Clause(Clause),
    /// A bare time phrase (applies to the clause before it).
    Time(Window, usize),
    /// `not` + a time phrase (negates the clause before it in that window).
    NotTime(Window, usize),
}

/// The parser state: tokens, position, as-of date, notes for the user.
pub(crate) struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    as_of: Date,
    text_len: usize,
    /// How ambiguous words were read, for the user.
    pub notes: Vec<String>,
}

impl<'a> Parser<'a> {
    /// A parser over `toks` (from a text `text_len` bytes long).
    pub(crate) fn new(toks: &'a [Token], as_of: Date, text_len: usize) -> Parser<'a> {
        Parser {
            toks,
            pos: 0,
            as_of,
            text_len,
            notes: Vec::new(),
        }
    }

    // --- token access -------------------------------------------------

    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    fn word_at(&self, k: usize) -> Option<&'a str> {
        self.toks.get(self.pos + k).and_then(Token::word)
    }

    fn word(&self) -> Option<&'a str> {
        self.word_at(0)
    }

    fn is(&self, w: &str) -> bool {
        self.word() == Some(w)
    }

    fn is_any(&self, ws: &[&str]) -> bool {
        self.word().is_some_and(|w| ws.contains(&w))
    }

    fn eat(&mut self, w: &str) -> bool {
        if self.is(w) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_any(&mut self, ws: &[&str]) -> Option<&'a str> {
        let w = self.word().filter(|w| ws.contains(w))?;
        self.pos += 1;
        Some(w)
    }

    fn eat_seq(&mut self, ws: &[&str]) -> bool {
        if ws
            .iter()
            .enumerate()
            .all(|(k, w)| self.word_at(k) == Some(*w))
        {
            self.pos += ws.len();
            true
        } else {
            false
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// Byte offset of the current token (the text's end past the last).
    fn here(&self) -> usize {
        self.peek().map_or(self.text_len, |t| t.start)
    }

    /// End byte of the last consumed token.
    fn consumed_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(0, |t| t.end)
    }

    fn skip_fillers(&mut self) {
        while self.eat_any(FILLERS).is_some() {}
    }

    /// The error for the current token: it cannot be used here; `expected`
    /// says what could, `example` is a whole supported query.
    pub(crate) fn cannot_use(&self, expected: &'static str, example: &str) -> QueryError {
        match self.peek() {
            None => QueryError::Incomplete {
                at: self.text_len,
                expected,
                example: example.to_string(),
            },
            Some(tok) => {
                let near = tok
                    .word()
                    .filter(|w| lexicon::lookup(w).is_none())
                    .and_then(lexicon::suggest);
                QueryError::CannotUse {
                    word: tok.text.clone(),
                    at: tok.start,
                    expected,
                    did_you_mean: near.map(|e| e.word.to_string()),
                    example: near.map_or(example, |e| e.example).to_string(),
                }
            }
        }
    }

    // --- sentence structure -------------------------------------------

    /// The whole query.
    pub(crate) fn parse_query(&mut self) -> Result<Clause, QueryError> {
        while self
            .eat_any(&[
                "show", "me", "find", "list", "get", "give", "all", "every", "our", "my",
            ])
            .is_some()
        {}
        if self.at_end() {
            return Err(QueryError::Empty);
        }
        let clause = self.parse_or()?;
        if !self.at_end() {
            return Err(self.cannot_use(
                "a condition such as \"bought twice\", \"spent over $500\" or \"used a coupon\"",
                "customers who bought twice but haven't ordered in a month",
            ));
        }
        Ok(clause)
    }

    fn parse_or(&mut self) -> Result<Clause, QueryError> {
        let mut alts = vec![self.parse_and()?];
        while self.eat("or") {
            self.eat_connectors();
            alts.push(self.parse_and()?);
        }
        Ok(if alts.len() == 1 {
            alts.remove(0)
        } else {
            Clause::Or(alts)
        })
    }

    fn eat_connectors(&mut self) -> bool {
        let mut any = false;
        loop {
            if matches!(self.peek().map(|t| &t.kind), Some(Tok::Comma)) {
                self.pos += 1;
                any = true;
            } else if self.eat_any(CONNECTORS).is_some() {
                any = true;
            } else {
                return any;
            }
        }
    }

    fn parse_and(&mut self) -> Result<Clause, QueryError> {
        let mut parts: Vec<Clause> = Vec::new();
        loop {
            match self.parse_unit()? {
                Unit::Clause(c) => parts.push(c),
                Unit::Time(w, at) => {
                    let applied = parts.last_mut().is_some_and(|p| p.set_window(w.clone()));
                    if !applied {
                        return Err(QueryError::Unsupported {
                            what: "a time here".to_string(),
                            at,
                            why: "it follows nothing that happens in time; put it after \"ordered\", \"spent\" or \"first-time buyers\"",
                        });
                    }
                }
                Unit::NotTime(w, at) => {
                    let again = parts.last().and_then(|p| p.in_window(w));
                    match again {
                        Some(c) => parts.push(Clause::Not(Box::new(c))),
                        None => {
                            return Err(QueryError::Unsupported {
                                what: "\"not\" with a time here".to_string(),
                                at,
                                why: "it follows nothing that happens in time; say e.g. \"bought from the Shoes category but not in the last 90 days\"",
                            });
                        }
                    }
                }
            }
            let joined = self.eat_connectors();
            if self.at_end() {
                if joined {
                    return Err(self.cannot_use(
                        "a condition after the last joining word",
                        "customers who bought twice",
                    ));
                }
                break;
            }
            if self.is("or") {
                break;
            }
        }
        Ok(match parts.len() {
            1 => parts.remove(0),
            _ => Clause::And(parts),
        })
    }

    fn parse_unit(&mut self) -> Result<Unit, QueryError> {
        let start = self.here();
        self.skip_fillers();
        let mut negated = false;
        loop {
            if self.eat("not") || self.eat("never") || self.eat("without") {
                negated = !negated;
            } else if self.eat_seq(&["no", "longer"]) {
                negated = !negated;
            } else if self.is("no") && !self.is_time_start_at(1) {
                // `no orders`, `no coupon`: a determiner meaning "not any".
                self.pos += 1;
                negated = !negated;
            } else {
                break;
            }
            self.skip_fillers();
        }
        let at = self.here();
        if let Some(w) = self.try_window()? {
            return Ok(if negated {
                Unit::NotTime(w, start)
            } else {
                Unit::Time(w, at)
            });
        }
        let clause = self.parse_clause(start, negated)?;
        Ok(Unit::Clause(match clause {
            // Remote clauses carry their own negation.
            c @ Clause::Remote { .. } => c,
            c if negated => Clause::Not(Box::new(c)),
            c => c,
        }))
    }

    fn is_time_start_at(&self, k: usize) -> bool {
        self.word_at(k).is_some_and(|w| {
            matches!(
                w,
                "in" | "within" | "since" | "this" | "last" | "past" | "before" | "after"
            )
        })
    }

    /// One condition (after any negation words).
    fn parse_clause(&mut self, start: usize, negated: bool) -> Result<Clause, QueryError> {
        if let Some(c) = self.try_segment() {
            return Ok(c);
        }
        // Numbers and comparisons start a count of orders (`3+ orders`).
        if let Some(cmp) = self.try_count(&["orders", "order", "purchases", "purchase"], true)? {
            let window = self.try_window()?;
            return Ok(Clause::Orders { window, cmp });
        }
        let Some(w) = self.word() else {
            return Err(self.cannot_use(
                "a condition such as \"bought twice\", \"spent over $500\" or \"used a coupon\"",
                "customers who bought twice",
            ));
        };
        match w {
            _ if SUBJECTS.contains(&w) => {
                self.pos += 1;
                Ok(Clause::Everyone)
            }
            "guest" | "guests" => {
                self.pos += 1;
                self.eat_any(SUBJECTS);
                Ok(Clause::Guest)
            }
            "registered" | "signed-up" | "members" | "member" => {
                self.pos += 1;
                self.eat_any(SUBJECTS);
                Ok(Clause::Registered)
            }
            "bought" | "buy" | "buys" | "buying" | "purchased" | "purchase" | "purchases"
            | "purchasing" | "ordered" | "order" | "orders" | "ordering" | "shopped" | "shop"
            | "shops" | "shopping" | "placed" | "place" | "places" | "made" | "make" | "makes"
            | "checked" => {
                self.pos += 1;
                self.parse_ordering()
            }
            "spent" | "spend" | "spends" | "spending" => {
                self.pos += 1;
                self.parse_spend()
            }
            "total" | "lifetime" | "ltv" | "clv" => {
                self.pos += 1;
                self.eat_any(&["spend", "spent", "spending", "value", "revenue", "sales"]);
                self.parse_spend()
            }
            "used" | "use" | "uses" | "using" | "redeemed" | "redeem" | "applied" | "apply" => {
                self.pos += 1;
                self.parse_coupon(true)
            }
            "a" | "an" | "any" | "the" | "some" | "their" | "his" | "her" => {
                self.pos += 1;
                self.parse_noun_phrase(start, negated)
            }
            "last" | "latest" | "most" | "previous" => self.parse_last_order(),
            "opened" | "open" | "opens" | "opening" | "clicked" | "click" | "clicks"
            | "clicking" | "engaged" | "engage" | "engages" | "received" | "receive"
            | "receives" | "unsubscribed" | "unsubscribe" | "read" => {
                self.parse_remote(start, negated)
            }
            _ => self.parse_noun_phrase(start, negated),
        }
    }

    /// A pre-built segment or "first-time buyers", with its noun.
    fn try_segment(&mut self) -> Option<Clause> {
        for words in FIRST_TIME {
            if self.eat_seq(words) {
                self.eat_any(SUBJECTS);
                return Some(Clause::FirstTime(None));
            }
        }
        let mut best: Option<(&[&str], &'static str)> = None;
        for (words, slug) in SEGMENTS {
            let matches = words
                .iter()
                .enumerate()
                .all(|(k, w)| self.word_at(k) == Some(*w));
            if matches && best.is_none_or(|(b, _)| words.len() > b.len()) {
                best = Some((words, slug));
            }
        }
        let (words, slug) = best?;
        // An adjective alone (`new`, `recent`) names a segment only before
        // a subject noun or at a clause end (`who are new`).
        let noun_follows = self
            .word_at(words.len())
            .is_some_and(|w| SUBJECTS.contains(&w));
        let adjective_only = matches!(
            words,
            ["new"] | ["recent"] | ["repeat"] | ["returning"] | ["loyal"] | ["one", "time"]
        );
        let ends = self
            .word_at(words.len())
            .is_none_or(|w| CONNECTORS.contains(&w) || w == "or");
        if adjective_only && !noun_follows && !ends {
            return None;
        }
        self.pos += words.len();
        self.eat_any(SUBJECTS);
        Some(Clause::Segment(slug))
    }

    // --- ordering -----------------------------------------------------

    fn parse_ordering(&mut self) -> Result<Clause, QueryError> {
        let mut count = None;
        let mut window = None;
        let mut items = Vec::new();
        let mut count_at = self.here();
        loop {
            // `placed an order`, `made a purchase`, `checked out`.
            if self
                .eat_any(&["out", "something", "anything", "stuff", "items", "products"])
                .is_some()
            {
                continue;
            }
            if count.is_none() {
                count_at = self.here();
                if let Some(c) = self.try_count(
                    &["times", "time", "orders", "order", "purchases", "purchase"],
                    false,
                )? {
                    count = Some(c);
                    continue;
                }
                if self.is_any(&["a", "an", "any"])
                    && self
                        .word_at(1)
                        .is_some_and(|w| matches!(w, "order" | "purchase" | "orders" | "purchases"))
                {
                    self.pos += 2;
                    continue;
                }
                if self.eat_any(&["orders", "purchases"]).is_some() {
                    continue;
                }
            }
            if window.is_none() {
                if let Some(w) = self.try_window()? {
                    window = Some(w);
                    continue;
                }
            }
            if let Some(item) = self.try_item()? {
                items.push(item);
                continue;
            }
            break;
        }
        if let Some(tok) = self.peek()
            && let Some(w) = tok.word()
            && !CONNECTORS.contains(&w)
            && w != "or"
            && !self.is_time_start_at(0)
        {
            // A bare word after the verb: a misspelt count or time, or a
            // product named without an article.
            let near = lexicon::suggest(w).filter(|_| lexicon::lookup(w).is_none());
            let plural = w.len() > 3 && w.ends_with('s') && !w.ends_with("ss");
            if near.is_none() && plural && items.is_empty() {
                self.pos += 1;
                let name = singular(&tok.text);
                self.notes.push(format!(
                    "\"{}\" is matched as a product name containing \"{name}\"",
                    tok.text
                ));
                items.push(Item::ProductName(name));
            } else if near.is_some() {
                return Err(self.cannot_use(
                    "a count, a time or what was bought",
                    "customers who bought a hoodie",
                ));
            } else if items.is_empty() && count.is_none() && window.is_none() {
                return Err(self.cannot_use(
                    "a count, a time or what was bought (a product needs \"a\", \"an\" or \"product\")",
                    &format!("customers who bought a {}", tok.text),
                ));
            }
        }
        if items.is_empty() {
            let cmp = count.unwrap_or(Comparison::Ge(1));
            return Ok(Clause::Orders { window, cmp });
        }
        match count {
            None | Some(Comparison::Ge(1)) => Ok(Clause::Bought { window, items }),
            Some(_) => Err(QueryError::Unsupported {
                what: "a count of purchases of one product or category".to_string(),
                at: count_at,
                why: "the rule language counts orders, not purchases of an item; say \"bought a hoodie\" and \"bought twice\" separately",
            }),
        }
    }

    /// What was bought: `a hoodie`, `product SKU X`, `product id 42`,
    /// `from the Shoes category`.
    fn try_item(&mut self) -> Result<Option<Item>, QueryError> {
        let save = self.pos;
        if self.is_any(&["from", "in"]) {
            self.pos += 1;
            self.eat_any(&["the", "our"]);
            if self.eat_any(&["category", "categories"]).is_some() {
                let name = self.name_words(true);
                return match name {
                    Some(n) => Ok(Some(Item::CategoryName(n))),
                    None => Err(self.cannot_use(
                        "a category name",
                        "customers who bought from the Shoes category",
                    )),
                };
            }
            let name_start = self.pos;
            let name = self.name_words(false);
            if name.is_some() && self.eat_any(&["category", "categories"]).is_some() {
                return Ok(name.map(Item::CategoryName));
            }
            self.pos = save;
            if name.is_some() && self.is("from") {
                self.pos = name_start;
                return Err(self.cannot_use(
                    "a category, written \"from the <name> category\"",
                    "customers who bought from the Accessories category",
                ));
            }
            return Ok(None);
        }
        let article = self.eat_any(&["a", "an", "the", "some", "any", "one"]);
        if self
            .eat_any(&["product", "products", "item", "items"])
            .is_some()
        {
            if self.eat_any(&["sku", "skus"]).is_some() {
                return self.sku().map(Some);
            }
            if self.eat("id") || self.eat("#") {
                return self.product_id().map(Some);
            }
            if let Some(Tok::Number {
                integer: Some(id), ..
            }) = self.peek().map(|t| &t.kind)
            {
                self.pos += 1;
                return Ok(Some(Item::ProductId(*id)));
            }
            if self.is_any(&["from", "in"]) {
                // `a product from the Shoes category`
                return self.try_item();
            }
            return match self.name_words(true) {
                Some(n) => Ok(Some(Item::ProductName(n))),
                None => Err(self.cannot_use(
                    "a product name, SKU or id",
                    "customers who bought product SKU TSHIRT-RED",
                )),
            };
        }
        if self.eat("sku") {
            return self.sku().map(Some);
        }
        if article.is_some() {
            if self.is_any(&["order", "orders", "purchase", "purchases", "coupon"]) {
                self.pos = save;
                return Ok(None);
            }
            if let Some(name) = self.name_words(true) {
                let name = if matches!(article, Some("some" | "any")) {
                    singular(&name)
                } else {
                    name
                };
                return Ok(Some(Item::ProductName(name)));
            }
        }
        self.pos = save;
        Ok(None)
    }

    fn sku(&mut self) -> Result<Item, QueryError> {
        match self.peek() {
            Some(t) if !matches!(t.kind, Tok::Comma | Tok::Sign(_)) => {
                self.pos += 1;
                Ok(Item::Sku(t.text.clone()))
            }
            _ => Err(self.cannot_use("a SKU", "customers who bought product SKU TSHIRT-RED")),
        }
    }

    fn product_id(&mut self) -> Result<Item, QueryError> {
        match self.peek().map(|t| &t.kind) {
            Some(Tok::Number {
                integer: Some(id), ..
            }) => {
                let id = *id;
                self.pos += 1;
                Ok(Item::ProductId(id))
            }
            _ => Err(self.cannot_use(
                "a product id (a whole number)",
                "customers who bought product id 42",
            )),
        }
    }

    /// Words of a name, as written, up to a word that ends it; `None` when
    /// there is none. With `any_word`, also words the vocabulary knows.
    fn name_words(&mut self, any_word: bool) -> Option<String> {
        let mut words: Vec<&str> = Vec::new();
        while let Some(t) = self.peek() {
            let stop = match &t.kind {
                Tok::Word(w) => {
                    NAME_STOPS.contains(&w.as_str())
                        || (!any_word && lexicon::lookup(w).is_some() && words.is_empty())
                }
                Tok::Number { .. } => words.is_empty(),
                _ => true,
            };
            if stop {
                break;
            }
            words.push(&t.text);
            self.pos += 1;
        }
        (!words.is_empty()).then(|| words.join(" "))
    }

    // --- counts, amounts ----------------------------------------------

    /// A count: `twice`, `at least 3 times`, `more than once`, `3+ orders`,
    /// `between 2 and 4 times`, `multiple times`. `units` are the words a
    /// number must be followed by; with `need_unit`, even `twice` must be.
    fn try_count(
        &mut self,
        units: &[&str],
        need_unit: bool,
    ) -> Result<Option<Comparison<u64>>, QueryError> {
        let save = self.pos;
        let fail = |p: &mut Parser<'_>| -> Result<Option<Comparison<u64>>, QueryError> {
            p.pos = save;
            Ok(None)
        };
        if !need_unit && self.eat_any(&["multiple", "several", "many"]).is_some() {
            if self.eat_any(units).is_some() {
                return Ok(Some(Comparison::Ge(2)));
            }
            return fail(self);
        }
        if !need_unit && self.eat_any(&["repeatedly", "again"]).is_some() {
            return Ok(Some(Comparison::Ge(2)));
        }
        let (lead, between) = self.comparator();
        if between {
            let Some((lo, _)) = self.count_number() else {
                return fail(self);
            };
            self.eat_any(units);
            if !self.eat("and") {
                return fail(self);
            }
            let Some((hi, _)) = self.count_number() else {
                return fail(self);
            };
            if self.eat_any(units).is_none() {
                return fail(self);
            }
            return Ok(Some(Comparison::Between(lo.min(hi), lo.max(hi))));
        }
        let Some((n, is_word)) = self.count_number() else {
            return fail(self);
        };
        let mut cmp = lead.unwrap_or(Comparison::Eq(())).map(|_| n);
        if self.eat_seq(&["or", "more"]) || self.eat_plus() {
            cmp = Comparison::Ge(n);
        } else if self.eat_seq(&["or", "fewer"]) || self.eat_seq(&["or", "less"]) {
            cmp = Comparison::Le(n);
        }
        let unit = self.eat_any(units).is_some();
        if !unit && (need_unit || !is_word) {
            return fail(self);
        }
        if lead.is_none() && is_word && matches!(cmp, Comparison::Eq(2..)) {
            self.notes.push(format!(
                "\"{}\" is read as exactly {n} paid orders; say \"at least {}\" for {n} or more",
                self.toks[save].text, self.toks[save].text
            ));
        }
        Ok(Some(cmp))
    }

    fn eat_plus(&mut self) -> bool {
        if matches!(self.peek().map(|t| &t.kind), Some(Tok::Plus)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A comparator phrase: the comparison (with a dummy value) and
    /// whether it is `between`.
    fn comparator(&mut self) -> (Option<Comparison<()>>, bool) {
        if let Some(Tok::Sign(s)) = self.peek().map(|t| &t.kind) {
            let c = match *s {
                ">" => Comparison::Gt(()),
                ">=" => Comparison::Ge(()),
                "<" => Comparison::Lt(()),
                "<=" => Comparison::Le(()),
                _ => Comparison::Eq(()),
            };
            self.pos += 1;
            return (Some(c), false);
        }
        const PHRASES: &[(&[&str], Comparison<()>)] = &[
            (&["at", "least"], Comparison::Ge(())),
            (&["no", "less", "than"], Comparison::Ge(())),
            (&["no", "fewer", "than"], Comparison::Ge(())),
            (&["not", "less", "than"], Comparison::Ge(())),
            (&["a", "minimum", "of"], Comparison::Ge(())),
            (&["minimum"], Comparison::Ge(())),
            (&["min"], Comparison::Ge(())),
            (&["more", "than"], Comparison::Gt(())),
            (&["greater", "than"], Comparison::Gt(())),
            (&["in", "excess", "of"], Comparison::Gt(())),
            (&["over"], Comparison::Gt(())),
            (&["above"], Comparison::Gt(())),
            (&["exceeding"], Comparison::Gt(())),
            (&["at", "most"], Comparison::Le(())),
            (&["no", "more", "than"], Comparison::Le(())),
            (&["not", "more", "than"], Comparison::Le(())),
            (&["up", "to"], Comparison::Le(())),
            (&["a", "maximum", "of"], Comparison::Le(())),
            (&["maximum"], Comparison::Le(())),
            (&["max"], Comparison::Le(())),
            (&["less", "than"], Comparison::Lt(())),
            (&["fewer", "than"], Comparison::Lt(())),
            (&["under"], Comparison::Lt(())),
            (&["below"], Comparison::Lt(())),
            (&["exactly"], Comparison::Eq(())),
            (&["precisely"], Comparison::Eq(())),
            (&["only"], Comparison::Eq(())),
            (&["just"], Comparison::Eq(())),
        ];
        if self.eat("between") {
            return (None, true);
        }
        for (words, c) in PHRASES {
            if self.eat_seq(words) {
                return (Some(*c), false);
            }
        }
        (None, false)
    }

    /// A whole number for a count, and whether it was a word that needs no
    /// unit (`once`, `twice`, `thrice`).
    fn count_number(&mut self) -> Option<(u64, bool)> {
        let tok = self.peek()?;
        let n = match &tok.kind {
            Tok::Number {
                integer: Some(n), ..
            } => (*n, false),
            Tok::Word(w) => match w.as_str() {
                "once" => (1, true),
                "twice" => (2, true),
                "thrice" => (3, true),
                w => (number_word(w)?, false),
            },
            _ => return None,
        };
        self.pos += 1;
        Some(n)
    }

    /// An amount comparison: `over $500`, `between 50 and 150`, `at least
    /// 80 euros`, `$500 or more`. A bare amount (`spent $500`) means at
    /// least that much.
    fn try_amount(&mut self) -> Result<Option<Amount>, QueryError> {
        let save = self.pos;
        let (lead, between) = self.comparator();
        let at = self.here();
        if between {
            let Some((lo, c1)) = self.money()? else {
                self.pos = save;
                return Ok(None);
            };
            if !self.eat("and") {
                return Err(self.cannot_use(
                    "\"and\" and the upper amount",
                    "customers who spent between 50 and 150",
                ));
            }
            let Some((hi, c2)) = self.money()? else {
                return Err(
                    self.cannot_use("the upper amount", "customers who spent between 50 and 150")
                );
            };
            let currency = same_currency(c1, c2, at)?;
            return Ok(Some(Amount {
                cmp: Comparison::Between(lo.min(hi), lo.max(hi)),
                currency,
                at,
            }));
        }
        let Some((v, currency)) = self.money()? else {
            self.pos = save;
            return Ok(None);
        };
        let mut cmp = match lead {
            Some(c) => c.map(|_| v),
            None => {
                self.notes.push(format!(
                    "an amount without \"over\", \"under\" or \"exactly\" is read as at least {}",
                    v.format(2)
                ));
                Comparison::Ge(v)
            }
        };
        if self.eat_seq(&["or", "more"]) || self.eat_plus() {
            cmp = Comparison::Ge(v);
        } else if self.eat_seq(&["or", "less"]) {
            cmp = Comparison::Le(v);
        }
        Ok(Some(Amount { cmp, currency, at }))
    }

    /// One amount: `$500`, `80 euros`, `EUR 80`, `100`.
    fn money(&mut self) -> Result<Option<(Money, Option<&'static str>)>, QueryError> {
        let save = self.pos;
        let before = self.word().and_then(currency_word);
        if before.is_some() {
            self.pos += 1;
        }
        let Some(tok) = self.peek() else {
            self.pos = save;
            return Ok(None);
        };
        let (value, mut currency) = match &tok.kind {
            Tok::Amount { value, currency } => (*value, Some(*currency)),
            Tok::Number { value, .. } => (*value, before),
            _ => {
                self.pos = save;
                return Ok(None);
            }
        };
        self.pos += 1;
        if let Some(c) = self.word().and_then(currency_word) {
            self.pos += 1;
            currency = Some(same_currency(currency, Some(c), tok.start)?.unwrap_or(c));
        }
        Ok(Some((value, currency)))
    }

    // --- spend, average, coupons, statuses ----------------------------

    fn parse_spend(&mut self) -> Result<Clause, QueryError> {
        let mut amount = None;
        let mut window = None;
        loop {
            if self
                .eat_any(&[
                    "total",
                    "overall",
                    "altogether",
                    "combined",
                    "lifetime",
                    "is",
                    "was",
                    "of",
                ])
                .is_some()
                || self.eat_seq(&["in", "total"])
                || self.eat_seq(&["a", "total", "of"])
            {
                continue;
            }
            if amount.is_none() {
                if let Some(a) = self.try_amount()? {
                    amount = Some(a);
                    continue;
                }
            }
            if window.is_none() {
                if let Some(w) = self.try_window()? {
                    window = Some(w);
                    continue;
                }
            }
            break;
        }
        match amount {
            Some(amount) => Ok(Clause::Spend { window, amount }),
            None => Err(self.cannot_use(
                "an amount such as \"over $500\" or \"between 50 and 150\"",
                "customers who spent over $500",
            )),
        }
    }

    fn parse_average(&mut self) -> Result<Clause, QueryError> {
        // `average order value`, `avg basket size`, `aov`.
        self.eat_any(&[
            "order",
            "orders",
            "basket",
            "cart",
            "purchase",
            "ticket",
            "spend",
            "transaction",
        ]);
        self.eat_any(&["value", "size", "amount", "total"]);
        let mut amount = None;
        let mut window = None;
        loop {
            if self
                .eat_any(&["is", "was", "of", "that", "which"])
                .is_some()
            {
                continue;
            }
            if amount.is_none() {
                if let Some(a) = self.try_amount()? {
                    amount = Some(a);
                    continue;
                }
            }
            if window.is_none() {
                if let Some(w) = self.try_window()? {
                    window = Some(w);
                    continue;
                }
            }
            break;
        }
        match amount {
            Some(amount) => Ok(Clause::Average { window, amount }),
            None => Err(self.cannot_use(
                "an amount such as \"over 100\"",
                "customers with an average order over 100",
            )),
        }
    }

    /// After `used`: `a coupon`, `coupons`, `a discount code`, then a time.
    fn parse_coupon(&mut self, verb: bool) -> Result<Clause, QueryError> {
        self.eat_any(&["a", "an", "any", "the", "some", "their"]);
        let object = self.eat_any(&[
            "coupon",
            "coupons",
            "discount",
            "discounts",
            "promo",
            "promotion",
            "voucher",
            "vouchers",
            "code",
            "codes",
        ]);
        if object.is_none() {
            return Err(self.cannot_use(
                if verb {
                    "\"a coupon\" after \"used\""
                } else {
                    "a condition"
                },
                "customers who used a coupon",
            ));
        }
        self.eat_any(&["code", "codes"]);
        if let Some(t) = self.peek()
            && t.word().is_some_and(|w| {
                !NAME_STOPS.contains(&w) && !CONNECTORS.contains(&w) && lexicon::lookup(w).is_none()
            })
        {
            return Err(QueryError::Unsupported {
                what: format!("the coupon code {:?}", t.text),
                at: t.start,
                why: "the rule language counts orders that used any coupon, not a given code",
            });
        }
        let window = self.try_window()?;
        Ok(Clause::Coupon { window })
    }

    /// `last order was refunded`, `last order was more than 90 days ago`.
    fn parse_last_order(&mut self) -> Result<Clause, QueryError> {
        if !(self.eat_any(&["last", "latest", "previous"]).is_some()
            || self.eat_seq(&["most", "recent"]))
        {
            return Err(self.cannot_use("a condition", "customers whose last order was refunded"));
        }
        if self.eat_any(&["order", "purchase"]).is_none() {
            return Err(self.cannot_use(
                "\"order\" after \"last\"",
                "customers whose last order was refunded",
            ));
        }
        self.eat_any(&["status"]);
        self.skip_fillers();
        self.eat_any(&["status"]);
        let negated = self.eat("not");
        if let Some(statuses) = self.status_words() {
            let c = Clause::LastStatus(statuses);
            return Ok(if negated { Clause::Not(Box::new(c)) } else { c });
        }
        // `more than 90 days ago`, `over a month ago`.
        let save = self.pos;
        let (lead, _) = self.comparator();
        if let Some((n, _)) = self
            .count_number()
            .or_else(|| self.eat_any(&["a", "an"]).map(|_| (1, false)))
            && let Some(unit) = self.word().and_then(time::unit_days)
        {
            self.pos += 1;
            if self.eat("ago") {
                let days = n.saturating_mul(u64::from(unit));
                let cmp = match lead {
                    Some(c) => c.map(|_| days),
                    None => Comparison::Eq(days),
                };
                let c = Clause::LastPaidDays(cmp);
                self.notes
                    .push("\"last order … ago\" looks at the last paid order".to_string());
                return Ok(if negated { Clause::Not(Box::new(c)) } else { c });
            }
        }
        self.pos = save;
        Err(self.cannot_use(
            "a status such as \"refunded\", or an age such as \"more than 90 days ago\"",
            "customers whose last order was refunded",
        ))
    }

    /// Order status words (`refunded`, `on hold`, `cancelled`…), bare.
    fn status_words(&mut self) -> Option<Vec<String>> {
        let s: &[&str] = match self.word()? {
            "refunded" => &["refunded"],
            "cancelled" | "canceled" => &["cancelled"],
            "failed" => &["failed"],
            "completed" | "complete" => &["completed"],
            "processing" => &["processing"],
            "pending" => &["pending"],
            "on-hold" => &["on-hold"],
            "on" if self.word_at(1) == Some("hold") => {
                self.pos += 1;
                &["on-hold"]
            }
            "draft" | "checkout-draft" => &["checkout-draft"],
            "paid" => &["processing", "completed"],
            "unpaid" => &["pending", "failed", "on-hold"],
            _ => return None,
        };
        self.pos += 1;
        Some(s.iter().map(|x| (*x).to_string()).collect())
    }

    /// Noun phrases: `average order over 100`, `no orders`, `a coupon`,
    /// `a refunded order`, `an account`, `orders in the last month`.
    fn parse_noun_phrase(&mut self, start: usize, negated: bool) -> Result<Clause, QueryError> {
        let w = self.word().unwrap_or_default();
        match w {
            "average" | "avg" | "aov" | "mean" => {
                self.pos += 1;
                self.parse_average()
            }
            "coupon" | "coupons" | "discount" | "discounts" | "promo" | "voucher" | "vouchers" => {
                self.parse_coupon(false)
            }
            "account" | "accounts" | "login" | "registration" => {
                self.pos += 1;
                Ok(Clause::Registered)
            }
            "order" | "orders" | "purchase" | "purchases" => {
                self.pos += 1;
                if let Some(statuses) = self.status_words() {
                    let window = self.try_window()?;
                    return Ok(Clause::Status { window, statuses });
                }
                let window = self.try_window()?;
                Ok(Clause::Orders {
                    window,
                    cmp: Comparison::Ge(1),
                })
            }
            "last" | "latest" | "most" | "previous" => self.parse_last_order(),
            "total" | "lifetime" => {
                self.pos += 1;
                self.eat_any(&["spend", "spent", "spending", "value", "revenue", "sales"]);
                self.parse_spend()
            }
            "email" | "emails" | "campaign" | "campaigns" => self.parse_remote(start, negated),
            _ => {
                if let Some(statuses) = self.status_words() {
                    if self
                        .eat_any(&["order", "orders", "purchase", "purchases"])
                        .is_some()
                    {
                        let window = self.try_window()?;
                        return Ok(Clause::Status { window, statuses });
                    }
                }
                Err(self.cannot_use(
                    "a condition such as \"bought twice\", \"spent over $500\" or \"used a coupon\"",
                    "customers who bought twice but haven't ordered in a month",
                ))
            }
        }
    }

    // --- remote -------------------------------------------------------

    fn parse_remote(&mut self, start: usize, negated: bool) -> Result<Clause, QueryError> {
        let verb = self.word().unwrap_or_default();
        let (past, base): (&'static str, &'static str) = match verb {
            "opened" | "open" | "opens" | "opening" | "read" => ("opened", "open"),
            "clicked" | "click" | "clicks" | "clicking" => ("clicked", "click"),
            "engaged" | "engage" | "engages" => ("engaged with", "engage with"),
            "received" | "receive" | "receives" => ("received", "receive"),
            "unsubscribed" | "unsubscribe" => ("unsubscribed", "unsubscribe"),
            // `emails opened`: noun first is not supported; suggest the verb.
            _ => {
                return Err(self.cannot_use(
                    "a verb such as \"opened\" or \"clicked\"",
                    "customers who haven't opened an email in a month",
                ));
            }
        };
        self.pos += 1;
        self.eat_any(&["with", "on", "in", "from", "to"]);
        let mut object = String::new();
        let det = self.eat_any(&["a", "an", "any", "the", "our", "some", "one"]);
        self.eat_seq(&["of", "our"]);
        let noun = self.eat_any(&[
            "email",
            "emails",
            "newsletter",
            "newsletters",
            "campaign",
            "campaigns",
            "link",
            "links",
            "message",
            "messages",
            "mail",
            "mails",
            "mailing",
            "mailings",
        ]);
        if let Some(n) = noun {
            let singular = n.trim_end_matches('s');
            object = match det {
                Some("any") => format!("any {singular}"),
                _ if n.ends_with('s') => format!("{singular}s"),
                _ => format!(
                    "{} {singular}",
                    if singular.starts_with('e') { "an" } else { "a" }
                ),
            };
            if n.starts_with("link") {
                self.eat_seq(&["in", "an", "email"]);
                self.eat_seq(&["in", "a", "campaign"]);
            }
        } else if det.is_some() || past != "unsubscribed" {
            return Err(self.cannot_use(
                "what was engaged with: \"an email\", \"a campaign\"",
                "customers who clicked a campaign",
            ));
        }
        let window = self.try_window()?;
        Ok(Clause::Remote {
            event: RemoteEvent { past, base, object },
            negated,
            window,
            span: (start, self.consumed_end()),
        })
    }

    // --- time ---------------------------------------------------------

    /// A time phrase, or `None` (consuming nothing) when there is none.
    fn try_window(&mut self) -> Result<Option<Window>, QueryError> {
        let save = self.pos;
        let w = self.window_inner()?;
        if w.is_none() {
            self.pos = save;
        }
        Ok(w)
    }

    fn window_inner(&mut self) -> Result<Option<Window>, QueryError> {
        let Some(w) = self.word() else {
            return Ok(None);
        };
        let as_of = self.as_of;
        match w {
            "in" | "within" | "during" | "over" | "for" | "from" | "of" => {
                let prep = w;
                self.pos += 1;
                if self.eat("the") {
                    if self
                        .eat_any(&["last", "past", "previous", "recent"])
                        .is_some()
                    {
                        return Ok(self.rolling(true));
                    }
                    // `in the month of March`? Not supported.
                    return Ok(None);
                }
                if self.eat_any(&["last", "past"]).is_some() {
                    // `in last 30 days` (rolling) / `from last week` (calendar)
                    if let Some(r) = self.rolling(false) {
                        return Ok(Some(r));
                    }
                    return Ok(self.word().and_then(|u| {
                        let p = time::previous(u, as_of)?;
                        self.pos += 1;
                        Some(p)
                    }));
                }
                if self.eat("this") {
                    return Ok(self.this_period());
                }
                if prep != "from" && prep != "of" && prep != "during" {
                    // `in a month`, `within 30 days`, `for 3 months`
                    if let Some(r) = self.rolling(false) {
                        return Ok(Some(r));
                    }
                }
                if prep == "from" {
                    if let Some(from) = self.date_point()? {
                        if self
                            .eat_any(&["to", "until", "till", "through", "thru"])
                            .is_some()
                        {
                            let Some(to) = self.date_point()? else {
                                return Err(self.cannot_use(
                                    "an end date",
                                    "customers who ordered from 2025-01-01 to 2025-03-31",
                                ));
                            };
                            return Ok(Some(Window::Between(from, to)));
                        }
                        return Ok(Some(Window::Since(from)));
                    }
                    return Ok(None);
                }
                if prep == "in" || prep == "during" {
                    return self.whole_period();
                }
                Ok(None)
            }
            "last" | "past" | "previous" => {
                self.pos += 1;
                if let Some(r) = self.rolling(w == "past") {
                    return Ok(Some(r));
                }
                Ok(self.word().and_then(|u| {
                    let p = time::previous(u, as_of)?;
                    self.pos += 1;
                    Some(p)
                }))
            }
            "this" => {
                self.pos += 1;
                Ok(self.this_period())
            }
            "today" => {
                self.pos += 1;
                Ok(time::this("day"))
            }
            "yesterday" => {
                self.pos += 1;
                Ok(time::previous("day", as_of))
            }
            "recently" | "lately" => {
                self.pos += 1;
                self.notes
                    .push(format!("\"{w}\" is read as in the last 30 days"));
                Ok(Some(Window::LastDays(30)))
            }
            "since" => {
                self.pos += 1;
                if self.eat("last") {
                    if let Some(d) = self.word().and_then(|u| time::previous_start(u, as_of)) {
                        self.pos += 1;
                        return Ok(Some(Window::Since(d)));
                    }
                    return Err(self.cannot_use(
                        "\"week\", \"month\" or \"year\"",
                        "customers who ordered since last month",
                    ));
                }
                if self.eat_seq(&["the", "start", "of", "the"])
                    || self.eat_seq(&["the", "beginning", "of", "the"])
                    || self.eat_seq(&["the", "start", "of"])
                    || self.eat_seq(&["the", "beginning", "of"])
                {
                    self.eat("this");
                    if let Some(Window::Calendar(c)) = self.word().and_then(time::this) {
                        self.pos += 1;
                        if let Some((Some(d), _)) = time::day_range(&Window::Calendar(c), as_of) {
                            return Ok(Some(Window::Since(d)));
                        }
                    }
                    return Err(self.cannot_use(
                        "\"year\", \"month\" or \"week\"",
                        "customers who ordered since the start of the year",
                    ));
                }
                // `since 3 months ago`
                let save = self.pos;
                if let Some((n, _)) = self.count_number()
                    && let Some(unit) = self.word().and_then(time::unit_days)
                    && self.word_at(1) == Some("ago")
                {
                    self.pos += 2;
                    let days = u32::try_from(n).unwrap_or(u32::MAX).saturating_mul(unit);
                    return Ok(Some(Window::Since(time::days_before(as_of, days))));
                }
                self.pos = save;
                match self.date_point()? {
                    Some(d) => Ok(Some(Window::Since(d))),
                    None => Err(self.cannot_use(
                        "a date after \"since\": \"January\", \"2025-01-01\", \"last month\"",
                        "customers who ordered since January",
                    )),
                }
            }
            "before" | "until" | "till" => {
                self.pos += 1;
                let day = |d: Date| if w == "before" { d } else { time::day_after(d) };
                match self.date_point()? {
                    Some(d) => Ok(Some(Window::Not(Box::new(Window::Since(day(d)))))),
                    None => Err(self.cannot_use(
                        "a date after \"before\"",
                        "customers who ordered before 2025-01-01",
                    )),
                }
            }
            "after" => {
                self.pos += 1;
                // After a day, a month or a year: from the day after it.
                match self.whole_period()? {
                    Some(Window::Between(_, end)) => Ok(Some(Window::Since(time::day_after(end)))),
                    _ => Err(self.cannot_use(
                        "a date after \"after\"",
                        "customers who ordered after 2025-01-01",
                    )),
                }
            }
            "between" => {
                self.pos += 1;
                let Some(from) = self.date_point()? else {
                    return Ok(None);
                };
                if !self.eat("and") {
                    return Ok(None);
                }
                let Some(to) = self.date_point()? else {
                    return Err(self.cannot_use(
                        "an end date",
                        "customers who ordered between 2025-01-01 and 2025-03-31",
                    ));
                };
                Ok(Some(Window::Between(from, to)))
            }
            "on" => {
                self.pos += 1;
                match self.date_token() {
                    Some(d) => Ok(Some(Window::Between(d, d))),
                    None => Ok(None),
                }
            }
            _ => Ok(None),
        }
    }

    /// After `last`/`past`: `90 days`, `2 weeks`, `month` (one), `couple
    /// of weeks`; with `singular_ok`, a bare unit is one of it (`past
    /// month`).
    fn rolling(&mut self, singular_ok: bool) -> Option<Window> {
        let save = self.pos;
        let n = if self.eat_seq(&["couple", "of"]) || self.eat_seq(&["a", "couple", "of"]) {
            Some(2)
        } else if self.eat_seq(&["few"]) || self.eat_seq(&["a", "few"]) {
            Some(3)
        } else {
            self.count_number()
                .map(|(n, _)| n)
                .or_else(|| self.eat_any(&["a", "an", "one"]).map(|_| 1))
        };
        let unit = self.word().and_then(time::unit_days);
        let Some(unit) = unit else {
            self.pos = save;
            return None;
        };
        let unit_word = self.word().unwrap_or_default();
        let is_plural = unit_word.ends_with('s');
        if n.is_none() && (!singular_ok || is_plural) {
            // `last week` without `the` is the calendar week.
            self.pos = save;
            return None;
        }
        self.pos += 1;
        let n = u32::try_from(n.unwrap_or(1)).unwrap_or(u32::MAX);
        Some(Window::LastDays(n.saturating_mul(unit)))
    }

    /// After `this`: `week`, `month`, `year`.
    fn this_period(&mut self) -> Option<Window> {
        let w = self.word().and_then(time::this)?;
        self.pos += 1;
        Some(w)
    }

    /// `2025`, `March`, `March 2025`, `2025-03-01` as a whole period.
    fn whole_period(&mut self) -> Result<Option<Window>, QueryError> {
        if let Some(d) = self.date_token() {
            return Ok(Some(Window::Between(d, d)));
        }
        if let Some(m) = self.word().and_then(time::month_number) {
            self.pos += 1;
            let year = self.year_number();
            return Ok(time::month_window(m, year, self.as_of));
        }
        if let Some(y) = self.year_number() {
            return Ok(time::year_window(y));
        }
        Ok(None)
    }

    /// A day: `2025-01-01`, `January` (its first day), `March 2025`,
    /// `2025` (January 1).
    fn date_point(&mut self) -> Result<Option<Date>, QueryError> {
        if let Some(d) = self.date_token() {
            return Ok(Some(d));
        }
        if let Some(m) = self.word().and_then(time::month_number) {
            self.pos += 1;
            let year = self.year_number();
            return Ok(time::month_start(m, year, self.as_of));
        }
        if let Some(y) = self.year_number() {
            return Ok(Date::new(y, 1, 1).ok());
        }
        if self.eat("yesterday") {
            return Ok(Some(time::days_before(self.as_of, 1)));
        }
        if self.eat("today") {
            return Ok(Some(self.as_of));
        }
        Ok(None)
    }

    fn date_token(&mut self) -> Option<Date> {
        match self.peek().map(|t| &t.kind) {
            Some(Tok::Date(d)) => {
                let d = *d;
                self.pos += 1;
                Some(d)
            }
            _ => None,
        }
    }

    fn year_number(&mut self) -> Option<i16> {
        match self.peek().map(|t| &t.kind) {
            Some(Tok::Number {
                integer: Some(n), ..
            }) => {
                let y = time::as_year(*n)?;
                self.pos += 1;
                Some(y)
            }
            _ => None,
        }
    }
}

/// Numbers written as words, for counts (`three times`).
fn number_word(w: &str) -> Option<u64> {
    const WORDS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    WORDS
        .iter()
        .position(|x| *x == w)
        .and_then(|i| u64::try_from(i).ok())
        .or(match w {
            "thirty" => Some(30),
            "fifty" => Some(50),
            "hundred" => Some(100),
            _ => None,
        })
}

/// The currency a word names (`dollars`, `euros`, `usd`, `gbp`).
fn currency_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "dollar" | "dollars" | "usd" | "bucks" => "USD",
        "euro" | "euros" | "eur" => "EUR",
        "pound" | "pounds" | "gbp" | "quid" => "GBP",
        "yen" | "jpy" => "JPY",
        "cad" => "CAD",
        "aud" => "AUD",
        "chf" | "francs" => "CHF",
        "sek" => "SEK",
        "nok" => "NOK",
        "dkk" => "DKK",
        "pln" | "zloty" => "PLN",
        "inr" | "rupees" => "INR",
        "brl" | "reais" => "BRL",
        "mxn" | "pesos" => "MXN",
        "nzd" => "NZD",
        "zar" | "rand" => "ZAR",
        _ => return None,
    })
}

/// Two currencies named for one comparison must agree.
fn same_currency(
    a: Option<&'static str>,
    b: Option<&'static str>,
    at: usize,
) -> Result<Option<&'static str>, QueryError> {
    match (a, b) {
        (Some(x), Some(y)) if x != y => Err(QueryError::MixedCurrencies {
            first: x.to_string(),
            second: y.to_string(),
            at,
        }),
        (x, y) => Ok(x.or(y)),
    }
}

/// A product word without its plural `s` (`hoodies` → `hoodie`), so that
/// the contains-match finds `Hoodie with Logo`.
fn singular(word: &str) -> String {
    let mut words: Vec<&str> = word.split(' ').collect();
    if let Some(last) = words.last_mut()
        && last.len() > 3
        && (last.ends_with('s') || last.ends_with('S'))
        && !last.to_lowercase().ends_with("ss")
    {
        *last = &last[..last.len() - 1];
    }
    words.join(" ")
}
