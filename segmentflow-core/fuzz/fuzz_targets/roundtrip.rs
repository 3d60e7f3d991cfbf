//! Fuzz target: whatever decodes re-encodes to bytes that decode to the same
//! value, and re-encodes byte for byte unless the input used a form PHP
//! reads but never writes.
//!
//! Those forms are `i:+5;`, `i:007;`, `i:-0;`, leading zeros in lengths and
//! counts (`s:05:"hello";`), a `+` before an object's property count, and
//! `S:` strings (written back as `s:`, with `\xx` escapes decoded). Every
//! one of them but `S:` → `s:` makes the text strictly shorter, so the
//! target asserts: the encoding is never longer than the input, and when it
//! has the same length it differs from the input only where an `S` became an
//! `s`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use segmentflow_core::php;

fuzz_target!(|data: &[u8]| {
    let Ok((value, used)) = php::decode_prefix(data) else {
        return;
    };
    let input = &data[..used];
    let bytes = php::encode(&value);
    let again = php::decode(&bytes).expect("the encoder's output decodes");
    assert_eq!(again, value, "decode(encode(v)) == v");
    assert_eq!(php::encode(&again), bytes, "encoding is stable");
    assert!(bytes.len() <= input.len(), "normalizing never lengthens");
    if bytes.len() == input.len() {
        for (i, (a, b)) in input.iter().zip(&bytes).enumerate() {
            assert!(a == b || (*a == b'S' && *b == b's'), "byte {i} differs");
        }
    }
});
