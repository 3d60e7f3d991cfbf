//! Fault injection for the sandbox: which faults a run asks for
//! (`--faults=429:0.05,500:0.03,reset:0.01,slow:0.01`), and a seeded,
//! lock-free random draw per request so a run with the same seed and the same
//! request order injects the same faults.
//!
//! Faults apply only to the endpoints a sync talks to (event ingest and the
//! WooCommerce delivery receiver), never to the connect flow or to
//! `/__sandbox/*`. One uniform draw per request picks at most one fault: the
//! kinds' probabilities are stacked in a fixed order, so their sum must not
//! exceed 1.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

/// One kind of injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// `429 Too Many Requests` with `Retry-After`; the request is not processed.
    TooManyRequests,
    /// `500 Internal Server Error`; the request is not processed.
    InternalError,
    /// `502 Bad Gateway`; the request is not processed.
    BadGateway,
    /// `503 Service Unavailable`; the request is not processed.
    Unavailable,
    /// The connection is closed after the request was read, without an
    /// answer; the request is not processed.
    Reset,
    /// The request is processed (accepted and recorded), then the connection
    /// is closed without an answer: the client cannot know it landed, so its
    /// retry must be deduplicated.
    Lost,
    /// The request is processed and answered normally after a delay
    /// (`--slow-ms`).
    Slow,
}

impl FaultKind {
    /// Every kind, in the order their probabilities are stacked.
    pub const ALL: [FaultKind; 7] = [
        FaultKind::TooManyRequests,
        FaultKind::InternalError,
        FaultKind::BadGateway,
        FaultKind::Unavailable,
        FaultKind::Reset,
        FaultKind::Lost,
        FaultKind::Slow,
    ];

