//! Finding the definitions in a token stream: which `define`s, `const`s and
//! `$table_prefix` assignments a `wp-config.php` contains, and whether each
//! runs always, only as a default, under another condition, or never at load
//! (inside a function or class). Values are kept as literals or as the
//! source text of the expression; [`super::config_file`] decides what they
//! mean.

use super::config_file::{ConfigValue, Definition, Entry, Reach, TABLE_PREFIX};
use super::lexer::{Literal, Tok, Token};
use std::collections::BTreeMap;

/// Every definition in `tokens` (lexed from `src`), by name, and the line of
/// the first `include`/`require` that runs at load.
pub(crate) fn extract(
    src: &str,
    tokens: &[Token],
) -> (BTreeMap<String, Vec<Entry>>, Option<usize>) {
    Extractor::new(src, tokens).run()
}

/// A condition around the code being read.
#[derive(Debug, Clone)]
enum Ctx {
    /// A block that runs unconditionally (`try`, `do`, a bare `{`).
    Plain,
    /// A conditional block or statement; the names its condition tests with
    /// `defined('X')` / `isset($x)`.
    Cond(Vec<String>),
    /// A function or class body: not run at load.
    Body,
}

/// A single forward walk over the tokens, tracking the conditions in force.
struct Extractor<'a> {
    src: &'a str,
    toks: &'a [Token],
    /// The current token.
    i: usize,
    /// Open `{` blocks, and alternative-syntax `:` blocks (flagged `true`,
    /// closed by `endif;` and friends).
    blocks: Vec<(Ctx, bool)>,
    /// Single-statement conditions (`if (…) stmt;`) in force until the
    /// statement ends, with the block depth they belong to.
    singles: Vec<(Ctx, usize)>,
    /// Within the current statement: a logical or ternary operator seen, and
    /// the names tested with `defined()`/`isset()`.
    stmt_operator: bool,
    stmt_guards: Vec<String>,
    /// The kind of block the next `{` opens (set by control structures and
    /// by `function`/`class`).
    pending_block: Option<Ctx>,
    first_include: Option<usize>,
    entries: BTreeMap<String, Vec<Entry>>,
}

fn name_is(tok: &Tok, want: &str) -> bool {
    matches!(tok, Tok::Name(n) if n.eq_ignore_ascii_case(want))
}

impl<'a> Extractor<'a> {
    fn new(src: &'a str, toks: &'a [Token]) -> Self {
        Extractor {
            src,
            toks,
            i: 0,
            blocks: Vec::new(),
            singles: Vec::new(),
            stmt_operator: false,
            stmt_guards: Vec::new(),
            pending_block: None,
            first_include: None,
            entries: BTreeMap::new(),
        }
    }

