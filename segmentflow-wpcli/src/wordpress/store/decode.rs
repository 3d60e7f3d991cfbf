//! Turning database cells into record values: meta rows (`maybe_unserialize`
//! then JSON as `json_encode` shows it), the typed fields decoded from
//! serialized meta, and exact decimal sums.

use std::collections::HashMap;

use segmentflow_core::php::json::{Bytes, JsonOptions, to_json};
use segmentflow_core::php::wordpress::{Unserialized, maybe_unserialize};
use segmentflow_core::php::{Key, Value};
use segmentflow_core::store::{LineTaxData, MetaRow, MetaValue, TaxAmount, TaxEntry, TaxKey};

use super::super::db::Row;
use super::{ReadError, TableName};

/// JSON of unserialized meta: invalid UTF-8 is replaced rather than failing
/// the whole record (PHP's `json_encode` would drop the whole payload).
const JSON: JsonOptions = JsonOptions {
    bytes: Bytes::Lossy,
    non_finite: segmentflow_core::php::json::NonFinite::Null,
    references: segmentflow_core::php::json::References::Mark,
    decode_nested: false,
    max_nodes: 10_000_000,
};

/// A meta value as WooCommerce holds it after `maybe_unserialize()`: the
/// string when it is not serialized (or is serialized but broken, which
/// `maybe_unserialize` also returns unchanged), else the value as JSON.
pub fn meta_value(raw: Option<&[u8]>) -> MetaValue {
    meta_value_of(raw, raw.map(maybe_unserialize))
}

/// [`meta_value`] given what `maybe_unserialize` made of `raw`.
fn meta_value_of(raw: Option<&[u8]>, unserialized: Option<Unserialized<'_>>) -> MetaValue {
    let (Some(raw), Some(unserialized)) = (raw, unserialized) else {
        return MetaValue::Json(serde_json::Value::Null);
    };
    match unserialized {
        Unserialized::Serialized(v) => match to_json(&v, &JSON) {
            Ok(json) => MetaValue::Json(json),
            Err(_) => MetaValue::Text(String::from_utf8_lossy(raw).into_owned()),
        },
        Unserialized::Plain(_) | Unserialized::Broken(_) => {
            MetaValue::Text(String::from_utf8_lossy(raw).into_owned())
        }
    }
}

/// A meta row kept with its raw bytes when they look serialized, so typed
/// fields can be decoded from the PHP value (int vs string keys, floats)
/// rather than from JSON. A plain value keeps no copy: [`decoded`] makes
/// nothing of it either way.
#[derive(Debug, Clone)]
pub(crate) struct RawMeta {
    pub row: MetaRow,
    pub raw: Option<Vec<u8>>,
}

impl RawMeta {
    /// The meta row `id` / `key` with the stored bytes `raw` (`None`: NULL).
    pub(crate) fn new(id: u64, key: String, raw: Option<&[u8]>) -> RawMeta {
        let unserialized = raw.map(maybe_unserialize);
        let serialized = !matches!(unserialized, None | Some(Unserialized::Plain(_)));
        let value = meta_value_of(raw, unserialized);
        RawMeta {
            row: MetaRow { id, key, value },
            raw: raw.filter(|_| serialized).map(<[u8]>::to_vec),
        }
    }
}

/// Reads `(owner id, meta id, key, value)` rows into per-owner lists, in
/// query order.
pub(crate) fn collect_meta(
    row: &Row,
    into: &mut HashMap<u64, Vec<RawMeta>>,
) -> Result<(), ReadError> {
    let owner = row.i64(0)?.unwrap_or(0) as u64;
    let id = row.i64(1)?.unwrap_or(0) as u64;
    let key = String::from_utf8_lossy(row.bytes(2)?.unwrap_or_default()).into_owned();
    into.entry(owner)
        .or_default()
        .push(RawMeta::new(id, key, row.bytes(3)?));
    Ok(())
}

