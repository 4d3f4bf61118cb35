use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::auth::{resend_code, verify_email};
use crate::api::ApiError;
use crate::components::{Alert, Field};
use crate::format::url_encode;
use crate::session::use_session;

/// Enter the 6-digit code sent at sign-up; then on to login.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let code = RwSignal::new(String::new());
    let verify =
        Action::new(|(email, code): &(String, String)| verify_email(email.clone(), code.clone()));
    let resend = Action::new(|email: &String| resend_code(email.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = verify.value().get() {
            let next = query
                .with_untracked(|q| q.get("next"))
                .map(|n| format!("&next={}", url_encode(&n)))
                .unwrap_or_default();
            let to = format!(
                "/login?verified=1&email={}{next}",
                url_encode(&email.get_untracked())
            );
            navigate(&to, Default::default());
        }
    });
    let error = Signal::derive(move || {
        ApiError::of(verify.value().get()).or_else(|| ApiError::of(resend.value().get()))
    });
    let notice =
        Signal::derive(move || resend.value().get().and_then(Result::ok).map(|a| a.message));
    view! {
        <Title text="Verify your email — CloudDrive"/>
        <section class="panel">
            <h1>"Check your email"</h1>
            <p>"We sent a 6-digit code to your address. It works for 10 minutes."</p>
            <form
                method="post"
                on:submit=move |ev| {
                    ev.prevent_default();
                    verify.dispatch((email.get(), code.get()));
                }
            >
                <Field label="Email" name="email" kind="email" value=email autocomplete="email"/>
                <Field
                    label="Code"
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
                        disabled=move || !session.ready() || verify.pending().get()
                    >
                        "Verify email"
                    </button>
                    <button
                        class="btn"
                        type="button"
                        disabled=move || !session.ready() || resend.pending().get()
                        on:click=move |_| {
                            resend.dispatch(email.get());
                        }
                    >
                        "Send a new code"
                    </button>
                </div>
            </form>
        </section>
    }
}
