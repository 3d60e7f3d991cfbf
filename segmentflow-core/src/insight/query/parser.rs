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
//!
//! Ordering clauses and items are read in `item`, counts and amounts in
//! `amount`, time phrases in `window`.

use jiff::civil::Date;

mod amount;
mod item;
mod window;

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
            if self.eat("not")
                || self.eat("never")
                || self.eat("without")
                || self.eat_seq(&["no", "longer"])
            {
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

    // --- spend, average, coupons, statuses ----------------------------

    /// An amount and an optional time window, in either order, with the
    /// filler words `filler` eats skipped anywhere between them.
    fn amount_and_window(
        &mut self,
        mut filler: impl FnMut(&mut Self) -> bool,
    ) -> Result<(Option<Amount>, Option<Window>), QueryError> {
        let mut amount = None;
        let mut window = None;
        loop {
            if filler(self) {
                continue;
            }
            if amount.is_none()
                && let Some(a) = self.try_amount()?
            {
                amount = Some(a);
                continue;
            }
            if window.is_none()
                && let Some(w) = self.try_window()?
            {
                window = Some(w);
                continue;
            }
            break;
        }
        Ok((amount, window))
    }

    fn parse_spend(&mut self) -> Result<Clause, QueryError> {
        let (amount, window) = self.amount_and_window(|p| {
            p.eat_any(&[
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
                || p.eat_seq(&["in", "total"])
                || p.eat_seq(&["a", "total", "of"])
        })?;
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
        let (amount, window) =
            self.amount_and_window(|p| p.eat_any(&["is", "was", "of", "that", "which"]).is_some())?;
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
                if let Some(statuses) = self.status_words()
                    && self
                        .eat_any(&["order", "orders", "purchase", "purchases"])
                        .is_some()
                {
                    let window = self.try_window()?;
                    return Ok(Clause::Status { window, statuses });
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
}
