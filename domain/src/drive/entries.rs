//! Files and folders: listing, search, folders, rename and move, and a file's details.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::paging::{sort_column, Cursor, MAX_PAGE, RANK};
use super::NodeCopy;
use super::{names, Crumb, Drive, DriveError, Entry, EntryKind, FileDetail, ListQuery, Listing};
use crate::cluster::replicas;
use crate::db::is_unique_violation;
use crate::ids::{EntryId, UserId};

/// An entry's columns, with `copies`: healthy copies of the file's least-replicated block
/// (`nodes` when it has no blocks: an empty file is as replicated as it gets).
fn entry_columns(nodes: usize) -> String {
    let good_copies = replicas::good_copies_sql("b.object_id");
    format!(
        "e.id, e.kind, e.name, e.parent_id, e.size, e.mime, e.created_at, e.modified_at,
         e.trashed_at,
         CASE WHEN e.kind = 'file' THEN COALESCE((
             SELECT MIN({good_copies}) FROM blocks b WHERE b.file_id = e.id), {nodes}) END AS copies"
    )
}

/// Entries reachable from the top of the drive without passing through the trash:
/// `live(id)` for user `?1`.
const LIVE_CTE: &str = "WITH RECURSIVE live(id) AS (
        SELECT id FROM entries WHERE user_id = $1 AND parent_id = '' AND trashed_at IS NULL
        UNION ALL
        SELECT e.id FROM entries e JOIN live l ON e.parent_id = l.id WHERE e.trashed_at IS NULL
    )";

pub(super) fn entry_from_row(row: &AnyRow) -> Result<Entry, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let parent: String = row.try_get("parent_id")?;
    let copies: Option<i64> = row.try_get("copies")?;
    Ok(Entry {
        id: row.try_get("id")?,
        kind: if kind == "folder" {
            EntryKind::Folder
        } else {
            EntryKind::File
        },
        name: row.try_get("name")?,
        parent_id: (!parent.is_empty()).then_some(parent),
        size: row.try_get("size")?,
        mime: row.try_get("mime")?,
        created_at: row.try_get("created_at")?,
        modified_at: row.try_get("modified_at")?,
        trashed_at: row.try_get("trashed_at")?,
        copies: copies.map(|c| u32::try_from(c).unwrap_or(0)),
        thumbnail_url: None,
    })
}

/// How deep folders may nest. Creating and moving keep every chain within it, so walks up
/// the tree (bounded by it too) always reach the top, and the cycle check sees every ancestor.
const MAX_DEPTH: i64 = 64;

/// Refuses putting `height` levels of folders under a folder with these breadcrumbs when
/// that would nest deeper than `MAX_DEPTH`.
fn check_depth(parent: &[Crumb], height: i64) -> Result<(), DriveError> {
    if i64::try_from(parent.len()).unwrap_or(i64::MAX) + height > MAX_DEPTH {
        return Err(DriveError::Invalid(format!(
            "Folders nest at most {MAX_DEPTH} deep."
        )));
    }
    Ok(())
}

/// Levels of folders from `id` down (itself included; 0 for a file), trashed ones too since
/// they may come back.
async fn folder_height(conn: &mut AnyConnection, id: &str) -> Result<i64, DriveError> {
    Ok(sqlx::query_scalar(
        "WITH RECURSIVE down(id, depth) AS (
             SELECT id, 1 FROM entries WHERE id = $1 AND kind = 'folder'
             UNION ALL
             SELECT e.id, down.depth + 1 FROM entries e JOIN down ON e.parent_id = down.id
             WHERE e.kind = 'folder' AND down.depth <= $2
         )
         SELECT COALESCE(MAX(depth), 0) FROM down",
    )
    .bind(id)
    .bind(MAX_DEPTH)
    .fetch_one(&mut *conn)
    .await?)
}

/// One step of the walk from an entry up to the top of the drive.
#[derive(sqlx::FromRow)]
pub(super) struct Step {
    pub(super) id: String,
    pub(super) name: String,
    kind: String,
    trashed_at: Option<i64>,
}

/// The entry and its ancestors, top first; empty when the user has no such entry.
async fn path_to(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
) -> Result<Vec<Step>, DriveError> {
    Ok(sqlx::query_as(
        "WITH RECURSIVE up(id, parent_id, name, kind, trashed_at, depth) AS (
             SELECT id, parent_id, name, kind, trashed_at, 0 FROM entries WHERE id = $1 AND user_id = $2
             UNION ALL
             SELECT e.id, e.parent_id, e.name, e.kind, e.trashed_at, up.depth + 1
             FROM entries e JOIN up ON e.id = up.parent_id
             WHERE up.depth < $3
         )
         SELECT id, name, kind, trashed_at FROM up ORDER BY depth DESC",
    )
    .bind(id)
    .bind(user_id)
    .bind(MAX_DEPTH)
    .fetch_all(&mut *conn)
    .await?)
}

