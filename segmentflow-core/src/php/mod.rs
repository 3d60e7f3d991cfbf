//! PHP serialization, as WordPress stores options and meta.
//!
//! The core owns its codec. `serde_php`, the first candidate, fails on real
//! PHP 8 output: it rejects objects (`O:`), `Serializable` payloads (`C:`),
//! enums (`E:`), references (`r:`/`R:`), `INF`/`NAN`, exponent floats
//! (`1.0E+25`) and negative, out-of-order or holey array keys, and it aborts
//! the process (stack overflow) on deep nesting; the other crates on
//! crates.io have similar gaps — no depth limit, silent "repair" of wrong
//! lengths, references turned into integers (measured in
//! `shared/reference/rust-stack.md`). WordPress data holds all of these, and a
//! value must re-encode byte for byte when we write an option back, so the
//! codec lives here:
//!
//! * [`decode`] / [`decode_prefix`] / [`DecodeOptions`] — the decoder
//!   (zero-copy, explicit stack, PHP's depth limit, typed errors with offsets);
//! * [`encode`] / [`encode_into`] — the encoder (`encode(decode(x)) == x` for
//!   anything PHP wrote);
//! * [`wordpress`] — `is_serialized`, `maybe_serialize`, `maybe_unserialize`
//!   and the exact `option_value` bytes `update_option` stores;
//! * [`json`] — the documented PHP ⇄ JSON mapping;
//! * [`float`] — PHP's text for floats.
//!
//! Decoding never recurses (nesting lives on a heap stack, capped by PHP's
//! `unserialize_max_depth` of 4096). Encoding and dropping a [`Value`] do
//! recurse, once per level; both are tested at 4096 levels on a 2 MiB
//! thread stack in a debug build. The derived `Clone` and
//! [`Value::into_owned`] use bigger frames (measured: 1000 levels fit in a
//! 2 MiB debug stack, 2000 do not); clone values that deep on a bigger stack.
//!
//! ```
//! use segmentflow_core::php::{self, Value};
//! let raw = br#"O:8:"stdClass":2:{s:4:"name";s:3:"Ann";s:5:"score";d:1.0E+25;}"#;
//! let v = php::decode(raw)?;
//! assert_eq!(v.get("name").and_then(Value::as_str), Some("Ann"));
//! assert_eq!(php::encode(&v), raw.to_vec());
//! # Ok::<(), php::DecodeError>(())
//! ```

mod decode;
mod encode;
mod error;
pub mod float;
pub mod json;
pub mod serde;
mod value;
pub mod wordpress;

pub use self::serde::{SerdeError, from_bytes, from_value, to_bytes, to_value};
pub use decode::{DEFAULT_MAX_DEPTH, DecodeOptions, decode, decode_prefix};
pub use encode::{encode, encode_into};
pub use error::{DecodeError, DecodeErrorKind, Expected};
pub use value::{Custom, EnumCase, Float, Key, Object, PropertyName, Value};
