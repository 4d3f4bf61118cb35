//! Request ids: every answer names one (`x-request-id`), and every log line of the request
//! carries it. An id sent along is kept only from a trusted proxy (so the proxy's log and ours
//! tell the same story) and only if it looks like an id; anyone else's is replaced.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

pub const HEADER: &str = "x-request-id";

/// Drops an `x-request-id` the server should not take over (a fresh one is made next).
pub async fn drop_untrusted(
    State(trusted_proxies): State<Vec<IpNet>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let from_proxy = trusted_proxies.iter().any(|net| net.contains(&peer.ip()));
    let well_formed = request
        .headers()
        .get(HEADER)
        .is_some_and(|v| looks_like_an_id(v.as_bytes()));
    if !(from_proxy && well_formed) {
        request.headers_mut().remove(HEADER);
    }
    next.run(request).await
}

fn looks_like_an_id(value: &[u8]) -> bool {
    (1..=64).contains(&value.len())
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The span every log line of the request is written in.
pub fn span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // The path only: download links carry their signature in the query.
    tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_short_plain_ids_are_taken_over() {
        assert!(super::looks_like_an_id(
            b"5f0c6a1e-2b7d-4c1a-9a8e-0d3f2b1c4e5a"
        ));
        assert!(super::looks_like_an_id(b"from-the-proxy.42_a"));
        assert!(!super::looks_like_an_id(b""));
        assert!(!super::looks_like_an_id(b"has space"));
        assert!(!super::looks_like_an_id(b"quote\"d"));
        assert!(!super::looks_like_an_id("x".repeat(65).as_bytes()));
    }
}
