//! `GET /calendar/<token>.ics`: a user's private calendar feed, for calendar apps to subscribe
//! to. No bearer: the token in the address is the key (see `domain::skillshare::calendar`).
//! A wrong or revoked token gets 404.

use app::api::context::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use domain::skillshare::SkillShareError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/calendar/{token}", get(feed))
}

async fn feed(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    match state.marketplace.calendar_feed(token).await {
        Ok(ics) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                // The address is a secret: no shared cache keeps the answer.
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            ics,
        )
            .into_response(),
        Err(SkillShareError::NotFound(_)) => {
            (StatusCode::NOT_FOUND, "No such calendar feed.").into_response()
        }
        Err(e) => {
            tracing::warn!(error = ?e, "calendar feed failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Please try again.",
            )
                .into_response()
        }
    }
}
