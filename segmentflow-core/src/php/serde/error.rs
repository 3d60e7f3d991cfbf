//! The error type of the PHP serde layer, and the key path it carries.
//!
//! Every error says where in the value it happened, as a key path such as
//! `sizes.thumbnail.width` or `[3].name`: string keys are joined with dots,
//! integer keys and list positions are written in brackets. Errors are built
//! at the innermost level with an empty path; each enclosing array, object or
//! sequence adds its key on the way out.

use std::fmt;

use ::serde::de::{self, Expected, Unexpected};
use ::serde::ser;

use crate::php::Key;

/// One step of a [`KeyPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A string key or a struct field name (lossily decoded if not UTF-8).
    Key(String),
    /// An integer key or a list position.
    Index(i64),
}

impl From<&Key<'_>> for Segment {
    fn from(key: &Key<'_>) -> Self {
        match key {
            Key::Int(n) => Segment::Index(*n),
            Key::Str(bytes) => Segment::Key(String::from_utf8_lossy(bytes).into_owned()),
        }
    }
}

/// Where in a value an error happened, outermost key first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath {
    /// The segments, innermost first (errors grow outwards).
    reversed: Vec<Segment>,
}

impl KeyPath {
    /// The segments, outermost first.
    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.reversed.iter().rev()
    }

    /// Whether this is the top-level value.
    pub fn is_root(&self) -> bool {
        self.reversed.is_empty()
    }

    /// Adds an enclosing segment.
    pub(crate) fn push_outer(&mut self, segment: Segment) {
        self.reversed.push(segment);
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str("the top level");
        }
        for (i, segment) in self.segments().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// An error converting between Rust values and PHP [`Value`](crate::php::Value)s.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SerdeError {
    /// The PHP value has the wrong kind for the Rust type.
    #[error("invalid type at {path}: expected {expected}, found {found}")]
    InvalidType {
        /// Where.
        path: KeyPath,
        /// What the Rust type wanted.
        expected: String,
        /// What the PHP value was.
        found: String,
    },
    /// The PHP value has the right kind but a value the Rust type rejects.
    #[error("invalid value at {path}: expected {expected}, found {found}")]
    InvalidValue {
        /// Where.
        path: KeyPath,
        /// What the Rust type wanted.
        expected: String,
        /// What the PHP value was.
        found: String,
    },
    /// A list or array has the wrong number of elements.
    #[error("invalid length at {path}: expected {expected}, found {len} element{}", if *len == 1 { "" } else { "s" })]
    InvalidLength {
        /// Where.
        path: KeyPath,
        /// What the Rust type wanted.
        expected: String,
        /// How many elements there were.
        len: usize,
    },
    /// An integer does not fit the Rust integer type, or a Rust integer does
    /// not fit PHP's 64-bit signed integer.
    #[error("integer {value} at {path} is out of range for {target}")]
    OutOfRange {
        /// Where.
        path: KeyPath,
        /// The integer, in decimal.
        value: String,
        /// The type it should have fitted (`u8`, `PHP int`, …).
        target: &'static str,
    },
    /// A PHP string is not valid UTF-8 but a Rust `String`/`&str`/`char` was
    /// asked for (read it as bytes instead).
    #[error("string at {path} is not valid UTF-8 (invalid byte at offset {valid_up_to})")]
    NotUtf8 {
        /// Where.
        path: KeyPath,
        /// The length of the valid UTF-8 prefix.
        valid_up_to: usize,
    },
    /// An `r:`/`R:` back-reference was met where a typed value was expected.
    #[error(
        "PHP references are not supported when deserializing into a typed value \
         (found {token} at {path})"
    )]
    Reference {
        /// Where.
        path: KeyPath,
        /// The token, e.g. `R:3;`.
        token: String,
    },
    /// An enum variant name the Rust enum does not have.
    #[error("unknown variant {variant:?} at {path}, expected one of {expected:?}")]
    UnknownVariant {
        /// Where.
        path: KeyPath,
        /// The variant name found.
        variant: String,
        /// The variants the enum has.
        expected: &'static [&'static str],
    },
    /// A field the struct forbids (`#[serde(deny_unknown_fields)]`).
    #[error("unknown field {field:?} at {path}, expected one of {expected:?}")]
    UnknownField {
        /// Where (the struct).
        path: KeyPath,
        /// The field name found.
        field: String,
        /// The fields the struct has.
        expected: &'static [&'static str],
    },
    /// A required struct field is absent.
    #[error("missing field {field:?} at {path}")]
    MissingField {
        /// Where (the struct).
        path: KeyPath,
        /// The field name.
        field: &'static str,
    },
    /// A struct field given twice (an object with a public and a private
    /// property of the same name, for example).
    #[error("duplicate field {field:?} at {path}")]
    DuplicateField {
        /// Where (the struct).
        path: KeyPath,
        /// The field name.
        field: &'static str,
    },
    /// A Rust map key that PHP cannot use as an array key (PHP keys are
    /// integers and strings only).
    #[error("unsupported array key at {path}: {found} (PHP array keys are integers or strings)")]
    UnsupportedKey {
        /// Where (the map).
        path: KeyPath,
        /// What the key was.
        found: &'static str,
    },
    /// A message from a `Serialize` or `Deserialize` implementation.
    #[error("{message} (at {path})")]
    Custom {
        /// Where.
        path: KeyPath,
        /// The message.
        message: String,
    },
    /// The input bytes are not valid PHP serialization (`from_bytes`).
    #[error("invalid PHP serialization at byte {offset}: {message}")]
    Decode {
        /// The byte offset the decoder stopped at.
        offset: usize,
        /// The decoder's message.
        message: String,
    },
}