    /// The name used on the command line and in the stats (`429`, `reset`…).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::TooManyRequests => "429",
            FaultKind::InternalError => "500",
            FaultKind::BadGateway => "502",
            FaultKind::Unavailable => "503",
            FaultKind::Reset => "reset",
            FaultKind::Lost => "lost",
            FaultKind::Slow => "slow",
        }
    }

    /// The HTTP status this fault answers with, if it answers at once.
    pub fn status(self) -> Option<u16> {
        match self {
            FaultKind::TooManyRequests => Some(429),
            FaultKind::InternalError => Some(500),
            FaultKind::BadGateway => Some(502),
            FaultKind::Unavailable => Some(503),
            FaultKind::Reset | FaultKind::Lost | FaultKind::Slow => None,
        }
    }

    /// Position in [`FaultKind::ALL`] (for counters kept in arrays).
    pub(crate) fn index(self) -> usize {
        match self {
            FaultKind::TooManyRequests => 0,
            FaultKind::InternalError => 1,
            FaultKind::BadGateway => 2,
            FaultKind::Unavailable => 3,
            FaultKind::Reset => 4,
            FaultKind::Lost => 5,
            FaultKind::Slow => 6,
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a `--faults` value was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaultPlanError {
    /// An item is not `kind:probability`.
    #[error("fault item {item:?} is not kind:probability (e.g. 429:0.05)")]
    NotAPair {
        /// The offending item.
        item: String,
    },
    /// The kind is not one of the known names.
    #[error("unknown fault kind {kind:?}; known kinds: 429, 500, 502, 503, reset, lost, slow")]
    UnknownKind {
        /// The offending kind.
        kind: String,
    },
    /// The probability is not a number in `0..=1`.
    #[error("fault {kind}: probability {value:?} is not a number between 0 and 1")]
    BadProbability {
        /// The kind it was given for.
        kind: &'static str,
        /// The offending text.
        value: String,
    },
    /// The same kind appears twice.
    #[error("fault {kind} is given twice")]
    Repeated {
        /// The repeated kind.
        kind: &'static str,
    },
    /// The probabilities add up to more than 1.
    #[error("fault probabilities add up to {sum}, more than 1")]
    SumAboveOne {
        /// Their sum.
        sum: f64,
    },
}

/// The probability of each fault kind per request. The default injects
/// nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    probabilities: [f64; 7],
}

impl FaultPlan {
    /// A plan that injects nothing.
    pub fn none() -> FaultPlan {
        FaultPlan::default()
    }

    /// Sets one kind's probability (builder style); the caller keeps the sum
    /// at most 1 (a larger sum simply makes the later kinds less likely).
    pub fn with(mut self, kind: FaultKind, probability: f64) -> FaultPlan {
        self.probabilities[kind.index()] = probability.clamp(0.0, 1.0);
        self
    }

    /// The probability of `kind`.
    pub fn probability(&self, kind: FaultKind) -> f64 {
        self.probabilities[kind.index()]
    }

    /// Whether no fault can be injected.
    pub fn is_empty(&self) -> bool {
        self.probabilities.iter().all(|p| *p == 0.0)
    }

    /// Picks the fault for a uniform draw `u` in `[0, 1)`: the kinds'
    /// probabilities are laid end to end in [`FaultKind::ALL`] order.
    pub fn pick(&self, u: f64) -> Option<FaultKind> {
        let mut edge = 0.0;
        for kind in FaultKind::ALL {
            let p = self.probabilities[kind.index()];
            if p <= 0.0 {
                continue;
            }
            edge += p;
            if u < edge {
                return Some(kind);
            }
        }
        None
    }
}

impl FromStr for FaultPlan {
    type Err = FaultPlanError;

    /// Parses `kind:probability[,kind:probability…]`; an empty string or
    /// `none` is the empty plan.
    fn from_str(text: &str) -> Result<FaultPlan, FaultPlanError> {
        let mut plan = FaultPlan::none();
        let mut seen = [false; 7];
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("none") {
            return Ok(plan);
        }
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let Some((kind_text, value)) = item.split_once(':') else {
                return Err(FaultPlanError::NotAPair {
                    item: item.to_owned(),
                });
            };
            let kind_text = kind_text.trim();
            let kind = FaultKind::ALL
                .into_iter()
                .find(|k| k.name().eq_ignore_ascii_case(kind_text))
                .ok_or_else(|| FaultPlanError::UnknownKind {
                    kind: kind_text.to_owned(),
                })?;
            let value = value.trim();
            let p: f64 = value
                .parse()
                .ok()
                .filter(|p: &f64| (0.0..=1.0).contains(p))
                .ok_or_else(|| FaultPlanError::BadProbability {
                    kind: kind.name(),
                    value: value.to_owned(),
                })?;
            if seen[kind.index()] {
                return Err(FaultPlanError::Repeated { kind: kind.name() });
            }
            seen[kind.index()] = true;
            plan.probabilities[kind.index()] = p;
        }
        let sum: f64 = plan.probabilities.iter().sum();
        if sum > 1.0 + 1e-9 {
            return Err(FaultPlanError::SumAboveOne { sum });
        }
        Ok(plan)
    }
}

impl fmt::Display for FaultPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for kind in FaultKind::ALL {
            let p = self.probability(kind);
            if p > 0.0 {
                if !first {
                    f.write_str(",")?;
                }
                write!(f, "{}:{}", kind.name(), p)?;
                first = false;
            }
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// A counter-based random stream (SplitMix64 over a seeded counter): each
/// draw is one atomic increment, so request handlers on any thread share it
/// without a lock, and the n-th draw of a run depends only on the seed.
#[derive(Debug)]
pub(crate) struct DrawStream {
    seed: u64,
    counter: AtomicU64,
}

impl DrawStream {
    /// A stream for `seed`, starting at its first draw.
    pub(crate) fn new(seed: u64) -> DrawStream {
        DrawStream {
            seed,
            counter: AtomicU64::new(0),
        }
    }

