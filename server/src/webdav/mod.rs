//! `/dav/`: the caller's drive over WebDAV (RFC 4918), for file managers, rclone and davfs2.
//! dav-server speaks the protocol; `fs` and `locks` put it onto the drive. Clients log in with
//! Basic auth and an app password (they cannot answer a second factor), checked on every
//! request; a revoked one fails on the next.

mod file;
mod fs;
mod locks;

use std::net::SocketAddr;
use std::sync::Arc;

use app::api::context::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use dav_server::davpath::DavPath;
use dav_server::DavHandler;
use domain::auth::AuthError;
use domain::drive::webdav::lock_path;
use domain::ids::UserId;

use crate::rate_limit::client_of;
use crate::security_headers::inert_mime;
use fs::{segments, DriveFs, Removal};
use locks::DbLocks;

pub const PREFIX: &str = "/dav";

/// How much of a file each read hands dav-server for a GET: the cluster's segment size, so a
/// segment crosses dav-server's response channel in one piece.
const READ_BUF: usize = 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dav", any(serve))
        .route("/dav/", any(serve))
        .route("/dav/{*path}", any(serve))
}

async fn serve(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let user_id = match log_in(&state, peer, request.headers()).await {
        Ok(user_id) => user_id,
        Err(refusal) => return refusal,
    };
    if let Some(refusal) = refuse(&request, &state.config.public_url) {
        return refusal;
    }
    let mut request = request;
    cap_ranges(request.headers_mut());
    let drive = state.drive.clone();
    let fs = DriveFs {
        drive: drive.clone(),
        user_id: user_id.clone(),
        removal: Arc::new(removal(&request)),
        seen: Arc::default(),
    };
    let handler = DavHandler::builder()
        .filesystem(Box::new(fs))
        .locksystem(Box::new(DbLocks {
            drive,
            user_id: user_id.clone(),
        }))
        .strip_prefix(PREFIX)
        .principal(user_id.into_string())
        .read_buf_size(READ_BUF)
        .build_handler();
    let mut response = handler
        .handle(request)
        .await
        .map(axum::body::Body::new)
        .into_response();
    // Files are served as they were stored, with a type guessed from the name: a browser
    // opening one (an .html, an .svg) must not run it as this site's page, and scripts and
    // style sheets go out as plain bytes, as downloads do.
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    let served_as = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|mime| HeaderValue::from_str(inert_mime(mime)).ok());
    if let Some(served_as) = served_as {
        headers.insert(header::CONTENT_TYPE, served_as);
    }
    response
}

/// Ranges one GET may ask for. Each one apart is a read of the cluster from there: a request
/// for a thousand one-byte ranges would cost a thousand reads. Beyond this the Range header is
/// ignored and the whole file sent, as RFC 9110 allows.
const MAX_RANGES: usize = 16;

fn cap_ranges(headers: &mut HeaderMap) {
    let ranges = headers
        .get(header::RANGE)
        .and_then(|r| r.to_str().ok())
        .map_or(0, |r| r.split(',').count());
    if ranges > MAX_RANGES {
        headers.remove(header::RANGE);
    }
}

fn plain(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

/// The email and password of a Basic `Authorization` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (email, password) = decoded.split_once(':')?;
    Some((email.to_owned(), password.to_owned()))
}

/// The account of the request's app password, or the answer to give instead.
async fn log_in(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Result<UserId, Response> {
    let challenge = || {
        let mut refusal = plain(
            StatusCode::UNAUTHORIZED,
            "Log in with your email and an app password (made on your account page).",
        );
        refusal.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"CloudDrive\", charset=\"UTF-8\""),
        );
        refusal
    };
    let (email, secret) = basic_credentials(headers).ok_or_else(challenge)?;
    let client = client_of(peer, headers, &state.config.trusted_proxies);
    match state
        .accounts
        .app_password_login(&email, &secret, &client)
        .await
    {
        Ok(user_id) => Ok(user_id),
        Err(AuthError::BadCredentials) => Err(challenge()),
        Err(e @ AuthError::Throttled { retry_after_secs }) => {
            let mut refusal = plain(StatusCode::TOO_MANY_REQUESTS, &e.to_string());
            refusal
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Err(refusal)
        }
        Err(e) => {
            tracing::error!(error = %domain::error::chain(&e), "WebDAV login failed");
            Err(plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "The service is busy. Please try again in a moment.",
            ))
        }
    }
}

fn method_is(request: &Request, name: &str) -> bool {
    request.method().as_str() == name
}

fn destination_uri(request: &Request) -> Option<axum::http::Uri> {
    let value = request.headers().get("destination")?.to_str().ok()?;
    value.parse().ok()
}

