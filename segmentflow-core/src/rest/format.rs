//! The small formatting rules every REST response shares: dates
//! (`wc_rest_prepare_date_response`), money (`wc_format_decimal`, `wc_price`),
//! text cleaning (`sanitize_text_field`, `rawurldecode`) and `meta_data`
//! filtering.
//!
//! Money is handled as decimal strings: `wc_format_decimal( $x, $dp )` is
//! `number_format( floatval( $x ), $dp )`, whose PHP rounding pre-rounds to
//! 15 significant digits and then rounds half away from zero; on the decimal
//! strings a database holds that equals rounding the decimal text itself,
//! which is what [`format_decimal`] does (no `f64` on the way).

use crate::store::{DbDate, MetaRow, Site};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use serde_json::{Map, Value};

/// The site's timezone as `wc_timezone_string()` resolves it: the
/// `timezone_string` option, else the fixed `gmt_offset`.
pub fn site_timezone(site: &Site) -> TimeZone {
    if !site.timezone_string.is_empty()
        && let Ok(tz) = TimeZone::get(&site.timezone_string)
    {
        return tz;
    }
    let hours: f64 = site.gmt_offset.trim().parse().unwrap_or(0.0);
    let seconds = (hours * 3600.0).round() as i32;
    match Offset::from_seconds(seconds) {
        Ok(off) => TimeZone::fixed(off),
        Err(_) => TimeZone::UTC,
    }
}

/// Parses a MySQL `YYYY-MM-DD HH:MM:SS` datetime; zero or invalid dates give
/// `None`.
pub fn parse_mysql_datetime(s: &str) -> Option<DateTime> {
    let s = s.trim();
    if s.is_empty() || s.starts_with("0000-00-00") {
        return None;
    }
    s.replacen(' ', "T", 1).parse::<DateTime>().ok()
}

/// An instant resolved from a stored date.
pub fn db_date_instant(date: &DbDate, tz: &TimeZone) -> Option<Timestamp> {
    match date {
        DbDate::Gmt(s) => parse_mysql_datetime(s)?
            .to_zoned_datetime(TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp()),
        DbDate::Timestamp(t) => Timestamp::from_second(*t).ok(),
        DbDate::SiteLocal(s) => parse_mysql_datetime(s)?
            .to_zoned_datetime(tz.clone())
            .ok()
            .map(|z| z.timestamp()),
    }
}

/// The instant of a GMT string column.
pub fn gmt_instant(gmt: Option<&str>) -> Option<Timestamp> {
    db_date_instant(&DbDate::Gmt(gmt?.to_string()), &TimeZone::UTC)
}

fn iso(dt: DateTime) -> String {
    dt.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

/// `wc_rest_prepare_date_response( $date, false )`: site-local text, `null`
/// when unset.
pub fn local_date(ts: Option<Timestamp>, tz: &TimeZone) -> Value {
    match ts {
        Some(ts) => Value::String(iso(ts.to_zoned_datetime(tz.clone()).datetime())),
        None => Value::Null,
    }
}

/// `wc_rest_prepare_date_response( $date )`: GMT text, `null` when unset.
pub fn gmt_date(ts: Option<Timestamp>) -> Value {
    match ts {
        Some(ts) => Value::String(iso(ts.to_zoned_datetime(TimeZone::UTC).datetime())),
        None => Value::Null,
    }
}

/// `wc_rest_prepare_date_response( $mysql_string, false )` for a *string*
/// argument: WooCommerce reads the string as UTC and then shifts it to the
/// site timezone (so a site-local string is shifted twice; this is what the
/// v2 image dates print).
pub fn string_date_local(s: &str, tz: &TimeZone) -> Value {
    local_date(gmt_instant(Some(s)), tz)
}

/// `wc_get_price_decimals()`: `absint( woocommerce_price_num_decimals )`.
pub fn price_decimals(site: &Site) -> u32 {
    let digits: String = site
        .price_num_decimals
        .trim()
        .trim_start_matches(['-', '+'])
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse::<u32>().unwrap_or(0).min(20)
}

/// A parsed decimal: sign, integer digits and fraction digits (ASCII).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    int: String,
    frac: String,
}