/// The path to an entry the user can see (neither it nor a folder above it in the trash).
pub(super) async fn live_path(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
) -> Result<Vec<Step>, DriveError> {
    let path = path_to(conn, user_id, id).await?;
    if path.is_empty() || path.iter().any(|s| s.trashed_at.is_some()) {
        return Err(DriveError::NotFound("file or folder"));
    }
    Ok(path)
}

/// The breadcrumbs of a folder the user can see (not in the trash); `''` is the top.
pub(super) async fn live_folder(
    conn: &mut AnyConnection,
    user_id: &UserId,
    folder_id: &str,
) -> Result<Vec<Crumb>, DriveError> {
    if folder_id.is_empty() {
        return Ok(Vec::new());
    }
    let path = path_to(conn, user_id, folder_id).await?;
    let is_live_folder = path.last().is_some_and(|s| s.kind == "folder")
        && path.iter().all(|s| s.trashed_at.is_none());
    if !is_live_folder {
        return Err(DriveError::NotFound("folder"));
    }
    Ok(path
        .into_iter()
        .map(|s| Crumb {
            id: s.id,
            name: s.name,
        })
        .collect())
}

/// Whether a folder (`''`: the top) holds an item, not in the trash, whose name collides with
/// `name`.
pub(super) async fn name_taken(
    conn: &mut AnyConnection,
    user_id: &UserId,
    parent_id: &str,
    name: &names::Name,
) -> Result<bool, DriveError> {
    let taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM entries
         WHERE user_id = $1 AND parent_id = $2 AND name_key = $3 AND trashed_at IS NULL",
    )
    .bind(user_id)
    .bind(parent_id)
    .bind(&name.key)
    .fetch_one(conn)
    .await?;
    Ok(taken > 0)
}

/// The file (not a folder) named `name` in a folder, outside the trash: what an upload that
/// replaces replaces.
pub(super) async fn file_named(
    conn: &mut AnyConnection,
    user_id: &UserId,
    parent_id: &str,
    name: &names::Name,
) -> Result<Option<String>, DriveError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM entries
         WHERE user_id = $1 AND parent_id = $2 AND name_key = $3 AND trashed_at IS NULL
           AND kind = 'file'",
    )
    .bind(user_id)
    .bind(parent_id)
    .bind(&name.key)
    .fetch_optional(conn)
    .await?)
}

/// How many numbered names (" (1)" up to this) are tried before giving up.
const MAX_NUMBERED_NAME: u32 = 1000;

/// `name` if it is free in the folder, else the first free "name (n)". Call inside the write
/// transaction that takes the name, so that nobody takes it in between.
pub(super) async fn free_name(
    conn: &mut AnyConnection,
    user_id: &UserId,
    parent_id: &str,
    name: names::Name,
) -> Result<names::Name, DriveError> {
    if !name_taken(conn, user_id, parent_id, &name).await? {
        return Ok(name);
    }
    for n in 1..=MAX_NUMBERED_NAME {
        let candidate = names::numbered(&name, n);
        if !name_taken(conn, user_id, parent_id, &candidate).await? {
            return Ok(candidate);
        }
    }
    Err(DriveError::name_taken(&name.display))
}

