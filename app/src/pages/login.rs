use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::auth::{login, login_verify, resend_code, LoginNext};
use crate::api::ApiError;
use crate::components::{Alert, Field};
use crate::format::{safe_next, url_encode};
use crate::session::use_session;

/// Two steps: email and password, then the code we email. Afterwards the user goes back to the
/// page that sent them here (`?next=`), or to their account.
#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let next = move || safe_next(query.with_untracked(|q| q.get("next")));
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let code_step = RwSignal::new(false);

    let start =
        Action::new(|(email, password): &(String, String)| login(email.clone(), password.clone()));
    let finish =
        Action::new(|(email, code): &(String, String)| login_verify(email.clone(), code.clone()));
    let resend = Action::new(|email: &String| resend_code(email.clone()));

    let to_verify = navigate.clone();
    Effect::new(move |_| match start.value().get() {
        Some(Ok(started)) if started.next == LoginNext::Code => code_step.set(true),
        Some(Ok(_)) => {
            let next = next()
                .map(|n| format!("&next={}", url_encode(&n)))
                .unwrap_or_default();
            let to = format!("/verify?email={}{next}", url_encode(&email.get_untracked()));
            to_verify(&to, Default::default());
        }
        _ => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(done)) = finish.value().get() {
            session.sign_in(done.token, done.account);
            let to = next().unwrap_or_else(|| "/drive".into());
            navigate(
                &to,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });

    let error = Signal::derive(move || {
        if code_step.get() {
            ApiError::of(finish.value().get()).or_else(|| ApiError::of(resend.value().get()))
        } else {
            ApiError::of(start.value().get())
        }
    });
    let notice = Signal::derive(move || {
        if let Some(Ok(ack)) = resend.value().get() {
            Some(ack.message)
        } else if code_step.get() {
            start.value().get().and_then(Result::ok).map(|s| s.message)
        } else if query.with(|q| q.get("verified").is_some()) {
            Some("Your email is verified. Log in to continue.".into())
        } else {
            None
        }
    });
    let ready = move || session.ready();

    view! {
        <Title text="Log in — CloudDrive"/>
        <section class="panel">
            <h1>"Log in"</h1>
            <Show
                when=move || code_step.get()
                fallback=move || {
                    view! {
                        <form
                            method="post"
                            on:submit=move |ev| {
                                ev.prevent_default();
                                start.dispatch((email.get(), password.get()));
                            }
                        >
                            <Field label="Email" name="email" kind="email" value=email autocomplete="username"/>
                            <Field
                                label="Password"
                                name="password"
                                kind="password"
                                value=password
                                autocomplete="current-password"
                            />
                            <Alert error notice/>
                            <button
                                class="btn btn-primary"
                                type="submit"
                                disabled=move || !ready() || start.pending().get()
                            >
                                {move || if start.pending().get() { "Checking…" } else { "Continue" }}
                            </button>
                        </form>
                        <p class="muted">"New here? " <A href="/register">"Create an account"</A></p>
                    }
                }
            >
                <form
                    method="post"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        finish.dispatch((email.get(), code.get()));
                    }
                >
                    <p>"Enter the 6-digit code we sent to " <strong>{move || email.get()}</strong> "."</p>
                    <Field
                        label="Login code"
                        name="code"
                        value=code
                        inputmode="numeric"
                        autocomplete="one-time-code"
                        autofocus=true
                    />
                    <Alert error notice/>
                    <div class="actions">
                        <button
                            class="btn btn-primary"
                            type="submit"
                            disabled=move || !ready() || finish.pending().get()
                        >
                            "Log in"
                        </button>
                        <button
                            class="btn"
                            type="button"
                            disabled=move || resend.pending().get()
                            on:click=move |_| {
                                resend.dispatch(email.get());
                            }
                        >
                            "Send a new code"
                        </button>
                        <button
                            class="btn btn-quiet"
                            type="button"
                            on:click=move |_| {
                                code_step.set(false);
                                code.set(String::new());
                            }
                        >
                            "Use another account"
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}
