//! Malformed PHP serializations: each case is the input, the error kind the
//! decoder must report and the byte offset it must name. Every input here is
//! also refused by PHP 8.2's `unserialize()`, except where the comment says
//! PHP accepts it (trailing bytes, integer overflow), which are the decoder's
//! documented strict choices.

use segmentflow_core::php::{self, DecodeErrorKind as K, Expected as E};

fn end(expected: E) -> K {
    K::UnexpectedEnd { expected }
}

fn bad(expected: E, found: u8) -> K {
    K::Unexpected { expected, found }
}

fn cases() -> Vec<(&'static [u8], K, usize)> {
    vec![
        // Empty and truncated input.
        (b"", end(E::Value), 0),
        (b"N", end(E::Semicolon), 1),
        (b"b:", end(E::BoolDigit), 2),
        (b"b:1", end(E::Semicolon), 3),
        (b"i:", end(E::Digit), 2),
        (b"d:1.5", end(E::Semicolon), 5),
        (b"s:3:\"abc\"", end(E::Semicolon), 9),
        (b"s:5:\"abc\";", end(E::Quote), 10),
        (b"a:0:{", end(E::CloseBrace), 5),
        (b"a:1:{i:0;i:1;", end(E::CloseBrace), 13),
        (b"a:1:{i:0;O:8:\"stdClass\":0:{}", end(E::CloseBrace), 28),
        (b"O:8:\"stdClass\"", end(E::Colon), 14),
        (
            b"O:8:\"stdClass\":1:{s:1:\"a\";i:1;",
            end(E::CloseBrace),
            30,
        ),
        (b"a:999999999:{", end(E::Key), 13),
        // Missing or wrong punctuation.
        (b"N:", bad(E::Semicolon, b':'), 1),
        (b"s:3\"abc\";", bad(E::Colon, b'"'), 3),
        (b"s:3:abc\";", bad(E::Quote, b'a'), 4),
        (b"a:1:[i:0;i:1;]", bad(E::OpenBrace, b'['), 4),
        (b"a:1:{s:1:\"a\"i:1;}", bad(E::Semicolon, b'i'), 12),
        (b"a:1:{i:0;i:1}", bad(E::Semicolon, b'}'), 12),
        // Lying lengths and counts.
        (b"s:2:\"abc\";", bad(E::Quote, b'c'), 7),
        (
            b"s:999999999:\"x\";",
            K::LengthExceedsInput {
                declared: 999_999_999,
                available: 3,
            },
            13,
        ),
        (
            b"s:99999999999999999999999:\"x\";",
            K::LengthExceedsInput {
                declared: u64::MAX,
                available: 3,
            },
            27,
        ),
        (
            b"a:1:{i:0;s:100:\"short\";}",
            K::LengthExceedsInput {
                declared: 100,
                available: 8,
            },
            16,
        ),
        (
            b"a:1:{i:0;s:3:\"ab",
            K::LengthExceedsInput {
                declared: 3,
                available: 2,
            },
            14,
        ),
        (
            b"C:3:\"Foo\":5:{abc}",
            K::LengthExceedsInput {
                declared: 5,
                available: 4,
            },
            13,
        ),
        (b"C:3:\"Foo\":2:{abc}", bad(E::CloseBrace, b'c'), 15),
        (b"a:2:{i:0;i:1;}", bad(E::Key, b'}'), 13),
        (b"a:1:{i:0;i:1;i:1;i:2;}", bad(E::CloseBrace, b'i'), 13),
        (b"s:-1:\"\";", bad(E::Digit, b'-'), 2),
        (b"O:8:\"stdClass\":-1:{}", bad(E::Digit, b'-'), 15),
        // Bad keys: PHP allows only int and string keys.
        (b"a:1:{d:0.5;i:1;}", K::InvalidKey { found: b'd' }, 5),
        (b"a:1:{a:0:{}i:1;}", K::InvalidKey { found: b'a' }, 5),
        (b"a:1:{N;i:1;}", K::InvalidKey { found: b'N' }, 5),
        (b"a:1:{b:1;i:1;}", K::InvalidKey { found: b'b' }, 5),
        (b"a:1:{r:1;i:1;}", K::InvalidKey { found: b'r' }, 5),
        (b"a:1:{x:0;i:1;}", bad(E::Key, b'x'), 5),
        // Unknown tokens and bad scalars.
        (b"x:0;", bad(E::Value, b'x'), 0),
        (b"z", bad(E::Value, b'z'), 0),
        (b"b:2;", bad(E::BoolDigit, b'2'), 2),
        (b"i:;", bad(E::Digit, b';'), 2),
        (b"i: 5;", bad(E::Digit, b' '), 2),
        (b"i:-;", bad(E::Digit, b';'), 3),
        (b"i:12a;", bad(E::Semicolon, b'a'), 4),
        (b"i:0x1A;", bad(E::Semicolon, b'x'), 3),
        (b"d:;", bad(E::Float, b';'), 2),
        (b"d:inf;", bad(E::Float, b'i'), 2),
        (b"d:-NAN;", bad(E::Float, b'-'), 2),
        (b"d:1.5e;", bad(E::Digit, b';'), 6),
        (b"d:1.5.5;", bad(E::Semicolon, b'.'), 5),
        (b"S:1:\"\\6\";", K::InvalidEscape, 5),
        (b"S:2:\"\\61\";", bad(E::Quote, b';'), 9),
        // Integer overflow (PHP clamps with a warning; we refuse).
        (b"i:9223372036854775808;", K::IntOverflow, 2),
        (b"i:-9223372036854775809;", K::IntOverflow, 2),
        (b"i:99999999999999999999999;", K::IntOverflow, 2),
        // Class and enum names.
        (b"O:0:\"\":0:{}", K::InvalidClassName, 2),
        (b"O:3:\"a-b\":0:{}", K::InvalidClassName, 2),
        (b"O:1:\"\\\":0:{}", K::InvalidClassName, 2),
        (b"C:2:\"a;\":0:{}", K::InvalidClassName, 2),
        (b"E:6:\"NoCase\";", K::InvalidEnum, 2),
        (b"E:5:\"Suit:\";", K::InvalidEnum, 2),
        // Reference slots.
        (
            b"r:0;",
            K::InvalidReference {
                slot: 0,
                available: 0,
            },
            0,
        ),
        (
            b"R:1;",
            K::InvalidReference {
                slot: 1,
                available: 0,
            },
            0,
        ),
        (
            b"R:99;",
            K::InvalidReference {
                slot: 99,
                available: 0,
            },
            0,
        ),
        (
            b"a:1:{i:0;R:2;}",
            K::InvalidReference {
                slot: 2,
                available: 1,
            },
            9,
        ),
        (
            b"a:1:{i:0;r:2;}",
            K::InvalidReference {
                slot: 2,
                available: 1,
            },
            9,
        ),
        (b"a:1:{i:0;r:1;}", K::NotAnObject { slot: 1 }, 9),
        (b"a:2:{i:0;i:5;i:1;r:2;}", K::NotAnObject { slot: 2 }, 17),
        // Garbage after the value (PHP ignores it; strict decode refuses).
        (b"i:1;x", K::TrailingBytes, 4),
        (b"N;N;", K::TrailingBytes, 2),
        (b"a:0:{}}", K::TrailingBytes, 6),
    ]
}

