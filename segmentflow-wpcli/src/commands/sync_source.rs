//! Where `sync` reads the store from: the [`RecordSource`] trait, the
//! [`DatabaseSource`] over the store readers (`wordpress::store`), and the
//! [`FixtureSource`] that reads store records from JSON files (the hidden
//! `--records-dir` flag; the sync e2e tests that run against a plain
//! WordPress install use it).
//!
//! A source yields, per resource, items in `(modified_gmt, id)` order — the
//! order checkpoints need — each with its webhook body already built
//! (`rest::*::to_json` + `rest::webhook_body` in the webhooks' API version,
//! with the core `Site.now_gmt` set to the run's start), and users as
//! identities for identify events. Checkpoint keys come from one place, the
//! readers' `checkpoint()` functions (customers: `last_update`, time 0 when
//! absent), for both sources.
//!
//! Sources may skip items at or before `after` themselves; the command
//! filters again and counts what it skips as unchanged, and adds what the
//! source reports as skipped ([`RecordSource::skipped`]).
//! [`DatabaseSource`] skips them in SQL (the readers' keyset) and counts
//! them with index `COUNT(*)`s (orders, products) or from the members'
//! keys it then hands to the readers (customers, users), each count on a
//! connection of its own; [`FixtureSource`] yields everything from `since`
//! on and lets the command count.
//!
//! A row the readers cannot decode (corrupt serialized meta) is a
//! [`SourceError::Row`]: the command reports it as a failed item and goes
//! on. The checkpoint may move past it (it was never delivered), so it is
//! read again when the row is next modified or with `sync --full`.

use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, bail};
use segmentflow_core::rest::{self, ApiVersion};
use segmentflow_core::store::{
    CustomerRecord, MetaValue, OrderRecord, ProductRecord, Site, find_meta,
};
use segmentflow_core::sync::{Checkpoint, MemberCensus, Resource, UserIdentity};
use serde::de::DeserializeOwned;

use crate::wordpress::db::Db;
use crate::wordpress::site::DbTarget;
use crate::wordpress::store::members::Registered;
use crate::wordpress::store::site::{OrderStorage, SiteFacts, order_storage, read_site};
use crate::wordpress::store::{self, Cursor, PAGE_SIZE, ReadError, Tables};

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

/// Why a source could not yield an item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// One record could not be read: reported as a failed item, the stream
    /// goes on.
    #[error("{reason}")]
    Row {
        /// The record id.
        id: u64,
        /// What was wrong (table, column, problem).
        reason: String,
    },
    /// Reading stopped (a failed query, a lost connection): the run stops.
    #[error("{0}")]
    Fatal(String),
}

/// A stream of items or read errors.
pub type Items<T> = Box<dyn Iterator<Item = Result<T, SourceError>> + Send>;

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

    /// How many items of `resource` (users included) at or before
    /// `through` (and from `since` on) the source skips itself, so never
    /// yields: the command counts them as unchanged. 0 for a source that
    /// yields everything and lets the command filter.
    fn skipped(
        &self,
        _resource: Resource,
        _through: &Checkpoint,
        _since: Option<&str>,
    ) -> anyhow::Result<u64> {
        Ok(0)
    }

    /// The census of the blog's members, when this run read every member:
    /// the command stores it in the sync state for the next run.
    fn census(&self) -> Option<MemberCensus> {
        None
    }
}

/// The zero date a checkpoint uses for a record without a modification
/// time (the readers' cursor says `""`); it sorts first in both.
const ZERO_DATE: &str = "0000-00-00 00:00:00";

/// A readers' cursor as a sync checkpoint.
pub fn checkpoint_of(cursor: Cursor) -> Result<Checkpoint, SourceError> {
    let modified = if cursor.modified.is_empty() {
        ZERO_DATE.to_owned()
    } else {
        cursor.modified
    };
    Checkpoint::new(modified, cursor.id).map_err(|e| SourceError::Row {
        id: e.id,
        reason: e.to_string(),
    })
}

/// A sync checkpoint as the readers' cursor.
pub fn cursor_of(checkpoint: &Checkpoint) -> Cursor {
    let modified = if checkpoint.modified_gmt == ZERO_DATE {
        String::new()
    } else {
        checkpoint.modified_gmt.clone()
    };
    Cursor::new(modified, checkpoint.id)
}

