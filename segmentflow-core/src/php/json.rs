//! The PHP → JSON mapping policy: how a decoded PHP [`Value`] becomes a
//! `serde_json::Value` for output (`--format=json`) and for APIs.
//!
//! PHP has one array type and byte strings; JSON has lists, objects and
//! Unicode. The rules, each chosen so the output is predictable and never
//! silently wrong:
//!
//! | PHP | JSON |
//! |---|---|
//! | `null`, bools, ints | the same |
//! | finite float | number (`-0.0` stays negative zero) |
//! | `INF`, `-INF`, `NAN` | `null`, or an error with [`NonFinite::Error`] |
//! | string, valid UTF-8 | string |
//! | string, not UTF-8 | [`Bytes`] policy: `{"$bytes_b64": "<base64>"}` (default, lossless), U+FFFD replacement, or an error |
//! | array with keys `0..n-1` in order (a list) | array |
//! | any other array | object; int keys become decimal strings; a later duplicate key wins, as in PHP |
//! | object | `{"__class": "<Class>", <properties>}`; visibility mangling removed (`"\0*\0x"` → `x`); a private property of a parent class becomes `"Parent::x"` so it cannot collide with the child's |
//! | `Serializable` (`C:`) | `{"__class": "<Class>", "__serialized": <payload as a string>}` |
//! | enum case | `{"__class": "<Enum>", "__case": "<Case>"}` |
//! | `r:n` / `R:n` | `{"$ref": n}` (default), or the JSON of value slot `n` with [`References::Resolve`]; a reference to a value that contains it stays `{"$ref": n}` |
//! | string that is itself serialized (WordPress double serialization) | the string, or the decoded value with [`JsonOptions::decode_nested`] |
//!
//! Non-UTF-8 object keys follow the same [`Bytes`] policy, rendered as the
//! key `"$bytes_b64:<base64>"` in the lossless mode. Resolving references
//! and decoding nested strings can multiply the output (a reference to a big
//! array repeated many times): [`JsonOptions::max_nodes`] bounds the number
//! of JSON values produced, and the output nesting is bounded by
//! [`MAX_JSON_DEPTH`] levels (the conversion recurses once per level; real
//! WordPress data is a handful of levels deep, and serde_json itself reads
//! at most 128 by default).

use base64::Engine as _;
use serde_json::{Map, Number, Value as Json};

use super::decode::DecodeOptions;
use super::value::{Key, Object, PropertyName, Value};
use super::wordpress::is_serialized;

/// The deepest JSON [`to_json`] produces; deeper values give
/// [`JsonError::TooLarge`]. Tested on a 2 MiB thread stack in a debug build,
/// where about 600 levels fit: 256 leaves room for the caller's frames.
pub const MAX_JSON_DEPTH: usize = 256;

/// What to do with a string (or key) that is not valid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bytes {
    /// `{"$bytes_b64": "<standard base64>"}` — lossless (the default).
    #[default]
    Base64,
    /// Replace invalid sequences with U+FFFD — readable, lossy.
    Lossy,
    /// Fail with [`JsonError::InvalidUtf8`].
    Error,
}

/// What to do with `INF`, `-INF` and `NAN`, which JSON cannot hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NonFinite {
    /// Write `null`, as PHP's `json_encode` with partial output does (the
    /// default).
    #[default]
    Null,
    /// Fail with [`JsonError::NonFiniteFloat`].
    Error,
}

/// What to do with `r:`/`R:` back-references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum References {
    /// Write `{"$ref": <slot>}` (the default).
    #[default]
    Mark,
    /// Write a copy of the referenced value (cycles stay `{"$ref": n}`).
    Resolve,
}

/// Settings for [`to_json`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonOptions {
    /// Non-UTF-8 strings and keys.
    pub bytes: Bytes,
    /// `INF`/`NAN`.
    pub non_finite: NonFinite,
    /// `r:`/`R:`.
    pub references: References,
    /// Decode strings that are themselves serialized (WordPress's
    /// `is_serialized`, strict, and a complete value), recursively.
    pub decode_nested: bool,
    /// The most JSON values one conversion may produce.
    pub max_nodes: usize,
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            bytes: Bytes::default(),
            non_finite: NonFinite::default(),
            references: References::default(),
            decode_nested: false,
            max_nodes: 10_000_000,
        }
    }
}

