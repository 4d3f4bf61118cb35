//! Drive API (bearer token): list and search, folders, rename and move, trash, upload steps,
//! file details and signed download links. The byte-carrying routes (chunks, single-request
//! upload, download) and the id-in-path routes are plain axum handlers in the server crate.

pub use model::drive::{
    has_thumbnail, ChunkReceived, Crumb, DownloadLink, Entry, EntryKind, FileDetail, Listing,
    NodeCopy, OnConflict, PendingUpload, SortBy, UploadTicket, Usage, Version, CHUNK_SIZE,
};

#[cfg(feature = "ssr")]
use super::context::{current_admin, current_user};
use super::{Ack, ApiError};
use crate::api;
#[cfg(feature = "ssr")]
use domain::ids::EntryId;

api! { ("files/list")
    /// A page of a folder's contents (the top of the drive without `folder_id`), or with
    /// `search`, of matching names anywhere in the drive; with breadcrumbs and usage against
    /// quota. `next_cursor`, when present, asks for the next page (as `cursor`).
    pub async fn list_files(
        folder_id: Option<String>,
        search: Option<String>,
        sort: Option<SortBy>,
        descending: Option<bool>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<Listing, ApiError> {
        let (state, user) = current_user().await?;
        let query = model::drive::ListQuery {
            folder_id,
            search,
            sort: sort.unwrap_or_default(),
            descending: descending.unwrap_or(false),
            cursor,
            limit,
        };
        Ok(state.drive.list(&user.user_id, &query).await?)
    }
}

api! { (GET "files/list")
    pub async fn list_files_get(
        folder_id: Option<String>,
        search: Option<String>,
        sort: Option<SortBy>,
        descending: Option<bool>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<Listing, ApiError> {
        list_files(folder_id, search, sort, descending, cursor, limit).await
    }
}

api! { ("files/upload/start")
    /// Reserves `size` bytes of the quota and plans the chunks; the same name, size, folder
    /// and fingerprint as an unfinished upload resumes it (see `next_chunk`). A name already
    /// in the folder is refused (409) unless `on_conflict` says `replace` (the old content
    /// becomes a version) or `keep_both` (a numbered name).
    pub async fn start_upload(
        name: String,
        size: u64,
        folder_id: Option<String>,
        mime: Option<String>,
        fingerprint: Option<String>,
        on_conflict: Option<OnConflict>,
    ) -> Result<UploadTicket, ApiError> {
        let (state, user) = current_user().await?;
        let on_conflict = on_conflict.unwrap_or_default();
        let request = model::drive::UploadStart { name, size, folder_id, mime, fingerprint, on_conflict };
        Ok(state.drive.start_upload(&user.user_id, &request).await?)
    }
}

api! { ("files/uploads")
    /// Unfinished uploads (resume one by starting the same file again).
    pub async fn pending_uploads() -> Result<Vec<PendingUpload>, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.pending_uploads(&user.user_id).await?)
    }
}

api! { ("files/upload/finish")
    /// Turns an upload whose chunks have all arrived into a file.
    pub async fn finish_upload(upload_id: String) -> Result<Entry, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.finish_upload(&user.user_id, &upload_id.into()).await?)
    }
}

api! { ("files/upload/cancel")
    /// Stops an upload: its chunks are deleted and its reservation released.
    pub async fn cancel_upload(upload_id: String) -> Result<Ack, ApiError> {
        let (state, user) = current_user().await?;
        state.drive.cancel_upload(&user.user_id, &upload_id.into()).await?;
        Ok(Ack::new("Upload cancelled."))
    }
}

api! { ("files/folders")
    /// Every folder outside the trash, as "Parent / Child" paths (for moving things).
    pub async fn all_folders() -> Result<Vec<Crumb>, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.folders(&user.user_id).await?)
    }
}

api! { ("files/folder")
    pub async fn create_folder(name: String, parent_id: Option<String>) -> Result<Entry, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.create_folder(&user.user_id, parent_id.map(EntryId::from).as_ref(), &name).await?)
    }
}

api! { ("files/rename")
    pub async fn rename_entry(id: String, name: String) -> Result<Entry, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.rename(&user.user_id, &id.into(), &name).await?)
    }
}

api! { ("files/move")
    /// Moves a file or folder into `folder_id` (the top of the drive without it).
    pub async fn move_entry(id: String, folder_id: Option<String>) -> Result<Entry, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.move_to(&user.user_id, &id.into(), folder_id.map(EntryId::from).as_ref()).await?)
    }
}

