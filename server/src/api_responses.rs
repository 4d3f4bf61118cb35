//! The JSON API's error answers, and its normalising at the HTTP level:
//! - `error_response`: an `ApiError` as the routes outside server functions answer it;
//! - an empty POST body means "no arguments" (`{}`), so `curl -X POST` works as expected;
//! - a server function's error answer gets the HTTP status named in its body (`ApiError`),
//!   plus `Retry-After` when it has one, instead of server_fn's blanket 500.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use app::api::ApiError;

/// The JSON error body every API answer uses, with its status and `Retry-After`.
pub fn error_response(error: ApiError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(&error)).into_response();
    if let Some(secs) = error.retry_after_secs {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Error bodies are a sentence or two; anything larger is left untouched.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn normalise_api(mut request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    if request.method() == Method::POST && declares_empty_body(&request) {
        let headers = request.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(2));
        *request.body_mut() = Body::from("{}");
    }
    let response = next.run(request).await;
    if response.headers().contains_key("serverfnerror") {
        return with_error_status(response).await;
    }
    response
}

fn declares_empty_body(request: &Request) -> bool {
    let headers = request.headers();
    match headers.get(header::CONTENT_LENGTH) {
        Some(len) => len.as_bytes() == b"0",
        None => !headers.contains_key(header::TRANSFER_ENCODING),
    }
}

async fn with_error_status(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<ApiError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(error.status) {
            if status.is_client_error() || status.is_server_error() {
                parts.status = status;
            }
        }
        if let Some(secs) = error.retry_after_secs {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
