//! What goes into a zip: a folder's whole tree, or several items chosen together, each with
//! its path inside the archive. The web layer streams the files in this order.

use std::collections::HashSet;

use sqlx::Row;

use super::entries::entry_from_row;
use super::SignedLink;
use super::{names, Drive, DriveError, Entry};
use crate::ids::{EntryId, UserId};

/// The most items one "download as zip" of a selection may name (their ids travel in the
/// signed link's URL: 200 keep it under 8 KB).
pub const MAX_SELECTED: usize = 200;

impl Drive {
    fn bundle_mac(&self, user_id: &UserId, ids: &[EntryId], expires: i64) -> String {
        let ids: Vec<&str> = ids.iter().map(EntryId::as_str).collect();
        self.secrets.mac(&[
            b"zip",
            user_id.as_str().as_bytes(),
            ids.join(",").as_bytes(),
            expires.to_string().as_bytes(),
        ])
    }

    /// A signature that lets the chosen items be downloaded as one zip for the next minute or
    /// so without the bearer header.
    pub async fn bundle_link(
        &self,
        user_id: &UserId,
        ids: &[EntryId],
    ) -> Result<SignedLink, DriveError> {
        self.bundle(user_id, ids).await?;
        let expires = self.clock.now() + crate::db::to_i64(self.settings.link_lifetime.as_secs());
        let sig = self.bundle_mac(user_id, ids, expires);
        Ok(SignedLink { expires, sig })
    }

    /// The owner of the items a signed zip link names, if it is genuine and current.
    pub async fn check_bundle_link(
        &self,
        ids: &[EntryId],
        link: &SignedLink,
    ) -> Result<UserId, DriveError> {
        let invalid =
            || DriveError::Forbidden("This download link is not valid. Get a new one.".into());
        let first = ids.first().ok_or_else(invalid)?;
        let owner: UserId = sqlx::query_scalar("SELECT user_id FROM entries WHERE id = $1")
            .bind(first)
            .fetch_optional(&self.db)
            .await?
            .ok_or_else(invalid)?;
        let genuine = crate::secrets::same_secret(
            link.sig.as_bytes(),
            self.bundle_mac(&owner, ids, link.expires).as_bytes(),
        );
        if !genuine || link.expires < self.clock.now() {
            return Err(invalid());
        }
        Ok(owner)
    }

    /// Everything under `folder` (outside the trash) with its path inside it ("sub/dir/name",
    /// a folder's ending in a slash so that empty ones show too), in path order.
    pub async fn tree(
        &self,
        owner: &UserId,
        folder: &Entry,
    ) -> Result<Vec<(String, Entry)>, DriveError> {
        let rows = sqlx::query(&format!(
            "WITH RECURSIVE tree(id, path) AS (
                 SELECT id, name FROM entries WHERE parent_id = $1 AND trashed_at IS NULL AND user_id = $2
                 UNION ALL
                 SELECT e.id, tree.path || '/' || e.name
                 FROM entries e JOIN tree ON e.parent_id = tree.id
                 WHERE e.trashed_at IS NULL AND e.user_id = $2
             )
             SELECT tree.path, {} FROM tree JOIN entries e ON e.id = tree.id
             ORDER BY tree.path",
            self.columns()
        ))
        .bind(&folder.id)
        .bind(owner)
        .fetch_all(&self.db)
        .await?;
        rows.iter()
            .map(|row| {
                let entry = entry_from_row(row)?;
                let mut path: String = row.try_get("path")?;
                if entry.is_folder() {
                    path.push('/');
                }
                Ok((path, entry))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DriveError::from)
    }

    /// The items chosen (files, and folders with everything in them), each under its own
    /// name; two chosen items of the same name (from a search across folders) get numbers.
    pub async fn bundle(
        &self,
        user_id: &UserId,
        ids: &[EntryId],
    ) -> Result<Vec<(String, Entry)>, DriveError> {
        if ids.is_empty() || ids.len() > MAX_SELECTED {
            return Err(DriveError::Invalid(format!(
                "Choose between 1 and {MAX_SELECTED} items to download together."
            )));
        }
        let mut taken = HashSet::new();
        let mut planned = Vec::new();
        for id in ids {
            let entry = self.live_entry(user_id, id.as_str()).await?;
            let mut name = names::clean(&entry.name)?;
            let mut n = 1;
            while !taken.insert(name.key.clone()) {
                name = names::numbered(&names::clean(&entry.name)?, n);
                n += 1;
            }
            if entry.is_folder() {
                let top = name.display.clone();
                planned.push((format!("{top}/"), entry.clone()));
                for (path, inner) in self.tree(user_id, &entry).await? {
                    planned.push((format!("{top}/{path}"), inner));
                }
            } else {
                planned.push((name.display, entry));
            }
        }
        Ok(planned)
    }
}