/// Why a value could not be mapped to JSON. `path` is a JSONPath-like
/// location such as `$.line_items[0].name`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// A string or key is not UTF-8 and the policy is [`Bytes::Error`].
    #[error("string at {path} is not valid UTF-8")]
    InvalidUtf8 {
        /// Where.
        path: String,
    },
    /// `INF`/`NAN` with [`NonFinite::Error`].
    #[error("float at {path} is not finite")]
    NonFiniteFloat {
        /// Where.
        path: String,
    },
    /// An `r:`/`R:` to a slot the value does not have (only possible in a
    /// value built by hand).
    #[error("reference at {path} to missing value slot {slot}")]
    DanglingReference {
        /// Where.
        path: String,
        /// The slot it names.
        slot: u64,
    },
    /// More than [`JsonOptions::max_nodes`] values, or nesting deeper than
    /// [`MAX_JSON_DEPTH`] levels.
    #[error("JSON output at {path} exceeds the limit of {limit} {what}")]
    TooLarge {
        /// Where.
        path: String,
        /// The limit.
        limit: usize,
        /// `values` or `levels`.
        what: &'static str,
    },
}

/// Maps a PHP value to JSON following the module's policy.
///
/// ```
/// use segmentflow_core::php::{decode, json::{to_json, JsonOptions}};
/// let v = decode(br#"a:2:{i:0;s:1:"a";i:1;d:NAN;}"#).unwrap();
/// assert_eq!(to_json(&v, &JsonOptions::default()).unwrap(), serde_json::json!(["a", null]));
/// ```
pub fn to_json(value: &Value<'_>, options: &JsonOptions) -> Result<Json, JsonError> {
    let mut budget = Budget {
        nodes: 0,
        max: options.max_nodes,
    };
    let mut path = Vec::new();
    convert_root(value, options, &mut budget, &mut path, 0)
}

struct Budget {
    nodes: usize,
    max: usize,
}

#[derive(Clone)]
enum Seg {
    Index(usize),
    Name(String),
}

fn render(path: &[Seg]) -> String {
    let mut s = String::from("$");
    for seg in path {
        match seg {
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
            Seg::Name(n) => {
                s.push('.');
                s.push_str(n);
            }
        }
    }
    s
}

/// Converts one decoded document (the top level, or a nested serialized
/// string) with its own slot table.
fn convert_root(
    value: &Value<'_>,
    options: &JsonOptions,
    budget: &mut Budget,
    path: &mut Vec<Seg>,
    depth: usize,
) -> Result<Json, JsonError> {
    let mut slots = Vec::new();
    number_slots(value, &mut slots);
    let mut conv = Converter {
        options,
        slots,
        open: Vec::new(),
        budget,
    };
    conv.convert(value, path, depth)
}

/// Lists the values in slot order (slot `n` is `slots[n - 1]`): pre-order,
/// every value but an `R:` takes a slot, keys take none — as PHP numbers
/// them. Iterative, so hand-built deep values cannot overflow the stack.
fn number_slots<'v, 'a>(root: &'v Value<'a>, slots: &mut Vec<&'v Value<'a>>) {
    let mut todo = vec![root];
    while let Some(v) = todo.pop() {
        if !matches!(v, Value::Reference(_)) {
            slots.push(v);
        }
        if let Some(entries) = v.entries() {
            todo.extend(entries.iter().rev().map(|(_, v)| v));
        }
    }
}

struct Converter<'o, 'v, 'a, 'b> {
    options: &'o JsonOptions,
    slots: Vec<&'v Value<'a>>,
    /// The values being converted (ancestors of the current one), by address.
    open: Vec<*const Value<'a>>,
    budget: &'b mut Budget,
}

