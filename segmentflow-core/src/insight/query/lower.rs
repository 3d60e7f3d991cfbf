//! Writes what the parser understood in the rule language.
//!
//! Most clauses map one-to-one onto a rule condition. The choices made
//! here, so that the compiled rule reads the way a person would write it:
//!
//! * "no orders" / "haven't ordered in a month" become `paid_orders[…] =
//!   0` rather than `not paid_orders[…] >= 1` (the same customers), and
//!   "never used a coupon" becomes `coupon_orders = 0`.
//! * "not registered" / "without an account" is `guest` (every customer is
//!   one or the other), and the other way round.
//! * A pre-built segment named in the query (`VIP customers`) is replaced
//!   by that segment's rule, so the compiled rule stands on its own.
//! * "First-time buyers" alone is the pre-built New Customers segment
//!   (first paid order at most 30 days ago); with a time (`from last
//!   week`) it is a range of `first_paid_days`, computed from the as-of
//!   date, because the rule language has no window on the first order.
//! * Remote conditions become `remote "…"` leaves whose description carries
//!   their negation ("did not open an email in the last 30 days"), so that
//!   Segmentflow receives the condition exactly as the user meant it.
//! * Amounts are plain numbers in the rule: the rule language compares
//!   amounts in the store's currency. The currency the query named is
//!   reported next to the rule (and two different ones are an error).

use jiff::civil::Date;

use super::parser::{Amount as QueryAmount, Clause, RemoteEvent};
use super::time;
use super::{QueryError, RemoteCondition};
use crate::insight::rules::{Amount, Comparison, Condition, CustomerKind, Remote, Rule, Window};

