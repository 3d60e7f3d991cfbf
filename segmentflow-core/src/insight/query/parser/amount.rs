//! Counts and amounts in the query: `twice`, `at least 3 times`, `3+
//! orders`, `over $500`, `between 50 and 150`, `80 euros`, and the
//! comparison words they share.

use super::super::QueryError;
use super::super::lexer::Tok;
use super::{Amount, Parser};
use crate::insight::money::Money;
use crate::insight::rules::Comparison;

impl Parser<'_> {
    /// A count: `twice`, `at least 3 times`, `more than once`, `3+ orders`,
    /// `between 2 and 4 times`, `multiple times`. `units` are the words a
    /// number must be followed by; with `need_unit`, even `twice` must be.
    pub(super) fn try_count(
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

    pub(super) fn eat_plus(&mut self) -> bool {
        if matches!(self.peek().map(|t| &t.kind), Some(Tok::Plus)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A comparator phrase: the comparison (with a dummy value) and
    /// whether it is `between`.
    pub(super) fn comparator(&mut self) -> (Option<Comparison<()>>, bool) {
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
    pub(super) fn count_number(&mut self) -> Option<(u64, bool)> {
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
    pub(super) fn try_amount(&mut self) -> Result<Option<Amount>, QueryError> {
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
    pub(super) fn money(&mut self) -> Result<Option<(Money, Option<&'static str>)>, QueryError> {
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
}

/// Numbers written as words, for counts (`three times`).
pub(super) fn number_word(w: &str) -> Option<u64> {
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
pub(super) fn currency_word(w: &str) -> Option<&'static str> {
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
pub(super) fn same_currency(
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
