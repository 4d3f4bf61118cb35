//! dav-server's file system over one user's drive: paths resolve through the drive's names,
//! and every change is one of the drive's own operations, so WebDAV follows the same rules
//! (names, quota, versions, trash) as the browser.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dav_server::davpath::DavPath;
use dav_server::fs::{
    DavDirEntry, DavFile, DavFileSystem, DavMetaData, DavProp, FsError, FsFuture, FsResult,
    FsStream, OpenOptions, ReadDirMeta,
};
use domain::drive::webdav::{DeadProp, Node, WebDav};
use domain::drive::{Drive, DriveError};
use domain::ids::UserId;
use futures::FutureExt;
use http::StatusCode;

use super::file::{Nothing, Reader, Writer};

/// What a removal during this request means. dav-server deletes a tree bottom-up and clears
/// the destination of a COPY or MOVE before it; the drive instead moves the top of a DELETE
/// to the trash in one step (the rest goes with it), and keeps a file that is overwritten as a
/// version of the file that replaces it.
#[derive(Debug, Clone)]
pub enum Removal {
    /// A DELETE of this path.
    Delete(Vec<String>),
    /// A COPY or MOVE of `source` onto `destination`.
    Overwrite {
        source: Vec<String>,
        destination: Vec<String>,
    },
    /// Any other request (none removes anything).
    Other,
}

/// One request's view of one user's drive.
#[derive(Clone)]
pub struct DriveFs {
    pub drive: Arc<Drive>,
    pub user_id: UserId,
    pub removal: Arc<Removal>,
    /// What paths resolved to during this request. A PROPFIND asks about each child several
    /// times (metadata, properties), and each lookup walks the path from the top; any change
    /// empties it.
    pub seen: Arc<Mutex<HashMap<Vec<String>, Node>>>,
}

/// A path's names, decoded. Not UTF-8: nothing the drive could hold.
pub fn segments(path: &DavPath) -> FsResult<Vec<String>> {
    let text = std::str::from_utf8(path.as_bytes()).map_err(|_| FsError::NotFound)?;
    Ok(text
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

/// The drive's refusals as WebDAV status codes.
pub fn fs_error(e: DriveError) -> FsError {
    match e {
        DriveError::NotFound(_) => FsError::NotFound,
        DriveError::NameTaken(_) => FsError::Exists,
        DriveError::QuotaExceeded { .. } | DriveError::TooManyItems { .. } => {
            FsError::InsufficientStorage
        }
        DriveError::Invalid(_) | DriveError::Forbidden(_) | DriveError::Conflict(_) => {
            FsError::Forbidden
        }
        other => {
            tracing::warn!(error = %domain::error::chain(&other), "WebDAV request failed");
            FsError::GeneralFailure
        }
    }
}

impl DriveFs {
    fn webdav(&self) -> WebDav<'_> {
        self.drive.webdav(&self.user_id)
    }

    async fn node(&self, path: &DavPath) -> FsResult<Node> {
        self.lookup(&segments(path)?).await
    }

    fn seen(&self) -> MutexGuard<'_, HashMap<Vec<String>, Node>> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Before any change: what was seen may no longer be so.
    fn forget(&self) {
        self.seen().clear();
    }

    async fn lookup(&self, segments: &[String]) -> FsResult<Node> {
        if let Some(node) = self.seen().get(segments) {
            return Ok(node.clone());
        }
        let node = self
            .webdav()
            .lookup(segments)
            .await
            .map_err(fs_error)?
            .ok_or(FsError::NotFound)?;
        self.seen().insert(segments.to_vec(), node.clone());
        Ok(node)
    }

    /// Whether `segments` is at or below what this request removes: dav-server walks such a
    /// tree only to remove it item by item, and the drive moves its top to the trash at once.
    fn is_removed_tree(&self, segments: &[String]) -> bool {
        match &*self.removal {
            Removal::Delete(top) => segments.starts_with(top),
            Removal::Overwrite { destination, .. } => segments.starts_with(destination),
            Removal::Other => false,
        }
    }

    /// The folder a new item at `path` goes into, and its name.
    async fn parent_and_name(&self, path: &DavPath) -> FsResult<(Node, String)> {
        let mut segments = segments(path)?;
        let name = segments.pop().ok_or(FsError::Forbidden)?;
        let parent = self.lookup(&segments).await?;
        if !parent.folder {
            return Err(FsError::NotFound);
        }
        Ok((parent, name))
    }

    async fn remove(&self, path: &DavPath) -> FsResult<()> {
        let segments = segments(path)?;
        self.forget();
        let node = self.lookup(&segments).await?;
        let trash = match &*self.removal {
            Removal::Delete(top) => {
                // Below the top: it goes to the trash with its folder.
                segments == *top
            }
            Removal::Overwrite {
                source,
                destination,
            } => {
                if segments != *destination {
                    return Ok(());
                }
                let source = self.lookup(source).await?;
                // A new spelling of the same name ("Docs" to "docs") is the source itself, and
                // a file replacing a file makes the old one a version (in `copy`/`rename`).
                if source.id == node.id {
                    return Ok(());
                }
                node.folder || source.folder
            }
            Removal::Other => true,
        };
        if trash {
            self.webdav().delete(&node).await.map_err(fs_error)?;
        }
        Ok(())
    }

    async fn open_file(&self, path: &DavPath, options: OpenOptions) -> FsResult<Box<dyn DavFile>> {
        if !options.write {
            let node = self.node(path).await?;
            if node.folder {
                return Err(FsError::Forbidden);
            }
            let file = self.webdav().open(&node).await.map_err(fs_error)?;
            // The size of what was opened (the file may have been replaced since the lookup).
            let node = Node {
                size: u64::try_from(file.entry.size).unwrap_or(0),
                ..node
            };
            return Ok(Box::new(Reader::new(file, node)));
        }
        self.forget();
        let (parent, name) = self.parent_and_name(path).await?;
        let existing = self
            .webdav()
            .child(&parent, &name)
            .await
            .map_err(fs_error)?;
        if options.create_new && existing.is_some() {
            return Err(FsError::Exists);
        }
        if existing.as_ref().is_some_and(|n| n.folder) {
            return Err(FsError::Forbidden);
        }
        if !options.truncate {
            // A LOCK of a name not in use makes an empty file there, and writes nothing.
            if existing.is_none() {
                let webdav = self.webdav();
                let empty: &[u8] = &[];
                webdav
                    .put(&parent, &name, Some(0), empty)
                    .await
                    .map_err(fs_error)?;
            }
            return Ok(Box::new(Nothing));
        }
        if let Some(size) = options.size {
            // Refused before any byte arrives (the reservation itself is made when the upload
            // starts; this answers 507 without reading the body).
            let (_, free) = self.webdav().quota().await.map_err(fs_error)?;
            let replaced = existing.as_ref().map_or(0, |n| n.size);
            if size > free + replaced {
                return Err(FsError::InsufficientStorage);
            }
        }
        Ok(Box::new(Writer::start(
            self.drive.clone(),
            self.user_id.clone(),
            parent,
            name,
            options.size,
        )))
    }
}

/// `Meta` of a node: what PROPFIND reports.
#[derive(Debug, Clone)]
pub(super) struct Meta(pub(super) Node);

fn time(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).unwrap_or(0))
}