api! { ("files/delete")
    /// Moves a file or folder to the trash (as `DELETE /api/files/delete/<id>`).
    pub async fn delete_entry(id: String) -> Result<Entry, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.trash(&user.user_id, &id.into()).await?)
    }
}

api! { ("files/trash")
    /// What is in the trash, most recent first.
    pub async fn trash_list() -> Result<Vec<Entry>, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.trash_list(&user.user_id).await?)
    }
}

api! { ("files/trash/restore")
    pub async fn restore_entry(id: String) -> Result<Entry, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.restore(&user.user_id, &id.into()).await?)
    }
}

api! { ("files/trash/delete")
    /// Deletes one item of the trash for good.
    pub async fn delete_forever(id: String) -> Result<Ack, ApiError> {
        let (state, user) = current_user().await?;
        let freed = state.drive.delete_from_trash(&user.user_id, &id.into()).await?;
        Ok(Ack::new(format!("Deleted for good; {} freed.", model::drive::human_bytes(freed))))
    }
}

api! { ("files/trash/empty")
    pub async fn empty_trash() -> Result<Ack, ApiError> {
        let (state, user) = current_user().await?;
        let freed = state.drive.empty_trash(&user.user_id).await?;
        Ok(Ack::new(format!("Trash emptied; {} freed.", model::drive::human_bytes(freed))))
    }
}

api! { ("files/detail")
    /// Size, type, checksum, upload time, and which nodes hold the file.
    pub async fn file_info(id: String) -> Result<FileDetail, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.detail(&user.user_id, &id.into()).await?)
    }
}

api! { ("files/link")
    /// A download URL for this user and file (or version of one), valid for about a minute;
    /// with `preview`, for the preview pane's players (a few hours, as they seek).
    pub async fn download_url(id: String, preview: Option<bool>) -> Result<DownloadLink, ApiError> {
        let (state, user) = current_user().await?;
        let file = id.as_str().into();
        let signed = match preview {
            Some(true) => state.drive.preview_link(&user.user_id, &file).await?,
            _ => state.drive.download_link(&user.user_id, &file).await?,
        };
        Ok(DownloadLink {
            url: format!(
                "/api/files/download/{id}?expires={}&sig={}",
                signed.expires, signed.sig
            ),
            expires_at: signed.expires,
        })
    }
}

api! { ("files/replicate")
    /// Administrators: copy the file's blocks to every node lacking a good copy, now.
    pub async fn replicate_file(id: String) -> Result<FileDetail, ApiError> {
        let (state, _) = current_admin().await?;
        Ok(state.drive.replicate(&id.into()).await?)
    }
}

api! { ("files/versions")
    /// A file's earlier contents, newest first (download one through `files/link` with its id).
    pub async fn list_versions(id: String) -> Result<Vec<Version>, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.versions(&user.user_id, &id.into()).await?)
    }
}

api! { ("files/versions/restore")
    /// Makes a version the file's content again; the current content becomes a version.
    pub async fn restore_version(id: String) -> Result<Entry, ApiError> {
        let (state, user) = current_user().await?;
        Ok(state.drive.restore_version(&user.user_id, &id).await?)
    }
}

api! { ("files/versions/delete")
    /// Deletes a version for good.
    pub async fn delete_version(id: String) -> Result<Ack, ApiError> {
        let (state, user) = current_user().await?;
        let freed = state.drive.delete_version(&user.user_id, &id).await?;
        Ok(Ack::new(format!("Version deleted; {} freed.", model::drive::human_bytes(freed))))
    }
}

api! { ("files/zip/link")
    /// A URL that downloads the chosen files and folders as one zip (streamed, stored
    /// entries, ZIP64), valid for about a minute.
    pub async fn zip_url(ids: Vec<String>) -> Result<DownloadLink, ApiError> {
        let (state, user) = current_user().await?;
        let ids: Vec<EntryId> = ids.into_iter().map(EntryId::from).collect();
        let signed = state.drive.bundle_link(&user.user_id, &ids).await?;
        let list: Vec<&str> = ids.iter().map(EntryId::as_str).collect();
        Ok(DownloadLink {
            url: format!(
                "/api/files/zip?ids={}&expires={}&sig={}",
                list.join(","),
                signed.expires,
                signed.sig
            ),
            expires_at: signed.expires,
        })
    }
}
