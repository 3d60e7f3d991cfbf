//! The `serde::Serializer` that turns Rust values into PHP [`Value`]s.
//!
//! The mapping is the table in the [module docs](super). Two PHP rules are
//! applied here so the produced value is what PHP itself would hold: string
//! keys that look like canonical decimal integers become integer keys (PHP
//! normalizes `$a["5"]` to `$a[5]`), and a key written twice keeps its first
//! position and its last value (`$a[$k] = $v` on an existing key).

use std::borrow::Cow;
use std::collections::HashMap;

use ::serde::ser::{self, Impossible, Serialize};

use super::error::{Segment, SerdeError};
use crate::php::{Float, Key, Value};

/// The key PHP stores for the string key `bytes`: an int key when `bytes` is
/// a canonical decimal integer that fits `i64` (optional `-`, no `+`, no
/// leading zeros, not `-0`), the string key otherwise.
///
/// ```
/// use segmentflow_core::php::{Key, serde::array_key};
/// assert_eq!(array_key(b"5"), Key::Int(5));
/// assert_eq!(array_key(b"-12"), Key::Int(-12));
/// assert_eq!(array_key(b"05"), Key::from("05"));
/// ```
pub fn array_key(bytes: &[u8]) -> Key<'_> {
    match canonical_int(bytes) {
        Some(n) => Key::Int(n),
        None => Key::Str(Cow::Borrowed(bytes)),
    }
}

/// The integer PHP would normalize the string key `bytes` to, if any.
pub(crate) fn canonical_int(bytes: &[u8]) -> Option<i64> {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    // At most 19 digits fit an i64; the first must be a digit.
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: i64 = std::str::from_utf8(bytes).ok()?.parse().ok()?;
    // `parse` accepts "05" and "-0"; PHP does not normalize those.
    (n.to_string().as_bytes() == bytes).then_some(n)
}

fn owned_key(bytes: &[u8]) -> Key<'static> {
    array_key(bytes).into_owned()
}

fn str_value(bytes: impl Into<Vec<u8>>) -> Value<'static> {
    Value::Str(Cow::Owned(bytes.into()))
}

/// An `f32` as the `f64` with the same shortest decimal text, so `0.1f32`
/// becomes PHP's `0.1` rather than `0.10000000149011612`.
fn widen_f32(v: f32) -> f64 {
    if v.is_finite() {
        v.to_string().parse().unwrap_or(f64::from(v))
    } else {
        f64::from(v)
    }
}

fn php_int<T>(v: T) -> Result<i64, SerdeError>
where
    T: Copy + std::fmt::Display,
    i64: TryFrom<T>,
{
    i64::try_from(v).map_err(|_| SerdeError::out_of_range(v, "PHP int (i64)"))
}

/// A `serde::Serializer` whose output is a PHP [`Value`]. Use
/// [`to_value`](super::to_value) unless you need the serializer itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValueSerializer;

