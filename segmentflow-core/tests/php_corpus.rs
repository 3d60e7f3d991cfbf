//! The PHP-generated corpus (`fixtures/php-serialized`, written by
//! `scripts/gen-php-fixtures.php` with real PHP 8): every `.ser` must decode,
//! match PHP's own description of the value in the `.json` next to it, and
//! re-encode byte for byte. PHP is not needed to run this test.

use std::path::{Path, PathBuf};

use segmentflow_core::php::{self, Key, Value};
use serde_json::{Value as Json, json};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/php-serialized")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_shape(key: &Key<'_>) -> Json {
    match key {
        Key::Int(i) => json!({"t": "int", "v": i}),
        Key::Str(s) => json!({"t": "string", "hex": hex(s)}),
    }
}

fn entries_shape(entries: &[(Key<'_>, Value<'_>)]) -> Json {
    entries
        .iter()
        .map(|(k, v)| json!([key_shape(k), shape(v)]))
        .collect()
}

/// The decoded value in the generator's shape format (floats by bits; the
/// `text` member PHP writes is informational and dropped before comparing).
fn shape(value: &Value<'_>) -> Json {
    match value {
        Value::Null => json!({"t": "null"}),
        Value::Bool(b) => json!({"t": "bool", "v": b}),
        Value::Int(i) => json!({"t": "int", "v": i}),
        Value::Float(f) => json!({"t": "float", "bits": format!("{:016x}", f.value().to_bits())}),
        Value::Str(s) => json!({"t": "string", "hex": hex(s)}),
        Value::Array(a) => json!({"t": "array", "entries": entries_shape(a)}),
        Value::Object(o) => json!({
            "t": "object",
            "class": String::from_utf8_lossy(&o.class),
            "props": entries_shape(&o.properties),
        }),
        Value::Custom(c) => json!({
            "t": "custom",
            "class": String::from_utf8_lossy(&c.class),
            "payload_hex": hex(&c.payload),
        }),
        Value::Enum(e) => json!({
            "t": "enum",
            "class": String::from_utf8_lossy(&e.class),
            "case": String::from_utf8_lossy(&e.case),
        }),
        Value::ObjectRef(n) => json!({"t": "objref", "slot": n}),
        Value::Reference(n) => json!({"t": "ref", "slot": n}),
    }
}

fn drop_float_text(json: &mut Json) {
    match json {
        Json::Object(map) => {
            if map.get("t") == Some(&json!("float")) {
                map.remove("text");
            }
            map.values_mut().for_each(drop_float_text);
        }
        Json::Array(items) => items.iter_mut().for_each(drop_float_text),
        _ => {}
    }
}

