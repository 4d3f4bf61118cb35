//! Share links: a file or folder of one user's, opened by anyone holding the link, to view,
//! to download, or (a folder) to drop files into. A link answers the same "not found" whether
//! it never existed, was revoked, expired, was used up, or its item went to the trash.

mod access;
mod counting;
mod tokens;

use model::shares::{Share, ShareCreated, ShareKind, ShareRequest};

pub use counting::{DownloadCount, StreamSlot};

use super::entries::live_path;
use super::uploads::Uploader;
use super::{Crumb, Drive, DriveError, Entry, EntryKind, ListQuery, UploadStart};
use crate::ids::{EntryId, UserId};

/// The answer for every link that does not work, whatever the reason.
fn gone() -> DriveError {
    DriveError::NotFound("link (it may have expired or been revoked)")
}

#[derive(sqlx::FromRow)]
struct ShareRow {
    id: String,
    user_id: UserId,
    entry_id: String,
    kind: ShareKind,
    password_hash: Option<String>,
    expires_at: Option<i64>,
    max_downloads: Option<i64>,
    downloads: i64,
    generation: i64,
    created_at: i64,
    last_used_at: Option<i64>,
}

/// A link that works right now, and what it shares.
pub struct OpenShare {
    pub id: String,
    pub kind: ShareKind,
    pub owner: UserId,
    /// The shared file or folder.
    pub root: Entry,
    password_hash: Option<String>,
    generation: i64,
}

impl OpenShare {
    pub fn needs_password(&self) -> bool {
        self.password_hash.is_some()
    }

    /// Whether files may be downloaded through it (`view` shows, `drop` receives).
    pub fn allows_download(&self) -> bool {
        self.kind == ShareKind::Download
    }

    /// Who uploads through this link: a stranger, in the owner's drive.
    pub fn uploader(&self) -> Uploader<'_> {
        Uploader {
            user_id: &self.owner,
            share_id: &self.id,
        }
    }

    /// An upload through this link (a drop's only): into its folder, whatever was asked.
    pub(super) fn drop_request(&self, request: &UploadStart) -> Result<UploadStart, DriveError> {
        if self.kind != ShareKind::Drop {
            return Err(DriveError::NotFound("file drop"));
        }
        // A stranger's file never replaces one there, nor learns that the name is taken.
        Ok(UploadStart {
            folder_id: Some(self.root.id.clone()),
            on_conflict: super::OnConflict::KeepBoth,
            ..request.clone()
        })
    }
}

/// A folder seen through a link: itself, the breadcrumbs from the shared folder down, and its
/// contents.
pub struct SharedFolder {
    pub folder: Entry,
    pub path: Vec<Crumb>,
    /// The first `MAX_PAGE` items (a link's page shows no more).
    pub entries: Vec<Entry>,
    /// Whether there are more than those.
    pub more: bool,
}

/// The longest a link password may be (bcrypt reads 72 bytes).
const MAX_PASSWORD_BYTES: usize = 72;
/// The shortest: the lockout is per client, so a short password would fall to guesses spread
/// over many addresses.
const MIN_PASSWORD_CHARS: usize = 8;

