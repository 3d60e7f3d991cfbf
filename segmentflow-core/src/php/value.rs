//! The dynamic PHP value that `serialize()` writes and `unserialize()` reads.
//!
//! Strings are bytes, never assumed to be UTF-8 (PHP strings are byte
//! strings, and WordPress databases hold latin1 and double-encoded text).
//! Arrays keep their key order and their int/string keys exactly as PHP
//! wrote them. Objects keep their class name and their property names as
//! written, including the NUL-mangled names of private and protected
//! properties. `r:`/`R:` back-references stay references: the codec never
//! resolves them, so re-encoding gives back the same bytes.
//!
//! A decoded value borrows its strings from the input where it can
//! (`Value<'a>`); [`Value::into_owned`] detaches it.

use std::borrow::Cow;

/// A PHP value, as `serialize()` writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// `N;`
    Null,
    /// `b:0;` / `b:1;`
    Bool(bool),
    /// `i:<n>;` — a 64-bit PHP integer.
    Int(i64),
    /// `d:<repr>;` — a PHP float.
    Float(Float),
    /// `s:<len>:"<bytes>";` — a byte string.
    Str(Cow<'a, [u8]>),
    /// `a:<n>:{…}` — an ordered array with int and string keys.
    Array(Vec<(Key<'a>, Value<'a>)>),
    /// `O:<len>:"<class>":<n>:{…}` — an object with its properties (boxed,
    /// like the other rare variants, to keep `Value` small: see
    /// [`Value::object`]).
    Object(Box<Object<'a>>),
    /// `C:<len>:"<class>":<len>:{<payload>}` — a `Serializable` object whose
    /// payload is opaque, class-specific bytes.
    Custom(Box<Custom<'a>>),
    /// `E:<len>:"<Enum>:<Case>";` — a PHP 8.1 enum case.
    Enum(Box<EnumCase<'a>>),
    /// `r:<n>;` — the same object as value slot `n` (an object handle).
    ObjectRef(u64),
    /// `R:<n>;` — a PHP reference (`&$x`) to value slot `n`.
    Reference(u64),
}

/// An array key or object property name: PHP allows only ints and strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key<'a> {
    /// `i:<n>;`
    Int(i64),
    /// `s:<len>:"<bytes>";`
    Str(Cow<'a, [u8]>),
}

/// A PHP float together with the exact text it was read from, when that
/// text is not what PHP 8 (`serialize_precision = -1`) would print for the
/// same number — for example the 17-digit forms written by PHP before 7.1.
/// Keeping the text makes `encode(decode(x)) == x` hold for old data too.
#[derive(Debug, Clone)]
pub struct Float {
    value: f64,
    /// Behind a thin pointer, so a `Float` is 16 bytes (rare: only
    /// non-canonical text is kept).
    text: Option<Box<FloatText>>,
}

/// The kept text of a non-canonical float (boxed once more in [`Float`] so
/// the pointer there is thin).
#[derive(Debug, Clone)]
struct FloatText(Box<[u8]>);

/// An object: its class name and its properties in order.
///
/// Property names are kept as written: public `name`, protected
/// `"\0*\0name"`, private `"\0Class\0name"` (see [`PropertyName`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Object<'a> {
    /// The class name (bytes, e.g. `stdClass`, `WC_Meta_Data`).
    pub class: Cow<'a, [u8]>,
    /// The properties in serialized order.
    pub properties: Vec<(Key<'a>, Value<'a>)>,
}

/// A `C:` value: a class implementing the legacy `Serializable` interface.
#[derive(Debug, Clone, PartialEq)]
pub struct Custom<'a> {
    /// The class name.
    pub class: Cow<'a, [u8]>,
    /// The payload between the braces, uninterpreted.
    pub payload: Cow<'a, [u8]>,
}

/// An `E:` value: one case of a PHP 8.1 enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumCase<'a> {
    /// The enum's class name, e.g. `Suit` or `App\Status`.
    pub class: Cow<'a, [u8]>,
    /// The case name, e.g. `Hearts`.
    pub case: Cow<'a, [u8]>,
}

