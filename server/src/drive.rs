//! The drive's byte-carrying and id-in-path routes, beside the server functions:
//! - `PUT /api/files/upload/<upload_id>/<chunk>`: one chunk, streamed into the cluster;
//! - `POST|PUT /api/files/upload?name=..[&folder_id=..]`: a whole file in one streamed request
//!   (`curl -T` sends PUT);
//! - `GET /api/files/download/<id>`: with a signed link's query, or the bearer token;
//! - `GET /api/files/zip?ids=<id>,<id>..`: several items as one zip, with a signed link's query;
//! - `GET /api/files/thumbnail/<id>`: an image's thumbnail, with a signed link's query;
//! - `DELETE|POST /api/files/delete/<id>`, `POST /api/files/replicate/<id>` (administrators).

use app::api::context::AppState;
use app::api::ApiError;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use bytes::Bytes;
use domain::auth::CurrentUser;
use domain::drive::{
    DownloadCount, OnConflict, OpenFile, OpenShare, SignedLink, StreamSlot, UploadStart, Uploader,
    CHUNK_SIZE,
};
use domain::ids::{EntryId, UploadId};
use futures::StreamExt;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio_util::io::StreamReader;
use tracing::Instrument;

use crate::range::{self, Ranged};
use crate::security_headers::inert_mime;

/// How long a request body may go without sending anything.
const BODY_IDLE: Duration = Duration::from_secs(60);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/files/upload", post(upload_whole).put(upload_whole))
        .route(
            "/api/files/upload/{upload_id}/{index}",
            put(upload_chunk).post(upload_chunk),
        )
        .route("/api/files/download/{id}", get(download))
        .route("/api/files/thumbnail/{id}", get(thumbnail))
        .route("/api/files/zip", get(zip_selection))
        .route("/api/files/delete/{id}", post(trash).delete(trash))
        .route("/api/files/replicate/{id}", post(replicate))
}

pub(crate) fn answer<T: serde::Serialize>(outcome: Result<T, ApiError>) -> Response {
    match outcome {
        Ok(value) => Json(value).into_response(),
        Err(e) => e.into_response(),
    }
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// A request body as a reader that fails if the client sends nothing for `BODY_IDLE`, so a
/// stalled upload does not hold its chunk forever.
fn body_reader(body: Body) -> impl tokio::io::AsyncRead + Unpin + Send {
    let stream =
        tokio_stream::StreamExt::timeout(body.into_data_stream(), BODY_IDLE).map(
            |item| match item {
                Ok(Ok(bytes)) => Ok(bytes),
                Ok(Err(e)) => Err(std::io::Error::other(e)),
                Err(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the client sent nothing for a minute",
                )),
            },
        );
    StreamReader::new(Box::pin(stream))
}

/// Runs the upload work in its own task: a client that goes away mid-body then ends it
/// cleanly (the chunk is refused, nothing kept, the reservation released) rather than
/// dropping it half-way.
async fn detached<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T, ApiError>> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::spawn(work.in_current_span())
        .await
        .unwrap_or_else(|e| Err(ApiError::internal(&e)))
}

async fn upload_chunk(
    State(state): State<AppState>,
    Path((upload_id, index)): Path<(UploadId, u64)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    receive_chunk(state, Sender::Owner, upload_id, index, headers, body).await
}

/// What a stranger is told of a file sent through a drop link.
pub(crate) const DROPPED: &str = "Received. Thank you!";

/// Who sends a chunk: the owner (with the bearer token), or a stranger through a drop link.
pub(crate) enum Sender {
    Owner,
    Drop(Box<OpenShare>),
}

/// Stores one chunk of an upload, in its own task (see `detached`).
pub(crate) async fn receive_chunk(
    state: AppState,
    sender: Sender,
    upload_id: UploadId,
    index: u64,
    headers: HeaderMap,
    body: Body,
) -> Response {
    answer(
        detached(async move {
            let mut body = body_reader(body);
            let outcome = async {
                let user;
                let by = match &sender {
                    Sender::Owner => {
                        user = state.user_of(&headers).await?;
                        Uploader::from(&user.user_id)
                    }
                    Sender::Drop(share) => share.uploader(),
                };
                let announced = content_length(&headers);
                let received = state
                    .drive
                    .put_chunk(by, &upload_id, index, announced, &mut body)
                    .await?;
                Ok(received)
            }
            .await;
            if outcome.as_ref().is_err_and(|e: &ApiError| e.status != 408) {
                // Read the rest of a refused chunk (at most one chunk), so the client, still
                // sending, gets the answer instead of a broken connection. Not that of a chunk
                // cut off for trickling: waiting on it is what the cut-off ends.
                let mut rest = (&mut body).take(CHUNK_SIZE + 1024 * 1024);
                let _ = tokio::time::timeout(
                    Duration::from_secs(30),
                    tokio::io::copy(&mut rest, &mut tokio::io::sink()),
                )
                .await;
            }
            outcome
        })
        .await,
    )
}

