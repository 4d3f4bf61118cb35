//! What a share link opens, for anyone holding it (no account, no bearer):
//! - `GET /s/<token>[?folder=<id>]`: the file's page, or the folder's contents;
//! - `POST /s/<token>` (form `password`): unlocks a link with a password (a cookie for it);
//! - `GET /s/<token>/download[?file=<id>]`: the shared file, or a file in the shared folder;
//! - `GET /s/<token>/zip[?folder=<id>]`: the folder as one zip, streamed as it is built;
//! - `GET /s/<token>/thumbnail[?file=<id>]`: an image's thumbnail, for the link's pages;
//! - `/s/<token>/upload/...`: uploads through a drop link (see `drop`).
//!
//! Every dead link (unknown, revoked, expired, used up, or its item trashed) gets the same 404.

mod drop;
mod page;
mod zip;

use std::collections::HashMap;
use std::net::SocketAddr;

use app::api::context::AppState;
use app::api::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use domain::drive::{DriveError, OpenShare};
use model::shares::ShareKind;
use serde::Deserialize;

use crate::drive::{file_response, requested_part, Tally};
use crate::rate_limit::client_of;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{token}", get(show).post(unlock))
        .route("/s/{token}/download", get(download))
        .route("/s/{token}/zip", get(zip::download))
        .route("/s/{token}/thumbnail", get(thumbnail))
        .merge(drop::routes())
        .layer(axum::middleware::map_response(keep_out_of_search))
}

/// Link pages are private: search engines are told to leave them (the site sends no referrer
/// anywhere already).
async fn keep_out_of_search(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow, noarchive"),
    );
    response
}

/// A request through a link: the link (if it works), who asks, and whether they gave its
/// password.
struct Visit {
    share: OpenShare,
    token: String,
    client: String,
    unlocked: bool,
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Html(page::not_found())).into_response()
}

/// The answer for an error on a link: "not found" reads the same as a dead link.
fn refused(e: DriveError) -> Response {
    match e {
        DriveError::NotFound(_) => not_found(),
        other => ApiError::from(other).into_response(),
    }
}

fn cookie_name(share: &OpenShare) -> String {
    format!("share_{}", share.id)
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

impl Visit {
    async fn open(
        state: &AppState,
        token: String,
        peer: SocketAddr,
        headers: &HeaderMap,
    ) -> Result<Visit, Response> {
        let client = client_of(peer, headers, &state.config.trusted_proxies);
        let share = state
            .drive
            .open_share(&token, &client)
            .await
            .map_err(refused)?;
        let unlocked = state
            .drive
            .is_unlocked(&share, cookie(headers, &cookie_name(&share)));
        Ok(Visit {
            share,
            token,
            client,
            unlocked,
        })
    }

    /// The password form, for a locked link.
    fn ask_password(&self, status: StatusCode, error: Option<String>) -> Response {
        let form = page::password_form(&self.share, &self.token, error);
        (status, Html(form)).into_response()
    }
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found())?;
        let token = params.remove("token").ok_or_else(not_found)?;
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Visit::open(state, token, peer, &parts.headers).await
    }
}

/// A visit to a download link whose password, if it has one, was given: what its files and
/// zips need. Any other kind of link has no files to give: not found, password or not.
struct Downloading(Visit);

impl FromRequestParts<AppState> for Downloading {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visit = Visit::from_request_parts(parts, state).await?;
        if !visit.share.allows_download() {
            return Err(not_found());
        }
        if !visit.unlocked {
            return Err(visit.ask_password(StatusCode::FORBIDDEN, None));
        }
        Ok(Downloading(visit))
    }
}

#[derive(Deserialize)]
struct FolderQuery {
    folder: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    visit: Visit,
    Query(query): Query<FolderQuery>,
) -> Response {
    if !visit.unlocked {
        return visit.ask_password(StatusCode::OK, None);
    }
    if let Err(e) = state.drive.touch_share(&visit.share).await {
        return refused(e);
    }
    let (share, token) = (&visit.share, &visit.token);
    if share.kind == ShareKind::Drop {
        // The upload page is the app's (it sends chunks from the browser).
        return (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/drop/{token}"))],
        )
            .into_response();
    }
    if !share.root.is_folder() {
        return Html(page::file(share, token)).into_response();
    }
    match state
        .drive
        .shared_folder(share, query.folder.as_deref())
        .await
    {
        Ok(listing) => Html(page::folder(share, token, listing)).into_response(),
        Err(e) => refused(e),
    }
}

#[derive(Deserialize)]
struct Password {
    password: String,
}

async fn unlock(
    State(state): State<AppState>,
    visit: Visit,
    Form(form): Form<Password>,
) -> Response {
    let proof = match state
        .drive
        .unlock_share(&visit.share, &form.password, &visit.client)
        .await
    {
        Ok(proof) => proof,
        Err(e @ DriveError::Forbidden(_)) => {
            return visit.ask_password(StatusCode::FORBIDDEN, Some(e.to_string()))
        }
        Err(e @ DriveError::Throttled { retry_after_secs }) => {
            let mut answer = visit.ask_password(StatusCode::TOO_MANY_REQUESTS, Some(e.to_string()));
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                answer.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return answer;
        }
        Err(e) => return refused(e),
    };
    // For this link only, until the browser closes; not readable by scripts.
    let secure = if state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let path = format!("/s/{}", visit.token);
    let cookie = format!(
        "{}={proof}; Path={path}; HttpOnly; SameSite=Lax{secure}",
        cookie_name(&visit.share)
    );
    let mut answer = (StatusCode::SEE_OTHER, [(header::LOCATION, path)]).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        answer.headers_mut().insert(header::SET_COOKIE, v);
    }
    answer
}

#[derive(Deserialize)]
struct FileQuery {
    file: Option<String>,
}

async fn download(
    State(state): State<AppState>,
    Downloading(visit): Downloading,
    Query(query): Query<FileQuery>,
    headers: HeaderMap,
) -> Response {
    let file = match state
        .drive
        .open_shared(&visit.share, query.file.as_deref())
        .await
    {
        Ok(file) => file,
        Err(e) => return refused(e),
    };
    let part = match requested_part(&headers, &file) {
        Ok(part) => part,
        Err(outside) => return outside.into_response(),
    };
    let from_start = part.as_ref().is_none_or(|p| p.start == 0);
    let tally = async {
        let slot = state.drive.start_link_stream(&visit.share).await?;
        let count = state
            .drive
            .count_download(&visit.share, &file.entry.id, &visit.client, from_start)
            .await?;
        Ok(Tally {
            count,
            slot: Some(slot),
        })
    };
    match tally.await {
        Ok(tally) => file_response(file, part, tally).await,
        Err(e) => refused(e),
    }
}

/// An image's thumbnail, for a view or download link's page (not a drop's: it shows nothing).
async fn thumbnail(
    State(state): State<AppState>,
    visit: Visit,
    Query(query): Query<FileQuery>,
) -> Response {
    if visit.share.kind == ShareKind::Drop {
        return not_found();
    }
    if !visit.unlocked {
        return visit.ask_password(StatusCode::FORBIDDEN, None);
    }
    let share = &visit.share;
    let made = async {
        let (entry, _) = state
            .drive
            .shared_entry(share, query.file.as_deref())
            .await?;
        state
            .drive
            .thumbnail(&share.owner, &entry.id.as_str().into())
            .await
    };
    match made.await {
        Ok(jpeg) => crate::drive::thumbnail_response(jpeg),
        Err(e) => refused(e),
    }
}