fn read_error(e: ReadError) -> SourceError {
    match e {
        ReadError::Row { id, .. } => SourceError::Row {
            id,
            reason: e.to_string(),
        },
        other => SourceError::Fatal(other.to_string()),
    }
}

/// Items queued between a source's reading thread and the command.
const QUEUE: usize = 64;

/// The store read from the site's database by the readers, on a connection
/// of its own per stream (the command's connection stores checkpoints
/// meanwhile). Each stream runs on a thread that reads and maps a page at a
/// time and hands items over a bounded channel, so memory stays flat.
#[derive(Debug)]
pub struct DatabaseSource {
    target: DbTarget,
    /// Idle connections for counting skipped items: counts run in
    /// parallel, each on a connection of its own.
    counters: Mutex<Vec<Db>>,
    /// The blog's members read while counting the unchanged customers or
    /// users, each part handed to its reader so that neither reads them
    /// again.
    members: Mutex<MemberCache>,
    /// The members' census the last full read stored (`SyncState::members`).
    census: Option<MemberCensus>,
    /// The members' fingerprint as this run's counts read it.
    fingerprint: Mutex<Option<String>>,
    tables: Arc<Tables>,
    storage: OrderStorage,
    site: Arc<Site>,
}

impl DatabaseSource {
    /// Reads what the mapping needs (the [`Site`] record, the order
    /// storage) on `db`; streams later open their own connections to
    /// `target`. `now_gmt` is the mapping's "now" (sale windows), the run's
    /// start. `census` is the members' census from the sync state.
    pub fn open(
        db: &mut Db,
        target: DbTarget,
        tables: Tables,
        facts: SiteFacts,
        census: Option<MemberCensus>,
    ) -> anyhow::Result<DatabaseSource> {
        let storage = order_storage(db, &tables).context("cannot tell where orders are stored")?;
        let site = read_site(db, &tables, &facts).context("cannot read the site settings")?;
        let site = Site {
            now_gmt: facts.now_gmt.clone(),
            ..site
        };
        Ok(DatabaseSource {
            target,
            counters: Mutex::new(Vec::new()),
            members: Mutex::new(MemberCache::default()),
            census,
            fingerprint: Mutex::new(None),
            tables: Arc::new(tables),
            storage,
            site: Arc::new(site),
        })
    }

    /// Runs `read` on a new connection in a thread; its items come out of
    /// the returned iterator.
    fn stream<T: Send + 'static>(
        &self,
        read: impl FnOnce(&mut Db, &Tables, &Site, &mut dyn FnMut(Result<T, SourceError>) -> bool)
        + Send
        + 'static,
    ) -> anyhow::Result<Items<T>> {
        // Counting is over by the time a reader starts: its idle
        // connections go before the reader's opens, so a host's
        // `max_user_connections` is spent on reading.
        self.counters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        let mut db = self
            .target
            .connect()
            .context("cannot open a second database connection for reading")?;
        let tables = Arc::clone(&self.tables);
        let site = Arc::clone(&self.site);
        let (tx, rx) = sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("sync-reader".into())
            .spawn(move || {
                let mut send = |item| tx.send(item).is_ok();
                read(&mut db, &tables, &site, &mut send);
            })
            .context("cannot start the reading thread")?;
        Ok(Box::new(rx.into_iter()))
    }
}

/// The members' keys between the code that read them and the readers, and
/// the census of a full read.
#[derive(Debug, Default)]
struct MemberCache {
    /// The customers' keys, until the customer reader takes them.
    customers: Option<Vec<(i64, u64)>>,
    /// The users' keys, until the users reader takes them.
    users: Option<Vec<(Registered, u64)>>,
    /// Set when this run read every member: stored for the next run.
    census: Option<MemberCensus>,
}

/// Unchanged members counted from the census, and the keys of the members
/// after the checkpoint (for the reader).
type CensusCount<K> = (u64, Vec<(K, u64)>);

/// The most keys after a checkpoint whose membership a resumed run checks
/// one by one (the `user_id` index) before it reads every member instead.
const CENSUS_CHECK_MAX: usize = 20_000;

