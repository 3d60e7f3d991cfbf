//! When to send a request again, and after how long.
//!
//! Every attempt ends in an [`Outcome`]: an HTTP status (with the
//! `Retry-After` the server gave, already turned into a wait by
//! [`parse_retry_after`]) or a transport failure. [`Outcome::class`] sorts it:
//!
//! | outcome | class |
//! |---|---|
//! | HTTP 200–302 | success (WooCommerce's own rule for webhook deliveries) |
//! | HTTP 408, 429, 500–599 | retryable |
//! | connection refused, DNS failure, reset, timeout | retryable |
//! | every other status (1xx, 303–399, other 4xx, ≥ 600) | permanent |
//!
//! [`RetryPolicy::decide`] then says whether and when to try again:
//! exponential backoff `base × 2^(attempt−1)` capped at `max_delay`, with
//! **full jitter** by default (the wait is uniform in `[0, backoff)`, which
//! spreads a burst of workers hit by the same outage best) or **equal
//! jitter** (`backoff/2 + uniform[0, backoff/2)`, which never waits less than
//! half the backoff). A `Retry-After` from the server replaces the backoff
//! (no jitter: the server asked for that wait), capped at `max_retry_after`.
//! A request is given up after `max_attempts` attempts, or when the next wait
//! would take the time since the first attempt past `max_elapsed`.
//!
//! Nothing here sleeps or reads the clock: the caller passes the attempt
//! number, the elapsed time, the current time and a jitter value in `[0, 1)`.

use std::time::Duration;

use jiff::Timestamp;

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered with this status.
    Status {
        /// The HTTP status code.
        code: u16,
        /// The wait the server asked for with `Retry-After`, if it did and the
        /// header was valid.
        retry_after: Option<Duration>,
    },
    /// No connection could be made: refused, unreachable, DNS failure, TLS
    /// handshake failure.
    ConnectFailed,
    /// The connection was closed or reset before a complete answer arrived.
    ConnectionReset,
    /// No (complete) answer within the timeout.
    TimedOut,
}

impl Outcome {
    /// An HTTP status with no `Retry-After`.
    pub fn status(code: u16) -> Outcome {
        Outcome::Status {
            code,
            retry_after: None,
        }
    }

    /// Sorts the outcome into success, retryable or permanent failure.
    pub fn class(&self) -> OutcomeClass {
        match self {
            Outcome::Status { code, .. } => classify_status(*code),
            Outcome::ConnectFailed | Outcome::ConnectionReset | Outcome::TimedOut => {
                OutcomeClass::Retryable
            }
        }
    }
}

/// What an [`Outcome`] means for the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeClass {
    /// The receiver took the item.
    Success,
    /// Worth trying again later.
    Retryable,
    /// Trying again will not help (bad request, wrong secret, not found…).
    Permanent,
}

/// Sorts an HTTP status: 200–302 success, 408/429/5xx retryable, anything
/// else permanent.
pub fn classify_status(code: u16) -> OutcomeClass {
    match code {
        200..=302 => OutcomeClass::Success,
        408 | 429 | 500..=599 => OutcomeClass::Retryable,
        _ => OutcomeClass::Permanent,
    }
}

/// Reads a `Retry-After` header value as a wait from `now`.
///
/// Both forms of RFC 9110 §10.2.3 are accepted: delta-seconds (`120`) and an
/// HTTP-date — the IMF-fixdate form (`Wed, 21 Oct 2015 07:28:00 GMT`) and,
/// as RFC 9110 §5.6.7 asks of recipients, the obsolete RFC 850
/// (`Wednesday, 21-Oct-15 07:28:00 GMT`) and asctime
/// (`Wed Oct 21 07:28:00 2015`) forms, all in GMT; a date whose day name
/// does not match its date is refused. A date in the past means
/// "now" (a zero wait). Anything else (negative or fractional numbers, other
/// date forms, garbage) gives `None`, and the caller falls back to its
/// backoff.
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // Huge values saturate; the policy caps them anyway.
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    let wait = at.duration_since(now);
    if wait.is_negative() {
        return Some(Duration::ZERO);
    }
    Duration::try_from(wait).ok()
}

