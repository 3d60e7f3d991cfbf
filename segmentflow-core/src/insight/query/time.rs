//! Time phrases: what windows of the rule language they become, and how
//! they resolve against the as-of date.
//!
//! The compiler never reads a clock. Phrases that name a fixed day are
//! resolved against the as-of date the caller passes in (the day the
//! segment is evaluated for, counted as "today"):
//!
//! * **Rolling** windows count days back from the as-of date and stay
//!   relative in the rule (`in the last 90 days` → `last 90 days`). Units
//!   are fixed lengths, the same the pre-built segments use: a day is 1, a
//!   week 7, a month 30, a quarter 91 and a year 365 days, so `in a month`
//!   is `last 30 days`.
//! * **Calendar** periods stay relative too (`this year`, `last week`,
//!   `last month`, `today`): "last week" is the whole Monday–Sunday week
//!   before the as-of date's week, *not* the last 7 days (say "in the last
//!   week" or "in the last 7 days" for that).
//! * **Dated** phrases become dates: `since 2025-01-01`; `since January`
//!   (the most recent January 1st: in the as-of year when January is not
//!   after the as-of month, else the year before); `in 2025` and `in
//!   March 2025` (the whole year or month, `between` its first and last
//!   day); `before 2025-01-01` (`not since 2025-01-01`); `after D` (from
//!   the next day); `yesterday`.
//!
//! [`day_range`] turns any window but a `not` window back into the
//! calendar dates it covers on the as-of date, which is how "first-time
//! buyers from last week" becomes a range of *days since the first paid
//! order* (the rule language has no window on first/last order ages).

use jiff::ToSpan;
use jiff::civil::Date;

use crate::insight::rules::{Calendar, Window};

/// The length in days of a unit word (`days`, `week`, `months`…).
pub(crate) fn unit_days(word: &str) -> Option<u32> {
    Some(match word {
        "day" | "days" => 1,
        "week" | "weeks" | "wk" | "wks" => 7,
        "month" | "months" | "mo" | "mos" => 30,
        "quarter" | "quarters" => 91,
        "year" | "years" | "yr" | "yrs" => 365,
        _ => return None,
    })
}

/// The month number of a month name or an unambiguous abbreviation of at
/// least three letters (`january`, `jan`, `sept`).
pub(crate) fn month_number(word: &str) -> Option<i8> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .position(|m| *m == word || (word.len() >= 3 && m.starts_with(word)))
        .and_then(|i| i8::try_from(i + 1).ok())
}

/// `this week|month|year` for a singular unit word (`today` for `day`).
pub(crate) fn this(word: &str) -> Option<Window> {
    Some(Window::Calendar(match word {
        "day" => Calendar::Today,
        "week" => Calendar::ThisWeek,
        "month" => Calendar::ThisMonth,
        "year" => Calendar::ThisYear,
        _ => return None,
    }))
}

/// `last week|month|year` (the whole previous calendar period) for a
/// singular unit word; `yesterday` for `day`.
pub(crate) fn previous(word: &str, as_of: Date) -> Option<Window> {
    Some(Window::Calendar(match word {
        "day" => {
            let d = days_before(as_of, 1);
            return Some(Window::Between(d, d));
        }
        "week" => Calendar::LastWeek,
        "month" => Calendar::LastMonth,
        "year" => Calendar::LastYear,
        _ => return None,
    }))
}

/// The first day of the calendar period before the as-of date's
/// (`since last month` → the first of the previous month).
pub(crate) fn previous_start(word: &str, as_of: Date) -> Option<Date> {
    match previous(word, as_of)? {
        Window::Between(d, _) => Some(d),
        w => day_range(&w, as_of).and_then(|(from, _)| from),
    }
}

/// The first day of the most recent month `m` (the as-of month or
/// earlier), in `year` when given.
pub(crate) fn month_start(m: i8, year: Option<i16>, as_of: Date) -> Option<Date> {
    let y = match year {
        Some(y) => y,
        None if m <= as_of.month() => as_of.year(),
        None => as_of.year() - 1,
    };
    Date::new(y, m, 1).ok()
}

/// The whole month `m` (see [`month_start`]) as a `between` window.
pub(crate) fn month_window(m: i8, year: Option<i16>, as_of: Date) -> Option<Window> {
    let from = month_start(m, year, as_of)?;
    Some(Window::Between(from, from.last_of_month()))
}

/// The whole calendar year `y` as a `between` window.
pub(crate) fn year_window(y: i16) -> Option<Window> {
    let from = Date::new(y, 1, 1).ok()?;
    Some(Window::Between(from, from.last_of_year()))
}

/// Whether a number is read as a year (`in 2025`).
pub(crate) fn as_year(n: u64) -> Option<i16> {
    (1970..=2999)
        .contains(&n)
        .then(|| i16::try_from(n).ok())
        .flatten()
}

/// The day `days` days before the as-of date.
pub(crate) fn days_before(as_of: Date, days: u32) -> Date {
    as_of
        .checked_sub(i64::from(days).days())
        .unwrap_or(Date::MIN)
}

/// The day after `d`.
pub(crate) fn day_after(d: Date) -> Date {
    d.tomorrow().unwrap_or(d)
}

/// Whole days from `d` to the as-of date (0 for the as-of date itself;
/// negative for a later day).
pub(crate) fn days_ago(d: Date, as_of: Date) -> i64 {
    i64::from((as_of - d).get_days())
}

