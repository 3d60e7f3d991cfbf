//! Time phrases in the query: `in the last 90 days`, `since January`,
//! `this year`, `last week`, `in 2025`, `before 2025-01-01`… read into
//! windows of the rule language (see `time` for how they resolve against
//! the as-of date).

use jiff::civil::Date;

use super::super::QueryError;
use super::super::lexer::Tok;
use super::super::time;
use super::Parser;
use crate::insight::rules::Window;

impl Parser<'_> {
    /// A time phrase, or `None` (consuming nothing) when there is none.
    pub(super) fn try_window(&mut self) -> Result<Option<Window>, QueryError> {
        let save = self.pos;
        let w = self.window_inner()?;
        if w.is_none() {
            self.pos = save;
        }
        Ok(w)
    }

    pub(super) fn window_inner(&mut self) -> Result<Option<Window>, QueryError> {
        let Some(w) = self.word() else {
            return Ok(None);
        };
        let as_of = self.as_of;
        match w {
            "in" | "within" | "during" | "over" | "for" | "from" | "of" => {
                let prep = w;
                self.pos += 1;
                if self.eat("the") {
                    if self
                        .eat_any(&["last", "past", "previous", "recent"])
                        .is_some()
                    {
                        return Ok(self.rolling(true));
                    }
                    // `in the month of March`? Not supported.
                    return Ok(None);
                }
                if self.eat_any(&["last", "past"]).is_some() {
                    // `in last 30 days` (rolling) / `from last week` (calendar)
                    if let Some(r) = self.rolling(false) {
                        return Ok(Some(r));
                    }
                    return Ok(self.word().and_then(|u| {
                        let p = time::previous(u, as_of)?;
                        self.pos += 1;
                        Some(p)
                    }));
                }
                if self.eat("this") {
                    return Ok(self.this_period());
                }
                if prep != "from" && prep != "of" && prep != "during" {
                    // `in a month`, `within 30 days`, `for 3 months`
                    if let Some(r) = self.rolling(false) {
                        return Ok(Some(r));
                    }
                }
                if prep == "from" {
                    if let Some(from) = self.date_point()? {
                        if self
                            .eat_any(&["to", "until", "till", "through", "thru"])
                            .is_some()
                        {
                            let Some(to) = self.date_point()? else {
                                return Err(self.cannot_use(
                                    "an end date",
                                    "customers who ordered from 2025-01-01 to 2025-03-31",
                                ));
                            };
                            return Ok(Some(Window::Between(from, to)));
                        }
                        return Ok(Some(Window::Since(from)));
                    }
                    return Ok(None);
                }
                if prep == "in" || prep == "during" {
                    return self.whole_period();
                }
                Ok(None)
            }
            "last" | "past" | "previous" => {
                self.pos += 1;
                if let Some(r) = self.rolling(w == "past") {
                    return Ok(Some(r));
                }
                Ok(self.word().and_then(|u| {
                    let p = time::previous(u, as_of)?;
                    self.pos += 1;
                    Some(p)
                }))
            }
            "this" => {
                self.pos += 1;
                Ok(self.this_period())
            }
            "today" => {
                self.pos += 1;
                Ok(time::this("day"))
            }
            "yesterday" => {
                self.pos += 1;
                Ok(time::previous("day", as_of))
            }
            "recently" | "lately" => {
                self.pos += 1;
                self.notes
                    .push(format!("\"{w}\" is read as in the last 30 days"));
                Ok(Some(Window::LastDays(30)))
            }
            "since" => {
                self.pos += 1;
                if self.eat("last") {
                    if let Some(d) = self.word().and_then(|u| time::previous_start(u, as_of)) {
                        self.pos += 1;
                        return Ok(Some(Window::Since(d)));
                    }
                    return Err(self.cannot_use(
                        "\"week\", \"month\" or \"year\"",
                        "customers who ordered since last month",
                    ));
                }
                if self.eat_seq(&["the", "start", "of", "the"])
                    || self.eat_seq(&["the", "beginning", "of", "the"])
                    || self.eat_seq(&["the", "start", "of"])
                    || self.eat_seq(&["the", "beginning", "of"])
                {
                    self.eat("this");
                    if let Some(Window::Calendar(c)) = self.word().and_then(time::this) {
                        self.pos += 1;
                        if let Some((Some(d), _)) = time::day_range(&Window::Calendar(c), as_of) {
                            return Ok(Some(Window::Since(d)));
                        }
                    }
                    return Err(self.cannot_use(
                        "\"year\", \"month\" or \"week\"",
                        "customers who ordered since the start of the year",
                    ));
                }
                // `since 3 months ago`
                let save = self.pos;
                if let Some((n, _)) = self.count_number()
                    && let Some(unit) = self.word().and_then(time::unit_days)
                    && self.word_at(1) == Some("ago")
                {
                    self.pos += 2;
                    let days = u32::try_from(n).unwrap_or(u32::MAX).saturating_mul(unit);
                    return Ok(Some(Window::Since(time::days_before(as_of, days))));
                }
                self.pos = save;
                match self.date_point()? {
                    Some(d) => Ok(Some(Window::Since(d))),
                    None => Err(self.cannot_use(
                        "a date after \"since\": \"January\", \"2025-01-01\", \"last month\"",
                        "customers who ordered since January",
                    )),
                }
            }
            "before" | "until" | "till" => {
                self.pos += 1;
                let day = |d: Date| if w == "before" { d } else { time::day_after(d) };
                match self.date_point()? {
                    Some(d) => Ok(Some(Window::Not(Box::new(Window::Since(day(d)))))),
                    None => Err(self.cannot_use(
                        "a date after \"before\"",
                        "customers who ordered before 2025-01-01",
                    )),
                }
            }
            "after" => {
                self.pos += 1;
                // After a day, a month or a year: from the day after it.
                match self.whole_period()? {
                    Some(Window::Between(_, end)) => Ok(Some(Window::Since(time::day_after(end)))),
                    _ => Err(self.cannot_use(
                        "a date after \"after\"",
                        "customers who ordered after 2025-01-01",
                    )),
                }
            }
            "between" => {
                self.pos += 1;
                let Some(from) = self.date_point()? else {
                    return Ok(None);
                };
                if !self.eat("and") {
                    return Ok(None);
                }
                let Some(to) = self.date_point()? else {
                    return Err(self.cannot_use(
                        "an end date",
                        "customers who ordered between 2025-01-01 and 2025-03-31",
                    ));
                };
                Ok(Some(Window::Between(from, to)))
            }
            "on" => {
                self.pos += 1;
                match self.date_token() {
                    Some(d) => Ok(Some(Window::Between(d, d))),
                    None => Ok(None),
                }
            }
            _ => Ok(None),
        }
    }

    /// After `last`/`past`: `90 days`, `2 weeks`, `month` (one), `couple
    /// of weeks`; with `singular_ok`, a bare unit is one of it (`past
    /// month`).
    pub(super) fn rolling(&mut self, singular_ok: bool) -> Option<Window> {
        let save = self.pos;
        let n = if self.eat_seq(&["couple", "of"]) || self.eat_seq(&["a", "couple", "of"]) {
            Some(2)
        } else if self.eat_seq(&["few"]) || self.eat_seq(&["a", "few"]) {
            Some(3)
        } else {
            self.count_number()
                .map(|(n, _)| n)
                .or_else(|| self.eat_any(&["a", "an", "one"]).map(|_| 1))
        };
        let unit = self.word().and_then(time::unit_days);
        let Some(unit) = unit else {
            self.pos = save;
            return None;
        };
        let unit_word = self.word().unwrap_or_default();
        let is_plural = unit_word.ends_with('s');
        if n.is_none() && (!singular_ok || is_plural) {
            // `last week` without `the` is the calendar week.
            self.pos = save;
            return None;
        }
        self.pos += 1;
        let n = u32::try_from(n.unwrap_or(1)).unwrap_or(u32::MAX);
        Some(Window::LastDays(n.saturating_mul(unit)))
    }

    /// After `this`: `week`, `month`, `year`.
    pub(super) fn this_period(&mut self) -> Option<Window> {
        let w = self.word().and_then(time::this)?;
        self.pos += 1;
        Some(w)
    }

    /// `2025`, `March`, `March 2025`, `2025-03-01` as a whole period.
    pub(super) fn whole_period(&mut self) -> Result<Option<Window>, QueryError> {
        if let Some(d) = self.date_token() {
            return Ok(Some(Window::Between(d, d)));
        }
        if let Some(m) = self.word().and_then(time::month_number) {
            self.pos += 1;
            let year = self.year_number();
            return Ok(time::month_window(m, year, self.as_of));
        }
        if let Some(y) = self.year_number() {
            return Ok(time::year_window(y));
        }
        Ok(None)
    }

    /// A day: `2025-01-01`, `January` (its first day), `March 2025`,
    /// `2025` (January 1).
    pub(super) fn date_point(&mut self) -> Result<Option<Date>, QueryError> {
        if let Some(d) = self.date_token() {
            return Ok(Some(d));
        }
        if let Some(m) = self.word().and_then(time::month_number) {
            self.pos += 1;
            let year = self.year_number();
            return Ok(time::month_start(m, year, self.as_of));
        }
        if let Some(y) = self.year_number() {
            return Ok(Date::new(y, 1, 1).ok());
        }
        if self.eat("yesterday") {
            return Ok(Some(time::days_before(self.as_of, 1)));
        }
        if self.eat("today") {
            return Ok(Some(self.as_of));
        }
        Ok(None)
    }

    pub(super) fn date_token(&mut self) -> Option<Date> {
        match self.peek().map(|t| &t.kind) {
            Some(Tok::Date(d)) => {
                let d = *d;
                self.pos += 1;
                Some(d)
            }
            _ => None,
        }
    }

    pub(super) fn year_number(&mut self) -> Option<i16> {
        match self.peek().map(|t| &t.kind) {
            Some(Tok::Number {
                integer: Some(n), ..
            }) => {
                let y = time::as_year(*n)?;
                self.pos += 1;
                Some(y)
            }
            _ => None,
        }
    }
}
