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
//! | `Option<T>` | `None` ⇒ `N;`, `Some(x)` ⇒ `x` | |
//! | `()`, unit struct | `N;` | |
//! | newtype struct | the inner value | |
//! | `Vec`, slices, sets, tuples, tuple structs | a list `a:n:{i:0;…i:1;…}` | any array with only int keys, values taken in stored order (holey lists from `array_filter()`); string keys are an error |
//! | struct | an array with the field names as keys, in field order | an `O:` object too, property names without their `\0*\0` / `\0Class\0` visibility prefix; unknown keys are skipped |
//! | maps | an array; integer keys ⇒ `i:` keys, string keys ⇒ `s:` keys except that a canonical decimal integer string becomes an `i:` key as in PHP (`"5"` ⇒ `i:5;`, `"05"` stays a string) | int keys into `String` keys as their decimal text (`i:5;` ⇒ `"5"`); an `O:` object too |
//! | enum unit variant | the variant name as `s:` | a PHP 8.1 `E:` case with that case name (the class is not checked); `{variant: N;}` |
//! | enum newtype/tuple/struct variant | a one-entry array `{variant: payload}` (serde_json's external tagging) | |
//!
//! A struct field or variant named with digits (`#[serde(rename = "5")]`)
//! is written as the int key PHP would use and matches an `i:5;` key when
//! read; an int key never selects a field by position.
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
//! `sizes.thumbnail.width` or `[3].name` (string keys dotted, int keys and
//! list positions bracketed), and what was expected and found.
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
    let value = super::decode(input)
        // MERGE: once `decode` returns `Result<Value, DecodeError>`, replace
        // this closure with
        // `|e| SerdeError::Decode { offset: e.offset(), message: e.to_string() }`.
        .map_err(|()| SerdeError::Decode {
            offset: 0,
            message: "the PHP decoder is not available yet".to_owned(),
        })?;
    from_value(&value)
}

/// Serializes `value` and encodes it as PHP's `serialize()` would.
pub fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, SerdeError> {
    Ok(super::encode(&to_value(value)?))
}

#[cfg(test)]
mod tests {}
