//! Listings come a page at a time: the rest loads as the person scrolls to the end (an
//! IntersectionObserver on a "Load more" button, which also works by hand and by keyboard).

use leptos::html::Button;
use leptos::prelude::*;

/// A "Load more" button that presses itself when it scrolls into view; `load` runs either way.
#[component]
pub fn LoadMore(
    #[prop(into)] busy: Signal<bool>,
    load: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let button = NodeRef::<Button>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use wasm_bindgen::prelude::*;
        use wasm_bindgen::JsCast;
        let Some(element) = button.get() else { return };
        let seen = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let visible = entries.iter().any(|e| {
                e.dyn_into::<web_sys::IntersectionObserverEntry>()
                    .is_ok_and(|e| e.is_intersecting())
            });
            if visible && !busy.get_untracked() {
                load();
            }
        });
        if let Ok(observer) = web_sys::IntersectionObserver::new(seen.as_ref().unchecked_ref()) {
            observer.observe(&element);
            let kept = send_wrapper::SendWrapper::new((observer, seen));
            on_cleanup(move || kept.0.disconnect());
        }
    });
    view! {
        <p class="load-more">
            <button class="btn" node_ref=button data-testid="load-more" disabled=move || busy.get()
                on:click=move |_| load()>
                {move || if busy.get() { "Loading…" } else { "Load more" }}
            </button>
        </p>
    }
}
