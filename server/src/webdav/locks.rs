//! dav-server's lock system over the drive's lock table (`domain::drive::webdav::locks`), for
//! one user: its calls carry no user, so each request gets its own.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dav_server::davpath::DavPath;
use dav_server::ls::{DavLock, DavLockSystem, LsFuture};
use domain::drive::webdav::{lock_path, Lock, LockRequest};
use domain::drive::Drive;
use domain::ids::UserId;
use futures::FutureExt;
use xmltree::{Element, Namespace};

use super::fs::segments;
use super::PREFIX;

#[derive(Clone)]
pub struct DbLocks {
    pub drive: Arc<Drive>,
    pub user_id: UserId,
}

impl std::fmt::Debug for DbLocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DbLocks({})", self.user_id)
    }
}

/// A path's lock key. One not UTF-8 (which the drive cannot hold) gets a key no lock has.
fn key(path: &DavPath) -> String {
    segments(path).map_or_else(|_| "\0".to_owned(), |s| lock_path(&s))
}

/// `lock` as dav-server's; its root is stored from a DavPath with the prefix, so it parses
/// again (else the request's `path` stands in).
fn dav_lock(lock: Lock, path: &DavPath) -> DavLock {
    let path = DavPath::new(&lock.root)
        .and_then(|mut root| root.set_prefix(PREFIX).map(|()| root))
        .unwrap_or_else(|_| path.clone());
    let owner = lock
        .owner_xml
        .as_deref()
        .and_then(|xml| Element::parse(xml.as_bytes()).ok())
        .map(Box::new);
    let timeout = Duration::from_secs(u64::try_from(lock.timeout_secs).unwrap_or(0));
    DavLock {
        token: lock.token,
        path: Box::new(path),
        principal: lock.principal,
        owner,
        timeout_at: Some(
            UNIX_EPOCH + Duration::from_secs(u64::try_from(lock.expires_at).unwrap_or(0)),
        ),
        timeout: Some(timeout),
        shared: lock.shared,
        deep: lock.deep,
    }
}

/// The owner element as a document of its own. Its prefixes were declared on the LOCK body's
/// root, so they are declared again on it (else the writer refuses an unbound prefix).
fn owner_xml(owner: Option<&Element>) -> Option<String> {
    fn declare(element: &Element, namespaces: &mut Namespace) {
        if let (Some(prefix), Some(uri)) = (&element.prefix, &element.namespace) {
            namespaces.put(prefix.as_str(), uri.as_str());
        }
        for child in element.children.iter().filter_map(|c| c.as_element()) {
            declare(child, namespaces);
        }
    }
    let mut owner = owner?.clone();
    let mut namespaces = owner.namespaces.take().unwrap_or_else(Namespace::empty);
    declare(&owner, &mut namespaces);
    owner.namespaces = Some(namespaces);
    let mut xml = Vec::new();
    owner.write(&mut xml).ok()?;
    String::from_utf8(xml).ok()
}

/// A lock the database could not answer for: the request is refused as locked rather than
/// let through.
fn unknown(path: &DavPath) -> DavLock {
    DavLock {
        token: String::new(),
        path: Box::new(path.clone()),
        principal: None,
        owner: None,
        timeout_at: Some(SystemTime::now()),
        timeout: None,
        shared: false,
        deep: false,
    }
}

impl DbLocks {
    fn webdav(&self) -> domain::drive::webdav::WebDav<'_> {
        self.drive.webdav(&self.user_id)
    }
}

fn logged<T>(outcome: Result<T, domain::drive::DriveError>) -> Option<T> {
    outcome
        .map_err(|e| tracing::warn!(error = %domain::error::chain(&e), "WebDAV lock table"))
        .ok()
}

impl DavLockSystem for DbLocks {
    fn lock(
        &self,
        path: &DavPath,
        principal: Option<&str>,
        owner: Option<&Element>,
        timeout: Option<Duration>,
        shared: bool,
        deep: bool,
    ) -> LsFuture<'_, Result<DavLock, DavLock>> {
        let (key, root) = (key(path), path.with_prefix().as_url_string());
        let (principal, owner_xml) = (principal.map(str::to_owned), owner_xml(owner));
        let path = path.clone();
        async move {
            let request = LockRequest {
                path: &key,
                root,
                principal: principal.as_deref(),
                owner_xml,
                timeout_secs: timeout.map(|t| t.as_secs()),
                shared,
                deep,
            };
            match logged(self.webdav().lock(request).await) {
                Some(Ok(lock)) => Ok(dav_lock(lock, &path)),
                Some(Err(other)) => Err(dav_lock(other, &path)),
                None => Err(unknown(&path)),
            }
        }
        .boxed()
    }

    fn unlock(&self, path: &DavPath, token: &str) -> LsFuture<'_, Result<(), ()>> {
        let (path, token) = (key(path), token.to_owned());
        async move {
            match logged(self.webdav().unlock(&path, &token).await) {
                Some(true) => Ok(()),
                _ => Err(()),
            }
        }
        .boxed()
    }

    fn refresh(
        &self,
        path: &DavPath,
        token: &str,
        timeout: Option<Duration>,
    ) -> LsFuture<'_, Result<DavLock, ()>> {
        let (key, token, path) = (key(path), token.to_owned(), path.clone());
        async move {
            let refreshed = self
                .webdav()
                .refresh(&key, &token, timeout.map(|t| t.as_secs()))
                .await;
            logged(refreshed)
                .flatten()
                .map(|lock| dav_lock(lock, &path))
                .ok_or(())
        }
        .boxed()
    }

    fn check(
        &self,
        path: &DavPath,
        principal: Option<&str>,
        ignore_principal: bool,
        deep: bool,
        submitted_tokens: &[String],
    ) -> LsFuture<'_, Result<(), DavLock>> {
        let (key, principal) = (key(path), principal.map(str::to_owned));
        let (path, tokens) = (path.clone(), submitted_tokens.to_vec());
        async move {
            let principal = principal.as_deref().filter(|_| !ignore_principal);
            match logged(self.webdav().check(&key, principal, deep, &tokens).await) {
                Some(None) => Ok(()),
                Some(Some(lock)) => Err(dav_lock(lock, &path)),
                None => Err(unknown(&path)),
            }
        }
        .boxed()
    }

    fn discover(&self, path: &DavPath) -> LsFuture<'_, Vec<DavLock>> {
        let (key, path) = (key(path), path.clone());
        async move {
            logged(self.webdav().discover(&key).await)
                .unwrap_or_default()
                .into_iter()
                .map(|lock| dav_lock(lock, &path))
                .collect()
        }
        .boxed()
    }

    fn delete(&self, path: &DavPath) -> LsFuture<'_, Result<(), ()>> {
        let path = key(path);
        async move { logged(self.webdav().drop_locks(&path).await).ok_or(()) }.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_survives_the_table() {
        let body = r#"<D:lockinfo xmlns:D="DAV:"><D:owner><D:href>litmus test suite</D:href></D:owner></D:lockinfo>"#;
        let info = Element::parse(body.as_bytes()).unwrap();
        let owner = info.get_child("owner").unwrap();
        let stored = owner_xml(Some(owner)).unwrap();
        let back = Element::parse(stored.as_bytes()).unwrap();
        assert_eq!(back.name, "owner");
        let href = back.get_child("href").unwrap();
        assert_eq!(href.get_text().unwrap(), "litmus test suite");
    }
}