#[test]
fn every_malformed_input_gives_its_error_and_offset() {
    let cases = cases();
    assert!(cases.len() >= 40);
    for (input, kind, offset) in cases {
        let shown = String::from_utf8_lossy(input);
        match php::decode(input) {
            Ok(v) => panic!("{shown:?} decoded to {v:?}"),
            Err(e) => {
                assert_eq!((&e.kind, e.offset), (&kind, offset), "{shown:?}: {e}");
                // The message names the offset.
                assert!(e.to_string().contains(&offset.to_string()), "{e}");
            }
        }
    }
}

#[test]
fn nesting_100_000_deep_is_an_error_not_a_stack_overflow() {
    for open in ["a:1:{i:0;", "O:8:\"stdClass\":1:{s:1:\"a\";"] {
        let input = open.repeat(100_000);
        let err = php::decode(input.as_bytes()).unwrap_err();
        assert_eq!(err.kind, K::DepthLimitExceeded { limit: 4096 });
        assert_eq!(err.offset, 4096 * open.len());
    }
}

#[test]
fn decode_prefix_accepts_what_follows_like_php() {
    assert_eq!(php::decode_prefix(b"i:1;x").unwrap().1, 4);
    assert_eq!(php::decode_prefix(b"a:0:{}}").unwrap().1, 6);
    // ...but not a malformed value.
    assert_eq!(php::decode_prefix(b"i:1x").unwrap_err().offset, 3);
}

mod arbitrary_bytes {
    use proptest::prelude::*;
    use segmentflow_core::php::{self, wordpress};

    /// Bytes drawn mostly from the grammar's alphabet, so the decoder gets
    /// past the first byte often.
    fn grammar_soup() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop::sample::select(vec![
            &b"a:"[..],
            b"s:",
            b"i:",
            b"d:",
            b"b:",
            b"O:",
            b"C:",
            b"E:",
            b"r:",
            b"R:",
            b"S:",
            b"N;",
            b"1",
            b"0",
            b"9",
            b"-",
            b"+",
            b".",
            b"E",
            b":",
            b";",
            b"{",
            b"}",
            b"\"",
            b"\\",
            b"x",
            b"stdClass",
            b"INF",
            b"NAN",
            b"\xff",
        ]);
        prop::collection::vec(pieces, 0..64).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn random_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = php::decode(&data);
            let _ = php::decode_prefix(&data);
            let _ = wordpress::maybe_unserialize(&data);
        }

        #[test]
        fn grammar_soup_never_panics_and_errors_point_inside(data in grammar_soup()) {
            match php::decode_prefix(&data) {
                Ok((v, used)) => {
                    prop_assert!(used <= data.len());
                    let bytes = php::encode(&v);
                    let again = php::decode(&bytes).expect("encoder output decodes");
                    prop_assert_eq!(again, v);
                }
                Err(e) => prop_assert!(e.offset <= data.len()),
            }
        }
    }
}