impl Decimal {
    /// `floatval()`'s view of a string: the longest numeric prefix.
    fn parse_prefix(s: &str) -> Decimal {
        let s = s.trim_start();
        let mut chars = s.chars().peekable();
        let mut negative = false;
        if let Some(&c) = chars.peek()
            && (c == '-' || c == '+')
        {
            negative = c == '-';
            chars.next();
        }
        let mut int = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_digit() {
                int.push(c);
                chars.next();
            } else {
                break;
            }
        }
        let mut frac = String::new();
        if chars.peek() == Some(&'.') {
            chars.next();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_digit() {
                    frac.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
        }
        Decimal {
            negative,
            int,
            frac,
        }
    }

    fn is_zero(&self) -> bool {
        self.int.chars().chain(self.frac.chars()).all(|c| c == '0')
    }

    /// Rounds half away from zero to `dp` digits and prints like
    /// `number_format( $x, $dp, '.', '' )`.
    fn round_to(&self, dp: usize) -> String {
        let mut digits: Vec<u8> = self.int.bytes().map(|b| b - b'0').collect();
        if digits.is_empty() {
            digits.push(0);
        }
        let frac: Vec<u8> = self.frac.bytes().map(|b| b - b'0').collect();
        for i in 0..dp {
            digits.push(frac.get(i).copied().unwrap_or(0));
        }
        if frac.get(dp).copied().unwrap_or(0) >= 5 {
            let mut i = digits.len();
            let mut carry = true;
            while carry && i > 0 {
                i -= 1;
                if digits[i] == 9 {
                    digits[i] = 0;
                } else {
                    digits[i] += 1;
                    carry = false;
                }
            }
            if carry {
                digits.insert(0, 1);
            }
        }
        let split = digits.len() - dp;
        let int_part: String = digits[..split].iter().map(|d| (d + b'0') as char).collect();
        let int_part = int_part.trim_start_matches('0');
        let int_part = if int_part.is_empty() { "0" } else { int_part };
        let frac_part: String = digits[split..].iter().map(|d| (d + b'0') as char).collect();
        let all_zero = digits.iter().all(|d| *d == 0);
        let sign = if self.negative && !all_zero { "-" } else { "" };
        if dp == 0 {
            format!("{sign}{int_part}")
        } else {
            format!("{sign}{int_part}.{frac_part}")
        }
    }
}

/// The first cleaning step of `wc_format_decimal` on a non-float: decimal
/// separators become `.`, then every character but digits, `.` and `-` goes,
/// and every dot but the last one.
pub fn clean_decimal(s: &str, site: &Site) -> String {
    let mut t = s.to_string();
    if !site.price_decimal_sep.is_empty() && site.price_decimal_sep != "." {
        t = t.replace(&site.price_decimal_sep, ".");
    }
    let filtered: String = t
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    // `\.(?![^.]+$)`: drop each dot that is followed by another dot or ends
    // the string.
    let bytes: Vec<char> = filtered.chars().collect();
    let mut out = String::with_capacity(bytes.len());
    for (i, c) in bytes.iter().enumerate() {
        if *c == '.' {
            let rest = &bytes[i + 1..];
            if rest.is_empty() || rest.contains(&'.') {
                continue;
            }
        }
        out.push(*c);
    }
    out
}

/// `wc_format_decimal( $value, $dp )` for a string value.
pub fn format_decimal(value: &str, dp: u32, site: &Site) -> String {
    let cleaned = clean_decimal(value, site);
    Decimal::parse_prefix(&cleaned).round_to(dp as usize)
}

/// `wc_format_decimal( $value )` (no rounding) for a string value.
pub fn format_decimal_raw(value: &str, site: &Site) -> String {
    clean_decimal(value, site)
}

