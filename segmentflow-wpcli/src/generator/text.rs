//! Value formats exactly as WooCommerce and WordPress write them: MySQL
//! datetimes, decimal money strings (trimmed like `wc_format_decimal`, or fixed
//! to the store's 2 decimals), exact tax amounts, and PHP-serialized arrays.
//!
//! Money is integer cents everywhere; taxes are carried exactly in units of
//! 1e-8 of a currency unit (cents × rate in 1/10 000 %), which is what lets the
//! generator write WooCommerce's unrounded `_line_tax_data` strings and still
//! keep every total consistent to the cent.

use std::fmt::Write as _;

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Broken-down time of a Unix timestamp (already shifted to the wanted zone).
pub struct Civil {
    /// Year.
    pub year: i64,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31.
    pub day: u32,
    /// Hour 0–23.
    pub hour: u32,
    /// Minute.
    pub minute: u32,
    /// Second.
    pub second: u32,
}

/// Splits a Unix timestamp into calendar fields (UTC).
pub fn civil(ts: i64) -> Civil {
    let (year, month, day) = civil_from_days(ts.div_euclid(86_400));
    let secs = ts.rem_euclid(86_400) as u32;
    Civil {
        year,
        month,
        day,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
    }
}

/// Appends `YYYY-MM-DD HH:MM:SS` for a Unix timestamp (UTC) to `out`.
pub fn push_datetime(out: &mut String, ts: i64) {
    let c = civil(ts);
    if !(0..=9999).contains(&c.year) {
        let _ = write!(
            out,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        );
        return;
    }
    let y = c.year as u32;
    let two = |v: u32| [b'0' + (v / 10 % 10) as u8, b'0' + (v % 10) as u8];
    let (y1, y2, mo, d, h, mi, se) = (
        two(y / 100),
        two(y),
        two(c.month),
        two(c.day),
        two(c.hour),
        two(c.minute),
        two(c.second),
    );
    let bytes = [
        y1[0], y1[1], y2[0], y2[1], b'-', mo[0], mo[1], b'-', d[0], d[1], b' ', h[0], h[1], b':',
        mi[0], mi[1], b':', se[0], se[1],
    ];
    out.push_str(std::str::from_utf8(&bytes).unwrap_or("0000-00-00 00:00:00"));
}

/// Appends a decimal integer (the hot path of SQL output; `write!` is slower).
pub fn push_int(out: &mut String, v: i64) {
    let mut digits = [0u8; 20];
    let mut n = v.unsigned_abs();
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&digits[i..]).unwrap_or("0"));
}

/// `YYYY-MM-DD HH:MM:SS` for a Unix timestamp (UTC).
pub fn datetime(ts: i64) -> String {
    let mut s = String::with_capacity(19);
    push_datetime(&mut s, ts);
    s
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The `post_title` WooCommerce's CPT store gives an order or refund, e.g.
/// `Order &ndash; May 16, 2025 @ 05:50 PM` (site-local time), and its slug.
pub fn order_post_title(kind: &str, local_ts: i64) -> (String, String) {
    let c = civil(local_ts);
    let (h12, ampm) = match c.hour {
        0 => (12, "AM"),
        1..=11 => (c.hour, "AM"),
        12 => (12, "PM"),
        _ => (c.hour - 12, "PM"),
    };
    let month = MONTHS
        .get(c.month as usize - 1)
        .copied()
        .unwrap_or("January");
    let title = format!(
        "{kind} &ndash; {month} {}, {} @ {:02}:{:02} {ampm}",
        c.day, c.year, h12, c.minute
    );
    let slug = format!(
        "{}-{}-{}-{}-{:02}{:02}-{}",
        kind.to_ascii_lowercase(),
        month.to_ascii_lowercase(),
        c.day,
        c.year,
        h12,
        c.minute,
        ampm.to_ascii_lowercase()
    );
    (title, slug)
}

/// Cents as a fixed 2-decimal string: `1234` → `12.34`, `-5` → `-0.05`.
pub fn money2(cents: i64) -> String {
    let mut s = String::with_capacity(12);
    push_money2(&mut s, cents);
    s
}

/// Appends [`money2`] to `out`.
pub fn push_money2(out: &mut String, cents: i64) {
    if cents < 0 {
        out.push('-');
    }
    let a = cents.unsigned_abs();
    let _ = write!(out, "{}.{:02}", a / 100, a % 100);
}

/// Cents as `wc_format_decimal` trims them: `11400` → `114`, `1140` → `11.4`,
/// `-285` → `-2.85`, `0` → `0`.
pub fn money_trim(cents: i64) -> String {
    let a = cents.unsigned_abs();
    let sign = if cents < 0 { "-" } else { "" };
    match a % 100 {
        0 => format!("{sign}{}", a / 100),
        r if r % 10 == 0 => format!("{sign}{}.{}", a / 100, r / 10),
        r => format!("{sign}{}.{:02}", a / 100, r),
    }
}

/// An exact tax amount held in units of 1e-8, rounded to WooCommerce's 6-digit
/// precision and trimmed: `326_250_000` → `3.2625`.
pub fn tax_exact(e8: i64) -> String {
    let e6 = div_round(e8, 100);
    let a = e6.unsigned_abs();
    let sign = if e6 < 0 { "-" } else { "" };
    let frac = a % 1_000_000;
    if frac == 0 {
        return format!("{sign}{}", a / 1_000_000);
    }
    let mut f = format!("{frac:06}");
    while f.ends_with('0') {
        f.pop();
    }
    format!("{sign}{}.{f}", a / 1_000_000)
}

/// Integer division rounding half away from zero (PHP `round`).
pub fn div_round(n: i64, d: i64) -> i64 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() {
        q + n.signum() * d.signum()
    } else {
        q
    }
}

