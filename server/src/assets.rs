//! The site's own files under `/pkg` (WASM, JS, CSS), served like a production site: content
//! hashed names (cargo-leptos `hash-files`) cached for a year, anything else revalidated, and
//! the brotli or gzip copy the release build made, chosen by `Accept-Encoding`. A missing file
//! is a plain 404, not the app's "page not found". The icon and the web app manifest, which
//! keep their names, may be kept for a day.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use leptos::prelude::LeptosOptions;
use tower_http::services::{ServeDir, ServeFile};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const ONE_DAY: &str = "public, max-age=86400";

/// Files of `public/` that every page names (and so every visit would ask for again).
const SITE_FILES: [&str; 2] = ["favicon.svg", "manifest.webmanifest"];

/// The length of cargo-leptos's hashes: 128-bit MD5 in unpadded base64url.
const HASH_LEN: usize = 22;

/// cargo-leptos tells the server about hashed names (`LEPTOS_HASH_FILES`) only when it starts
/// the server itself. A binary started directly (the tests, a service unit) learns it from the
/// `hash.txt` that the build wrote beside it.
pub fn detect_hashed_names(options: &mut LeptosOptions) {
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        options.hash_files = hash_file(options).is_some_and(|path| path.exists());
    }
    let hashes = options
        .hash_files
        .then(|| hash_file(options).and_then(|path| std::fs::read_to_string(path).ok()))
        .flatten()
        .unwrap_or_default();
    let name = file_name(&options.output_name, "css", &hashes);
    let _ = STYLESHEET.set(format!("/{}/{name}", options.site_pkg_dir));
    // Pages would name a script that is not there (a binary copied without its hash.txt, a
    // site from another build): every page would stay dead, so say so at start-up.
    let script = Path::new(&*options.site_root)
        .join(&*options.site_pkg_dir)
        .join(file_name(&options.output_name, "js", &hashes));
    if !script.exists() {
        tracing::error!(
            "the pages' script {} is missing: serve the site of this binary's build, with the \
             hash.txt cargo-leptos wrote beside the binary",
            script.display()
        );
    }
}

fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(&*options.hash_file))
}

/// The stylesheet's address, for pages rendered outside the app (share links). Leptos's
/// `HashedStylesheet` needs the options, which those plain functions do not carry.
static STYLESHEET: OnceLock<String> = OnceLock::new();

pub fn stylesheet_href() -> &'static str {
    STYLESHEET
        .get()
        .map_or("/pkg/clouddrive.css", String::as_str)
}

/// `clouddrive.<hash>.css` from hash.txt's `css: <hash>` line, or the plain name.
fn file_name(stem: &str, kind: &str, hashes: &str) -> String {
    let hash = hashes.lines().find_map(|line| {
        let (file, hash) = line.split_once(':')?;
        (file.trim() == kind).then(|| hash.trim())
    });
    match hash {
        Some(hash) => format!("{stem}.{hash}.{kind}"),
        None => format!("{stem}.{kind}"),
    }
}