/// An HTTP-date in any of its three forms, as an instant.
fn parse_http_date(value: &str) -> Option<Timestamp> {
    static PARSER: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new();
    if let Some(rest) = value.strip_suffix(" GMT") {
        // IMF-fixdate: a day name of three letters, then a comma.
        if rest.as_bytes().get(3) == Some(&b',') {
            return PARSER.parse_timestamp(value).ok();
        }
        // RFC 850: full day name, two-digit year.
        let parsed = jiff::fmt::strtime::parse("%A, %d-%b-%y %H:%M:%S", rest).ok()?;
        return jiff::tz::TimeZone::UTC
            .to_timestamp(parsed.to_datetime().ok()?)
            .ok();
    }
    // asctime: `Sun Nov  6 08:49:37 1994`, always GMT.
    let parsed = jiff::fmt::strtime::parse("%a %b %e %H:%M:%S %Y", value).ok()?;
    jiff::tz::TimeZone::UTC
        .to_timestamp(parsed.to_datetime().ok()?)
        .ok()
}

/// How the random part of a backoff is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Jitter {
    /// Uniform in `[0, backoff)`.
    #[default]
    Full,
    /// `backoff/2` plus uniform in `[0, backoff/2)`.
    Equal,
}

/// The retry rules: backoff, caps and budgets. See the module doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Backoff before the second attempt (before jitter).
    pub base_delay: Duration,
    /// Largest backoff (before jitter).
    pub max_delay: Duration,
    /// Largest wait a `Retry-After` can impose; longer requests are cut to it.
    pub max_retry_after: Duration,
    /// Attempts per request, the first one included (at least 1).
    pub max_attempts: u32,
    /// Time from the first attempt after which no retry starts.
    pub max_elapsed: Duration,
    /// How the backoff is randomized.
    pub jitter: Jitter,
}

impl Default for RetryPolicy {
    /// 0.5 s base, 30 s cap, `Retry-After` up to 2 minutes, 8 attempts,
    /// 10 minutes in all, full jitter.
    fn default() -> RetryPolicy {
        RetryPolicy {
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            max_attempts: 8,
            max_elapsed: Duration::from_secs(600),
            jitter: Jitter::Full,
        }
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// The attempt succeeded.
    Success,
    /// Try again after this wait.
    Retry(Duration),
    /// The failure is permanent: do not retry.
    Permanent,
    /// The failure was retryable but the attempts or the time ran out.
    Exhausted {
        /// Attempts made.
        attempts: u32,
    },
}

impl RetryPolicy {
    /// The backoff after attempt number `attempt` (1 for the first attempt),
    /// jittered with `jitter` in `[0, 1)` (values outside are clamped).
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(63);
        let factor = 1u64 << exponent;
        let base_ns = self.base_delay.as_nanos();
        let raw = base_ns.saturating_mul(u128::from(factor));
        let capped = raw.min(self.max_delay.as_nanos());
        let capped = Duration::from_nanos(u64::try_from(capped).unwrap_or(u64::MAX));
        let jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        match self.jitter {
            Jitter::Full => capped.mul_f64(jitter),
            Jitter::Equal => {
                let half = capped / 2;
                half + half.mul_f64(jitter)
            }
        }
    }

    /// The wait before the next attempt after attempt number `attempt`
    /// (1-based) ended with `outcome`, or `None` when there must be no next
    /// attempt (success, permanent failure, or `max_attempts` reached). A
    /// `Retry-After` wins over the backoff, capped at `max_retry_after`.
    pub fn next_delay(&self, attempt: u32, outcome: &Outcome, jitter: f64) -> Option<Duration> {
        if outcome.class() != OutcomeClass::Retryable || attempt >= self.max_attempts {
            return None;
        }
        match outcome {
            Outcome::Status {
                retry_after: Some(wait),
                ..
            } => Some((*wait).min(self.max_retry_after)),
            _ => Some(self.backoff(attempt, jitter)),
        }
    }

    /// The full decision after attempt number `attempt` (1-based), `elapsed`
    /// after the first attempt started: like [`RetryPolicy::next_delay`], and
    /// also gives up when the wait would end past `max_elapsed`.
    pub fn decide(
        &self,
        attempt: u32,
        outcome: &Outcome,
        elapsed: Duration,
        jitter: f64,
    ) -> RetryDecision {
        match outcome.class() {
            OutcomeClass::Success => RetryDecision::Success,
            OutcomeClass::Permanent => RetryDecision::Permanent,
            OutcomeClass::Retryable => match self.next_delay(attempt, outcome, jitter) {
                Some(wait) if elapsed.saturating_add(wait) <= self.max_elapsed => {
                    RetryDecision::Retry(wait)
                }
                _ => RetryDecision::Exhausted { attempts: attempt },
            },
        }
    }

