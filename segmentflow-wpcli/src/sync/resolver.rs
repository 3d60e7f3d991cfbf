//! Name resolution for the sync's HTTP client without a thread per request.
//!
//! `ureq` resolves the host of every request, even when a pooled keep-alive
//! connection then serves it, and with a timeout set its default resolver
//! does that on a new thread each time: at a million deliveries, a million
//! thread starts. [`SyncResolver`] answers an IP-literal host at once and
//! keeps a host name's addresses for [`TTL`]; only a miss goes to the
//! default resolver (and its timeout). Failures are not kept, so a host that
//! does not resolve is asked again on the next attempt, as before.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a host name's addresses are reused before asking again.
pub const TTL: Duration = Duration::from_secs(30);

/// Most host names kept at once (the sync talks to one or two).
const MAX_HOSTS: usize = 64;

/// A resolver that answers IP literals directly and caches host names.
#[derive(Debug, Default)]
pub struct SyncResolver {
    inner: DefaultResolver,
    cache: Mutex<HashMap<String, (ResolvedSocketAddrs, Instant)>>,
}

impl Resolver for SyncResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = match (uri.scheme(), uri.authority()) {
            (Some(scheme), Some(authority)) => DefaultResolver::host_and_port(scheme, authority),
            _ => None,
        };
        let Some(key) = key else {
            // Not a full URL: the default resolver reports it.
            return self.inner.resolve(uri, config, timeout);
        };
        if let Ok(addr) = key.parse::<SocketAddr>() {
            let mut found = self.empty();
            found.push(addr);
            return Ok(found);
        }
        let now = Instant::now();
        if let Some((addrs, at)) = self.lock().get(&key)
            && now.duration_since(*at) < TTL
        {
            return Ok(addrs.clone());
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        let mut cache = self.lock();
        if cache.len() >= MAX_HOSTS {
            cache.retain(|_, (_, at)| now.duration_since(*at) < TTL);
            if cache.len() >= MAX_HOSTS {
                cache.clear();
            }
        }
        cache.insert(key, (addrs.clone(), now));
        Ok(addrs)
    }
}

impl SyncResolver {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (ResolvedSocketAddrs, Instant)>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(r: &SyncResolver, url: &str) -> Result<Vec<SocketAddr>, ureq::Error> {
        let uri: Uri = url.parse().expect("test URL");
        let config = Config::default();
        let timeout = NextTimeout {
            after: Duration::from_secs(5).into(),
            reason: ureq::Timeout::Resolve,
            per_read: None,
            per_write: None,
        };
        r.resolve(&uri, &config, timeout).map(|a| a.to_vec())
    }

    #[test]
    fn ip_literals_resolve_to_themselves_with_the_schemes_port() {
        let r = SyncResolver::default();
        assert_eq!(
            resolve(&r, "http://127.0.0.1:8080/x").unwrap(),
            vec!["127.0.0.1:8080".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&r, "https://[::1]/x").unwrap(),
            vec!["[::1]:443".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&r, "http://10.1.2.3/x").unwrap(),
            vec!["10.1.2.3:80".parse::<SocketAddr>().unwrap()]
        );
        // Nothing was looked up, so nothing is kept.
        assert!(r.lock().is_empty());
    }

    #[test]
    fn host_names_are_kept_for_the_ttl_and_failures_are_not() {
        let r = SyncResolver::default();
        let first = resolve(&r, "http://localhost:9/").unwrap();
        assert!(!first.is_empty());
        assert!(first.iter().all(|a| a.port() == 9 && a.ip().is_loopback()));
        assert_eq!(resolve(&r, "http://localhost:9/other").unwrap(), first);
        assert_eq!(r.lock().len(), 1);
        // An entry past its time is asked again (and replaced).
        let stale = Instant::now().checked_sub(TTL + Duration::from_secs(1));
        if let Some(stale) = stale {
            r.lock().get_mut("localhost:9").expect("kept").1 = stale;
            assert_eq!(resolve(&r, "http://localhost:9/").unwrap(), first);
            assert!(r.lock()["localhost:9"].1 > stale);
        }
        // `.invalid` never resolves (RFC 6761): an error, and not kept.
        assert!(resolve(&r, "http://segmentflow-test.invalid/").is_err());
        assert_eq!(r.lock().len(), 1);
    }
}
