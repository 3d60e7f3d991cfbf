//! Serde for PHP-serialized values: typed Rust structs in and out of the
//! [`Value`]s WordPress keeps in its options and meta.
//!
//! [`to_value`] serializes any `Serialize` type into a [`Value`];
//! [`from_value`] deserializes any `Deserialize` type out of a borrowed
//! [`Value`], lending `&str`/`&[u8]` from it. [`to_bytes`] and [`from_bytes`]
//! add the byte codec on either side.
//!
//! ```
//! use std::collections::BTreeMap;
//! use segmentflow_core::php::{self, Key, Value};
//!
//! // wp_usermeta `wp_capabilities`: a:1:{s:8:"customer";b:1;}
//! let caps = Value::Array(vec![(Key::from("customer"), Value::Bool(true))]);
//! let typed: BTreeMap<String, bool> = php::from_value(&caps)?;
//! assert_eq!(typed.get("customer"), Some(&true));
//! assert_eq!(php::to_value(&typed)?, caps);
//! # Ok::<(), php::SerdeError>(())
//! ```
//!
//! # Mapping
//!
//! | Rust | PHP written by `to_value` | PHP also read by `from_value` |
//! |---|---|---|
//! | `bool` | `b:` | — (see [`wp_bool`]) |
//! | `i8`…`i64`, `u8`…`u64`, `i128`, `u128` | `i:`; a value outside `i64` is an error | — (out of the target's range is an error; see [`wp_int`]) |
//! | `f32`, `f64` | `d:` (`f32` widened by its shortest decimal text) | `i:` |
//! | `char`, `String`, `&str` | `s:` | `s:` must be UTF-8, else an error |
//! | `&[u8]`, `serde_bytes` buffers | `s:` with the raw bytes | |
//! | `Vec<u8>` (serde sees a sequence) | a list of `i:` bytes | |
//! | `Option<T>` | `None` ⇒ `N;`, `Some(x)` ⇒ `x` | |
//! | `()`, unit struct | `N;` | |
//! | newtype struct | the inner value | |
//! | `Vec`, slices, sets, tuples, tuple structs | a list `a:n:{i:0;…i:1;…}` | any array with only int keys, values taken in stored order, the order `foreach` sees (holey lists from `array_filter()`, lists after `unset()`); string keys are an error |
//! | struct | an array with the field names as keys, in field order | an `O:` object too, property names without their `\0*\0` / `\0Class\0` visibility prefix; unknown keys are skipped |
//! | maps | an array; integer keys ⇒ `i:` keys, string keys ⇒ `s:` keys except that a canonical decimal integer string becomes an `i:` key as in PHP (`"5"` ⇒ `i:5;`, `"05"` stays a string) | int keys into `String` keys as their decimal text (`i:5;` ⇒ `"5"`); an `O:` object too |
//! | enum unit variant | the variant name as `s:` | a PHP 8.1 `E:` case with that case name (the class is not checked); `{variant: N;}` |
//! | enum newtype/tuple/struct variant | a one-entry array `{variant: payload}` (serde_json's external tagging) | |
//!
//! A struct field or variant named with digits (`#[serde(rename = "5")]`)
//! is written as the int key PHP would use and matches an `i:5;` key when
//! read; an int key never selects a field by position.
//!
//! Borrowing: `&str`, `&[u8]` and `Cow` fields and keys lend from the
//! value. An int key has no text to lend, so a `&str` map key fails on
//! `i:` keys; use `String` or `Cow<str>` keys where PHP may have normalized
//! them.
//!
//! Writing a map key PHP cannot hold (bool, float, tuple, …) is an error
//! ([`SerdeError::UnsupportedKey`]). A key written twice (`5` and `"5"`) keeps
//! its first position and its last value, as repeated `$a[$k] = $v` would.
//!
//! ## Self-describing reads
//!
//! `deserialize_any` (used by `serde_json::Value`, untagged and internally
//! tagged enums, `#[serde(flatten)]`) sees PHP values as: `N;` unit, `b:`
//! bool, `i:` i64, `d:` f64, `s:` a `&str` when UTF-8 and `&[u8]` otherwise,
//! an array that is a list (keys `0, 1, 2…` in order, `array_is_list()`;
//! the empty array included) a sequence and any other array a map (as
//! `json_encode()` decides between `[…]` and `{…}`), an `O:` object a map of
//! its unmangled property names. `C:` objects and `E:` cases are errors there.
//!
//! ## References
//!
//! `r:`/`R:` back-references name an earlier value slot; a typed Rust value
//! has no way to share it, so meeting one is an error
//! ([`SerdeError::Reference`]) with its key path, except where the value is
//! being ignored: unknown struct fields are skipped without looking at them
//! (`deserialize_ignored_any`), references included. (`#[serde(flatten)]`
//! looks at every value, so it does not get this exemption.)
//!
//! ## Errors
//!
//! A [`SerdeError`] names the key path it happened at, such as
//! `sizes.thumbnail.width` or `[3].name` (string keys dotted, int keys
//! bracketed; for a list element that is its PHP key, which in a holey list
//! is not its position), and what was expected and found.
//!
//! ## WordPress leniency
//!
//! Strict by default; the [`wp`] functions ([`wp_bool`], [`wp_int`]) accept
//! the `"1"`/`""`/`"yes"` booleans and decimal-string integers WordPress
//! code writes, field by field with `#[serde(deserialize_with = …)]`.

