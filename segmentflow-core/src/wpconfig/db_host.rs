//! `DB_HOST`: how WordPress splits it and where PHP then connects.
//!
//! [`DbHost::parse`] mirrors `wpdb::parse_db_host()` (WordPress 4.9+):
//!
//! 1. everything after the first `:/` is the socket path (the `/` included),
//!    the part before it the host;
//! 2. a host part with more than one `:` is IPv6: an optional `[`, then the
//!    longest run of hex digits and colons, then optionally `]:digits` as the
//!    port — it fails to parse when the host part does not start that way;
//! 3. otherwise the host is everything up to the first `:` or `/`, followed
//!    optionally by `:digits` as the port;
//! 4. a host of `""` or `"0"` (PHP's `empty()`) is the empty host; a port of
//!    `"0"` is no port.
//!
//! Whatever the patterns leave over (`:notaport` in `host:notaport`) is
//! silently ignored by WordPress; [`DbHost::ignored`] keeps it so a caller can
//! warn. One addition: a leading `p:` (mysqli's "persistent connection"
//! marker, honoured by WP-CLI's `mysql_host_to_cli_args`) is stripped first
//! and recorded in [`DbHost::persistent`]. WordPress's own parser does not
//! strip it and would read `p:localhost` as host `p`; mysqli strips it itself
//! when given the string whole.
//!
//! [`DbHost::endpoint`] then decides what PHP's mysqlnd does with the parts
//! (checked against PHP 8.2 and MariaDB): an empty host or `localhost` (any
//! letter case) connects to a **Unix socket** — the given socket, or the
//! `mysqli.default_socket` ini value — and ignores the port; any other host,
//! `127.0.0.1` included, connects over **TCP** to the port (3306 when absent
//! or 0) and ignores the socket. A Rust MySQL client handed `localhost` would
//! use TCP and could log in as a different MySQL account
//! (`user@127.0.0.1` instead of `user@localhost`), hence this step.

use serde::Serialize;

/// The MySQL port used when none is given (`mysqli.default_port`).
pub const DEFAULT_PORT: u16 = 3306;

/// The Unix socket path Debian's and Ubuntu's PHP and MariaDB packages use,
/// a sensible default for the `default_socket` argument of
/// [`DbHost::endpoint`] when PHP cannot be asked.
pub const DEBIAN_DEFAULT_SOCKET: &str = "/run/mysqld/mysqld.sock";

/// `DB_HOST` split into its parts, as `wpdb::parse_db_host()` splits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbHost {
    /// The host name or address (`""` when only a socket is given). IPv6
    /// addresses are given without brackets.
    pub host: String,
    /// The port, when one was given (absent for `0`).
    pub port: Option<u16>,
    /// The socket path, when one was given (`:/path`).
    pub socket: Option<String>,
    /// Whether the host part was read as an IPv6 address.
    pub is_ipv6: bool,
    /// Whether a leading `p:` (persistent connection) was stripped.
    pub persistent: bool,
    /// Text after the host and port that WordPress silently ignores.
    pub ignored: Option<String>,
}

/// A `DB_HOST` value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbHostError {
    /// `parse_db_host()` returns false: a host part with two or more colons
    /// that is not an IPv6 address. (WordPress would then hand the whole
    /// string to mysqli as a host name, which cannot resolve.)
    #[error(
        "DB_HOST {value:?} cannot be parsed: it has several ':' but is not an IPv6 address ([addr]:port)"
    )]
    Unparseable {
        /// The `DB_HOST` value.
        value: String,
    },
    /// The port is larger than 65535.
    #[error("DB_HOST {value:?} has port {port}, which is not a TCP port (1-65535)")]
    PortOutOfRange {
        /// The `DB_HOST` value.
        value: String,
        /// The digits given as port.
        port: String,
    },
}

/// Where to connect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "transport", rename_all = "snake_case")]
pub enum DbEndpoint {
    /// A Unix socket.
    Socket {
        /// The socket path.
        path: String,
    },
    /// TCP.
    Tcp {
        /// Host name or address (IPv6 without brackets).
        host: String,
        /// Port.
        port: u16,
        /// Whether `host` is an IPv6 address.
        is_ipv6: bool,
    },
}

