//! Checkpoints: how far a resource has been synced, and how that point moves
//! while items are delivered out of order.
//!
//! A [`Checkpoint`] is the `(modified_gmt, id)` key of the last item of a
//! resource that the receiver acknowledged *together with everything before
//! it in read order*. The store readers read in that same order (keyset pages
//! on `(modified_gmt, id)`), so "resume from the checkpoint" means "read the
//! items whose key is greater than it".
//!
//! The parallel engine sends items out of order, so the checkpoint cannot be
//! "the last acknowledged item". [`CheckpointTracker`] is fed every item in
//! read order when it is dispatched, and then acks and failures in any order;
//! the checkpoint is the last item of the longest acknowledged prefix of the
//! dispatched sequence. A failed item stops the checkpoint at its predecessor
//! for the rest of the run (later items are still sent, and the next run sends
//! them again from the checkpoint; their delivery ids are deterministic, so the
//! receiver drops the duplicates).

use std::collections::VecDeque;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The `(modified_gmt, id)` key of an item in read order.
///
/// `modified_gmt` is the item's GMT modification time in the MySQL
/// `DATETIME` form WordPress stores (`2024-05-01 13:45:00`). Because that form
/// has fixed width with the most significant field first, comparing the text
/// compares the times; [`Checkpoint::new`] checks the form so that stays true.
/// Ties on the time are broken by the id, as the readers' `ORDER BY
/// modified_gmt, id` does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Checkpoint {
    /// GMT modification time, `YYYY-MM-DD HH:MM:SS`.
    pub modified_gmt: String,
    /// The item's id (post, order, user or variation id).
    pub id: u64,
}

/// A modification time that is not in the `YYYY-MM-DD HH:MM:SS` form.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "modification time {value:?} of item {id} is not a GMT datetime of the form YYYY-MM-DD HH:MM:SS"
)]
pub struct CheckpointError {
    /// The text that was given.
    pub value: String,
    /// The id of the item it belonged to.
    pub id: u64,
}

impl Checkpoint {
    /// Builds a checkpoint, checking that `modified_gmt` is a
    /// `YYYY-MM-DD HH:MM:SS` datetime (the zero date
    /// `0000-00-00 00:00:00` that MySQL uses for "never" is accepted and sorts
    /// first).
    pub fn new(modified_gmt: impl Into<String>, id: u64) -> Result<Checkpoint, CheckpointError> {
        let modified_gmt = modified_gmt.into();
        if is_mysql_datetime(&modified_gmt) {
            Ok(Checkpoint { modified_gmt, id })
        } else {
            Err(CheckpointError {
                value: modified_gmt,
                id,
            })
        }
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} #{}", self.modified_gmt, self.id)
    }
}

/// Whether `s` has the shape `DDDD-DD-DD DD:DD:DD` with plausible field ranges.
fn is_mysql_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 19 {
        return false;
    }
    let shape_ok = b.iter().enumerate().all(|(i, &c)| match i {
        4 | 7 => c == b'-',
        10 => c == b' ',
        13 | 16 => c == b':',
        _ => c.is_ascii_digit(),
    });
    if !shape_ok {
        return false;
    }
    let num = |from: usize, to: usize| -> u32 {
        b[from..to]
            .iter()
            .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'))
    };
    let (month, day, hour, minute, second) =
        (num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19));
    month <= 12 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59
}

/// An item dispatched with a key below the previous item's.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("item {key} was read after item {previous}: items must come in (modified_gmt, id) order")]
pub struct OutOfOrder {
    /// The key of the item dispatched before.
    pub previous: Checkpoint,
    /// The key that was refused.
    pub key: Checkpoint,
}

/// A dispatched item's place in a [`CheckpointTracker`]: hand it back with
/// [`CheckpointTracker::ack`] or [`CheckpointTracker::fail`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ticket(u64);

impl Ticket {
    /// The item's position in read order, counting from 0 for the first
    /// item dispatched to this tracker.
    pub fn sequence(self) -> u64 {
        self.0
    }
}

/// What has become of a dispatched item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    InFlight,
    Acked,
}

