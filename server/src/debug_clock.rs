//! A server clock that tests can move forward (`DEBUG_CLOCK=1`), so they need not wait for
//! codes, links, uploads and sessions to run out. It exists in debug builds only: a release
//! build refuses to start with it set, since a movable clock would revive dead codes, links and
//! sessions.

use app::api::context::AppState;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use domain::clock::Clock;
use serde::Deserialize;

/// The server's clock: the wall clock, or a movable one when asked for in a debug build.
pub fn clock(requested: bool, debug_build: bool) -> Result<Clock, String> {
    match (requested, debug_build) {
        (false, _) => Ok(Clock::system()),
        (true, true) => {
            tracing::warn!("DEBUG_CLOCK is set: tests may move this server's clock forward");
            Ok(Clock::movable())
        }
        (true, false) => Err(
            "DEBUG_CLOCK is set, but this is a release build: a movable clock \
                              would revive expired codes, links and sessions, so it exists in \
                              debug builds only. Unset DEBUG_CLOCK."
                .into(),
        ),
    }
}

/// `POST /api/debug/clock/advance {"secs": N}`: answers 404 unless the clock is movable and
/// the request comes from this machine.
#[cfg_attr(not(debug_assertions), allow(dead_code))]
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/debug/clock/advance", post(advance))
}

#[derive(Deserialize)]
struct Advance {
    secs: u32,
}

async fn advance(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(body): Json<Advance>,
) -> Response {
    // Tests drive it from the same machine; nobody else may move the time.
    if !state.clock.is_movable() || !peer.ip().is_loopback() {
        return StatusCode::NOT_FOUND.into_response();
    }
    state.clock.advance(i64::from(body.secs));
    Json(serde_json::json!({ "now": state.clock.now() })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_build_refuses_a_movable_clock() {
        assert!(clock(true, false).unwrap_err().contains("release build"));
        assert!(clock(true, true).unwrap().is_movable());
        assert!(!clock(false, false).unwrap().is_movable());
    }
}
