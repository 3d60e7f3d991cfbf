//! Splits an English segment description into tokens that remember where
//! they came from.
//!
//! Every token keeps the byte span of the text it was read from, so that an
//! error can point at the exact word the compiler could not use. The lexer
//! already recognises the shapes that are not words: amounts with a
//! currency symbol (`$500`, `80€`, `$1,000.50`), ISO dates (`2025-01-01`),
//! plain numbers (`3`, `1,000`, `99.5`), `+`, `%` and comparison signs.
//! Words are lower-cased for matching but their original spelling is kept
//! (product names, SKUs and category names are matched as written).
//! English contractions are expanded (`haven't` → `have not`) with both
//! tokens pointing at the contracted word.

use jiff::civil::Date;

use super::QueryError;
use crate::insight::money::Money;

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A word, lower-cased (`bought`, `tshirt-red`, `first-time`).
    Word(String),
    /// A number without a currency symbol (`3`, `1,000`, `99.50`); the
    /// integer value when it has no fraction.
    Number { value: Money, integer: Option<u64> },
    /// An amount written with a currency symbol (`$500`, `€80`, `80€`).
    Amount {
        value: Money,
        currency: &'static str,
    },
    /// An ISO date (`2025-01-01`).
    Date(Date),
    /// `,` or `;`: separates clauses like `and`.
    Comma,
    /// `+` right after a number (`3+ orders`).
    Plus,
    /// `%` right after a number.
    Percent,
    /// `>`, `>=`, `<`, `<=`, `=`.
    Sign(&'static str),
}

/// One token and the bytes of the query it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// What it is.
    pub kind: Tok,
    /// Byte offset of its first character in the query.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
    /// The text as written (for a contraction, the whole contracted word).
    pub text: String,
}

impl Token {
    /// The lower-cased word, when the token is a word.
    pub fn word(&self) -> Option<&str> {
        match &self.kind {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }
}

/// Currency symbols written before or after an amount.
const SYMBOLS: [(char, &str); 4] = [('$', "USD"), ('€', "EUR"), ('£', "GBP"), ('¥', "JPY")];

fn symbol_currency(c: char) -> Option<&'static str> {
    SYMBOLS.iter().find(|(s, _)| *s == c).map(|(_, code)| *code)
}

/// Contractions and what they expand to. The apostrophe-less spellings
/// (`havent`) are common in typed queries and are accepted too.
const CONTRACTIONS: [(&str, &str); 15] = [
    ("haven't", "have"),
    ("hasn't", "has"),
    ("hadn't", "had"),
    ("didn't", "did"),
    ("don't", "do"),
    ("doesn't", "does"),
    ("isn't", "is"),
    ("aren't", "are"),
    ("wasn't", "was"),
    ("weren't", "were"),
    ("won't", "will"),
    ("can't", "can"),
    ("cannot", "can"),
    ("never've", "never"),
    ("ain't", "are"),
];