impl<'a> Converter<'_, '_, 'a, '_> {
    fn string(&self, bytes: &[u8], path: &[Seg]) -> Result<Json, JsonError> {
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Json::String(s.to_owned())),
            Err(_) => match self.options.bytes {
                Bytes::Base64 => {
                    let mut map = Map::new();
                    map.insert(
                        "$bytes_b64".to_owned(),
                        Json::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
                    );
                    Ok(Json::Object(map))
                }
                Bytes::Lossy => Ok(Json::String(String::from_utf8_lossy(bytes).into_owned())),
                Bytes::Error => Err(JsonError::InvalidUtf8 { path: render(path) }),
            },
        }
    }

    fn key_text(&self, bytes: &[u8], path: &[Seg]) -> Result<String, JsonError> {
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => match self.options.bytes {
                Bytes::Base64 => Ok(format!(
                    "$bytes_b64:{}",
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                )),
                Bytes::Lossy => Ok(String::from_utf8_lossy(bytes).into_owned()),
                Bytes::Error => Err(JsonError::InvalidUtf8 { path: render(path) }),
            },
        }
    }

    fn key(&self, key: &Key<'_>, path: &[Seg]) -> Result<String, JsonError> {
        match key {
            Key::Int(i) => Ok(i.to_string()),
            Key::Str(s) => self.key_text(s, path),
        }
    }

    fn convert(
        &mut self,
        value: &Value<'a>,
        path: &mut Vec<Seg>,
        depth: usize,
    ) -> Result<Json, JsonError> {
        self.budget.nodes += 1;
        if self.budget.nodes > self.budget.max {
            return Err(too_large(path, self.budget.max, "values"));
        }
        if depth > MAX_JSON_DEPTH {
            return Err(too_large(path, MAX_JSON_DEPTH, "levels"));
        }
        // Containers go to separate functions so this frame, which every
        // level of nesting repeats, stays small.
        match value {
            Value::Null => Ok(Json::Null),
            Value::Bool(b) => Ok(Json::Bool(*b)),
            Value::Int(i) => Ok(Json::Number((*i).into())),
            Value::Float(f) => self.float(f.value(), path),
            Value::Str(s) => self.str_value(s, path, depth),
            Value::Array(items) => self.array(value, items, path, depth),
            Value::Object(o) => self.object(value, o, path, depth),
            Value::Custom(c) => self.tagged(&c.class, "__serialized", &c.payload, path),
            Value::Enum(e) => self.tagged(&e.class, "__case", &e.case, path),
            Value::ObjectRef(slot) | Value::Reference(slot) => {
                self.reference(value, *slot, path, depth)
            }
        }
    }

    fn float(&self, value: f64, path: &[Seg]) -> Result<Json, JsonError> {
        match Number::from_f64(value) {
            Some(n) => Ok(Json::Number(n)),
            None => match self.options.non_finite {
                NonFinite::Null => Ok(Json::Null),
                NonFinite::Error => Err(JsonError::NonFiniteFloat { path: render(path) }),
            },
        }
    }

    #[inline(never)]
    fn str_value(
        &mut self,
        s: &[u8],
        path: &mut Vec<Seg>,
        depth: usize,
    ) -> Result<Json, JsonError> {
        if self.options.decode_nested && is_serialized(s, true) {
            let nested = DecodeOptions::new()
                .max_depth(MAX_JSON_DEPTH.saturating_sub(depth))
                .decode(s);
            if let Ok(inner) = nested {
                return convert_root(&inner, self.options, self.budget, path, depth + 1);
            }
        }
        self.string(s, path)
    }

    #[inline(never)]
    fn array(
        &mut self,
        value: &Value<'a>,
        items: &[(Key<'a>, Value<'a>)],
        path: &mut Vec<Seg>,
        depth: usize,
    ) -> Result<Json, JsonError> {
        let is_list = items
            .iter()
            .enumerate()
            .all(|(i, (k, _))| *k == Key::Int(i as i64));
        self.open.push(value as *const _);
        let out = if is_list {
            let mut list = Vec::with_capacity(items.len());
            for (i, (_, v)) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                list.push(self.convert(v, path, depth + 1)?);
                path.pop();
            }
            Json::Array(list)
        } else {
            let mut map = Map::new();
            for (k, v) in items {
                let name = self.key(k, path)?;
                self.member(&mut map, name, v, path, depth)?;
            }
            Json::Object(map)
        };
        self.open.pop();
        Ok(out)
    }

    /// Converts `v` and inserts it into `map` as `name`.
    fn member(
        &mut self,
        map: &mut Map<String, Json>,
        name: String,
        v: &Value<'a>,
        path: &mut Vec<Seg>,
        depth: usize,
    ) -> Result<(), JsonError> {
        path.push(Seg::Name(name));
        let v = self.convert(v, path, depth + 1)?;
        if let Some(Seg::Name(name)) = path.pop() {
            map.insert(name, v);
        }
        Ok(())
    }

    #[inline(never)]
    fn object(
        &mut self,
        value: &Value<'a>,
        o: &Object<'a>,
        path: &mut Vec<Seg>,
        depth: usize,
    ) -> Result<Json, JsonError> {
        let mut map = Map::new();
        map.insert("__class".to_owned(), self.string(&o.class, path)?);
        self.open.push(value as *const _);
        for (k, v) in &o.properties {
            let name = self.property_name(k, &o.class, path)?;
            self.member(&mut map, name, v, path, depth)?;
        }
        self.open.pop();
        Ok(Json::Object(map))
    }

    fn property_name(
        &self,
        key: &Key<'_>,
        class: &[u8],
        path: &[Seg],
    ) -> Result<String, JsonError> {
        let Key::Str(raw) = key else {
            return self.key(key, path);
        };
        match PropertyName::parse(raw) {
            PropertyName::Public(n) | PropertyName::Protected(n) => self.key_text(n, path),
            PropertyName::Private {
                class: declared,
                name,
            } if declared == class => self.key_text(name, path),
            PropertyName::Private {
                class: declared,
                name,
            } => {
                let mut full = declared.to_vec();
                full.extend_from_slice(b"::");
                full.extend_from_slice(name);
                self.key_text(&full, path)
            }
        }
    }

    /// `{"__class": <class>, <member>: <bytes>}` for `C:` and `E:`.
    fn tagged(
        &self,
        class: &[u8],
        member: &str,
        bytes: &[u8],
        path: &[Seg],
    ) -> Result<Json, JsonError> {
        let mut map = Map::new();
        map.insert("__class".to_owned(), self.string(class, path)?);
        map.insert(member.to_owned(), self.string(bytes, path)?);
        Ok(Json::Object(map))
    }

    #[inline(never)]
    fn reference(
        &mut self,
        value: &Value<'a>,
        slot: u64,
        path: &mut Vec<Seg>,
        depth: usize,
    ) -> Result<Json, JsonError> {
        let mark = || {
            let mut map = Map::new();
            map.insert("$ref".to_owned(), Json::Number(slot.into()));
            Json::Object(map)
        };
        if self.options.references == References::Mark {
            return Ok(mark());
        }
        let target = usize::try_from(slot)
            .ok()
            .and_then(|s| s.checked_sub(1))
            .and_then(|i| self.slots.get(i).copied());
        let Some(target) = target else {
            return Err(JsonError::DanglingReference {
                path: render(path),
                slot,
            });
        };
        let target_ptr = target as *const Value<'a>;
        if self.open.contains(&target_ptr) || std::ptr::eq(target, value) {
            Ok(mark())
        } else {
            self.convert(target, path, depth + 1)
        }
    }
}

