use leptos::prelude::*;

use crate::api::auth::{
    disable_app, enable_app, regenerate_recovery_codes, second_factor, send_confirm_code,
    start_app_setup, AppSetup, RecoveryCodes,
};
use crate::api::ApiError;
use crate::components::{Alert, CodeField, Field};

/// How this account logs in: emailed codes, or an authenticator app with recovery codes.
/// Every change asks for the password and the current second factor.
#[component]
pub fn SecondFactorSection() -> impl IntoView {
    let status = LocalResource::new(second_factor);
    // Recovery codes just made: shown once, here.
    let fresh_codes = RwSignal::new(None::<Vec<String>>);
    view! {
        <h2>"How you log in"</h2>
        {move || match status.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
            Some(Ok(factor)) if factor.app => {
                view! { <AppOn left=factor.recovery_codes_left status fresh_codes/> }.into_any()
            }
            Some(Ok(_)) => view! { <EmailCodesOn status fresh_codes/> }.into_any(),
        }}
        {move || fresh_codes.get().map(|codes| view! { <RecoveryCodeList codes/> })}
    }
}

type Status = LocalResource<Result<crate::api::auth::SecondFactorView, ApiError>>;

#[component]
fn EmailCodesOn(status: Status, fresh_codes: RwSignal<Option<Vec<String>>>) -> impl IntoView {
    let setup = Action::new(|_: &()| start_app_setup());
    view! {
        <p data-testid="second-factor">"After your password, you enter a code we email you."</p>
        <Show
            when=move || matches!(setup.value().get(), Some(Ok(_)))
            fallback=move || {
                view! {
                    <Alert error=Signal::derive(move || ApiError::of(setup.value().get()))/>
                    <button
                        class="btn"
                        disabled=move || setup.pending().get()
                        on:click=move |_| {
                            setup.dispatch(());
                        }
                    >
                        "Use an authenticator app instead"
                    </button>
                }
            }
        >
            {move || {
                setup
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|shown| view! { <EnableApp shown status fresh_codes/> })
            }}
        </Show>
    }
}

#[component]
fn EnableApp(
    shown: AppSetup,
    status: Status,
    fresh_codes: RwSignal<Option<Vec<String>>>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let emailed = RwSignal::new(String::new());
    let app_code = RwSignal::new(String::new());
    let mail = Action::new(|_: &()| send_confirm_code());
    let enable = Action::new(|(p, e, a): &(String, String, String)| {
        enable_app(p.clone(), e.clone(), a.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(RecoveryCodes { recovery_codes })) = enable.value().get() {
            fresh_codes.set(Some(recovery_codes));
            status.refetch();
        }
    });
    let error = Signal::derive(move || {
        ApiError::of(enable.value().get()).or_else(|| ApiError::of(mail.value().get()))
    });
    let notice = Signal::derive(move || mail.value().get().and_then(Result::ok).map(|a| a.message));
    view! {
        <ol class="steps">
            <li>
                "Scan this code with your authenticator app (or type the key into it):"
                <div class="qr" inner_html=shown.qr_svg></div>
                <p>"Key: " <code data-testid="app-secret">{shown.secret}</code></p>
            </li>
            <li>"Confirm it is you, and that the app works:"</li>
        </ol>
        <form
            method="post"
            data-testid="enable-app"
            on:submit=move |ev| {
                ev.prevent_default();
                enable.dispatch((password.get(), emailed.get(), app_code.get()));
            }
        >
            <Field label="Your password" name="factor_password" kind="password" value=password autocomplete="current-password"/>
            <div class="actions">
                <button
                    class="btn"
                    type="button"
                    disabled=move || mail.pending().get()
                    on:click=move |_| {
                        mail.dispatch(());
                    }
                >
                    "Email me a confirmation code"
                </button>
            </div>
            <CodeField label="Code from the email" name="emailed_code" value=emailed/>
            <CodeField label="Code from the app" name="app_code" value=app_code/>
            <Alert error notice/>
            <button class="btn btn-primary" type="submit" disabled=move || enable.pending().get()>
                "Switch to the app"
            </button>
        </form>
    }
}

#[component]
fn AppOn(left: i64, status: Status, fresh_codes: RwSignal<Option<Vec<String>>>) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let disable = Action::new(|(p, c): &(String, String)| disable_app(p.clone(), c.clone()));
    let regenerate =
        Action::new(|(p, c): &(String, String)| regenerate_recovery_codes(p.clone(), c.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = disable.value().get() {
            fresh_codes.set(None);
            status.refetch();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(RecoveryCodes { recovery_codes })) = regenerate.value().get() {
            fresh_codes.set(Some(recovery_codes));
            status.refetch();
        }
    });
    let error = Signal::derive(move || {
        ApiError::of(disable.value().get()).or_else(|| ApiError::of(regenerate.value().get()))
    });
    let busy = move || disable.pending().get() || regenerate.pending().get();
    view! {
        <p data-testid="second-factor">
            {format!(
                "After your password, you enter the code your authenticator app shows. {left} recovery code(s) left."
            )}
        </p>
        <form method="post" data-testid="app-settings" on:submit=move |ev| ev.prevent_default()>
            <Field label="Your password" name="factor_password" kind="password" value=password autocomplete="current-password"/>
            <Field label="App or recovery code" name="factor_code" value=code autocomplete="one-time-code"/>
            <Alert error/>
            <div class="actions">
                <button
                    class="btn"
                    type="button"
                    disabled=busy
                    on:click=move |_| {
                        regenerate.dispatch((password.get(), code.get()));
                    }
                >
                    "Make new recovery codes"
                </button>
                <button
                    class="btn btn-quiet"
                    type="button"
                    disabled=busy
                    on:click=move |_| {
                        disable.dispatch((password.get(), code.get()));
                    }
                >
                    "Switch back to emailed codes"
                </button>
            </div>
        </form>
    }
}

#[component]
fn RecoveryCodeList(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="alert alert-ok" role="status">
            <p>
                "Your recovery codes. Keep them somewhere safe: each works once instead of an app code if you lose your phone. They are not shown again."
            </p>
            <ul class="recovery-codes" data-testid="recovery-codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
        </div>
    }
}
