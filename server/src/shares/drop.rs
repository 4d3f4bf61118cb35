//! File drops: strangers upload into the owner's folder through a drop link, with the drive's
//! own chunked, resumable protocol (no bearer; a password link's cookie instead), and learn
//! nothing of the folder: not its contents, not the name their file got, not the owner's quota.
//! - `POST /s/<token>/upload/start {name, size, mime?, fingerprint?}`: a ticket;
//! - `PUT /s/<token>/upload/<upload_id>/<chunk>`: one chunk;
//! - `POST /s/<token>/upload/finish {upload_id}`, `POST /s/<token>/upload/cancel {upload_id}`;
//! - `PUT|POST /s/<token>/upload?name=..`: a whole file in one request (`curl -T`).

use app::api::context::AppState;
use app::api::ApiError;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use domain::drive::UploadStart;
use domain::ids::UploadId;
use model::shares::ShareKind;
use model::Ack;
use serde::Deserialize;

use super::Visit;
use crate::drive::{answer, receive_chunk, receive_whole, Sender, WholeUpload, DROPPED};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{token}/upload", post(whole).put(whole))
        .route("/s/{token}/upload/start", post(start))
        .route("/s/{token}/upload/finish", post(finish))
        .route("/s/{token}/upload/cancel", post(cancel))
        .route(
            "/s/{token}/upload/{upload_id}/{index}",
            put(chunk).post(chunk),
        )
}

/// A visit to a drop link whose password, if any, was given. Any other link takes no files.
struct Dropping(Visit);

impl FromRequestParts<AppState> for Dropping {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visit = Visit::from_request_parts(parts, state).await?;
        if visit.share.kind != ShareKind::Drop {
            return Err(super::not_found());
        }
        if !visit.unlocked {
            return Err(ApiError::new(
                403,
                "This file drop has a password: open its link and enter it first.",
            )
            .into_response());
        }
        Ok(Dropping(visit))
    }
}

async fn start(
    State(state): State<AppState>,
    Dropping(visit): Dropping,
    Json(request): Json<UploadStart>,
) -> Response {
    answer(
        state
            .drive
            .start_drop_upload(&visit.share, &request)
            .await
            .map_err(ApiError::from),
    )
}

#[derive(Deserialize)]
struct ChunkPath {
    upload_id: UploadId,
    index: u64,
}

async fn chunk(
    State(state): State<AppState>,
    Dropping(visit): Dropping,
    Path(path): Path<ChunkPath>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let sender = Sender::Drop(Box::new(visit.share));
    receive_chunk(state, sender, path.upload_id, path.index, headers, body).await
}

#[derive(Deserialize)]
struct UploadRef {
    upload_id: UploadId,
}

async fn finish(
    State(state): State<AppState>,
    Dropping(visit): Dropping,
    Json(upload): Json<UploadRef>,
) -> Response {
    let share = &visit.share;
    let finished = async {
        state
            .drive
            .finish_upload(share.uploader(), &upload.upload_id)
            .await?;
        state.drive.touch_share(share).await?;
        Ok(Ack::new(DROPPED))
    };
    answer(
        finished
            .await
            .map_err(|e: domain::drive::DriveError| e.into()),
    )
}

async fn cancel(
    State(state): State<AppState>,
    Dropping(visit): Dropping,
    Json(upload): Json<UploadRef>,
) -> Response {
    answer(
        state
            .drive
            .cancel_upload(visit.share.uploader(), &upload.upload_id)
            .await
            .map(|()| Ack::new("Upload cancelled."))
            .map_err(ApiError::from),
    )
}

async fn whole(
    State(state): State<AppState>,
    Dropping(visit): Dropping,
    Query(query): Query<WholeUpload>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    receive_whole(
        state,
        Sender::Drop(Box::new(visit.share)),
        query,
        headers,
        body,
    )
    .await
}