    /// This policy with every wait-related duration multiplied by `factor`
    /// (attempt counts unchanged) — how tests and demos run a realistic
    /// policy fast. `Retry-After` waits are not scaled, only their cap.
    pub fn scaled(&self, factor: f64) -> RetryPolicy {
        let factor = if factor.is_finite() && factor >= 0.0 {
            factor
        } else {
            1.0
        };
        RetryPolicy {
            base_delay: self.base_delay.mul_f64(factor),
            max_delay: self.max_delay.mul_f64(factor),
            max_retry_after: self.max_retry_after,
            max_attempts: self.max_attempts,
            max_elapsed: self.max_elapsed,
            jitter: self.jitter,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn policy(jitter: Jitter) -> RetryPolicy {
        RetryPolicy {
            base_delay: ms(100),
            max_delay: ms(1000),
            max_retry_after: Duration::from_secs(60),
            max_attempts: 5,
            max_elapsed: Duration::from_secs(30),
            jitter,
        }
    }

    #[test]
    fn status_classes() {
        use OutcomeClass::*;
        let cases: &[(u16, OutcomeClass)] = &[
            (100, Permanent),
            (200, Success),
            (201, Success),
            (202, Success),
            (204, Success),
            (301, Success),
            (302, Success),
            (303, Permanent),
            (304, Permanent),
            (307, Permanent),
            (400, Permanent),
            (401, Permanent),
            (403, Permanent),
            (404, Permanent),
            (408, Retryable),
            (409, Permanent),
            (410, Permanent),
            (413, Permanent),
            (422, Permanent),
            (429, Retryable),
            (500, Retryable),
            (502, Retryable),
            (503, Retryable),
            (504, Retryable),
            (599, Retryable),
            (600, Permanent),
        ];
        for (code, class) in cases {
            assert_eq!(classify_status(*code), *class, "status {code}");
            assert_eq!(Outcome::status(*code).class(), *class, "status {code}");
        }
        for transport in [
            Outcome::ConnectFailed,
            Outcome::ConnectionReset,
            Outcome::TimedOut,
        ] {
            assert_eq!(transport.class(), Retryable, "{transport:?}");
        }
    }

    #[test]
    fn retry_after_values() {
        let now: Timestamp = "2015-10-21T07:27:00Z".parse().expect("timestamp");
        let cases: &[(&str, Option<Duration>)] = &[
            ("0", Some(Duration::ZERO)),
            ("1", Some(Duration::from_secs(1))),
            (" 120 ", Some(Duration::from_secs(120))),
            (
                "99999999999999999999999",
                Some(Duration::from_secs(u64::MAX)),
            ),
            (
                "Wed, 21 Oct 2015 07:28:00 GMT",
                Some(Duration::from_secs(60)),
            ),
            ("Wed, 21 Oct 2015 07:27:00 GMT", Some(Duration::ZERO)),
            ("Wed, 21 Oct 2015 06:00:00 GMT", Some(Duration::ZERO)),
            (
                "Thu, 22 Oct 2015 07:27:00 GMT",
                Some(Duration::from_secs(86_400)),
            ),
            ("-5", None),
            ("1.5", None),
            ("", None),
            ("soon", None),
            ("Wed, 21 Oct 2015 07:28:00 +0000", None),
            ("2015-10-21T07:28:00Z", None),
            (
                "Wednesday, 21-Oct-15 07:28:00 GMT",
                Some(Duration::from_secs(60)),
            ),
            ("Wed Oct 21 07:28:00 2015", Some(Duration::from_secs(60))),
            ("Thu Oct  1 07:28:00 2015", Some(Duration::ZERO)),
            ("Wed Oct  1 07:28:00 2015", None), // 1 October 2015 was a Thursday
            (
                "Thu Oct 22 07:27:00 2015",
                Some(Duration::from_secs(86_400)),
            ),
            ("Wednesday, 21-Oct-15 07:28:00 +0000", None),
            ("Wed Oct 21 07:28:00", None),
            ("Wed, 32 Oct 2015 07:28:00 GMT", None),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_retry_after(value, now), *expected, "{value:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn retry_after_never_panics(value in "\\PC{0,40}", secs in 0i64..4_000_000_000) {
            let now = Timestamp::from_second(secs).expect("in range");
            let _ = parse_retry_after(&value, now);
        }
    }

    #[test]
    fn backoff_table() {
        let full = policy(Jitter::Full);
        let equal = policy(Jitter::Equal);
        // (attempt, jitter, full, equal)
        let cases: &[(u32, f64, u64, u64)] = &[
            (1, 0.0, 0, 50),
            (1, 0.5, 50, 75),
            (1, 0.999, 99, 99),
            (2, 0.5, 100, 150),
            (3, 0.5, 200, 300),
            (4, 1.0, 800, 800),
            (5, 0.5, 500, 750), // 1600 capped at 1000
            (40, 0.5, 500, 750),
            (u32::MAX, 0.5, 500, 750),
            (0, 0.5, 50, 75),
            (1, -3.0, 0, 50),
            (1, f64::NAN, 0, 50),
        ];
        for (attempt, jitter, f, e) in cases {
            assert_eq!(
                full.backoff(*attempt, *jitter).as_millis(),
                u128::from(*f),
                "full {attempt} {jitter}"
            );
            assert_eq!(
                equal.backoff(*attempt, *jitter).as_millis(),
                u128::from(*e),
                "equal {attempt} {jitter}"
            );
        }
    }

    #[test]
    fn next_delay_table() {
        let p = policy(Jitter::Equal);
        let ra = |code, secs| Outcome::Status {
            code,
            retry_after: Some(Duration::from_secs(secs)),
        };
        let cases: &[(u32, Outcome, Option<Duration>)] = &[
            (1, Outcome::status(200), None),
            (1, Outcome::status(302), None),
            (1, Outcome::status(400), None),
            (1, Outcome::status(401), None),
            (1, ra(400, 5), None),
            (1, Outcome::status(503), Some(ms(50))),
            (2, Outcome::status(500), Some(ms(100))),
            (1, Outcome::ConnectFailed, Some(ms(50))),
            (3, Outcome::TimedOut, Some(ms(200))),
            (1, ra(429, 7), Some(Duration::from_secs(7))),
            (1, ra(503, 0), Some(Duration::ZERO)),
            (1, ra(429, 3600), Some(Duration::from_secs(60))),
            (4, Outcome::status(503), Some(ms(400))),
            (5, Outcome::status(503), None),
            (5, ra(429, 1), None),
        ];
        for (attempt, outcome, expected) in cases {
            assert_eq!(
                p.next_delay(*attempt, outcome, 0.0),
                *expected,
                "{attempt} {outcome:?}"
            );
        }
    }

    #[test]
    fn decide_table() {
        let p = policy(Jitter::Equal);
        let s = Duration::from_secs;
        let cases: &[(u32, Outcome, Duration, RetryDecision)] = &[
            (1, Outcome::status(202), s(0), RetryDecision::Success),
            (1, Outcome::status(404), s(0), RetryDecision::Permanent),
            (1, Outcome::status(503), s(0), RetryDecision::Retry(ms(50))),
            (1, Outcome::status(503), s(29), RetryDecision::Retry(ms(50))),
            (
                1,
                Outcome::status(503),
                ms(29_951),
                RetryDecision::Exhausted { attempts: 1 },
            ),
            (
                5,
                Outcome::status(503),
                s(0),
                RetryDecision::Exhausted { attempts: 5 },
            ),
            (
                2,
                Outcome::Status {
                    code: 429,
                    retry_after: Some(s(40)),
                },
                s(0),
                RetryDecision::Exhausted { attempts: 2 },
            ),
            (
                2,
                Outcome::Status {
                    code: 429,
                    retry_after: Some(s(10)),
                },
                s(5),
                RetryDecision::Retry(s(10)),
            ),
        ];
        for (attempt, outcome, elapsed, expected) in cases {
            assert_eq!(
                p.decide(*attempt, outcome, *elapsed, 0.0),
                *expected,
                "{attempt} {outcome:?} {elapsed:?}"
            );
        }
    }

    #[test]
    fn scaling_shrinks_backoff_but_not_retry_after() {
        let p = RetryPolicy::default().scaled(0.01);
        assert_eq!(p.base_delay, ms(5));
        assert_eq!(p.max_delay, ms(300));
        assert_eq!(p.max_retry_after, RetryPolicy::default().max_retry_after);
        let outcome = Outcome::Status {
            code: 429,
            retry_after: Some(Duration::from_secs(1)),
        };
        assert_eq!(p.next_delay(1, &outcome, 0.5), Some(Duration::from_secs(1)));
        assert_eq!(
            RetryPolicy::default().scaled(f64::NAN),
            RetryPolicy::default()
        );
    }
}
