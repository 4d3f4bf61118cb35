//! The HTTP router: server functions and pages from the app, plus plain routes.

use app::api::context::AppState;
use app::{shell, App};
use axum::middleware;
use axum::routing::get;
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;

use crate::api_responses::normalise_api;
use crate::rate_limit::{limit_auth_requests, AuthRateLimit};
use crate::request_id;
use crate::security_headers::{add_security_headers, provide_response_nonce, SiteSecurity};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let limit = AuthRateLimit {
        db: state.db.clone(),
        per_minute: state.config.auth_rate_limit_per_minute,
        trusted_proxies: state.config.trusted_proxies.clone(),
        clock: state.clock.clone(),
    };
    let proxies: std::sync::Arc<[ipnet::IpNet]> = state.config.trusted_proxies.clone().into();
    let site = SiteSecurity {
        https: state.config.public_url.starts_with("https://"),
    };
    Router::new()
        .leptos_routes_with_context(&state, routes, provide_response_nonce, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_response_nonce, shell))
        .layer(middleware::from_fn(normalise_api))
        // Pages and JSON only: the routes below are added after it, so file bytes (downloads,
        // links, WebDAV) keep their length and ranges.
        .layer(compress_pages_and_json())
        // Added after the JSON normalising too, which must not touch bodies that are file bytes.
        .route("/healthz", get(|| async { "ok" }))
        .merge(crate::assets::routes(&state.leptos_options))
        .merge(crate::drive::routes())
        .merge(crate::shares::routes())
        .merge(crate::webdav::routes())
        .merge(crate::calendar_feed::routes())
        .merge(debug_routes())
        .layer(middleware::from_fn_with_state(limit, limit_auth_requests))
        .layer(middleware::from_fn_with_state(site, add_security_headers))
        // Outermost: every request gets an id, every log line of the request carries it, and
        // the answer names it for reports.
        .layer(middleware::from_fn_with_state(proxies, request_id::tag))
        .with_state(state)
}

/// Answers of 1 KiB and more, brotli or gzip by `Accept-Encoding`. Files already compressed
/// (the release build's `.br` and `.gz` copies) pass as they are.
fn compress_pages_and_json() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().compress_when(
        SizeAbove::new(1024)
            .and(NotForContentType::IMAGES)
            .and(NotForContentType::SSE),
    )
}

/// Test controls, compiled into debug builds only.
fn debug_routes() -> Router<AppState> {
    #[cfg(debug_assertions)]
    return crate::debug_clock::routes();
    #[cfg(not(debug_assertions))]
    Router::new()
}
