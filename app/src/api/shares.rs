//! Share links API (bearer token): make a link to a file or folder, list mine, revoke one.
//! The links themselves (`/s/<token>`) are server-rendered pages in the server crate.

pub use model::shares::{Share, ShareCreated, ShareKind};

#[cfg(feature = "ssr")]
use super::context::current_user;
use super::{Ack, ApiError};
use crate::api;

api! { ("shares/create")
    /// A link to one of my files or folders: `view` (a page), `download` (the page and its
    /// downloads) or `drop` (uploads into a folder); optionally a password, an expiry
    /// (RFC 3339) and a download limit. The answer's `url` is the one to hand out.
    pub async fn create_share(
        item_id: String,
        kind: ShareKind,
        password: Option<String>,
        expires_at: Option<String>,
        max_downloads: Option<i64>,
    ) -> Result<ShareCreated, ApiError> {
        let (state, user) = current_user().await?;
        let request = model::shares::ShareRequest { item_id, kind, password, expires_at, max_downloads };
        let mut created = state.drive.create_share(&user.user_id, &request).await?;
        created.url = state.absolute_url(&created.url);
        Ok(created)
    }
}

api! { ("shares/list")
    /// My links, newest first, with their downloads and last use.
    pub async fn list_shares() -> Result<Vec<Share>, ApiError> {
        let (state, user) = current_user().await?;
        let mut shares = state.drive.shares(&user.user_id).await?;
        for share in &mut shares {
            share.url = state.absolute_url(&share.url);
        }
        Ok(shares)
    }
}

api! { ("shares/revoke")
    /// Ends a link at once.
    pub async fn revoke_share(id: String) -> Result<Ack, ApiError> {
        let (state, user) = current_user().await?;
        state.drive.revoke_share(&user.user_id, &id).await?;
        Ok(Ack::new("The link no longer works."))
    }
}
