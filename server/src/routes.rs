//! The HTTP router: server functions and pages from the app, plus plain routes.

use std::sync::Arc;

use app::api::context::AppState;
use app::{shell, App};
use axum::middleware;
use axum::routing::get;
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};

use crate::api_responses::normalise_api;
use crate::rate_limit::{limit_auth_requests, AuthRateLimit};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let limiter = Arc::new(AuthRateLimit::per_minute(
        state.config.auth_rate_limit_per_minute,
    ));
    Router::new()
        .leptos_routes_with_context(&state, routes, || (), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(normalise_api))
        // Added after the JSON normalising, which must not touch bodies that are file bytes.
        .route("/healthz", get(|| async { "ok" }))
        .merge(crate::files::routes())
        .layer(middleware::from_fn_with_state(limiter, limit_auth_requests))
        .with_state(state)
}
