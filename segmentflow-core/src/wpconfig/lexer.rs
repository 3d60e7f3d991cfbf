//! Just enough of PHP's lexer to read `wp-config.php` without running it.
//!
//! It knows what can hide or fake a `define`: inline HTML outside
//! `<?php … ?>`, `//`, `#` and `/* */` comments, single- and double-quoted
//! strings (with their escapes, and interpolation, which makes a string
//! non-literal), heredoc and nowdoc, numbers, names, variables and
//! operators. It never fails on odd input except for an unterminated string,
//! comment or heredoc, which PHP would refuse too.

/// A PHP literal value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    /// A string (escapes resolved).
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
}

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A name (keyword, function, constant), without a leading `\`.
    Name(String),
    /// A variable, without the `$`.
    Var(String),
    /// A literal string or number.
    Lit(Literal),
    /// A string PHP computes (interpolation, heredoc, non-UTF-8 escapes).
    Computed,
    /// An operator or punctuation.
    Punct(&'static str),
    /// `?>` (ends a statement like `;`).
    CloseTag,
}

/// A token with its byte span and 1-based line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
    pub line: usize,
}

/// An unterminated construct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError {
    pub what: &'static str,
    pub offset: usize,
    pub line: usize,
}

const PUNCT: [&str; 44] = [
    "<<=", ">>=", "**=", "...", "<=>", "===", "!==", "??=", "?->", "||", "&&", "??", "::", "->",
    "=>", "==", "!=", "<>", "<=", ">=", "++", "--", "+=", "-=", "*=", "/=", ".=", "%=", "&=", "|=",
    "^=", "<<", ">>", "**", "(", ")", "{", "}", "[", "]", ";", ",", "=", ".",
];
const SINGLE: [&str; 15] = [
    "+", "-", "*", "/", "%", "!", "?", ":", "<", ">", "&", "|", "^", "~", "@",
];

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_name_byte(b: u8) -> bool {
    is_name_start(b) || b.is_ascii_digit()
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    tokens: Vec<Token>,
}

/// Splits `src` into tokens.
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let mut lx = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        line: 1,
        tokens: Vec::new(),
    };
    lx.run()?;
    Ok(lx.tokens)
}

impl Lexer<'_> {
    fn peek(&self, off: usize) -> Option<u8> {
        self.bytes.get(self.pos + off).copied()
    }

    fn rest(&self) -> &[u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// Advances to `to`, counting newlines.
    fn advance_to(&mut self, to: usize) {
        let to = to.min(self.bytes.len());
        self.line += self.bytes[self.pos..to]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.pos = to;
    }

    fn push(&mut self, tok: Tok, start: usize, line: usize) {
        self.tokens.push(Token {
            tok,
            start,
            end: self.pos,
            line,
        });
    }

    fn err(&self, what: &'static str, offset: usize, line: usize) -> LexError {
        LexError { what, offset, line }
    }

    fn run(&mut self) -> Result<(), LexError> {
        loop {
            // Inline HTML until an open tag.
            match find_open_tag(self.rest()) {
                None => return Ok(()),
                Some((at, len)) => {
                    let to = self.pos + at + len;
                    self.advance_to(to);
                }
            }
            if !self.php()? {
                return Ok(());
            }
        }
    }

    /// Lexes PHP code until `?>` (returns true) or the end (false).
    fn php(&mut self) -> Result<bool, LexError> {
        while let Some(b) = self.peek(0) {
            let start = self.pos;
            let line = self.line;
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => self.advance_to(self.pos + 1),
                b'?' if self.peek(1) == Some(b'>') => {
                    self.advance_to(self.pos + 2);
                    self.push(Tok::CloseTag, start, line);
                    // A single newline right after `?>` belongs to the tag.
                    if self.peek(0) == Some(b'\n') {
                        self.advance_to(self.pos + 1);
                    } else if self.rest().starts_with(b"\r\n") {
                        self.advance_to(self.pos + 2);
                    }
                    return Ok(true);
                }
                b'#' if self.peek(1) != Some(b'[') => self.line_comment(),
                b'/' if self.peek(1) == Some(b'/') => self.line_comment(),
                b'/' if self.peek(1) == Some(b'*') => {
                    let end = find(self.bytes, self.pos + 2, b"*/")
                        .ok_or_else(|| self.err("comment", start, line))?;
                    self.advance_to(end + 2);
                }
                b'\'' => {
                    let s = self
                        .single_quoted()
                        .ok_or_else(|| self.err("string", start, line))?;
                    self.push(Tok::Lit(Literal::Str(s)), start, line);
                }
                b'"' => {
                    let tok = self
                        .double_quoted()
                        .ok_or_else(|| self.err("string", start, line))?;
                    self.push(tok, start, line);
                }
                b'`' => {
                    let end = find(self.bytes, self.pos + 1, b"`")
                        .ok_or_else(|| self.err("string", start, line))?;
                    self.advance_to(end + 1);
                    self.push(Tok::Computed, start, line);
                }
                b'<' if self.rest().starts_with(b"<<<") => {
                    self.heredoc()
                        .ok_or_else(|| self.err("heredoc", start, line))?;
                    self.push(Tok::Computed, start, line);
                }
                b'$' if self.peek(1).is_some_and(is_name_start) => {
                    let len = self.rest()[1..]
                        .iter()
                        .take_while(|&&b| is_name_byte(b))
                        .count();
                    let name = self.src[self.pos + 1..self.pos + 1 + len].to_owned();
                    self.advance_to(self.pos + 1 + len);
                    self.push(Tok::Var(name), start, line);
                }
                b'0'..=b'9' => {
                    let lit = self.number();
                    self.push(Tok::Lit(lit), start, line);
                }
                b'.' if self.peek(1).is_some_and(|b| b.is_ascii_digit()) => {
                    let lit = self.number();
                    self.push(Tok::Lit(lit), start, line);
                }
                b'\\' if self.peek(1).is_some_and(is_name_start) => {
                    // A fully qualified name (`\define`): drop the leading `\`.
                    self.advance_to(self.pos + 1);
                    let name = self.name();
                    self.push(Tok::Name(name), start, line);
                }
                b if is_name_start(b) => {
                    let name = self.name();
                    self.push(Tok::Name(name), start, line);
                }
                _ => {
                    let rest = self.rest();
                    let punct = PUNCT
                        .iter()
                        .chain(SINGLE.iter())
                        .find(|p| rest.starts_with(p.as_bytes()))
                        .copied()
                        .unwrap_or("?unknown");
                    let len = if punct == "?unknown" {
                        // Any other character (`$$`, `\`, `#[`, stray bytes):
                        // one whole UTF-8 character.
                        self.src[self.pos..]
                            .chars()
                            .next()
                            .map_or(1, char::len_utf8)
                    } else {
                        punct.len()
                    };
                    self.advance_to(self.pos + len);
                    self.push(Tok::Punct(punct), start, line);
                }
            }
        }
        Ok(false)
    }

    /// `//` or `#` comment: to the end of the line or up to `?>`.
    fn line_comment(&mut self) {
        let mut i = self.pos;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\n' => break,
                b'?' if self.bytes.get(i + 1) == Some(&b'>') => break,
                _ => i += 1,
            }
        }
        self.advance_to(i);
    }

    /// A name, namespace separators included.
    fn name(&mut self) -> String {
        let len = self
            .rest()
            .iter()
            .take_while(|&&b| is_name_byte(b) || b == b'\\')
            .count();
        let name = self.src[self.pos..self.pos + len].to_owned();
        self.advance_to(self.pos + len);
        name
    }

    fn single_quoted(&mut self) -> Option<String> {
        let mut out = String::new();
        let mut i = self.pos + 1;
        let mut run = i;
        loop {
            match *self.bytes.get(i)? {
                b'\'' => break,
                b'\\' if matches!(self.bytes.get(i + 1), Some(b'\\' | b'\'')) => {
                    out.push_str(&self.src[run..i]);
                    out.push(char::from(self.bytes[i + 1]));
                    i += 2;
                    run = i;
                }
                _ => i += 1,
            }
        }
        out.push_str(&self.src[run..i]);
        self.advance_to(i + 1);
        Some(out)
    }

    /// A double-quoted string: a literal when it has no interpolation and its
    /// escapes give valid UTF-8, [`Tok::Computed`] otherwise.
    fn double_quoted(&mut self) -> Option<Tok> {
        let mut out: Vec<u8> = Vec::new();
        let mut computed = false;
        let mut i = self.pos + 1;
        loop {
            let b = *self.bytes.get(i)?;
            match b {
                b'"' => break,
                b'$' if self
                    .bytes
                    .get(i + 1)
                    .is_some_and(|&n| is_name_start(n) || n == b'{') =>
                {
                    computed = true;
                    i += 1;
                }
                b'{' if self.bytes.get(i + 1) == Some(&b'$') => {
                    computed = true;
                    i += 1;
                }
                b'\\' => {
                    let next = *self.bytes.get(i + 1)?;
                    i += 2;
                    match next {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'v' => out.push(0x0b),
                        b'e' => out.push(0x1b),
                        b'f' => out.push(0x0c),
                        b'\\' | b'$' | b'"' => out.push(next),
                        b'0'..=b'7' => {
                            let mut value = u32::from(next - b'0');
                            let mut taken = 0;
                            while taken < 2 {
                                match self.bytes.get(i) {
                                    Some(&d @ b'0'..=b'7') => {
                                        value = value * 8 + u32::from(d - b'0');
                                        i += 1;
                                        taken += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((value & 0xff) as u8);
                        }
                        b'x' if self.bytes.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                            let mut value = 0u32;
                            let mut taken = 0;
                            while taken < 2 {
                                match self.bytes.get(i).and_then(|&d| char::from(d).to_digit(16)) {
                                    Some(d) => {
                                        value = value * 16 + d;
                                        i += 1;
                                        taken += 1;
                                    }
                                    None => break,
                                }
                            }
                            out.push(value as u8);
                        }
                        b'u' if self.bytes.get(i) == Some(&b'{') => {
                            let close = find(self.bytes, i, b"}")?;
                            let digits = &self.src[i + 1..close];
                            let ch = u32::from_str_radix(digits, 16)
                                .ok()
                                .and_then(char::from_u32);
                            match ch {
                                Some(ch) => {
                                    let mut buf = [0u8; 4];
                                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                                }
                                None => computed = true,
                            }
                            i = close + 1;
                        }
                        _ => {
                            out.push(b'\\');
                            out.push(next);
                        }
                    }
                }
                _ => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        self.advance_to(i + 1);
        if computed {
            return Some(Tok::Computed);
        }
        Some(match String::from_utf8(out) {
            Ok(s) => Tok::Lit(Literal::Str(s)),
            Err(_) => Tok::Computed,
        })
    }

    /// `<<<ID … ID` or `<<<'ID' … ID`; skipped whole.
    fn heredoc(&mut self) -> Option<()> {
        let mut i = self.pos + 3;
        while matches!(self.bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let quote = match self.bytes.get(i) {
            Some(&q @ (b'\'' | b'"')) => {
                i += 1;
                Some(q)
            }
            _ => None,
        };
        let id_start = i;
        while self.bytes.get(i).is_some_and(|&b| is_name_byte(b)) {
            i += 1;
        }
        let id = &self.bytes[id_start..i];
        if id.is_empty() {
            return None;
        }
        if let Some(q) = quote {
            if self.bytes.get(i) != Some(&q) {
                return None;
            }
            i += 1;
        }
        // The body starts on the next line; the closing identifier is the
        // first line whose trimmed start is the identifier not followed by a
        // name character.
        let mut line_start = find(self.bytes, i, b"\n")? + 1;
        loop {
            let mut j = line_start;
            while matches!(self.bytes.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            if self.bytes[j..].starts_with(id)
                && !self
                    .bytes
                    .get(j + id.len())
                    .is_some_and(|&b| is_name_byte(b))
            {
                self.advance_to(j + id.len());
                return Some(());
            }
            line_start = find(self.bytes, line_start, b"\n")? + 1;
        }
    }

    /// A number literal (PHP 7.4+ `_` separators, `0x`, `0b`, `0o`, octal).
    fn number(&mut self) -> Literal {
        let rest = self.rest();
        let lower = |i: usize| rest.get(i).map(u8::to_ascii_lowercase);
        let radix_prefix = if rest.first() == Some(&b'0') {
            match lower(1) {
                Some(b'x') => Some(16),
                Some(b'b') => Some(2),
                Some(b'o') => Some(8),
                _ => None,
            }
        } else {
            None
        };
        if let Some(radix) = radix_prefix {
            let len = 2 + rest[2..]
                .iter()
                .take_while(|&&b| char::from(b).is_digit(radix) || b == b'_')
                .count();
            let digits: String = self.src[self.pos + 2..self.pos + len]
                .chars()
                .filter(|&c| c != '_')
                .collect();
            self.advance_to(self.pos + len);
            return int_or_float(&digits, radix);
        }
        let mut len = rest
            .iter()
            .take_while(|&&b| b.is_ascii_digit() || b == b'_')
            .count();
        let mut is_float = false;
        if rest.get(len) == Some(&b'.') && rest.get(len + 1).is_some_and(u8::is_ascii_digit) {
            is_float = true;
            len += 1;
            len += rest[len..]
                .iter()
                .take_while(|&&b| b.is_ascii_digit() || b == b'_')
                .count();
        } else if rest.get(len) == Some(&b'.') {
            // `1.` is a float too.
            is_float = true;
            len += 1;
        }
        if matches!(rest.get(len), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(rest.get(len + 1), Some(b'+' | b'-')));
            if rest.get(len + 1 + sign).is_some_and(u8::is_ascii_digit) {
                is_float = true;
                len += 1 + sign;
                len += rest[len..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
            }
        }
        let text: String = self.src[self.pos..self.pos + len]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        self.advance_to(self.pos + len);
        if is_float {
            return Literal::Float(text.parse().unwrap_or(f64::NAN));
        }
        if text.len() > 1 && text.starts_with('0') {
            // Legacy octal (`0755`).
            return int_or_float(&text[1..], 8);
        }
        int_or_float(&text, 10)
    }
}

/// An integer literal, or a float when it overflows (as PHP does).
fn int_or_float(digits: &str, radix: u32) -> Literal {
    if digits.is_empty() {
        return Literal::Int(0);
    }
    match i64::from_str_radix(digits, radix) {
        Ok(v) => Literal::Int(v),
        Err(_) if radix == 10 => Literal::Float(digits.parse().unwrap_or(f64::INFINITY)),
        Err(_) => Literal::Float(
            digits
                .chars()
                .filter_map(|c| c.to_digit(radix))
                .fold(0f64, |acc, d| acc * f64::from(radix) + f64::from(d)),
        ),
    }
}

/// The first `<?php`, `<?=` or short `<?` open tag: (offset, length).
fn find_open_tag(hay: &[u8]) -> Option<(usize, usize)> {
    let at = find(hay, 0, b"<?")?;
    let after = &hay[at + 2..];
    if after.len() >= 3 && after[..3].eq_ignore_ascii_case(b"php") {
        let ws = after.get(3);
        if ws.is_none_or(|b| b.is_ascii_whitespace()) {
            return Some((at, 5 + usize::from(ws.is_some())));
        }
    }
    if after.first() == Some(&b'=') {
        return Some((at, 3));
    }
    // Short open tag (`short_open_tag` is on by default).
    Some((at, 2))
}

/// The offset of `needle` in `hay` at or after `from`.
fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src)
            .expect("lexes")
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    fn s(v: &str) -> Tok {
        Tok::Lit(Literal::Str(v.into()))
    }

    #[test]
    fn strings_and_escapes() {
        let cases: &[(&str, Tok)] = &[
            (r"<?php 'a\'b\\c\nd'", s(r"a'b\c\nd")),
            (r#"<?php "a\"b\\c\nd\te""#, s("a\"b\\c\nd\te")),
            (r#"<?php "\x41\101\u{e9}\$x""#, s("AAé$x")),
            (r#"<?php "p@ss$word""#, Tok::Computed),
            (r#"<?php "{$a}""#, Tok::Computed),
            (r#"<?php "cost: $""#, s("cost: $")),
            (r#"<?php "\q""#, s("\\q")),
            (r#"<?php "\xff""#, Tok::Computed),
            ("<?php <<<EOT\nabc\nEOT;", Tok::Computed),
            ("<?php <<<'EOT'\n  abc\n  EOT;", Tok::Computed),
        ];
        for (src, expected) in cases {
            assert_eq!(toks(src).first(), Some(expected), "{src}");
        }
    }

    #[test]
    fn numbers() {
        let cases: &[(&str, Literal)] = &[
            ("<?php 42", Literal::Int(42)),
            ("<?php 1_000", Literal::Int(1000)),
            ("<?php 0x1F", Literal::Int(31)),
            ("<?php 0b101", Literal::Int(5)),
            ("<?php 0755", Literal::Int(493)),
            ("<?php 0o17", Literal::Int(15)),
            ("<?php 1.5", Literal::Float(1.5)),
            ("<?php .5", Literal::Float(0.5)),
            ("<?php 1e3", Literal::Float(1000.0)),
            ("<?php 0", Literal::Int(0)),
            (
                "<?php 9223372036854775808",
                Literal::Float(9_223_372_036_854_775_808.0),
            ),
        ];
        for (src, expected) in cases {
            assert_eq!(
                toks(src).first(),
                Some(&Tok::Lit(expected.clone())),
                "{src}"
            );
        }
    }

    #[test]
    fn comments_html_and_tags() {
        let src = "<html><?php // define('A', 1);\n# x\n/* define('B', 2); */ x ?>\ntext<?PHP y";
        assert_eq!(
            toks(src),
            vec![Tok::Name("x".into()), Tok::CloseTag, Tok::Name("y".into())]
        );
        // A line comment stops at `?>`.
        assert_eq!(
            toks("<?php // c ?>a<?php b"),
            vec![Tok::CloseTag, Tok::Name("b".into())]
        );
        assert_eq!(toks("no php here"), vec![]);
        assert_eq!(
            toks("<?php \\define($x)"),
            vec![
                Tok::Name("define".into()),
                Tok::Punct("("),
                Tok::Var("x".into()),
                Tok::Punct(")")
            ]
        );
    }

    #[test]
    fn unterminated_constructs_fail() {
        let cases = [
            ("<?php 'abc", "string", 6, 1),
            ("<?php\n\"abc", "string", 6, 2),
            ("<?php /* abc", "comment", 6, 1),
            ("<?php <<<EOT\nabc", "heredoc", 6, 1),
        ];
        for (src, what, offset, line) in cases {
            assert_eq!(lex(src), Err(LexError { what, offset, line }), "{src}");
        }
    }

    #[test]
    fn lines_are_counted() {
        let tokens = lex("<?php\n\n/* a\nb */ x\n'y\nz' w").expect("lexes");
        let lines: Vec<usize> = tokens.iter().map(|t| t.line).collect();
        assert_eq!(lines, vec![4, 5, 6]);
    }
}
