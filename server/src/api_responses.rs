//! The JSON API's normalising at the HTTP level: an empty POST body means "no arguments"
//! (`{}`), so `curl -X POST` works as expected. (Errors set their own status: see `ApiError`.)

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

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
    next.run(request).await
}

fn declares_empty_body(request: &Request) -> bool {
    let headers = request.headers();
    match headers.get(header::CONTENT_LENGTH) {
        Some(len) => len.as_bytes() == b"0",
        None => !headers.contains_key(header::TRANSFER_ENCODING),
    }
}
