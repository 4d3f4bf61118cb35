//! A way back in: ask for a reset code by email (`/forgot`), then choose a new password with it
//! (`/reset`). Both answer alike for every address; neither logs in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::auth::{forgot_password, reset_password};
use crate::api::ApiError;
use crate::components::{Alert, CodeField, Field};
use crate::format::url_encode;
use crate::session::use_session;

#[component]
pub fn ForgotPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let ask = Action::new(|email: &String| forgot_password(email.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = ask.value().get() {
            let to = format!("/reset?sent=1&email={}", url_encode(&email.get_untracked()));
            navigate(&to, Default::default());
        }
    });
    let error = Signal::derive(move || ApiError::of(ask.value().get()));
    view! {
        <Title text="Forgot your password — CloudDrive"/>
        <section class="panel">
            <h1>"Forgot your password?"</h1>
            <p>"We will email you a code to choose a new one."</p>
            <form
                method="post"
                on:submit=move |ev| {
                    ev.prevent_default();
                    ask.dispatch(email.get());
                }
            >
                <Field label="Email" name="email" kind="email" value=email autocomplete="username" autofocus=true/>
                <Alert error/>
                <button
                    class="btn btn-primary"
                    type="submit"
                    disabled=move || !session.ready() || ask.pending().get()
                >
                    "Email me a code"
                </button>
            </form>
            <p class="muted">"Remembered it? " <A href="/login">"Log in"</A></p>
        </section>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let reset = Action::new(|(email, code, password): &(String, String, String)| {
        reset_password(email.clone(), code.clone(), password.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = reset.value().get() {
            let to = format!(
                "/login?reset=1&email={}",
                url_encode(&email.get_untracked())
            );
            navigate(&to, Default::default());
        }
    });
    let error = Signal::derive(move || ApiError::of(reset.value().get()));
    let notice = Signal::derive(move || {
        query.with(|q| q.get("sent").is_some()).then(|| {
            "If this address has an account, we emailed it a code. It works for 15 minutes."
                .to_owned()
        })
    });
    view! {
        <Title text="Choose a new password — CloudDrive"/>
        <section class="panel">
            <h1>"Choose a new password"</h1>
            <form
                method="post"
                on:submit=move |ev| {
                    ev.prevent_default();
                    reset.dispatch((email.get(), code.get(), password.get()));
                }
            >
                <Field label="Email" name="email" kind="email" value=email autocomplete="username"/>
                <CodeField label="Reset code" value=code autofocus=true/>
                <Field
                    label="New password"
                    name="new_password"
                    kind="password"
                    value=password
                    autocomplete="new-password"
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
            </form>
            <p class="muted">"No code? " <A href="/forgot">"Ask for one"</A></p>
        </section>
    }
}
