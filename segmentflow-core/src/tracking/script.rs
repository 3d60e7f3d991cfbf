//! Script tags as WordPress's script loader prints them.
//!
//! The plugin never prints `<script>` itself: it calls `wp_enqueue_script()`
//! and `wp_add_inline_script()`, and `WP_Scripts::do_item()` prints, for each
//! handle, the `before` inline block, the external tag, then the `after`
//! block. From WordPress 6.4 the tags come from `wp_get_script_tag()` /
//! `wp_get_inline_script_tag()` (double-quoted attributes, `id="{handle}-js"`,
//! `id="{handle}-js-{position}"`; the inline body is the blocks joined with
//! `\n`, trimmed, and wrapped in newlines). Two site-dependent variations are
//! modelled by [`ScriptLoader`]:
//!
//! * a theme without `add_theme_support( 'html5', 'script' )` gets
//!   `type="text/javascript"` first, boolean attributes as `defer="defer"`,
//!   and inline code wrapped in `/* <![CDATA[ */ … /* ]]> */` (with any `]]>`
//!   in the code split as `]]]]><![CDATA[>`);
//! * WordPress 6.9 appends `//# sourceURL={handle}-js-{position}` as the last
//!   line of each inline block.

/// How the site's WordPress prints scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScriptLoader {
    /// The active theme declares HTML5 script support (block themes and most
    /// modern themes do).
    pub html5_script: bool,
    /// WordPress 6.9 or later: inline blocks end with a `//# sourceURL=` line.
    pub source_url_comment: bool,
}

impl Default for ScriptLoader {
    /// WordPress 6.6 with an HTML5 theme.
    fn default() -> Self {
        Self {
            html5_script: true,
            source_url_comment: false,
        }
    }
}

/// Where in the page a tag is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    /// `wp_head`
    Head,
    /// `wp_footer`
    Footer,
}

/// Which side of its handle's external tag an inline block is printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InlinePosition {
    /// Printed before the external tag (`wp_add_inline_script( …, 'before' )`).
    Before,
    /// Printed after it (the default).
    After,
}

impl InlinePosition {
    /// `before` / `after`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Before => "before",
            Self::After => "after",
        }
    }
}

/// A loading strategy WordPress prints on an external tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// `defer`
    Defer,
    /// `async`
    Async,
}

impl Strategy {
    fn as_str(self) -> &'static str {
        match self {
            Self::Defer => "defer",
            Self::Async => "async",
        }
    }
}

/// One `<script>` element of the plugin's output.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ScriptTag {
    /// An enqueued file: `<script src="…" id="{handle}-js"></script>`.
    External {
        /// The script handle.
        handle: String,
        /// The final URL, `?ver=` included.
        src: String,
        /// The loading strategy WordPress kept, printed with `data-wp-strategy`.
        strategy: Option<Strategy>,
        /// Head or footer.
        placement: Placement,
    },
    /// Code attached with `wp_add_inline_script()`.
    Inline {
        /// The handle it is attached to.
        handle: String,
        /// Before or after the handle's tag.
        position: InlinePosition,
        /// The JavaScript, exactly as the plugin built it.
        code: String,
        /// Head or footer (the handle's group).
        placement: Placement,
    },
}

impl ScriptTag {
    /// Head or footer.
    pub fn placement(&self) -> Placement {
        match self {
            Self::External { placement, .. } | Self::Inline { placement, .. } => *placement,
        }
    }

