//! The drive as WebDAV clients see it: addressed by paths of names rather than ids. Every
//! change goes through the drive's own rules (names, quota, versions, trash); what belongs to
//! WebDAV alone, locks and dead properties, is in `locks` and `props`.

mod locks;
mod props;

use futures::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::Row;
use tokio::io::AsyncRead;

pub use locks::{Lock, LockRequest};
pub use props::DeadProp;

use super::entries::place;
use super::{names, versions, Drive, DriveError, OnConflict, OpenFile, UploadStart};
use crate::db::to_u64;
use crate::ids::{EntryId, UserId};

/// A file or folder at a path; the top of the drive is the folder with id `""`.
#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub name: String,
    pub folder: bool,
    pub size: u64,
    pub created_at: i64,
    pub modified_at: i64,
    /// BLAKE3 of the content ('' for folders): the ETag, which changes with the content.
    pub checksum: String,
}

impl Node {
    fn top() -> Node {
        Node {
            id: String::new(),
            name: String::new(),
            folder: true,
            size: 0,
            created_at: 0,
            modified_at: 0,
            checksum: String::new(),
        }
    }

    fn folder_id(&self) -> Option<EntryId> {
        (!self.id.is_empty()).then(|| EntryId::from(self.id.as_str()))
    }

    fn from_row(row: &AnyRow) -> Result<Node, sqlx::Error> {
        let kind: String = row.try_get("kind")?;
        Ok(Node {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            folder: kind == "folder",
            size: to_u64(row.try_get("size")?),
            created_at: row.try_get("created_at")?,
            modified_at: row.try_get("modified_at")?,
            checksum: row.try_get("checksum")?,
        })
    }
}

const NODE_COLUMNS: &str = "id, name, kind, size, created_at, modified_at, checksum";

/// One user's drive, by path.
pub struct WebDav<'a> {
    drive: &'a Drive,
    user_id: &'a UserId,
}

impl Drive {
    pub fn webdav<'a>(&'a self, user_id: &'a UserId) -> WebDav<'a> {
        WebDav {
            drive: self,
            user_id,
        }
    }
}

/// The key a path's locks are kept under: its names as the drive compares them (without case,
/// NFC), so two spellings of one file share its locks.
pub fn lock_path(segments: &[String]) -> String {
    let keys: Vec<String> = segments
        .iter()
        .map(|s| names::clean(s).map_or_else(|_| s.clone(), |n| n.key))
        .collect();
    keys.join("/")
}