#[derive(Deserialize)]
pub(crate) struct WholeUpload {
    name: String,
    folder_id: Option<String>,
    mime: Option<String>,
    on_conflict: Option<OnConflict>,
}

async fn upload_whole(
    State(state): State<AppState>,
    Query(query): Query<WholeUpload>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    receive_whole(state, Sender::Owner, query, headers, body).await
}

/// A whole file in one streamed request.
pub(crate) async fn receive_whole(
    state: AppState,
    sender: Sender,
    query: WholeUpload,
    headers: HeaderMap,
    body: Body,
) -> Response {
    answer(
        detached(async move {
            let size = content_length(&headers).ok_or_else(|| {
                ApiError::new(
                    411,
                    "Send the file's size as Content-Length (curl -T or --data-binary do), \
                     or use the chunked upload.",
                )
            })?;
            let request = UploadStart {
                name: query.name,
                size,
                folder_id: query.folder_id,
                mime: query.mime,
                fingerprint: None,
                on_conflict: query.on_conflict.unwrap_or_default(),
            };
            let body = body_reader(body);
            match &sender {
                Sender::Owner => {
                    let user = state.user_of(&headers).await?;
                    let entry = state
                        .drive
                        .upload_whole(&user.user_id, &request, body)
                        .await?;
                    Ok(serde_json::to_value(entry).unwrap_or_default())
                }
                // A stranger learns nothing of the folder, not even the name the file got.
                Sender::Drop(share) => {
                    state.drive.drop_whole(share, &request, body).await?;
                    Ok(serde_json::to_value(model::Ack::new(DROPPED)).unwrap_or_default())
                }
            }
        })
        .await,
    )
}

#[derive(Deserialize)]
struct DownloadQuery {
    expires: Option<i64>,
    sig: Option<String>,
}

async fn download(
    State(state): State<AppState>,
    Path(id): Path<EntryId>,
    Query(query): Query<DownloadQuery>,
    headers: HeaderMap,
) -> Response {
    let owner = match (query.expires, query.sig) {
        (Some(expires), Some(sig)) => state
            .drive
            .check_link(&id, &SignedLink { expires, sig })
            .await
            .map_err(ApiError::from),
        _ => state.user_of(&headers).await.map(|u| u.user_id),
    };
    let owner = match owner {
        Ok(owner) => owner,
        Err(e) => return e.into_response(),
    };
    let file = match state.drive.open(&owner, &id).await {
        Ok(file) => file,
        Err(e) => return ApiError::from(e).into_response(),
    };
    match requested_part(&headers, &file) {
        Ok(part) => file_response(file, part, Tally::default()).await,
        Err(outside) => outside.into_response(),
    }
}

/// The bytes of the file a request's `Range` asks for (`None`: all of them).
pub(crate) fn requested_part(
    headers: &HeaderMap,
    file: &OpenFile,
) -> Result<Option<std::ops::Range<u64>>, OutsideFile> {
    let size = domain::db::to_u64(file.entry.size);
    match range::resolve(headers, size) {
        Ranged::Full => Ok(None),
        Ranged::Partial(part) => Ok(Some(part)),
        Ranged::Unsatisfiable => Err(OutsideFile { size }),
    }
}

/// A range outside the file: 416, naming the file's size.
pub(crate) struct OutsideFile {
    size: u64,
}

impl IntoResponse for OutsideFile {
    fn into_response(self) -> Response {
        let size = self.size;
        range::unsatisfiable(
            size,
            ApiError::new(
                416,
                format!("That byte range is outside the file ({size} bytes)."),
            )
            .into_response(),
        )
    }
}

#[derive(Deserialize)]
struct ZipQuery {
    ids: String,
    expires: i64,
    sig: String,
}

/// Several chosen items as one zip, through the signed link `files/zip/link` gave.
async fn zip_selection(State(state): State<AppState>, Query(query): Query<ZipQuery>) -> Response {
    let ids: Vec<EntryId> = query.ids.split(',').map(EntryId::from).collect();
    let link = SignedLink {
        expires: query.expires,
        sig: query.sig,
    };
    let planned = async {
        let owner = state.drive.check_bundle_link(&ids, &link).await?;
        let entries = state.drive.bundle(&owner, &ids).await?;
        Ok::<_, domain::drive::DriveError>((owner, entries))
    };
    match planned.await {
        Ok((owner, entries)) => {
            let name = match entries.as_slice() {
                [(path, only)] if !only.is_folder() => path.clone(),
                [(path, first), ..] if first.is_folder() && ids.len() == 1 => {
                    path.trim_end_matches('/').to_owned()
                }
                _ => "Download".to_owned(),
            };
            let source = crate::zip_stream::Source::Owner(owner);
            crate::zip_stream::zip_response(
                state.drive.clone(),
                source,
                entries,
                Tally::default(),
                &name,
            )
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// An image's thumbnail through the signed URL its listing gave.
async fn thumbnail(
    State(state): State<AppState>,
    Path(id): Path<EntryId>,
    Query(link): Query<SignedLink>,
) -> Response {
    match state.drive.signed_thumbnail(&id, &link).await {
        Ok(jpeg) => thumbnail_response(jpeg),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// A thumbnail (a JPEG the server made): cached by the browser for the hour its URL lives.
pub(crate) fn thumbnail_response(jpeg: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
            (header::CONTENT_SECURITY_POLICY, "sandbox"),
        ],
        jpeg,
    )
        .into_response()
}

/// Characters kept as they are in an RFC 5987 `filename*` value.
const FILENAME_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~');

/// `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987).
pub(crate) fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, FILENAME_KEEP)
    )
}

