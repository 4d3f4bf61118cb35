use leptos::prelude::*;

use super::focus_when_shown;

/// A labelled input bound to a string signal.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] inputmode: &'static str,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let label_for = id.clone();
    view! {
        <label class="field" for=label_for>
            <span class="field-label">{label}</span>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                inputmode=inputmode
                autofocus=autofocus
                required
                bind:value=value
            />
            {(!hint.is_empty()).then(|| view! { <span class="field-hint">{hint}</span> })}
        </label>
    }
}

/// A field for a one-time code (emailed, or from an authenticator app): digits on phones, and
/// the browser may fill it from an SMS or mail.
#[component]
pub fn CodeField(
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "code")] name: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    view! {
        <Field
            label
            name
            value
            inputmode="numeric"
            autocomplete="one-time-code"
            hint
            autofocus
        />
    }
}

/// The account's current password, which the browser may fill in.
#[component]
pub fn PasswordField(
    value: RwSignal<String>,
    #[prop(default = "Password")] label: &'static str,
    #[prop(default = "password")] name: &'static str,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    view! { <Field label name value kind="password" autocomplete="current-password" hint/> }
}

/// A password being chosen: the browser may offer to generate and save one instead of filling
/// in the saved one.
#[component]
pub fn NewPasswordField(
    value: RwSignal<String>,
    #[prop(default = "Password")] label: &'static str,
    #[prop(default = "password")] name: &'static str,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    view! { <Field label name value kind="password" autocomplete="new-password" hint/> }
}

/// A read-only address to copy (a share link, a calendar feed): focusing it selects it all.
#[component]
pub fn CopyField(
    label: &'static str,
    testid: &'static str,
    value: String,
    /// Takes the focus as it appears (its text selected, ready to copy).
    #[prop(optional)]
    focused: bool,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    if focused {
        focus_when_shown(input);
    }
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
            <input readonly class="share-url" data-testid=testid value=value node_ref=input
                on:focus=move |ev| {
                    #[cfg(feature = "hydrate")]
                    event_target::<web_sys::HtmlInputElement>(&ev).select();
                    let _ = &ev;
                }/>
        </label>
    }
}
