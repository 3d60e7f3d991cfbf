//! The decoder: PHP `unserialize()` grammar to [`Value`], without trusting
//! the input.
//!
//! It accepts every form PHP 8 `serialize()` writes (`N b i d s a O C E r R`)
//! plus `S:` (escaped strings, which `unserialize()` still reads), and checks
//! what PHP checks: byte lengths, element counts, class-name characters,
//! `r:`/`R:` slots, and the nesting limit (`unserialize_max_depth`, 4096).
//!
//! Hostile input is ordinary input here. Declared lengths are checked
//! against the bytes left before anything is read, and declared counts never
//! size an allocation at all: elements collect on one shared stack and each
//! container gets an exactly sized vector when its `}` arrives, so memory is
//! bounded by the input's length. Nesting is walked with an explicit stack on
//! the heap, so depth costs no call-stack frames; every failure is a
//! [`DecodeError`] with a byte offset. Strings are borrowed from the input
//! (`Cow::Borrowed`), so decoding allocates only one vector per non-empty
//! array or object, plus the box of each object, `C:` and `E:` value (rare
//! variants are boxed to keep [`Value`] at 32 bytes: every array element is
//! a `(Key, Value)` written during decoding, so their size is most of the
//! decoder's time on big inputs).
//!
//! Inputs PHP accepts but never writes decode to the value PHP would give and
//! re-encode in PHP's canonical form, not byte for byte: `i:+5;`, `i:007;`,
//! `i:-0;` (ints keep no text), leading zeros in lengths and counts
//! (`s:05:"hello";`), a `+` before an object's property count, and `S:`
//! strings (re-encoded as `s:`). Floats keep their text whenever it differs
//! from PHP 8's, so every `d:` form round-trips. Two deliberate differences
//! from PHP: an `i:` outside the 64-bit range is an error (PHP clamps it with
//! a warning), and `E:` is accepted for any well-formed `Enum:Case` (PHP also
//! needs the enum to be declared).

use std::borrow::Cow;

use super::error::{DecodeError, DecodeErrorKind, Expected};
use super::float::{ExponentChar, format as format_float};
use super::value::{Custom, EnumCase, Float, Key, Object, Value};

/// PHP's default `unserialize_max_depth`.
pub const DEFAULT_MAX_DEPTH: usize = 4096;

/// Decoder settings. `DecodeOptions::default()` behaves like PHP 8's
/// `unserialize()` with default ini settings.
///
/// ```
/// use segmentflow_core::php::{DecodeOptions, DecodeErrorKind};
/// let deep = b"a:1:{i:0;a:1:{i:0;a:1:{i:0;i:1;}}}";
/// let err = DecodeOptions::new().max_depth(2).decode(deep).unwrap_err();
/// assert_eq!(err.kind, DecodeErrorKind::DepthLimitExceeded { limit: 2 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    max_depth: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl DecodeOptions {
    /// The defaults: a nesting limit of 4096, as PHP.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the nesting limit, counted as PHP counts it: every object and
    /// every non-empty array adds a level, and a container that would open
    /// level `limit + 1` is an error. Unlike PHP's ini setting, `0` is not
    /// "unlimited" but allows no containers at all. Decoding itself uses no
    /// recursion, but encoding and dropping a [`Value`] recurse once per
    /// level; 4096 levels are tested on a 2 MiB thread stack in a debug build.
    pub fn max_depth(mut self, limit: usize) -> Self {
        self.max_depth = limit;
        self
    }

    /// Decodes `input`, which must hold exactly one value (see [`decode`]).
    pub fn decode<'a>(&self, input: &'a [u8]) -> Result<Value<'a>, DecodeError> {
        let (value, used) = self.decode_prefix(input)?;
        if used != input.len() {
            return Err(DecodeError::new(DecodeErrorKind::TrailingBytes, used));
        }
        Ok(value)
    }

    /// Decodes the value at the start of `input` and returns it with the
    /// number of bytes it used (see [`decode_prefix`]).
    pub fn decode_prefix<'a>(&self, input: &'a [u8]) -> Result<(Value<'a>, usize), DecodeError> {
        let mut parser = Parser {
            input,
            pos: 0,
            slots: 0,
            object_slots: Vec::new(),
            max_depth: self.max_depth,
        };
        let value = parser.run()?;
        Ok((value, parser.pos))
    }
}

