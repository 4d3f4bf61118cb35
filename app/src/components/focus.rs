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
    focus_on_load(node, || true);
}

/// Focuses `node` once it is on the page after a change the person asked for in `list` (a
/// row's button taking the place of one deleted), unless they have since gone on elsewhere: see
/// `focus_is_free`. Then calls `done`.
pub fn focus_when_shown_if_free<E>(node: NodeRef<E>, list: &'static str, done: impl Fn() + 'static)
where
    E: ElementType + 'static,
    E::Output: JsCast + Clone + AsRef<HtmlElement> + 'static,
{
    focus_on_load(node, move || {
        let free = focus_is_free(list);
        done();
        free
    });
}

fn focus_on_load<E>(node: NodeRef<E>, wanted: impl Fn() -> bool + 'static)
where
    E: ElementType + 'static,
    E::Output: JsCast + Clone + AsRef<HtmlElement> + 'static,
{
    node.on_load(move |element| {
        if wanted() {
            let element: &HtmlElement = element.as_ref();
            let _ = element.focus();
        }
    });
}

/// Whether the keyboard focus is inside the element matching `selector` (never on the server).
pub fn focus_within(selector: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        document()
            .active_element()
            .and_then(|element| element.closest(selector).ok().flatten())
            .is_some()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = selector;
        false
    }
}

/// Whether the page may move the focus after a change asked for in `list` finished: the focus
/// fell to the page (the control that had it went away) or is still in `list`. Not when the
/// person has since gone on to a field or a panel, where a focus moved under their fingers
/// would have the next Enter act on a row they did not choose.
pub fn focus_is_free(list: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        match document().active_element() {
            None => true,
            Some(element) => {
                let on_body = document()
                    .body()
                    .is_some_and(|body| body.is_same_node(Some(&*element)));
                on_body || focus_within(list)
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = list;
        false
    }
}

/// The rows that may take the focus when the rows `leaving` of a list showing `order` (its ids,
/// top to bottom) act to leave it (moved, deleted, restored), best first: those rows
/// themselves, in the list's order, if the change was refused; the first row not leaving below
/// the topmost of them, which takes their place; else the row just above that one.
pub fn successors(order: &[String], leaving: &[String]) -> Vec<String> {
    let Some(first) = order.iter().position(|id| leaving.contains(id)) else {
        return Vec::new();
    };
    let stays = |id: &&String| !leaving.contains(id);
    let after = order.iter().skip(first + 1).find(stays);
    let before = order.iter().take(first).next_back();
    order
        .iter()
        .filter(|id| leaving.contains(id))
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
        assert_eq!(successors(&order, &ids(&["b"])), ids(&["b", "c", "a"]));
        assert_eq!(successors(&order, &ids(&["a"])), ids(&["a", "b"]));
        assert_eq!(successors(&order, &ids(&["c"])), ids(&["c", "b"]));
        assert_eq!(successors(&ids(&["a"]), &ids(&["a"])), ids(&["a"]));
        assert!(successors(&order, &ids(&["z"])).is_empty());
    }

    #[test]
    fn rows_leaving_together_hand_it_to_the_first_row_after_the_first_of_them_that_stays() {
        let order = ids(&["a", "b", "c", "d", "e"]);
        // Chosen in any order: tried in the list's, then d (after b, c stays), then a.
        assert_eq!(
            successors(&order, &ids(&["c", "b"])),
            ids(&["b", "c", "d", "a"])
        );
        // Not side by side: c, between them, is the row after the first that stays.
        assert_eq!(
            successors(&order, &ids(&["b", "d"])),
            ids(&["b", "d", "c", "a"])
        );
        // The last rows: none after stays, so the one before them.
        assert_eq!(successors(&order, &ids(&["d", "e"])), ids(&["d", "e", "c"]));
        // Every row: only themselves (a refusal); else the list's empty message.
        assert_eq!(successors(&order, &order), order);
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