impl DatabaseSource {
    /// Reads every member into `cache` — the fingerprint first, so the
    /// census never claims more than was read — with the three scans at
    /// once on counting connections, or one after another on one when the
    /// server allows no more (a host's `max_user_connections`).
    fn read_all_members(&self, cache: &mut MemberCache) -> anyhow::Result<()> {
        let mut a = self.counter_connection()?;
        let extra = (self.counter_connection(), self.counter_connection());
        let read = store::members::fingerprint(&mut a, &self.tables).and_then(|fingerprint| {
            let m = match extra {
                (Ok(mut b), Ok(mut c)) => {
                    let m = store::members::members_on([&mut a, &mut b, &mut c], &self.tables);
                    self.return_counters([b, c]);
                    m
                }
                (b, c) => {
                    self.return_counters(b.into_iter().chain(c));
                    store::members::members(&mut a, &self.tables)
                }
            };
            m.map(|m| (fingerprint, m))
        });
        self.return_counters([a]);
        let (fingerprint, m) = read.context("cannot read the blog's members")?;
        cache.census = Some(MemberCensus {
            fingerprint,
            members: m.customers.len() as u64,
        });
        cache.customers = Some(m.customers);
        cache.users = Some(m.users);
        Ok(())
    }

    /// `count` over every member's keys, read now unless the cache holds
    /// both parts: the other count (customers or users) running in
    /// parallel waits for this one's read and counts from it.
    fn count_all_members(&self, count: impl Fn(&MemberCache) -> u64) -> anyhow::Result<u64> {
        let mut cache = self.members.lock().unwrap_or_else(|p| p.into_inner());
        if cache.customers.is_none() || cache.users.is_none() {
            self.read_all_members(&mut cache)?;
        }
        Ok(count(&cache))
    }

    /// A resumed run's unchanged customers or users from the census the
    /// last full read stored: when membership has not changed since, they
    /// are the census less the members after the checkpoint. `after` reads
    /// the keys after the checkpoint of every user, member or not; the
    /// members among them are returned for the reader. `None` when the
    /// census cannot be used: none stored, membership changed, or more
    /// than [`CENSUS_CHECK_MAX`] keys to check.
    fn count_from_census<K>(
        &self,
        db: &mut Db,
        after: impl FnOnce(&mut Db) -> Result<Vec<(K, u64)>, ReadError>,
    ) -> anyhow::Result<Option<CensusCount<K>>> {
        let Some(census) = &self.census else {
            return Ok(None);
        };
        // The fingerprint on a connection of its own while `after` reads
        // (first, on `db`, when no other connection opens).
        let (fingerprint, candidates) = match self.counter_connection() {
            Ok(mut fp_db) => {
                let read = std::thread::scope(|scope| {
                    let fingerprint = scope.spawn(|| self.fingerprint(&mut fp_db));
                    let candidates = after(db);
                    let fingerprint = fingerprint
                        .join()
                        .unwrap_or_else(|e| std::panic::resume_unwind(e));
                    (fingerprint, candidates)
                });
                self.return_counters([fp_db]);
                read
            }
            Err(_) => {
                let fingerprint = self.fingerprint(db);
                (fingerprint, after(db))
            }
        };
        if fingerprint? != census.fingerprint {
            return Ok(None);
        }
        let candidates = candidates?;
        if candidates.len() > CENSUS_CHECK_MAX {
            return Ok(None);
        }
        let ids: Vec<u64> = candidates.iter().map(|(_, id)| *id).collect();
        let members = store::members::members_among(db, &self.tables, &ids)?;
        let keys: Vec<(K, u64)> = candidates
            .into_iter()
            .filter(|(_, id)| members.contains(id))
            .collect();
        Ok(census
            .members
            .checked_sub(keys.len() as u64)
            .map(|n| (n, keys)))
    }

    /// The members' fingerprint, read once per run (the customers' and
    /// the users' counts both ask).
    fn fingerprint(&self, db: &mut Db) -> Result<String, ReadError> {
        let mut slot = self.fingerprint.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = slot.as_ref() {
            return Ok(f.clone());
        }
        let f = store::members::fingerprint(db, &self.tables)?;
        *slot = Some(f.clone());
        Ok(f)
    }

