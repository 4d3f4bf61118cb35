//! HTTP `Range` requests (RFC 9110 §14), resolved once at the edge with `http-range-header`;
//! the domain only ever sees a byte range. One range is served (206); several, or a value
//! that does not parse, get the whole body (200), as the RFC allows; a range outside the
//! body is 416.

use std::ops::Range;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_range_header::{parse_range_header, RangeUnsatisfiableError, StartPosition};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ranged {
    Full,
    Partial(Range<u64>),
    Unsatisfiable,
}

/// What the request's `Range` header asks of a body of `size` bytes.
pub fn resolve(headers: &HeaderMap, size: u64) -> Ranged {
    match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(value) => resolve_value(value.trim(), size),
        None => Ranged::Full,
    }
}

fn resolve_value(value: &str, size: u64) -> Ranged {
    let parsed = match parse_range_header(value) {
        Ok(parsed) => parsed,
        // "The last 0 bytes" names no byte at all.
        Err(RangeUnsatisfiableError::ZeroSuffix) => return Ranged::Unsatisfiable,
        Err(_) => return Ranged::Full,
    };
    let [only] = parsed.ranges.as_slice() else {
        return Ranged::Full;
    };
    if size == 0 {
        return Ranged::Unsatisfiable;
    }
    // A suffix longer than the body is the whole body (RFC 9110 §14.1.2).
    if matches!(only.start, StartPosition::FromLast(n) if n > size) {
        return Ranged::Partial(0..size);
    }
    match parsed.validate(size).as_deref() {
        Ok([range]) => Ranged::Partial(*range.start()..*range.end() + 1),
        _ => Ranged::Unsatisfiable,
    }
}

/// `Content-Range` of a 206.
pub fn content_range(range: &Range<u64>, size: u64) -> Option<HeaderValue> {
    let last = range.end.saturating_sub(1);
    HeaderValue::from_str(&format!("bytes {}-{last}/{size}", range.start)).ok()
}

/// The 416 answer, which says how large the body is.
pub fn unsatisfiable(size: u64, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
    if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
        response.headers_mut().insert(header::CONTENT_RANGE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_a_ten_byte_body() {
        let r = |v| resolve_value(v, 10);
        assert_eq!(r("bytes=0-"), Ranged::Partial(0..10));
        assert_eq!(r("bytes=2-4"), Ranged::Partial(2..5));
        assert_eq!(r("bytes=8-100"), Ranged::Partial(8..10));
        assert_eq!(r("bytes=-3"), Ranged::Partial(7..10));
        assert_eq!(r("bytes=-30"), Ranged::Partial(0..10));
        assert_eq!(r("bytes=10-"), Ranged::Unsatisfiable);
        assert_eq!(r("bytes=5-2"), Ranged::Unsatisfiable);
        assert_eq!(r("bytes=-0"), Ranged::Unsatisfiable);
        assert_eq!(r("bytes=0-1,4-5"), Ranged::Full);
        assert_eq!(r("items=0-1"), Ranged::Full);
        assert_eq!(r("bytes=x-y"), Ranged::Full);
        assert_eq!(resolve_value("bytes=0-", 0), Ranged::Unsatisfiable);
        assert_eq!(
            content_range(&(2..5), 10).unwrap(),
            HeaderValue::from_static("bytes 2-4/10")
        );
    }
}
