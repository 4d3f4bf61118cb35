//! Moving the keyboard focus to what just appeared.

use leptos::html::ElementType;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::HtmlElement;

/// Focuses `node` once it is on the page: a panel's close button when the panel opens (Escape
/// closes it from there), a field the person will use next.
pub fn focus_when_shown<E>(node: NodeRef<E>)
where
    E: ElementType + 'static,
    E::Output: JsCast + Clone + AsRef<HtmlElement> + 'static,
{
    node.on_load(|element| {
        let element: &HtmlElement = element.as_ref();
        let _ = element.focus();
    });
}