    /// The unchanged customers of a resumed run: from the census when it
    /// can be used (no `since`, a checkpoint past time 0: members without a
    /// `last_update` row key as 0, and only those rows are scanned), from
    /// every member's keys otherwise.
    fn count_customers(
        &self,
        db: &mut Db,
        through: &Cursor,
        since: Option<&str>,
    ) -> anyhow::Result<u64> {
        let key = store::members::customer_key(through);
        if since.is_none() && key.0 > 0 {
            let tables = &self.tables;
            // A second connection halves the scan's wait; without one it
            // runs whole on `db`.
            let mut other = self.counter_connection().ok();
            let counted = self.count_from_census(db, |db| {
                store::members::customer_keys_after(db, other.as_mut(), tables, key)
            });
            self.return_counters(other);
            let counted = counted?;
            if let Some((n, keys)) = counted {
                let mut cache = self.members.lock().unwrap_or_else(|p| p.into_inner());
                cache.customers.get_or_insert(keys);
                return Ok(n);
            }
        }
        self.count_all_members(|cache| {
            cache.customers.as_ref().map_or(0, |keys| {
                store::members::count_customers(keys, through, since)
            })
        })
    }

    /// The unchanged users of a resumed run: from the census when it can be
    /// used (no `since`), from every member's keys otherwise.
    fn count_users(
        &self,
        db: &mut Db,
        through: &Cursor,
        since: Option<&str>,
    ) -> anyhow::Result<u64> {
        if since.is_none() {
            let key = store::members::user_key(through);
            let tables = &self.tables;
            let counted =
                self.count_from_census(db, |db| store::members::user_keys_after(db, tables, key))?;
            if let Some((n, keys)) = counted {
                let mut cache = self.members.lock().unwrap_or_else(|p| p.into_inner());
                cache.users.get_or_insert(keys);
                return Ok(n);
            }
        }
        self.count_all_members(|cache| {
            cache
                .users
                .as_ref()
                .map_or(0, |keys| store::members::count_users(keys, through, since))
        })
    }

    /// The customers' keys for the customer reader: those a count left,
    /// or every member's, read now.
    fn take_customer_keys(&self) -> anyhow::Result<Vec<(i64, u64)>> {
        let mut cache = self.members.lock().unwrap_or_else(|p| p.into_inner());
        if cache.customers.is_none() {
            self.read_all_members(&mut cache)?;
        }
        Ok(cache.customers.take().unwrap_or_default())
    }

    /// The users' keys for the users reader: those a count left, or every
    /// member's (read now, unless the customers' read left them).
    fn take_user_keys(&self) -> anyhow::Result<Vec<(Registered, u64)>> {
        let mut cache = self.members.lock().unwrap_or_else(|p| p.into_inner());
        if cache.users.is_none() {
            self.read_all_members(&mut cache)?;
        }
        Ok(cache.users.take().unwrap_or_default())
    }
}

impl DatabaseSource {
    /// An idle counting connection, or a new one.
    fn counter_connection(&self) -> anyhow::Result<Db> {
        let idle = self
            .counters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        match idle {
            Some(db) => Ok(db),
            None => self
                .target
                .connect()
                .context("cannot open a database connection for counting"),
        }
    }

    /// Counting connections back to the idle ones.
    fn return_counters(&self, dbs: impl IntoIterator<Item = Db>) {
        self.counters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(dbs);
    }
}

/// Maps each read record to an item with `map` and hands it to `send`
/// until the records end or the receiver is gone.
fn pump<R>(
    records: &mut dyn Iterator<Item = Result<R, ReadError>>,
    send: &mut dyn FnMut(Result<SourceItem, SourceError>) -> bool,
    key: impl Fn(&R) -> Cursor,
    map: impl Fn(&R) -> serde_json::Value,
) {
    for record in records {
        let item = record.map_err(read_error).and_then(|r| {
            let checkpoint = checkpoint_of(key(&r))?;
            Ok(SourceItem {
                id: checkpoint.id,
                checkpoint,
                body: rest::webhook_body(&map(&r)).into_bytes(),
            })
        });
        let fatal = matches!(item, Err(SourceError::Fatal(_)));
        if !send(item) || fatal {
            return;
        }
    }
}