/// Puts each owner's meta rows in meta id order: what `ORDER BY meta_id`
/// gave, without MariaDB sorting the values (a sort of rows with a
/// longtext goes through an on-disk temporary table).
pub(crate) fn sort_meta(meta: &mut HashMap<u64, Vec<RawMeta>>) {
    for rows in meta.values_mut() {
        rows.sort_by_key(|m| m.row.id);
    }
}

/// The first row with `key`.
pub(crate) fn first<'a>(meta: &'a [RawMeta], key: &str) -> Option<&'a RawMeta> {
    meta.iter().find(|m| m.row.key == key)
}

/// The first row with `key` as a string (`""` when absent or not a string).
pub(crate) fn text<'a>(meta: &'a [RawMeta], key: &str) -> &'a str {
    first(meta, key)
        .and_then(|m| m.row.value.as_text())
        .unwrap_or("")
}

/// A typed field's source decoded: `Ok(None)` when absent or not
/// serialized, an error naming the key when it looks serialized but is
/// broken.
pub(crate) fn decoded<'a>(
    meta: &'a [RawMeta],
    key: &str,
    table: &TableName,
    id: u64,
) -> Result<Option<Value<'a>>, ReadError> {
    let Some(raw) = first(meta, key).and_then(|m| m.raw.as_deref()) else {
        return Ok(None);
    };
    match maybe_unserialize(raw) {
        Unserialized::Serialized(v) => Ok(Some(v)),
        Unserialized::Plain(_) => Ok(None),
        Unserialized::Broken(e) => Err(ReadError::row(
            table,
            id,
            format!("meta_value of {key}"),
            format!("corrupt serialized value: {e}"),
        )),
    }
}

/// PHP's `(string)` cast of a scalar.
pub(crate) fn php_string(v: &Value<'_>) -> String {
    match v {
        Value::Str(s) => String::from_utf8_lossy(s).into_owned(),
        Value::Int(i) => i.to_string(),
        Value::Bool(true) => "1".into(),
        Value::Bool(false) | Value::Null => String::new(),
        Value::Float(f) => segmentflow_core::php::wordpress::php_string_from_float(f.value()),
        Value::Array(_) => "Array".into(),
        _ => String::new(),
    }
}

/// PHP's `(int)` cast of a scalar.
pub(crate) fn php_int(v: &Value<'_>) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Bool(b) => i64::from(*b),
        Value::Float(f) => f.value() as i64,
        Value::Str(s) => leading_int(&String::from_utf8_lossy(s)),
        _ => 0,
    }
}

/// PHP's `(bool)` cast of a scalar.
pub(crate) fn php_bool(v: &Value<'_>) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => f.value() != 0.0,
        Value::Str(s) => !(s.is_empty() || &s[..] == b"0"),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

/// `(int) "12abc"` = 12, as PHP casts a numeric-leading string.
pub(crate) fn leading_int(s: &str) -> i64 {
    let t = s.trim_start();
    let end = t
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && (c == '-' || c == '+'))))
        .map_or(t.len(), |(i, _)| i);
    t[..end].parse().unwrap_or(0)
}

/// The key as `(string) $key`.
pub(crate) fn key_string(k: &Key<'_>) -> String {
    match k {
        Key::Int(i) => i.to_string(),
        Key::Str(s) => String::from_utf8_lossy(s).into_owned(),
    }
}

fn tax_entries(v: &Value<'_>) -> Vec<TaxEntry> {
    v.entries()
        .unwrap_or_default()
        .iter()
        .map(|(k, amount)| TaxEntry {
            rate_id: match k {
                Key::Int(i) => TaxKey::Int(*i),
                Key::Str(s) => TaxKey::Str(String::from_utf8_lossy(s).into_owned()),
            },
            amount: match amount {
                Value::Float(f) => TaxAmount::Float(f.value()),
                other => TaxAmount::Text(php_string(other)),
            },
        })
        .collect()
}