fn too_large(path: &[Seg], limit: usize, what: &'static str) -> JsonError {
    JsonError::TooLarge {
        path: render(path),
        limit,
        what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::php::decode;
    use serde_json::json;

    fn conv(ser: &[u8], options: JsonOptions) -> Result<Json, JsonError> {
        to_json(&decode(ser).unwrap(), &options)
    }

    #[test]
    fn mapping_table() {
        let d = JsonOptions::default();
        let cases: Vec<(&[u8], Json)> = vec![
            (b"N;", json!(null)),
            (b"b:1;", json!(true)),
            (b"i:-5;", json!(-5)),
            (b"d:0.5;", json!(0.5)),
            (b"d:INF;", json!(null)),
            (b"s:2:\"\xc3\xa9\";", json!("é")),
            (b"s:2:\"\xff\xfe\";", json!({"$bytes_b64": "//4="})),
            (b"a:0:{}", json!([])),
            (b"a:2:{i:0;s:1:\"a\";i:1;s:1:\"b\";}", json!(["a", "b"])),
            (b"a:2:{i:1;s:1:\"a\";i:0;s:1:\"b\";}", json!({"1": "a", "0": "b"})),
            (b"a:2:{i:0;s:1:\"a\";i:2;s:1:\"b\";}", json!({"0": "a", "2": "b"})),
            (b"a:1:{s:4:\"name\";i:1;}", json!({"name": 1})),
            (
                b"O:5:\"Child\":3:{s:12:\"\0Base\0secret\";i:1;s:13:\"\0Child\0secret\";i:2;s:7:\"\0*\0prot\";i:3;}",
                json!({"__class": "Child", "Base::secret": 1, "secret": 2, "prot": 3}),
            ),
            (b"C:3:\"Old\":3:{abc}", json!({"__class": "Old", "__serialized": "abc"})),
            (b"E:11:\"Suit:Hearts\";", json!({"__class": "Suit", "__case": "Hearts"})),
            (
                b"a:2:{i:0;O:8:\"stdClass\":0:{}i:1;r:2;}",
                json!([{"__class": "stdClass"}, {"$ref": 2}]),
            ),
            (b"s:6:\"a:0:{}\";", json!("a:0:{}")),
        ];
        for (ser, want) in cases {
            assert_eq!(
                conv(ser, d).unwrap(),
                want,
                "{}",
                String::from_utf8_lossy(ser)
            );
        }
    }

    #[test]
    fn policies() {
        let strict = JsonOptions {
            bytes: Bytes::Error,
            non_finite: NonFinite::Error,
            ..JsonOptions::default()
        };
        assert_eq!(
            conv(b"a:1:{s:1:\"k\";a:1:{i:0;s:1:\"\xff\";}}", strict),
            Err(JsonError::InvalidUtf8 {
                path: "$.k[0]".into()
            })
        );
        assert_eq!(
            conv(b"a:1:{i:0;d:NAN;}", strict),
            Err(JsonError::NonFiniteFloat {
                path: "$[0]".into()
            })
        );
        let lossy = JsonOptions {
            bytes: Bytes::Lossy,
            ..JsonOptions::default()
        };
        assert_eq!(conv(b"s:2:\"a\xff\";", lossy).unwrap(), json!("a\u{fffd}"));
        assert_eq!(
            conv(b"a:1:{s:1:\"\xff\";i:1;}", JsonOptions::default()).unwrap(),
            json!({"$bytes_b64:/w==": 1})
        );
    }

    #[test]
    fn references_resolve_and_cycles_stay_marked() {
        let resolve = JsonOptions {
            references: References::Resolve,
            ..JsonOptions::default()
        };
        // [&$x, &$x, 5] and [$o, $o]
        assert_eq!(
            conv(b"a:3:{i:0;s:1:\"x\";i:1;R:2;i:2;i:5;}", resolve).unwrap(),
            json!(["x", "x", 5])
        );
        assert_eq!(
            conv(
                b"a:2:{i:0;O:8:\"stdClass\":1:{s:1:\"a\";i:1;}i:1;r:2;}",
                resolve
            )
            .unwrap(),
            json!([{"__class": "stdClass", "a": 1}, {"__class": "stdClass", "a": 1}])
        );
        // $o->me = $o
        assert_eq!(
            conv(b"O:8:\"stdClass\":1:{s:2:\"me\";r:1;}", resolve).unwrap(),
            json!({"__class": "stdClass", "me": {"$ref": 1}})
        );
        // A hand-built dangling reference.
        assert!(matches!(
            to_json(&Value::list([Value::Reference(9)]), &resolve),
            Err(JsonError::DanglingReference { slot: 9, .. })
        ));
    }

    #[test]
    fn reference_bombs_hit_the_node_budget() {
        // Each level holds the previous level twice: 2^30 values resolved.
        let mut ser = String::from("a:2:{i:0;i:1;i:1;i:1;}");
        // The array at level j (0 = outermost) is slot j + 1, so level j
        // refers to level j + 1 as R:{j + 2}.
        for j in (0..30).rev() {
            ser = format!("a:2:{{i:0;{ser}i:1;R:{};}}", j + 2);
        }
        assert!(decode(ser.as_bytes()).is_ok());
        let options = JsonOptions {
            references: References::Resolve,
            max_nodes: 100_000,
            ..JsonOptions::default()
        };
        assert!(matches!(
            conv(ser.as_bytes(), options),
            Err(JsonError::TooLarge { what: "values", .. })
        ));
    }

    #[test]
    fn double_serialized_strings_decode_on_request() {
        let nested = JsonOptions {
            decode_nested: true,
            ..JsonOptions::default()
        };
        let ser = br#"a:1:{s:4:"cart";s:20:"a:1:{s:3:"qty";i:2;}";}"#;
        assert_eq!(conv(ser, nested).unwrap(), json!({"cart": {"qty": 2}}));
        assert_eq!(
            conv(ser, JsonOptions::default()).unwrap(),
            json!({"cart": "a:1:{s:3:\"qty\";i:2;}"})
        );
        // A string that only looks serialized stays a string.
        assert_eq!(conv(b"s:4:\"i:5}\";", nested).unwrap(), json!("i:5}"));
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;
    use crate::php::decode;

    fn nested(depth: usize) -> String {
        let mut ser = "a:1:{i:0;".repeat(depth);
        ser.push_str("i:1;");
        ser.push_str(&"}".repeat(depth));
        ser
    }

    #[test]
    fn max_depth_converts_on_a_2_mib_stack_and_deeper_is_an_error() {
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let ser = nested(MAX_JSON_DEPTH);
                let v = decode(ser.as_bytes()).unwrap();
                let json = to_json(&v, &JsonOptions::default()).unwrap();
                let mut levels = 0;
                let mut at = &json;
                while let Some(inner) = at.get(0) {
                    levels += 1;
                    at = inner;
                }
                assert_eq!(levels, MAX_JSON_DEPTH);
                let ser = nested(4096);
                let v = decode(ser.as_bytes()).unwrap();
                assert!(matches!(
                    to_json(&v, &JsonOptions::default()),
                    Err(JsonError::TooLarge {
                        what: "levels",
                        limit: MAX_JSON_DEPTH,
                        ..
                    })
                ));
            })
            .unwrap();
        handle.join().unwrap();
    }
}