    /// The HTML WordPress prints for this tag (ending in a newline).
    pub fn render(&self, loader: ScriptLoader) -> String {
        match self {
            Self::External {
                handle,
                src,
                strategy,
                ..
            } => {
                let mut attrs: Vec<(&str, AttrValue<'_>)> = Vec::with_capacity(5);
                if !loader.html5_script {
                    attrs.push(("type", AttrValue::Text("text/javascript")));
                }
                attrs.push(("src", AttrValue::Text(src)));
                let id = format!("{handle}-js");
                attrs.push(("id", AttrValue::Text(&id)));
                if let Some(s) = strategy {
                    attrs.push((s.as_str(), AttrValue::Flag));
                    attrs.push(("data-wp-strategy", AttrValue::Text(s.as_str())));
                }
                format!("<script{}></script>\n", attributes(&attrs, loader))
            }
            Self::Inline {
                handle,
                position,
                code,
                ..
            } => {
                let id = format!("{handle}-js-{}", position.as_str());
                // get_inline_script_data(): blocks joined with "\n" (6.9 adds
                // the sourceURL line as one more block), then trimmed of "\n".
                let mut data = code.clone();
                if loader.source_url_comment {
                    data.push_str("\n//# sourceURL=");
                    data.push_str(&crate::consent::encode_wire_value(
                        &id,
                        crate::consent::Side::Php,
                    ));
                }
                let mut data = data.trim_matches('\n').to_owned();
                let mut attrs: Vec<(&str, AttrValue<'_>)> = Vec::with_capacity(2);
                if !loader.html5_script {
                    attrs.push(("type", AttrValue::Text("text/javascript")));
                    data = format!(
                        "/* <![CDATA[ */\n{}\n/* ]]> */",
                        data.replace("]]>", "]]]]><![CDATA[>")
                    );
                }
                attrs.push(("id", AttrValue::Text(&id)));
                let body = data.trim_matches(|c| matches!(c, '\n' | '\r' | ' '));
                format!(
                    "<script{}>\n{body}\n</script>\n",
                    attributes(&attrs, loader)
                )
            }
        }
    }
}

enum AttrValue<'a> {
    Text(&'a str),
    Flag,
}

/// `wp_sanitize_script_attributes()`.
fn attributes(attrs: &[(&str, AttrValue<'_>)], loader: ScriptLoader) -> String {
    let mut out = String::new();
    for (name, value) in attrs {
        match value {
            AttrValue::Flag if loader.html5_script => {
                out.push(' ');
                out.push_str(&esc_attr(name));
            }
            AttrValue::Flag => {
                out.push_str(&format!(" {0}=\"{0}\"", esc_attr(name)));
            }
            AttrValue::Text(v) => {
                out.push_str(&format!(" {}=\"{}\"", esc_attr(name), esc_attr(v)));
            }
        }
    }
    out
}

/// WordPress `esc_attr()`: `&`, `<`, `>`, `"` and `'` as entities, without
/// double-encoding an `&` that already starts a valid entity.
pub fn esc_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        match c {
            '&' if starts_entity(text.get(i..).unwrap_or("")) => out.push('&'),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#039;"),
            c => out.push(c),
        }
    }
    out
}

/// WordPress `esc_js()` for the short strings the plugin passes it (its
/// version number): HTML special characters as entities, `'` as `\'`, line
/// breaks as `\n`, carriage returns dropped.
pub fn esc_js(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\r' => {}
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `s` (starting at `&`) is a named, decimal or hex character reference.
fn starts_entity(s: &str) -> bool {
    let Some(body) = s.strip_prefix('&') else {
        return false;
    };
    let Some(end) = body.find(';') else {
        return false;
    };
    let name = body.get(..end).unwrap_or("");
    if let Some(num) = name.strip_prefix('#') {
        if let Some(hex) = num.strip_prefix(['x', 'X']) {
            return !hex.is_empty() && hex.len() <= 6 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        }
        return !num.is_empty() && num.len() <= 7 && num.bytes().all(|b| b.is_ascii_digit());
    }
    !name.is_empty() && name.len() <= 32 && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sdk(strategy: Option<Strategy>) -> ScriptTag {
        ScriptTag::External {
            handle: "segmentflow-sdk".into(),
            src: "https://cdn.cloud.segmentflow.ai/v1/sdk.js?ver=2.4.0".into(),
            strategy,
            placement: Placement::Head,
        }
    }

    #[test]
    fn external_tags() {
        let html5 = ScriptLoader::default();
        let classic = ScriptLoader {
            html5_script: false,
            ..ScriptLoader::default()
        };
        let cases = [
            (
                sdk(None),
                html5,
                "<script src=\"https://cdn.cloud.segmentflow.ai/v1/sdk.js?ver=2.4.0\" id=\"segmentflow-sdk-js\"></script>\n",
            ),
            (
                sdk(None),
                classic,
                "<script type=\"text/javascript\" src=\"https://cdn.cloud.segmentflow.ai/v1/sdk.js?ver=2.4.0\" id=\"segmentflow-sdk-js\"></script>\n",
            ),
            (
                sdk(Some(Strategy::Defer)),
                html5,
                "<script src=\"https://cdn.cloud.segmentflow.ai/v1/sdk.js?ver=2.4.0\" id=\"segmentflow-sdk-js\" defer data-wp-strategy=\"defer\"></script>\n",
            ),
            (
                sdk(Some(Strategy::Defer)),
                classic,
                "<script type=\"text/javascript\" src=\"https://cdn.cloud.segmentflow.ai/v1/sdk.js?ver=2.4.0\" id=\"segmentflow-sdk-js\" defer=\"defer\" data-wp-strategy=\"defer\"></script>\n",
            ),
        ];
        for (tag, loader, want) in cases {
            assert_eq!(tag.render(loader), want);
        }
    }

    #[test]
    fn inline_tags() {
        let tag = ScriptTag::Inline {
            handle: "segmentflow-sdk".into(),
            position: InlinePosition::Before,
            code: "\nvar a = \"]]>\";\n".into(),
            placement: Placement::Head,
        };
        let cases = [
            (
                ScriptLoader::default(),
                "<script id=\"segmentflow-sdk-js-before\">\nvar a = \"]]>\";\n</script>\n",
            ),
            (
                ScriptLoader {
                    html5_script: false,
                    source_url_comment: false,
                },
                "<script type=\"text/javascript\" id=\"segmentflow-sdk-js-before\">\n/* <![CDATA[ */\nvar a = \"]]]]><![CDATA[>\";\n/* ]]> */\n</script>\n",
            ),
            (
                ScriptLoader {
                    html5_script: true,
                    source_url_comment: true,
                },
                "<script id=\"segmentflow-sdk-js-before\">\nvar a = \"]]>\";\n\n//# sourceURL=segmentflow-sdk-js-before\n</script>\n",
            ),
        ];
        for (loader, want) in cases {
            assert_eq!(tag.render(loader), want, "{loader:?}");
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(
            esc_attr(r#"a&b "c" <d> 'e' &amp; &#038; &#x26; &bogus"#),
            "a&amp;b &quot;c&quot; &lt;d&gt; &#039;e&#039; &amp; &#038; &#x26; &amp;bogus"
        );
        assert_eq!(esc_js("2.4.0"), "2.4.0");
        assert_eq!(esc_js("1'<x>\"\n"), "1\\'&lt;x&gt;&quot;\\n");
    }
}