/// How a serialized object property name is mangled, by visibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyName<'k> {
    /// A public property: the name as is.
    Public(&'k [u8]),
    /// `"\0*\0name"`: a protected property.
    Protected(&'k [u8]),
    /// `"\0Class\0name"`: a private property declared by `class`.
    Private {
        /// The declaring class.
        class: &'k [u8],
        /// The property name.
        name: &'k [u8],
    },
}

impl<'k> PropertyName<'k> {
    /// Splits a serialized property name into its visibility and name.
    /// A name that starts with NUL but has no second NUL is returned as
    /// public, unchanged (PHP itself would reject it on unserialize).
    pub fn parse(raw: &'k [u8]) -> Self {
        if let Some(rest) = raw.strip_prefix(b"\0")
            && let Some(pos) = rest.iter().position(|&b| b == 0)
        {
            let (class, name) = (&rest[..pos], &rest[pos + 1..]);
            return if class == b"*" {
                PropertyName::Protected(name)
            } else {
                PropertyName::Private { class, name }
            };
        }
        PropertyName::Public(raw)
    }

    /// The property name without its visibility mangling.
    pub fn name(&self) -> &'k [u8] {
        match *self {
            PropertyName::Public(n) | PropertyName::Protected(n) => n,
            PropertyName::Private { name, .. } => name,
        }
    }
}

impl Float {
    /// A float that encodes the way PHP 8 prints it.
    pub fn new(value: f64) -> Self {
        Float { value, text: None }
    }

    /// A float read from `text`, which PHP 8 would not have printed that way.
    /// The text is kept so the value re-encodes byte for byte.
    pub fn with_text(value: f64, text: impl Into<Box<[u8]>>) -> Self {
        Float {
            value,
            text: Some(Box::new(FloatText(text.into()))),
        }
    }

    /// The number.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The original text, when it differs from PHP 8's canonical form.
    pub fn text(&self) -> Option<&[u8]> {
        self.text.as_deref().map(|t| &*t.0)
    }
}

impl PartialEq for Float {
    /// Two floats are equal when they are the same IEEE value bit for bit
    /// (so `NAN == NAN` and `0.0 != -0.0`, as `serialize()` tells them apart).
    fn eq(&self, other: &Self) -> bool {
        self.value.to_bits() == other.value.to_bits()
            || (self.value.is_nan() && other.value.is_nan())
    }
}

impl From<f64> for Float {
    fn from(value: f64) -> Self {
        Float::new(value)
    }
}

impl<'a> Key<'a> {
    /// Detaches the key from the input it borrows from.
    pub fn into_owned(self) -> Key<'static> {
        match self {
            Key::Int(i) => Key::Int(i),
            Key::Str(s) => Key::Str(Cow::Owned(s.into_owned())),
        }
    }

    /// The key as a string key's bytes, or `None` for an int key.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Key::Str(s) => Some(s),
            Key::Int(_) => None,
        }
    }

    /// Whether this key is the string `name` (or, for digits, the int PHP
    /// would have normalized it to).
    pub fn matches(&self, name: &str) -> bool {
        match self {
            Key::Str(s) => s.as_ref() == name.as_bytes(),
            Key::Int(i) => name.parse::<i64>().ok() == Some(*i) && i.to_string() == name,
        }
    }
}

impl From<i64> for Key<'static> {
    fn from(i: i64) -> Self {
        Key::Int(i)
    }
}

impl<'a> From<&'a str> for Key<'a> {
    fn from(s: &'a str) -> Self {
        Key::Str(Cow::Borrowed(s.as_bytes()))
    }
}