/// Splits `text` into tokens.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, QueryError> {
    let mut out = Vec::new();
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        let (at, c) = bytes[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // Single-character punctuation.
        let single = match c {
            ',' | ';' => Some(Tok::Comma),
            '+' => Some(Tok::Plus),
            '%' => Some(Tok::Percent),
            _ => None,
        };
        if let Some(kind) = single {
            out.push(Token {
                kind,
                start: at,
                end: at + c.len_utf8(),
                text: c.to_string(),
            });
            i += 1;
            continue;
        }
        if matches!(c, '>' | '<' | '=') {
            let two = bytes.get(i + 1).map(|(_, n)| *n) == Some('=') && c != '=';
            let (sign, len) = match (c, two) {
                ('>', true) => (">=", 2),
                ('<', true) => ("<=", 2),
                ('>', false) => (">", 1),
                ('<', false) => ("<", 1),
                _ => ("=", 1),
            };
            out.push(Token {
                kind: Tok::Sign(sign),
                start: at,
                end: at + len,
                text: sign.to_string(),
            });
            i += len;
            continue;
        }
        // Quotes and sentence punctuation around words are dropped.
        if matches!(
            c,
            '"' | '\'' | '“' | '”' | '‘' | '’' | '.' | '?' | '!' | '(' | ')' | ':'
        ) {
            i += 1;
            continue;
        }
        // A currency symbol before an amount: `$500`, `€ 80`.
        if let Some(code) = symbol_currency(c) {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j].1 == ' ' {
                j += 1;
            }
            let (num_end, value, _) =
                read_number(text, &bytes, j).ok_or_else(|| QueryError::BadAmount {
                    text: c.to_string(),
                    at,
                })?;
            let end = byte_at(text, &bytes, num_end);
            out.push(Token {
                kind: Tok::Amount {
                    value,
                    currency: code,
                },
                start: at,
                end,
                text: text[at..end].to_string(),
            });
            i = num_end;
            continue;
        }
        // A word or a number: read up to the next blank or separator.
        let mut j = i;
        while j < bytes.len() {
            let ch = bytes[j].1;
            if ch.is_whitespace() || matches!(ch, ',' | ';' | '+' | '%' | '>' | '<' | '=' | '"') {
                // A comma between digits is a thousands separator.
                if ch == ',' && j > i && is_thousands_comma(&bytes, j) {
                    j += 1;
                    continue;
                }
                break;
            }
            j += 1;
        }
        // Trailing sentence punctuation is not part of the word.
        while j > i
            && matches!(
                bytes[j - 1].1,
                '.' | '?' | '!' | ')' | ':' | '"' | '\'' | '’' | '”'
            )
        {
            j -= 1;
        }
        let end = byte_at(text, &bytes, j);
        let raw = &text[at..end];
        let next = j.max(i + 1);
        if raw.is_empty() {
            i = next;
            continue;
        }
        if let Some(date) = read_date(raw) {
            let date = date.map_err(|()| QueryError::BadDate {
                text: raw.to_string(),
                at,
            })?;
            out.push(Token {
                kind: Tok::Date(date),
                start: at,
                end,
                text: raw.to_string(),
            });
            i = next;
            continue;
        }
        if raw.starts_with(|ch: char| ch.is_ascii_digit()) {
            if let Some((num_end, value, integer)) = read_number(text, &bytes, i) {
                let num_end_byte = byte_at(text, &bytes, num_end);
                // `80€`, `80$`: a symbol right after the number.
                let after = bytes.get(num_end).map(|(_, ch)| *ch);
                if let Some(code) = after.and_then(symbol_currency) {
                    let end = num_end_byte + after.map_or(0, char::len_utf8);
                    out.push(Token {
                        kind: Tok::Amount {
                            value,
                            currency: code,
                        },
                        start: at,
                        end,
                        text: text[at..end].to_string(),
                    });
                    i = num_end + 1;
                    continue;
                }
                if num_end_byte == end {
                    out.push(Token {
                        kind: Tok::Number { value, integer },
                        start: at,
                        end,
                        text: raw.to_string(),
                    });
                    i = next;
                    continue;
                }
            }
            // `3rd`, `7-day`, `2x`: a word that starts with digits.
        }
        let lower = raw
            .to_lowercase()
            .replace(['’', '‘'], "'")
            .trim_end_matches("'s")
            .to_string();
        let expanded = CONTRACTIONS
            .iter()
            .find(|(c, _)| *c == lower || c.replace('\'', "") == lower)
            .map(|(_, base)| *base)
            .or_else(|| {
                lower
                    .strip_suffix("n't")
                    .filter(|b| !b.is_empty())
                    .map(|_| "")
            });
        match expanded {
            Some(base) => {
                let base = if base.is_empty() {
                    lower.trim_end_matches("n't").to_string()
                } else {
                    base.to_string()
                };
                if base == "never" {
                    out.push(word_token("never", at, end, raw));
                } else {
                    out.push(word_token(&base, at, end, raw));
                    out.push(word_token("not", at, end, raw));
                }
            }
            None => out.push(word_token(&lower, at, end, raw)),
        }
        i = next;
    }
    Ok(out)
}

fn word_token(word: &str, start: usize, end: usize, raw: &str) -> Token {
    Token {
        kind: Tok::Word(word.to_string()),
        start,
        end,
        text: raw.to_string(),
    }
}

/// The byte offset of char index `i` (the end of the text past the last).
fn byte_at(text: &str, chars: &[(usize, char)], i: usize) -> usize {
    chars.get(i).map_or(text.len(), |(b, _)| *b)
}

fn is_thousands_comma(chars: &[(usize, char)], j: usize) -> bool {
    let before = chars[j - 1].1.is_ascii_digit();
    let three = (1..=3).all(|k| chars.get(j + k).is_some_and(|(_, c)| c.is_ascii_digit()));
    let fourth = chars.get(j + 4).is_some_and(|(_, c)| c.is_ascii_digit());
    before && three && !fourth
}