/// What lowering produced besides the rule.
#[derive(Debug, Default)]
pub(crate) struct Extras {
    /// The remote conditions, in order.
    pub remote: Vec<RemoteCondition>,
    /// The one currency the query's amounts were written in.
    pub currency: Option<(&'static str, usize)>,
    /// Notes for the user.
    pub notes: Vec<String>,
}

/// The rule of a pre-built segment, by slug.
pub(crate) type Prebuilt = fn(&str) -> Option<Rule>;

/// Lowers a clause to a rule.
pub(crate) fn lower(
    c: &Clause,
    as_of: Date,
    text: &str,
    prebuilt: Prebuilt,
    out: &mut Extras,
) -> Result<Rule, QueryError> {
    let cond = |c: Condition| Ok(Rule::Condition(c));
    let lifetime = |w: &Option<Window>| w.clone().unwrap_or(Window::Lifetime);
    match c {
        Clause::Everyone => Ok(Rule::All(Vec::new())),
        Clause::And(parts) => {
            let mut rules = Vec::new();
            for p in parts {
                match lower(p, as_of, text, prebuilt, out)? {
                    // `true` adds nothing; a nested `and` (a segment's
                    // rule) joins this one.
                    Rule::All(rs) => rules.extend(rs),
                    r => rules.push(r),
                }
            }
            Ok(if rules.len() == 1 {
                rules.remove(0)
            } else {
                Rule::All(rules)
            })
        }
        Clause::Or(parts) => {
            let rules = parts
                .iter()
                .map(|p| lower(p, as_of, text, prebuilt, out))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Rule::Any(rules))
        }
        Clause::Not(inner) => match inner.as_ref() {
            Clause::Orders {
                window,
                cmp: Comparison::Ge(1),
            } => cond(Condition::PaidOrders {
                window: lifetime(window),
                cmp: Comparison::Eq(0),
            }),
            Clause::Coupon { window } => cond(Condition::CouponOrders {
                window: lifetime(window),
                cmp: Comparison::Eq(0),
            }),
            Clause::Registered => cond(Condition::Kind(CustomerKind::Guest)),
            Clause::Guest => cond(Condition::Kind(CustomerKind::Registered)),
            Clause::Not(twice) => lower(twice, as_of, text, prebuilt, out),
            Clause::Remote {
                event,
                negated,
                window,
                span,
            } => Ok(remote(event, !negated, window, *span, text, out)),
            other => Ok(Rule::Not(Box::new(lower(
                other, as_of, text, prebuilt, out,
            )?))),
        },
        Clause::Segment(slug) => prebuilt(slug).ok_or(QueryError::UnknownSegment {
            slug: (*slug).to_string(),
        }),
        Clause::FirstTime(None) => {
            out.notes.push(
                "\"first-time buyers\" is the New Customers segment: first paid order at most 30 days ago"
                    .to_string(),
            );
            prebuilt("new-customers").ok_or(QueryError::UnknownSegment {
                slug: "new-customers".to_string(),
            })
        }
        Clause::FirstTime(Some(w)) => {
            let Some((from, to)) = time::day_range(w, as_of) else {
                return Err(QueryError::Unsupported {
                    what: format!("\"first-time buyers\" {}", time::describe(w)),
                    at: 0,
                    why: "a first order can only be placed in one range of days",
                });
            };
            let newest = u64::try_from(time::days_ago(to, as_of).max(0)).unwrap_or(0);
            let cmp = match from {
                Some(f) => {
                    let oldest = u64::try_from(time::days_ago(f, as_of).max(0)).unwrap_or(0);
                    out.notes.push(format!(
                        "\"first-time buyers\" {}: first paid order from {f} to {to}, {newest} to {oldest} days before {as_of}",
                        time::describe(w)
                    ));
                    if newest == 0 {
                        Comparison::Le(oldest)
                    } else {
                        Comparison::Between(newest, oldest)
                    }
                }
                None => Comparison::Ge(newest),
            };
            cond(Condition::FirstPaidDaysAgo(cmp))
        }
        Clause::Orders { window, cmp } => cond(Condition::PaidOrders {
            window: lifetime(window),
            cmp: *cmp,
        }),
        Clause::Bought { window, items } => {
            let mut rules: Vec<Rule> = items
                .iter()
                .map(|item| {
                    Rule::Condition(Condition::Bought {
                        window: lifetime(window),
                        item: item.clone(),
                    })
                })
                .collect();
            Ok(if rules.len() == 1 {
                rules.remove(0)
            } else {
                Rule::All(rules)
            })
        }
        Clause::Spend { window, amount } => cond(Condition::Spend {
            window: lifetime(window),
            cmp: fixed(amount, out)?,
        }),
        Clause::Average { window, amount } => cond(Condition::AverageOrderValue {
            window: lifetime(window),
            cmp: fixed(amount, out)?,
        }),
        Clause::Coupon { window } => cond(Condition::CouponOrders {
            window: lifetime(window),
            cmp: Comparison::Ge(1),
        }),
        Clause::Status { window, statuses } => cond(Condition::OrderStatus {
            window: lifetime(window),
            statuses: statuses.clone(),
            after_last_paid: false,
        }),
        Clause::LastStatus(statuses) => cond(Condition::LastOrderStatus(statuses.clone())),
        Clause::LastPaidDays(cmp) => cond(Condition::LastPaidDaysAgo(*cmp)),
        Clause::Registered => cond(Condition::Kind(CustomerKind::Registered)),
        Clause::Guest => cond(Condition::Kind(CustomerKind::Guest)),
        Clause::Remote {
            event,
            negated,
            window,
            span,
        } => Ok(remote(event, *negated, window, *span, text, out)),
    }
}

/// A fixed amount comparison, remembering its currency.
fn fixed(a: &QueryAmount, out: &mut Extras) -> Result<Comparison<Amount>, QueryError> {
    if let Some(c) = a.currency {
        match out.currency {
            Some((seen, _)) if seen != c => {
                return Err(QueryError::MixedCurrencies {
                    first: seen.to_string(),
                    second: c.to_string(),
                    at: a.at,
                });
            }
            _ => out.currency = Some((c, a.at)),
        }
    }
    Ok(a.cmp.map(Amount::Fixed))
}

/// A remote leaf and its report.
fn remote(
    event: &RemoteEvent,
    negated: bool,
    window: &Option<Window>,
    span: (usize, usize),
    text: &str,
    out: &mut Extras,
) -> Rule {
    let mut description = if negated {
        format!("did not {}", event.base)
    } else {
        event.past.to_string()
    };
    if !event.object.is_empty() {
        description.push(' ');
        description.push_str(&event.object);
    }
    if let Some(w) = window {
        description.push(' ');
        description.push_str(&time::describe(w));
    }
    let phrase = text.get(span.0..span.1).unwrap_or_default().to_string();
    out.remote.push(RemoteCondition {
        description: description.clone(),
        phrase,
        start: span.0,
        end: span.1,
    });
    Rule::Remote(Remote { description })
}
