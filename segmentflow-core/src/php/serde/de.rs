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
        Value::Array(a) if is_list(a) => format!("list array of {} entries", a.len()),
        Value::Array(a) => format!("array of {} entries", a.len()),
        Value::Object(o) => format!("object of class {}", text(&o.class)),
        Value::Custom(c) => format!("Serializable object (C:) of class {}", text(&c.class)),
        Value::Enum(e) => format!("enum case {}::{}", text(&e.class), text(&e.case)),
        Value::ObjectRef(n) => format!("object reference r:{n};"),
        Value::Reference(n) => format!("reference R:{n};"),
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
            let expected = format!("{} elements", self.taken);
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
