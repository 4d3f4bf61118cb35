//! Per-client request limit on the auth endpoints (`/api/auth/...`) and link passwords, against
//! password guessing and mail bombing from one place. Counts live in the database (see
//! `domain::rate_limit`).

use std::net::SocketAddr;

use app::api::ApiError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::clock::Clock;
use domain::db::Db;
use domain::rate_limit::{client_ip, client_key, hit, RateError};
use ipnet::IpNet;

#[derive(Clone)]
pub struct AuthRateLimit {
    pub db: Db,
    pub per_minute: u32,
    pub trusted_proxies: Vec<IpNet>,
    pub clock: Clock,
}

/// The auth endpoints, and a share link's password form (`POST /s/<token>`: each try hashes).
fn is_limited(request: &Request) -> bool {
    let path = request.uri().path();
    let link_password = request.method() == Method::POST
        && path
            .strip_prefix("/s/")
            .is_some_and(|token| !token.contains('/'));
    path.starts_with("/api/auth/") || link_password
}

/// The client a request counts against: its address, or its /64 for IPv6 (see
/// `domain::rate_limit`).
pub fn client_of(peer: SocketAddr, headers: &HeaderMap, trusted_proxies: &[IpNet]) -> String {
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    client_key(client_ip(peer.ip(), &forwarded, trusted_proxies))
}

pub async fn limit_auth_requests(
    State(limit): State<AuthRateLimit>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    if !is_limited(&request) {
        return next.run(request).await;
    }
    let client = client_of(peer, request.headers(), &limit.trusted_proxies);
    match hit(&limit.db, &client, limit.per_minute, limit.clock.now()).await {
        Ok(()) => next.run(request).await,
        Err(e @ RateError::Limited { retry_after_secs }) => ApiError::new(429, e.to_string())
            .with_retry_after(retry_after_secs)
            .into_response(),
        Err(RateError::Db(e)) => {
            // A limit that cannot be counted refuses rather than lets everything through.
            tracing::error!(error = %e, "cannot count the request limit");
            ApiError::new(503, "The service is busy. Please try again in a moment.")
                .with_retry_after(5)
                .into_response()
        }
    }
}