    /// The next uniform number in `[0, 1)`.
    pub(crate) fn next_unit(&self) -> f64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let bits =
            splitmix64(self.seed ^ 0x5EED_FA17_0000_0000 ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        // 53 random bits → [0, 1).
        (bits >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Starts the stream again from its first draw.
    pub(crate) fn rewind(&self) {
        self.counter.store(0, Ordering::Relaxed);
    }
}

/// The SplitMix64 finalizer.
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_cases() {
        let ok: &[(&str, &[(FaultKind, f64)])] = &[
            ("", &[]),
            ("none", &[]),
            ("429:0.05", &[(FaultKind::TooManyRequests, 0.05)]),
            (
                "429:0.05,500:0.03,reset:0.01,slow:0.01",
                &[
                    (FaultKind::TooManyRequests, 0.05),
                    (FaultKind::InternalError, 0.03),
                    (FaultKind::Reset, 0.01),
                    (FaultKind::Slow, 0.01),
                ],
            ),
            (" 503 : 1 ", &[(FaultKind::Unavailable, 1.0)]),
            (
                "RESET:0.5,lost:0.5",
                &[(FaultKind::Reset, 0.5), (FaultKind::Lost, 0.5)],
            ),
            ("502:0,", &[]),
        ];
        for (text, expected) in ok {
            let plan: FaultPlan = text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"));
            for kind in FaultKind::ALL {
                let want = expected
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map_or(0.0, |(_, p)| *p);
                assert_eq!(plan.probability(kind), want, "{text:?} {kind}");
            }
        }
    }

    #[test]
    fn parse_errors() {
        let cases: &[(&str, FaultPlanError)] = &[
            ("429", FaultPlanError::NotAPair { item: "429".into() }),
            (
                "404:0.1",
                FaultPlanError::UnknownKind { kind: "404".into() },
            ),
            (
                "500:x",
                FaultPlanError::BadProbability {
                    kind: "500",
                    value: "x".into(),
                },
            ),
            (
                "500:1.5",
                FaultPlanError::BadProbability {
                    kind: "500",
                    value: "1.5".into(),
                },
            ),
            (
                "500:-0.1",
                FaultPlanError::BadProbability {
                    kind: "500",
                    value: "-0.1".into(),
                },
            ),
            (
                "500:NaN",
                FaultPlanError::BadProbability {
                    kind: "500",
                    value: "NaN".into(),
                },
            ),
            ("500:0.1,500:0.2", FaultPlanError::Repeated { kind: "500" }),
        ];
        for (text, want) in cases {
            assert_eq!(&text.parse::<FaultPlan>().unwrap_err(), want, "{text:?}");
        }
        assert!(matches!(
            "500:0.7,503:0.7".parse::<FaultPlan>(),
            Err(FaultPlanError::SumAboveOne { .. })
        ));
    }

    #[test]
    fn display_round_trips() {
        for text in ["none", "429:0.05,500:0.03,reset:0.01,slow:0.01", "lost:1"] {
            let plan: FaultPlan = text.parse().unwrap();
            assert_eq!(plan.to_string(), text);
            assert_eq!(plan.to_string().parse::<FaultPlan>().unwrap(), plan);
        }
    }

    #[test]
    fn pick_stacks_probabilities_in_order() {
        let plan: FaultPlan = "429:0.1,500:0.2,slow:0.3".parse().unwrap();
        let cases = [
            (0.0, Some(FaultKind::TooManyRequests)),
            (0.099, Some(FaultKind::TooManyRequests)),
            (0.1, Some(FaultKind::InternalError)),
            (0.299, Some(FaultKind::InternalError)),
            (0.301, Some(FaultKind::Slow)),
            (0.599, Some(FaultKind::Slow)),
            (0.601, None),
            (0.999, None),
        ];
        for (u, want) in cases {
            assert_eq!(plan.pick(u), want, "u = {u}");
        }
        assert_eq!(FaultPlan::none().pick(0.0), None);
        let all: FaultPlan = "500:1.0".parse().unwrap();
        assert_eq!(all.pick(0.999_999), Some(FaultKind::InternalError));
    }

    #[test]
    fn draws_are_seeded_uniform_and_rewindable() {
        let a = DrawStream::new(7);
        let b = DrawStream::new(7);
        let c = DrawStream::new(8);
        let xs: Vec<f64> = (0..1000).map(|_| a.next_unit()).collect();
        let ys: Vec<f64> = (0..1000).map(|_| b.next_unit()).collect();
        let zs: Vec<f64> = (0..1000).map(|_| c.next_unit()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean - 0.5).abs() < 0.05, "mean {mean}");
        a.rewind();
        assert_eq!(a.next_unit(), xs[0]);
    }
}