/// A part of `DB_HOST` that PHP does not use for the chosen transport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "ignored", rename_all = "snake_case")]
pub enum EndpointNote {
    /// A port given with `localhost`: the socket is used instead.
    PortIgnored {
        /// The port.
        port: u16,
    },
    /// A socket given with a TCP host.
    SocketIgnored {
        /// The socket path.
        socket: String,
    },
}

/// The endpoint and the parts of `DB_HOST` it leaves unused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedEndpoint {
    /// Where to connect.
    pub endpoint: DbEndpoint,
    /// What PHP ignores (worth a warning: the site owner may expect otherwise).
    pub notes: Vec<EndpointNote>,
}

impl DbHost {
    /// Splits `value` (the `DB_HOST` constant) as WordPress does.
    pub fn parse(value: &str) -> Result<DbHost, DbHostError> {
        let (persistent, rest) = match value.strip_prefix("p:") {
            Some(rest) => (true, rest),
            None => (false, value),
        };
        let (host_part, socket) = match rest.find(":/") {
            Some(pos) => (&rest[..pos], Some(rest[pos + 1..].to_owned())),
            None => (rest, None),
        };
        let colons = host_part.bytes().filter(|&b| b == b':').count();
        let (host, port_digits, consumed, is_ipv6) = if colons > 1 {
            // #^(?:\[)?(?P<host>[0-9a-fA-F:]+)(?:\]:(?P<port>[\d]+))?#
            let bracket = usize::from(host_part.starts_with('['));
            let after = &host_part[bracket..];
            let host_len = after
                .bytes()
                .take_while(|b| b.is_ascii_hexdigit() || *b == b':')
                .count();
            if host_len == 0 {
                return Err(DbHostError::Unparseable {
                    value: value.to_owned(),
                });
            }
            let host = &after[..host_len];
            let tail = &after[host_len..];
            let digits = tail
                .strip_prefix("]:")
                .map(|t| &t[..t.bytes().take_while(u8::is_ascii_digit).count()])
                .filter(|d| !d.is_empty());
            let mut consumed = bracket + host_len + digits.map_or(0, |d| d.len() + 2);
            // A closing bracket without a port is part of the address form,
            // not ignored text.
            if digits.is_none() && bracket == 1 && tail.starts_with(']') {
                consumed += 1;
            }
            (host, digits, consumed, true)
        } else {
            // #^(?P<host>[^:/]*)(?::(?P<port>[\d]+))?#
            let host_len = host_part
                .bytes()
                .take_while(|b| *b != b':' && *b != b'/')
                .count();
            let host = &host_part[..host_len];
            let digits = host_part[host_len..]
                .strip_prefix(':')
                .map(|t| &t[..t.bytes().take_while(u8::is_ascii_digit).count()])
                .filter(|d| !d.is_empty());
            let consumed = host_len + digits.map_or(0, |d| d.len() + 1);
            (host, digits, consumed, false)
        };
        // PHP's empty(): "" and "0" are empty.
        let host = if host == "0" { "" } else { host };
        let port = match port_digits {
            None | Some("0") => None,
            Some(digits) => {
                let trimmed = digits.trim_start_matches('0');
                match trimmed.parse::<u16>() {
                    Ok(port) => Some(port),
                    // All zeros but not "0" ("00"): absint gives 0, no port.
                    Err(_) if trimmed.is_empty() => None,
                    Err(_) => {
                        return Err(DbHostError::PortOutOfRange {
                            value: value.to_owned(),
                            port: digits.to_owned(),
                        });
                    }
                }
            }
        };
        let leftover = &host_part[consumed..];
        Ok(DbHost {
            host: host.to_owned(),
            port,
            socket,
            is_ipv6,
            persistent,
            ignored: (!leftover.is_empty()).then(|| leftover.to_owned()),
        })
    }

    /// Whether mysqlnd connects through a Unix socket for this host: the
    /// host is empty or `localhost` in any letter case.
    pub fn uses_socket(&self) -> bool {
        self.host.is_empty() || self.host.eq_ignore_ascii_case("localhost")
    }

