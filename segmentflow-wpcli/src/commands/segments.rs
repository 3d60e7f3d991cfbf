//! `segments list|show|export|query`: customer segments computed locally
//! from the store — no data leaves the machine.
//!
//! The store is read once (`store::insight`: every order and known person
//! as small facts), aggregated per customer once
//! (`segmentflow_core::insight::facts::Facts`), and every rule of the
//! command is evaluated in one walk over the customers
//! (`segments::evaluate_all`): `list` and `export` evaluate the 11
//! pre-built segments together.
//!
//! * **As of.** `--as-of=YYYY-MM-DD` evaluates as of the end of that UTC
//!   date (23:59:59.999999999), so orders of that day count and the result
//!   never changes afterwards; without it, as of now (this machine's
//!   clock). English time phrases ("in the last month") resolve against
//!   the same date.
//! * **Members** are shown with their customer key (`user:12`,
//!   `guest:ana@example.com`), user id, email and name (the user's, else
//!   the guest's billing email of their last order), paid orders and net
//!   spend (lifetime, up to the as-of instant).
//! * **Remote conditions** (email opens, campaign engagement) are never
//!   dropped: `query` prints them as "evaluated in Segmentflow, not
//!   locally", and customers whose membership depends on them are listed
//!   with `membership` = `undecided` (members decided locally: `member`).
//! * **Errors.** A rule that does not parse or a query that does not
//!   compile is an error (exit 1) whose message points at the word (a caret
//!   under it) and, for queries, suggests a supported phrasing. An unknown
//!   slug is a usage error (exit 2, from the config). Rows that cannot be
//!   read are reported as warnings and skipped; the command then exits 3.
//! * **Output.** `table` (default; `query` prints its rule and notes above
//!   the table), `json`, `csv`, `yaml`, `ids` (customer keys), `count`.
//!   With a machine format the rule and notes go to stderr so stdout stays
//!   parseable. `export` defaults to CSV.

use std::time::Instant;

use anyhow::{Context as _, bail};
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Value, json};

use segmentflow_core::insight::facts::{CustomerId, Facts};
use segmentflow_core::insight::query::{self, Compiled};
use segmentflow_core::insight::rules::Rule;
use segmentflow_core::insight::segments::{self, Members, PREBUILT};
use segmentflow_core::insight::{CustomerKey, OrderFact, PersonFact};

use crate::config::{Segments, SegmentsAction};
use crate::exit::ExitStatus;
use crate::output::{self, Format, Printer, Record};
use crate::wordpress::site::Site;
use crate::wordpress::store::Tables;
use crate::wordpress::store::insight::{WINDOW, order_facts, person_facts};
use crate::wordpress::store::site::order_storage;

/// Fields `segments list` shows by default.
pub const LIST_FIELDS: &[&str] = &["slug", "name", "rule", "members"];
/// Fields of a member (`show`, `query`) shown by default.
pub const MEMBER_FIELDS: &[&str] = &[
    "customer",
    "user_id",
    "email",
    "name",
    "paid_orders",
    "spend",
];
/// Fields `segments export` shows by default.
pub const EXPORT_FIELDS: &[&str] = &["segment", "customer", "user_id", "email"];

/// Warnings printed for unreadable rows before they are only counted.
const MAX_ROW_WARNINGS: usize = 10;

/// The store as read for segments.
pub struct StoreFacts {
    /// Every order (refunds folded in).
    pub orders: Vec<OrderFact>,
    /// Every known person.
    pub people: Vec<PersonFact>,
    /// Rows that could not be read (reported as warnings).
    pub skipped: usize,
}

/// The instant `--as-of` stands for: the end of that UTC date; now without it.
pub fn as_of_instant(date: Option<Date>) -> anyhow::Result<Timestamp> {
    match date {
        None => Ok(Timestamp::now()),
        Some(d) => jiff::tz::TimeZone::UTC
            .to_timestamp(d.at(23, 59, 59, 999_999_999))
            .with_context(|| format!("--as-of {d} is out of range")),
    }
}

