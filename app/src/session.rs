//! Who is logged in, as the browser sees it: the token from localStorage and the account it
//! belongs to. Empty during the server render; filled in right after hydration.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::auth::{user_info, AccountInfo};
use crate::token;

#[derive(Clone, Copy)]
pub struct Session {
    token: RwSignal<Option<String>>,
    account: RwSignal<Option<AccountInfo>>,
    /// False until the browser has read localStorage: private pages wait for it.
    ready: RwSignal<bool>,
    /// The email and password just typed into the sign-up form, kept in memory only, so the
    /// verify page need not ask for the password again.
    signup: RwSignal<Option<(String, String)>>,
}

impl Session {
    pub fn ready(&self) -> bool {
        self.ready.get()
    }

    pub fn logged_in(&self) -> bool {
        self.token.with(Option::is_some)
    }

    pub fn account(&self) -> Option<AccountInfo> {
        self.account.get()
    }

    /// Keeps a fresh login's token for later visits and calls.
    pub fn sign_in(&self, token_value: String, account: AccountInfo) {
        token::save(&token_value);
        self.account.set(Some(account));
        self.token.set(Some(token_value));
    }

    /// Forgets the session in this browser (the server side is ended by `logout`).
    pub fn sign_out(&self) {
        token::clear();
        self.token.set(None);
        self.account.set(None);
    }

    pub fn remember_signup(&self, email: String, password: String) {
        self.signup.set(Some((email, password)));
    }

    /// The password typed at sign-up for this email, if the user came straight from there.
    pub fn signup_password(&self, email: &str) -> Option<String> {
        self.signup.with_untracked(|s| {
            s.as_ref()
                .filter(|(e, _)| e.trim().eq_ignore_ascii_case(email.trim()))
                .map(|(_, p)| p.clone())
        })
    }

    pub fn forget_signup(&self) {
        self.signup.set(None);
    }

    /// Fetches the account again (after usage changes, say).
    pub fn refresh_account(&self) {
        let this = *self;
        spawn_local(async move {
            if let Ok(account) = user_info().await {
                this.account.set(Some(account));
            }
        });
    }
}

/// Whether the page has finished hydrating: one flag for the page, set by `finish_hydration`.
fn page_hydrated() -> ArcRwSignal<bool> {
    static HYDRATED: std::sync::OnceLock<ArcRwSignal<bool>> = std::sync::OnceLock::new();
    HYDRATED.get_or_init(|| ArcRwSignal::new(false)).clone()
}

/// Called by the browser entry point once the whole page has hydrated.
pub fn finish_hydration() {
    page_hydrated().set(true);
}

/// Creates the session for the app; call once, in `App`.
pub fn provide_session() -> Session {
    let session = Session {
        token: RwSignal::new(None),
        account: RwSignal::new(None),
        ready: RwSignal::new(false),
        signup: RwSignal::new(None),
    };
    // Effects run only in the browser, so the server render and the first client render
    // agree; and only once the whole page has hydrated, lazy routes included, whose modules
    // may still be loading when the first module's effects run.
    let hydrated = page_hydrated();
    Effect::new(move |_| {
        if !hydrated.get() {
            return;
        }
        untrack(|| {
            if let Some(t) = token::load() {
                session.token.set(Some(t));
                session.refresh_account();
            }
            session.ready.set(true);
        });
    });
    // A 401 from any call (see `api::client`) means the token is dead.
    let listener = window_event_listener_untyped(token::UNAUTHORIZED_EVENT, move |_| {
        session.token.set(None);
        session.account.set(None);
    });
    on_cleanup(move || listener.remove());
    provide_context(session);
    session
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
