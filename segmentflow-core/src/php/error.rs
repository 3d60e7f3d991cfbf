//! The error `decode` returns: what was wrong and at which byte.
//!
//! Every malformed input maps to one [`DecodeErrorKind`] and the byte offset
//! where the decoder noticed it (for a truncated input, the input length), so a
//! caller can report "row 42: expected `;` at byte 117" instead of PHP's bare
//! `false`.

use std::fmt;

/// A PHP serialization that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte offset {offset}")]
pub struct DecodeError {
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// The byte offset in the input where it was noticed.
    pub offset: usize,
}

impl DecodeError {
    pub(crate) fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        DecodeError { kind, offset }
    }
}

/// What the decoder was looking for when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// The start of a value: one of `N b i d s S a O C E r R`.
    Value,
    /// An array key or property name: `i:` or `s:` (or `S:`).
    Key,
    /// A decimal digit.
    Digit,
    /// `0` or `1` after `b:`.
    BoolDigit,
    /// A float: decimal, exponent form, `INF`, `-INF` or `NAN`.
    Float,
    /// The byte `:`.
    Colon,
    /// The byte `;`.
    Semicolon,
    /// The byte `"`.
    Quote,
    /// The byte `{`.
    OpenBrace,
    /// The byte `}`.
    CloseBrace,
    /// Nothing: the value should have ended the input.
    EndOfInput,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::Value => "a value (one of N b i d s S a O C E r R)",
            Expected::Key => "an array key (i: or s:)",
            Expected::Digit => "a digit",
            Expected::BoolDigit => "`0` or `1`",
            Expected::Float => "a float",
            Expected::Colon => "`:`",
            Expected::Semicolon => "`;`",
            Expected::Quote => "`\"`",
            Expected::OpenBrace => "`{`",
            Expected::CloseBrace => "`}`",
            Expected::EndOfInput => "the end of the input",
        })
    }
}

/// The kinds of [`DecodeError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended where more was needed (truncated data).
    #[error("unexpected end of input, expected {expected}")]
    UnexpectedEnd {
        /// What should have come next.
        expected: Expected,
    },
    /// A byte other than the one the grammar allows here.
    #[error("expected {expected}, found byte 0x{found:02x}")]
    Unexpected {
        /// What should have come next.
        expected: Expected,
        /// The byte found instead.
        found: u8,
    },
    /// A string, class name or `C:` payload length larger than the bytes
    /// left in the input (a lying length, or a truncated value).
    #[error("declared length {declared} exceeds the {available} bytes left")]
    LengthExceedsInput {
        /// The declared length (saturated at `u64::MAX`).
        declared: u64,
        /// The bytes left after the opening quote or brace.
        available: usize,
    },
    /// An `i:` value outside the 64-bit range. PHP clamps it with a warning;
    /// this decoder refuses, because the clamped value would silently differ.
    #[error("integer out of the 64-bit range")]
    IntOverflow,
    /// An array key that is not `i:` or `s:` (PHP allows no other key type).
    #[error("invalid array key type 0x{found:02x}, only int and string keys exist")]
    InvalidKey {
        /// The type byte found where a key was expected.
        found: u8,
    },
    /// A class name PHP would refuse: empty, starting with `\`, or holding a
    /// byte outside `[A-Za-z0-9_\\]` and `0x80..=0xff`.
    #[error("invalid class name")]
    InvalidClassName,
    /// An `E:` value without the `:` between the enum and the case name.
    #[error("invalid enum value, expected `Enum:Case`")]
    InvalidEnum,
    /// A bad `\xx` escape in an `S:` string.
    #[error("invalid escape in an S: string")]
    InvalidEscape,
    /// `r:`/`R:` pointing at a value slot that does not exist (yet).
    #[error("reference to value slot {slot}, but only slots 1..={available} exist")]
    InvalidReference {
        /// The slot named by the reference.
        slot: u64,
        /// How many slots precede the reference.
        available: u64,
    },
    /// `r:` pointing at a slot that holds no object (PHP accepts `r:` only for
    /// objects).
    #[error("r:{slot} does not point to an object")]
    NotAnObject {
        /// The slot named by the reference.
        slot: u64,
    },
    /// Arrays and objects nested deeper than the configured limit (PHP's
    /// `unserialize_max_depth`, 4096 by default).
    #[error("nesting deeper than the limit of {limit}")]
    DepthLimitExceeded {
        /// The configured limit.
        limit: usize,
    },
    /// Bytes after a complete value, in strict [`decode`](super::decode).
    #[error("trailing bytes after the value")]
    TrailingBytes,
}
