//! WordPress content filters the products response runs on text:
//! `wpautop()` (descriptions, purchase notes) and the `wptexturize()` part of
//! the `woocommerce_short_description` filter chain.
//!
//! `wpautop` is ported rule by rule (without the `<pre>`, `<option>`,
//! `<object>`, `<source>`/`<track>` and `<figcaption>` special cases).
//! `wptexturize` covers the static replacements and the dash, ellipsis,
//! `x`-between-digits, apostrophe and quote rules on text outside tags; it
//! does not reproduce `convert_smilies` (smiley images) or shortcodes
//! (`do_shortcode` is a no-op here: the sync has no shortcode handlers).

use regex::Regex;
use std::sync::LazyLock;

const ALLBLOCKS: &str = "(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)";

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex is valid")
}

struct AutopRegexes {
    double_br: Regex,
    block_open: Regex,
    block_close: Regex,
    hr: Regex,
    tag: Regex,
    many_nl: Regex,
    split: Regex,
    empty_p: Regex,
    missing_close: Regex,
    wrapped_block: Regex,
    wrapped_li: Regex,
    blockquote_open: Regex,
    p_before_block: Regex,
    p_after_block: Regex,
    preserve: [Regex; 4],
    br_after_block: Regex,
    br_before_block: Regex,
    trailing_p: Regex,
}

static AUTOP: LazyLock<AutopRegexes> = LazyLock::new(|| AutopRegexes {
    double_br: re(r"<br\s*/?>\s*<br\s*/?>"),
    block_open: re(&format!(r"(<{ALLBLOCKS}[\s/>])")),
    block_close: re(&format!(r"(</{ALLBLOCKS}>)")),
    hr: re(r"(<hr\s*?/?>)"),
    tag: re(r"<[^<>]*>"),
    many_nl: re("\n\n+"),
    split: re(r"\n\s*\n"),
    empty_p: re(r"<p>\s*</p>"),
    missing_close: re(r"<p>([^<]+)</(div|address|form)>"),
    wrapped_block: re(&format!(r"<p>\s*(</?{ALLBLOCKS}[^>]*>)\s*</p>")),
    wrapped_li: re(r"<p>(<li.+?)</p>"),
    blockquote_open: re(r"(?i)<p><blockquote([^>]*)>"),
    p_before_block: re(&format!(r"<p>\s*(</?{ALLBLOCKS}[^>]*>)")),
    p_after_block: re(&format!(r"(</?{ALLBLOCKS}[^>]*>)\s*</p>")),
    preserve: [
        re(r"(?s)<script.*?</script>"),
        re(r"(?s)<style.*?</style>"),
        re(r"(?s)<svg.*?</svg>"),
        re(r"(?s)<math.*?</math>"),
    ],
    br_after_block: re(&format!(r"(</?{ALLBLOCKS}[^>]*>)\s*<br />")),
    br_before_block: re(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)"),
    trailing_p: re("\n</p>$"),
});

fn is_pcre_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}')
}

