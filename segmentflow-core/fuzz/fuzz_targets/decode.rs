//! Fuzz target: no input makes the PHP decoder (or the WordPress helpers and
//! the JSON mapping on top of it) panic, overflow the stack or allocate
//! without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use segmentflow_core::php::{self, wordpress};

fuzz_target!(|data: &[u8]| {
    let strict = php::decode(data);
    match php::decode_prefix(data) {
        Ok((value, used)) => {
            assert!(used <= data.len());
            // Strict decoding agrees with the prefix decoder.
            assert_eq!(strict.is_ok(), used == data.len());
            let _ = php::encode(&value);
            let _ = php::json::to_json(&value, &php::json::JsonOptions::default());
        }
        Err(e) => {
            assert!(strict.is_err());
            assert!(e.offset <= data.len());
        }
    }
    let _ = wordpress::is_serialized(data, false);
    let _ = wordpress::maybe_unserialize(data);
});
