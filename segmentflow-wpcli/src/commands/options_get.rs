//! `options get <name>`: one option's value, raw or as JSON.

use anyhow::{anyhow, bail};
use serde_json::Value as Json;

use crate::config::{OptionsGet, ValueFormat};
use crate::exit::ExitStatus;
use crate::output::Printer;
use crate::wordpress::{options, site::Site};

/// Runs the command.
pub fn run(site: &mut Site, opts: &OptionsGet, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let table = site.options_table()?;
    let row = options::get(&mut site.db, &table, &opts.name)?
        .ok_or_else(|| anyhow!("Could not get '{}' option. Does it exist?", opts.name))?;
    match opts.format {
        ValueFormat::Raw => {
            let mut out = row.value;
            out.push(b'\n');
            printer.result_bytes(&out)?;
        }
        ValueFormat::Json => {
            let json = stored_value_to_json(&row.value)
                .map_err(|e| anyhow!("option '{}': {e}", opts.name))?;
            let mut text = segmentflow_core::wp_json::encode(&json);
            text.push('\n');
            printer.result(&text)?;
        }
    }
    Ok(ExitStatus::Success)
}

/// Whether WordPress's `maybe_unserialize()` would try to unserialize.
///
/// SEAM(core::php): replace with the core's `is_serialized()`.
fn looks_serialized(raw: &[u8]) -> bool {
    let t = raw.trim_ascii();
    if t == b"N;" {
        return true;
    }
    t.len() >= 4
        && t.get(1) == Some(&b':')
        && matches!(t.last(), Some(b';' | b'}'))
        && matches!(
            t.first(),
            Some(b's' | b'a' | b'O' | b'E' | b'b' | b'i' | b'd')
        )
}

/// `json_encode(get_option(…))`, as a JSON value.
///
/// SEAM(core::php): decoding goes through the core's codec; until it is
/// merged, serialized values are reported as not decodable.
pub(crate) fn stored_value_to_json(raw: &[u8]) -> anyhow::Result<Json> {
    if !looks_serialized(raw) {
        return Ok(Json::String(String::from_utf8(raw.to_vec()).map_err(
            |_| anyhow!("the value is not valid UTF-8, so it has no JSON form"),
        )?));
    }
    match segmentflow_core::php::decode(raw.trim_ascii()) {
        Ok(value) => php_to_json(&value),
        Err(_) => bail!("the PHP-serialized value could not be decoded"),
    }
}

pub(crate) fn php_to_json(value: &segmentflow_core::php::Value<'_>) -> anyhow::Result<Json> {
    use segmentflow_core::php::{Key, Value as P};
    let text = |b: &[u8]| -> anyhow::Result<String> {
        String::from_utf8(b.to_vec())
            .map_err(|_| anyhow!("a string is not valid UTF-8, so it has no JSON form"))
    };
    Ok(match value {
        P::Null => Json::Null,
        P::Bool(b) => Json::Bool(*b),
        P::Int(i) => Json::from(*i),
        P::Float(f) => serde_json::Number::from_f64(f.value())
            .map(Json::Number)
            .ok_or_else(|| anyhow!("INF and NAN have no JSON form"))?,
        P::Str(s) => Json::String(text(s)?),
        P::Array(entries) => {
            let is_list = entries
                .iter()
                .enumerate()
                .all(|(i, (k, _))| matches!(k, Key::Int(n) if usize::try_from(*n).ok() == Some(i)));
            if is_list {
                Json::Array(
                    entries
                        .iter()
                        .map(|(_, v)| php_to_json(v))
                        .collect::<Result<_, _>>()?,
                )
            } else {
                let mut map = serde_json::Map::new();
                for (k, v) in entries {
                    let key = match k {
                        Key::Int(i) => i.to_string(),
                        Key::Str(s) => text(s)?,
                    };
                    map.insert(key, php_to_json(v)?);
                }
                Json::Object(map)
            }
        }
        other => bail!("a {} value has no JSON form here", kind(other)),
    })
}

fn kind(value: &segmentflow_core::php::Value<'_>) -> &'static str {
    use segmentflow_core::php::Value as P;
    match value {
        P::Object(_) => "object",
        P::Custom(_) => "Serializable object",
        P::Enum(_) => "enum",
        P::ObjectRef(_) | P::Reference(_) => "reference",
        _ => "scalar",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_are_json_strings() {
        let cases: &[(&[u8], &str)] = &[
            (b"http://example.test", "\"http:\\/\\/example.test\""),
            (b"", "\"\""),
            (b"1", "\"1\""),
            (b"caf\xc3\xa9", "\"caf\\u00e9\""),
        ];
        for (raw, want) in cases {
            let v = stored_value_to_json(raw).unwrap();
            assert_eq!(segmentflow_core::wp_json::encode(&v), *want);
        }
        assert!(stored_value_to_json(b"\xff").is_err());
    }

    #[test]
    fn serialized_detection() {
        let cases: &[(&[u8], bool)] = &[
            (b"a:0:{}", true),
            (b"s:1:\"x\";", true),
            (b"N;", true),
            (b"i:5;", true),
            (b"hello", false),
            (b"a:", false),
            (b"x:1;", false),
        ];
        for (raw, want) in cases {
            assert_eq!(
                looks_serialized(raw),
                *want,
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
    }
}