/// Decodes one serialized PHP value that fills the whole input.
///
/// Bytes after the value are an error ([`DecodeErrorKind::TrailingBytes`]);
/// PHP's `unserialize()` ignores them — use [`decode_prefix`] for that.
///
/// ```
/// use segmentflow_core::php::{decode, Value};
/// let v = decode(br#"a:2:{i:0;s:3:"a;b";s:1:"k";d:0.5;}"#).unwrap();
/// assert_eq!(v.get_index(0).and_then(Value::as_str), Some("a;b"));
/// assert_eq!(v.get("k").and_then(Value::as_float), Some(0.5));
/// ```
pub fn decode(input: &[u8]) -> Result<Value<'_>, DecodeError> {
    DecodeOptions::default().decode(input)
}

/// Decodes the value at the start of `input`, returning it and the number of
/// bytes it used; what follows is left alone, as PHP's `unserialize()` does.
///
/// ```
/// use segmentflow_core::php::{decode_prefix, Value};
/// let (v, used) = decode_prefix(b"i:5;garbage").unwrap();
/// assert_eq!((v, used), (Value::Int(5), 4));
/// ```
pub fn decode_prefix(input: &[u8]) -> Result<(Value<'_>, usize), DecodeError> {
    DecodeOptions::default().decode_prefix(input)
}

/// An array or object being filled.
struct Frame<'a> {
    /// `None` for an array, the class name for an object.
    class: Option<Cow<'a, [u8]>>,
    /// Where this container's finished elements start in the shared
    /// element stack.
    start: usize,
    /// Elements still to read.
    left: usize,
}

impl<'a> Frame<'a> {
    fn into_value(self, items: Vec<(Key<'a>, Value<'a>)>) -> Value<'a> {
        match self.class {
            None => Value::Array(items),
            Some(class) => Value::object(class, items),
        }
    }
}

/// The header of a non-empty array or object whose elements follow: the
/// class name (`None` for an array) and the element count.
type Open<'a> = (Option<Cow<'a, [u8]>>, usize);

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
    /// Value slots numbered so far (PHP's `var_hash` count).
    slots: u64,
    /// The slots that hold objects, ascending (targets allowed for `r:`).
    object_slots: Vec<u64>,
    max_depth: usize,
}

type PResult<T> = std::result::Result<T, DecodeError>;