/// `wc_format_decimal( $float )` with no `dp`: `sprintf( '%.Nf' )` with the
/// rounding precision (6, or `dp + 2` when larger), trailing zeros trimmed.
pub fn format_float_raw(value: f64, site: &Site) -> String {
    let precision = (price_decimals(site) + 2).max(6) as usize;
    let s = format!("{value:.precision$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// Adds two decimal strings exactly (for `total_tax = cart_tax + shipping_tax`)
/// and rounds to `dp`.
pub fn add_and_round(a: &str, b: &str, dp: u32, site: &Site) -> String {
    let x = to_scaled(&clean_decimal(a, site));
    let y = to_scaled(&clean_decimal(b, site));
    let sum = x + y;
    let negative = sum < 0;
    let abs = sum.unsigned_abs();
    let int = abs / SCALE as u128;
    let frac = abs % SCALE as u128;
    let d = Decimal {
        negative,
        int: int.to_string(),
        frac: format!("{frac:018}"),
    };
    d.round_to(dp as usize)
}

const SCALE: i128 = 1_000_000_000_000_000_000;

fn to_scaled(s: &str) -> i128 {
    let d = Decimal::parse_prefix(s);
    let int: i128 = d
        .int
        .parse::<i128>()
        .unwrap_or(0)
        .min(i128::MAX / SCALE / 4);
    let mut frac = d.frac.clone();
    frac.truncate(18);
    while frac.len() < 18 {
        frac.push('0');
    }
    let frac: i128 = frac.parse().unwrap_or(0);
    let v = int * SCALE + frac;
    if d.negative { -v } else { v }
}

/// PHP's numeric view of a decimal string (`(float) $x`).
pub fn to_f64(s: &str) -> f64 {
    let d = Decimal::parse_prefix(s);
    if d.is_zero() {
        return 0.0;
    }
    let text = format!(
        "{}{}.{}",
        if d.negative { "-" } else { "" },
        if d.int.is_empty() { "0" } else { &d.int },
        if d.frac.is_empty() { "0" } else { &d.frac }
    );
    text.parse().unwrap_or(0.0)
}

/// `intval()` of a string: the integer prefix (floats truncated).
pub fn intval(s: &str) -> i64 {
    let d = Decimal::parse_prefix(s);
    let v: i64 = d
        .int
        .parse()
        .unwrap_or(if d.int.is_empty() { 0 } else { i64::MAX });
    if d.negative { -v } else { v }
}

/// `absint()`.
pub fn absint(s: &str) -> u64 {
    intval(s).unsigned_abs()
}

/// A JSON number for a PHP int or float result: integral values that came
/// from integer arithmetic print the same as floats in PHP JSON, so an `f64`
/// is kept only when it has a fraction.
pub fn number(v: f64) -> Value {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .unwrap_or(Value::from(0))
    }
}

/// `rawurldecode()`: `%XX` sequences decoded (bytes), `+` kept.
pub fn rawurldecode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = |b: u8| -> u8 {
                match b {
                    b'0'..=b'9' => b - b'0',
                    b'a'..=b'f' => b - b'a' + 10,
                    _ => b - b'A' + 10,
                }
            };
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `sanitize_text_field()` (used by `wc_clean`) applied to HTML WooCommerce
/// built around a value: tags stripped, a lone `<` escaped, whitespace runs
/// collapsed, trimmed, percent-encoded octets removed.
pub fn sanitize_text_field(s: &str) -> String {
    let mut filtered = s.to_string();
    if filtered.contains('<') {
        filtered = strip_tags_keep_lt(&filtered);
        filtered = filtered.trim().to_string();
        filtered = filtered.replace("<\n", "&lt;\n");
    }
    let mut collapsed = String::with_capacity(filtered.len());
    let mut in_ws = false;
    for c in filtered.chars() {
        if matches!(c, '\r' | '\n' | '\t' | ' ') {
            if !in_ws {
                collapsed.push(' ');
            }
            in_ws = true;
        } else {
            collapsed.push(c);
            in_ws = false;
        }
    }
    let mut out = collapsed.trim().to_string();
    let mut found = false;
    loop {
        let b = out.as_bytes();
        let pos = (0..b.len().saturating_sub(2)).find(|&i| {
            b[i] == b'%' && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()
        });
        match pos {
            Some(i) => {
                let pat = out[i..i + 3].to_string();
                out = out.replace(&pat, "");
                found = true;
            }
            None => break,
        }
    }
    if found {
        let mut squeezed = String::with_capacity(out.len());
        let mut prev_space = false;
        for c in out.chars() {
            if c == ' ' {
                if !prev_space {
                    squeezed.push(c);
                }
                prev_space = true;
            } else {
                squeezed.push(c);
                prev_space = false;
            }
        }
        out = squeezed.trim().to_string();
    }
    out
}

/// `wp_pre_kses_less_than` + `wp_strip_all_tags`: `<` that opens a tag
/// removes the tag, any other `<` becomes `&lt;`.
fn strip_tags_keep_lt(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '<' {
            match chars[i + 1..].iter().position(|c| *c == '>') {
                Some(end) => {
                    let next = chars.get(i + 1).copied().unwrap_or(' ');
                    if next.is_ascii_alphabetic() || next == '/' || next == '!' || next == '?' {
                        i += end + 2;
                        continue;
                    }
                    out.push_str("&lt;");
                }
                None => out.push_str("&lt;"),
            }
            i += 1;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// HTML 4 entity names `wp_kses_normalize_entities` keeps (`$allowedentitynames`).
const ALLOWED_ENTITY_NAMES: &[&str] = &[
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
    "laquo", "not", "shy", "reg", "macr", "hibar", "deg", "plusmn", "acute", "micro", "para",
    "middot", "cedil", "ordm", "raquo", "iquest", "Agrave", "Aacute", "Acirc", "Atilde", "Auml",
    "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc",
    "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash",
    "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc",
    "atilde", "auml", "aring", "aelig", "ccedil", "egrave", "eacute", "ecirc", "euml", "igrave",
    "iacute", "icirc", "iuml", "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml",
    "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml", "quot",
    "amp", "lt", "gt", "apos", "OElig", "oelig", "Scaron", "scaron", "Yuml", "circ", "tilde",
    "ensp", "emsp", "thinsp", "zwnj", "zwj", "lrm", "rlm", "ndash", "mdash", "lsquo", "rsquo",
    "sbquo", "ldquo", "rdquo", "bdquo", "dagger", "Dagger", "permil", "lsaquo", "rsaquo", "euro",
    "fnof", "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa",
    "Lambda", "Mu", "Nu", "Xi", "Omicron", "Pi", "Rho", "Sigma", "Tau", "Upsilon", "Phi", "Chi",
    "Psi", "Omega", "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigmaf", "sigma", "tau",
    "upsilon", "phi", "chi", "psi", "omega", "thetasym", "upsih", "piv", "bull", "hellip", "prime",
    "Prime", "oline", "frasl", "weierp", "image", "real", "trade", "alefsym", "larr", "uarr",
    "rarr", "darr", "harr", "crarr", "lArr", "uArr", "rArr", "dArr", "hArr", "forall", "part",
    "exist", "empty", "nabla", "isin", "notin", "ni", "prod", "sum", "minus", "lowast", "radic",
    "prop", "infin", "ang", "and", "or", "cap", "cup", "int", "sim", "cong", "asymp", "ne",
    "equiv", "le", "ge", "sub", "sup", "nsub", "sube", "supe", "oplus", "otimes", "perp", "sdot",
    "lceil", "rceil", "lfloor", "rfloor", "lang", "rang", "loz", "spades", "clubs", "hearts",
    "diams", "sup1", "sup2", "sup3", "frac14", "frac12", "frac34", "there4",
];

/// The text part of `wp_kses_post()`: every `&` that does not start an
/// allowed named or a valid numeric entity becomes `&amp;` (numeric ones are
/// normalized, `&#36;` ⇒ `&#036;`), and a `>` outside a tag becomes `&gt;`.
/// Tags themselves are left to the later `wc_clean`.
pub fn kses_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut in_tag = false;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                in_tag = true;
                out.push(c);
            }
            '>' if in_tag => {
                in_tag = false;
                out.push(c);
            }
            '>' => out.push_str("&gt;"),
            '&' => {
                let tail = &rest[1..];
                match entity_at(tail) {
                    Some((normalized, consumed)) => {
                        out.push_str(&normalized);
                        rest = &tail[consumed..];
                        continue;
                    }
                    None => out.push_str("&amp;"),
                }
            }
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// An entity right after `&`: its normalized text and the bytes it used.
fn entity_at(tail: &str) -> Option<(String, usize)> {
    let end = tail.find(';')?;
    let body = &tail[..end];
    if let Some(num) = body.strip_prefix('#') {
        if let Some(hex) = num.strip_prefix(['x', 'X']) {
            let trimmed = hex.trim_start_matches('0');
            if trimmed.is_empty()
                || trimmed.len() > 6
                || !hex.chars().all(|c| c.is_ascii_hexdigit())
            {
                return None;
            }
            let code = u32::from_str_radix(trimmed, 16).ok()?;
            return char::from_u32(code).map(|_| (format!("&#x{trimmed};"), end + 1));
        }
        let trimmed = num.trim_start_matches('0');
        if trimmed.is_empty() || trimmed.len() > 7 || !num.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let code: u32 = trimmed.parse().ok()?;
        return char::from_u32(code).map(|_| (format!("&#{trimmed:0>3};"), end + 1));
    }
    ALLOWED_ENTITY_NAMES
        .contains(&body)
        .then(|| (format!("&{body};"), end + 1))
}

/// `meta_data` items `{id, key, value}` of the rows `hidden` does not hide.
pub fn meta_data(meta: &[MetaRow], hidden: impl Fn(&str) -> bool) -> Value {
    Value::Array(
        meta.iter()
            .filter(|m| !hidden(&m.key))
            .map(|m| {
                let mut o = Map::new();
                o.insert("id".into(), Value::from(m.id));
                o.insert("key".into(), Value::String(m.key.clone()));
                o.insert("value".into(), m.value.to_json());
                Value::Object(o)
            })
            .collect(),
    )
}

/// `WC_Data_Store_WP::exclude_internal_meta_keys`: the store's internal keys,
/// `_` + every data key of the object, and keys starting with `wp_`.
pub fn is_internal_key(key: &str, internal: &[&str], data_keys: &[&str]) -> bool {
    if internal.contains(&key) {
        return true;
    }
    if let Some(rest) = key.strip_prefix('_')
        && data_keys.contains(&rest)
    {
        return true;
    }
    key.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("wp_"))
}

/// `get_woocommerce_currency_symbol()` for the currencies WooCommerce lists
/// (common subset; unknown codes give `""` as WooCommerce does).
pub fn currency_symbol(code: &str) -> &'static str {
    match code {
        "USD" | "AUD" | "CAD" | "NZD" | "SGD" | "HKD" | "MXN" | "ARS" | "CLP" | "COP" | "BSD"
        | "BBD" | "BMD" | "BND" | "BZD" | "FJD" | "GYD" | "JMD" | "KYD" | "LRD" | "NAD" | "SBD"
        | "SRD" | "TTD" | "TVD" | "XCD" => "&#36;",
        "EUR" => "&euro;",
        "GBP" | "GGP" | "GIP" | "IMP" | "JEP" => "&pound;",
        "JPY" | "CNY" => "&yen;",
        "CHF" => "&#67;&#72;&#70;",
        "INR" => "&#8377;",
        "BRL" => "&#82;&#36;",
        "SEK" | "NOK" => "&#107;&#114;",
        "DKK" | "ISK" => "kr.",
        "AED" => "&#x62f;.&#x625;",
        "SAR" => "&#x631;.&#x633;",
        "PLN" => "&#122;&#322;",
        "CZK" => "&#75;&#269;",
        "HUF" => "&#70;&#116;",
        "RUB" => "&#8381;",
        "TRY" => "&#8378;",
        "ZAR" => "&#82;",
        "KRW" => "&#8361;",
        "ILS" => "&#8362;",
        "THB" => "&#3647;",
        "PHP" => "&#8369;",
        "IDR" => "Rp",
        "MYR" => "&#82;&#77;",
        "NGN" => "&#8358;",
        "UAH" => "&#8372;",
        "VND" => "&#8363;",
        "RON" => "lei",
        "BGN" => "&#1083;&#1074;.",
        "PKR" => "&#8360;",
        "EGP" => "EGP",
        "KES" => "KSh",
        "TWD" => "&#78;&#84;&#36;",
        _ => "",
    }
}

