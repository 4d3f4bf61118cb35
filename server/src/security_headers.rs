//! Security headers on every response. HTML pages get a Content-Security-Policy whose only
//! inline scripts are Leptos's own, carrying a nonce made fresh for each response (so pages are
//! never cached); the WASM needs 'wasm-unsafe-eval'. No framing, no referrer, no sniffing.
//! The site's scripts, WASM and style sheets get no policy: a browser never renders them as a
//! page, so it would have no effect there (`runs_or_applies`).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};

/// What the headers depend on: whether the site is served over https (`PUBLIC_URL`).
#[derive(Clone, Copy)]
pub struct SiteSecurity {
    pub https: bool,
}

/// Style attributes stay allowed (progress bars set widths); style elements and every script
/// need the nonce or to come from the site itself.
fn content_security_policy(nonce: &Nonce) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    )
}

/// Whether a browser runs or applies content of type `mime` (scripts, WASM, style sheets)
/// rather than rendering it as a page. A policy sent with such a response has no effect (this
/// app starts no workers, whose script's policy would count); user files of these types are
/// served as plain bytes instead (`inert_mime`).
pub fn runs_or_applies(mime: &str) -> bool {
    let essence = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.contains("javascript")
        || essence.contains("ecmascript")
        || essence == "text/css"
        || essence == "application/wasm"
}

/// The type user bytes are served as (downloads, share links, WebDAV). Scripts, WASM and style
/// sheets go out as plain bytes: with `nosniff`, a browser then refuses to run them even if a
/// page of ours were tricked into loading one (the site's CSP allows scripts from this origin).
pub fn inert_mime(mime: &str) -> &str {
    if runs_or_applies(mime) {
        "application/octet-stream"
    } else {
        mime
    }
}

pub async fn add_security_headers(
    State(site): State<SiteSecurity>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let html = content_type.starts_with("text/html");
    // Not on the site's scripts, WASM and style sheets: the split WASM is dozens of files a
    // page, and the policy with its nonce added about 310 bytes to each response, new each
    // time, so HTTP/2's header compression could not save them either. A route that set its
    // own policy keeps it (user files: `sandbox`).
    if !runs_or_applies(content_type) && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(
            headers,
            header::CONTENT_SECURITY_POLICY,
            &content_security_policy(&nonce),
        );
    }
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if site.https {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    if html {
        // The nonce is new on every response: a cached page would carry a stale one.
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}

fn set(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// Gives the page being rendered this response's nonce (Leptos puts it on its scripts).
/// Runs as the render's extra context, after leptos_axum has provided a nonce of its own.
pub fn provide_response_nonce() {
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::{middleware, Router};
    use tower::ServiceExt;

    /// The headers this middleware gives a response of `content_type` (and of `own_policy`, if
    /// the route set one).
    async fn headers_for(
        content_type: &'static str,
        own_policy: Option<&'static str>,
    ) -> HeaderMap {
        let app = Router::new()
            .route(
                "/",
                get(move || async move {
                    let mut response = Response::new(Body::from("x"));
                    let headers = response.headers_mut();
                    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
                    if let Some(policy) = own_policy {
                        headers.insert(
                            header::CONTENT_SECURITY_POLICY,
                            HeaderValue::from_static(policy),
                        );
                    }
                    response
                }),
            )
            .layer(middleware::from_fn_with_state(
                SiteSecurity { https: false },
                add_security_headers,
            ));
        let request = Request::get("/").body(Body::empty()).unwrap();
        app.oneshot(request).await.unwrap().headers().clone()
    }

    #[tokio::test]
    async fn what_can_render_as_a_page_gets_the_policy_and_the_split_wasm_files_do_not() {
        // Pages, and what a browser shows as a page when opened directly (an SVG runs scripts).
        for content_type in [
            "text/html; charset=utf-8",
            "image/svg+xml",
            "application/json",
            "text/plain",
        ] {
            let headers = headers_for(content_type, None).await;
            let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(policy.contains("frame-ancestors 'none'"), "{content_type}");
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        }
        for content_type in [
            "application/wasm",
            "text/javascript",
            "application/javascript",
            "text/css; charset=utf-8",
            "Text/CSS",
        ] {
            let headers = headers_for(content_type, None).await;
            assert!(
                !headers.contains_key(header::CONTENT_SECURITY_POLICY),
                "{content_type}"
            );
            // Still never sniffed into something that could render.
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        }
        // A route's own policy stays, whatever the type (user files: `sandbox`).
        for content_type in ["text/html", "text/javascript"] {
            let headers = headers_for(content_type, Some("sandbox")).await;
            assert_eq!(headers[header::CONTENT_SECURITY_POLICY], "sandbox");
        }
    }

    #[test]
    fn the_policy_allows_no_inline_script_without_the_nonce() {
        let nonce = Nonce::new();
        let policy = content_security_policy(&nonce);
        let scripts = policy
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(scripts.contains(&format!("'nonce-{nonce}'")));
        assert!(!scripts.contains("unsafe-inline"));
        for directive in [
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
            "form-action 'self'",
        ] {
            assert!(policy.contains(directive), "{directive}");
        }
    }
}