impl<'a> Value<'a> {
    /// A string value from UTF-8 text.
    pub fn string(s: impl Into<String>) -> Value<'static> {
        Value::Str(Cow::Owned(s.into().into_bytes()))
    }

    /// A PHP list (`a:n:{i:0;…i:1;…}`) of the given values.
    pub fn list(items: impl IntoIterator<Item = Value<'a>>) -> Value<'a> {
        Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Key::Int(i as i64), v))
                .collect(),
        )
    }

    /// An `O:` object of class `class` with these properties.
    pub fn object(
        class: impl Into<Cow<'a, [u8]>>,
        properties: Vec<(Key<'a>, Value<'a>)>,
    ) -> Value<'a> {
        Value::Object(Box::new(Object {
            class: class.into(),
            properties,
        }))
    }

    /// A `C:` value: a `Serializable` object of class `class` with its
    /// opaque payload.
    pub fn custom(class: impl Into<Cow<'a, [u8]>>, payload: impl Into<Cow<'a, [u8]>>) -> Value<'a> {
        Value::Custom(Box::new(Custom {
            class: class.into(),
            payload: payload.into(),
        }))
    }

    /// An `E:` value: case `case` of enum `class`.
    pub fn enum_case(class: impl Into<Cow<'a, [u8]>>, case: impl Into<Cow<'a, [u8]>>) -> Value<'a> {
        Value::Enum(Box::new(EnumCase {
            class: class.into(),
            case: case.into(),
        }))
    }

    /// Detaches the value from the input it borrows from.
    pub fn into_owned(self) -> Value<'static> {
        fn pairs(p: Vec<(Key<'_>, Value<'_>)>) -> Vec<(Key<'static>, Value<'static>)> {
            p.into_iter()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        }
        fn owned(c: Cow<'_, [u8]>) -> Cow<'static, [u8]> {
            Cow::Owned(c.into_owned())
        }
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Float(f) => Value::Float(f),
            Value::Str(s) => Value::Str(owned(s)),
            Value::Array(a) => Value::Array(pairs(a)),
            Value::Object(o) => {
                let Object { class, properties } = *o;
                Value::object(owned(class), pairs(properties))
            }
            Value::Custom(c) => {
                let Custom { class, payload } = *c;
                Value::custom(owned(class), owned(payload))
            }
            Value::Enum(e) => {
                let EnumCase { class, case } = *e;
                Value::enum_case(owned(class), owned(case))
            }
            Value::ObjectRef(n) => Value::ObjectRef(n),
            Value::Reference(n) => Value::Reference(n),
        }
    }

    /// The entries of an array or the properties of an object.
    pub fn entries(&self) -> Option<&[(Key<'a>, Value<'a>)]> {
        match self {
            Value::Array(a) => Some(a),
            Value::Object(o) => Some(&o.properties),
            _ => None,
        }
    }

    /// Looks up an array entry (or public object property) by string key,
    /// treating an int key as the decimal string PHP normalized it from.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.entries()?
            .iter()
            .find(|(k, _)| k.matches(key))
            .map(|(_, v)| v)
    }

    /// Looks up an array entry by int key.
    pub fn get_index(&self, index: i64) -> Option<&Value<'a>> {
        self.entries()?
            .iter()
            .find(|(k, _)| *k == Key::Int(index))
            .map(|(_, v)| v)
    }

    /// The boolean, for `b:`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, for `i:`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The number, for `d:`.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(f.value()),
            _ => None,
        }
    }

    /// The bytes, for `s:`.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The text, for an `s:` whose bytes are valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        self.as_bytes().and_then(|b| std::str::from_utf8(b).ok())
    }

    /// Whether this is `N;`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decoding writes one `(Key, Value)` per array element, so their size is
    /// most of `php::decode`'s time on big inputs (see
    /// `bench/results/php-decode.md`); this keeps them from growing back.
    #[test]
    fn value_and_key_stay_small() {
        let sizes = [
            ("Value", size_of::<Value<'_>>(), 32),
            ("Key", size_of::<Key<'_>>(), 24),
            ("Float", size_of::<Float>(), 16),
            ("(Key, Value)", size_of::<(Key<'_>, Value<'_>)>(), 56),
        ];
        for (name, size, max) in sizes {
            assert!(size <= max, "{name} is {size} bytes, more than {max}");
        }
    }
}