/// `html_entity_decode()` for the entities currency symbols use.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos..];
        let Some(end) = after.find(';') else {
            out.push_str(after);
            return out;
        };
        let entity = &after[1..end];
        let decoded = if let Some(num) = entity.strip_prefix('#') {
            let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                u32::from_str_radix(hex, 16).ok()
            } else {
                num.parse::<u32>().ok()
            };
            code.and_then(char::from_u32).map(String::from)
        } else {
            match entity {
                "euro" => Some("€".into()),
                "pound" => Some("£".into()),
                "yen" => Some("¥".into()),
                "amp" => Some("&".into()),
                "lt" => Some("<".into()),
                "gt" => Some(">".into()),
                "quot" => Some("\"".into()),
                "nbsp" => Some("\u{a0}".into()),
                _ => None,
            }
        };
        match decoded {
            Some(d) => out.push_str(&d),
            None => out.push_str(&after[..=end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `wp_kses_normalize_entities` on numeric entities: `&#36;` ⇒ `&#036;`
/// (what `esc_html` does to the stripped price in screen-reader text).
pub fn normalize_numeric_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("&#") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() && after[digits.len()..].starts_with(';') {
            let trimmed = digits.trim_start_matches('0');
            out.push_str(&format!("&#{:0>3};", trimmed));
            rest = &after[digits.len() + 1..];
        } else {
            out.push_str("&#");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// `wc_price( $price )` with the site's settings (no tax label).
pub fn wc_price(price: &str, site: &Site) -> String {
    let dp = price_decimals(site) as usize;
    let d = Decimal::parse_prefix(&clean_decimal(price, site));
    let negative = d.negative && !d.is_zero();
    let abs = Decimal {
        negative: false,
        ..d
    };
    let plain = abs.round_to(dp);
    let (int_part, frac_part) = match plain.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (plain.clone(), None),
    };
    let mut grouped = String::new();
    let len = int_part.len();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            grouped.push_str(&site.price_thousand_sep);
        }
        grouped.push(c);
    }
    let number = match frac_part {
        Some(f) => format!("{grouped}{}{f}", site.price_decimal_sep),
        None => grouped,
    };
    let symbol = format!(
        "<span class=\"woocommerce-Price-currencySymbol\">{}</span>",
        currency_symbol(&site.currency)
    );
    let formatted = match site.currency_pos.as_str() {
        "right" => format!("{number}{symbol}"),
        "left_space" => format!("{symbol}&nbsp;{number}"),
        "right_space" => format!("{number}&nbsp;{symbol}"),
        _ => format!("{symbol}{number}"),
    };
    format!(
        "<span class=\"woocommerce-Price-amount amount\"><bdi>{}{formatted}</bdi></span>",
        if negative { "-" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_decimal_rounds_like_number_format() {
        let site = Site::default();
        let cases = [
            ("10.50000000", 2, "10.50"),
            ("6.035", 2, "6.04"),
            ("2.39625", 2, "2.40"),
            ("-11.4", 2, "-11.40"),
            ("-0.001", 2, "0.00"),
            ("", 2, "0.00"),
            ("abc", 2, "0.00"),
            ("999.995", 2, "1000.00"),
            ("1,234.5", 2, "1234.50"),
            ("317.34000000", 0, "317"),
            ("0.5", 0, "1"),
            ("1.2.3", 2, "12.30"),
        ];
        for (input, dp, want) in cases {
            assert_eq!(
                format_decimal(input, dp, &site),
                want,
                "input {input:?} dp {dp}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn format_decimal_always_prints_a_number(input in "\\PC*", dp in 0u32..6) {
            let site = Site::default();
            let out = format_decimal(&input, dp, &site);
            let re = regex::Regex::new(&format!(r"^-?[0-9]+(\.[0-9]{{{dp}}})?$")).expect("valid regex");
            proptest::prop_assert!(re.is_match(&out), "{:?} -> {:?}", input, out);
            let _ = (sanitize_text_field(&input), rawurldecode(&input), wc_price(&input, &site));
        }
    }

    #[test]
    fn internal_keys_tolerate_any_text() {
        let cases = [
            ("wp_x", true),
            ("WP_y", true),
            ("éé", false),
            ("_total", true),
            ("_mine", false),
            ("", false),
        ];
        for (key, want) in cases {
            assert_eq!(is_internal_key(key, &[], &["total"]), want, "key {key:?}");
        }
    }

    #[test]
    fn kses_text_cases() {
        let cases = [
            ("Cedar & Smoke &times; 1", "Cedar &amp; Smoke &times; 1"),
            (
                "a &amp; b &#36; &#x24; &bogus; 1 > 0",
                "a &amp; b &#036; &#x24; &amp;bogus; 1 &gt; 0",
            ),
            ("<b>x</b>", "<b>x</b>"),
            ("Ñandú & co", "Ñandú &amp; co"),
        ];
        for (input, want) in cases {
            assert_eq!(kses_text(input), want, "input {input:?}");
        }
    }

    #[test]
    fn sums_exactly() {
        let site = Site::default();
        assert_eq!(add_and_round("8.44000000", "0.53000000", 2, &site), "8.97");
        assert_eq!(add_and_round("-28.25", "-0.60", 2, &site), "-28.85");
        assert_eq!(add_and_round("0", "0", 2, &site), "0.00");
    }

    #[test]
    fn cleans_text_like_sanitize_text_field() {
        let cases = [
            ("<p>Black</p>\n", "Black"),
            ("a  b\n\tc", "a b c"),
            ("x%20y", "xy"),
            ("a < b", "a &lt; b"),
            ("Foo &times; 1", "Foo &times; 1"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize_text_field(input), want, "input {input:?}");
        }
    }

    #[test]
    fn prices_like_wc_price() {
        let site = Site::default();
        assert_eq!(
            wc_price("1234.5", &site),
            "<span class=\"woocommerce-Price-amount amount\"><bdi><span class=\"woocommerce-Price-currencySymbol\">&#36;</span>1,234.50</bdi></span>"
        );
        assert_eq!(normalize_numeric_entities("&#36;15.50"), "&#036;15.50");
        assert_eq!(decode_entities("&#36;"), "$");
    }

    #[test]
    fn dates_follow_the_site_timezone() {
        let site = Site {
            timezone_string: "America/New_York".into(),
            ..Site::default()
        };
        let tz = site_timezone(&site);
        let ts = gmt_instant(Some("2025-05-16 21:50:47"));
        assert_eq!(
            local_date(ts, &tz),
            Value::String("2025-05-16T17:50:47".into())
        );
        assert_eq!(gmt_date(ts), Value::String("2025-05-16T21:50:47".into()));
        assert_eq!(
            gmt_date(gmt_instant(Some("0000-00-00 00:00:00"))),
            Value::Null
        );
        let fixed = Site {
            gmt_offset: "5.5".into(),
            ..Site::default()
        };
        assert_eq!(
            local_date(ts, &site_timezone(&fixed)),
            Value::String("2025-05-17T03:20:47".into())
        );
    }
}