/// Cents at rate `rate_e4` (percent × 10 000) → exact tax in 1e-8 units.
pub fn tax_e8(cents: i64, rate_e4: i64) -> i64 {
    cents * rate_e4
}

/// Exact 1e-8 tax → cents, rounded half away from zero.
pub fn e8_to_cents(e8: i64) -> i64 {
    div_round(e8, 1_000_000)
}

/// Appends a PHP-serialized string `s:<bytes>:"…";`.
pub fn ser_str(out: &mut String, s: &str) {
    let _ = write!(out, "s:{}:\"{s}\";", s.len());
}

/// `_line_tax_data` for a line: `a:2:{s:5:"total";a:1:{i:<rate>;s:…}s:8:"subtotal";…}`,
/// or empty maps when the line is untaxed. Values are pre-formatted strings.
pub fn line_tax_data(rate_id: Option<u32>, total: &str, subtotal: Option<&str>) -> String {
    let mut out = String::with_capacity(96);
    let n = if subtotal.is_some() { 2 } else { 1 };
    let _ = write!(out, "a:{n}:{{s:5:\"total\";");
    push_rate_map(&mut out, rate_id, total);
    if let Some(sub) = subtotal {
        out.push_str("s:8:\"subtotal\";");
        push_rate_map(&mut out, rate_id, sub);
    }
    out.push('}');
    out
}

fn push_rate_map(out: &mut String, rate_id: Option<u32>, value: &str) {
    match rate_id {
        Some(id) => {
            let _ = write!(out, "a:1:{{i:{id};");
            ser_str(out, value);
            out.push('}');
        }
        None => out.push_str("a:0:{}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes() {
        for (ts, want) in [
            (0, "1970-01-01 00:00:00"),
            (1_747_432_247, "2025-05-16 21:50:47"),
            (951_782_400, "2000-02-29 00:00:00"),
            (-1, "1969-12-31 23:59:59"),
            (253_402_300_799, "9999-12-31 23:59:59"),
            (-62_135_596_800, "0001-01-01 00:00:00"),
        ] {
            assert_eq!(datetime(ts), want);
        }
    }

    #[test]
    fn integers() {
        for v in [0i64, 7, -7, 10, 1234567890, i64::MAX, i64::MIN] {
            let mut s = String::new();
            push_int(&mut s, v);
            assert_eq!(s, v.to_string());
        }
    }

    #[test]
    fn order_titles() {
        // 2025-05-16 17:50:47 local.
        let (t, s) = order_post_title("Order", 1_747_417_847);
        assert_eq!(t, "Order &ndash; May 16, 2025 @ 05:50 PM");
        assert_eq!(s, "order-may-16-2025-0550-pm");
    }

    #[test]
    fn money_formats() {
        for (c, two, trim) in [
            (11400, "114.00", "114"),
            (1140, "11.40", "11.4"),
            (285, "2.85", "2.85"),
            (-285, "-2.85", "-2.85"),
            (-5, "-0.05", "-0.05"),
            (0, "0.00", "0"),
            (-400, "-4.00", "-4"),
        ] {
            assert_eq!(money2(c), two);
            assert_eq!(money_trim(c), trim);
        }
    }

    #[test]
    fn exact_taxes_match_real_woocommerce_strings() {
        // (cents, rate ×1e4, exact string, rounded cents) as seen in a real WC 9.2.5 store.
        for (cents, rate, exact, rounded) in [
            (4500, 72_500, "3.2625", 326),
            (360, 72_500, "0.261", 26),
            (599, 100_000, "0.599", 60),
            (1490, 62_500, "0.93125", 93),
            (200, 62_500, "0.125", 13),
            (1, 88_750, "0.000888", 0),
            (-11400, 100_000, "-11.4", -1140),
        ] {
            let e8 = tax_e8(cents, rate);
            assert_eq!(tax_exact(e8), exact, "{cents} at {rate}");
            assert_eq!(e8_to_cents(e8), rounded, "{cents} at {rate}");
        }
    }

    #[test]
    fn serialized_tax_data() {
        assert_eq!(
            line_tax_data(Some(10), "11.4", Some("11.4")),
            r#"a:2:{s:5:"total";a:1:{i:10;s:4:"11.4";}s:8:"subtotal";a:1:{i:10;s:4:"11.4";}}"#
        );
        assert_eq!(
            line_tax_data(Some(2), "0.29", None),
            r#"a:1:{s:5:"total";a:1:{i:2;s:4:"0.29";}}"#
        );
        assert_eq!(
            line_tax_data(None, "", Some("")),
            r#"a:2:{s:5:"total";a:0:{}s:8:"subtotal";a:0:{}}"#
        );
    }
}