impl<'a> Parser<'a> {
    fn run(&mut self) -> PResult<Value<'a>> {
        let mut stack: Vec<Frame<'a>> = Vec::new();
        // The elements of every open container, innermost last, each pushed
        // as soon as its key is read with a `Null` placeholder value that the
        // value's token then overwrites in place (the root value gets a
        // placeholder entry of its own). A container's elements are moved
        // out into an exactly sized vector when it closes: the writes during
        // parsing land in this stack's top, which stays in cache, each array
        // is then one sequential copy, and declared counts never size an
        // allocation. Writing keys and values in place, rather than building
        // a `(Key, Value)` on the call stack and pushing it, avoids a
        // store-to-load forwarding stall per element (measured with perf: it
        // was a third of the decoder's cycles).
        let mut elements: Vec<(Key<'a>, Value<'a>)> = vec![(Key::Int(0), Value::Null)];
        loop {
            let slot = &mut elements.last_mut().expect("an entry is pending").1;
            if let Some((class, count)) = self.token(stack.len(), slot)? {
                stack.push(Frame {
                    class,
                    start: elements.len(),
                    left: count,
                });
                self.push_key(&mut elements)?;
                continue;
            }
            // The value is complete: count it in its container, closing
            // every container it completes.
            loop {
                let Some(top) = stack.last_mut() else {
                    let (_, value) = elements.pop().expect("the root entry");
                    return Ok(value);
                };
                top.left -= 1;
                if top.left > 0 {
                    self.push_key(&mut elements)?;
                    break;
                }
                self.expect(b'}', Expected::CloseBrace)?;
                let frame = stack.pop().expect("the stack has a top frame");
                let items = elements.split_off(frame.start);
                let slot = &mut elements.last_mut().expect("the container's own entry").1;
                fill(slot, frame.into_value(items));
            }
        }
    }

    /// Reads a key and pushes its entry, with a placeholder value.
    #[inline]
    fn push_key(&mut self, elements: &mut Vec<(Key<'a>, Value<'a>)>) -> PResult<()> {
        // Pushing a constant lets the compiler copy it from read-only data
        // (a literal `(Key::Int(0), Value::Null)` is assembled on the stack
        // with narrow stores and read back wide: a forwarding stall).
        const PENDING: (Key<'static>, Value<'static>) = (Key::Int(0), Value::Null);
        elements.push(PENDING);
        let entry = elements.last_mut().expect("just pushed");
        entry.0 = self.key()?;
        Ok(())
    }

    fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    fn err<T>(&self, kind: DecodeErrorKind, offset: usize) -> PResult<T> {
        Err(DecodeError::new(kind, offset))
    }

    /// The error for "wanted `expected` at the current position".
    fn unexpected<T>(&self, expected: Expected) -> PResult<T> {
        match self.input.get(self.pos) {
            None => self.err(DecodeErrorKind::UnexpectedEnd { expected }, self.pos),
            Some(&found) => self.err(DecodeErrorKind::Unexpected { expected, found }, self.pos),
        }
    }

    #[inline]
    fn expect(&mut self, byte: u8, expected: Expected) -> PResult<()> {
        if self.input.get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            self.unexpected(expected)
        }
    }

    /// Digits of an unsigned number (lengths, counts, slots), saturating at
    /// `u64::MAX` so an absurd value is caught by the check that follows.
    #[inline]
    fn uint(&mut self) -> PResult<u64> {
        let start = self.pos;
        let mut n: u64 = 0;
        while let Some(&b) = self.input.get(self.pos) {
            if !b.is_ascii_digit() {
                break;
            }
            n = n.saturating_mul(10).saturating_add(u64::from(b - b'0'));
            self.pos += 1;
        }
        if self.pos == start {
            return self.unexpected(Expected::Digit);
        }
        Ok(n)
    }

    /// `i:` digits with an optional sign, checked against the 64-bit range.
    fn int(&mut self) -> PResult<i64> {
        let start = self.pos;
        let negative = match self.input.get(self.pos) {
            Some(b'-') => {
                self.pos += 1;
                true
            }
            Some(b'+') => {
                self.pos += 1;
                false
            }
            _ => false,
        };
        let digits = self.pos;
        let mut n: u64 = 0;
        let mut overflow = false;
        while let Some(&b) = self.input.get(self.pos) {
            if !b.is_ascii_digit() {
                break;
            }
            match n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(b - b'0')))
            {
                Some(v) => n = v,
                None => overflow = true,
            }
            self.pos += 1;
        }
        if self.pos == digits {
            return self.unexpected(Expected::Digit);
        }
        let limit = if negative {
            1u64 << 63
        } else {
            i64::MAX as u64
        };
        if overflow || n > limit {
            return self.err(DecodeErrorKind::IntOverflow, start);
        }
        Ok(if negative {
            // n ≤ 2^63, so the wrapping negation is exact.
            (n as i64).wrapping_neg()
        } else {
            n as i64
        })
    }

    /// The text of a `d:` value up to (not including) the `;`.
    fn float(&mut self) -> PResult<Float> {
        let start = self.pos;
        let rest = &self.input[start..];
        for special in [&b"INF"[..], b"-INF", b"NAN"] {
            if rest.starts_with(special) {
                self.pos += special.len();
                let value = match special {
                    b"INF" => f64::INFINITY,
                    b"-INF" => f64::NEG_INFINITY,
                    _ => f64::NAN,
                };
                return Ok(Float::new(value));
            }
        }
        // [+-]? digits* ("." digits*)? ([eE] [+-]? digits+)?, at least one
        // mantissa digit: PHP's `iv | nv | nvexp`.
        let input = self.input;
        let digits = |p: &mut usize| {
            let s = *p;
            while input.get(*p).is_some_and(u8::is_ascii_digit) {
                *p += 1;
            }
            *p - s
        };
        let mut p = start;
        if matches!(self.input.get(p), Some(b'+' | b'-')) {
            p += 1;
        }
        let mut mantissa = digits(&mut p);
        if self.input.get(p) == Some(&b'.') {
            p += 1;
            mantissa += digits(&mut p);
        }
        if mantissa == 0 {
            self.pos = start;
            return self.unexpected(Expected::Float);
        }
        if matches!(self.input.get(p), Some(b'e' | b'E')) {
            let mut q = p + 1;
            if matches!(self.input.get(q), Some(b'+' | b'-')) {
                q += 1;
            }
            if digits(&mut q) > 0 {
                p = q;
            } else {
                // PHP's scanner would stop before the `e` too, and then
                // find no `;`.
                self.pos = q;
                return self.unexpected(Expected::Digit);
            }
        }
        self.pos = p;
        let text = &self.input[start..p];
        // The text is ASCII by construction and in a form Rust parses.
        let value: f64 = std::str::from_utf8(text)
            .ok()
            .and_then(|s| s.parse().ok())
            .expect("validated float text parses");
        if is_short_canonical_float(text)
            || format_float(value, ExponentChar::Upper).as_bytes() == text
        {
            Ok(Float::new(value))
        } else {
            Ok(Float::with_text(value, text))
        }
    }

    /// `<len>:"<bytes>"` — the length, colon, quotes and raw bytes of a
    /// string, class name or enum name (not the terminator after it).
    #[inline]
    fn quoted(&mut self) -> PResult<&'a [u8]> {
        let len = self.uint()?;
        self.expect(b':', Expected::Colon)?;
        self.expect(b'"', Expected::Quote)?;
        let available = self.remaining();
        if len > available as u64 {
            return self.err(
                DecodeErrorKind::LengthExceedsInput {
                    declared: len,
                    available,
                },
                self.pos,
            );
        }
        let start = self.pos;
        self.pos += len as usize;
        let bytes = &self.input[start..self.pos];
        self.expect(b'"', Expected::Quote)?;
        Ok(bytes)
    }

    /// `<len>:"<escaped>"` of an `S:` string: `\xx` is one byte in hex.
    fn escaped(&mut self) -> PResult<Vec<u8>> {
        let len = self.uint()?;
        self.expect(b':', Expected::Colon)?;
        self.expect(b'"', Expected::Quote)?;
        let available = self.remaining();
        if len > available as u64 {
            return self.err(
                DecodeErrorKind::LengthExceedsInput {
                    declared: len,
                    available,
                },
                self.pos,
            );
        }
        let len = len as usize;
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            match self.input.get(self.pos) {
                None => return self.unexpected(Expected::Quote),
                Some(b'\\') => {
                    let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
                    match (
                        hex(self.input.get(self.pos + 1)),
                        hex(self.input.get(self.pos + 2)),
                    ) {
                        (Some(hi), Some(lo)) => out.push((hi * 16 + lo) as u8),
                        _ => return self.err(DecodeErrorKind::InvalidEscape, self.pos),
                    }
                    self.pos += 3;
                }
                Some(&b) => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
        self.expect(b'"', Expected::Quote)?;
        Ok(out)
    }

    /// A class name as PHP's unserializer accepts it.
    fn class_name(&mut self) -> PResult<&'a [u8]> {
        let start = self.pos;
        let name = self.quoted()?;
        if !valid_class_name(name) {
            return self.err(DecodeErrorKind::InvalidClassName, start);
        }
        Ok(name)
    }

    /// An array key or property name.
    #[inline]
    fn key(&mut self) -> PResult<Key<'a>> {
        let start = self.pos;
        let key = match self.input.get(start) {
            Some(b'i') => {
                self.pos += 1;
                self.expect(b':', Expected::Colon)?;
                Key::Int(self.int()?)
            }
            Some(b's') => {
                self.pos += 1;
                self.expect(b':', Expected::Colon)?;
                Key::Str(Cow::Borrowed(self.quoted()?))
            }
            Some(b'S') => {
                self.pos += 1;
                self.expect(b':', Expected::Colon)?;
                Key::Str(Cow::Owned(self.escaped()?))
            }
            Some(&t) if t == b'N' || is_value_type(t) => {
                return self.err(DecodeErrorKind::InvalidKey { found: t }, start);
            }
            _ => return self.unexpected(Expected::Key),
        };
        self.expect(b';', Expected::Semicolon)?;
        Ok(key)
    }

    fn check_depth(&self, depth: usize, at: usize) -> PResult<()> {
        if depth >= self.max_depth {
            return self.err(
                DecodeErrorKind::DepthLimitExceeded {
                    limit: self.max_depth,
                },
                at,
            );
        }
        Ok(())
    }

    /// One value token, written to `out` when it is complete; the header of
    /// a container is returned instead. `depth` is the number of containers
    /// open around it.
    #[inline(always)]
    fn token(&mut self, depth: usize, out: &mut Value<'a>) -> PResult<Option<Open<'a>>> {
        let start = self.pos;
        let Some(&t) = self.input.get(start) else {
            return self.unexpected(Expected::Value);
        };
        if t == b'N' {
            self.pos += 1;
            self.expect(b';', Expected::Semicolon)?;
            self.slots += 1;
            fill(out, Value::Null);
            return Ok(None);
        }
        if !is_value_type(t) {
            return self.unexpected(Expected::Value);
        }
        self.pos += 1;
        self.expect(b':', Expected::Colon)?;
        if t != b'R' {
            self.slots += 1;
        }
        let value = match t {
            b'b' => {
                let value = match self.input.get(self.pos) {
                    Some(b'0') => false,
                    Some(b'1') => true,
                    _ => return self.unexpected(Expected::BoolDigit),
                };
                self.pos += 1;
                self.expect(b';', Expected::Semicolon)?;
                Value::Bool(value)
            }
            b'i' => {
                let value = self.int()?;
                self.expect(b';', Expected::Semicolon)?;
                Value::Int(value)
            }
            b'd' => {
                let value = self.float()?;
                self.expect(b';', Expected::Semicolon)?;
                Value::Float(value)
            }
            b's' => {
                let bytes = self.quoted()?;
                self.expect(b';', Expected::Semicolon)?;
                Value::Str(Cow::Borrowed(bytes))
            }
            b'S' => {
                let bytes = self.escaped()?;
                self.expect(b';', Expected::Semicolon)?;
                Value::Str(Cow::Owned(bytes))
            }
            b'a' => {
                let count = self.uint()?;
                self.expect(b':', Expected::Colon)?;
                self.expect(b'{', Expected::OpenBrace)?;
                if count == 0 {
                    self.expect(b'}', Expected::CloseBrace)?;
                    Value::Array(Vec::new())
                } else {
                    self.check_depth(depth, start)?;
                    return Ok(Some((None, usize::try_from(count).unwrap_or(usize::MAX))));
                }
            }
            b'O' => {
                self.object_slots.push(self.slots);
                let class = self.class_name()?;
                self.expect(b':', Expected::Colon)?;
                if self.input.get(self.pos) == Some(&b'+') {
                    self.pos += 1;
                }
                let count = self.uint()?;
                self.expect(b':', Expected::Colon)?;
                self.expect(b'{', Expected::OpenBrace)?;
                self.check_depth(depth, start)?;
                if count == 0 {
                    self.expect(b'}', Expected::CloseBrace)?;
                    Value::Object(Box::new(Object {
                        class: Cow::Borrowed(class),
                        properties: Vec::new(),
                    }))
                } else {
                    return Ok(Some((
                        Some(Cow::Borrowed(class)),
                        usize::try_from(count).unwrap_or(usize::MAX),
                    )));
                }
            }
            b'C' => {
                self.object_slots.push(self.slots);
                let class = self.class_name()?;
                self.expect(b':', Expected::Colon)?;
                let len = self.uint()?;
                self.expect(b':', Expected::Colon)?;
                self.expect(b'{', Expected::OpenBrace)?;
                let available = self.remaining();
                if len > available as u64 {
                    return self.err(
                        DecodeErrorKind::LengthExceedsInput {
                            declared: len,
                            available,
                        },
                        self.pos,
                    );
                }
                let payload_start = self.pos;
                self.pos += len as usize;
                let payload = &self.input[payload_start..self.pos];
                self.expect(b'}', Expected::CloseBrace)?;
                Value::Custom(Box::new(Custom {
                    class: Cow::Borrowed(class),
                    payload: Cow::Borrowed(payload),
                }))
            }
            b'E' => {
                self.object_slots.push(self.slots);
                let name_start = self.pos;
                let name = self.quoted()?;
                self.expect(b';', Expected::Semicolon)?;
                let Some(colon) = name.iter().position(|&b| b == b':') else {
                    return self.err(DecodeErrorKind::InvalidEnum, name_start);
                };
                let (class, case) = (&name[..colon], &name[colon + 1..]);
                if !valid_class_name(class) {
                    return self.err(DecodeErrorKind::InvalidClassName, name_start);
                }
                if case.is_empty() {
                    return self.err(DecodeErrorKind::InvalidEnum, name_start);
                }
                Value::Enum(Box::new(EnumCase {
                    class: Cow::Borrowed(class),
                    case: Cow::Borrowed(case),
                }))
            }
            b'r' => {
                let slot = self.uint()?;
                self.expect(b';', Expected::Semicolon)?;
                // This `r:` holds slot `self.slots` itself and may only point
                // before it.
                let own = self.slots;
                if slot == 0 || slot >= own {
                    return self.err(
                        DecodeErrorKind::InvalidReference {
                            slot,
                            available: own - 1,
                        },
                        start,
                    );
                }
                if self.object_slots.binary_search(&slot).is_err() {
                    return self.err(DecodeErrorKind::NotAnObject { slot }, start);
                }
                self.object_slots.push(own);
                Value::ObjectRef(slot)
            }
            b'R' => {
                let slot = self.uint()?;
                self.expect(b';', Expected::Semicolon)?;
                if slot == 0 || slot > self.slots {
                    return self.err(
                        DecodeErrorKind::InvalidReference {
                            slot,
                            available: self.slots,
                        },
                        start,
                    );
                }
                Value::Reference(slot)
            }
            _ => unreachable!("is_value_type covers exactly the bytes matched above"),
        };
        fill(out, value);
        Ok(None)
    }
}