/// Customers per page: twice the readers' default, so half the round trips
/// (each page is about a dozen queries; on a loaded machine their latency,
/// not MariaDB's work, is most of a page's time). The `IN` lists stay
/// within the readers' 1000-id chunks. Orders keep [`PAGE_SIZE`]: their
/// loaders hide the latency, and [`ORDER_LOADERS`] + 1 pages of whole
/// orders are in memory at once (1000-order pages took a 1M-order sync to
/// 166 MB peak; on the 100k bench store 500 read faster, 86 MB against 111).
const SYNC_PAGE: usize = 2 * PAGE_SIZE;

/// Extra connections loading order pages while the walk's own connection
/// deals out the next ones (see `orders_parallel`): MariaDB answers one
/// page while this process decodes another. Two read and mapped the
/// 100k-order bench store 1.5× faster than none (24.0 s against 35.8 s).
const ORDER_LOADERS: usize = 2;

/// Records read ahead of the mapping: queued between the reader and
/// the mapper (a page of [`PAGE_SIZE`]).
const READ_AHEAD: usize = PAGE_SIZE;

/// Runs `read` (the store reader, handing each record to its callback
/// until that returns `false`) on a thread of its own and `consume` on the
/// records here, so the database's work on the next page overlaps the
/// mapping of this one. At most [`READ_AHEAD`] records wait in between;
/// when `consume` stops early the reader stops at its next record.
fn prefetched<R: Send>(
    db: &mut Db,
    read: impl FnOnce(&mut Db, &mut dyn FnMut(Result<R, ReadError>) -> bool) + Send,
    consume: impl FnOnce(&mut dyn Iterator<Item = Result<R, ReadError>>),
) {
    let (tx, rx) = sync_channel(READ_AHEAD);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut each = |record| tx.send(record).is_ok();
            read(db, &mut each);
        });
        let mut records = rx.into_iter();
        consume(&mut records);
        // Dropping the receiver here ends a reader still sending.
        drop(records);
    });
}

impl RecordSource for DatabaseSource {
    fn webhook_items(
        &self,
        resource: Resource,
        after: Option<&Checkpoint>,
        since: Option<&str>,
        version: ApiVersion,
    ) -> anyhow::Result<Items<SourceItem>> {
        let after = after.map(cursor_of);
        let since = since.map(str::to_owned);
        let storage = self.storage;
        match resource {
            Resource::Orders => {
                let target = self.target.clone();
                self.stream(move |db, tables, site, send| {
                    prefetched(
                        db,
                        move |db, each| {
                            let connect = || target.connect();
                            store::orders::orders_parallel(
                                db,
                                &connect,
                                tables,
                                storage,
                                after,
                                since,
                                PAGE_SIZE,
                                ORDER_LOADERS,
                                each,
                            );
                        },
                        |records| {
                            pump(
                                records,
                                send,
                                store::orders::checkpoint,
                                |o: &OrderRecord| rest::order::to_json(o, site, version),
                            );
                        },
                    );
                })
            }
            Resource::Customers => {
                let members = Some(self.take_customer_keys()?);
                self.stream(move |db, tables, site, send| {
                    prefetched(
                        db,
                        move |db, each| {
                            store::customers::customers_of(
                                db, tables, storage, members, after, since, SYNC_PAGE,
                            )
                            .all(each);
                        },
                        |records| {
                            pump(
                                records,
                                send,
                                store::customers::checkpoint,
                                |c: &CustomerRecord| rest::customer::to_json(c, site, version),
                            );
                        },
                    );
                })
            }
            Resource::Products => self.stream(move |db, tables, site, send| {
                prefetched(
                    db,
                    move |db, each| {
                        store::products::products(db, tables, after, since, PAGE_SIZE).all(each);
                    },
                    |records| {
                        pump(
                            records,
                            send,
                            store::products::checkpoint,
                            |p: &ProductRecord| rest::product::to_json(p, site, version),
                        );
                    },
                );
            }),
            Resource::Users => bail!("users are sent as identify events, not webhooks"),
        }
    }

