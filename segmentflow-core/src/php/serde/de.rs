//! The `serde::Deserializer` that reads Rust values out of a borrowed PHP
//! [`Value`].
//!
//! Strict by default: a type hint is honoured only by the PHP kinds the
//! [mapping](super) lists (an `i:` never becomes a `bool` or a `String`);
//! the lenient WordPress readings are opt-in through [`super::wp`].
//! Strings and byte strings are lent out of the value (`&'de str`,
//! `&'de [u8]`) rather than copied. Errors are built where they happen and
//! each enclosing array adds its key to their path on the way out.

use ::serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, IntoDeserializer, MapAccess,
    SeqAccess, VariantAccess, Visitor,
};
use ::serde::forward_to_deserialize_any;

use super::error::{Segment, SerdeError, truncate};
use super::ser::canonical_int;
use crate::php::{Key, PropertyName, Value};

type Entries<'de> = [(Key<'de>, Value<'de>)];

/// Describes a PHP value for an error message.
fn found(value: &Value<'_>) -> String {
    fn text(bytes: &[u8]) -> String {
        truncate(&String::from_utf8_lossy(bytes))
    }
    match value {
        Value::Null => "null (N;)".to_owned(),
        Value::Bool(b) => format!("bool {b}"),
        Value::Int(n) => format!("int {n}"),
        Value::Float(f) => format!("float {}", f.value()),
        Value::Str(s) => format!("string {:?}", text(s)),
        Value::Array(a) if a.is_empty() => "empty array".to_owned(),
        Value::Array(a) if is_list(a) => format!("list of {}", count(a.len(), "element")),
        Value::Array(a) => format!("array of {}", count(a.len(), "entry")),
        Value::Object(o) => format!("object of class {}", text(&o.class)),
        Value::Custom(c) => format!("Serializable object (C:) of class {}", text(&c.class)),
        Value::Enum(e) => format!("enum case {}::{}", text(&e.class), text(&e.case)),
        Value::ObjectRef(n) => format!("object reference r:{n};"),
        Value::Reference(n) => format!("reference R:{n};"),
    }
}

/// `1 entry`, `2 entries`, `1 element`, `3 elements`.
fn count(n: usize, noun: &str) -> String {
    match (n, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        (_, None) => format!("{n} {noun}s"),
    }
}

/// Whether the array's keys are exactly `0, 1, 2, …` in order (PHP's
/// `array_is_list`).
fn is_list(entries: &Entries<'_>) -> bool {
    entries
        .iter()
        .zip(0i64..)
        .all(|((k, _), i)| *k == Key::Int(i))
}

/// A `serde::Deserializer` over a borrowed PHP [`Value`]. Use
/// [`from_value`](super::from_value) unless you need the deserializer itself
/// (for example to call a `deserialize_with` function on it).
#[derive(Debug, Clone, Copy)]
pub struct ValueDeserializer<'de> {
    value: &'de Value<'de>,
}

impl<'de> ValueDeserializer<'de> {
    /// A deserializer reading `value`.
    pub fn new(value: &'de Value<'de>) -> Self {
        ValueDeserializer { value }
    }

    /// The error for a value whose kind the Rust type does not accept.
    fn mismatch(&self, expected: &dyn Expected) -> SerdeError {
        match self.value {
            Value::ObjectRef(n) => SerdeError::reference(format!("r:{n};")),
            Value::Reference(n) => SerdeError::reference(format!("R:{n};")),
            other => SerdeError::invalid_type_found(found(other), expected),
        }
    }

    fn str(&self) -> Option<Result<&'de str, SerdeError>> {
        match self.value {
            Value::Str(s) => Some(std::str::from_utf8(s).map_err(SerdeError::not_utf8)),
            _ => None,
        }
    }

    fn visit_seq<V: Visitor<'de>>(
        &self,
        entries: &'de Entries<'de>,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        let mut seq = SeqDeserializer {
            iter: entries.iter(),
            taken: 0,
        };
        let out = visitor.visit_seq(&mut seq)?;
        seq.end()?;
        Ok(out)
    }
}