    fn tok(&self, i: usize) -> Option<&'a Tok> {
        self.toks.get(i).map(|t| &t.tok)
    }

    fn run(mut self) -> (BTreeMap<String, Vec<Entry>>, Option<usize>) {
        while let Some(token) = self.toks.get(self.i) {
            let line = token.line;
            match &token.tok {
                Tok::Punct(";") | Tok::CloseTag => {
                    self.end_statement();
                    self.i += 1;
                }
                Tok::Punct("{") => {
                    let ctx = self.pending_block.take().unwrap_or(Ctx::Plain);
                    self.blocks.push((ctx, false));
                    self.reset_statement();
                    self.i += 1;
                }
                Tok::Punct("}") => {
                    self.blocks.pop();
                    self.end_statement();
                    self.i += 1;
                }
                Tok::Punct("||" | "&&" | "?" | "??" | "?:") => {
                    self.stmt_operator = true;
                    self.i += 1;
                }
                Tok::Name(n)
                    if ["or", "and", "xor"]
                        .iter()
                        .any(|k| n.eq_ignore_ascii_case(k)) =>
                {
                    self.stmt_operator = true;
                    self.i += 1;
                }
                Tok::Name(n)
                    if ["include", "include_once", "require", "require_once"]
                        .iter()
                        .any(|k| n.eq_ignore_ascii_case(k)) =>
                {
                    if !self.in_body() {
                        self.first_include.get_or_insert(line);
                    }
                    self.i += 1;
                }
                Tok::Name(n)
                    if [
                        "if", "elseif", "while", "for", "foreach", "switch", "catch", "match",
                    ]
                    .iter()
                    .any(|k| n.eq_ignore_ascii_case(k)) =>
                {
                    let is_else_if = n.eq_ignore_ascii_case("elseif");
                    self.i += 1;
                    let guards = self.condition();
                    let guards = if is_else_if || !n.eq_ignore_ascii_case("if") {
                        Vec::new()
                    } else {
                        guards
                    };
                    self.open_control(Ctx::Cond(guards), is_else_if);
                }
                Tok::Name(n) if n.eq_ignore_ascii_case("else") => {
                    self.i += 1;
                    if self.tok(self.i).is_some_and(|t| name_is(t, "if")) {
                        // `else if`: the `if` opens its own (non-guard) context.
                        self.singles
                            .push((Ctx::Cond(Vec::new()), self.blocks.len()));
                    } else {
                        self.open_control(Ctx::Cond(Vec::new()), true);
                    }
                }
                Tok::Name(n)
                    if ["endif", "endwhile", "endfor", "endforeach", "endswitch"]
                        .iter()
                        .any(|k| n.eq_ignore_ascii_case(k)) =>
                {
                    if self.blocks.last().is_some_and(|(_, alt)| *alt) {
                        self.blocks.pop();
                    }
                    self.i += 1;
                }
                Tok::Name(n)
                    if ["function", "class", "interface", "trait", "enum"]
                        .iter()
                        .any(|k| n.eq_ignore_ascii_case(k))
                        && !self.is_member(self.i) =>
                {
                    // Its body (the next `{`) does not run at load.
                    self.pending_block = Some(Ctx::Body);
                    self.i += 1;
                }
                Tok::Name(n) if n.eq_ignore_ascii_case("defined") => {
                    if let Some(name) = self.call_string_arg(self.i + 1) {
                        self.stmt_guards.push(name);
                    }
                    self.i += 1;
                }
                Tok::Name(n) if n.eq_ignore_ascii_case("isset") => {
                    if let (Some(Tok::Punct("(")), Some(Tok::Var(v))) =
                        (self.tok(self.i + 1), self.tok(self.i + 2))
                    {
                        self.stmt_guards.push(format!("${v}"));
                    }
                    self.i += 1;
                }
                Tok::Name(n) if n.eq_ignore_ascii_case("define") && !self.is_member(self.i) => {
                    self.define(line);
                }
                Tok::Name(n)
                    if n.eq_ignore_ascii_case("const")
                        && self.blocks.is_empty()
                        && self.singles.is_empty() =>
                {
                    self.constant(line);
                }
                Tok::Var(v)
                    if v == "table_prefix"
                        && matches!(self.tok(self.i + 1), Some(Tok::Punct("=")))
                        && !self.is_member(self.i) =>
                {
                    let start = self.i + 2;
                    let end = self.expression_end(start, &[";"]);
                    let value = self.definition(start, end);
                    self.record(TABLE_PREFIX.to_owned(), value, line);
                    self.i = end;
                }
                _ => self.i += 1,
            }
        }
        (self.entries, self.first_include)
    }

    /// Whether the reader is inside (or just before) a function or class
    /// body.
    fn in_body(&self) -> bool {
        self.blocks.iter().any(|(c, _)| matches!(c, Ctx::Body))
            || self
                .pending_block
                .as_ref()
                .is_some_and(|c| matches!(c, Ctx::Body))
    }

    /// Whether the token at `i` is used as a member (`->define`,
    /// `::define`).
    fn is_member(&self, i: usize) -> bool {
        i > 0 && matches!(self.tok(i - 1), Some(Tok::Punct("->" | "::" | "?->")))
    }

    fn reset_statement(&mut self) {
        self.stmt_operator = false;
        self.stmt_guards.clear();
    }

    fn end_statement(&mut self) {
        self.pending_block = None;
        let depth = self.blocks.len();
        self.singles.retain(|(_, d)| *d < depth);
        self.reset_statement();
    }

    /// After a control keyword's condition: a `{` block, a `:` block, or a
    /// single statement. `branch` is true for `else` and `elseif`, whose
    /// alternative-syntax block replaces the previous branch's.
    fn open_control(&mut self, ctx: Ctx, branch: bool) {
        match self.tok(self.i) {
            Some(Tok::Punct("{")) => self.pending_block = Some(ctx),
            Some(Tok::Punct(":")) => {
                if branch && matches!(self.blocks.last(), Some((_, true))) {
                    self.blocks.pop();
                }
                self.blocks.push((ctx, true));
                self.i += 1;
            }
            _ => {
                self.singles.push((ctx, self.blocks.len()));
            }
        }
        self.reset_statement();
    }

    /// Skips a parenthesised condition at `self.i`, returning the names it
    /// tests with `defined('X')` or `isset($x)`.
    fn condition(&mut self) -> Vec<String> {
        let mut guards = Vec::new();
        if !matches!(self.tok(self.i), Some(Tok::Punct("("))) {
            return guards;
        }
        let end = self.matching_paren(self.i);
        let mut j = self.i;
        while j < end {
            match self.tok(j) {
                Some(t) if name_is(t, "defined") => {
                    if let Some(name) = self.call_string_arg(j + 1) {
                        guards.push(name);
                    }
                }
                Some(t) if name_is(t, "isset") => {
                    if let (Some(Tok::Punct("(")), Some(Tok::Var(v))) =
                        (self.tok(j + 1), self.tok(j + 2))
                    {
                        guards.push(format!("${v}"));
                    }
                }
                _ => {}
            }
            j += 1;
        }
        self.i = end;
        guards
    }

    /// The index just after the `)` matching the `(` at `open`.
    fn matching_paren(&self, open: usize) -> usize {
        let mut depth = 0usize;
        let mut j = open;
        while let Some(t) = self.tok(j) {
            match t {
                Tok::Punct("(" | "[" | "{") => depth += 1,
                Tok::Punct(")" | "]" | "}") => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return j + 1;
                    }
                }
                Tok::CloseTag if depth > 0 => return j,
                _ => {}
            }
            j += 1;
        }
        j
    }

    /// `( 'NAME' …` at `open`: the string.
    fn call_string_arg(&self, open: usize) -> Option<String> {
        match (self.tok(open), self.tok(open + 1)) {
            (Some(Tok::Punct("(")), Some(Tok::Lit(Literal::Str(s)))) => Some(s.clone()),
            _ => None,
        }
    }

    /// The index of the first token at nesting depth 0 from `start` that is
    /// one of `stops` (or a `)`/`;` closing the enclosing construct).
    fn expression_end(&self, start: usize, stops: &[&str]) -> usize {
        let mut depth = 0usize;
        let mut j = start;
        while let Some(t) = self.tok(j) {
            match t {
                Tok::Punct(p) if depth == 0 && stops.contains(p) => return j,
                Tok::Punct("(" | "[" | "{") => depth += 1,
                Tok::Punct(")" | "]" | "}") => {
                    if depth == 0 {
                        return j;
                    }
                    depth -= 1;
                }
                Tok::Punct(";") | Tok::CloseTag => return j,
                _ => {}
            }
            j += 1;
        }
        j
    }

    /// The definition made of tokens `start..end`.
    fn definition(&self, start: usize, end: usize) -> Definition {
        let toks = self.toks.get(start..end).unwrap_or_default();
        let literal = match toks {
            [one] => literal_of(&one.tok),
            [sign, one] if matches!(sign.tok, Tok::Punct("-" | "+")) => {
                let negate = matches!(sign.tok, Tok::Punct("-"));
                match &one.tok {
                    Tok::Lit(Literal::Int(i)) if negate => i.checked_neg().map(ConfigValue::Int),
                    Tok::Lit(Literal::Int(i)) => Some(ConfigValue::Int(*i)),
                    Tok::Lit(Literal::Float(f)) => {
                        Some(ConfigValue::Float(if negate { -f } else { *f }))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        match literal {
            Some(v) => Definition::Literal(v),
            None => Definition::Expression(self.source_text(toks)),
        }
    }

    /// The source text of `toks`, whitespace collapsed, at most 80 chars.
    fn source_text(&self, toks: &[Token]) -> String {
        let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
            return "(nothing)".to_owned();
        };
        let raw = self.src.get(first.start..last.end).unwrap_or_default();
        let collapsed: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.chars().count() > 80 {
            let short: String = collapsed.chars().take(77).collect();
            format!("{short}...")
        } else {
            collapsed
        }
    }

    /// `define ( NAME , VALUE [, …] )` at `self.i`.
    fn define(&mut self, line: usize) {
        let open = self.i + 1;
        if !matches!(self.tok(open), Some(Tok::Punct("("))) {
            self.i += 1;
            return;
        }
        let name_end = self.expression_end(open + 1, &[","]);
        let name = match self.toks.get(open + 1..name_end) {
            Some([t]) => match &t.tok {
                Tok::Lit(Literal::Str(s)) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        };
        let close = self.matching_paren(open);
        if let Some(name) = name
            && matches!(self.tok(name_end), Some(Tok::Punct(",")))
        {
            let value_end = self.expression_end(name_end + 1, &[","]);
            let value = self.definition(name_end + 1, value_end);
            self.record(name, value, line);
        }
        // Later tokens of this statement (`|| …`) are still read.
        self.i = close.max(self.i + 1);
    }

    /// `const NAME = VALUE [, NAME = VALUE];` at top level.
    fn constant(&mut self, line: usize) {
        let mut j = self.i + 1;
        while let (Some(Tok::Name(name)), Some(Tok::Punct("="))) = (self.tok(j), self.tok(j + 1)) {
            let end = self.expression_end(j + 2, &[",", ";"]);
            let value = self.definition(j + 2, end);
            self.record(name.clone(), value, line);
            j = end;
            if !matches!(self.tok(j), Some(Tok::Punct(","))) {
                break;
            }
            j += 1;
        }
        self.i = j.max(self.i + 1);
    }

    fn record(&mut self, name: String, value: Definition, line: usize) {
        let Some(reach) = self.reach(&name) else {
            return;
        };
        let after_include = self.first_include;
        self.entries.entry(name).or_default().push(Entry {
            value,
            line,
            reach,
            after_include,
        });
    }

    /// How a definition of `name` here is reached; `None` inside a function
    /// or class body.
    fn reach(&self, name: &str) -> Option<Reach> {
        if self.in_body() {
            return None;
        }
        let mut conditions: Vec<&[String]> = Vec::new();
        for (ctx, _) in &self.blocks {
            if let Ctx::Cond(g) = ctx {
                conditions.push(g);
            }
        }
        for (ctx, _) in &self.singles {
            if let Ctx::Cond(g) = ctx {
                conditions.push(g);
            }
        }
        if self.stmt_operator {
            conditions.push(&self.stmt_guards);
        }
        Some(match conditions.as_slice() {
            [] => Reach::Always,
            [only] if only.iter().any(|g| g == name) => Reach::Default,
            _ => Reach::Conditional,
        })
    }
}

fn literal_of(tok: &Tok) -> Option<ConfigValue> {
    match tok {
        Tok::Lit(Literal::Str(s)) => Some(ConfigValue::Str(s.clone())),
        Tok::Lit(Literal::Int(i)) => Some(ConfigValue::Int(*i)),
        Tok::Lit(Literal::Float(f)) => Some(ConfigValue::Float(*f)),
        Tok::Name(n) if n.eq_ignore_ascii_case("true") => Some(ConfigValue::Bool(true)),
        Tok::Name(n) if n.eq_ignore_ascii_case("false") => Some(ConfigValue::Bool(false)),
        Tok::Name(n) if n.eq_ignore_ascii_case("null") => Some(ConfigValue::Null),
        _ => None,
    }
}