/// Follows the acknowledged prefix of items dispatched in read order and
/// reports the checkpoint it reaches.
///
/// Memory: the tracker keeps one small entry per item between the oldest item
/// still in flight and the newest dispatched one (the *window*); acknowledged
/// items at the front are dropped as soon as the checkpoint passes them. After
/// a failure the checkpoint can only move up to the failed item's
/// predecessor, so the tracker keeps only the entries before the failed item
/// and counts the rest. The engine bounds the window by not
/// dispatching more than a fixed number of items past the oldest unresolved
/// one ([`CheckpointTracker::window_len`]).
///
/// ```
/// use segmentflow_core::sync::{Checkpoint, CheckpointTracker};
///
/// let key = |id| Checkpoint::new("2024-05-01 10:00:00", id).unwrap();
/// let mut tracker = CheckpointTracker::new(None);
/// let a = tracker.dispatch(key(1)).unwrap();
/// let b = tracker.dispatch(key(2)).unwrap();
/// // The second item is acknowledged first: the checkpoint cannot pass item 1.
/// assert_eq!(tracker.ack(b), None);
/// // Once item 1 is acknowledged too, the checkpoint jumps to item 2.
/// assert_eq!(tracker.ack(a), Some(key(2)));
/// ```
#[derive(Debug, Clone)]
pub struct CheckpointTracker {
    /// The checkpoint reached so far (the one the run started from, at first).
    checkpoint: Option<Checkpoint>,
    /// Sequence number of the first entry of `window`.
    front_seq: u64,
    /// Sequence number the next dispatched item gets.
    next_seq: u64,
    /// Items from the oldest unresolved one to the newest dispatched one.
    window: VecDeque<(Slot, Checkpoint)>,
    /// Set once an item failed: the checkpoint stays where it is.
    blocked_at: Option<u64>,
    /// Items still in flight (dispatched, neither acked nor failed).
    in_flight: u64,
    /// The key of the last dispatched item.
    last_key: Option<Checkpoint>,
}

impl CheckpointTracker {
    /// A tracker whose checkpoint starts at `start` (the stored checkpoint of
    /// the resource, or `None` for a full sync).
    pub fn new(start: Option<Checkpoint>) -> CheckpointTracker {
        CheckpointTracker {
            checkpoint: start,
            front_seq: 0,
            next_seq: 0,
            window: VecDeque::new(),
            blocked_at: None,
            in_flight: 0,
            last_key: None,
        }
    }

    /// Records that the item with key `key` was handed to the senders.
    ///
    /// Items must come in read order, that is in non-decreasing key order:
    /// a key below the previous one is refused (and not recorded), because a
    /// checkpoint placed after it would make the next run skip it.
    pub fn dispatch(&mut self, key: Checkpoint) -> Result<Ticket, OutOfOrder> {
        if let Some(previous) = self.last_key.as_ref().filter(|previous| key < **previous) {
            return Err(OutOfOrder {
                previous: previous.clone(),
                key,
            });
        }
        self.last_key = Some(key.clone());
        let ticket = Ticket(self.next_seq);
        self.next_seq += 1;
        self.in_flight += 1;
        if self.blocked_at.is_none() {
            self.window.push_back((Slot::InFlight, key));
        }
        Ok(ticket)
    }

    /// Records that the receiver acknowledged the item. Returns the new
    /// checkpoint when it advanced, `None` otherwise (including for a ticket
    /// that was already resolved or that this tracker never issued).
    pub fn ack(&mut self, ticket: Ticket) -> Option<Checkpoint> {
        if self.is_past_block(ticket) {
            self.resolve_untracked(ticket);
            return None;
        }
        let slot = self.slot_mut(ticket)?;
        if slot.0 != Slot::InFlight {
            return None;
        }
        slot.0 = Slot::Acked;
        self.in_flight -= 1;
        let mut advanced = None;
        while let Some((Slot::Acked, _)) = self.window.front() {
            if let Some((_, key)) = self.window.pop_front() {
                advanced = Some(key);
            }
            self.front_seq += 1;
        }
        let key = advanced?;
        self.checkpoint = Some(key.clone());
        Some(key)
    }

    /// Records that the item failed for good. The checkpoint can still reach
    /// the item's predecessor (as the items before it are acknowledged) but
    /// never passes it in this run. A failure never moves the checkpoint, so
    /// nothing is returned.
    pub fn fail(&mut self, ticket: Ticket) {
        if self.is_past_block(ticket) {
            self.resolve_untracked(ticket);
            return;
        }
        let Some(slot) = self.slot_mut(ticket) else {
            return;
        };
        if slot.0 != Slot::InFlight {
            return;
        }
        self.in_flight -= 1;
        // Only the items before the failed one can still move the
        // checkpoint; the ones from it on are dropped (those still in flight
        // stay counted in `in_flight`). The front of the window is never an
        // acked item, so there is nothing to advance over here.
        let keep = usize::try_from(ticket.0 - self.front_seq).unwrap_or(usize::MAX);
        self.window.truncate(keep);
        self.blocked_at = Some(ticket.0);
    }

    /// The checkpoint reached so far.
    pub fn checkpoint(&self) -> Option<&Checkpoint> {
        self.checkpoint.as_ref()
    }

    /// Whether an item failed, so the checkpoint can no longer advance.
    pub fn is_blocked(&self) -> bool {
        self.blocked_at.is_some()
    }