mod de;
mod error;
mod ser;
pub mod wp;

use ::serde::{Deserialize, Serialize, de::DeserializeOwned};

pub use de::ValueDeserializer;
pub use error::{KeyPath, Segment, SerdeError};
pub use ser::{ListBuilder, MapBuilder, ValueSerializer, VariantBuilder, array_key};
pub use wp::{wp_bool, wp_int};

use crate::php::Value;

/// Serializes `value` into a PHP [`Value`] (see the [mapping](self)).
///
/// ```
/// use segmentflow_core::php::{self, Key, Value};
/// #[derive(serde::Serialize)]
/// struct Permalinks<'a> { product_base: &'a str, use_verbose_page_rules: bool }
///
/// let value = php::to_value(&Permalinks { product_base: "product", use_verbose_page_rules: false })?;
/// assert_eq!(value.get("product_base").and_then(Value::as_str), Some("product"));
/// assert_eq!(value.get("use_verbose_page_rules"), Some(&Value::Bool(false)));
/// # Ok::<(), php::SerdeError>(())
/// ```
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value<'static>, SerdeError> {
    value.serialize(ValueSerializer)
}

/// Deserializes a `T` from a PHP [`Value`] (see the [mapping](self)),
/// borrowing strings and byte strings from it where `T` allows.
///
/// ```
/// use segmentflow_core::php::{self, Key, Value};
/// #[derive(serde::Deserialize)]
/// struct Size<'a> { file: &'a str, width: u32 }
///
/// let raw = Value::Array(vec![
///     (Key::from("file"), Value::string("a-150x150.jpg")),
///     (Key::from("width"), Value::Int(150)),
/// ]);
/// let size: Size = php::from_value(&raw)?;
/// assert_eq!((size.file, size.width), ("a-150x150.jpg", 150));
/// # Ok::<(), php::SerdeError>(())
/// ```
pub fn from_value<'de, T: Deserialize<'de>>(value: &'de Value<'de>) -> Result<T, SerdeError> {
    T::deserialize(ValueDeserializer::new(value))
}

/// Decodes PHP-serialized bytes and deserializes a `T` from them.
///
/// `T` must own its data: the decoded [`Value`] lives only inside this call.
/// To borrow from the input, call `php::decode` and [`from_value`] yourself.
pub fn from_bytes<T: DeserializeOwned>(input: &[u8]) -> Result<T, SerdeError> {
    let value = super::decode(input).map_err(|e| SerdeError::Decode {
        offset: e.offset,
        message: e.kind.to_string(),
    })?;
    from_value(&value)
}