/// Reads `1,000.50` starting at char index `i`; returns the char index past
/// it, the value and its integer value when it has no fraction.
fn read_number(
    text: &str,
    chars: &[(usize, char)],
    i: usize,
) -> Option<(usize, Money, Option<u64>)> {
    let mut j = i;
    let mut digits = String::new();
    let mut seen_dot = false;
    while j < chars.len() {
        let c = chars[j].1;
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c == ',' && !seen_dot && j > i && is_thousands_comma(chars, j) {
            // thousands separator: skipped
        } else if c == '.' && !seen_dot && chars.get(j + 1).is_some_and(|(_, n)| n.is_ascii_digit())
        {
            seen_dot = true;
            digits.push('.');
        } else {
            break;
        }
        j += 1;
    }
    if digits.is_empty() {
        return None;
    }
    let _ = text;
    let value = Money::parse(&digits).ok()?;
    let integer = if seen_dot {
        None
    } else {
        digits.parse::<u64>().ok()
    };
    Some((j, value, integer))
}

/// `Some(Ok)` for a valid `YYYY-MM-DD` (or `YYYY/MM/DD`), `Some(Err)` for
/// something shaped like one that is not a real day, `None` otherwise.
fn read_date(raw: &str) -> Option<Result<Date, ()>> {
    let parts: Vec<&str> = raw.split(['-', '/']).collect();
    let shaped = parts.len() == 3
        && parts[0].len() == 4
        && (1..=2).contains(&parts[1].len())
        && (1..=2).contains(&parts[2].len())
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !shaped {
        return None;
    }
    let y: i16 = parts[0].parse().ok()?;
    let m: i8 = parts[1].parse().ok()?;
    let d: i8 = parts[2].parse().ok()?;
    Some(Date::new(y, m, d).map_err(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        tokenize(text)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    fn w(s: &str) -> Tok {
        Tok::Word(s.into())
    }

    #[test]
    fn words_are_lower_cased_and_keep_their_spelling_and_span() {
        let toks = tokenize("Bought SKU TSHIRT-RED.").unwrap();
        assert_eq!(toks.len(), 3);
        assert_eq!(toks[2].kind, w("tshirt-red"));
        assert_eq!(toks[2].text, "TSHIRT-RED");
        assert_eq!((toks[2].start, toks[2].end), (11, 21));
    }

    #[test]
    fn contractions_expand_and_point_at_the_contracted_word() {
        let toks = tokenize("who haven't ordered").unwrap();
        assert_eq!(
            toks.iter().map(|t| t.kind.clone()).collect::<Vec<_>>(),
            vec![w("who"), w("have"), w("not"), w("ordered")]
        );
        assert_eq!((toks[1].start, toks[2].start), (4, 4));
        assert_eq!(kinds("didnt buy"), vec![w("did"), w("not"), w("buy")]);
        assert_eq!(
            kinds("hasn’t ordered"),
            vec![w("has"), w("not"), w("ordered")]
        );
        assert_eq!(kinds("customer's orders"), vec![w("customer"), w("orders")]);
    }

    #[test]
    fn amounts_numbers_and_dates() {
        let m = |s: &str| Money::parse(s).unwrap();
        assert_eq!(
            kinds("$500"),
            vec![Tok::Amount {
                value: m("500"),
                currency: "USD"
            }]
        );
        assert_eq!(
            kinds("80€ and € 1,000.50"),
            vec![
                Tok::Amount {
                    value: m("80"),
                    currency: "EUR"
                },
                w("and"),
                Tok::Amount {
                    value: m("1000.50"),
                    currency: "EUR"
                }
            ]
        );
        assert_eq!(
            kinds("3+ orders, 99.5"),
            vec![
                Tok::Number {
                    value: m("3"),
                    integer: Some(3)
                },
                Tok::Plus,
                w("orders"),
                Tok::Comma,
                Tok::Number {
                    value: m("99.5"),
                    integer: None
                }
            ]
        );
        assert_eq!(
            kinds("since 2025-01-01."),
            vec![w("since"), Tok::Date(Date::new(2025, 1, 1).unwrap())]
        );
        assert_eq!(
            kinds(">= 3"),
            vec![
                Tok::Sign(">="),
                Tok::Number {
                    value: m("3"),
                    integer: Some(3)
                }
            ]
        );
        assert_eq!(kinds("7-day"), vec![w("7-day")]);
    }

    #[test]
    fn impossible_dates_and_bare_symbols_are_errors_with_positions() {
        assert_eq!(
            tokenize("since 2025-02-30").unwrap_err(),
            QueryError::BadDate {
                text: "2025-02-30".into(),
                at: 6
            }
        );
        assert_eq!(
            tokenize("spent over $ ").unwrap_err(),
            QueryError::BadAmount {
                text: "$".into(),
                at: 11
            }
        );
    }
}
