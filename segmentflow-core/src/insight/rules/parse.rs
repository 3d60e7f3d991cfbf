//! The parser of the rule text syntax (grammar in the parent module doc):
//! a hand-written lexer and recursive-descent parser whose errors name the
//! byte offset, the column and the token that was expected there.

use jiff::civil::Date;

use super::{Amount, Calendar, Comparison, Condition, CustomerKind, Item, Remote, Rule, Window};
use crate::insight::money::Money;

/// Why a rule text does not parse: where, what was expected, what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule: expected {expected} at column {column} (byte {offset}), found {found}")]
pub struct ParseError {
    /// Byte offset of the offending token in the text (0-based).
    pub offset: usize,
    /// Column of the offending token on its line (1-based, in characters).
    pub column: usize,
    /// What the parser expected there (`a number`, `"]"`).
    pub expected: String,
    /// What it found (`word "foo"`, `end of rule`).
    pub found: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A run of letters, digits, `_`, `.` and `-`.
    Word(String),
    /// A double-quoted string, unescaped.
    Str(String),
    /// One of `( ) [ ] , * % = != < <= > >=`.
    Sym(&'static str),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("{w:?}"),
            Tok::Str(s) => format!("string {s:?}"),
            Tok::Sym(s) => format!("{s:?}"),
            Tok::End => "end of rule".to_string(),
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

fn column(text: &str, offset: usize) -> usize {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..offset].chars().count() + 1
}

fn error(text: &str, offset: usize, expected: &str, found: String) -> ParseError {
    ParseError {
        offset,
        column: column(text, offset),
        expected: expected.to_string(),
        found,
    }
}

fn lex(text: &str) -> Result<Vec<(usize, Tok)>, ParseError> {
    const SYMS: [&str; 13] = [
        "!=", "<=", ">=", "(", ")", "[", "]", ",", "*", "%", "=", "<", ">",
    ];
    let mut out = Vec::new();
    let mut rest = text.char_indices().peekable();
    while let Some(&(at, c)) = rest.peek() {
        if c.is_whitespace() {
            rest.next();
        } else if is_word_char(c) {
            let mut end = at;
            while let Some(&(i, c)) = rest.peek() {
                if !is_word_char(c) {
                    break;
                }
                end = i + c.len_utf8();
                rest.next();
            }
            out.push((at, Tok::Word(text[at..end].to_string())));
        } else if c == '"' {
            rest.next();
            let mut s = String::new();
            let mut closed = false;
            while let Some((i, c)) = rest.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match rest.next() {
                        Some((_, e @ ('"' | '\\'))) => s.push(e),
                        Some((j, e)) => {
                            return Err(error(text, j, "an escape \\\" or \\\\", format!("\\{e}")));
                        }
                        None => {
                            return Err(error(text, i, "a closing '\"'", "end of rule".into()));
                        }
                    },
                    c => s.push(c),
                }
            }
            if !closed {
                return Err(error(
                    text,
                    text.len(),
                    "a closing '\"'",
                    "end of rule".into(),
                ));
            }
            out.push((at, Tok::Str(s)));
        } else {
            let sym = SYMS.iter().find(|s| text[at..].starts_with(**s)).copied();
            match sym {
                Some(s) => {
                    for _ in 0..s.len() {
                        rest.next();
                    }
                    out.push((at, Tok::Sym(s)));
                }
                None => {
                    return Err(error(
                        text,
                        at,
                        "a word, a quoted string or one of ( ) [ ] , * % = != < <= > >=",
                        format!("{c:?}"),
                    ));
                }
            }
        }
    }
    out.push((text.len(), Tok::End));
    Ok(out)
}

const CONDITION_WORDS: &str = "a condition (paid_orders, spend, aov, first_paid_days, \
     last_paid_days, coupon_share, coupon_orders, bought, order_status, last_order_status, \
     registered, guest, remote, true, false), \"not\", \"all(\", \"any(\" or \"(\"";

