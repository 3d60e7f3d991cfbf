//! Anonymous ids: UUIDv7 as the plugin builds them.
//!
//! Both the PHP plugin (`generate_uuidv7()`) and the browser bundle
//! (`generateUuidV7()`) lay out 16 bytes as the 48-bit Unix time in
//! milliseconds followed by 10 random bytes, then force the version nibble
//! (byte 6 high nibble = `7`) and the variant (byte 8 high bits = `10`), and
//! print lowercase hex as `8-4-4-4-12`. The clock and the random bytes are
//! parameters here so the result is reproducible.

/// Why a string is not a plugin-style UUIDv7.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UuidError {
    /// Not 36 characters long.
    #[error("anonymous id is {len} characters long, expected 36")]
    Length {
        /// Length found (in bytes).
        len: usize,
    },
    /// A hyphen is missing or misplaced.
    #[error("anonymous id has no hyphen at offset {offset}")]
    Hyphen {
        /// Where the hyphen was expected.
        offset: usize,
    },
    /// A character that is not lowercase hex.
    #[error("anonymous id has {found:?} at offset {offset}, expected lowercase hex")]
    NotLowerHex {
        /// Offset of the character.
        offset: usize,
        /// The character found.
        found: char,
    },
    /// The version nibble is not 7.
    #[error("anonymous id has version {found}, expected 7")]
    Version {
        /// The version nibble found.
        found: char,
    },
    /// The variant bits are not `10`.
    #[error("anonymous id has variant nibble {found:?}, expected one of 8, 9, a, b")]
    Variant {
        /// The variant nibble found.
        found: char,
    },
}

/// Builds the anonymous id for `now_ms` (Unix milliseconds; only the low 48
/// bits fit, as in the plugin until the year 10889) and 10 random bytes.
///
/// ```
/// use segmentflow_core::consent::uuid_v7;
/// let id = uuid_v7(0x0192_d5e4_7b3a, [0xff; 10]);
/// assert_eq!(id, "0192d5e4-7b3a-7fff-bfff-ffffffffffff");
/// ```
pub fn uuid_v7(now_ms: u64, random: [u8; 10]) -> String {
    let mut bytes = [0u8; 16];
    let ms = (now_ms & 0xffff_ffff_ffff).to_be_bytes();
    bytes[..6].copy_from_slice(&ms[2..]);
    bytes[6..].copy_from_slice(&random);
    bytes[6] = 0x70 | (bytes[6] & 0x0f);
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Checks that `id` is a lowercase `8-4-4-4-12` UUID with version 7 and
/// variant `10`, and returns its millisecond timestamp.
pub fn parse_uuid_v7(id: &str) -> Result<u64, UuidError> {
    let bytes = id.as_bytes();
    if bytes.len() != 36 {
        return Err(UuidError::Length { len: bytes.len() });
    }
    let mut hex = String::with_capacity(32);
    for (offset, c) in id.char_indices() {
        if matches!(offset, 8 | 13 | 18 | 23) {
            if c != '-' {
                return Err(UuidError::Hyphen { offset });
            }
        } else if c.is_ascii_digit() || ('a'..='f').contains(&c) {
            hex.push(c);
        } else {
            return Err(UuidError::NotLowerHex { offset, found: c });
        }
    }
    let version = id.as_bytes().get(14).map_or('?', |b| char::from(*b));
    if version != '7' {
        return Err(UuidError::Version { found: version });
    }
    let variant = id.as_bytes().get(19).map_or('?', |b| char::from(*b));
    if !matches!(variant, '8' | '9' | 'a' | 'b') {
        return Err(UuidError::Variant { found: variant });
    }
    // Every character was checked to be hex above.
    Ok(u64::from_str_radix(hex.get(..12).unwrap_or("0"), 16).unwrap_or(0))
}

/// Whether `id` is a plugin-style UUIDv7.
pub fn is_uuid_v7(id: &str) -> bool {
    parse_uuid_v7(id).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_plugin() {
        // Worked through PHP's generate_uuidv7() by hand: time hex
        // str_pad(dechex(1700000000000), 12, '0') = "018bcfe56800", random
        // bytes 00..09 → "00010203040506070809"; hex[12] = '7'; byte 8 =
        // (0x02 & 0x3f) | 0x80 = 0x82.
        let random = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        let id = uuid_v7(1_700_000_000_000, random);
        assert_eq!(id, "018bcfe5-6800-7001-8203-040506070809");
        assert_eq!(parse_uuid_v7(&id), Ok(1_700_000_000_000));
    }

    #[test]
    fn version_and_variant_forced_for_every_random_byte() {
        for b in 0..=255u8 {
            let id = uuid_v7(u64::from(b) << 20, [b; 10]);
            assert!(is_uuid_v7(&id), "{id}");
        }
    }

    #[test]
    fn validation_table() {
        let cases = [
            ("018bcfe5-6800-7001-8203-040506070809", None),
            (
                "018bcfe5-6800-4001-8203-040506070809",
                Some(UuidError::Version { found: '4' }),
            ),
            (
                "018bcfe5-6800-7001-c203-040506070809",
                Some(UuidError::Variant { found: 'c' }),
            ),
            (
                "018BCFE5-6800-7001-8203-040506070809",
                Some(UuidError::NotLowerHex {
                    offset: 3,
                    found: 'B',
                }),
            ),
            (
                "018bcfe5_6800-7001-8203-040506070809",
                Some(UuidError::Hyphen { offset: 8 }),
            ),
            ("018bcfe5", Some(UuidError::Length { len: 8 })),
            (
                "018bcfe5-6800-7001-8203-04050607080é",
                Some(UuidError::Length { len: 37 }),
            ),
        ];
        for (id, want) in cases {
            assert_eq!(parse_uuid_v7(id).err(), want, "{id}");
        }
    }
}
