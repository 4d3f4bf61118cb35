//! What an S3 engine's answers mean to the cluster.

use object_store::client::{HttpError, HttpErrorKind};

use super::BlobError;

/// What an object_store error means to the cluster. Reasons a person must act on (no bucket,
/// refused credentials) come out as `Status` with a plain sentence, for /nodes.
pub(super) fn blob_error(bucket: &str, e: object_store::Error) -> BlobError {
    if let Some(kind) = transport_failure(&e) {
        return match kind {
            HttpErrorKind::Timeout => BlobError::TimedOut,
            _ => BlobError::Unreachable(e.to_string()),
        };
    }
    let text = e.to_string();
    match s3_code(&text) {
        Some("NoSuchBucket") => {
            return BlobError::Status(404, format!("bucket {bucket:?} does not exist"))
        }
        Some(code @ ("InvalidAccessKeyId" | "SignatureDoesNotMatch")) => {
            return BlobError::Status(
                403,
                format!("credentials refused ({code}): check this store's access key and secret"),
            )
        }
        Some(code @ ("AccessDenied" | "AllAccessDisabled")) => {
            return BlobError::Status(
                403,
                format!(
                    "access to bucket {bucket:?} denied ({code}): missing credentials, or a key \
                     without permission on it"
                ),
            )
        }
        _ => {}
    }
    match e {
        object_store::Error::NotFound { .. } => BlobError::NotFound,
        // HEAD answers carry no body, so no S3 error code.
        object_store::Error::PermissionDenied { .. } => BlobError::Status(
            403,
            format!("access to bucket {bucket:?} denied: credentials refused or not allowed"),
        ),
        object_store::Error::Unauthenticated { .. } => BlobError::Status(
            401,
            format!("bucket {bucket:?} asks for credentials: none were accepted"),
        ),
        _ => match http_status(&text) {
            Some(status) => BlobError::Status(status, text),
            None => BlobError::Unreachable(text),
        },
    }
}

/// The kind of the transport failure (connect, timeout, broken connection) behind an error, if
/// that is what it is. object_store's request errors are not public types; its `HttpError`,
/// found down the `source()` chain, is.
fn transport_failure(e: &(dyn std::error::Error + 'static)) -> Option<HttpErrorKind> {
    let mut next = Some(e);
    while let Some(error) = next {
        if let Some(http) = error.downcast_ref::<HttpError>() {
            return Some(http.kind());
        }
        next = error.source();
    }
    None
}

/// The S3 error code in an error's text (the XML body object_store quotes): `NoSuchBucket`...
fn s3_code(text: &str) -> Option<&str> {
    const OPEN: &str = "<Code>";
    let start = text.find(OPEN)? + OPEN.len();
    let rest = text.get(start..)?;
    rest.get(..rest.find("</Code>")?)
}

/// The status in object_store's "Server returned non-2xx status code: 503 Service Unavailable".
fn http_status(text: &str) -> Option<u16> {
    const MARK: &str = "status code: ";
    let at = text.find(MARK)? + MARK.len();
    text.get(at..at + 3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_answers_become_reasons() {
        let body = "Server returned non-2xx status code: 404 Not Found: <?xml version=\"1.0\"?>\
                    <Error><Code>NoSuchBucket</Code><Message>x</Message></Error>";
        assert_eq!(s3_code(body), Some("NoSuchBucket"));
        assert_eq!(http_status(body), Some(404));
        assert_eq!(s3_code("no xml here"), None);
        let generic = |text: &str| object_store::Error::Generic {
            store: "S3",
            source: text.to_owned().into(),
        };
        assert!(matches!(
            blob_error("b", generic(body)),
            BlobError::Status(404, m) if m.contains("does not exist")
        ));
        assert!(matches!(
            blob_error("b", generic("status code: 403 Forbidden: <Code>InvalidAccessKeyId</Code>")),
            BlobError::Status(403, m) if m.contains("credentials refused")
        ));
        assert!(matches!(
            blob_error("b", generic("status code: 503 Service Unavailable")),
            BlobError::Status(503, _)
        ));
        let missing = object_store::Error::NotFound {
            path: "p".into(),
            source: "404".into(),
        };
        assert!(matches!(blob_error("b", missing), BlobError::NotFound));
        let timeout = object_store::Error::Generic {
            store: "S3",
            source: Box::new(HttpError::new(
                HttpErrorKind::Timeout,
                std::io::Error::from(std::io::ErrorKind::TimedOut),
            )),
        };
        assert!(matches!(blob_error("b", timeout), BlobError::TimedOut));
    }
}
