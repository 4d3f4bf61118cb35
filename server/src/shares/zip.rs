//! `GET /s/<token>/zip[?folder=<id>]`: a shared folder (or one inside it) as one zip,
//! streamed (see `crate::zip_stream`); it counts as one download of the link.

use app::api::context::AppState;
use axum::extract::{Query, State};
use axum::response::Response;

use super::{refused, Downloading, FolderQuery};
use crate::drive::Tally;
use crate::zip_stream::{zip_response, Source};

pub(super) async fn download(
    State(state): State<AppState>,
    Downloading(visit): Downloading,
    Query(query): Query<FolderQuery>,
) -> Response {
    let share = &visit.share;
    let planned = async {
        let (folder, _) = state
            .drive
            .shared_entry(share, query.folder.as_deref())
            .await?;
        if !folder.is_folder() {
            return Err(domain::drive::DriveError::NotFound("folder"));
        }
        let tree = state.drive.shared_tree(share, &folder).await?;
        let slot = state.drive.start_link_stream(share).await?;
        let item = format!("zip:{}", folder.id);
        let count = state
            .drive
            .count_download(share, &item, &visit.client, true)
            .await?;
        Ok((
            folder,
            tree,
            Tally {
                count,
                slot: Some(slot),
            },
        ))
    };
    let (folder, tree, tally) = match planned.await {
        Ok(planned) => planned,
        Err(e) => return refused(e),
    };
    let entries = tree
        .into_iter()
        .map(|(path, entry)| (format!("{}/{path}", folder.name), entry))
        .collect();
    let source = Source::Link(Box::new(visit.share));
    zip_response(state.drive.clone(), source, entries, tally, &folder.name)
}
