//! PHP serialization, as WordPress stores options and meta.
//!
//! The core owns its codec. `serde_php`, the first candidate, fails on real
//! PHP 8 output (objects, references, enums, `INF`/`NAN`, exponent floats,
//! non-sequential keys) and aborts on deep nesting; the other crates on
//! crates.io have similar gaps (see `shared/reference/rust-stack.md`).

pub mod float;
pub mod serde;
mod value;

pub use self::serde::{SerdeError, from_bytes, from_value, to_bytes, to_value};
pub use value::{Custom, EnumCase, Float, Key, Object, PropertyName, Value};

/// Decodes one serialized PHP value. (Placeholder until the codec lands.)
pub fn decode(_input: &[u8]) -> Result<Value<'_>, ()> {
    Err(())
}

/// Encodes a value as PHP's `serialize()` would. (Placeholder until the codec lands.)
pub fn encode(_value: &Value<'_>) -> Vec<u8> {
    Vec::new()
}