fn cases() -> Vec<(String, Vec<u8>, Json)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(corpus_dir()).expect("corpus directory exists") {
        let path = entry.expect("readable directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("ser") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let ser = std::fs::read(&path).unwrap();
        let text = std::fs::read(path.with_extension("json")).unwrap();
        let mut de = serde_json::Deserializer::from_slice(&text);
        // `array_deep_100` nests 300 JSON levels; the default limit is 128.
        de.disable_recursion_limit();
        let mut json: Json =
            serde::Deserialize::deserialize(&mut de).unwrap_or_else(|e| panic!("{name}.json: {e}"));
        drop_float_text(&mut json);
        out.push((name, ser, json));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn corpus_has_the_promised_cases() {
    let names: Vec<String> = cases().into_iter().map(|c| c.0).collect();
    assert!(names.len() >= 60, "only {} cases", names.len());
    for must in [
        "null",
        "refs_php_references",
        "refs_object_handles",
        "enum_backed",
        "object_serializable",
        "object_private_shadowing",
        "float_nan",
        "array_deep_100",
        "double_serialized_string",
        "raw_float_17_digits",
    ] {
        assert!(names.iter().any(|n| n == must), "missing case {must}");
    }
}

#[test]
fn every_case_decodes_to_what_php_holds() {
    for (name, ser, want) in cases() {
        let value = php::decode(&ser).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            shape(&value),
            want,
            "{name}: decoded value differs from PHP's"
        );
    }
}

#[test]
fn every_case_reencodes_byte_for_byte() {
    for (name, ser, _) in cases() {
        let value = php::decode(&ser).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = php::encode(&value);
        assert!(
            again == ser,
            "{name}: re-encoding differs\n want {}\n got  {}",
            String::from_utf8_lossy(&ser),
            String::from_utf8_lossy(&again)
        );
        let mut appended = b"prefix".to_vec();
        php::encode_into(&value, &mut appended);
        assert_eq!(&appended[6..], &ser[..], "{name}: encode_into");
    }
}

#[test]
fn double_serialized_string_holds_a_second_value() {
    let ser = std::fs::read(corpus_dir().join("double_serialized_string.ser")).unwrap();
    let outer = php::decode(&ser).unwrap();
    let inner = php::decode(outer.as_bytes().unwrap()).unwrap();
    assert_eq!(inner.get("customer").and_then(Value::as_bool), Some(true));
}

#[test]
fn every_strict_prefix_of_every_case_is_an_error() {
    for (name, ser, _) in cases() {
        for cut in 0..ser.len() {
            // A prefix may itself be a complete, shorter value only where
            // the value is a number whose digits continue (`i:12` vs `i:1`);
            // serialized values always end in `;` or `}`, so no prefix ends
            // a value.
            let err = php::decode(&ser[..cut]);
            assert!(err.is_err(), "{name}: prefix of {cut} bytes decoded");
        }
    }
}

mod generated_values {
    use std::borrow::Cow;

    use proptest::prelude::*;
    use segmentflow_core::php::{self, Custom, EnumCase, Float, Key, Object, Value};

    fn class_name() -> impl Strategy<Value = Vec<u8>> {
        "[A-Za-z_][A-Za-z0-9_]{0,12}(\\\\[A-Za-z_][A-Za-z0-9_]{0,8})?".prop_map(String::into_bytes)
    }

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(any::<u8>(), 0..24)
    }

    fn key() -> impl Strategy<Value = Key<'static>> {
        prop_oneof![
            any::<i64>().prop_map(Key::Int),
            bytes().prop_map(|b| Key::Str(Cow::Owned(b))),
        ]
    }

    fn leaf() -> impl Strategy<Value = Value<'static>> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            any::<f64>().prop_map(|f| Value::Float(Float::new(f))),
            prop::sample::select(vec![
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                -0.0,
                1e25,
                1e-5,
                0.1
            ])
            .prop_map(|f| Value::Float(Float::new(f))),
            bytes().prop_map(|b| Value::Str(Cow::Owned(b))),
            (class_name(), bytes()).prop_map(|(class, payload)| Value::Custom(Box::new(Custom {
                class: Cow::Owned(class),
                payload: Cow::Owned(payload),
            }))),
            (class_name(), "[A-Za-z_][A-Za-z0-9_]{0,10}").prop_map(|(class, case)| Value::Enum(
                Box::new(EnumCase {
                    class: Cow::Owned(class),
                    case: Cow::Owned(case.into_bytes()),
                })
            )),
        ]
    }

    /// Any value without `r:`/`R:` (whose slots would need a valid target).
    fn value() -> impl Strategy<Value = Value<'static>> {
        leaf().prop_recursive(5, 96, 8, |inner| {
            prop_oneof![
                prop::collection::vec((key(), inner.clone()), 0..8).prop_map(Value::Array),
                (class_name(), prop::collection::vec((key(), inner), 0..6)).prop_map(
                    |(class, properties)| Value::Object(Box::new(Object {
                        class: Cow::Owned(class),
                        properties,
                    }))
                ),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn encode_decode_encode_round_trips(v in value()) {
            let bytes = php::encode(&v);
            let decoded = php::decode(&bytes).map_err(|e| {
                TestCaseError::fail(format!("{e} in {}", String::from_utf8_lossy(&bytes)))
            })?;
            prop_assert_eq!(&decoded, &v);
            prop_assert_eq!(php::encode(&decoded), bytes);
        }
    }
}
