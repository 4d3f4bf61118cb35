//! A way back in: ask for a reset code by email (`/forgot`), then choose a new password with it
//! (`/reset`). Both answer alike for every address; neither logs in.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::auth_flow::{navigate_on_success, step_url};
use crate::api::auth::{forgot_password, reset_password};
use crate::api::ApiError;
use crate::components::{Alert, AuthPanel, CodeField, Field, NewPasswordField, PostForm};
use crate::session::use_session;

#[component]
pub fn ForgotPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let ask = Action::new(|email: &String| forgot_password(email.clone()));
    navigate_on_success(ask, move |_| {
        step_url("/reset?sent=1", &email.get_untracked(), None)
    });
    let error = Signal::derive(move || ApiError::of(ask.value().get()));
    view! {
        <AuthPanel
            title="Forgot your password — CloudDrive"
            heading="Forgot your password?"
            intro="We will email you a code to choose a new one."
        >
            <PostForm on_submit=move || {
                ask.dispatch(email.get());
            }>
                <Field label="Email" name="email" kind="email" value=email autocomplete="username" autofocus=true/>
                <Alert error/>
                <button
                    class="btn btn-primary"
                    type="submit"
                    disabled=move || !session.ready() || ask.pending().get()
                >
                    "Email me a code"
                </button>
            </PostForm>
            <p class="muted">"Remembered it? " <A href="/login">"Log in"</A></p>
        </AuthPanel>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let reset = Action::new(|(email, code, password): &(String, String, String)| {
        reset_password(email.clone(), code.clone(), password.clone())
    });
    navigate_on_success(reset, move |_| {
        step_url("/login?reset=1", &email.get_untracked(), None)
    });
    let error = Signal::derive(move || ApiError::of(reset.value().get()));
    let notice = Signal::derive(move || {
        query.with(|q| q.get("sent").is_some()).then(|| {
            "If this address has an account, we emailed it a code. It works for 15 minutes."
                .to_owned()
        })
    });
    view! {
        <AuthPanel title="Choose a new password — CloudDrive" heading="Choose a new password">
            <PostForm on_submit=move || {
                reset.dispatch((email.get(), code.get(), password.get()));
            }>
                <Field label="Email" name="email" kind="email" value=email autocomplete="username"/>
                <CodeField label="Reset code" value=code autofocus=true/>
                <NewPasswordField
                    value=password
                    label="New password"
                    name="new_password"
                    hint="8 to 72 characters; a few unrelated words make a strong one. Every session will be logged out."
                />
                <Alert error notice/>
                <button
                    class="btn btn-primary"
                    type="submit"
                    disabled=move || !session.ready() || reset.pending().get()
                >
                    "Change password"
                </button>
            </PostForm>
            <p class="muted">"No code? " <A href="/forgot">"Ask for one"</A></p>
        </AuthPanel>
    }
}
