//! Exact decimal money amounts.
//!
//! WooCommerce stores amounts as `decimal(26,8)` in HPOS tables
//! (`317.34000000`) and as free text in postmeta (`317.34`, `-10`). Adding
//! such values as floats loses cents over a few thousand orders, so
//! [`Money`] keeps an integer count of 10⁻⁸ units, the column's own
//! precision: every value WooCommerce can store is represented exactly, and
//! sums are exact.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// Decimal places kept: those of WooCommerce's `decimal(26,8)` columns.
pub const SCALE: u32 = 8;
const ONE: i128 = 100_000_000;
/// Integer digits accepted: those of `decimal(26,8)` (26 − 8).
const MAX_INT_DIGITS: usize = 18;

/// An exact amount of money, in 10⁻⁸ units of its currency.
///
/// The currency is not part of the value: callers keep amounts of different
/// currencies apart (see `revenue`), never adding them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i128);

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is empty (or only blanks).
    #[error("empty amount")]
    Empty,
    /// A character that has no place in a decimal amount.
    #[error("amount {text:?}: unexpected {found:?} at byte {offset}")]
    Invalid {
        /// The text as given.
        text: String,
        /// The offending character.
        found: char,
        /// Its byte offset in `text`.
        offset: usize,
    },
    /// More than 8 decimal places or 18 integer digits (`decimal(26,8)`).
    #[error("amount {text:?} does not fit decimal(26,8)")]
    OutOfRange {
        /// The text as given.
        text: String,
    },
}

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// Parses a decimal text as WooCommerce stores it: optional sign,
    /// digits, optional `.` and up to 8 decimals (`317.34000000`, `-10`,
    /// `.5`). Surrounding blanks are ignored; an empty text is
    /// [`MoneyError::Empty`] (callers decide whether a missing amount is 0).
    ///
    /// ```
    /// use segmentflow_core::insight::Money;
    /// let a = Money::parse("317.34000000").unwrap();
    /// let b = Money::parse("-17.34").unwrap();
    /// assert_eq!((a + b).to_string(), "300.00");
    /// ```
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let lead = text.len() - text.trim_start().len();
        let (negative, body, body_at) = match t.as_bytes()[0] {
            b'-' => (true, &t[1..], lead + 1),
            b'+' => (false, &t[1..], lead + 1),
            _ => (false, t, lead),
        };
        let (int_part, frac_part) = match body.find('.') {
            Some(dot) => (&body[..dot], &body[dot + 1..]),
            None => (body, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            // A lone sign or dot: no digits at all.
            return Err(MoneyError::Invalid {
                text: text.to_string(),
                found: t.chars().next().unwrap_or('?'),
                offset: lead,
            });
        }
        for (i, c) in body.char_indices() {
            let is_dot = c == '.' && i == int_part.len();
            if !(c.is_ascii_digit() || is_dot) {
                return Err(MoneyError::Invalid {
                    text: text.to_string(),
                    found: c,
                    offset: body_at + i,
                });
            }
        }
        let int_digits = int_part.trim_start_matches('0');
        let frac_digits = frac_part.trim_end_matches('0');
        if int_digits.len() > MAX_INT_DIGITS || frac_digits.len() > SCALE as usize {
            return Err(MoneyError::OutOfRange {
                text: text.to_string(),
            });
        }
        let mut units: i128 = 0;
        for b in int_digits.bytes() {
            units = units * 10 + i128::from(b - b'0');
        }
        let mut frac: i128 = 0;
        for b in frac_digits.bytes() {
            frac = frac * 10 + i128::from(b - b'0');
        }
        frac *= 10_i128.pow(SCALE - frac_digits.len() as u32);
        let v = units * ONE + frac;
        Ok(Money(if negative { -v } else { v }))
    }

    /// [`Money::parse`], with an empty text read as zero (WooCommerce writes
    /// `''` for amounts never set).
    pub fn parse_or_zero(text: &str) -> Result<Money, MoneyError> {
        match Money::parse(text) {
            Err(MoneyError::Empty) => Ok(Money::ZERO),
            other => other,
        }
    }

    /// An amount of whole currency units (`Money::from_units(5)` is 5.00).
    pub fn from_units(units: i64) -> Money {
        Money(i128::from(units) * ONE)
    }

    /// The raw count of 10⁻⁸ units.
    pub fn raw(self) -> i128 {
        self.0
    }

    /// From a raw count of 10⁻⁸ units.
    pub fn from_raw(raw: i128) -> Money {
        Money(raw)
    }

    /// This amount multiplied by a count (`3 × average`, `n × price`).
    pub fn times(self, n: i64) -> Money {
        Money(self.0.saturating_mul(i128::from(n)))
    }

    /// This amount divided by a positive count, rounded half away from zero
    /// to the 10⁻⁸ unit (an average). `None` when `n` is 0.
    pub fn div_round(self, n: u64) -> Option<Money> {
        if n == 0 {
            return None;
        }
        let n = i128::from(n);
        let q = self.0 / n;
        let r = self.0 % n;
        let adj = if 2 * r.abs() >= n { self.0.signum() } else { 0 };
        Some(Money(q + adj))
    }

    /// Whether the amount is below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The text with `dp` decimals (0–8), rounded half away from zero as
    /// PHP's `round()` does: `format(2)` of 0.125 is `0.13`.
    pub fn format(self, dp: u32) -> String {
        let dp = dp.min(SCALE);
        let step = 10_i128.pow(SCALE - dp);
        let abs = self.0.abs();
        let mut q = abs / step;
        if (abs % step) * 2 >= step && step > 1 {
            q += 1;
        }
        let sign = if self.0 < 0 && q != 0 { "-" } else { "" };
        if dp == 0 {
            return format!("{sign}{q}");
        }
        let div = 10_i128.pow(dp);
        format!("{sign}{}.{:0width$}", q / div, q % div, width = dp as usize)
    }

    /// `part / whole` as a percentage with one decimal, rounded half away
    /// from zero (`"12.5"`); `None` when `whole` is zero.
    pub fn share_of(self, whole: Money) -> Option<String> {
        if whole.0 == 0 {
            return None;
        }
        // Tenths of a percent: part * 1000 / whole, rounded.
        let num = self.0 * 1000;
        let q = num / whole.0;
        let r = num % whole.0;
        let q = if 2 * r.abs() >= whole.0.abs() {
            q + (num.signum() * whole.0.signum())
        } else {
            q
        };
        let sign = if q < 0 { "-" } else { "" };
        Some(format!("{sign}{}.{}", q.abs() / 10, q.abs() % 10))
    }
}

