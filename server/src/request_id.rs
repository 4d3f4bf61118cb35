//! Request ids: every answer names one (`x-request-id`), and every log line of the request
//! carries it. An id sent along is kept only from a trusted proxy (so the proxy's log and ours
//! tell the same story) and only if it looks like an id; anyone else's is replaced.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";

/// Gives the request its id (a trusted proxy's, else a fresh one), runs it inside a span that
/// names the id (so every log line of the request does), and names the id in the answer.
pub async fn tag(
    State(trusted_proxies): State<Arc<[IpNet]>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let from_proxy = trusted_proxies.iter().any(|net| net.contains(&peer.ip()));
    let sent = request
        .headers()
        .get(HEADER)
        .filter(|v| from_proxy && looks_like_an_id(v.as_bytes()))
        .cloned();
    let id = match sent {
        Some(id) => id,
        None => {
            let fresh = uuid::Uuid::new_v4().hyphenated().to_string();
            HeaderValue::from_str(&fresh).unwrap_or(HeaderValue::from_static("-"))
        }
    };
    request.headers_mut().insert(HEADER, id.clone());
    // The path only (download links carry their signature in the query), without the
    // secrets some paths hold.
    let span = tracing::info_span!(
        "request",
        id = id.to_str().unwrap_or(""),
        method = %request.method(),
        path = %loggable(request.uri().path())
    );
    let mut response = next.run(request).instrument(span).await;
    response.headers_mut().insert(HEADER, id);
    response
}

/// Paths whose segment after these prefixes is a bearer secret: share links and calendar feeds.
const SECRET_SEGMENT_AFTER: [&str; 2] = ["/s/", "/calendar/"];

/// The path with any secret segment replaced by `…`, so logs never hold a working link.
fn loggable(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in SECRET_SEGMENT_AFTER {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}…{tail}").into();
        }
    }
    path.into()
}

fn looks_like_an_id(value: &[u8]) -> bool {
    (1..=64).contains(&value.len())
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn link_and_feed_secrets_stay_out_of_the_logged_path() {
        use super::loggable;
        assert_eq!(loggable("/calendar/u-1.0123abcd.ics"), "/calendar/…");
        assert_eq!(loggable("/s/Zx81k/download"), "/s/…/download");
        assert_eq!(loggable("/api/files/list"), "/api/files/list");
    }

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