/// A URL path under `/dav`, as dav-server reads it; `None` outside.
fn dav_path(uri_path: &str) -> Option<DavPath> {
    let mut path = DavPath::new(uri_path).ok()?;
    path.set_prefix(PREFIX).ok()?;
    Some(path)
}

/// The request's Destination (COPY, MOVE) as a path under `/dav`, if it is one.
fn destination(request: &Request) -> Option<DavPath> {
    dav_path(destination_uri(request)?.path())
}

/// Whether the Destination names another server (RFC 4918 9.9.4: 502): an authority that is
/// neither this site's public one nor the one the request came to.
fn elsewhere(destination: &axum::http::Uri, request: &Request, public_url: &str) -> bool {
    let Some(there) = destination.authority() else {
        return false;
    };
    let public = public_url.parse::<axum::http::Uri>().ok();
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    let here = [
        public
            .as_ref()
            .and_then(|u| u.authority())
            .map(|a| a.as_str()),
        host,
        request.uri().authority().map(|a| a.as_str()),
    ];
    let known = here
        .into_iter()
        .flatten()
        .any(|h| h.eq_ignore_ascii_case(there.as_str()));
    !known
}

/// Whether the Destination is inside the request's path (names compared as the drive does).
fn into_itself(request: &Request) -> bool {
    let key = |path: Option<DavPath>| path.and_then(|p| segments(&p).ok()).map(|s| lock_path(&s));
    match (key(request_path(request)), key(destination(request))) {
        (Some(source), Some(destination)) => destination.starts_with(&format!("{source}/")),
        _ => false,
    }
}

fn request_path(request: &Request) -> Option<DavPath> {
    dav_path(request.uri().path())
}

/// Refusals dav-server would not give: PROPFIND of a whole tree (RFC 4918 lets a server
/// refuse it with 403, and one request walking a drive of a million items would be a denial
/// of service), and names the drive does not take (400 with the drive's reason, where
/// dav-server has no status for it).
fn refuse(request: &Request, public_url: &str) -> Option<Response> {
    let depth = request.headers().get("depth").and_then(|d| d.to_str().ok());
    if method_is(request, "PROPFIND") && depth.is_some_and(|d| d.eq_ignore_ascii_case("infinity")) {
        return Some(
            (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
                 <D:error xmlns:D=\"DAV:\"><D:propfind-finite-depth/></D:error>\n",
            )
                .into_response(),
        );
    }
    let copy_or_move = method_is(request, "COPY") || method_is(request, "MOVE");
    if copy_or_move {
        let Some(uri) = destination_uri(request) else {
            return Some(plain(
                StatusCode::BAD_REQUEST,
                "COPY and MOVE need a Destination header: a URL under /dav/.",
            ));
        };
        if elsewhere(&uri, request, public_url) || destination(request).is_none() {
            return Some(plain(
                StatusCode::BAD_GATEWAY,
                "The destination is not in this WebDAV share: copy or move within /dav/.",
            ));
        }
        if into_itself(request) {
            // Refused before anything in the way is moved to the trash.
            return Some(plain(
                StatusCode::FORBIDDEN,
                "A folder cannot be copied or moved into itself.",
            ));
        }
    }
    let ranged_put =
        *request.method() == Method::PUT && request.headers().contains_key(header::CONTENT_RANGE);
    if ranged_put || *request.method() == Method::PATCH {
        // Writing part of a file would rewrite it in place; files are stored whole.
        return Some(plain(
            StatusCode::NOT_IMPLEMENTED,
            "Partial writes are not supported: send the whole file.",
        ));
    }
    let named = if *request.method() == Method::PUT
        || method_is(request, "MKCOL")
        || method_is(request, "LOCK")
    {
        request_path(request)
    } else if copy_or_move {
        destination(request)
    } else {
        None
    };
    let name = named.and_then(|path| segments(&path).ok()?.pop())?;
    let refused = domain::drive::names::clean(&name).err()?;
    Some(plain(StatusCode::BAD_REQUEST, &refused.to_string()))
}

/// What removals in this request stand for (see `Removal`).
fn removal(request: &Request) -> Removal {
    let source = request_path(request).and_then(|p| segments(&p).ok());
    if *request.method() == Method::DELETE {
        return source.map_or(Removal::Other, Removal::Delete);
    }
    if method_is(request, "COPY") || method_is(request, "MOVE") {
        let destination = destination(request).and_then(|p| segments(&p).ok());
        if let (Some(source), Some(destination)) = (source, destination) {
            return Removal::Overwrite {
                source,
                destination,
            };
        }
    }
    Removal::Other
}