struct Parser<'t> {
    text: &'t str,
    toks: Vec<(usize, Tok)>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.at].1
    }

    fn peek_word(&self) -> Option<&str> {
        match self.peek() {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }

    fn fail<T>(&self, expected: &str) -> Result<T, ParseError> {
        let (offset, tok) = &self.toks[self.at];
        Err(error(self.text, *offset, expected, tok.describe()))
    }

    fn bump(&mut self) {
        if self.at + 1 < self.toks.len() {
            self.at += 1;
        }
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.peek_word() == Some(w) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Tok::Sym(t) if *t == s) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect_word(&mut self, w: &str) -> Result<(), ParseError> {
        if self.eat_word(w) {
            Ok(())
        } else {
            self.fail(&format!("{w:?}"))
        }
    }

    fn expect_sym(&mut self, s: &str) -> Result<(), ParseError> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            self.fail(&format!("{s:?}"))
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        match self.peek() {
            Tok::Str(s) => {
                let s = s.clone();
                self.bump();
                Ok(s)
            }
            _ => self.fail("a quoted string"),
        }
    }

    /// A word converted by `f`, or an error expecting `what`.
    fn word_as<T>(&mut self, what: &str, f: impl Fn(&str) -> Option<T>) -> Result<T, ParseError> {
        match self.peek_word().and_then(f) {
            Some(v) => {
                self.bump();
                Ok(v)
            }
            None => self.fail(what),
        }
    }

    fn count(&mut self) -> Result<u64, ParseError> {
        self.word_as("a whole number", |w| {
            if w.bytes().all(|b| b.is_ascii_digit()) {
                w.parse().ok()
            } else {
                None
            }
        })
    }

    fn money(&mut self) -> Result<Money, ParseError> {
        self.word_as("an amount (like 500 or 99.90)", |w| Money::parse(w).ok())
    }

    fn amount(&mut self) -> Result<Amount, ParseError> {
        let m = self.money()?;
        if self.eat_sym("*") {
            self.expect_word("store_aov")?;
            Ok(Amount::StoreAov(m))
        } else {
            Ok(Amount::Fixed(m))
        }
    }

    fn percent(&mut self) -> Result<u32, ParseError> {
        let p = self.word_as("a percentage (like 50%)", |w| {
            if w.bytes().all(|b| b.is_ascii_digit()) {
                w.parse().ok()
            } else {
                None
            }
        })?;
        self.expect_sym("%")?;
        Ok(p)
    }

    fn date(&mut self) -> Result<Date, ParseError> {
        self.word_as("a date (YYYY-MM-DD)", |w| {
            if w.len() == 10 {
                w.parse::<Date>().ok()
            } else {
                None
            }
        })
    }

    fn cmp<T>(
        &mut self,
        mut value: impl FnMut(&mut Self) -> Result<T, ParseError>,
    ) -> Result<Comparison<T>, ParseError> {
        let op = match self.peek() {
            Tok::Sym(s @ ("=" | "!=" | "<" | "<=" | ">" | ">=")) => *s,
            Tok::Word(w) if w == "between" => "between",
            _ => return self.fail("a comparison (=, !=, <, <=, >, >= or between)"),
        };
        self.bump();
        let v = value(self)?;
        Ok(match op {
            "=" => Comparison::Eq(v),
            "!=" => Comparison::Ne(v),
            "<" => Comparison::Lt(v),
            "<=" => Comparison::Le(v),
            ">" => Comparison::Gt(v),
            ">=" => Comparison::Ge(v),
            _ => {
                self.expect_word("and")?;
                Comparison::Between(v, value(self)?)
            }
        })
    }

    fn window(&mut self) -> Result<Window, ParseError> {
        if !self.eat_sym("[") {
            return Ok(Window::Lifetime);
        }
        let w = self.span()?;
        self.expect_sym("]")?;
        Ok(w)
    }

    fn span(&mut self) -> Result<Window, ParseError> {
        const SPANS: &str = "a window (lifetime, last N days, since DATE, between DATE and DATE, \
             this/last week|month|year, today, not …)";
        let Some(word) = self.peek_word().map(str::to_string) else {
            return self.fail(SPANS);
        };
        match word.as_str() {
            "lifetime" => {
                self.bump();
                Ok(Window::Lifetime)
            }
            "today" => {
                self.bump();
                Ok(Window::Calendar(Calendar::Today))
            }
            "not" => {
                self.bump();
                Ok(Window::Not(Box::new(self.span()?)))
            }
            "since" => {
                self.bump();
                Ok(Window::Since(self.date()?))
            }
            "between" => {
                self.bump();
                let a = self.date()?;
                self.expect_word("and")?;
                Ok(Window::Between(a, self.date()?))
            }
            "this" | "last" => {
                self.bump();
                let this = word == "this";
                let period = self.peek_word().map(str::to_string);
                let cal = match period.as_deref() {
                    Some("week") => Some((Calendar::ThisWeek, Calendar::LastWeek)),
                    Some("month") => Some((Calendar::ThisMonth, Calendar::LastMonth)),
                    Some("year") => Some((Calendar::ThisYear, Calendar::LastYear)),
                    _ => None,
                };
                if let Some((t, l)) = cal {
                    self.bump();
                    return Ok(Window::Calendar(if this { t } else { l }));
                }
                if this {
                    return self.fail("\"week\", \"month\" or \"year\"");
                }
                let n = self.word_as("a number of days, \"week\", \"month\" or \"year\"", |w| {
                    if w.bytes().all(|b| b.is_ascii_digit()) {
                        w.parse::<u32>().ok()
                    } else {
                        None
                    }
                })?;
                if !(self.eat_word("days") || self.eat_word("day")) {
                    return self.fail("\"days\"");
                }
                Ok(Window::LastDays(n))
            }
            _ => self.fail(SPANS),
        }
    }

    fn status_list(&mut self) -> Result<Vec<String>, ParseError> {
        self.expect_sym("(")?;
        let mut out = vec![self.string()?];
        while self.eat_sym(",") {
            out.push(self.string()?);
        }
        self.expect_sym(")")?;
        Ok(out)
    }

    fn item(&mut self) -> Result<Item, ParseError> {
        const ITEMS: &str = "product_id, product_sku, product_name, category_slug or category_name";
        let Some(word) = self.peek_word().map(str::to_string) else {
            return self.fail(ITEMS);
        };
        let make: fn(String) -> Item = match word.as_str() {
            "product_id" => {
                self.bump();
                return Ok(Item::ProductId(self.count()?));
            }
            "product_sku" => Item::Sku,
            "product_name" => Item::ProductName,
            "category_slug" => Item::CategorySlug,
            "category_name" => Item::CategoryName,
            _ => return self.fail(ITEMS),
        };
        self.bump();
        Ok(make(self.string()?))
    }

    fn or(&mut self) -> Result<Rule, ParseError> {
        let mut rules = vec![self.and()?];
        while self.eat_word("or") {
            rules.push(self.and()?);
        }
        Ok(if rules.len() == 1 {
            rules.remove(0)
        } else {
            Rule::Any(rules)
        })
    }

    fn and(&mut self) -> Result<Rule, ParseError> {
        let mut rules = vec![self.unary()?];
        while self.eat_word("and") {
            rules.push(self.unary()?);
        }
        Ok(if rules.len() == 1 {
            rules.remove(0)
        } else {
            Rule::All(rules)
        })
    }

    fn group(&mut self) -> Result<Vec<Rule>, ParseError> {
        self.expect_sym("(")?;
        let mut out = Vec::new();
        if self.eat_sym(")") {
            return Ok(out);
        }
        out.push(self.or()?);
        while self.eat_sym(",") {
            out.push(self.or()?);
        }
        self.expect_sym(")")?;
        Ok(out)
    }

    fn unary(&mut self) -> Result<Rule, ParseError> {
        if self.eat_sym("(") {
            let r = self.or()?;
            self.expect_sym(")")?;
            return Ok(r);
        }
        let Some(word) = self.peek_word().map(str::to_string) else {
            return self.fail(CONDITION_WORDS);
        };
        let c = match word.as_str() {
            "not" => {
                self.bump();
                return Ok(Rule::Not(Box::new(self.unary()?)));
            }
            "all" => {
                self.bump();
                return Ok(Rule::All(self.group()?));
            }
            "any" => {
                self.bump();
                return Ok(Rule::Any(self.group()?));
            }
            "true" => {
                self.bump();
                return Ok(Rule::All(vec![]));
            }
            "false" => {
                self.bump();
                return Ok(Rule::Any(vec![]));
            }
            "remote" => {
                self.bump();
                return Ok(Rule::Remote(Remote {
                    description: self.string()?,
                }));
            }
            "paid_orders" => {
                self.bump();
                let window = self.window()?;
                Condition::PaidOrders {
                    window,
                    cmp: self.cmp(Self::count)?,
                }
            }
            "spend" => {
                self.bump();
                let window = self.window()?;
                Condition::Spend {
                    window,
                    cmp: self.cmp(Self::amount)?,
                }
            }
            "aov" => {
                self.bump();
                let window = self.window()?;
                Condition::AverageOrderValue {
                    window,
                    cmp: self.cmp(Self::amount)?,
                }
            }
            "first_paid_days" => {
                self.bump();
                Condition::FirstPaidDaysAgo(self.cmp(Self::count)?)
            }
            "last_paid_days" => {
                self.bump();
                Condition::LastPaidDaysAgo(self.cmp(Self::count)?)
            }
            "coupon_share" => {
                self.bump();
                let window = self.window()?;
                Condition::CouponShare {
                    window,
                    cmp: self.cmp(Self::percent)?,
                }
            }
            "coupon_orders" => {
                self.bump();
                let window = self.window()?;
                Condition::CouponOrders {
                    window,
                    cmp: self.cmp(Self::count)?,
                }
            }
            "bought" => {
                self.bump();
                let window = self.window()?;
                Condition::Bought {
                    window,
                    item: self.item()?,
                }
            }
            "order_status" => {
                self.bump();
                let window = self.window()?;
                self.expect_word("in")?;
                let statuses = self.status_list()?;
                Condition::OrderStatus {
                    window,
                    statuses,
                    after_last_paid: self.eat_word("after_last_paid"),
                }
            }
            "last_order_status" => {
                self.bump();
                if self.eat_sym("=") {
                    Condition::LastOrderStatus(vec![self.string()?])
                } else if self.eat_word("in") {
                    Condition::LastOrderStatus(self.status_list()?)
                } else {
                    return self.fail("\"in\" or \"=\"");
                }
            }
            "registered" => {
                self.bump();
                Condition::Kind(CustomerKind::Registered)
            }
            "guest" => {
                self.bump();
                Condition::Kind(CustomerKind::Guest)
            }
            _ => return self.fail(CONDITION_WORDS),
        };
        Ok(Rule::Condition(c))
    }
}

/// Parses a rule text (see the grammar in the parent module doc).
pub(super) fn parse(text: &str) -> Result<Rule, ParseError> {
    let toks = lex(text)?;
    let mut p = Parser { text, toks, at: 0 };
    let rule = p.or()?;
    if *p.peek() != Tok::End {
        return p.fail("\"and\", \"or\" or the end of the rule");
    }
    Ok(rule)
}
