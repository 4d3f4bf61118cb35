//! Per-IP request limit on the auth endpoints (`/api/auth/...`), against password guessing
//! and mail bombing from one address.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::rate_limit::RateLimiter;

pub type AuthRateLimit = RateLimiter<IpAddr>;

pub async fn limit_auth_requests(
    State(limiter): State<Arc<AuthRateLimit>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    if !request.uri().path().starts_with("/api/auth/") {
        return next.run(request).await;
    }
    match limiter.check(&peer.ip()) {
        Ok(()) => next.run(request).await,
        Err(retry_after_secs) => too_many(retry_after_secs),
    }
}

fn too_many(retry_after_secs: u64) -> Response {
    let body = app::api::ApiError {
        status: 429,
        message: format!("Too many requests from your address. Try again in {retry_after_secs} s."),
        retry_after_secs: Some(retry_after_secs),
    };
    let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}