    /// Where PHP's mysqli would connect, given the `mysqli.default_socket`
    /// value `default_socket` (see [`DEBIAN_DEFAULT_SOCKET`]).
    pub fn endpoint(&self, default_socket: &str) -> ResolvedEndpoint {
        let mut notes = Vec::new();
        let endpoint = if self.uses_socket() {
            if let Some(port) = self.port {
                notes.push(EndpointNote::PortIgnored { port });
            }
            DbEndpoint::Socket {
                path: self
                    .socket
                    .clone()
                    .unwrap_or_else(|| default_socket.to_owned()),
            }
        } else {
            if let Some(socket) = &self.socket {
                notes.push(EndpointNote::SocketIgnored {
                    socket: socket.clone(),
                });
            }
            DbEndpoint::Tcp {
                host: self.host.clone(),
                port: self.port.unwrap_or(DEFAULT_PORT),
                is_ipv6: self.is_ipv6,
            }
        };
        ResolvedEndpoint { endpoint, notes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOCK: &str = "/run/mysqld/mysqld.sock";

    fn sock(path: &str) -> DbEndpoint {
        DbEndpoint::Socket { path: path.into() }
    }

    fn tcp(host: &str, port: u16, is_ipv6: bool) -> DbEndpoint {
        DbEndpoint::Tcp {
            host: host.into(),
            port,
            is_ipv6,
        }
    }

    /// (DB_HOST, host, port, socket, is_ipv6, ignored, endpoint). The parsed
    /// parts were checked against WordPress 6.1's `wpdb::parse_db_host()`
    /// under PHP 8.2 (with `p:` stripped first); the endpoints against
    /// `mysqli_real_connect()` with mysqlnd.
    #[allow(clippy::type_complexity)]
    const CASES: &[(&str, &str, Option<u16>, Option<&str>, bool, Option<&str>)] = &[
        ("localhost", "localhost", None, None, false, None),
        ("localhost:3307", "localhost", Some(3307), None, false, None),
        (
            "localhost:/var/run/mysqld/mysqld.sock",
            "localhost",
            None,
            Some("/var/run/mysqld/mysqld.sock"),
            false,
            None,
        ),
        (
            ":/tmp/mysql.sock",
            "",
            None,
            Some("/tmp/mysql.sock"),
            false,
            None,
        ),
        ("127.0.0.1:3306", "127.0.0.1", Some(3306), None, false, None),
        ("127.0.0.1", "127.0.0.1", None, None, false, None),
        (
            "db.example:3306",
            "db.example",
            Some(3306),
            None,
            false,
            None,
        ),
        ("db.example", "db.example", None, None, false, None),
        ("[::1]:3306", "::1", Some(3306), None, true, None),
        ("::1", "::1", None, None, true, None),
        ("[::1]", "::1", None, None, true, None),
        ("p:localhost", "localhost", None, None, false, None),
        ("", "", None, None, false, None),
        (
            "host:notaport",
            "host",
            None,
            None,
            false,
            Some(":notaport"),
        ),
        ("2001:db8::1", "2001:db8::1", None, None, true, None),
        (
            "[2001:db8::1]:3307",
            "2001:db8::1",
            Some(3307),
            None,
            true,
            None,
        ),
        (
            "db.example:3306:x",
            "db",
            None,
            None,
            true,
            Some(".example:3306:x"),
        ),
        (
            "localhost:3307/x",
            "localhost",
            Some(3307),
            None,
            false,
            Some("/x"),
        ),
        ("db.example:0", "db.example", None, None, false, None),
        ("db.example:00", "db.example", None, None, false, None),
        (
            "db.example:03307",
            "db.example",
            Some(3307),
            None,
            false,
            None,
        ),
        ("0", "", None, None, false, None),
        ("LOCALHOST:3307", "LOCALHOST", Some(3307), None, false, None),
        (
            "127.0.0.1:/run/mysqld/mysqld.sock",
            "127.0.0.1",
            None,
            Some("/run/mysqld/mysqld.sock"),
            false,
            None,
        ),
        (
            "[::1]:/var/run/x.sock",
            "::1",
            None,
            Some("/var/run/x.sock"),
            true,
            None,
        ),
        ("[::1]:", "::1", None, None, true, Some(":")),
        ("db/x", "db", None, None, false, Some("/x")),
    ];

    #[test]
    fn parses_like_wpdb() {
        for &(value, host, port, socket, is_ipv6, ignored) in CASES {
            let parsed = DbHost::parse(value).unwrap_or_else(|e| panic!("{value:?}: {e}"));
            assert_eq!(parsed.host, host, "{value:?} host");
            assert_eq!(parsed.port, port, "{value:?} port");
            assert_eq!(parsed.socket.as_deref(), socket, "{value:?} socket");
            assert_eq!(parsed.is_ipv6, is_ipv6, "{value:?} ipv6");
            assert_eq!(parsed.ignored.as_deref(), ignored, "{value:?} ignored");
            assert_eq!(parsed.persistent, value.starts_with("p:"), "{value:?}");
        }
    }

    #[test]
    fn resolves_like_mysqlnd() {
        let cases: &[(&str, DbEndpoint, Vec<EndpointNote>)] = &[
            ("localhost", sock(SOCK), vec![]),
            (
                "localhost:3307",
                sock(SOCK),
                vec![EndpointNote::PortIgnored { port: 3307 }],
            ),
            (
                "localhost:/var/run/mysqld/mysqld.sock",
                sock("/var/run/mysqld/mysqld.sock"),
                vec![],
            ),
            (":/tmp/mysql.sock", sock("/tmp/mysql.sock"), vec![]),
            ("127.0.0.1:3306", tcp("127.0.0.1", 3306, false), vec![]),
            ("127.0.0.1", tcp("127.0.0.1", 3306, false), vec![]),
            ("db.example:3306", tcp("db.example", 3306, false), vec![]),
            ("db.example", tcp("db.example", 3306, false), vec![]),
            ("[::1]:3306", tcp("::1", 3306, true), vec![]),
            ("::1", tcp("::1", 3306, true), vec![]),
            ("[::1]", tcp("::1", 3306, true), vec![]),
            ("p:localhost", sock(SOCK), vec![]),
            ("", sock(SOCK), vec![]),
            ("host:notaport", tcp("host", 3306, false), vec![]),
            ("2001:db8::1", tcp("2001:db8::1", 3306, true), vec![]),
            ("[2001:db8::1]:3307", tcp("2001:db8::1", 3307, true), vec![]),
            ("0", sock(SOCK), vec![]),
            (
                "LOCALHOST:3307",
                sock(SOCK),
                vec![EndpointNote::PortIgnored { port: 3307 }],
            ),
            (
                "127.0.0.1:/run/mysqld/mysqld.sock",
                tcp("127.0.0.1", 3306, false),
                vec![EndpointNote::SocketIgnored {
                    socket: "/run/mysqld/mysqld.sock".into(),
                }],
            ),
        ];
        for (value, endpoint, notes) in cases {
            let resolved = DbHost::parse(value).expect(value).endpoint(SOCK);
            assert_eq!(&resolved.endpoint, endpoint, "{value:?}");
            assert_eq!(&resolved.notes, notes, "{value:?}");
        }
    }

    #[test]
    fn rejects_what_wpdb_rejects() {
        let cases = [
            (
                "zz::1",
                DbHostError::Unparseable {
                    value: "zz::1".into(),
                },
            ),
            (
                "[zz::1]:3306",
                DbHostError::Unparseable {
                    value: "[zz::1]:3306".into(),
                },
            ),
            (
                "db.example:70000",
                DbHostError::PortOutOfRange {
                    value: "db.example:70000".into(),
                    port: "70000".into(),
                },
            ),
            (
                "[::1]:99999999999999999999",
                DbHostError::PortOutOfRange {
                    value: "[::1]:99999999999999999999".into(),
                    port: "99999999999999999999".into(),
                },
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(DbHost::parse(value), Err(expected.clone()), "{value:?}");
            let message = expected.to_string();
            assert!(message.contains(value), "{message}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(value in "(p:|\\[|\\]|:|/|::|[0-9a-fA-F]|[0-9]{1,7}|localhost|x|é| )*") {
            if let Ok(host) = DbHost::parse(&value) {
                let _ = host.endpoint(SOCK);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(value in proptest::prelude::any::<String>()) {
            let _ = DbHost::parse(&value);
        }
    }
}
