//! Where `sync` reads the store from: the [`RecordSource`] trait, and the
//! [`FixtureSource`] that reads store records from JSON files.
//!
//! A source yields, per resource, items in `(modified_gmt, id)` order — the
//! order checkpoints need — each with its webhook body already built
//! (`rest::*::to_json` + `rest::webhook_body` in the webhooks' API version),
//! and users as identities for identify events. Sources may skip items at or
//! before `after` themselves (the database readers do it in SQL); the
//! command filters again and counts what it skips as unchanged, so a source
//! that does not is still correct — [`FixtureSource`] yields everything
//! from `since` on, so its reports count the unchanged items.
//!
//! SEAM(readers): the database source is the readers branch's iterators
//! (`wordpress::store::{orders, customers, products, users}`) mapped the
//! same way as [`FixtureSource`] maps its files; until it lands,
//! [`DatabaseSource`] refuses with a clear error and the hidden
//! `--records-dir` flag selects the fixture source (tests, demos).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use segmentflow_core::rest::{self, ApiVersion};
use segmentflow_core::store::{
    CustomerRecord, DbDate, MetaValue, OrderRecord, ProductRecord, Site, find_meta,
};
use segmentflow_core::sync::{Checkpoint, Resource, UserIdentity};
use serde::de::DeserializeOwned;

/// One webhook item: its key and the exact body to sign and send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceItem {
    /// The record id.
    pub id: u64,
    /// Its read-order key.
    pub checkpoint: Checkpoint,
    /// The webhook body (`trim(wp_json_encode(payload))`).
    pub body: Vec<u8>,
}

/// One user for an identify event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserItem {
    /// Its read-order key.
    pub checkpoint: Checkpoint,
    /// Who the user is.
    pub identity: UserIdentity,
}

/// A stream of items or read errors (a read error stops the run).
pub type Items<T> = Box<dyn Iterator<Item = Result<T, String>> + Send>;

/// Reads the store for `sync`.
pub trait RecordSource: Send + Sync {
    /// Customers, orders or products (with variations) after `after` and
    /// modified at or after `since`, in `(modified_gmt, id)` order, with
    /// bodies in `version`.
    fn webhook_items(
        &self,
        resource: Resource,
        after: Option<&Checkpoint>,
        since: Option<&str>,
        version: ApiVersion,
    ) -> anyhow::Result<Items<SourceItem>>;

    /// Users after `after`, in `(modified_gmt, id)` order.
    fn users(
        &self,
        after: Option<&Checkpoint>,
        since: Option<&str>,
    ) -> anyhow::Result<Items<UserItem>>;
}

/// The database source: waits for the readers branch (see the module doc).
#[derive(Debug, Clone, Copy, Default)]
pub struct DatabaseSource;

const NO_READERS: &str = "reading the store from the database is not available in this build yet (the store readers are being merged); \
     nothing was sent";

impl RecordSource for DatabaseSource {
    fn webhook_items(
        &self,
        _resource: Resource,
        _after: Option<&Checkpoint>,
        _since: Option<&str>,
        _version: ApiVersion,
    ) -> anyhow::Result<Items<SourceItem>> {
        bail!(NO_READERS)
    }

    fn users(
        &self,
        _after: Option<&Checkpoint>,
        _since: Option<&str>,
    ) -> anyhow::Result<Items<UserItem>> {
        bail!(NO_READERS)
    }
}

/// Store records from JSON files: `site.json`, `orders/*.json`,
/// `customers/*.json`, `products/*.json` (variations included), the layout
/// of `fixtures/woocommerce-9.2.5/records/`. Users are the customers.
#[derive(Debug, Clone)]
pub struct FixtureSource {
    dir: PathBuf,
    site: Site,
}

fn read_json<T: DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&text)
        .with_context(|| format!("{} is not a store record", path.display()))
}

fn read_all<T: DeserializeOwned>(dir: &Path) -> anyhow::Result<Vec<T>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        out.push(read_json(&path)?);
    }
    Ok(out)
}

fn timestamp_text(seconds: i64) -> Option<String> {
    let ts = jiff::Timestamp::from_second(seconds).ok()?;
    Some(
        jiff::tz::Offset::UTC
            .to_datetime(ts)
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string(),
    )
}

fn key(modified: Option<String>, fallback: Option<String>, id: u64) -> Result<Checkpoint, String> {
    let text = modified
        .or(fallback)
        .unwrap_or_else(|| "1970-01-01 00:00:00".to_owned());
    Checkpoint::new(text, id).map_err(|e| e.to_string())
}

fn customer_key(c: &CustomerRecord) -> Result<Checkpoint, String> {
    let modified = match &c.last_update {
        Some(DbDate::Timestamp(t)) => timestamp_text(*t),
        Some(DbDate::Gmt(s)) => Some(s.clone()),
        Some(DbDate::SiteLocal(s)) => Some(s.clone()),
        None => None,
    };
    key(modified, c.user_registered_gmt.clone(), c.id)
}

