//! The sync state kept between runs: one checkpoint per resource and the last
//! run's id and time, stored PHP-serialized in the `segmentflow_sync_state`
//! option so `wp option get segmentflow_sync_state` shows it.
//!
//! This module only defines the value (serde derives); the shell turns it
//! into option bytes with the core's PHP serde layer. Reading is forward
//! compatible: unknown keys are ignored and missing ones take their
//! defaults, so a state written by a newer version reads back here and a
//! missing option is the empty state (a full sync).

use serde::{Deserialize, Serialize};

use super::{Checkpoint, Resource};

/// The option holding the sync state.
pub const SYNC_STATE_OPTION: &str = "segmentflow_sync_state";

/// The stored sync state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SyncState {
    /// Format version of this value (1).
    pub version: u32,
    /// Where the customers sync reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers: Option<Checkpoint>,
    /// Where the orders sync reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orders: Option<Checkpoint>,
    /// Where the products sync reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub products: Option<Checkpoint>,
    /// Where the users (identify) backfill reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<Checkpoint>,
    /// The blog's members as a run last counted them in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<MemberCensus>,
    /// Id of the last run that wrote this state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run_id: Option<String>,
    /// When that run started, ISO 8601 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run_at: Option<String>,
}

/// How many members the blog had (users with a capabilities row for it:
/// the customers and the users a sync sends) when a run last read them
/// all, and the fingerprint of the rows that decide membership at that
/// moment (`fingerprint` is the shell's, opaque here).
///
/// While the fingerprint reads the same, membership is unchanged, and a
/// run counts its unchanged customers and users from `members` less those
/// modified since its checkpoints, instead of reading every member again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberCensus {
    /// What decided membership, as the shell summarised it.
    pub fingerprint: String,
    /// How many members there were.
    pub members: u64,
}

/// The format version this code writes.
pub const SYNC_STATE_VERSION: u32 = 1;

impl SyncState {
    /// The checkpoint of `resource`.
    pub fn checkpoint(&self, resource: Resource) -> Option<&Checkpoint> {
        match resource {
            Resource::Customers => self.customers.as_ref(),
            Resource::Orders => self.orders.as_ref(),
            Resource::Products => self.products.as_ref(),
            Resource::Users => self.users.as_ref(),
        }
    }

    /// Sets (or with `None`, clears — as `--full` does) the checkpoint of
    /// `resource`.
    pub fn set_checkpoint(&mut self, resource: Resource, checkpoint: Option<Checkpoint>) {
        self.version = SYNC_STATE_VERSION;
        let slot = match resource {
            Resource::Customers => &mut self.customers,
            Resource::Orders => &mut self.orders,
            Resource::Products => &mut self.products,
            Resource::Users => &mut self.users,
        };
        *slot = checkpoint;
    }

    /// Records the run that is writing the state.
    pub fn set_run(&mut self, run_id: impl Into<String>, started_at: impl Into<String>) {
        self.version = SYNC_STATE_VERSION;
        self.last_run_id = Some(run_id.into());
        self.last_run_at = Some(started_at.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_get() {
        let mut state = SyncState::default();
        assert_eq!(state.checkpoint(Resource::Orders), None);
        let cp = Checkpoint::new("2024-05-01 13:45:00", 12).expect("valid");
        for r in Resource::ALL {
            state.set_checkpoint(r, Some(cp.clone()));
            assert_eq!(state.checkpoint(r), Some(&cp));
        }
        state.set_checkpoint(Resource::Users, None);
        assert_eq!(state.checkpoint(Resource::Users), None);
        assert_eq!(state.version, SYNC_STATE_VERSION);
    }

    #[test]
    fn serialized_shape() {
        let mut state = SyncState::default();
        state.set_checkpoint(
            Resource::Orders,
            Some(Checkpoint::new("2024-05-01 13:45:00", 1042).expect("valid")),
        );
        state.set_run("sync-1", "2024-05-01T13:50:00Z");
        insta::assert_json_snapshot!(state);
    }

    #[test]
    fn round_trips_through_php_values() {
        let mut state = SyncState::default();
        state.set_checkpoint(
            Resource::Products,
            Some(Checkpoint::new("2024-05-01 13:45:00", 88).expect("valid")),
        );
        state.set_run("sync-1", "2024-05-01T13:50:00Z");
        state.members = Some(MemberCensus {
            fingerprint: "caps 3/12; users 3/4".into(),
            members: 3,
        });
        let value = crate::php::to_value(&state).expect("serializable as PHP");
        let back: SyncState = crate::php::from_value(&value).expect("readable from PHP");
        assert_eq!(back, state);
        // The empty state reads back as the default (no checkpoints).
        let empty = crate::php::to_value(&SyncState::default()).expect("serializable");
        let back: SyncState = crate::php::from_value(&empty).expect("readable");
        assert_eq!(back, SyncState::default());
    }

    #[test]
    fn forward_compatible_reading() {
        let cases: &[(&str, Option<u64>)] = &[
            ("{}", None),
            (
                r#"{"orders":{"modified_gmt":"2024-05-01 13:45:00","id":7}}"#,
                Some(7),
            ),
            (
                r#"{"version":9,"orders":{"modified_gmt":"2024-05-01 13:45:00","id":7,"shard":3},"coupons":{"id":1},"mode":"x"}"#,
                Some(7),
            ),
        ];
        for (json, orders) in cases {
            let state: SyncState = serde_json::from_str(json).expect("readable");
            assert_eq!(
                state.checkpoint(Resource::Orders).map(|c| c.id),
                *orders,
                "{json}"
            );
            // The same through the PHP layer the option is stored with.
            let tree: serde_json::Value = serde_json::from_str(json).expect("JSON");
            let php = crate::php::to_value(&tree).expect("serializable as PHP");
            let state: SyncState = crate::php::from_value(&php).expect("readable from PHP");
            assert_eq!(
                state.checkpoint(Resource::Orders).map(|c| c.id),
                *orders,
                "{json} via PHP"
            );
        }
    }
}