/// Reads every order and person of the site's store.
pub fn read_store(site: &mut Site, printer: &Printer) -> anyhow::Result<StoreFacts> {
    let tables = Tables::new(&site.prefix, site.blog_id)?;
    let storage =
        order_storage(&mut site.db, &tables).context("cannot tell where orders are stored")?;
    let mut skipped = 0usize;
    let mut orders = Vec::new();
    for fact in order_facts(&mut site.db, &tables, storage, WINDOW) {
        match fact {
            Ok(o) => orders.push(o),
            Err(e @ crate::wordpress::store::ReadError::Row { .. }) => {
                skipped += 1;
                if skipped <= MAX_ROW_WARNINGS {
                    printer.warning(&format!("skipped an order that cannot be read: {e}"));
                }
            }
            Err(e) => return Err(e).context("cannot read the orders"),
        }
    }
    let people =
        person_facts(&mut site.db, &tables, WINDOW).context("cannot read the customers")?;
    if skipped > MAX_ROW_WARNINGS {
        printer.warning(&format!("{skipped} orders could not be read in all"));
    }
    Ok(StoreFacts {
        orders,
        people,
        skipped,
    })
}

/// Runs `segments …`.
pub fn run(site: &mut Site, opts: &Segments, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let as_of = as_of_instant(opts.as_of)?;
    let as_of_date = jiff::tz::TimeZone::UTC.to_datetime(as_of).date();

    // Compile first: a bad rule or query fails before the store is read.
    let (rules, compiled): (Vec<Rule>, Option<Compiled>) = match &opts.action {
        SegmentsAction::List | SegmentsAction::Export => {
            (PREBUILT.iter().map(|s| s.rule()).collect(), None)
        }
        SegmentsAction::Show(slug) => {
            let seg =
                segments::prebuilt(slug).with_context(|| format!("unknown segment '{slug}'"))?;
            (vec![seg.rule()], None)
        }
        SegmentsAction::Rule(text) => match Rule::parse(text) {
            Ok(rule) => (vec![rule], None),
            Err(e) => bail!("invalid --rule: {e}\n{}", caret(text, e.offset)),
        },
        SegmentsAction::Query(text) => match query::compile(text, as_of_date) {
            Ok(c) => (vec![c.rule.clone()], Some(c)),
            Err(e) => bail!("cannot understand the query: {e}\n{}", e.pointer(text)),
        },
    };

    let started = Instant::now();
    let store = read_store(site, printer)?;
    let read = started.elapsed();
    let started = Instant::now();
    let facts = Facts::build(&store.orders, &store.people, as_of);
    let built = started.elapsed();
    let started = Instant::now();
    let results = segments::evaluate_all(&rules, &facts);
    let evaluated = started.elapsed();
    printer.debug(&format!(
        "read {} orders and {} people in {:.3}s; {} customers aggregated in {:.3}s; {} rule(s) evaluated in {:.3}s (as of {as_of})",
        store.orders.len(),
        store.people.len(),
        read.as_secs_f64(),
        facts.len(),
        built.as_secs_f64(),
        rules.len(),
        evaluated.as_secs_f64(),
    ));

    let text = match &opts.action {
        SegmentsAction::List => {
            let items: Vec<Record> = PREBUILT
                .iter()
                .zip(&results)
                .map(|(s, m)| {
                    record(json!({
                        "slug": s.slug,
                        "name": s.name,
                        "rule": s.rule,
                        "description": s.description,
                        "members": m.members.len(),
                    }))
                })
                .collect();
            render(opts, LIST_FIELDS, "slug", &items, printer)?
        }
        SegmentsAction::Export => {
            let mut items = Vec::new();
            for (s, m) in PREBUILT.iter().zip(&results) {
                for &c in &m.members {
                    let mut r = member(&facts, &store, c, "member");
                    r.insert("segment".into(), Value::from(s.slug));
                    items.push(r);
                }
            }
            render(opts, EXPORT_FIELDS, "customer", &items, printer)?
        }
        SegmentsAction::Show(_) | SegmentsAction::Rule(_) | SegmentsAction::Query(_) => {
            let m = results.into_iter().next().unwrap_or_default();
            let has_remote = !rules.iter().all(|r| r.remote_parts().is_empty());
            if let Some(c) = &compiled {
                report_compiled(c, opts.format, printer)?;
            } else if let SegmentsAction::Rule(_) = &opts.action {
                for r in rules.iter().flat_map(|r| r.remote_parts()) {
                    printer.warning(&format!("{r}: evaluated in Segmentflow, not locally"));
                }
            }
            let items = members(&facts, &store, &m);
            let mut fields = MEMBER_FIELDS.to_vec();
            if has_remote {
                fields.push("membership");
            }
            render(opts, &fields, "customer", &items, printer)?
        }
    };
    printer.result(&text)?;
    Ok(if store.skipped > 0 {
        ExitStatus::Partial
    } else {
        ExitStatus::Success
    })
}