/// The file's bytes: all of them (200), or the `part` asked for (206). The first block is
/// read (and checked) before the status goes out, so a file with no intact copy is a clear
/// 503 rather than a body that breaks off. A link's download (`tally`) is counted once the last
/// byte is out, and given back if the body breaks off before.
pub(crate) async fn file_response(
    file: OpenFile,
    part: Option<std::ops::Range<u64>>,
    tally: Tally,
) -> Response {
    let size = domain::db::to_u64(file.entry.size);
    let (mime, name) = (
        inert_mime(&file.entry.mime).to_owned(),
        file.entry.name.clone(),
    );
    let bytes = part.clone().unwrap_or(0..size);
    let length = bytes.end - bytes.start;
    let mut stream = file.read(bytes).peekable();
    if let Some(Err(_)) = std::pin::Pin::new(&mut stream).peek().await {
        if let Some(Err(e)) = stream.next().await {
            return ApiError::from(e).into_response();
        }
    }
    let stream = stream.map(|chunk| chunk.map_err(std::io::Error::other));
    let mut response = Response::new(Body::from_stream(counted(stream, tally, Some(length))));
    let h = response.headers_mut();
    let mut set = |name: header::HeaderName, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, mime);
    set(header::CONTENT_LENGTH, length.to_string());
    set(header::ACCEPT_RANGES, "bytes".into());
    set(header::CONTENT_DISPOSITION, content_disposition(&name));
    // The bytes are the user's, never a page of ours: no sniffing, no scripts.
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff".into());
    set(header::CONTENT_SECURITY_POLICY, "sandbox".into());
    set(header::CACHE_CONTROL, "private, no-store".into());
    if let Some(part) = part {
        if let Some(v) = range::content_range(&part, size) {
            response.headers_mut().insert(header::CONTENT_RANGE, v);
        }
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    }
    response
}

/// What a download through a link holds while its body runs: one of the link's slots for
/// downloads at once, and its count when it took one.
#[derive(Default)]
pub(crate) struct Tally {
    pub count: Option<DownloadCount>,
    pub slot: Option<StreamSlot>,
}

/// A body that marks the tally's count finished once its last byte is out: the `length`th
/// when it is known (hyper stops polling a body once Content-Length bytes are sent), else at
/// its end. An error, or a client going away, drops it before: the count is given back. The
/// slot goes when the body does.
pub(crate) fn counted(
    body: impl futures::Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    tally: Tally,
    length: Option<u64>,
) -> impl futures::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let finish = |tally: &mut Tally| {
        if let Some(count) = tally.count.take() {
            count.finished();
        }
    };
    futures::stream::unfold(
        (Box::pin(body), tally, 0u64),
        move |(mut body, mut tally, mut sent)| async move {
            let Some(item) = body.next().await else {
                finish(&mut tally);
                return None;
            };
            match &item {
                Ok(bytes) => {
                    sent += bytes.len() as u64;
                    if length.is_some_and(|length| sent >= length) {
                        finish(&mut tally);
                    }
                }
                // The body is broken: whatever comes after, this download did not complete.
                Err(_) => drop(tally.count.take()),
            }
            Some((item, (body, tally, sent)))
        },
    )
}

/// The caller, from the bearer header (401 without a valid one).
struct Caller(CurrentUser);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        state.user_of(&parts.headers).await.map(Caller)
    }
}

async fn trash(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<EntryId>,
) -> Response {
    answer(
        state
            .drive
            .trash(&user.user_id, &id)
            .await
            .map_err(ApiError::from),
    )
}

async fn replicate(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<EntryId>,
) -> Response {
    answer(
        async {
            state.require_admin(&user).await?;
            Ok(state.drive.replicate(&id).await?)
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn content_disposition_survives_non_ascii_names() {
        assert_eq!(
            content_disposition("Résumé \"final\".pdf"),
            "attachment; filename=\"R_sum_ _final_.pdf\"; \
             filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf"
        );
    }
}