/// Puts a live entry into the live folder `target` (`''`: the top), under a new name if given:
/// no cycles, no deeper than `MAX_DEPTH`, no name taken twice. Call inside the write
/// transaction.
pub(super) async fn place(
    conn: &mut AnyConnection,
    user_id: &UserId,
    id: &str,
    target: &str,
    rename: Option<&names::Name>,
    now: i64,
) -> Result<(), DriveError> {
    live_path(conn, user_id, id).await?;
    let crumbs = live_folder(conn, user_id, target).await?;
    if crumbs.iter().any(|c| c.id == id) {
        return Err(DriveError::Invalid(
            "A folder cannot be moved into itself or into a folder inside it.".into(),
        ));
    }
    check_depth(&crumbs, folder_height(conn, id).await?)?;
    let (display, key) = match rename {
        Some(name) => (name.display.clone(), name.key.clone()),
        None => {
            sqlx::query_as("SELECT name, name_key FROM entries WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?
        }
    };
    sqlx::query(
        "UPDATE entries SET parent_id = $1, name = $2, name_key = $3, modified_at = $4
         WHERE id = $5",
    )
    .bind(target)
    .bind(&display)
    .bind(&key)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(|e| collision(e, &display))?;
    Ok(())
}

impl Drive {
    pub(super) fn columns(&self) -> String {
        entry_columns(self.cluster.nodes().len())
    }

    /// One entry of the user's, wherever it is (trash included).
    pub(super) async fn entry(&self, user_id: &UserId, id: &str) -> Result<Entry, DriveError> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM entries e WHERE e.id = $1 AND e.user_id = $2",
            self.columns()
        ))
        .bind(id)
        .bind(user_id)
        .fetch_optional(&self.db)
        .await?
        .ok_or(DriveError::NotFound("file or folder"))?;
        Ok(entry_from_row(&row)?)
    }

    /// An entry the user can see: neither it nor a folder above it is in the trash.
    pub(super) async fn live_entry(&self, user_id: &UserId, id: &str) -> Result<Entry, DriveError> {
        live_path(&mut *self.db.acquire().await?, user_id, id).await?;
        self.entry(user_id, id).await
    }

    /// A page of a folder's contents (folders first), or, with a search, of matching names
    /// anywhere in the drive outside the trash; `next_cursor` asks for the next page.
    pub async fn list(&self, user_id: &UserId, query: &ListQuery) -> Result<Listing, DriveError> {
        let mut conn = self.db.acquire().await?;
        let folder = query.folder_id.as_deref().unwrap_or("");
        let path = live_folder(&mut conn, user_id, folder).await?;
        let order = sort_column(query.sort);
        let direction = if query.descending { "DESC" } else { "ASC" };
        let search = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let filter = if search.is_some() {
            "e.id IN (SELECT id FROM live) AND e.name_key LIKE $3 ESCAPE '\\'"
        } else {
            "e.user_id = $1 AND e.parent_id = $2 AND e.trashed_at IS NULL AND $3 IS NULL"
        };
        let pattern = search.map(|s| format!("%{}%", like_escape(&names::search_key(s))));
        let after = query
            .cursor
            .as_deref()
            .map(|c| Cursor::decode(c, query))
            .transpose()?;
        let keyset = after.as_ref().map_or("1 = 1".into(), |c| c.condition(4));
        let page = query
            .limit
            .map_or(self.settings.list_page, i64::from)
            .clamp(1, MAX_PAGE);
        let sql = format!(
            "{LIVE_CTE} SELECT {}, e.name_key FROM entries e WHERE {filter} AND {keyset}
             ORDER BY {RANK}, {order} {direction}, e.name_key, e.id LIMIT {}",
            self.columns(),
            page + 1
        );
        let mut rows_query = sqlx::query(&sql).bind(user_id).bind(folder).bind(pattern);
        if let Some(cursor) = &after {
            rows_query = cursor.bind(rows_query);
        }
        let mut rows = rows_query.fetch_all(&mut *conn).await?;
        let more = rows.len() > usize::try_from(page).unwrap_or(usize::MAX);
        rows.truncate(usize::try_from(page).unwrap_or(usize::MAX));
        let mut entries: Vec<Entry> = rows.iter().map(entry_from_row).collect::<Result<_, _>>()?;
        for entry in &mut entries {
            entry.thumbnail_url = self.thumbnail_link(user_id, entry);
        }
        let next_cursor = match (more, entries.last(), rows.last()) {
            (true, Some(last), Some(row)) => {
                Some(Cursor::after(query, last, row.try_get("name_key")?).encode())
            }
            _ => None,
        };
        let usage = super::usage::usage(&mut conn, user_id).await?;
        Ok(Listing {
            path,
            entries,
            usage,
            next_cursor,
        })
    }

    /// Every folder outside the trash, as "Parent / Child" paths, for "Move to…".
    pub async fn folders(&self, user_id: &UserId) -> Result<Vec<Crumb>, DriveError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "WITH RECURSIVE tree(id, path) AS (
                 SELECT id, name FROM entries
                 WHERE user_id = $1 AND parent_id = '' AND kind = 'folder' AND trashed_at IS NULL
                 UNION ALL
                 SELECT e.id, tree.path || ' / ' || e.name FROM entries e JOIN tree ON e.parent_id = tree.id
                 WHERE e.kind = 'folder' AND e.trashed_at IS NULL
             )
             SELECT id, path FROM tree ORDER BY lower(path)",
        )
        .bind(user_id)
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| Crumb { id, name })
            .collect())
    }

    pub async fn create_folder(
        &self,
        user_id: &UserId,
        parent_id: Option<&EntryId>,
        name: &str,
    ) -> Result<Entry, DriveError> {
        let name = names::clean(name)?;
        let parent = parent_id.map_or("", EntryId::as_str);
        // Check and insert in one transaction, so the folder cannot go to the trash between.
        let mut tx = self.write_tx().await?;
        let crumbs = live_folder(&mut tx, user_id, parent).await?;
        check_depth(&crumbs, 1)?;
        super::usage::check_items(&mut tx, user_id, 1, self.settings.max_items).await?;
        let id = Uuid::new_v4().simple().to_string();
        let t = self.clock.now();
        sqlx::query(
            "INSERT INTO entries (id, user_id, parent_id, kind, name, name_key, created_at, modified_at)
             VALUES ($1, $2, $3, 'folder', $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(parent)
        .bind(&name.display)
        .bind(&name.key)
        .bind(t)
        .bind(t)
        .execute(&mut *tx)
        .await
        .map_err(|e| collision(e, &name.display))?;
        super::usage::count_items(&mut tx, user_id, 1).await?;
        tx.commit().await?;
        self.entry(user_id, &id).await
    }

    pub async fn rename(
        &self,
        user_id: &UserId,
        id: &EntryId,
        name: &str,
    ) -> Result<Entry, DriveError> {
        let id = id.as_str();
        let name = names::clean(name)?;
        // Under the write lock, like every change to the tree: a finishing upload that has
        // just picked a free name keeps it.
        let mut tx = self.write_tx().await?;
        live_path(&mut tx, user_id, id).await?;
        sqlx::query("UPDATE entries SET name = $1, name_key = $2, modified_at = $3 WHERE id = $4")
            .bind(&name.display)
            .bind(&name.key)
            .bind(self.clock.now())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| collision(e, &name.display))?;
        tx.commit().await?;
        self.entry(user_id, id).await
    }

    /// Moves a file or folder into another folder (`None`: the top of the drive).
    pub async fn move_to(
        &self,
        user_id: &UserId,
        id: &EntryId,
        folder_id: Option<&EntryId>,
    ) -> Result<Entry, DriveError> {
        let target = folder_id.map_or("", EntryId::as_str);
        // Check and move in one transaction: two crossing moves cannot make a cycle.
        let mut tx = self.write_tx().await?;
        place(
            &mut tx,
            user_id,
            id.as_str(),
            target,
            None,
            self.clock.now(),
        )
        .await?;
        tx.commit().await?;
        self.entry(user_id, id.as_str()).await
    }

    /// A file's details: checksum, blocks, and how many of its blocks each node holds.
    pub async fn detail(&self, user_id: &UserId, id: &EntryId) -> Result<FileDetail, DriveError> {
        let id = id.as_str();
        let entry = self.entry(user_id, id).await?;
        if entry.is_folder() {
            return Err(DriveError::NotFound("file"));
        }
        let (checksum, blocks): (String, i64) = sqlx::query_as(
            "SELECT e.checksum, (SELECT COUNT(*) FROM blocks b WHERE b.file_id = e.id)
             FROM entries e WHERE e.id = $1",
        )
        .bind(id)
        .fetch_one(&self.db)
        .await?;
        let held = replicas::good_copies_per_node(&self.db, &self.block_objects(id).await?).await?;
        let nodes = self
            .cluster
            .nodes()
            .iter()
            .map(|n| NodeCopy {
                node: n.spec.name.clone(),
                region: n.spec.region.clone(),
                blocks_held: held
                    .iter()
                    .find(|(name, _)| *name == n.spec.name)
                    .map_or(0, |(_, count)| *count),
            })
            .collect();
        Ok(FileDetail {
            entry,
            checksum,
            blocks: crate::db::to_u64(blocks),
            nodes,
        })
    }

    /// The owner of a file or of a version of one (for signed links, and administrators
    /// acting on any file).
    pub async fn owner_of(&self, id: &EntryId) -> Result<UserId, DriveError> {
        sqlx::query_scalar(
            "SELECT user_id FROM entries WHERE id = $1 AND kind = 'file'
             UNION ALL SELECT user_id FROM versions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await?
        .ok_or(DriveError::NotFound("file"))
    }

    /// Re-replicates every block of the file to every node lacking a good copy, now.
    pub async fn replicate(&self, id: &EntryId) -> Result<FileDetail, DriveError> {
        let owner = self.owner_of(id).await?;
        for object in self.block_objects(id.as_str()).await? {
            self.cluster.repair(&object).await?;
        }
        self.detail(&owner, id).await
    }
}

impl Drive {
    /// The cluster objects holding a file's (or an upload's) blocks, in order.
    pub(super) async fn block_objects(&self, file_id: &str) -> Result<Vec<String>, DriveError> {
        Ok(
            sqlx::query_scalar("SELECT object_id FROM blocks WHERE file_id = $1 ORDER BY idx")
                .bind(file_id)
                .fetch_all(&self.db)
                .await?,
        )
    }
}

/// A unique-index failure is a name collision; anything else is ours.
pub(super) fn collision(e: sqlx::Error, name: &str) -> DriveError {
    if is_unique_violation(&e) {
        DriveError::name_taken(name)
    } else {
        e.into()
    }
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