impl Drive {
    /// Makes a link to one of the user's items.
    pub async fn create_share(
        &self,
        user_id: &UserId,
        request: &ShareRequest,
    ) -> Result<ShareCreated, DriveError> {
        let entry = self.live_entry(user_id, &request.item_id).await?;
        if request.kind == ShareKind::Drop && !entry.is_folder() {
            return Err(DriveError::Invalid(
                "A file drop is a folder people upload into: share a folder for it.".into(),
            ));
        }
        if request.max_downloads.is_some_and(|n| n < 1) {
            return Err(DriveError::Invalid(
                "A download limit is at least 1.".into(),
            ));
        }
        let expires_at = match request.expires_at.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                chrono::DateTime::parse_from_rfc3339(text)
                    .map_err(|_| {
                        DriveError::Invalid(
                            "The expiry must be a date and time such as 2027-01-31T18:00:00Z."
                                .into(),
                        )
                    })?
                    .timestamp(),
            ),
        };
        if expires_at.is_some_and(|t| t <= self.clock.now()) {
            return Err(DriveError::Invalid(
                "The expiry date is in the past: pick a later one.".into(),
            ));
        }
        let password = request.password.as_deref().filter(|p| !p.is_empty());
        let password_hash = match password {
            Some(p) if p.len() > MAX_PASSWORD_BYTES || p.chars().count() < MIN_PASSWORD_CHARS => {
                return Err(DriveError::Invalid(format!(
                    "A link password has {MIN_PASSWORD_CHARS} characters at least and \
                     {MAX_PASSWORD_BYTES} bytes at most."
                )))
            }
            Some(p) => Some(self.hasher.hash(p).await.map_err(DriveError::internal)?),
            None => None,
        };
        let id = tokens::new_id();
        sqlx::query(
            "INSERT INTO shares (id, user_id, entry_id, kind, password_hash, expires_at,
                                 max_downloads, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(&entry.id)
        .bind(request.kind)
        .bind(password_hash)
        .bind(expires_at)
        .bind(request.max_downloads)
        .bind(self.clock.now())
        .execute(&self.db)
        .await?;
        let url = self.share_path(&id, 0);
        Ok(ShareCreated { id, url })
    }

    /// The link's path (`/s/<token>`), derived again from its id and generation.
    fn share_path(&self, id: &str, generation: i64) -> String {
        format!("/s/{}", tokens::token(&self.secrets, id, generation))
    }

    /// The user's links that still work or may again be shown (expired ones included, so the
    /// owner sees why a link stopped), newest first.
    pub async fn shares(&self, user_id: &UserId) -> Result<Vec<Share>, DriveError> {
        let rows = sqlx::query(
            "SELECT s.id, s.user_id, s.entry_id, s.kind, s.password_hash, s.expires_at,
                    s.max_downloads, s.downloads, s.generation, s.created_at, s.last_used_at,
                    e.name, e.kind AS entry_kind
             FROM shares s JOIN entries e ON e.id = s.entry_id
             WHERE s.user_id = $1 AND s.revoked_at IS NULL
             ORDER BY s.created_at DESC, s.id",
        )
        .bind(user_id)
        .fetch_all(&self.db)
        .await?;
        rows.iter()
            .map(|row| {
                use sqlx::{FromRow, Row};
                let share = ShareRow::from_row(row)?;
                let entry_kind: String = row.try_get("entry_kind")?;
                Ok(Share {
                    url: self.share_path(&share.id, share.generation),
                    id: share.id,
                    kind: share.kind,
                    item_id: share.entry_id,
                    item_name: row.try_get("name")?,
                    item_kind: if entry_kind == "folder" {
                        EntryKind::Folder
                    } else {
                        EntryKind::File
                    },
                    has_password: share.password_hash.is_some(),
                    expires_at: share.expires_at,
                    max_downloads: share.max_downloads,
                    downloads: share.downloads,
                    created_at: share.created_at,
                    last_used_at: share.last_used_at,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DriveError::from)
    }

    /// Ends a link at once: its token stops working, and it leaves the owner's list.
    pub async fn revoke_share(&self, user_id: &UserId, id: &str) -> Result<(), DriveError> {
        let done = sqlx::query(
            "UPDATE shares SET revoked_at = $1, generation = generation + 1
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(self.clock.now())
        .bind(id)
        .bind(user_id)
        .execute(&self.db)
        .await?;
        if done.rows_affected() == 0 {
            return Err(DriveError::NotFound("link"));
        }
        Ok(())
    }

    /// The link a token names, if it works now for this `client` (a used-up link still works
    /// for the minute its last download's client may fetch the rest).
    pub async fn open_share(&self, token: &str, client: &str) -> Result<OpenShare, DriveError> {
        let id = tokens::id_of(token).ok_or_else(gone)?;
        let row: ShareRow = sqlx::query_as(
            "SELECT id, user_id, entry_id, kind, password_hash, expires_at, max_downloads,
                    downloads, generation, created_at, last_used_at
             FROM shares WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await?
        .ok_or_else(gone)?;
        let now = self.clock.now();
        if !tokens::genuine(&self.secrets, token, row.generation)
            || row.expires_at.is_some_and(|t| t <= now)
        {
            return Err(gone());
        }
        let used_up = row.max_downloads.is_some_and(|max| row.downloads >= max);
        if used_up && !counting::has_grant(&self.db, &row.id, client, None, now).await? {
            return Err(gone());
        }
        // An item in the trash (or under a folder in it) takes its links with it.
        let root = match self.live_entry(&row.user_id, &row.entry_id).await {
            Ok(entry) => entry,
            Err(DriveError::NotFound(_)) => return Err(gone()),
            Err(e) => return Err(e),
        };
        Ok(OpenShare {
            id: row.id,
            kind: row.kind,
            owner: row.user_id,
            root,
            password_hash: row.password_hash,
            generation: row.generation,
        })
    }

    /// An item inside the shared folder (or the shared item itself when `id` is `None`), with
    /// the breadcrumbs from the shared item down to it. Anything else of the owner's, even
    /// their own id, is not found.
    pub async fn shared_entry(
        &self,
        share: &OpenShare,
        id: Option<&str>,
    ) -> Result<(Entry, Vec<Crumb>), DriveError> {
        let Some(id) = id.filter(|id| *id != share.root.id) else {
            return Ok((share.root.clone(), Vec::new()));
        };
        let outside = || DriveError::NotFound("file or folder");
        let path = match live_path(&mut *self.db.acquire().await?, &share.owner, id).await {
            Ok(path) => path,
            Err(DriveError::NotFound(_)) => return Err(outside()),
            Err(e) => return Err(e),
        };
        let below = path
            .iter()
            .position(|step| step.id == share.root.id)
            .ok_or_else(outside)?;
        let crumbs = path[below + 1..]
            .iter()
            .map(|step| Crumb {
                id: step.id.clone(),
                name: step.name.clone(),
            })
            .collect();
        Ok((self.entry(&share.owner, id).await?, crumbs))
    }

    /// A folder inside a shared folder (the shared folder itself when `id` is `None`).
    pub async fn shared_folder(
        &self,
        share: &OpenShare,
        id: Option<&str>,
    ) -> Result<SharedFolder, DriveError> {
        if share.kind == ShareKind::Drop {
            // A drop shows nothing of what is in it, not even names.
            return Err(DriveError::NotFound("folder"));
        }
        let (folder, path) = self.shared_entry(share, id).await?;
        if !folder.is_folder() {
            return Err(DriveError::NotFound("folder"));
        }
        let listing = self
            .list(
                &share.owner,
                &ListQuery {
                    folder_id: Some(folder.id.clone()),
                    limit: u32::try_from(super::paging::MAX_PAGE).ok(),
                    ..ListQuery::default()
                },
            )
            .await?;
        Ok(SharedFolder {
            folder,
            path,
            entries: listing.entries,
            more: listing.next_cursor.is_some(),
        })
    }

    /// Everything under a shared folder, for its zip (see `Drive::tree`).
    pub async fn shared_tree(
        &self,
        share: &OpenShare,
        folder: &Entry,
    ) -> Result<Vec<(String, Entry)>, DriveError> {
        self.tree(&share.owner, folder).await
    }

    /// Whether the link still works as it did when opened (not revoked since): a long zip
    /// asks before each file.
    pub async fn still_shared(&self, share: &OpenShare) -> Result<(), DriveError> {
        let live: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM shares WHERE id = $1 AND revoked_at IS NULL AND generation = $2",
        )
        .bind(&share.id)
        .bind(share.generation)
        .fetch_optional(&self.db)
        .await?;
        live.map(|_| ()).ok_or_else(gone)
    }

    /// Opens a file seen through a download link.
    pub async fn open_shared(
        &self,
        share: &OpenShare,
        id: Option<&str>,
    ) -> Result<super::OpenFile, DriveError> {
        if !share.allows_download() {
            return Err(DriveError::NotFound("file"));
        }
        let (entry, _) = self.shared_entry(share, id).await?;
        self.open(&share.owner, &EntryId::from(entry.id.as_str()))
            .await
    }
}

/// Revokes the links to an item and to everything inside it (it is going to the trash).
pub(super) async fn revoke_under(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    now: i64,
) -> Result<(), DriveError> {
    sqlx::query(
        "WITH RECURSIVE below(id) AS (
             SELECT CAST($1 AS TEXT)
             UNION ALL
             SELECT e.id FROM entries e JOIN below ON e.parent_id = below.id
         )
         UPDATE shares SET revoked_at = $2, generation = generation + 1
         WHERE revoked_at IS NULL AND entry_id IN (SELECT id FROM below)",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests;
