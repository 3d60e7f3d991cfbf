//! Cookie writes rendered as the text each side sends.
//!
//! The PHP plugin calls `setcookie($name, $value, ['expires' => time() +
//! LIFETIME, 'path' => '/', 'domain' => '', 'secure' => is_ssl(), 'httponly'
//! => false, 'samesite' => 'Lax'])`. PHP 8.2 turns that into a header of this
//! exact shape (checked with `php -S` and `curl -I`):
//!
//! ```text
//! Set-Cookie: sf_consent=eyJhIjoxLCJtIjoxfQ%3D%3D; expires=Sun, 28 Nov 2027 00:36:06 GMT; Max-Age=31536000; path=/; secure; SameSite=Lax
//! ```
//!
//! The value is percent-encoded like `rawurlencode`; an empty value (the
//! plugin's `clear()`) becomes `deleted` with a 1970 expiry and `Max-Age=0`.
//! The browser bundle instead assigns `document.cookie = "name=<encodeURIComponent>;
//! Max-Age=N; Path=/; SameSite=Lax; Secure"`; [`SetCookie::render`] gives that
//! string for [`Side::Browser`] writes.

use super::cookie::{Side, encode_wire_value};

/// One cookie write by the PHP plugin or the browser bundle.
///
/// Both of the plugin's cookies are first-party, `Path=/`, `SameSite=Lax`,
/// never `HttpOnly` (the browser must read them), `Secure` only on HTTPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    /// Cookie name.
    pub name: String,
    /// The value before percent-encoding; empty for a deletion.
    pub value: String,
    /// Lifetime in seconds from the moment of the write; `0` deletes.
    pub lifetime: i64,
    /// Whether `Secure` is set (the plugin uses `is_ssl()` / `https:`).
    pub secure: bool,
    /// Who writes it, which decides the rendering.
    pub writer: Side,
}

impl SetCookie {
    /// A write of `value` kept for `lifetime` seconds.
    pub fn new(name: &str, value: String, lifetime: i64, secure: bool, writer: Side) -> Self {
        Self {
            name: name.to_owned(),
            value,
            lifetime,
            secure,
            writer,
        }
    }

    /// A deletion (PHP `clear()`: empty value, expiry an hour ago; browser
    /// `remove()`: empty value, `Max-Age=0`).
    pub fn delete(name: &str, secure: bool, writer: Side) -> Self {
        Self::new(name, String::new(), 0, secure, writer)
    }

    /// Whether this write removes the cookie.
    pub fn is_deletion(&self) -> bool {
        self.value.is_empty() || self.lifetime <= 0
    }

    /// The header value (PHP) or `document.cookie` string (browser) at Unix
    /// time `now`.
    ///
    /// ```
    /// use segmentflow_core::consent::{ConsentCookie, Side};
    /// let header = ConsentCookie::new(true, true).set_cookie(Side::Php, true).render(1_795_826_166);
    /// assert_eq!(
    ///     header,
    ///     "sf_consent=eyJhIjoxLCJtIjoxfQ%3D%3D; expires=Sun, 28 Nov 2027 00:36:06 GMT; \
    ///      Max-Age=31536000; path=/; secure; SameSite=Lax"
    /// );
    /// ```
    pub fn render(&self, now: i64) -> String {
        match self.writer {
            Side::Php => self.render_php(now),
            Side::Browser => self.render_browser(),
        }
    }

    /// `Set-Cookie: …` as a full header line (PHP writes only).
    pub fn header_line(&self, now: i64) -> String {
        format!("Set-Cookie: {}", self.render(now))
    }

    fn render_php(&self, now: i64) -> String {
        let mut out = String::with_capacity(160);
        out.push_str(&self.name);
        out.push('=');
        if self.value.is_empty() {
            // php_setcookie(): an empty value always becomes a deletion.
            out.push_str("deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0");
        } else {
            let expires = now.saturating_add(self.lifetime);
            out.push_str(&encode_wire_value(&self.value, Side::Php));
            out.push_str("; expires=");
            out.push_str(&http_date(expires));
            out.push_str("; Max-Age=");
            out.push_str(&expires.saturating_sub(now).max(0).to_string());
        }
        out.push_str("; path=/");
        if self.secure {
            out.push_str("; secure");
        }
        out.push_str("; SameSite=Lax");
        out
    }

    fn render_browser(&self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        if self.is_deletion() {
            format!("{}=; Max-Age=0; Path=/; SameSite=Lax{secure}", self.name)
        } else {
            format!(
                "{}={}; Max-Age={}; Path=/; SameSite=Lax{secure}",
                self.name,
                encode_wire_value(&self.value, Side::Browser),
                self.lifetime
            )
        }
    }
}

/// `D, d M Y H:i:s GMT`, as PHP prints cookie expiry dates. Times past year
/// 9999 (which PHP refuses to send) print as the last second of 9999.
fn http_date(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|ts| ts.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_else(|_| "Fri, 31 Dec 9999 23:59:59 GMT".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_rendering_matches_php_8_2() {
        // Produced by PHP 8.2 `setcookie()` under `php -S`, see module docs.
        let cases = [
            (
                SetCookie::new(
                    "sf_consent",
                    "x-_.~!*()'".into(),
                    31_536_000,
                    false,
                    Side::Php,
                ),
                1_795_826_166,
                "sf_consent=x-_.~%21%2A%28%29%27; expires=Sun, 28 Nov 2027 00:36:06 GMT; Max-Age=31536000; path=/; SameSite=Lax",
            ),
            (
                SetCookie::delete("sf_consent", true, Side::Php),
                1_700_000_000,
                "sf_consent=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; path=/; secure; SameSite=Lax",
            ),
            (
                SetCookie::new("sf_id", "eyJhIjoiYiJ9".into(), 63_072_000, true, Side::Php),
                0,
                "sf_id=eyJhIjoiYiJ9; expires=Sat, 01 Jan 1972 00:00:00 GMT; Max-Age=63072000; path=/; secure; SameSite=Lax",
            ),
        ];
        for (cookie, now, want) in cases {
            assert_eq!(cookie.render(now), want);
        }
    }

    #[test]
    fn browser_rendering_matches_consent_ts() {
        let write = SetCookie::new(
            "sf_consent",
            "eyJhIjoxLCJtIjowfQ==".into(),
            31_536_000,
            true,
            Side::Browser,
        );
        assert_eq!(
            write.render(0),
            "sf_consent=eyJhIjoxLCJtIjowfQ%3D%3D; Max-Age=31536000; Path=/; SameSite=Lax; Secure"
        );
        let remove = SetCookie::delete("sf_utm", false, Side::Browser);
        assert_eq!(remove.render(0), "sf_utm=; Max-Age=0; Path=/; SameSite=Lax");
    }

    #[test]
    fn far_future_does_not_panic() {
        let c = SetCookie::new("sf_id", "v".into(), i64::MAX, false, Side::Php);
        assert!(c.render(i64::MAX - 5).contains("9999"));
        assert_eq!(
            c.header_line(0).split(';').next(),
            Some("Set-Cookie: sf_id=v")
        );
    }
}