macro_rules! deserialize_int {
    ($($method:ident => $visit:ident($ty:ty),)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
            match *self.value {
                Value::Int(n) => match <$ty>::try_from(n) {
                    Ok(v) => visitor.$visit(v),
                    Err(_) => Err(SerdeError::out_of_range(n, stringify!($ty))),
                },
                _ => Err(self.mismatch(&visitor)),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for ValueDeserializer<'de> {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(n) => visitor.visit_i64(*n),
            Value::Float(f) => visitor.visit_f64(f.value()),
            Value::Str(s) => match std::str::from_utf8(s) {
                Ok(text) => visitor.visit_borrowed_str(text),
                Err(_) => visitor.visit_borrowed_bytes(s),
            },
            Value::Array(entries) if is_list(entries) => self.visit_seq(entries, visitor),
            Value::Array(entries) => visitor.visit_map(MapDeserializer::new(entries, false)),
            Value::Object(o) => visitor.visit_map(MapDeserializer::new(&o.properties, true)),
            Value::Custom(_) | Value::Enum(_) | Value::ObjectRef(_) | Value::Reference(_) => {
                Err(self.mismatch(&visitor))
            }
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Bool(b) => visitor.visit_bool(*b),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    deserialize_int! {
        deserialize_i8 => visit_i8(i8),
        deserialize_i16 => visit_i16(i16),
        deserialize_i32 => visit_i32(i32),
        deserialize_u8 => visit_u8(u8),
        deserialize_u16 => visit_u16(u16),
        deserialize_u32 => visit_u32(u32),
        deserialize_u64 => visit_u64(u64),
        deserialize_u128 => visit_u128(u128),
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Int(n) => visitor.visit_i64(*n),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Int(n) => visitor.visit_i128(i128::from(*n)),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Float(f) => visitor.visit_f32(f.value() as f32),
            Value::Int(n) => visitor.visit_f32(*n as f32),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Float(f) => visitor.visit_f64(f.value()),
            // PHP arithmetic often leaves integral floats as ints.
            Value::Int(n) => visitor.visit_f64(*n as f64),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.str() {
            Some(text) => visitor.visit_borrowed_str(text?),
            None => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Str(s) => visitor.visit_borrowed_bytes(s),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Array(entries) => {
                // Values in stored order whatever the int keys (a holey list
                // from array_filter is still a list); string keys mean the
                // array is not a list at all.
                if let Some((Key::Str(key), _)) =
                    entries.iter().find(|(k, _)| matches!(k, Key::Str(_)))
                {
                    let what = format!(
                        "array with string key {:?}",
                        truncate(&String::from_utf8_lossy(key))
                    );
                    return Err(SerdeError::invalid_type_found(what, &visitor));
                }
                self.visit_seq(entries, visitor)
            }
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Array(entries) => visitor.visit_map(MapDeserializer::new(entries, false)),
            Value::Object(o) => visitor.visit_map(MapDeserializer::new(&o.properties, true)),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        let (variant, payload) = match self.value {
            Value::Str(s) => (KeyRef::Bytes(s), None),
            // The Rust enum does not know the PHP class, so only the case
            // name is compared.
            Value::Enum(e) => (KeyRef::Bytes(&e.case), None),
            Value::Array(entries) => match entries.as_slice() {
                [(key, value)] => (KeyRef::of(key, false), Some(value)),
                _ => return Err(self.mismatch(&visitor)),
            },
            _ => return Err(self.mismatch(&visitor)),
        };
        visitor.visit_enum(EnumDeserializer { variant, payload })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Str(s) => KeyDeserializer::new(KeyRef::Bytes(s)).deserialize_identifier(visitor),
            Value::Int(n) => KeyDeserializer::new(KeyRef::Int(*n)).deserialize_identifier(visitor),
            _ => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        // Skips anything, references included: unknown fields never fail.
        visitor.visit_unit()
    }
}

impl<'de> IntoDeserializer<'de, SerdeError> for &'de Value<'de> {
    type Deserializer = ValueDeserializer<'de>;
    fn into_deserializer(self) -> ValueDeserializer<'de> {
        ValueDeserializer::new(self)
    }
}

/// The entries of an array, one value after the other.
struct SeqDeserializer<'de> {
    iter: std::slice::Iter<'de, (Key<'de>, Value<'de>)>,
    taken: usize,
}

impl SeqDeserializer<'_> {
    /// Fails if the visitor left elements over (a tuple too short for the
    /// list).
    fn end(self) -> Result<(), SerdeError> {
        let left = self.iter.len();
        if left == 0 {
            Ok(())
        } else {
            let expected = format!("a list of {}", count(self.taken, "element"));
            Err(de::Error::invalid_length(
                self.taken + left,
                &expected.as_str(),
            ))
        }
    }
}