fn meta_text(c: &CustomerRecord, name: &str) -> Option<String> {
    find_meta(&c.meta, name)
        .and_then(MetaValue::as_text)
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

/// Keeps items after `after` and at or after `since`, sorted.
fn window<T>(
    mut items: Vec<(Checkpoint, T)>,
    after: Option<&Checkpoint>,
    since: Option<&str>,
) -> Vec<(Checkpoint, T)> {
    items.retain(|(k, _)| {
        after.is_none_or(|a| k > a) && since.is_none_or(|s| k.modified_gmt.as_str() >= s)
    });
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items
}

impl FixtureSource {
    /// Opens a records directory; `now_gmt` is the mapping's "now" (sale
    /// windows), normally the run's start.
    pub fn open(dir: &Path, now_gmt: &str) -> anyhow::Result<FixtureSource> {
        let site: Site = read_json(&dir.join("site.json"))?;
        Ok(FixtureSource {
            dir: dir.to_path_buf(),
            site: Site {
                now_gmt: Some(now_gmt.to_owned()),
                ..site
            },
        })
    }

    fn bodies<T, F, K>(
        &self,
        sub: &str,
        after: Option<&Checkpoint>,
        since: Option<&str>,
        key_of: K,
        map: F,
    ) -> anyhow::Result<Items<SourceItem>>
    where
        T: DeserializeOwned,
        K: Fn(&T) -> Result<Checkpoint, String>,
        F: Fn(&T, &Site) -> serde_json::Value + Send + 'static,
        T: Send + 'static,
    {
        let records: Vec<T> = read_all(&self.dir.join(sub))?;
        let mut keyed = Vec::with_capacity(records.len());
        for record in records {
            let k = key_of(&record).map_err(anyhow::Error::msg)?;
            keyed.push((k, record));
        }
        let site = self.site.clone();
        // Everything from `since` on: the command skips what the checkpoint
        // covers and counts it as unchanged.
        let _ = after;
        let items = window(keyed, None, since)
            .into_iter()
            .map(move |(checkpoint, record)| {
                let body = rest::webhook_body(&map(&record, &site)).into_bytes();
                Ok(SourceItem {
                    id: checkpoint.id,
                    checkpoint,
                    body,
                })
            });
        Ok(Box::new(items))
    }
}

impl RecordSource for FixtureSource {
    fn webhook_items(
        &self,
        resource: Resource,
        after: Option<&Checkpoint>,
        since: Option<&str>,
        version: ApiVersion,
    ) -> anyhow::Result<Items<SourceItem>> {
        match resource {
            Resource::Orders => self.bodies(
                "orders",
                after,
                since,
                |o: &OrderRecord| {
                    key(
                        o.date_modified_gmt.clone(),
                        o.date_created_gmt.clone(),
                        o.id,
                    )
                },
                move |o, site| rest::order::to_json(o, site, version),
            ),
            Resource::Customers => self.bodies(
                "customers",
                after,
                since,
                customer_key,
                move |c: &CustomerRecord, site| rest::customer::to_json(c, site, version),
            ),
            Resource::Products => self.bodies(
                "products",
                after,
                since,
                |p: &ProductRecord| {
                    key(
                        p.date_modified_gmt.clone(),
                        p.date_created_gmt.clone(),
                        p.id,
                    )
                },
                move |p, site| rest::product::to_json(p, site, version),
            ),
            Resource::Users => bail!("users are sent as identify events, not webhooks"),
        }
    }

    fn users(
        &self,
        after: Option<&Checkpoint>,
        since: Option<&str>,
    ) -> anyhow::Result<Items<UserItem>> {
        let records: Vec<CustomerRecord> = read_all(&self.dir.join("customers"))?;
        let mut keyed = Vec::with_capacity(records.len());
        for c in records {
            let k = customer_key(&c).map_err(anyhow::Error::msg)?;
            let identity = UserIdentity {
                user_id: c.id,
                email: c.user_email.clone(),
                first_name: meta_text(&c, "first_name"),
                last_name: meta_text(&c, "last_name"),
                display_name: Some(c.display_name.clone()).filter(|d| !d.is_empty()),
            };
            keyed.push((k, identity));
        }
        let _ = after;
        let items = window(keyed, None, since)
            .into_iter()
            .map(|(checkpoint, identity)| {
                Ok(UserItem {
                    checkpoint,
                    identity,
                })
            });
        Ok(Box::new(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/woocommerce-9.2.5/records")
    }

    #[test]
    fn fixture_items_are_in_checkpoint_order_and_windowed() {
        let source = FixtureSource::open(&records(), "2026-11-28 00:00:00").unwrap();
        for (resource, count) in [
            (Resource::Orders, 8),
            (Resource::Customers, 3),
            (Resource::Products, 16),
        ] {
            let items: Vec<SourceItem> = source
                .webhook_items(resource, None, None, ApiVersion::V2)
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(items.len(), count, "{resource}");
            assert!(
                items.windows(2).all(|w| w[0].checkpoint < w[1].checkpoint),
                "{resource}"
            );
            assert!(
                items.iter().all(|i| i.body.starts_with(b"{\"id\":")),
                "{resource}"
            );
            // The window keeps what follows a checkpoint.
            let keyed: Vec<(Checkpoint, u64)> = items
                .iter()
                .map(|i| (i.checkpoint.clone(), i.id))
                .rev()
                .collect();
            let after = items[2].checkpoint.clone();
            let rest = window(keyed, Some(&after), None);
            assert_eq!(
                rest.iter().map(|(_, id)| *id).collect::<Vec<_>>(),
                items[3..].iter().map(|i| i.id).collect::<Vec<_>>(),
                "{resource}"
            );
        }
        let users: Vec<UserItem> = source
            .users(None, Some("2000-01-01 00:00:00"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(users.len(), 3);
        assert!(users.iter().all(|u| u.identity.email.contains('@')));
        let none: Vec<_> = source
            .webhook_items(
                Resource::Orders,
                None,
                Some("2999-01-01 00:00:00"),
                ApiVersion::V2,
            )
            .unwrap()
            .collect();
        assert!(none.is_empty());
    }
}