impl SerdeError {
    /// Where the error happened, if it happened inside a value.
    pub fn path(&self) -> Option<&KeyPath> {
        match self {
            SerdeError::InvalidType { path, .. }
            | SerdeError::InvalidValue { path, .. }
            | SerdeError::InvalidLength { path, .. }
            | SerdeError::OutOfRange { path, .. }
            | SerdeError::NotUtf8 { path, .. }
            | SerdeError::Reference { path, .. }
            | SerdeError::UnknownVariant { path, .. }
            | SerdeError::UnknownField { path, .. }
            | SerdeError::MissingField { path, .. }
            | SerdeError::DuplicateField { path, .. }
            | SerdeError::UnsupportedKey { path, .. }
            | SerdeError::Custom { path, .. } => Some(path),
            SerdeError::Decode { .. } => None,
        }
    }

    fn path_mut(&mut self) -> Option<&mut KeyPath> {
        match self {
            SerdeError::InvalidType { path, .. }
            | SerdeError::InvalidValue { path, .. }
            | SerdeError::InvalidLength { path, .. }
            | SerdeError::OutOfRange { path, .. }
            | SerdeError::NotUtf8 { path, .. }
            | SerdeError::Reference { path, .. }
            | SerdeError::UnknownVariant { path, .. }
            | SerdeError::UnknownField { path, .. }
            | SerdeError::MissingField { path, .. }
            | SerdeError::DuplicateField { path, .. }
            | SerdeError::UnsupportedKey { path, .. }
            | SerdeError::Custom { path, .. } => Some(path),
            SerdeError::Decode { .. } => None,
        }
    }

    /// The same error, one level further out: `segment` is the key of the
    /// array entry or the position in the list the error happened in.
    pub(crate) fn within(mut self, segment: Segment) -> Self {
        if let Some(path) = self.path_mut() {
            path.push_outer(segment);
        }
        self
    }

    pub(crate) fn out_of_range(value: impl fmt::Display, target: &'static str) -> Self {
        SerdeError::OutOfRange {
            path: KeyPath::default(),
            value: value.to_string(),
            target,
        }
    }

    pub(crate) fn not_utf8(err: std::str::Utf8Error) -> Self {
        SerdeError::NotUtf8 {
            path: KeyPath::default(),
            valid_up_to: err.valid_up_to(),
        }
    }

