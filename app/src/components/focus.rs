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

/// The rows that may take the focus when row `index` of a list showing `order` (its ids, top
/// to bottom) acts to leave it (moved, deleted, restored), best first: the row itself, if the
/// change was refused; the row after it, which takes its place; the row before, if it was last.
pub fn successors(order: &[String], index: usize) -> Vec<String> {
    let after = index.checked_add(1).and_then(|next| order.get(next));
    let before = index.checked_sub(1).and_then(|prev| order.get(prev));
    order
        .get(index)
        .into_iter()
        .chain(after)
        .chain(before)
        .cloned()
        .collect()
}

/// The first of `wanted` that a list drawn with `order` still shows.
pub fn first_listed<'a>(wanted: &'a [String], order: &[String]) -> Option<&'a String> {
    wanted.iter().find(|id| order.contains(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn a_row_leaving_hands_the_focus_to_the_next_row_then_the_one_before() {
        let order = ids(&["a", "b", "c"]);
        assert_eq!(successors(&order, 1), ids(&["b", "c", "a"]));
        assert_eq!(successors(&order, 0), ids(&["a", "b"]));
        assert_eq!(successors(&order, 2), ids(&["c", "b"]));
        assert_eq!(successors(&ids(&["a"]), 0), ids(&["a"]));
        assert!(successors(&order, 7).is_empty());
    }

    fn first<'a>(wanted: &'a [String], order: &[String]) -> Option<&'a str> {
        first_listed(wanted, order).map(String::as_str)
    }

    #[test]
    fn the_first_row_still_listed_is_chosen() {
        let wanted = ids(&["b", "c", "a"]);
        // Refused: the row is still there.
        assert_eq!(first(&wanted, &ids(&["a", "b", "c"])), Some("b"));
        // Gone: the next row takes its place.
        assert_eq!(first(&wanted, &ids(&["a", "c"])), Some("c"));
        // The last one gone: the one before.
        assert_eq!(first(&ids(&["c", "b"]), &ids(&["a", "b"])), Some("b"));
        // Nothing left.
        assert_eq!(first(&wanted, &[]), None);
    }
}