/// `(?<!<br />)\s*\n` ⇒ `<br />\n`, with PCRE's scanning semantics.
fn newlines_to_br(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        if !out.ends_with("<br />") {
            let mut j = i;
            let mut last_nl = None;
            while j < chars.len() && is_pcre_space(chars[j]) {
                if chars[j] == '\n' {
                    last_nl = Some(j);
                }
                j += 1;
            }
            if let Some(end) = last_nl {
                out.push_str("<br />\n");
                i = end + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// `wpautop( $text )` with `$br = true`.
pub fn wpautop(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    // One line without markup (item meta values, most short texts): no rule
    // but the paragraph wrap applies, so skip the twenty regex passes.
    if !text.contains(['<', '>', '\n', '\r']) {
        return format!("<p>{text}</p>\n");
    }
    autop_rules(text)
}

/// Every `wpautop()` rule, in order, on a text that is not blank.
fn autop_rules(text: &str) -> String {
    let r = &*AUTOP;
    let mut text = format!("{text}\n");
    text = r.double_br.replace_all(&text, "\n\n").into_owned();
    text = r.block_open.replace_all(&text, "\n\n$1").into_owned();
    text = r.block_close.replace_all(&text, "$1\n\n").into_owned();
    text = r.hr.replace_all(&text, "$1\n\n").into_owned();
    text = text.replace("\r\n", "\n").replace('\r', "\n");
    text = r
        .tag
        .replace_all(&text, |c: &regex::Captures<'_>| {
            c[0].replace('\n', " <!-- wpnl --> ")
        })
        .into_owned();
    text = r.many_nl.replace_all(&text, "\n\n").into_owned();
    let paragraphs: Vec<&str> = r.split.split(&text).filter(|p| !p.is_empty()).collect();
    let mut rebuilt = String::new();
    for p in paragraphs {
        rebuilt.push_str("<p>");
        rebuilt.push_str(p.trim_matches('\n'));
        rebuilt.push_str("</p>\n");
    }
    text = rebuilt;
    text = r.empty_p.replace_all(&text, "").into_owned();
    text = r
        .missing_close
        .replace_all(&text, "<p>$1</p></$2>")
        .into_owned();
    text = r.wrapped_block.replace_all(&text, "$1").into_owned();
    text = r.wrapped_li.replace_all(&text, "$1").into_owned();
    text = r
        .blockquote_open
        .replace_all(&text, "<blockquote$1><p>")
        .into_owned();
    text = text.replace("</blockquote></p>", "</p></blockquote>");
    text = r.p_before_block.replace_all(&text, "$1").into_owned();
    text = r.p_after_block.replace_all(&text, "$1").into_owned();
    for p in &r.preserve {
        text = p
            .replace_all(&text, |c: &regex::Captures<'_>| {
                c[0].replace('\n', "<WPPreserveNewline />")
            })
            .into_owned();
    }
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />");
    text = newlines_to_br(&text);
    text = text.replace("<WPPreserveNewline />", "\n");
    text = r.br_after_block.replace_all(&text, "$1").into_owned();
    text = r.br_before_block.replace_all(&text, "$1").into_owned();
    text = r.trailing_p.replace_all(&text, "</p>").into_owned();
    if text.contains("<!-- wpnl -->") {
        text = text
            .replace(" <!-- wpnl --> ", "\n")
            .replace("<!-- wpnl -->", "\n");
    }
    text
}

/// The `wptexturize()` rules listed in the module doc, on text outside tags.
pub fn wptexturize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(0) => {
                let end = rest.find('>').map(|e| e + 1).unwrap_or(rest.len());
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
            Some(pos) => {
                out.push_str(&texturize_text(&rest[..pos]));
                rest = &rest[pos..];
            }
            None => {
                out.push_str(&texturize_text(rest));
                rest = "";
            }
        }
    }
    out
}