pub fn routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let root = Path::new(&*options.site_root);
    let files = ServeDir::new(root.join(&*options.site_pkg_dir))
        .precompressed_br()
        .precompressed_gzip();
    let mut router = Router::new().nest_service(&format!("/{}", options.site_pkg_dir), files);
    for file in SITE_FILES {
        let served = ServeFile::new(root.join(file))
            .precompressed_br()
            .precompressed_gzip();
        router = router.route_service(&format!("/{file}"), served);
    }
    router.layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    // A hashed name never changes content; another name under /pkg may change with the next
    // build; the icon and manifest hardly ever change.
    let policy = if is_content_hashed(path) {
        IMMUTABLE
    } else if SITE_FILES
        .iter()
        .any(|file| path.strip_prefix('/') == Some(file))
    {
        ONE_DAY
    } else {
        "no-cache"
    };
    let mut response = next.run(request).await;
    let status = response.status();
    if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        // A shared cache keeping a 404 of a file the next deploy adds would break the site.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        // The bytes depend on the encoding asked for (ServeDir does not say so): a shared cache
        // must not hand brotli to a client that asked for none.
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether a file name carries a content hash: one dot-separated part of exactly a hash's
/// length in base64url, not the all-underscore placeholder of an unhashed build.
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split('.').any(|part| {
        part.len() == HASH_LEN
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && part.bytes().any(|b| b != b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    const HASHED: &str = "clouddrive.Wd3Ah0RQ-8T8u_hA3bzE2w.wasm";

    /// A site with one hashed file in three encodings, served through `routes`.
    fn site() -> (tempfile::TempDir, Router) {
        let root = tempfile::tempdir().unwrap();
        let pkg = root.path().join("pkg");
        std::fs::create_dir(&pkg).unwrap();
        std::fs::write(pkg.join(HASHED), b"identity").unwrap();
        std::fs::write(pkg.join(format!("{HASHED}.br")), b"brotli").unwrap();
        std::fs::write(pkg.join(format!("{HASHED}.gz")), b"gzip").unwrap();
        std::fs::write(pkg.join("clouddrive.css"), b"body {}").unwrap();
        std::fs::write(root.path().join("favicon.svg"), b"<svg/>").unwrap();
        std::fs::write(root.path().join("secret.txt"), b"not for the web").unwrap();
        let options = LeptosOptions::builder()
            .output_name("clouddrive")
            .site_root(root.path().to_str().unwrap())
            .build();
        (root, routes(&options))
    }

    async fn get(router: &Router, path: &str, accept: &str) -> (Response, String) {
        let request = Request::get(path)
            .header(header::ACCEPT_ENCODING, accept)
            .body(Body::empty())
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (Response::from_parts(parts, Body::empty()), text)
    }

    fn header_of(response: &Response, name: header::HeaderName) -> &str {
        response
            .headers()
            .get(name)
            .map_or("", |v| v.to_str().unwrap())
    }

    #[tokio::test]
    async fn the_precompressed_copy_the_browser_accepts_is_sent_and_cached_for_a_year() {
        let (_root, router) = site();
        let path = format!("/pkg/{HASHED}");
        for (accept, body, encoding) in [
            ("gzip, deflate, br", "brotli", "br"),
            ("gzip", "gzip", "gzip"),
            ("identity", "identity", ""),
        ] {
            let (response, text) = get(&router, &path, accept).await;
            assert_eq!(response.status(), StatusCode::OK, "{accept}");
            assert_eq!(text, body, "{accept}");
            assert_eq!(header_of(&response, header::CONTENT_ENCODING), encoding);
            assert_eq!(header_of(&response, header::CACHE_CONTROL), IMMUTABLE);
            assert!(header_of(&response, header::VARY).contains("accept-encoding"));
        }
        let (response, _) = get(&router, "/pkg/clouddrive.css", "br").await;
        assert_eq!(header_of(&response, header::CACHE_CONTROL), "no-cache");
        let (response, text) = get(&router, "/favicon.svg", "br").await;
        assert_eq!(text, "<svg/>");
        assert_eq!(header_of(&response, header::CACHE_CONTROL), ONE_DAY);
    }

    #[tokio::test]
    async fn a_missing_file_is_a_plain_404_that_is_not_cached_and_nothing_outside_is_served() {
        let (_root, router) = site();
        let (response, text) =
            get(&router, "/pkg/clouddrive.AAAAAAAAAAAAAAAAAAAAAA.wasm", "br").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(text.is_empty(), "{text}");
        assert_eq!(header_of(&response, header::CACHE_CONTROL), "no-store");
        for path in [
            "/pkg/../secret.txt",
            "/pkg/%2e%2e/secret.txt",
            "/pkg/..%2fsecret.txt",
        ] {
            let (response, text) = get(&router, path, "br").await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert!(text.is_empty(), "{path}: {text}");
        }
    }

    #[test]
    fn only_hashed_names_are_cached_for_a_year() {
        for hashed in [
            "/pkg/clouddrive.Wd3Ah0RQ-8T8u_hA3bzE2w.wasm",
            "/pkg/chunk_12.AbCdEfGhIjKlMnOpQrStUv.wasm",
            "/pkg/__wasm_split.kP0-qZ9x_y8AbCdEfGhIjK.js",
        ] {
            assert!(is_content_hashed(hashed), "{hashed}");
        }
        for plain in [
            "/pkg/clouddrive.wasm",
            "/pkg/__wasm_split.______________________.js",
            "/pkg/split___drive_route_view_9552235544515617807.wasm",
            "/pkg/clouddrive.css",
        ] {
            assert!(!is_content_hashed(plain), "{plain}");
        }
    }

    #[test]
    fn the_stylesheet_name_comes_from_the_hash_file() {
        let hashes = "js: aaa\nwasm: bbb\ncss: Wd3Ah0RQ-8T8u_hA3bzE2w\nmanifest: ccc\n";
        assert_eq!(
            file_name("clouddrive", "css", hashes),
            "clouddrive.Wd3Ah0RQ-8T8u_hA3bzE2w.css"
        );
        assert_eq!(file_name("clouddrive", "css", ""), "clouddrive.css");
    }
}
