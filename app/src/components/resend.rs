use leptos::prelude::*;

use crate::api::auth::{resend_code, RESEND_AFTER_SECS};
use crate::api::ApiError;

/// "Send a new code": asks for a fresh code for `email`, then counts down until another may
/// be asked for (the server answers alike whether or not a code was sent, so the page keeps
/// the time).
#[component]
pub fn ResendButton(email: RwSignal<String>) -> impl IntoView {
    let resend = Action::new(|email: &String| resend_code(email.clone()));
    let wait = RwSignal::new(0u64);
    Effect::new(move |_| {
        if let Some(Ok(_)) = resend.value().get() {
            wait.set(RESEND_AFTER_SECS);
        }
    });
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || wait.update(|w| *w = w.saturating_sub(1)),
            std::time::Duration::from_secs(1),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    });
    let status = move || match resend.value().get() {
        Some(Ok(ack)) if wait.get() > 0 => Some(ack.message.replace(
            &format!("{RESEND_AFTER_SECS} s"),
            &format!("{} s", wait.get()),
        )),
        Some(Ok(_)) => Some("You can ask for another code now.".to_owned()),
        Some(Err(e)) => Some(e.message),
        None => None,
    };
    let error = Signal::derive(move || ApiError::of(resend.value().get()));
    let waiting = move || wait.get() != 0;
    view! {
        <button
            class="btn"
            type="button"
            data-testid="resend"
            disabled=move || resend.pending().get() || waiting()
            on:click=move |_| {
                resend.dispatch(email.get());
            }
        >
            {move || match wait.get() {
                0 => "Send a new code".to_owned(),
                secs => format!("Send a new code ({secs} s)"),
            }}
        </button>
        <p class="muted" role="status" aria-live="polite">
            {move || if error.get().is_some() { None } else { status() }}
        </p>
        <p class="alert alert-error" role="alert" hidden=move || error.get().is_none()>
            {move || error.get().map(|e| e.message)}
        </p>
    }
}