    pub(crate) fn reference(token: String) -> Self {
        SerdeError::Reference {
            path: KeyPath::default(),
            token,
        }
    }

    pub(crate) fn invalid_type_found(found: String, expected: &dyn Expected) -> Self {
        SerdeError::InvalidType {
            path: KeyPath::default(),
            expected: expected.to_string(),
            found,
        }
    }

    pub(crate) fn unsupported_key(found: &'static str) -> Self {
        SerdeError::UnsupportedKey {
            path: KeyPath::default(),
            found,
        }
    }
}

/// Describes a value the way serde reports it, in PHP's words where they differ.
fn describe(unexp: &Unexpected<'_>) -> String {
    match *unexp {
        Unexpected::Unit => "null (N;)".to_owned(),
        Unexpected::Bool(b) => format!("bool {b}"),
        Unexpected::Unsigned(n) => format!("int {n}"),
        Unexpected::Signed(n) => format!("int {n}"),
        Unexpected::Float(x) => format!("float {x}"),
        Unexpected::Str(s) => format!("string {:?}", truncate(s)),
        Unexpected::Bytes(b) => format!("string {:?}", truncate(&String::from_utf8_lossy(b))),
        Unexpected::Map => "array".to_owned(),
        Unexpected::Seq => "list".to_owned(),
        ref other => other.to_string(),
    }
}

/// The first 40 characters of `s`, with an ellipsis if cut.
pub(crate) fn truncate(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

impl de::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerdeError::Custom {
            path: KeyPath::default(),
            message: msg.to_string(),
        }
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        SerdeError::invalid_type_found(describe(&unexp), exp)
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        SerdeError::InvalidValue {
            path: KeyPath::default(),
            expected: exp.to_string(),
            found: describe(&unexp),
        }
    }

    fn invalid_length(len: usize, exp: &dyn Expected) -> Self {
        SerdeError::InvalidLength {
            path: KeyPath::default(),
            expected: exp.to_string(),
            len,
        }
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        SerdeError::UnknownVariant {
            path: KeyPath::default(),
            variant: variant.to_owned(),
            expected,
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        SerdeError::UnknownField {
            path: KeyPath::default(),
            field: field.to_owned(),
            expected,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        SerdeError::MissingField {
            path: KeyPath::default(),
            field,
        }
    }

    fn duplicate_field(field: &'static str) -> Self {
        SerdeError::DuplicateField {
            path: KeyPath::default(),
            field,
        }
    }
}

impl ser::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        <SerdeError as de::Error>::custom(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(segments: &[Segment]) -> KeyPath {
        let mut p = KeyPath::default();
        for s in segments.iter().rev() {
            p.push_outer(s.clone());
        }
        p
    }

    #[test]
    fn key_path_display() {
        let k = |s: &str| Segment::Key(s.to_owned());
        let cases: &[(&[Segment], &str)] = &[
            (&[], "the top level"),
            (
                &[k("sizes"), k("thumbnail"), k("width")],
                "sizes.thumbnail.width",
            ),
            (&[Segment::Index(3), k("name")], "[3].name"),
            (&[k("a"), Segment::Index(-1), Segment::Index(0)], "a[-1][0]"),
        ];
        for (segments, want) in cases {
            assert_eq!(path(segments).to_string(), *want);
        }
    }

    #[test]
    fn within_builds_the_path_outwards() {
        let err = SerdeError::out_of_range(300, "u8")
            .within(Segment::Key("width".into()))
            .within(Segment::Index(2))
            .within(Segment::Key("sizes".into()));
        assert_eq!(
            err.to_string(),
            "integer 300 at sizes[2].width is out of range for u8"
        );
        let decode = SerdeError::Decode {
            offset: 4,
            message: "bad".into(),
        }
        .within(Segment::Index(1));
        assert_eq!(decode.path(), None);
    }

    #[test]
    fn truncate_long_strings() {
        assert_eq!(truncate("short"), "short");
        let long = "é".repeat(50);
        assert_eq!(truncate(&long), format!("{}…", "é".repeat(40)));
    }
}