/// `_line_tax_data` / `taxes` decoded (`None` unless an array).
pub(crate) fn tax_data(v: Option<&Value<'_>>) -> Option<LineTaxData> {
    let v = v?;
    let entries = v.entries()?;
    let has = |name: &str| {
        entries
            .iter()
            .any(|(k, _)| k.as_bytes() == Some(name.as_bytes()))
    };
    let (has_total, has_subtotal) = (has("total"), has("subtotal"));
    Some(LineTaxData {
        total: has_total.then(|| v.get("total").map(tax_entries).unwrap_or_default()),
        subtotal: has_subtotal.then(|| v.get("subtotal").map(tax_entries).unwrap_or_default()),
        flat: (!has_total && !has_subtotal && !entries.is_empty()).then(|| tax_entries(v)),
    })
}

/// A list of ints from a serialized array (`array_values(array_map('intval'))`).
pub(crate) fn int_list(v: Option<&Value<'_>>) -> Vec<u64> {
    v.and_then(Value::entries)
        .unwrap_or_default()
        .iter()
        .map(|(_, v)| php_int(v) as u64)
        .collect()
}

/// An exact sum of decimal strings, written with 8 decimals as MySQL's
/// `SUM()` of a `decimal(26,8)` column gives it (`0.00000000` for none).
/// `None` names the first value that is not a decimal.
pub fn decimal_sum<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<String, String> {
    let mut total: i128 = 0;
    for v in values {
        total = total
            .checked_add(parse_scaled(v).ok_or_else(|| v.to_owned())?)
            .ok_or_else(|| v.to_owned())?;
    }
    let sign = if total < 0 { "-" } else { "" };
    let abs = total.unsigned_abs();
    Ok(format!(
        "{sign}{}.{:08}",
        abs / 100_000_000,
        abs % 100_000_000
    ))
}

/// `"-12.5"` as -1_250_000_000 (units of 1e-8); more than 8 decimals are
/// truncated.
fn parse_scaled(s: &str) -> Option<i128> {
    let s = s.trim();
    if s.is_empty() {
        return Some(0);
    }
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || int.len() > 28
    {
        return None;
    }
    let mut value: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut frac_part: i128 = 0;
    for i in 0..8 {
        let d = frac.as_bytes().get(i).map_or(0, |b| i128::from(b - b'0'));
        frac_part = frac_part * 10 + d;
    }
    value = value.checked_mul(100_000_000)?.checked_add(frac_part)?;
    Some(if neg { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_sums() {
        let cases: &[(&[&str], Result<&str, &str>)] = &[
            (&[], Ok("0.00000000")),
            (&["317.34000000", "10.5"], Ok("327.84000000")),
            (&["-5", "2.25"], Ok("-2.75000000")),
            (&["-0.5"], Ok("-0.50000000")),
            (&["1.123456789"], Ok("1.12345678")),
            (&["12x"], Err("12x")),
            (&["."], Err(".")),
        ];
        for (values, want) in cases {
            let got = decimal_sum(values.iter().copied());
            assert_eq!(
                got,
                want.map(str::to_owned).map_err(str::to_owned),
                "{values:?}"
            );
        }
    }

    #[test]
    fn meta_values() {
        let cases: &[(Option<&[u8]>, MetaValue)] = &[
            (None, MetaValue::Json(serde_json::Value::Null)),
            (Some(b"yes"), MetaValue::Text("yes".into())),
            (
                Some(b"a:2:{i:0;s:1:\"a\";i:1;i:2;}"),
                MetaValue::Json(serde_json::json!(["a", 2])),
            ),
            (
                Some(b"a:1:{s:5:\"total\";a:1:{i:10;s:4:\"11.4\";}}"),
                MetaValue::Json(serde_json::json!({"total": {"10": "11.4"}})),
            ),
            (
                Some(b"s:9:\"short\";"),
                MetaValue::Text("s:9:\"short\";".into()),
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(&meta_value(*raw), want, "{raw:?}");
        }
    }

    #[test]
    fn php_casts() {
        let cases = [("12abc", 12), ("  -3", -3), ("x", 0), ("", 0), ("7", 7)];
        for (s, want) in cases {
            assert_eq!(leading_int(s), want, "{s}");
        }
    }
}