    fn users(
        &self,
        after: Option<&Checkpoint>,
        since: Option<&str>,
    ) -> anyhow::Result<Items<UserItem>> {
        let after = after.map(cursor_of);
        let since = since.map(str::to_owned);
        let keys = Some(self.take_user_keys()?);
        self.stream(move |db, tables, _site, send| {
            for user in store::users::users_of(db, tables, keys, after, PAGE_SIZE) {
                let item = user.map_err(read_error).and_then(|u| {
                    let checkpoint = checkpoint_of(store::users::user_checkpoint(&u))?;
                    let text = |s: String| Some(s).filter(|s| !s.is_empty());
                    Ok(UserItem {
                        checkpoint,
                        identity: UserIdentity {
                            user_id: u.id,
                            email: u.email,
                            first_name: text(u.first_name),
                            last_name: text(u.last_name),
                            display_name: text(u.display_name),
                        },
                    })
                });
                // The users reader has no `since`: filter here.
                if let (Ok(u), Some(s)) = (&item, &since)
                    && u.checkpoint.modified_gmt.as_str() < s.as_str()
                {
                    continue;
                }
                let fatal = matches!(item, Err(SourceError::Fatal(_)));
                if !send(item) || fatal {
                    return;
                }
            }
        })
    }

    /// Orders and products with their readers' `count_through` (index
    /// `COUNT(*)`s); customers and users from the members' keys
    /// (`store::members`), read once for both and kept for their readers.
    /// Each count takes a connection of its own, so the command may run
    /// them in parallel.
    fn skipped(
        &self,
        resource: Resource,
        through: &Checkpoint,
        since: Option<&str>,
    ) -> anyhow::Result<u64> {
        let mut db = self.counter_connection()?;
        let tables = &self.tables;
        let through = cursor_of(through);
        let n: anyhow::Result<u64> = match resource {
            Resource::Orders => {
                store::orders::count_through(&mut db, tables, self.storage, &through, since)
                    .map_err(Into::into)
            }
            Resource::Products => {
                store::products::count_through(&mut db, tables, &through, since).map_err(Into::into)
            }
            Resource::Customers => self.count_customers(&mut db, &through, since),
            Resource::Users => self.count_users(&mut db, &through, since),
        };
        self.return_counters([db]);
        n.with_context(|| format!("cannot count the unchanged {resource}"))
    }

    fn census(&self) -> Option<MemberCensus> {
        self.members
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .census
            .clone()
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

fn key(cursor: Cursor) -> Result<Checkpoint, String> {
    checkpoint_of(cursor).map_err(|e| e.to_string())
}

fn customer_key(c: &CustomerRecord) -> Result<Checkpoint, String> {
    key(store::customers::checkpoint(c))
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
                |o: &OrderRecord| key(store::orders::checkpoint(o)),
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
                |p: &ProductRecord| key(store::products::checkpoint(p)),
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
    fn cursors_and_checkpoints_convert_both_ways() {
        let cases = [
            ("2024-09-30 12:00:01", 7, "2024-09-30 12:00:01"),
            // A record without a modification time: the zero date, first.
            ("", 3, ZERO_DATE),
            ("1970-01-01 00:00:00", 2, "1970-01-01 00:00:00"),
        ];
        for (modified, id, want) in cases {
            let checkpoint = checkpoint_of(Cursor::new(modified, id)).unwrap();
            assert_eq!(
                (checkpoint.modified_gmt.as_str(), checkpoint.id),
                (want, id)
            );
            assert_eq!(cursor_of(&checkpoint), Cursor::new(modified, id));
        }
        match checkpoint_of(Cursor::new("yesterday", 9)) {
            Err(SourceError::Row { id, reason }) => {
                assert_eq!(id, 9);
                assert!(reason.contains("yesterday"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            checkpoint_of(Cursor::new("", 1)).unwrap()
                < checkpoint_of(Cursor::new("1970-01-01 00:00:00", 0)).unwrap()
        );
    }

    #[test]
    fn fixture_customer_keys_are_the_readers_keys() {
        let source = FixtureSource::open(&records(), "2026-11-28 00:00:00").unwrap();
        let records: Vec<CustomerRecord> = read_all(&records().join("customers")).unwrap();
        let items: Vec<SourceItem> = source
            .webhook_items(Resource::Customers, None, None, ApiVersion::V2)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for item in &items {
            let record = records.iter().find(|c| c.id == item.id).unwrap();
            let cursor = store::customers::checkpoint(record);
            assert_eq!(cursor_of(&item.checkpoint), cursor, "customer {}", item.id);
        }
        assert_eq!(items.len(), records.len());
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
