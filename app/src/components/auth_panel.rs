use leptos::prelude::*;
use leptos_meta::Title;

/// The frame shared by the pages that get a user in (sign up, verify, log in, password reset):
/// the tab title, then one panel with its heading, an optional line of explanation and the form.
#[component]
pub fn AuthPanel(
    title: &'static str,
    heading: &'static str,
    #[prop(optional)] intro: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <Title text=title/>
        <section class="panel">
            <h1>{heading}</h1>
            {(!intro.is_empty()).then(|| view! { <p>{intro}</p> })}
            {children()}
        </section>
    }
}