impl ser::Serializer for ValueSerializer {
    type Ok = Value<'static>;
    type Error = SerdeError;
    type SerializeSeq = ListBuilder;
    type SerializeTuple = ListBuilder;
    type SerializeTupleStruct = ListBuilder;
    type SerializeTupleVariant = VariantBuilder<ListBuilder>;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = VariantBuilder<MapBuilder>;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Self::Ok, SerdeError> {
        php_int(v).map(Value::Int)
    }
    fn serialize_u8(self, v: u8) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Self::Ok, SerdeError> {
        php_int(v).map(Value::Int)
    }
    fn serialize_u128(self, v: u128) -> Result<Self::Ok, SerdeError> {
        php_int(v).map(Value::Int)
    }
    fn serialize_f32(self, v: f32) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Float(Float::new(widen_f32(v))))
    }
    fn serialize_f64(self, v: f64) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Float(Float::new(v)))
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok, SerdeError> {
        Ok(str_value(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok, SerdeError> {
        Ok(str_value(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Self::Ok, SerdeError> {
        Ok(str_value(v))
    }
    fn serialize_none(self) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, SerdeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Self::Ok, SerdeError> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, SerdeError> {
        Ok(str_value(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Self::Ok, SerdeError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Self::Ok, SerdeError> {
        let inner = value
            .serialize(self)
            .map_err(|e| e.within(Segment::Key(variant.to_owned())))?;
        Ok(Value::Array(vec![(owned_key(variant.as_bytes()), inner)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<ListBuilder, SerdeError> {
        Ok(ListBuilder::with_capacity(len.unwrap_or(0)))
    }
    fn serialize_tuple(self, len: usize) -> Result<ListBuilder, SerdeError> {
        Ok(ListBuilder::with_capacity(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<ListBuilder, SerdeError> {
        Ok(ListBuilder::with_capacity(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<ListBuilder>, SerdeError> {
        Ok(VariantBuilder {
            variant,
            inner: ListBuilder::with_capacity(len),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder, SerdeError> {
        Ok(MapBuilder::new(len.unwrap_or(0), true))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapBuilder, SerdeError> {
        Ok(MapBuilder::new(len, false))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<MapBuilder>, SerdeError> {
        Ok(VariantBuilder {
            variant,
            inner: MapBuilder::new(len, false),
        })
    }
}

/// Builds a PHP list (`a:n:{i:0;…i:1;…}`) from a sequence or tuple.
#[derive(Debug)]
pub struct ListBuilder {
    items: Vec<(Key<'static>, Value<'static>)>,
}

impl ListBuilder {
    fn with_capacity(len: usize) -> Self {
        // The hint comes from the Serialize impl; cap it so a wrong hint
        // cannot make us reserve a huge buffer up front.
        ListBuilder {
            items: Vec::with_capacity(len.min(4096)),
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let index = i64::try_from(self.items.len())
            .map_err(|_| SerdeError::out_of_range(self.items.len(), "PHP int (i64)"))?;
        let value = value
            .serialize(ValueSerializer)
            .map_err(|e| e.within(Segment::Index(index)))?;
        self.items.push((Key::Int(index), value));
        Ok(())
    }

    fn finish(self) -> Value<'static> {
        Value::Array(self.items)
    }
}

impl ser::SerializeSeq for ListBuilder {
    type Ok = Value<'static>;
    type Error = SerdeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }
    fn end(self) -> Result<Value<'static>, SerdeError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for ListBuilder {
    type Ok = Value<'static>;
    type Error = SerdeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }
    fn end(self) -> Result<Value<'static>, SerdeError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for ListBuilder {
    type Ok = Value<'static>;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }
    fn end(self) -> Result<Value<'static>, SerdeError> {
        Ok(self.finish())
    }
}

/// Builds a PHP array with keys from a map or a struct's fields.
#[derive(Debug)]
pub struct MapBuilder {
    entries: Vec<(Key<'static>, Value<'static>)>,
    /// Where each key sits in `entries`, to apply PHP's "same key
    /// overwrites" rule; `None` for structs, whose field names are unique.
    positions: Option<HashMap<Key<'static>, usize>>,
    /// The key given by `serialize_key`, waiting for its value.
    pending: Option<Key<'static>>,
}

impl MapBuilder {
    fn new(len: usize, dedupe: bool) -> Self {
        MapBuilder {
            entries: Vec::with_capacity(len.min(4096)),
            positions: dedupe.then(HashMap::new),
            pending: None,
        }
    }

    fn insert<T: Serialize + ?Sized>(
        &mut self,
        key: Key<'static>,
        value: &T,
    ) -> Result<(), SerdeError> {
        let value = value
            .serialize(ValueSerializer)
            .map_err(|e| e.within(Segment::from(&key)))?;
        if let Some(positions) = &mut self.positions {
            if let Some(slot) = positions.get(&key).and_then(|&at| self.entries.get_mut(at)) {
                slot.1 = value;
                return Ok(());
            }
            positions.insert(key.clone(), self.entries.len());
        }
        self.entries.push((key, value));
        Ok(())
    }

    fn finish(self) -> Value<'static> {
        Value::Array(self.entries)
    }
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Value<'static>;
    type Error = SerdeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerdeError> {
        self.pending = Some(key.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let key = self.pending.take().ok_or_else(|| {
            <SerdeError as ser::Error>::custom("serialize_value called before serialize_key")
        })?;
        self.insert(key, value)
    }
    fn end(self) -> Result<Value<'static>, SerdeError> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for MapBuilder {
    type Ok = Value<'static>;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerdeError> {
        self.insert(owned_key(key.as_bytes()), value)
    }
    fn end(self) -> Result<Value<'static>, SerdeError> {
        Ok(self.finish())
    }
}

/// Builds `{variant: payload}` for tuple and struct variants.
#[derive(Debug)]
pub struct VariantBuilder<B> {
    variant: &'static str,
    inner: B,
}

impl<B> VariantBuilder<B> {
    fn wrap(variant: &'static str, payload: Value<'static>) -> Value<'static> {
        Value::Array(vec![(owned_key(variant.as_bytes()), payload)])
    }
}

impl ser::SerializeTupleVariant for VariantBuilder<ListBuilder> {
    type Ok = Value<'static>;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let variant = self.variant;
        self.inner
            .push(value)
            .map_err(|e| e.within(Segment::Key(variant.to_owned())))
    }
    fn end(self) -> Result<Value<'static>, SerdeError> {
        Ok(Self::wrap(self.variant, self.inner.finish()))
    }
}

impl ser::SerializeStructVariant for VariantBuilder<MapBuilder> {
    type Ok = Value<'static>;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerdeError> {
        let variant = self.variant;
        self.inner
            .insert(owned_key(key.as_bytes()), value)
            .map_err(|e| e.within(Segment::Key(variant.to_owned())))
    }
    fn end(self) -> Result<Value<'static>, SerdeError> {
        Ok(Self::wrap(self.variant, self.inner.finish()))
    }
}

/// Serializes a map key: integers and strings only, as PHP allows.
struct KeySerializer;

type NoKey = Impossible<Key<'static>, SerdeError>;

impl ser::Serializer for KeySerializer {
    type Ok = Key<'static>;
    type Error = SerdeError;
    type SerializeSeq = NoKey;
    type SerializeTuple = NoKey;
    type SerializeTupleStruct = NoKey;
    type SerializeTupleVariant = NoKey;
    type SerializeMap = NoKey;
    type SerializeStruct = NoKey;
    type SerializeStructVariant = NoKey;

    fn serialize_bool(self, _v: bool) -> Result<Key<'static>, SerdeError> {
        Err(SerdeError::unsupported_key("a bool"))
    }
    fn serialize_i8(self, v: i8) -> Result<Key<'static>, SerdeError> {
        Ok(Key::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Key<'static>, SerdeError> {
        Ok(Key::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Key<'static>, SerdeError> {
        Ok(Key::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Key<'static>, SerdeError> {
        Ok(Key::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Key<'static>, SerdeError> {
        php_int(v).map(Key::Int)
    }
    fn serialize_u8(self, v: u8) -> Result<Key<'static>, SerdeError> {
        Ok(Key::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Key<'static>, SerdeError> {
        Ok(Key::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Key<'static>, SerdeError> {
        Ok(Key::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Key<'static>, SerdeError> {
        php_int(v).map(Key::Int)
    }
    fn serialize_u128(self, v: u128) -> Result<Key<'static>, SerdeError> {
        php_int(v).map(Key::Int)
    }
    fn serialize_f32(self, _v: f32) -> Result<Key<'static>, SerdeError> {
        Err(SerdeError::unsupported_key("a float"))
    }
    fn serialize_f64(self, _v: f64) -> Result<Key<'static>, SerdeError> {
        Err(SerdeError::unsupported_key("a float"))
    }
    fn serialize_char(self, v: char) -> Result<Key<'static>, SerdeError> {
        Ok(owned_key(v.to_string().as_bytes()))
    }
    fn serialize_str(self, v: &str) -> Result<Key<'static>, SerdeError> {
        Ok(owned_key(v.as_bytes()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Key<'static>, SerdeError> {
        Ok(owned_key(v))
    }
    fn serialize_none(self) -> Result<Key<'static>, SerdeError> {
        Err(SerdeError::unsupported_key("None"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Key<'static>, SerdeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Key<'static>, SerdeError> {
        Err(SerdeError::unsupported_key("a unit value"))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Key<'static>, SerdeError> {
        Err(SerdeError::unsupported_key("a unit struct"))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Key<'static>, SerdeError> {
        Ok(owned_key(variant.as_bytes()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Key<'static>, SerdeError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Key<'static>, SerdeError> {
        Err(SerdeError::unsupported_key("an enum variant with data"))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<NoKey, SerdeError> {
        Err(SerdeError::unsupported_key("a sequence"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<NoKey, SerdeError> {
        Err(SerdeError::unsupported_key("a tuple"))
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<NoKey, SerdeError> {
        Err(SerdeError::unsupported_key("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<NoKey, SerdeError> {
        Err(SerdeError::unsupported_key("an enum variant with data"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<NoKey, SerdeError> {
        Err(SerdeError::unsupported_key("a map"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<NoKey, SerdeError> {
        Err(SerdeError::unsupported_key("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<NoKey, SerdeError> {
        Err(SerdeError::unsupported_key("an enum variant with data"))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use ::serde::Serialize;

    use super::*;
    use crate::php::serde::to_value;

    fn s(text: &str) -> Value<'static> {
        Value::string(text)
    }

    fn k(text: &str) -> Key<'static> {
        Key::Str(Cow::Owned(text.as_bytes().to_vec()))
    }

    #[test]
    fn canonical_int_follows_php_key_normalization() {
        // Checked against PHP 8.2: array_keys(["5" => 1, …]).
        let cases: &[(&str, Option<i64>)] = &[
            ("5", Some(5)),
            ("0", Some(0)),
            ("-5", Some(-5)),
            ("123456", Some(123_456)),
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None),
            ("-9223372036854775809", None),
            ("05", None),
            ("-05", None),
            ("-0", None),
            ("+5", None),
            (" 5", None),
            ("5 ", None),
            ("1.5", None),
            ("1e3", None),
            ("-", None),
            ("", None),
            ("00", None),
            ("customer", None),
            ("12345678901234567890", None),
        ];
        for &(text, want) in cases {
            assert_eq!(canonical_int(text.as_bytes()), want, "key {text:?}");
            let key = array_key(text.as_bytes());
            match want {
                Some(n) => assert_eq!(key, Key::Int(n), "key {text:?}"),
                None => assert_eq!(key, k(text), "key {text:?}"),
            }
        }
    }

    #[test]
    fn scalars() {
        let cases: Vec<(Value<'static>, Value<'static>)> = vec![
            (to_value(&true).unwrap(), Value::Bool(true)),
            (to_value(&-7i8).unwrap(), Value::Int(-7)),
            (to_value(&u32::MAX).unwrap(), Value::Int(4_294_967_295)),
            (to_value(&(i64::MAX as u64)).unwrap(), Value::Int(i64::MAX)),
            (to_value(&i64::MIN).unwrap(), Value::Int(i64::MIN)),
            (to_value(&-5i128).unwrap(), Value::Int(-5)),
            (to_value(&1.5f64).unwrap(), Value::Float(Float::new(1.5))),
            (to_value(&0.1f32).unwrap(), Value::Float(Float::new(0.1))),
            (
                to_value(&f32::INFINITY).unwrap(),
                Value::Float(Float::new(f64::INFINITY)),
            ),
            (to_value(&'é').unwrap(), s("é")),
            (to_value("café").unwrap(), s("café")),
            (to_value(&()).unwrap(), Value::Null),
            (to_value(&None::<u8>).unwrap(), Value::Null),
            (to_value(&Some(3u8)).unwrap(), Value::Int(3)),
        ];
        for (i, (got, want)) in cases.into_iter().enumerate() {
            assert_eq!(got, want, "case {i}");
        }
    }

    #[test]
    fn integers_out_of_php_range_are_errors() {
        let cases: Vec<(SerdeError, &str)> = vec![
            (to_value(&u64::MAX).unwrap_err(), "18446744073709551615"),
            (
                to_value(&(i64::MAX as u64 + 1)).unwrap_err(),
                "9223372036854775808",
            ),
            (
                to_value(&i128::MIN).unwrap_err(),
                "-170141183460469231731687303715884105728",
            ),
            (
                to_value(&u128::MAX).unwrap_err(),
                "340282366920938463463374607431768211455",
            ),
        ];
        for (err, value) in cases {
            assert_eq!(
                err,
                SerdeError::OutOfRange {
                    path: Default::default(),
                    value: value.to_owned(),
                    target: "PHP int (i64)",
                }
            );
        }
    }

    #[test]
    fn string_map_keys_are_normalized_like_php() {
        let map: BTreeMap<&str, u8> = [("5", 1), ("05", 2), ("-3", 3), ("a", 4), ("-0", 5)]
            .into_iter()
            .collect();
        // BTreeMap order: "-0" < "-3" < "05" < "5" < "a".
        assert_eq!(
            to_value(&map).unwrap(),
            Value::Array(vec![
                (k("-0"), Value::Int(5)),
                (Key::Int(-3), Value::Int(3)),
                (k("05"), Value::Int(2)),
                (Key::Int(5), Value::Int(1)),
                (k("a"), Value::Int(4)),
            ])
        );
    }

    #[test]
    fn integer_map_keys() {
        let map: BTreeMap<i64, &str> = [(-1, "a"), (7, "b")].into_iter().collect();
        assert_eq!(
            to_value(&map).unwrap(),
            Value::Array(vec![(Key::Int(-1), s("a")), (Key::Int(7), s("b"))])
        );
        let big: BTreeMap<u64, u8> = [(u64::MAX, 1)].into_iter().collect();
        assert!(matches!(to_value(&big), Err(SerdeError::OutOfRange { .. })));
    }

    #[test]
    fn unsupported_keys_name_the_map() {
        #[derive(Serialize)]
        struct Holder {
            flags: BTreeMap<bool, u8>,
        }
        let holder = Holder {
            flags: [(true, 1)].into_iter().collect(),
        };
        let err = to_value(&holder).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported array key at flags: a bool (PHP array keys are integers or strings)"
        );
        let tuple_keys: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into_iter().collect();
        assert!(matches!(
            to_value(&tuple_keys),
            Err(SerdeError::UnsupportedKey {
                found: "a tuple",
                ..
            })
        ));
    }

    #[test]
    fn duplicate_keys_keep_first_position_and_last_value() {
        // Two keys that PHP sees as the same: the int 5 and the string "5".
        struct Dup;
        impl Serialize for Dup {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use ser::SerializeMap;
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry(&5, "first")?;
                m.serialize_entry("x", "middle")?;
                m.serialize_entry("5", "last")?;
                m.end()
            }
        }
        assert_eq!(
            to_value(&Dup).unwrap(),
            Value::Array(vec![(Key::Int(5), s("last")), (k("x"), s("middle"))])
        );
    }

    #[test]
    fn errors_carry_the_path() {
        #[derive(Serialize)]
        struct Line {
            qty: u64,
        }
        #[derive(Serialize)]
        struct Order {
            lines: Vec<Line>,
        }
        let order = Order {
            lines: vec![Line { qty: 1 }, Line { qty: u64::MAX }],
        };
        assert_eq!(
            to_value(&order).unwrap_err().to_string(),
            "integer 18446744073709551615 at lines[1].qty is out of range for PHP int (i64)"
        );
    }

    #[test]
    fn bytes_are_raw_strings() {
        struct Raw(&'static [u8]);
        impl Serialize for Raw {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(self.0)
            }
        }
        assert_eq!(
            to_value(&Raw(b"\xff\x00a")).unwrap(),
            Value::Str(Cow::Borrowed(b"\xff\x00a"))
        );
    }
}