/// Prints the compiled rule, its remote parts and notes: on stdout above
/// a table, on stderr with a machine format.
fn report_compiled(c: &Compiled, format: Format, printer: &Printer) -> anyhow::Result<()> {
    let mut lines = vec![format!("Rule: {}", c.rule)];
    for r in &c.remote {
        lines.push(format!(
            "Remote: \"{}\" ({}): evaluated in Segmentflow, not locally",
            r.phrase, r.description
        ));
    }
    for n in &c.notes {
        lines.push(format!("Note: {n}"));
    }
    if format == Format::Table {
        printer.result(&format!("{}\n\n", lines.join("\n")))?;
    } else {
        for l in lines {
            printer.info(&l);
        }
    }
    Ok(())
}

/// The rule text with a caret under byte `offset`.
fn caret(text: &str, offset: usize) -> String {
    let column = text.get(..offset).map_or(offset, |s| s.chars().count());
    format!("{text}\n{}^", " ".repeat(column))
}

fn record(v: Value) -> Record {
    match v {
        Value::Object(m) => m,
        _ => Record::new(),
    }
}

/// Members then undecided customers, as records.
fn members(facts: &Facts, store: &StoreFacts, m: &Members) -> Vec<Record> {
    m.members
        .iter()
        .map(|&c| member(facts, store, c, "member"))
        .chain(
            m.undecided
                .iter()
                .map(|&c| member(facts, store, c, "undecided")),
        )
        .collect()
}

/// One customer as a record.
fn member(facts: &Facts, store: &StoreFacts, c: CustomerId, membership: &str) -> Record {
    let s = facts.summary(c);
    let person = s.person.and_then(|i| store.people.get(i));
    let last_order = s.last_order.and_then(|i| store.orders.get(i));
    let (user_id, guest_email) = match s.key {
        CustomerKey::User(id) => (Value::from(*id), None),
        CustomerKey::Guest(email) => (Value::Null, Some(email.as_str())),
    };
    let email = person
        .map(|p| p.email.as_str())
        .filter(|e| !e.is_empty())
        .or(guest_email)
        .or_else(|| last_order.map(|o| o.billing_email.as_str()))
        .unwrap_or("");
    let name = person
        .map(|p| {
            format!("{} {}", p.first_name, p.last_name)
                .trim()
                .to_owned()
        })
        .unwrap_or_default();
    let day = |t: Option<Timestamp>| {
        t.map(|t| Value::from(jiff::tz::TimeZone::UTC.to_datetime(t).date().to_string()))
            .unwrap_or(Value::Null)
    };
    record(json!({
        "customer": s.key.to_string(),
        "user_id": user_id,
        "email": email,
        "name": name,
        "registered": s.registered,
        "paid_orders": s.paid_orders,
        "spend": s.spend.to_string(),
        "first_paid": day(s.first_paid),
        "last_paid": day(s.last_paid),
        "orders": s.orders,
        "membership": membership,
    }))
}

fn render(
    opts: &Segments,
    default: &[&str],
    id_field: &str,
    items: &[Record],
    printer: &Printer,
) -> anyhow::Result<String> {
    let fields = opts.fields.resolve(default);
    let mut text = output::render_items(opts.format, &fields, id_field, items, printer.piped())?;
    if !text.ends_with('\n') && opts.format != Format::Json {
        text.push('\n');
    }
    Ok(text)
}