/// The calendar dates a window covers on the as-of date: first day (`None`
/// for all time) and last day, both included. `None` for a `not` window,
/// which is not one range.
pub(crate) fn day_range(w: &Window, as_of: Date) -> Option<(Option<Date>, Date)> {
    let monday = days_before(
        as_of,
        u32::from(as_of.weekday().to_monday_zero_offset().unsigned_abs()),
    );
    Some(match w {
        Window::Lifetime => (None, as_of),
        Window::LastDays(n) => (Some(days_before(as_of, *n)), as_of),
        Window::Since(d) => (Some(*d), as_of),
        Window::Between(a, b) => (Some(*a), *b),
        Window::Calendar(c) => match c {
            Calendar::Today => (Some(as_of), as_of),
            Calendar::ThisWeek => (Some(monday), as_of),
            Calendar::LastWeek => (Some(days_before(monday, 7)), days_before(monday, 1)),
            Calendar::ThisMonth => (Some(as_of.first_of_month()), as_of),
            Calendar::LastMonth => {
                let last = days_before(as_of.first_of_month(), 1);
                (Some(last.first_of_month()), last)
            }
            Calendar::ThisYear => (Some(as_of.first_of_year()), as_of),
            Calendar::LastYear => {
                let last = days_before(as_of.first_of_year(), 1);
                (Some(last.first_of_year()), last)
            }
        },
        Window::Not(_) => return None,
    })
}

/// How a window reads in English, for remote conditions and notes
/// (`in the last 30 days`, `since 2025-01-01`, `last week`).
pub(crate) fn describe(w: &Window) -> String {
    match w {
        Window::Lifetime => "ever".to_string(),
        Window::LastDays(1) => "in the last day".to_string(),
        Window::LastDays(n) => format!("in the last {n} days"),
        Window::Since(d) => format!("since {d}"),
        Window::Between(a, b) if a == b => format!("on {a}"),
        Window::Between(a, b) => format!("between {a} and {b}"),
        Window::Calendar(c) => c.to_string(),
        Window::Not(inner) => format!("but not {}", describe(inner)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn calendar_periods_cover_the_right_days() {
        // 2026-12-09 is a Wednesday; its week starts on Monday 2026-12-07.
        let as_of = d("2026-12-09");
        let range = |w: Window| day_range(&w, as_of);
        assert_eq!(
            range(Window::Calendar(Calendar::LastWeek)),
            Some((Some(d("2026-11-30")), d("2026-12-06")))
        );
        assert_eq!(
            range(Window::Calendar(Calendar::ThisWeek)),
            Some((Some(d("2026-12-07")), as_of))
        );
        assert_eq!(
            range(Window::Calendar(Calendar::LastMonth)),
            Some((Some(d("2026-11-01")), d("2026-11-30")))
        );
        assert_eq!(
            range(Window::Calendar(Calendar::LastYear)),
            Some((Some(d("2025-01-01")), d("2025-12-31")))
        );
        assert_eq!(
            range(Window::LastDays(30)),
            Some((Some(d("2026-11-09")), as_of))
        );
        assert_eq!(range(Window::Lifetime), Some((None, as_of)));
        assert_eq!(range(Window::Not(Box::new(Window::LastDays(3)))), None);
        assert_eq!(
            previous("day", as_of),
            Some(Window::Between(d("2026-12-08"), d("2026-12-08")))
        );
        assert_eq!(previous_start("month", as_of), Some(d("2026-11-01")));
        assert_eq!(previous_start("week", as_of), Some(d("2026-11-30")));
        assert_eq!(days_ago(d("2026-12-06"), as_of), 3);
    }

    #[test]
    fn a_month_without_a_year_is_its_latest_occurrence() {
        assert_eq!(month_start(1, None, d("2026-12-07")), Some(d("2026-01-01")));
        assert_eq!(
            month_start(12, None, d("2026-12-07")),
            Some(d("2026-12-01"))
        );
        assert_eq!(
            month_start(12, None, d("2026-03-07")),
            Some(d("2025-12-01"))
        );
        assert_eq!(
            month_start(3, Some(2024), d("2026-03-07")),
            Some(d("2024-03-01"))
        );
        assert_eq!(
            month_window(2, Some(2024), d("2026-03-07")),
            Some(Window::Between(d("2024-02-01"), d("2024-02-29")))
        );
        assert_eq!(
            year_window(2025),
            Some(Window::Between(d("2025-01-01"), d("2025-12-31")))
        );
    }

    #[test]
    fn month_names_and_units() {
        for (w, m) in [
            ("january", 1),
            ("jan", 1),
            ("sept", 9),
            ("sep", 9),
            ("march", 3),
            ("mar", 3),
            ("may", 5),
            ("december", 12),
        ] {
            assert_eq!(month_number(w), Some(m), "{w}");
        }
        assert_eq!(month_number("ma"), None);
        assert_eq!(month_number("monday"), None);
        assert_eq!(unit_days("months"), Some(30));
        assert_eq!(unit_days("year"), Some(365));
        assert_eq!(unit_days("fortnight"), None);
        assert_eq!(as_year(2025), Some(2025));
        assert_eq!(as_year(90), None);
    }

    #[test]
    fn windows_describe_themselves() {
        assert_eq!(describe(&Window::LastDays(90)), "in the last 90 days");
        assert_eq!(
            describe(&Window::Since(d("2025-01-01"))),
            "since 2025-01-01"
        );
        assert_eq!(describe(&Window::Calendar(Calendar::LastWeek)), "last week");
    }
}