/// Serializes `value` and encodes it as PHP's `serialize()` would.
pub fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, SerdeError> {
    Ok(super::encode(&to_value(value)?))
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::collections::BTreeMap;
    use std::fmt::Write as _;

    use ::serde::{Deserialize, Serialize};

    use super::*;
    use crate::php::float::{self, ExponentChar};
    use crate::php::{Float, Key, Object};

    /// A string key, built by hand (not through the code under test).
    fn k(text: &str) -> Key<'static> {
        Key::from(text).into_owned()
    }

    fn s(text: &str) -> Value<'static> {
        Value::string(text)
    }

    fn arr<const N: usize>(entries: [(&str, Value<'static>); N]) -> Value<'static> {
        Value::Array(entries.into_iter().map(|(key, v)| (k(key), v)).collect())
    }

    /// Renders a value as PHP's `var_export()` prints arrays and scalars,
    /// for readable snapshots. (Checked by hand against PHP 8.2.)
    fn var_export(value: &Value<'_>) -> String {
        fn quote(bytes: &[u8]) -> String {
            let text = String::from_utf8_lossy(bytes);
            format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
        }
        fn key(key: &Key<'_>) -> String {
            match key {
                Key::Int(n) => n.to_string(),
                Key::Str(b) => quote(b),
            }
        }
        fn entries(out: &mut String, items: &[(Key<'_>, Value<'_>)], indent: usize) {
            out.push_str("array (\n");
            for (name, v) in items {
                let pad = " ".repeat(indent + 2);
                let _ = write!(out, "{pad}{} => ", key(name));
                if matches!(v, Value::Array(_) | Value::Object(_)) {
                    let _ = write!(out, "\n{pad}");
                }
                render(out, v, indent + 2);
                out.push_str(",\n");
            }
            out.push_str(&" ".repeat(indent));
            out.push(')');
        }
        fn render(out: &mut String, value: &Value<'_>, indent: usize) {
            match value {
                Value::Null => out.push_str("NULL"),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Value::Int(n) => out.push_str(&n.to_string()),
                Value::Float(f) => {
                    let text = float::format(f.value(), ExponentChar::Upper);
                    out.push_str(&text);
                    if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                        out.push_str(".0");
                    }
                }
                Value::Str(b) => out.push_str(&quote(b)),
                Value::Array(items) => entries(out, items, indent),
                Value::Object(o) => {
                    let _ = write!(out, "\\{}::__set_state(", String::from_utf8_lossy(&o.class));
                    entries(out, &o.properties, indent);
                    out.push(')');
                }
                other => {
                    let _ = write!(out, "/* {other:?} */");
                }
            }
        }
        let mut out = String::new();
        render(&mut out, value, 0);
        out
    }

    /// `woocommerce_permalinks`, as WooCommerce saves it.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Permalinks {
        product_base: String,
        category_base: String,
        tag_base: String,
        attribute_base: String,
        use_verbose_page_rules: bool,
    }

    #[test]
    fn woocommerce_permalinks_round_trip() {
        let stored = arr([
            ("product_base", s("/shop")),
            ("category_base", s("product-category")),
            ("tag_base", s("product-tag")),
            ("attribute_base", s("")),
            ("use_verbose_page_rules", Value::Bool(true)),
        ]);
        let typed: Permalinks = from_value(&stored).unwrap();
        assert_eq!(
            typed,
            Permalinks {
                product_base: "/shop".into(),
                category_base: "product-category".into(),
                tag_base: "product-tag".into(),
                attribute_base: String::new(),
                use_verbose_page_rules: true,
            }
        );
        // Field order is the struct's order, which is WooCommerce's.
        assert_eq!(to_value(&typed).unwrap(), stored);
    }

    #[test]
    fn capabilities_map() {
        // a:1:{s:8:"customer";b:1;}
        let stored = Value::Array(vec![(k("customer"), Value::Bool(true))]);
        let caps: BTreeMap<String, bool> = from_value(&stored).unwrap();
        assert_eq!(caps, BTreeMap::from([("customer".to_owned(), true)]));
        assert_eq!(to_value(&caps).unwrap(), stored);
        // Borrowing the role names works too.
        let borrowed: BTreeMap<&str, bool> = from_value(&stored).unwrap();
        assert_eq!(borrowed.get("customer"), Some(&true));
    }

    /// Our own sync state, stored as an option.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Checkpoint {
        modified_gmt: String,
        id: u64,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct SyncCheckpoints {
        orders: Option<Checkpoint>,
        customers: Option<Checkpoint>,
        #[serde(default)]
        products: Option<Checkpoint>,
    }

    #[test]
    fn sync_checkpoints_round_trip() {
        let state = SyncCheckpoints {
            orders: Some(Checkpoint {
                modified_gmt: "2026-11-27 23:59:59".into(),
                id: 4211,
            }),
            customers: None,
            products: Some(Checkpoint {
                modified_gmt: "2026-11-01 08:00:00".into(),
                id: 9,
            }),
        };
        let value = to_value(&state).unwrap();
        assert_eq!(
            value,
            arr([
                (
                    "orders",
                    arr([
                        ("modified_gmt", s("2026-11-27 23:59:59")),
                        ("id", Value::Int(4211)),
                    ]),
                ),
                ("customers", Value::Null),
                (
                    "products",
                    arr([
                        ("modified_gmt", s("2026-11-01 08:00:00")),
                        ("id", Value::Int(9)),
                    ]),
                ),
            ])
        );
        assert_eq!(from_value::<SyncCheckpoints>(&value).unwrap(), state);

        // Written by an older version: no `products` key yet.
        let old = arr([("orders", Value::Null), ("customers", Value::Null)]);
        assert_eq!(
            from_value::<SyncCheckpoints>(&old).unwrap(),
            SyncCheckpoints {
                orders: None,
                customers: None,
                products: None,
            }
        );

        let errors: Vec<(Value<'static>, &str)> = vec![
            (
                arr([("orders", Value::Reference(2)), ("customers", Value::Null)]),
                "PHP references are not supported when deserializing into a typed value \
                 (found R:2; at orders)",
            ),
            (
                arr([
                    (
                        "orders",
                        arr([("modified_gmt", s("x")), ("id", Value::Int(-1))]),
                    ),
                    ("customers", Value::Null),
                ]),
                "integer -1 at orders.id is out of range for u64",
            ),
            (
                arr([
                    ("orders", arr([("id", Value::Int(1))])),
                    ("customers", Value::Null),
                ]),
                "missing field \"modified_gmt\" at orders",
            ),
        ];
        for (value, want) in errors {
            assert_eq!(
                from_value::<SyncCheckpoints>(&value)
                    .unwrap_err()
                    .to_string(),
                want
            );
        }
    }

    /// EXIF numbers are ints by default, floats or strings once read.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(untagged)]
    enum Loose {
        Int(i64),
        Float(f64),
        Text(String),
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct ImageMeta {
        aperture: Loose,
        credit: String,
        camera: String,
        caption: String,
        created_timestamp: Loose,
        copyright: String,
        focal_length: Loose,
        iso: Loose,
        shutter_speed: Loose,
        title: String,
        orientation: Loose,
        keywords: Vec<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Size {
        file: String,
        width: u32,
        height: u32,
        #[serde(rename = "mime-type")]
        mime_type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filesize: Option<u64>,
    }

    /// `_wp_attachment_metadata`, as `wp_create_image_subsizes()` builds it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct AttachmentMeta {
        width: u32,
        height: u32,
        file: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filesize: Option<u64>,
        sizes: BTreeMap<String, Size>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        image_meta: Option<ImageMeta>,
    }

    fn size(file: &str, w: i64, h: i64, bytes: i64) -> Value<'static> {
        arr([
            ("file", s(file)),
            ("width", Value::Int(w)),
            ("height", Value::Int(h)),
            ("mime-type", s("image/jpeg")),
            ("filesize", Value::Int(bytes)),
        ])
    }

    fn attachment_value() -> Value<'static> {
        arr([
            ("width", Value::Int(1200)),
            ("height", Value::Int(800)),
            ("file", s("2026/11/mug.jpg")),
            ("filesize", Value::Int(183_422)),
            (
                "sizes",
                // BTreeMap order, so the round trip is exact.
                arr([
                    ("medium", size("mug-300x200.jpg", 300, 200, 14_080)),
                    ("thumbnail", size("mug-150x150.jpg", 150, 150, 6_211)),
                    (
                        "woocommerce_gallery_thumbnail",
                        size("mug-100x100.jpg", 100, 100, 3_301),
                    ),
                ]),
            ),
            (
                "image_meta",
                arr([
                    ("aperture", Value::Float(Float::new(2.8))),
                    ("credit", s("")),
                    ("camera", s("Pixel 8")),
                    ("caption", s("")),
                    ("created_timestamp", Value::Int(1_764_201_600)),
                    ("copyright", s("")),
                    ("focal_length", s("6.9")),
                    ("iso", s("100")),
                    ("shutter_speed", s("0.008")),
                    ("title", s("")),
                    ("orientation", Value::Int(0)),
                    ("keywords", Value::list([s("mug"), s("ceramic")])),
                ]),
            ),
        ])
    }

    #[test]
    fn attachment_metadata_round_trip() {
        let stored = attachment_value();
        let meta: AttachmentMeta = from_value(&stored).unwrap();
        assert_eq!(meta.sizes.len(), 3);
        assert_eq!(meta.sizes["thumbnail"].width, 150);
        assert_eq!(meta.sizes["medium"].mime_type, "image/jpeg");
        let exif = meta.image_meta.as_ref().unwrap();
        assert_eq!(exif.aperture, Loose::Float(2.8));
        assert_eq!(exif.iso, Loose::Text("100".into()));
        assert_eq!(exif.keywords, ["mug", "ceramic"]);
        assert_eq!(to_value(&meta).unwrap(), stored);
        insta::assert_snapshot!(var_export(&to_value(&meta).unwrap()));

        // Deep errors name the full path.
        let mut broken = stored.clone();
        if let Value::Array(top) = &mut broken
            && let Some((_, Value::Array(sizes))) = top.iter_mut().find(|(k, _)| k.matches("sizes"))
            && let Some((_, Value::Array(thumb))) =
                sizes.iter_mut().find(|(k, _)| k.matches("thumbnail"))
        {
            thumb[1].1 = Value::Int(-150);
        }
        assert_eq!(
            from_value::<AttachmentMeta>(&broken)
                .unwrap_err()
                .to_string(),
            "integer -150 at sizes.thumbnail.width is out of range for u32"
        );
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Event {
        Started,
        Paused(u32),
        Moved(String, u8),
        Renamed { from: String, to: String },
    }

    #[test]
    fn enum_variants_round_trip() {
        let events = vec![
            Event::Started,
            Event::Paused(30),
            Event::Moved("north".into(), 2),
            Event::Renamed {
                from: "old".into(),
                to: "new".into(),
            },
        ];
        let value = to_value(&events).unwrap();
        assert_eq!(
            value,
            Value::list([
                s("Started"),
                arr([("Paused", Value::Int(30))]),
                arr([("Moved", Value::list([s("north"), Value::Int(2)]))]),
                arr([("Renamed", arr([("from", s("old")), ("to", s("new"))]))]),
            ])
        );
        assert_eq!(from_value::<Vec<Event>>(&value).unwrap(), events);
        insta::assert_snapshot!(var_export(&value));
    }

    #[test]
    fn numeric_string_keys_round_trip() {
        let map: BTreeMap<String, u8> = [("5", 1), ("05", 2), ("x", 3)]
            .into_iter()
            .map(|(key, v)| (key.to_owned(), v))
            .collect();
        let value = to_value(&map).unwrap();
        assert_eq!(
            value,
            Value::Array(vec![
                (k("05"), Value::Int(2)),
                (Key::Int(5), Value::Int(1)),
                (k("x"), Value::Int(3)),
            ])
        );
        assert_eq!(from_value::<BTreeMap<String, u8>>(&value).unwrap(), map);

        // A struct field named with digits is an int key too.
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct ByYear {
            #[serde(rename = "2026")]
            this_year: u32,
            #[serde(rename = "02026")]
            padded: u32,
        }
        let value = to_value(&ByYear {
            this_year: 7,
            padded: 8,
        })
        .unwrap();
        assert_eq!(
            value,
            Value::Array(vec![
                (Key::Int(2026), Value::Int(7)),
                (k("02026"), Value::Int(8))
            ])
        );
        assert_eq!(
            from_value::<ByYear>(&value).unwrap(),
            ByYear {
                this_year: 7,
                padded: 8
            }
        );
    }

    #[test]
    fn struct_from_object_with_mangled_properties() {
        let object = Value::Object(Box::new(Object {
            class: Cow::Borrowed(b"WC_Permalinks_Snapshot"),
            properties: vec![
                (k("product_base"), s("product")),
                (k("\0*\0category_base"), s("product-category")),
                (k("\0WC_Permalinks_Snapshot\0tag_base"), s("product-tag")),
                (k("\0*\0attribute_base"), s("")),
                (k("use_verbose_page_rules"), Value::Bool(false)),
                (k("\0*\0cache"), Value::ObjectRef(1)),
            ],
        }));
        assert_eq!(
            from_value::<Permalinks>(&object).unwrap(),
            Permalinks {
                product_base: "product".into(),
                category_base: "product-category".into(),
                tag_base: "product-tag".into(),
                attribute_base: String::new(),
                use_verbose_page_rules: false,
            }
        );
    }

    proptest::proptest! {
        /// Whatever PHP does to string keys, a `String`-keyed map comes back
        /// unchanged, and every key that looks like an int became one.
        #[test]
        fn string_keyed_maps_round_trip(
            map in proptest::collection::btree_map("-?[0-9]{0,3}|[a-z ]{0,3}|-?[0-9]{18,20}", proptest::option::of(proptest::num::i64::ANY), 0..8)
        ) {
            let value = to_value(&map).unwrap();
            for (key, _) in value.entries().unwrap() {
                if let Key::Str(text) = key {
                    let text = std::str::from_utf8(text).unwrap();
                    proptest::prop_assert!(
                        text.parse::<i64>().map(|n| n.to_string() != text).unwrap_or(true),
                        "{text:?} should have become an int key"
                    );
                }
            }
            let back: BTreeMap<String, Option<i64>> = from_value(&value).unwrap();
            proptest::prop_assert_eq!(back, map);
        }

        #[test]
        fn every_i64_text_is_an_int_key(n in proptest::num::i64::ANY) {
            let text = n.to_string();
            proptest::prop_assert_eq!(array_key(text.as_bytes()), Key::Int(n));
        }
    }

    #[test]
    fn from_bytes_reports_decode_errors() {
        assert_eq!(from_bytes::<bool>(b"b:1;").ok(), Some(true));
        match from_bytes::<String>(br#"s:5:"abc";"#) {
            Err(SerdeError::Decode { offset, message }) => {
                assert!(offset > 0, "offset {offset}");
                assert!(!message.is_empty());
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
}
