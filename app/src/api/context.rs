//! Server-side helpers for server functions: the app state, and the current user resolved from
//! the `Authorization: Bearer` header (and nowhere else).

use std::sync::Arc;

use axum::extract::FromRef;
use axum::http::{header, request::Parts, HeaderMap};
use domain::auth::{Accounts, CurrentUser};
use domain::cluster::{Cluster, NodeControl};
use domain::drive::Drive;
use domain::skillshare::Marketplace;
use leptos::prelude::*;

use super::ApiError;

/// Everything server functions and routes share, built once at start-up.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// The metadata database (for limits counted outside any one service).
    pub db: domain::db::Db,
    pub config: Arc<domain::Config>,
    pub accounts: Arc<Accounts>,
    pub marketplace: Arc<Marketplace>,
    pub cluster: Arc<Cluster>,
    pub drive: Arc<Drive>,
    /// Present when the nodes run inside the app (the default), for fault injection.
    pub node_control: Option<Arc<dyn NodeControl>>,
    /// The periodic jobs: their states for /nodes, and shutdown.
    pub background: Arc<domain::background::Background>,
    /// Which app server leads the jobs that must run once.
    pub election: Arc<domain::leader::Election>,
    /// The time every service reads (movable only in debug builds, for tests).
    pub clock: domain::clock::Clock,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

fn internal(what: &str) -> ApiError {
    let missing = format!("{what} missing from the server function context");
    ApiError::internal(&*domain::error::BoxError::from(missing))
}

pub fn state() -> Result<AppState, ApiError> {
    use_context::<AppState>().ok_or_else(|| internal("AppState"))
}

fn request_parts() -> Result<Parts, ApiError> {
    use_context::<Parts>().ok_or_else(|| internal("request parts"))
}

/// The token of an `Authorization: Bearer <token>` header, if the request has one.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// The user whose valid session token came with this request; 401 otherwise.
pub async fn current_user() -> Result<(AppState, CurrentUser), ApiError> {
    let state = state()?;
    let user = state.user_of(&request_parts()?.headers).await?;
    Ok((state, user))
}

/// The current user, who must be listed in `ADMIN_EMAILS`.
pub async fn current_admin() -> Result<(AppState, CurrentUser), ApiError> {
    let (state, user) = current_user().await?;
    state.require_admin(&user).await?;
    Ok((state, user))
}

impl AppState {
    /// The user whose valid session token is in the request's headers; 401 otherwise.
    pub async fn user_of(&self, headers: &HeaderMap) -> Result<CurrentUser, ApiError> {
        let token = bearer_token(headers)
            .ok_or_else(|| ApiError::from(domain::auth::AuthError::Unauthenticated))?;
        Ok(self.accounts.authenticate(&token).await?)
    }

    /// A path of the site (`/s/...`) as the URL people reach it at (`PUBLIC_URL`).
    pub fn absolute_url(&self, path: &str) -> String {
        format!("{}{path}", self.config.public_url.trim_end_matches('/'))
    }

    /// 403 unless the user is an administrator (the rule is the accounts domain's).
    pub async fn require_admin(&self, user: &CurrentUser) -> Result<(), ApiError> {
        Ok(self.accounts.require_admin(user).await?)
    }
}

pub fn user_agent() -> String {
    request_parts()
        .ok()
        .and_then(|p| {
            p.headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default()
}