/// Writes `value` over a pending entry's `Null` placeholder. Plain
/// assignment would first call the old value's drop code, which forces the
/// new value through a stack temporary (and a store-forwarding stall, seen
/// in perf); the placeholder owns nothing, so forgetting it frees nothing.
#[inline(always)]
fn fill<'a>(slot: &mut Value<'a>, value: Value<'a>) {
    let placeholder = std::mem::replace(slot, value);
    debug_assert!(placeholder.is_null(), "only placeholders are filled");
    std::mem::forget(placeholder);
}

/// A fast, allocation-free test that `text` is exactly what PHP 8 prints for
/// the float it denotes, for the common case: plain notation
/// (`-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?`) with at most 15 significant digits,
/// an integer part of at most 17 digits and at most 3 zeros after `0.`.
/// With ≤ 15 significant digits (`DBL_DIG`) the text is the unique shortest
/// decimal of its double, so the shortest-round-trip printer gives the same
/// digits, and the digit counts keep it in PHP's plain-notation range.
/// `false` means "unknown": the caller formats and compares.
fn is_short_canonical_float(text: &[u8]) -> bool {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    let (int, frac) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], Some(&digits[dot + 1..])),
        None => (digits, None),
    };
    if int.is_empty() || int.len() > 17 || !int.iter().all(u8::is_ascii_digit) {
        return false;
    }
    if int.len() > 1 && int[0] == b'0' {
        return false;
    }
    let Some(frac) = frac else {
        // An integer: its significant digits end at the last non-zero.
        let significant = int.iter().rposition(|&b| b != b'0').map_or(0, |p| p + 1);
        return significant <= 15;
    };
    if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) || frac.last() == Some(&b'0') {
        return false;
    }
    if int == b"0" {
        let zeros = frac.iter().take_while(|&&b| b == b'0').count();
        zeros <= 3 && frac.len() - zeros <= 15
    } else {
        int.len() + frac.len() <= 15
    }
}