impl<'de> SeqAccess<'de> for SeqDeserializer<'de> {
    type Error = SerdeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, SerdeError> {
        match self.iter.next() {
            None => Ok(None),
            Some((key, value)) => {
                self.taken += 1;
                seed.deserialize(ValueDeserializer::new(value))
                    .map(Some)
                    .map_err(|e| e.within(Segment::from(key)))
            }
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// An array's or an object's entries as a serde map.
struct MapDeserializer<'de> {
    iter: std::slice::Iter<'de, (Key<'de>, Value<'de>)>,
    /// Object properties: keys lose their visibility mangling.
    object: bool,
    /// The entry whose key was just given out.
    current: Option<(KeyRef<'de>, &'de Value<'de>)>,
}

impl<'de> MapDeserializer<'de> {
    fn new(entries: &'de Entries<'de>, object: bool) -> Self {
        MapDeserializer {
            iter: entries.iter(),
            object,
            current: None,
        }
    }
}

impl<'de> MapAccess<'de> for MapDeserializer<'de> {
    type Error = SerdeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, SerdeError> {
        let Some((key, value)) = self.iter.next() else {
            return Ok(None);
        };
        let key = KeyRef::of(key, self.object);
        self.current = Some((key, value));
        seed.deserialize(KeyDeserializer::new(key))
            .map(Some)
            .map_err(|e| e.within(key.segment()))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, SerdeError> {
        let (key, value) = self.current.take().ok_or_else(|| {
            <SerdeError as de::Error>::custom("next_value called before next_key")
        })?;
        seed.deserialize(ValueDeserializer::new(value))
            .map_err(|e| e.within(key.segment()))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// A key as handed to serde: an int, or a string key's bytes (for object
/// properties, the name without its visibility mangling).
#[derive(Debug, Clone, Copy)]
enum KeyRef<'de> {
    Int(i64),
    Bytes(&'de [u8]),
}

impl<'de> KeyRef<'de> {
    fn of(key: &'de Key<'de>, object: bool) -> Self {
        match key {
            Key::Int(n) => KeyRef::Int(*n),
            Key::Str(s) if object => KeyRef::Bytes(PropertyName::parse(s).name()),
            Key::Str(s) => KeyRef::Bytes(s),
        }
    }

    fn segment(self) -> Segment {
        match self {
            KeyRef::Int(n) => Segment::Index(n),
            KeyRef::Bytes(b) => Segment::Key(String::from_utf8_lossy(b).into_owned()),
        }
    }

    fn describe(self) -> String {
        match self {
            KeyRef::Int(n) => format!("int key {n}"),
            KeyRef::Bytes(b) => format!("string key {:?}", truncate(&String::from_utf8_lossy(b))),
        }
    }
}

/// Deserializes an array key (or enum variant name).
///
/// Keys are read the way PHP wrote them, with PHP's own equivalence between
/// an int key and its decimal string: an `i:5` key gives `"5"` to a `String`
/// or a struct field name, and a string key PHP would have normalized (only
/// seen in object property names) gives `5` to an integer.
struct KeyDeserializer<'de> {
    key: KeyRef<'de>,
}

impl<'de> KeyDeserializer<'de> {
    fn new(key: KeyRef<'de>) -> Self {
        KeyDeserializer { key }
    }

    fn int(&self) -> Option<i64> {
        match self.key {
            KeyRef::Int(n) => Some(n),
            KeyRef::Bytes(b) => canonical_int(b),
        }
    }

    fn mismatch(&self, expected: &dyn Expected) -> SerdeError {
        SerdeError::invalid_type_found(self.key.describe(), expected)
    }
}

macro_rules! deserialize_key_int {
    ($($method:ident => $visit:ident($ty:ty),)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
            match self.int() {
                Some(n) => match <$ty>::try_from(n) {
                    Ok(v) => visitor.$visit(v),
                    Err(_) => Err(SerdeError::out_of_range(n, stringify!($ty))),
                },
                None => Err(self.mismatch(&visitor)),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for KeyDeserializer<'de> {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.key {
            KeyRef::Int(n) => visitor.visit_i64(n),
            KeyRef::Bytes(b) => match std::str::from_utf8(b) {
                Ok(text) => visitor.visit_borrowed_str(text),
                Err(_) => visitor.visit_borrowed_bytes(b),
            },
        }
    }

    deserialize_key_int! {
        deserialize_i8 => visit_i8(i8),
        deserialize_i16 => visit_i16(i16),
        deserialize_i32 => visit_i32(i32),
        deserialize_u8 => visit_u8(u8),
        deserialize_u16 => visit_u16(u16),
        deserialize_u32 => visit_u32(u32),
        deserialize_u64 => visit_u64(u64),
        deserialize_u128 => visit_u128(u128),
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.int() {
            Some(n) => visitor.visit_i64(n),
            None => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.int() {
            Some(n) => visitor.visit_i128(i128::from(n)),
            None => Err(self.mismatch(&visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.key {
            KeyRef::Int(n) => visitor.visit_string(n.to_string()),
            KeyRef::Bytes(b) => {
                visitor.visit_borrowed_str(std::str::from_utf8(b).map_err(SerdeError::not_utf8)?)
            }
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.key {
            KeyRef::Int(n) => visitor.visit_byte_buf(n.to_string().into_bytes()),
            KeyRef::Bytes(b) => visitor.visit_borrowed_bytes(b),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        // An int key names a field by its digits ("5"), never by position.
        match self.key {
            KeyRef::Int(n) => visitor.visit_string(n.to_string()),
            KeyRef::Bytes(b) => match std::str::from_utf8(b) {
                Ok(text) => visitor.visit_borrowed_str(text),
                Err(_) => visitor.visit_borrowed_bytes(b),
            },
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_enum(EnumDeserializer {
            variant: self.key,
            payload: None,
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool f32 f64 unit unit_struct seq tuple tuple_struct map struct
    }
}

/// An enum: the variant name, and the payload for `{variant: payload}`.
struct EnumDeserializer<'de> {
    variant: KeyRef<'de>,
    payload: Option<&'de Value<'de>>,
}

impl<'de> EnumAccess<'de> for EnumDeserializer<'de> {
    type Error = SerdeError;
    type Variant = VariantDeserializer<'de>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, VariantDeserializer<'de>), SerdeError> {
        let value = seed.deserialize(KeyDeserializer::new(self.variant))?;
        Ok((
            value,
            VariantDeserializer {
                variant: self.variant,
                payload: self.payload,
            },
        ))
    }
}

/// The payload of one enum variant.
struct VariantDeserializer<'de> {
    variant: KeyRef<'de>,
    payload: Option<&'de Value<'de>>,
}

impl<'de> VariantDeserializer<'de> {
    /// The payload, or an error saying a variant with data was given as a
    /// bare name.
    fn payload(&self, expected: &dyn Expected) -> Result<ValueDeserializer<'de>, SerdeError> {
        match self.payload {
            Some(value) => Ok(ValueDeserializer::new(value)),
            None => Err(SerdeError::invalid_type_found(
                "a bare variant name".to_owned(),
                expected,
            )),
        }
    }
}

impl<'de> VariantAccess<'de> for VariantDeserializer<'de> {
    type Error = SerdeError;

    fn unit_variant(self) -> Result<(), SerdeError> {
        match self.payload {
            None | Some(Value::Null) => Ok(()),
            Some(other) => Err(
                SerdeError::invalid_type_found(found(other), &"a unit variant")
                    .within(self.variant.segment()),
            ),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, SerdeError> {
        let de = self.payload(&"a newtype variant as {variant: value}")?;
        seed.deserialize(de)
            .map_err(|e| e.within(self.variant.segment()))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        let de = self.payload(&"a tuple variant as {variant: [values]}")?;
        de.deserialize_tuple(len, visitor)
            .map_err(|e| e.within(self.variant.segment()))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        let de = self.payload(&"a struct variant as {variant: {fields}}")?;
        de.deserialize_struct("", fields, visitor)
            .map_err(|e| e.within(self.variant.segment()))
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::collections::{BTreeMap, HashMap};

    use ::serde::Deserialize;

    use super::*;
    use crate::php::serde::from_value;
    use crate::php::{Custom, EnumCase, Float, Object};

    fn k(text: &str) -> Key<'static> {
        Key::from(text).into_owned()
    }

    fn s(text: &str) -> Value<'static> {
        Value::string(text)
    }

    fn arr(entries: Vec<(Key<'static>, Value<'static>)>) -> Value<'static> {
        Value::Array(entries)
    }

    fn raw(bytes: &[u8]) -> Value<'static> {
        Value::Str(Cow::Owned(bytes.to_vec()))
    }

    /// The error's message, for comparing against expected text.
    fn err<T: for<'de> Deserialize<'de> + std::fmt::Debug>(value: &Value<'_>) -> String {
        from_value::<T>(value).unwrap_err().to_string()
    }

    #[test]
    fn scalars() {
        assert!(from_value::<bool>(&Value::Bool(true)).unwrap());
        assert_eq!(from_value::<i8>(&Value::Int(-128)).unwrap(), -128);
        assert_eq!(from_value::<u8>(&Value::Int(255)).unwrap(), 255);
        assert_eq!(
            from_value::<u64>(&Value::Int(i64::MAX)).unwrap(),
            i64::MAX as u64
        );
        assert_eq!(from_value::<i64>(&Value::Int(i64::MIN)).unwrap(), i64::MIN);
        assert_eq!(from_value::<i128>(&Value::Int(-3)).unwrap(), -3);
        assert_eq!(from_value::<u128>(&Value::Int(3)).unwrap(), 3);
        assert_eq!(
            from_value::<f64>(&Value::Float(Float::new(1.25))).unwrap(),
            1.25
        );
        assert_eq!(from_value::<f64>(&Value::Int(10)).unwrap(), 10.0);
        assert_eq!(
            from_value::<f32>(&Value::Float(Float::new(0.1))).unwrap(),
            0.1f32
        );
        assert_eq!(from_value::<f32>(&Value::Int(-2)).unwrap(), -2.0f32);
        assert_eq!(from_value::<String>(&s("café")).unwrap(), "café");
        assert_eq!(from_value::<char>(&s("é")).unwrap(), 'é');
        assert_eq!(from_value::<Option<u8>>(&Value::Null).unwrap(), None);
        assert_eq!(from_value::<Option<u8>>(&Value::Int(4)).unwrap(), Some(4));
        from_value::<()>(&Value::Null).unwrap();
    }

    #[test]
    fn strings_and_bytes_are_borrowed() {
        let value = s("borrowed");
        let text: &str = from_value(&value).unwrap();
        assert_eq!(text.as_ptr(), value.as_bytes().unwrap().as_ptr());

        let value = raw(b"\xffbin\x00");
        let bytes: &[u8] = from_value(&value).unwrap();
        assert_eq!(bytes, b"\xffbin\x00");
        assert_eq!(bytes.as_ptr(), value.as_bytes().unwrap().as_ptr());

        let cow: Cow<'_, str> = from_value(&s("x")).unwrap();
        assert_eq!(cow, "x");
    }

    /// A `serde_bytes::ByteBuf`-style owned buffer.
    #[derive(Debug, PartialEq)]
    struct ByteBuf(Vec<u8>);

    impl<'de> Deserialize<'de> for ByteBuf {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = ByteBuf;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v.to_vec()))
                }
            }
            d.deserialize_byte_buf(V)
        }
    }

    #[test]
    fn byte_buffers_get_raw_bytes() {
        assert_eq!(
            from_value::<ByteBuf>(&raw(b"\xfe\xff")).unwrap(),
            ByteBuf(vec![0xfe, 0xff])
        );
        assert_eq!(
            from_value::<BTreeMap<i64, ByteBuf>>(&Value::list([raw(b"\x80")])).unwrap(),
            BTreeMap::from([(0, ByteBuf(vec![0x80]))])
        );
    }

    #[test]
    fn type_errors() {
        let cases: Vec<(String, &str)> = vec![
            (
                err::<u8>(&Value::Int(256)),
                "integer 256 at the top level is out of range for u8",
            ),
            (
                err::<u32>(&Value::Int(-1)),
                "integer -1 at the top level is out of range for u32",
            ),
            (
                err::<u64>(&Value::Int(-5)),
                "integer -5 at the top level is out of range for u64",
            ),
            (
                err::<i64>(&Value::Float(Float::new(1.0))),
                "invalid type at the top level: expected i64, found float 1",
            ),
            (
                err::<bool>(&Value::Int(1)),
                "invalid type at the top level: expected a boolean, found int 1",
            ),
            (
                err::<String>(&Value::Int(5)),
                "invalid type at the top level: expected a string, found int 5",
            ),
            (
                err::<String>(&raw(b"ab\xe9")),
                "string at the top level is not valid UTF-8 (invalid byte at offset 2)",
            ),
            (
                err::<char>(&s("ab")),
                "invalid value at the top level: expected a character, found string \"ab\"",
            ),
            (
                err::<()>(&s("")),
                "invalid type at the top level: expected unit, found string \"\"",
            ),
            (
                err::<Vec<u8>>(&s("abc")),
                "invalid type at the top level: expected a sequence, found string \"abc\"",
            ),
            (
                err::<Vec<u8>>(&arr(vec![(k("a"), Value::Int(1))])),
                "invalid type at the top level: expected a sequence, found array with string key \"a\"",
            ),
            (
                err::<BTreeMap<String, u8>>(&Value::Int(1)),
                "invalid type at the top level: expected a map, found int 1",
            ),
            (
                err::<u8>(&Value::Reference(2)),
                "PHP references are not supported when deserializing into a typed value \
                 (found R:2; at the top level)",
            ),
            (
                err::<Option<String>>(&Value::ObjectRef(1)),
                "PHP references are not supported when deserializing into a typed value \
                 (found r:1; at the top level)",
            ),
            (
                err::<BTreeMap<String, u8>>(&Value::Custom(Box::new(Custom {
                    class: Cow::Borrowed(b"ArrayObject"),
                    payload: Cow::Borrowed(b"x:i:0;a:0:{};m:a:0:{}"),
                }))),
                "invalid type at the top level: expected a map, found Serializable object (C:) of class ArrayObject",
            ),
            (
                err::<u8>(&arr(vec![])),
                "invalid type at the top level: expected u8, found empty array",
            ),
            (
                err::<(u8, u8)>(&Value::list([Value::Int(1)])),
                "invalid length at the top level: expected a tuple of size 2, found 1 element",
            ),
            (
                err::<f64>(&Value::Null),
                "invalid type at the top level: expected f64, found null (N;)",
            ),
            (
                err::<u8>(&Value::list([Value::Int(1)])),
                "invalid type at the top level: expected u8, found list of 1 element",
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn borrowed_keys_cannot_come_from_int_keys() {
        let value = arr(vec![(Key::Int(3), s("x"))]);
        assert_eq!(
            from_value::<BTreeMap<&str, &str>>(&value)
                .unwrap_err()
                .to_string(),
            "invalid type at [3]: expected a borrowed string, found string \"3\""
        );
        let owned: BTreeMap<Cow<'_, str>, &str> = from_value(&value).unwrap();
        assert_eq!(owned, BTreeMap::from([(Cow::Borrowed("3"), "x")]));
    }

    #[test]
    fn deserialize_any_maps_every_kind() {
        use serde_json::{Value as Json, json};
        let object = Value::Object(Box::new(Object {
            class: Cow::Borrowed(b"stdClass"),
            properties: vec![(k("a"), Value::Int(1)), (k("\0*\0b"), Value::Bool(false))],
        }));
        let cases: Vec<(Value<'static>, Json)> = vec![
            (Value::Null, json!(null)),
            (Value::Bool(true), json!(true)),
            (Value::Int(-4), json!(-4)),
            (Value::Float(Float::new(2.5)), json!(2.5)),
            (s("x"), json!("x")),
            (arr(vec![]), json!([])),
            (Value::list([Value::Int(1), s("b")]), json!([1, "b"])),
            // Holey and string-keyed arrays are maps, as json_encode() has them.
            (
                arr(vec![
                    (Key::Int(0), Value::Int(1)),
                    (Key::Int(2), Value::Int(3)),
                ]),
                json!({"0": 1, "2": 3}),
            ),
            (
                arr(vec![
                    (Key::Int(1), Value::Int(1)),
                    (Key::Int(0), Value::Int(0)),
                ]),
                json!({"1": 1, "0": 0}),
            ),
            (
                arr(vec![(k("sizes"), arr(vec![(k("w"), Value::Int(9))]))]),
                json!({"sizes": {"w": 9}}),
            ),
            (object, json!({"a": 1, "b": false})),
        ];
        for (value, want) in cases {
            assert_eq!(from_value::<Json>(&value).unwrap(), want, "{value:?}");
        }

        let errors: Vec<(Value<'static>, &str)> = vec![
            (
                Value::Enum(Box::new(EnumCase {
                    class: Cow::Borrowed(b"Suit"),
                    case: Cow::Borrowed(b"Hearts"),
                })),
                "invalid type at the top level: expected any valid JSON value, found enum case Suit::Hearts",
            ),
            (
                Value::list([Value::Int(0), Value::Reference(1)]),
                "PHP references are not supported when deserializing into a typed value \
                 (found R:1; at [1])",
            ),
        ];
        for (value, want) in errors {
            assert_eq!(from_value::<Json>(&value).unwrap_err().to_string(), want);
        }
    }

    #[test]
    fn sequences() {
        // A holey list (array_filter) gives its values in stored order.
        let holey = arr(vec![
            (Key::Int(0), s("a")),
            (Key::Int(2), s("c")),
            (Key::Int(7), s("h")),
        ]);
        assert_eq!(from_value::<Vec<&str>>(&holey).unwrap(), ["a", "c", "h"]);
        // Keys out of order: still stored order.
        let shuffled = arr(vec![
            (Key::Int(1), Value::Int(1)),
            (Key::Int(0), Value::Int(0)),
        ]);
        assert_eq!(from_value::<Vec<i32>>(&shuffled).unwrap(), [1, 0]);

        let pair = Value::list([Value::Int(1), s("x")]);
        assert_eq!(
            from_value::<(u8, String)>(&pair).unwrap(),
            (1, "x".to_owned())
        );
        assert_eq!(
            err::<(u8, String, bool)>(&pair),
            "invalid length at the top level: expected a tuple of size 3, found 2 elements"
        );
        assert_eq!(
            err::<(u8,)>(&pair),
            "invalid length at the top level: expected a list of 1 element, found 2 elements"
        );
        // Errors inside name the PHP key, not the position.
        assert_eq!(
            err::<Vec<u8>>(&arr(vec![
                (Key::Int(0), Value::Int(1)),
                (Key::Int(5), Value::Int(300))
            ])),
            "integer 300 at [5] is out of range for u8"
        );
    }

    #[test]
    fn maps_and_keys() {
        let ints = arr(vec![(Key::Int(5), s("five")), (Key::Int(-1), s("minus"))]);
        assert_eq!(
            from_value::<BTreeMap<i64, String>>(&ints).unwrap(),
            BTreeMap::from([(5, "five".into()), (-1, "minus".into())])
        );
        // PHP normalized "5" to i:5; a String key gets the text back.
        assert_eq!(
            from_value::<BTreeMap<String, String>>(&ints).unwrap(),
            BTreeMap::from([("5".into(), "five".into()), ("-1".into(), "minus".into())])
        );
        assert_eq!(
            err::<HashMap<u32, String>>(&ints),
            "integer -1 at [-1] is out of range for u32"
        );
        assert_eq!(
            err::<HashMap<u32, String>>(&arr(vec![(k("05"), s("x"))])),
            "invalid type at 05: expected u32, found string key \"05\""
        );
        // Object property names that PHP never normalized still read as ints.
        let object = Value::Object(Box::new(Object {
            class: Cow::Borrowed(b"stdClass"),
            properties: vec![(k("7"), Value::Bool(true))],
        }));
        assert_eq!(
            from_value::<HashMap<u32, bool>>(&object).unwrap(),
            HashMap::from([(7, true)])
        );
        assert_eq!(
            err::<BTreeMap<String, u8>>(&arr(vec![(
                Key::Str(Cow::Borrowed(b"\xff")),
                Value::Int(1)
            )])),
            "string at \u{fffd} is not valid UTF-8 (invalid byte at offset 0)"
        );
        // Byte keys take non-UTF-8 names as they are.
        let value = arr(vec![(Key::Str(Cow::Borrowed(b"\xff")), Value::Int(1))]);
        let bytes: BTreeMap<&[u8], u8> = from_value(&value).unwrap();
        assert_eq!(bytes, BTreeMap::from([(&b"\xff"[..], 1)]));
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Customer {
        id: u64,
        email: String,
        #[serde(default)]
        note: Option<String>,
    }

    #[test]
    fn structs_from_arrays_and_objects() {
        let array = arr(vec![
            (k("email"), s("a@example.com")),
            (k("id"), Value::Int(3)),
            (k("unknown"), Value::Reference(1)),
            (
                k("other"),
                Value::Custom(Box::new(Custom {
                    class: Cow::Borrowed(b"X"),
                    payload: Cow::Borrowed(b""),
                })),
            ),
            (Key::Int(0), Value::ObjectRef(1)),
        ]);
        let want = Customer {
            id: 3,
            email: "a@example.com".into(),
            note: None,
        };
        assert_eq!(from_value::<Customer>(&array).unwrap(), want);

        // Public, protected and private properties, as PHP mangles them.
        let object = Value::Object(Box::new(Object {
            class: Cow::Borrowed(b"WC_Customer_Like"),
            properties: vec![
                (k("id"), Value::Int(3)),
                (k("\0*\0email"), s("a@example.com")),
                (k("\0WC_Customer_Like\0note"), s("vip")),
                (k("\0*\0data_store"), Value::ObjectRef(2)),
            ],
        }));
        assert_eq!(
            from_value::<Customer>(&object).unwrap(),
            Customer {
                note: Some("vip".into()),
                ..want
            }
        );

        assert_eq!(
            err::<Customer>(&arr(vec![(k("id"), Value::Int(1))])),
            "missing field \"email\" at the top level"
        );
        assert_eq!(
            err::<Customer>(&s("a")),
            "invalid type at the top level: expected struct Customer, found string \"a\""
        );
    }

    #[test]
    fn int_keys_match_digit_field_names_only() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Digits {
            #[serde(rename = "5")]
            five: bool,
            #[serde(default)]
            first: Option<bool>,
        }
        let value = arr(vec![
            (Key::Int(5), Value::Bool(true)),
            (Key::Int(0), Value::Bool(true)),
        ]);
        // i:0 must not select `five` (field index 0) or `first` by position.
        assert_eq!(
            from_value::<Digits>(&value).unwrap(),
            Digits {
                five: true,
                first: None
            }
        );
    }

    #[test]
    fn deny_unknown_fields_names_the_field() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            a: u8,
        }
        assert_eq!(
            err::<Strict>(&arr(vec![(k("a"), Value::Int(1)), (k("b"), Value::Int(2))])),
            "unknown field \"b\" at b, expected one of [\"a\"]"
        );
    }

    #[derive(Debug, PartialEq, Deserialize)]
    enum Status {
        Active,
        Paused(u32),
        Moved(String, u8),
        Renamed { from: String },
    }

    #[test]
    fn enums() {
        let ok: Vec<(Value<'static>, Status)> = vec![
            (s("Active"), Status::Active),
            (arr(vec![(k("Active"), Value::Null)]), Status::Active),
            (
                Value::Enum(Box::new(EnumCase {
                    class: Cow::Borrowed(b"App\\Status"),
                    case: Cow::Borrowed(b"Active"),
                })),
                Status::Active,
            ),
            (arr(vec![(k("Paused"), Value::Int(30))]), Status::Paused(30)),
            (
                arr(vec![(k("Moved"), Value::list([s("b"), Value::Int(2)]))]),
                Status::Moved("b".into(), 2),
            ),
            (
                arr(vec![(k("Renamed"), arr(vec![(k("from"), s("old"))]))]),
                Status::Renamed { from: "old".into() },
            ),
        ];
        for (value, want) in ok {
            assert_eq!(from_value::<Status>(&value).unwrap(), want);
        }

        let errors: Vec<(Value<'static>, &str)> = vec![
            (
                s("Gone"),
                "unknown variant \"Gone\" at the top level, expected one of \
                 [\"Active\", \"Paused\", \"Moved\", \"Renamed\"]",
            ),
            (
                s("Paused"),
                "invalid type at the top level: expected a newtype variant as {variant: value}, \
                 found a bare variant name",
            ),
            (
                arr(vec![(k("Paused"), Value::Int(-1))]),
                "integer -1 at Paused is out of range for u32",
            ),
            (
                arr(vec![(k("Active"), Value::Int(1))]),
                "invalid type at Active: expected a unit variant, found int 1",
            ),
            (
                arr(vec![
                    (k("Active"), Value::Null),
                    (k("Paused"), Value::Int(1)),
                ]),
                "invalid type at the top level: expected enum Status, found array of 2 entries",
            ),
            (
                Value::Enum(Box::new(EnumCase {
                    class: Cow::Borrowed(b"Status"),
                    case: Cow::Borrowed(b"Paused"),
                })),
                "invalid type at the top level: expected a newtype variant as {variant: value}, \
                 found a bare variant name",
            ),
            (
                arr(vec![(k("Renamed"), arr(vec![(k("from"), Value::Int(1))]))]),
                "invalid type at Renamed.from: expected a string, found int 1",
            ),
        ];
        for (value, want) in errors {
            assert_eq!(from_value::<Status>(&value).unwrap_err().to_string(), want);
        }
    }

    #[test]
    fn enum_map_keys() {
        #[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
        #[serde(rename_all = "lowercase")]
        enum Resource {
            Orders,
            Customers,
        }
        let value = arr(vec![
            (k("orders"), Value::Int(1)),
            (k("customers"), Value::Int(2)),
        ]);
        assert_eq!(
            from_value::<BTreeMap<Resource, u8>>(&value).unwrap(),
            BTreeMap::from([(Resource::Orders, 1), (Resource::Customers, 2)])
        );
    }

    #[test]
    fn error_paths_deep_inside() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Size {
            width: u32,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Meta {
            sizes: BTreeMap<String, Size>,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Line {
            name: String,
        }
        let meta = arr(vec![(
            k("sizes"),
            arr(vec![(k("thumbnail"), arr(vec![(k("width"), s("150"))]))]),
        )]);
        assert_eq!(
            err::<Meta>(&meta),
            "invalid type at sizes.thumbnail.width: expected u32, found string \"150\""
        );
        let lines = Value::list([
            arr(vec![(k("name"), s("ok"))]),
            arr(vec![(k("name"), s("ok"))]),
            arr(vec![(k("name"), s("ok"))]),
            arr(vec![(k("name"), raw(b"caf\xe9"))]),
        ]);
        let e = from_value::<Vec<Line>>(&lines).unwrap_err();
        assert_eq!(
            e.to_string(),
            "string at [3].name is not valid UTF-8 (invalid byte at offset 3)"
        );
        let path: Vec<_> = e.path().unwrap().segments().cloned().collect();
        assert_eq!(path, [Segment::Index(3), Segment::Key("name".into())]);
    }
}