fn texturize_text(s: &str) -> String {
    let mut t = s
        .replace("...", "&#8230;")
        .replace("``", "&#8220;")
        .replace("''", "&#8221;");
    t = t.replace(" (tm)", " &#8482;");
    t = t.replace("---", "&#8212;");
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    let space_or_edge = |idx: Option<usize>, chars: &[char]| -> bool {
        match idx {
            None => true,
            Some(k) => k >= chars.len() || chars[k].is_whitespace(),
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let prev = if i == 0 { None } else { Some(i - 1) };
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            let before = space_or_edge(prev, &chars);
            let after = space_or_edge(Some(i + 2), &chars);
            let xn = i >= 2 && chars[i - 2] == 'x' && chars[i - 1] == 'n';
            if before && after {
                out.push_str("&#8212;");
                i += 2;
                continue;
            } else if !xn {
                out.push_str("&#8211;");
                i += 2;
                continue;
            }
        }
        if c == '-' && space_or_edge(prev, &chars) && space_or_edge(Some(i + 1), &chars) {
            out.push_str("&#8211;");
            i += 1;
            continue;
        }
        if c == 'x'
            && prev.is_some_and(|p| chars[p].is_ascii_digit())
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit())
        {
            out.push_str("&#215;");
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        let closing_context = next.is_none_or(|n| n.is_whitespace() || ".,:;!?)}-]".contains(n));
        if c == '\'' {
            let p = prev.map(|p| chars[p]);
            let entity = if p.is_none_or(|p| p.is_whitespace() || "([{\"-".contains(p)) {
                "&#8216;"
            } else if p.is_some_and(|p| p.is_ascii_digit()) && closing_context {
                "&#8242;"
            } else {
                "&#8217;"
            };
            out.push_str(entity);
            i += 1;
            continue;
        }
        if c == '"' {
            let p = prev.map(|p| chars[p]);
            let entity = if p.is_none_or(|p| p.is_whitespace() || "([{-".contains(p))
                && !next.is_some_and(char::is_whitespace)
            {
                "&#8220;"
            } else if p.is_some_and(|p| p.is_ascii_digit()) && closing_context {
                "&#8243;"
            } else {
                "&#8221;"
            };
            out.push_str(entity);
            i += 1;
            continue;
        }
        if c == '&' {
            let tail: String = chars[i + 1..].iter().take(16).collect();
            out.push_str(if starts_with_entity(&tail) {
                "&"
            } else {
                "&#038;"
            });
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Whether text after `&` is `#123;`, `#x1f;` or a named entity of 1–8
/// characters from `[a-z1-4]`.
fn starts_with_entity(tail: &str) -> bool {
    let Some(end) = tail.find(';') else {
        return false;
    };
    let body = &tail[..end];
    if let Some(num) = body.strip_prefix('#') {
        if let Some(hex) = num.strip_prefix(['x', 'X']) {
            return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
        }
        return !num.is_empty() && num.chars().all(|c| c.is_ascii_digit());
    }
    (1..=8).contains(&body.len())
        && body
            .chars()
            .all(|c| c.is_ascii_alphabetic() || ('1'..='4').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn one_line_without_markup_takes_the_short_way(s in "[^<>\n\r]*") {
            proptest::prop_assume!(!s.trim().is_empty());
            proptest::prop_assert_eq!(wpautop(&s), autop_rules(&s));
        }
    }

    #[test]
    fn autop_cases() {
        let cases = [
            ("", ""),
            ("Short description.", "<p>Short description.</p>\n"),
            (
                "<p>A — b.</p><p>C 1–2 d.</p>",
                "<p>A — b.</p>\n<p>C 1–2 d.</p>\n",
            ),
            (
                "<p>Classic Crew T-Shirt</p>",
                "<p>Classic Crew T-Shirt</p>\n",
            ),
            (
                "line one\nline two\n\npara two",
                "<p>line one<br />\nline two</p>\n<p>para two</p>\n",
            ),
            (
                "<ul><li>a</li><li>b</li></ul>",
                "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(wpautop(input), want, "input {input:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn filters_keep_plain_text(input in "[a-wyzA-Z0-9 .,]{0,40}") {
            // Without quotes, dashes, ampersands, tags or `x` (2x3), texturize is the identity
            // (an ellipsis aside) and autop only wraps the text.
            let text = input.replace("...", "");
            proptest::prop_assert_eq!(wptexturize(&text), text.clone());
            let wrapped = wpautop(&text);
            if text.trim().is_empty() {
                proptest::prop_assert_eq!(wrapped, "");
            } else {
                proptest::prop_assert!(wrapped.starts_with("<p>") && wrapped.ends_with("</p>\n"));
            }
        }
    }

    #[test]
    fn texturize_cases() {
        let cases = [
            (
                "Now with reinforced handles.",
                "Now with reinforced handles.",
            ),
            ("Wait...", "Wait&#8230;"),
            ("a -- b", "a &#8212; b"),
            ("1-2 and a - b", "1-2 and a &#8211; b"),
            ("it's \"quoted\"", "it&#8217;s &#8220;quoted&#8221;"),
            ("2x3 cm", "2&#215;3 cm"),
            ("<a href=\"x\">it's</a>", "<a href=\"x\">it&#8217;s</a>"),
            (
                "Fish & Chips &amp; more &#36; &#x24; &#zz;",
                "Fish &#038; Chips &amp; more &#36; &#x24; &#038;#zz;",
            ),
            (
                "a 12\" screen, 5' tall",
                "a 12&#8243; screen, 5&#8242; tall",
            ),
            (
                "Sticker Pack \"Hello Ñandú\".",
                "Sticker Pack &#8220;Hello Ñandú&#8221;.",
            ),
            ("say \" hi", "say &#8221; hi"),
        ];
        for (input, want) in cases {
            assert_eq!(wptexturize(input), want, "input {input:?}");
        }
    }
}
