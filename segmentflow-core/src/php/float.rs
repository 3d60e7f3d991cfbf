//! PHP's text for a float, as `serialize()` and `json_encode()` print it with
//! the default `serialize_precision = -1` (PHP ≥ 7.1).
//!
//! PHP formats with `php_gcvt` in "shortest round-trip" mode: the fewest
//! significant digits that read back as the same double (exactly what Rust's
//! `{:e}` formatting yields), in plain notation unless the decimal exponent
//! is below −4 or at least 17, where it switches to `1.0E+25` /
//! `1.0E-5` (mantissa always with a fraction, exponent without padding).
//! Integral values print without a fraction (`3`, `-0`). Infinities and NaN
//! print as `INF`, `-INF` and `NAN`.

/// Which exponent letter PHP uses: `serialize()`/`var_export()` write `E`,
/// `json_encode()` writes `e`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExponentChar {
    /// `1.0E+25`, as in `serialize()`.
    Upper,
    /// `1.0e+25`, as in `json_encode()`.
    Lower,
}

/// Formats `value` exactly as PHP 8 prints it with `serialize_precision = -1`.
///
/// ```
/// use segmentflow_core::php::float::{format, ExponentChar::Upper};
/// assert_eq!(format(0.1, Upper), "0.1");
/// assert_eq!(format(3.0, Upper), "3");
/// assert_eq!(format(1e25, Upper), "1.0E+25");
/// assert_eq!(format(1e-5, Upper), "1.0E-5");
/// assert_eq!(format(-0.0, Upper), "-0");
/// assert_eq!(format(f64::NEG_INFINITY, Upper), "-INF");
/// ```
pub fn format(value: f64, exp: ExponentChar) -> String {
    if value.is_nan() {
        return "NAN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "INF" } else { "-INF" }.to_owned();
    }
    let mut out = String::with_capacity(24);
    if value.is_sign_negative() {
        out.push('-');
    }
    let abs = value.abs();
    if abs == 0.0 {
        out.push('0');
        return out;
    }
    // `{:e}` gives the shortest round-trip digits: "1.2345e-5", "1e25".
    let sci = format!("{abs:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    // PHP's `decpt`: the value is 0.<digits> × 10^decpt.
    let decpt = exponent + 1;
    if !(-3..=17).contains(&decpt) {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        out.push(match exp {
            ExponentChar::Upper => 'E',
            ExponentChar::Lower => 'e',
        });
        out.push(if exponent < 0 { '-' } else { '+' });
        out.push_str(&exponent.unsigned_abs().to_string());
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..(-decpt) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let decpt = decpt as usize;
        if digits.len() <= decpt {
            out.push_str(&digits);
            for _ in digits.len()..decpt {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..decpt]);
            out.push('.');
            out.push_str(&digits[decpt..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{ExponentChar::*, format};

    #[test]
    fn matches_php_serialize_output() {
        let cases: &[(f64, &str)] = &[
            (0.1, "0.1"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (100000000000000.0, "100000000000000"),
            (1e16, "10000000000000000"),
            (1e17, "1.0E+17"),
            (1.5e17, "1.5E+17"),
            (1e25, "1.0E+25"),
            (1e100, "1.0E+100"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (1e-5, "1.0E-5"),
            (1.25e-7, "1.25E-7"),
            (123456.789, "123456.789"),
            (-0.0, "-0"),
            (0.0, "0"),
            (f64::MAX, "1.7976931348623157E+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (5e-324, "5.0E-324"),
            (f64::INFINITY, "INF"),
            (f64::NAN, "NAN"),
        ];
        for (v, want) in cases {
            assert_eq!(format(*v, Upper), *want, "value {v:?}");
        }
        assert_eq!(format(1e25, Lower), "1.0e+25");
    }
}