impl DavMetaData for Meta {
    fn len(&self) -> u64 {
        self.0.size
    }

    fn modified(&self) -> FsResult<SystemTime> {
        Ok(time(self.0.modified_at))
    }

    fn created(&self) -> FsResult<SystemTime> {
        Ok(time(self.0.created_at))
    }

    fn is_dir(&self) -> bool {
        self.0.folder
    }

    /// The content's checksum for files (so it changes exactly when the content does);
    /// the id and time for folders.
    fn etag(&self) -> Option<String> {
        Some(match self.0.folder {
            false => self.0.checksum.chars().take(32).collect(),
            true => format!("{}-{:x}", self.0.id, self.0.modified_at),
        })
    }
}

struct Entry(Node);

impl DavDirEntry for Entry {
    fn name(&self) -> Vec<u8> {
        self.0.name.as_bytes().to_vec()
    }

    fn metadata(&self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        let meta: Box<dyn DavMetaData> = Box::new(Meta(self.0.clone()));
        futures::future::ready(Ok(meta)).boxed()
    }
}

fn dav_prop(p: DeadProp) -> DavProp {
    DavProp {
        name: p.name,
        prefix: p.prefix,
        namespace: (!p.namespace.is_empty()).then_some(p.namespace),
        xml: p.xml,
    }
}

fn dead_prop(p: DavProp) -> DeadProp {
    DeadProp {
        namespace: p.namespace.unwrap_or_default(),
        name: p.name,
        prefix: p.prefix,
        xml: p.xml,
    }
}

