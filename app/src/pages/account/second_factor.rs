use leptos::prelude::*;

use crate::api::auth::{
    disable_app, enable_app, regenerate_recovery_codes, second_factor, send_confirm_code,
    start_app_setup, AppSetup, RecoveryCodes,
};
use crate::api::ApiError;
use crate::components::{Alert, CodeField, Field, PasswordField, PostForm};

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
        <PostForm
            testid="enable-app"
            on_submit=move || {
                enable.dispatch((password.get(), emailed.get(), app_code.get()));
            }
        >
            <FactorPasswordField value=password/>
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
        </PostForm>
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
    let busy = Signal::derive(move || disable.pending().get() || regenerate.pending().get());
    view! {
        <p data-testid="second-factor">
            {format!(
                "After your password, you enter the code your authenticator app shows. {left} recovery code(s) left."
            )}
        </p>
        <PostForm testid="app-settings" on_submit=|| {}>
            <FactorPasswordField value=password/>
            <Field label="App or recovery code" name="factor_code" value=code autocomplete="one-time-code"/>
            <Alert error/>
            <div class="actions">
                <ConfirmedButton class="btn" action=regenerate password code busy>
                    "Make new recovery codes"
                </ConfirmedButton>
                <ConfirmedButton class="btn btn-quiet" action=disable password code busy>
                    "Switch back to emailed codes"
                </ConfirmedButton>
            </div>
        </PostForm>
    }
}

/// Every change asks for the account's password first.
#[component]
fn FactorPasswordField(value: RwSignal<String>) -> impl IntoView {
    view! { <PasswordField label="Your password" name="factor_password" value/> }
}

/// A change to an app that is on: sends the password and code typed above it to `action`.
#[component]
fn ConfirmedButton<O>(
    class: &'static str,
    action: Action<(String, String), O>,
    password: RwSignal<String>,
    code: RwSignal<String>,
    busy: Signal<bool>,
    children: Children,
) -> impl IntoView
where
    O: Send + Sync + 'static,
{
    view! {
        <button
            class=class
            type="button"
            disabled=move || busy.get()
            on:click=move |_| {
                action.dispatch((password.get(), code.get()));
            }
        >
            {children()}
        </button>
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