/// The type bytes that start a value with a `:` after them (`N;` aside).
fn is_value_type(b: u8) -> bool {
    matches!(
        b,
        b'b' | b'i' | b'd' | b's' | b'S' | b'a' | b'O' | b'C' | b'E' | b'r' | b'R'
    )
}

/// PHP's `zend_is_valid_class_name` plus the unserializer's extra rules:
/// non-empty, not starting with `\`, only `[A-Za-z0-9_\\]` and bytes ≥ 0x80.
pub(crate) fn valid_class_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name[0] != b'\\'
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'\\' || b >= 0x80)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::php::encode;

    fn s(b: &[u8]) -> Value<'_> {
        Value::Str(Cow::Borrowed(b))
    }

    #[test]
    fn every_token_decodes_and_reencodes() {
        let obj = |class: &'static [u8], props| {
            Value::Object(Box::new(Object {
                class: Cow::Borrowed(class),
                properties: props,
            }))
        };
        let cases: Vec<(&[u8], Value<'static>)> = vec![
            (b"N;", Value::Null),
            (b"b:0;", Value::Bool(false)),
            (b"b:1;", Value::Bool(true)),
            (b"i:-5;", Value::Int(-5)),
            (b"i:9223372036854775807;", Value::Int(i64::MAX)),
            (b"i:-9223372036854775808;", Value::Int(i64::MIN)),
            (b"d:0.5;", Value::Float(Float::new(0.5))),
            (b"d:1.0E+25;", Value::Float(Float::new(1e25))),
            (b"d:-0;", Value::Float(Float::new(-0.0))),
            (b"d:INF;", Value::Float(Float::new(f64::INFINITY))),
            (b"d:-INF;", Value::Float(Float::new(f64::NEG_INFINITY))),
            (b"d:NAN;", Value::Float(Float::new(f64::NAN))),
            (b"d:0.10000000000000001;", Value::Float(Float::new(0.1))),
            (b"s:0:\"\";", s(b"")),
            (b"s:5:\"a\"b;c\";", s(b"a\"b;c")),
            (b"s:2:\"\xc3\xa9\";", s("é".as_bytes())),
            (b"a:0:{}", Value::Array(vec![])),
            (
                b"a:2:{i:-3;N;s:2:\"05\";b:1;}",
                Value::Array(vec![
                    (Key::Int(-3), Value::Null),
                    (Key::Str(Cow::Borrowed(b"05")), Value::Bool(true)),
                ]),
            ),
            (b"O:8:\"stdClass\":0:{}", obj(b"stdClass", vec![])),
            (
                b"O:3:\"Foo\":1:{s:6:\"\0*\0bar\";i:1;}",
                obj(
                    b"Foo",
                    vec![(Key::Str(Cow::Borrowed(b"\0*\0bar")), Value::Int(1))],
                ),
            ),
            (
                b"C:3:\"Old\":3:{a}}}",
                Value::Custom(Box::new(Custom {
                    class: Cow::Borrowed(b"Old"),
                    payload: Cow::Borrowed(b"a}}"),
                })),
            ),
            (
                b"E:11:\"Suit:Hearts\";",
                Value::Enum(Box::new(EnumCase {
                    class: Cow::Borrowed(b"Suit"),
                    case: Cow::Borrowed(b"Hearts"),
                })),
            ),
            (
                b"a:2:{i:0;O:8:\"stdClass\":0:{}i:1;r:2;}",
                Value::list([obj(b"stdClass", vec![]), Value::ObjectRef(2)]),
            ),
            (
                b"a:2:{i:0;i:1;i:1;R:2;}",
                Value::list([Value::Int(1), Value::Reference(2)]),
            ),
        ];
        for (input, want) in cases {
            let got = decode(input)
                .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)));
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(input));
            assert_eq!(
                encode(&got),
                input.to_vec(),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn non_canonical_forms_php_accepts_decode_to_php_values() {
        let cases: &[(&[u8], Value<'static>, &[u8])] = &[
            (b"i:+5;", Value::Int(5), b"i:5;"),
            (b"i:007;", Value::Int(7), b"i:7;"),
            (b"i:-0;", Value::Int(0), b"i:0;"),
            (
                b"s:05:\"hello\";",
                Value::string("hello"),
                b"s:5:\"hello\";",
            ),
            (b"S:3:\"\\61bc\";", Value::string("abc"), b"s:3:\"abc\";"),
            (
                b"O:8:\"stdClass\":+0:{}",
                Value::Object(Box::new(Object {
                    class: Cow::Borrowed(b"stdClass"),
                    properties: vec![],
                })),
                b"O:8:\"stdClass\":0:{}",
            ),
        ];
        for (input, want, canonical) in cases {
            let got = decode(input).unwrap();
            assert_eq!(&got, want);
            assert_eq!(encode(&got), canonical.to_vec());
        }
    }

    #[test]
    fn float_forms_keep_their_text() {
        for text in [
            "1.",
            ".5",
            "+1.5",
            "1e5",
            "1E+5",
            "-.5e-3",
            "0.30000000000000004",
            "1.0E-5",
            "1e999",
            "007",
        ] {
            let input = format!("d:{text};");
            let v = decode(input.as_bytes()).unwrap();
            assert_eq!(encode(&v), input.as_bytes(), "{text}");
            let want: f64 = text.parse().unwrap();
            assert_eq!(
                v.as_float().map(f64::to_bits),
                Some(want.to_bits()),
                "{text}"
            );
        }
    }

    #[test]
    fn short_canonical_float_fast_path_agrees_with_php_formatting() {
        // Every text the fast path accepts must be PHP's own text for its
        // value; the check runs over PHP-printed values and near misses.
        let mut texts: Vec<String> = Vec::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits(x);
            if v.is_finite() {
                texts.push(format_float(v, ExponentChar::Upper));
            }
            let short = (x % 100_000_000) as f64 / 10f64.powi((x % 13) as i32);
            texts.push(format_float(short, ExponentChar::Upper));
            texts.push(format!("{short}0"));
            texts.push(format!("{short:.3}"));
        }
        for t in [
            "0",
            "-0",
            "0.0001",
            "0.00001",
            "100",
            "1.5",
            "0.1",
            "19.99",
            "123456789012345",
            "1234567890123456",
            "100000000000000000",
            "99999999999999999",
            "0.0",
            "00",
            "01.5",
            "1.",
            ".5",
            "+1",
            "1e5",
        ] {
            texts.push(t.to_owned());
        }
        let mut accepted = 0;
        for t in &texts {
            if is_short_canonical_float(t.as_bytes()) {
                accepted += 1;
                let v: f64 = t.parse().unwrap();
                assert_eq!(
                    format_float(v, ExponentChar::Upper),
                    *t,
                    "fast path accepted {t}"
                );
            }
        }
        assert!(accepted > 10_000, "fast path accepted only {accepted}");
    }

    #[test]
    fn prefix_reports_bytes_used_and_strict_refuses_trailing_bytes() {
        assert_eq!(
            decode_prefix(b"a:0:{}x").unwrap(),
            (Value::Array(vec![]), 6)
        );
        let err = decode(b"a:0:{}x").unwrap_err();
        assert_eq!(err, DecodeError::new(DecodeErrorKind::TrailingBytes, 6));
    }

    fn nested(depth: usize, inner: &str) -> Vec<u8> {
        let mut s = "a:1:{i:0;".repeat(depth);
        s.push_str(inner);
        s.push_str(&"}".repeat(depth));
        s.into_bytes()
    }

    #[test]
    fn depth_limit_matches_php() {
        // Measured with PHP 8.2: 4096 non-empty arrays pass, 4097 fail; an
        // empty array does not count, an empty object does.
        assert!(decode(&nested(4096, "i:1;")).is_ok());
        assert!(decode(&nested(4096, "a:0:{}")).is_ok());
        let err = decode(&nested(4097, "i:1;")).unwrap_err();
        assert_eq!(
            err.kind,
            DecodeErrorKind::DepthLimitExceeded { limit: 4096 }
        );
        assert_eq!(err.offset, 4096 * 9);
        let err = decode(&nested(4096, "O:8:\"stdClass\":0:{}")).unwrap_err();
        assert_eq!(
            err.kind,
            DecodeErrorKind::DepthLimitExceeded { limit: 4096 }
        );
        assert!(
            DecodeOptions::new()
                .max_depth(5000)
                .decode(&nested(4097, "i:1;"))
                .is_ok()
        );
    }

    #[test]
    fn deepest_allowed_value_encodes_and_drops_on_a_small_stack() {
        // The test thread stack is 2 MiB; run on an explicit one to be sure.
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let input = nested(4096, "i:1;");
                let v = decode(&input).unwrap();
                assert_eq!(encode(&v), input);
                // Dropping recurses once per level too. (The derived `Clone`
                // and `Value::into_owned` use bigger frames and are not
                // covered at this depth; see the module doc of `php`.)
                drop(v);
            })
            .unwrap();
        handle.join().unwrap();
    }

    #[test]
    fn huge_declared_counts_do_not_allocate() {
        let err = decode(b"a:999999999999:{i:0;i:1;}").unwrap_err();
        assert_eq!(
            err.kind,
            DecodeErrorKind::Unexpected {
                expected: Expected::Key,
                found: b'}'
            }
        );
    }
}