impl DavFileSystem for DriveFs {
    fn open<'a>(
        &'a self,
        path: &'a DavPath,
        options: OpenOptions,
    ) -> FsFuture<'a, Box<dyn DavFile>> {
        self.open_file(path, options).boxed()
    }

    fn read_dir<'a>(
        &'a self,
        path: &'a DavPath,
        _meta: ReadDirMeta,
    ) -> FsFuture<'a, FsStream<Box<dyn DavDirEntry>>> {
        async move {
            let at = segments(path)?;
            let folder = self.lookup(&at).await?;
            if !folder.folder {
                return Err(FsError::Forbidden);
            }
            if self.is_removed_tree(&at) {
                let nothing: FsStream<Box<dyn DavDirEntry>> = Box::pin(futures::stream::empty());
                return Ok(nothing);
            }
            let children = self.webdav().children(&folder).await.map_err(fs_error)?;
            {
                let mut seen = self.seen();
                for child in &children {
                    let mut below = at.clone();
                    below.push(child.name.clone());
                    seen.insert(below, child.clone());
                }
            }
            let entries = children
                .into_iter()
                .map(|n| Ok(Box::new(Entry(n)) as Box<dyn DavDirEntry>));
            let stream: FsStream<Box<dyn DavDirEntry>> = Box::pin(futures::stream::iter(entries));
            Ok(stream)
        }
        .boxed()
    }

    fn metadata<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, Box<dyn DavMetaData>> {
        async move {
            let node = self.node(path).await?;
            Ok(Box::new(Meta(node)) as Box<dyn DavMetaData>)
        }
        .boxed()
    }

    fn create_dir<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, ()> {
        async move {
            self.forget();
            let (parent, name) = self.parent_and_name(path).await?;
            if self
                .webdav()
                .child(&parent, &name)
                .await
                .map_err(fs_error)?
                .is_some()
            {
                return Err(FsError::Exists);
            }
            self.webdav()
                .create_folder(&parent, &name)
                .await
                .map_err(fs_error)
        }
        .boxed()
    }

    fn remove_dir<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, ()> {
        self.remove(path).boxed()
    }

    fn remove_file<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, ()> {
        self.remove(path).boxed()
    }

    fn rename<'a>(&'a self, from: &'a DavPath, to: &'a DavPath) -> FsFuture<'a, ()> {
        async move {
            self.forget();
            let node = self.node(from).await?;
            let (parent, name) = self.parent_and_name(to).await?;
            // dav-server has refused an overwrite that was not allowed (412) by now.
            self.webdav()
                .relocate(&node, &parent, &name, true)
                .await
                .map_err(fs_error)
        }
        .boxed()
    }

    fn copy<'a>(&'a self, from: &'a DavPath, to: &'a DavPath) -> FsFuture<'a, ()> {
        async move {
            self.forget();
            let node = self.node(from).await?;
            let (parent, name) = self.parent_and_name(to).await?;
            self.webdav()
                .copy(&node, &parent, &name)
                .await
                .map_err(fs_error)
        }
        .boxed()
    }

    fn have_props<'a>(
        &'a self,
        _path: &'a DavPath,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        futures::future::ready(true).boxed()
    }

    fn patch_props<'a>(
        &'a self,
        path: &'a DavPath,
        patch: Vec<(bool, DavProp)>,
    ) -> FsFuture<'a, Vec<(StatusCode, DavProp)>> {
        async move {
            let node = self.node(path).await?;
            let named: Vec<DavProp> = patch
                .iter()
                .map(|(_, p)| DavProp {
                    xml: None,
                    ..p.clone()
                })
                .collect();
            let patch: Vec<(bool, DeadProp)> = patch
                .into_iter()
                .map(|(set, p)| (set, dead_prop(p)))
                .collect();
            let status = match self.webdav().patch_props(&node, &patch).await {
                Ok(()) => StatusCode::OK,
                Err(DriveError::Invalid(_)) => StatusCode::INSUFFICIENT_STORAGE,
                Err(DriveError::Forbidden(_)) => StatusCode::FORBIDDEN,
                Err(e) => return Err(fs_error(e)),
            };
            Ok(named.into_iter().map(|p| (status, p)).collect())
        }
        .boxed()
    }

    fn get_props<'a>(&'a self, path: &'a DavPath, do_content: bool) -> FsFuture<'a, Vec<DavProp>> {
        async move {
            let node = self.node(path).await?;
            let props = self.webdav().props(&node).await.map_err(fs_error)?;
            Ok(props
                .into_iter()
                .map(|p| DeadProp {
                    xml: p.xml.filter(|_| do_content),
                    ..p
                })
                .map(dav_prop)
                .collect())
        }
        .boxed()
    }

    fn get_prop<'a>(&'a self, path: &'a DavPath, prop: DavProp) -> FsFuture<'a, Vec<u8>> {
        async move {
            let node = self.node(path).await?;
            let wanted = dead_prop(prop);
            let props = self.webdav().props(&node).await.map_err(fs_error)?;
            props
                .into_iter()
                .find(|p| p.namespace == wanted.namespace && p.name == wanted.name)
                .and_then(|p| p.xml)
                .ok_or(FsError::NotFound)
        }
        .boxed()
    }

    fn get_quota(&self) -> FsFuture<'_, (u64, Option<u64>)> {
        async move {
            let (used, free) = self.webdav().quota().await.map_err(fs_error)?;
            Ok((used, Some(used + free)))
        }
        .boxed()
    }
}
