use leptos::prelude::*;

/// A form that posts, so that one sent before the page is interactive carries what was typed
/// (passwords, codes) in the request body, not the URL; once it is interactive, submitting
/// runs `on_submit` in the page instead.
#[component]
pub fn PostForm(
    on_submit: impl Fn() + 'static,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <form
            method="post"
            data-testid=testid
            on:submit=move |ev| {
                ev.prevent_default();
                on_submit();
            }
        >
            {children()}
        </form>
    }
}