    /// Items dispatched and neither acknowledged nor failed.
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }

    /// Entries kept in memory: from the oldest unresolved item to the newest
    /// dispatched one (0 once blocked).
    pub fn window_len(&self) -> usize {
        self.window.len()
    }

    /// Items dispatched so far.
    pub fn dispatched(&self) -> u64 {
        self.next_seq
    }

    fn slot_mut(&mut self, ticket: Ticket) -> Option<&mut (Slot, Checkpoint)> {
        let index = ticket.0.checked_sub(self.front_seq)?;
        self.window.get_mut(usize::try_from(index).ok()?)
    }

    /// Whether `ticket` is at or after the failed item, where the window no
    /// longer keeps entries.
    fn is_past_block(&self, ticket: Ticket) -> bool {
        self.blocked_at.is_some_and(|at| ticket.0 >= at)
    }

    /// Resolves a ticket past the failure: only the in-flight count is kept
    /// for those. A ticket resolved twice cannot be told apart there, so the
    /// count saturates at 0 rather than going wrong further.
    fn resolve_untracked(&mut self, ticket: Ticket) {
        if ticket.0 < self.next_seq && Some(ticket.0) != self.blocked_at {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(id: u64) -> Checkpoint {
        Checkpoint::new(
            format!("2024-05-01 10:{:02}:{:02}", (id / 60) % 60, id % 60),
            id,
        )
        .expect("valid key")
    }

    #[test]
    fn checkpoint_form_is_checked() {
        let cases: &[(&str, bool)] = &[
            ("2024-05-01 13:45:00", true),
            ("0000-00-00 00:00:00", true),
            ("1999-12-31 23:59:59", true),
            ("2024-5-01 13:45:00", false),
            ("2024-05-01T13:45:00", false),
            ("2024-05-01 13:45:00Z", false),
            ("2024-13-01 13:45:00", false),
            ("2024-05-01 24:00:00", false),
            ("", false),
            ("２０２４-05-01 13:45", false),
        ];
        for (text, ok) in cases {
            assert_eq!(Checkpoint::new(*text, 7).is_ok(), *ok, "{text:?}");
        }
        let err = Checkpoint::new("yesterday", 42).expect_err("invalid");
        assert!(err.to_string().contains("\"yesterday\""));
        assert!(err.to_string().contains("42"));
    }

    #[test]
    fn checkpoints_order_by_time_then_id() {
        let a = Checkpoint::new("2024-05-01 10:00:00", 9).expect("valid");
        let b = Checkpoint::new("2024-05-01 10:00:00", 10).expect("valid");
        let c = Checkpoint::new("2024-05-01 10:00:01", 1).expect("valid");
        let zero = Checkpoint::new("0000-00-00 00:00:00", 500).expect("valid");
        assert!(zero < a && a < b && b < c);
        assert_eq!(b.to_string(), "2024-05-01 10:00:00 #10");
    }

    #[test]
    fn failure_in_the_middle_blocks_at_the_predecessor() {
        let mut t = CheckpointTracker::new(Some(key(0)));
        let tickets: Vec<Ticket> = (1..=5)
            .map(|id| t.dispatch(key(id)).expect("in order"))
            .collect();
        assert_eq!(t.ack(tickets[0]), Some(key(1)));
        assert_eq!(t.ack(tickets[3]), None);
        t.fail(tickets[2]);
        assert!(t.is_blocked());
        assert_eq!(t.window_len(), 1, "only item 2 is still tracked");
        // Item 2 is acked after the failure of item 3: the checkpoint moves
        // up to item 2 and no further.
        assert_eq!(t.ack(tickets[1]), Some(key(2)));
        assert_eq!(t.ack(tickets[4]), None);
        assert_eq!(t.checkpoint(), Some(&key(2)));
        assert_eq!(t.in_flight(), 0);
        assert_eq!(t.window_len(), 0);
    }

    #[test]
    fn an_earlier_failure_moves_the_block_back() {
        let mut t = CheckpointTracker::new(None);
        let tickets: Vec<Ticket> = (1..=5)
            .map(|id| t.dispatch(key(id)).expect("in order"))
            .collect();
        t.fail(tickets[3]);
        t.fail(tickets[1]);
        assert_eq!(t.ack(tickets[2]), None);
        assert_eq!(t.ack(tickets[0]), Some(key(1)));
        assert_eq!(t.ack(tickets[4]), None);
        assert_eq!(t.checkpoint(), Some(&key(1)));
        assert_eq!(t.in_flight(), 0);
        // Dispatching after a failure keeps no entries.
        let late = t.dispatch(key(6)).expect("in order");
        assert_eq!(t.window_len(), 0);
        assert_eq!(t.ack(late), None);
        assert_eq!(t.in_flight(), 0);
    }

    #[test]
    fn failure_after_an_acked_prefix_keeps_that_prefix() {
        let mut t = CheckpointTracker::new(None);
        let a = t.dispatch(key(1)).expect("in order");
        let b = t.dispatch(key(2)).expect("in order");
        let c = t.dispatch(key(3)).expect("in order");
        assert_eq!(t.ack(b), None);
        assert_eq!(t.ack(a), Some(key(2)));
        t.fail(c);
        assert_eq!(t.checkpoint(), Some(&key(2)));
    }

    #[test]
    fn nothing_acked_keeps_the_start() {
        let mut t = CheckpointTracker::new(Some(key(3)));
        let a = t.dispatch(key(4)).expect("in order");
        t.fail(a);
        assert_eq!(t.checkpoint(), Some(&key(3)));
        let mut t = CheckpointTracker::new(None);
        let _ = t.dispatch(key(4)).expect("in order");
        assert_eq!(t.checkpoint(), None);
        assert_eq!(t.in_flight(), 1);
    }

    #[test]
    fn double_and_foreign_acks_are_ignored() {
        let mut t = CheckpointTracker::new(None);
        let a = t.dispatch(key(1)).expect("in order");
        assert_eq!(t.ack(a), Some(key(1)));
        assert_eq!(t.ack(a), None);
        assert_eq!(t.ack(Ticket(99)), None);
        t.fail(Ticket(99));
        assert!(!t.is_blocked());
        assert_eq!(t.checkpoint(), Some(&key(1)));
    }

    #[test]
    fn out_of_order_keys_are_refused() {
        let mut t = CheckpointTracker::new(None);
        t.dispatch(key(5)).expect("first");
        t.dispatch(key(5)).expect("the same key again is allowed");
        let err = t.dispatch(key(4)).expect_err("goes back");
        assert_eq!((err.previous.id, err.key.id), (5, 4));
        assert!(err.to_string().contains("#4"), "{err}");
        assert_eq!(t.dispatched(), 2);
        t.dispatch(key(6)).expect("forward again");
    }

    #[test]
    fn window_shrinks_as_the_prefix_is_acked() {
        let mut t = CheckpointTracker::new(None);
        let tickets: Vec<Ticket> = (1..=100)
            .map(|id| t.dispatch(key(id)).expect("in order"))
            .collect();
        assert_eq!(t.window_len(), 100);
        for ticket in tickets.iter().skip(1) {
            assert_eq!(t.ack(*ticket), None);
        }
        assert_eq!(t.window_len(), 100);
        assert_eq!(t.ack(tickets[0]), Some(key(100)));
        assert_eq!(t.window_len(), 0);
    }

    /// An order in which to resolve `n` items, and which of them fail.
    fn resolution_plan() -> impl Strategy<Value = (Vec<usize>, Vec<bool>)> {
        (1usize..60).prop_flat_map(|n| {
            (
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
                proptest::collection::vec(proptest::bool::weighted(0.1), n),
            )
        })
    }

    proptest! {
        #[test]
        fn checkpoint_never_passes_an_unacked_item((order, failing) in resolution_plan()) {
            let n = order.len();
            let mut t = CheckpointTracker::new(None);
            let tickets: Vec<Ticket> = (0..n).map(|i| t.dispatch(key(i as u64 + 1)).expect("in order")).collect();
            let mut acked = vec![false; n];
            for &i in &order {
                if failing[i] {
                    t.fail(tickets[i]);
                } else {
                    t.ack(tickets[i]);
                    acked[i] = true;
                }
                // The checkpoint is item k: items 0..=k are all acked.
                if let Some(cp) = t.checkpoint() {
                    let k = (cp.id - 1) as usize;
                    prop_assert!(acked[..=k].iter().all(|a| *a));
                }
            }
            prop_assert_eq!(t.in_flight(), 0);
            let first_failure = failing.iter().position(|f| *f);
            match first_failure {
                None => prop_assert_eq!(t.checkpoint(), Some(&key(n as u64))),
                Some(0) => prop_assert_eq!(t.checkpoint(), None),
                // Exactly the predecessor of the first failure in read order.
                Some(f) => prop_assert_eq!(t.checkpoint(), Some(&key(f as u64))),
            }
        }

        #[test]
        fn all_acked_reaches_the_last_item(order in (1usize..80).prop_flat_map(|n| Just((0..n).collect::<Vec<_>>()).prop_shuffle())) {
            let n = order.len();
            let mut t = CheckpointTracker::new(Some(key(0)));
            let tickets: Vec<Ticket> = (0..n).map(|i| t.dispatch(key(i as u64 + 1)).expect("in order")).collect();
            let mut last = None;
            for &i in &order {
                if let Some(cp) = t.ack(tickets[i]) {
                    // Advances are monotonic.
                    if let Some(prev) = &last { prop_assert!(&cp > prev); }
                    last = Some(cp);
                }
            }
            prop_assert_eq!(t.checkpoint(), Some(&key(n as u64)));
            prop_assert_eq!(t.window_len(), 0);
        }
    }
}