impl WebDav<'_> {
    /// What is at `segments` (none: the top), outside the trash.
    pub async fn lookup(&self, segments: &[String]) -> Result<Option<Node>, DriveError> {
        let mut node = Node::top();
        for segment in segments {
            if !node.folder {
                return Ok(None);
            }
            match self.child(&node, segment).await? {
                Some(child) => node = child,
                None => return Ok(None),
            }
        }
        Ok(Some(node))
    }

    /// A folder's contents (all of them: WebDAV has no paging), by name.
    pub async fn children(&self, folder: &Node) -> Result<Vec<Node>, DriveError> {
        let rows = sqlx::query(&format!(
            "SELECT {NODE_COLUMNS} FROM entries
             WHERE user_id = $1 AND parent_id = $2 AND trashed_at IS NULL ORDER BY name_key"
        ))
        .bind(self.user_id)
        .bind(&folder.id)
        .fetch_all(&self.drive.db)
        .await?;
        Ok(rows.iter().map(Node::from_row).collect::<Result<_, _>>()?)
    }

    pub async fn create_folder(&self, parent: &Node, name: &str) -> Result<(), DriveError> {
        let parent_id = parent.folder_id();
        self.drive
            .create_folder(self.user_id, parent_id.as_ref(), name)
            .await?;
        Ok(())
    }

    /// Stores `body` as `name` in `parent`; a file already there becomes a version. `size` is
    /// the length the client told, if it did (the quota is reserved for it up front).
    pub async fn put(
        &self,
        parent: &Node,
        name: &str,
        size: Option<u64>,
        body: impl AsyncRead + Unpin + Send,
    ) -> Result<Node, DriveError> {
        let request = UploadStart {
            name: name.to_owned(),
            size: 0,
            folder_id: parent.folder_id().map(EntryId::into_string),
            mime: None,
            fingerprint: None,
            on_conflict: OnConflict::Replace,
        };
        self.drive
            .receive_file(self.user_id, &request, size, body)
            .await?;
        self.child(parent, name)
            .await?
            .ok_or(DriveError::NotFound("file"))
    }

    /// Opens a file for reading.
    pub async fn open(&self, file: &Node) -> Result<OpenFile, DriveError> {
        self.drive
            .open(self.user_id, &EntryId::from(file.id.as_str()))
            .await
    }

    /// Copies a file (its bytes, read back and stored again, and its dead properties) to
    /// `name` in `parent`; a file already there becomes a version.
    pub async fn copy(&self, file: &Node, parent: &Node, name: &str) -> Result<(), DriveError> {
        if self.child(parent, name).await?.is_some_and(|n| n.folder) {
            return Err(DriveError::name_taken(name));
        }
        let source = self.open(file).await?;
        // The size of what was opened, not of the earlier lookup: it may have been replaced.
        let size = to_u64(source.entry.size);
        let bytes = source
            .read(0..size)
            .map_err(|e| std::io::Error::other(e.to_string()));
        let reader = tokio_util::io::StreamReader::new(bytes);
        let copied = self.put(parent, name, Some(size), reader).await?;
        props::copy(self.drive, &file.id, &copied.id).await
    }

    /// What is named `name` in the folder `parent`, outside the trash.
    pub async fn child(&self, parent: &Node, name: &str) -> Result<Option<Node>, DriveError> {
        let Ok(name) = names::clean(name) else {
            return Ok(None);
        };
        let row = sqlx::query(&format!(
            "SELECT {NODE_COLUMNS} FROM entries
             WHERE user_id = $1 AND parent_id = $2 AND name_key = $3 AND trashed_at IS NULL"
        ))
        .bind(self.user_id)
        .bind(&parent.id)
        .bind(&name.key)
        .fetch_optional(&self.drive.db)
        .await?;
        Ok(row.as_ref().map(Node::from_row).transpose()?)
    }

    /// Moves to the trash (a folder with everything in it).
    pub async fn delete(&self, node: &Node) -> Result<(), DriveError> {
        self.drive
            .trash(self.user_id, &EntryId::from(node.id.as_str()))
            .await?;
        Ok(())
    }

    /// Moves and renames `node` to `name` in `parent`. When a file is there and `replace` is
    /// set, a file moved onto it becomes its new content (the old one a version); anything
    /// else in the way goes to the trash.
    pub async fn relocate(
        &self,
        node: &Node,
        parent: &Node,
        name: &str,
        replace: bool,
    ) -> Result<(), DriveError> {
        let new_name = names::clean(name)?;
        let in_the_way = self
            .child(parent, name)
            .await?
            .filter(|there| there.id != node.id);
        if let Some(there) = in_the_way {
            if !replace {
                return Err(DriveError::name_taken(&new_name.display));
            }
            if !there.folder && !node.folder {
                return self.replace_file(node, &there).await;
            }
            self.delete(&there).await?;
        }
        let mut tx = self.drive.write_tx().await?;
        let now = self.drive.clock.now();
        place(
            &mut tx,
            self.user_id,
            &node.id,
            &parent.id,
            Some(&new_name),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `source`'s content becomes `target`'s (whose old content becomes a version), and
    /// `source` goes: a MOVE onto an existing file. The versions and dead properties of
    /// `source` go with its content; its share links end.
    async fn replace_file(&self, source: &Node, target: &Node) -> Result<(), DriveError> {
        let mut tx = self.drive.write_tx().await?;
        let now = self.drive.clock.now();
        // Both still live files of this user's, checked under the write lock.
        for file in [source, target] {
            let live: Option<String> = sqlx::query_scalar(
                "SELECT id FROM entries WHERE id = $1 AND user_id = $2 AND kind = 'file'
                   AND trashed_at IS NULL",
            )
            .bind(&file.id)
            .bind(self.user_id)
            .fetch_optional(&mut *tx)
            .await?;
            live.ok_or(DriveError::NotFound("file"))?;
        }
        // The source's history first, so the content being replaced is the newest version
        // (and the last one `keep_newest` would drop).
        versions::adopt(&mut tx, &source.id, &target.id).await?;
        versions::keep_current(&mut tx, &target.id, now).await?;
        sqlx::query("UPDATE blocks SET file_id = $1 WHERE file_id = $2")
            .bind(&target.id)
            .bind(&source.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE entries SET (size, mime, checksum, modified_at) =
                 (SELECT size, mime, checksum, $1 FROM entries WHERE id = $2)
             WHERE id = $3",
        )
        .bind(now)
        .bind(&source.id)
        .bind(&target.id)
        .execute(&mut *tx)
        .await?;
        props::adopt(&mut tx, &source.id, &target.id).await?;
        for gone in [
            "INSERT INTO garbage (object_id)
             SELECT object_id FROM thumbnails WHERE file_id = $1 AND object_id <> ''
             ON CONFLICT DO NOTHING",
            "DELETE FROM thumbnails WHERE file_id = $1",
            "DELETE FROM shares WHERE entry_id = $1",
            "DELETE FROM entries WHERE id = $1",
        ] {
            sqlx::query(gone).bind(&source.id).execute(&mut *tx).await?;
        }
        super::usage::count_items(&mut tx, self.user_id, -1).await?;
        versions::keep_newest(&mut tx, &target.id, self.drive.settings.versions_keep).await?;
        tx.commit().await?;
        self.drive.tidy().await;
        Ok(())
    }

    /// (used, available) bytes, for RFC 4331's quota properties.
    pub async fn quota(&self) -> Result<(u64, u64), DriveError> {
        let usage = self.drive.usage(self.user_id).await?;
        Ok((to_u64(usage.used_bytes), to_u64(usage.free_bytes())))
    }
}

#[cfg(test)]
mod tests;