/// Two decimals, the way amounts are shown in reports.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(2))
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn parses_the_forms_woocommerce_stores() {
        assert_eq!(m("317.34000000").raw(), 31_734_000_000);
        assert_eq!(m("317.34"), m("317.34000000"));
        assert_eq!(m("-10").raw(), -1_000_000_000);
        assert_eq!(m(".5").raw(), 50_000_000);
        assert_eq!(m("5.").raw(), 500_000_000);
        assert_eq!(m(" 0 ").raw(), 0);
        assert_eq!(m("+1.00000001").raw(), 100_000_001);
        assert_eq!(
            m("999999999999999999.99999999").raw(),
            99_999_999_999_999_999_999_999_999
        );
    }

    #[test]
    fn rejects_what_is_not_an_amount_and_says_where() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(Money::parse_or_zero("  "), Ok(Money::ZERO));
        match Money::parse("12,50") {
            Err(MoneyError::Invalid { found, offset, .. }) => {
                assert_eq!((found, offset), (',', 2));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Money::parse("1.2.3"),
            Err(MoneyError::Invalid {
                found: '.',
                offset: 3,
                ..
            })
        ));
        assert!(matches!(Money::parse("-"), Err(MoneyError::Invalid { .. })));
        assert!(matches!(Money::parse("."), Err(MoneyError::Invalid { .. })));
        assert!(matches!(
            Money::parse("1e5"),
            Err(MoneyError::Invalid { found: 'e', .. })
        ));
        assert!(matches!(
            Money::parse("0.000000001"),
            Err(MoneyError::OutOfRange { .. })
        ));
        assert!(matches!(
            Money::parse("1234567890123456789"),
            Err(MoneyError::OutOfRange { .. })
        ));
        // Trailing zeros beyond 8 places are exact, so they are fine.
        assert_eq!(m("1.0000000000"), Money::from_units(1));
    }

    #[test]
    fn sums_are_exact_where_floats_drift() {
        let total: Money = std::iter::repeat_n(m("0.1"), 10_000).sum();
        assert_eq!(total, Money::from_units(1000));
        assert_eq!((m("19.99") - m("5.01")).to_string(), "14.98");
    }

    #[test]
    fn formats_round_half_away_from_zero() {
        assert_eq!(m("0.125").format(2), "0.13");
        assert_eq!(m("-0.125").format(2), "-0.13");
        assert_eq!(m("-0.001").format(2), "0.00");
        assert_eq!(m("2.5").format(0), "3");
        assert_eq!(m("1234.5").format(8), "1234.50000000");
        assert_eq!(Money::ZERO.to_string(), "0.00");
    }

    #[test]
    fn averages_and_shares() {
        assert_eq!(m("10").div_round(3).unwrap().format(8), "3.33333333");
        assert_eq!(m("20").div_round(3).unwrap().format(8), "6.66666667");
        assert_eq!(m("10").div_round(0), None);
        assert_eq!(m("1").share_of(m("8")).as_deref(), Some("12.5"));
        assert_eq!(m("2").share_of(m("3")).as_deref(), Some("66.7"));
        assert_eq!(m("1").share_of(Money::ZERO), None);
        assert_eq!(m("3").times(4), m("12"));
    }
}
