//! Where the keyboard focus goes when a row's form or panel closes: back to the control that
//! opened it. After a change (a rename) the table is drawn again and the old button is gone:
//! the row drawn afterwards takes the focus, found by the item's id. After a move or a delete
//! the row itself may be gone: the one that took its place takes the focus, so that a keyboard
//! user goes on from where they were instead of from the top of the page.

use leptos::ev::KeyboardEvent;
use leptos::html::Button;
use leptos::prelude::*;

use super::DriveCtx;
use crate::components::first_listed;

/// A row control that opens a form or a panel.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum RowControl {
    /// A file's name (its details).
    Name,
    Share,
    Rename,
    Move,
    Delete,
}

/// The control to focus in the row of the first of `ids` on the page.
#[derive(Clone, PartialEq, Debug)]
pub struct Refocus {
    /// Best first; narrowed to the one listed when the table is drawn (`settle`).
    pub ids: Vec<String>,
    pub control: RowControl,
    /// Only a row drawn after this value of `DriveCtx::refresh` takes it (None: any row).
    pub drawn_after: Option<u64>,
}

impl Refocus {
    /// Whether a row drawn at `drawn_at` (the value of `DriveCtx::refresh` then) may take it.
    fn due(&self, drawn_at: u64) -> bool {
        self.drawn_after.is_none_or(|after| drawn_at > after)
    }
}

/// Called as the table is drawn with the ids in `order`, before its rows look at the focus
/// asked for: keeps the first of the rows asked for that is listed. Returns whether the focus
/// asked for has no row to go to (the folder is now empty): the caller then takes it.
pub fn settle(ctx: DriveCtx, order: &[String]) -> bool {
    let drawn_at = ctx.refresh.get_untracked();
    let mut homeless = false;
    ctx.refocus.update_untracked(|refocus| {
        let Some(wanted) = refocus.as_mut().filter(|w| w.due(drawn_at)) else {
            return;
        };
        match first_listed(&wanted.ids, order) {
            Some(id) => wanted.ids = vec![id.clone()],
            None => {
                homeless = true;
                *refocus = None;
            }
        }
    });
    homeless
}

/// Focuses the control of this row (or gallery tile) that `DriveCtx::refocus` asks for, once
/// it is on the page. `control`: the row's button for each kind it has.
pub fn take_focus_back(
    ctx: DriveCtx,
    id: StoredValue<String>,
    control: impl Fn(RowControl) -> Option<NodeRef<Button>> + 'static,
) {
    let drawn_at = ctx.refresh.get_untracked();
    Effect::new(move || {
        let Some(wanted) = ctx.refocus.get() else {
            return;
        };
        if !wanted.due(drawn_at) || id.with_value(|id| wanted.ids.first() != Some(id)) {
            return;
        }
        if let Some(button) = control(wanted.control).and_then(|c| c.get()) {
            let _ = button.focus();
            ctx.refocus.set(None);
        }
    });
}

pub fn is_escape(ev: &KeyboardEvent) -> bool {
    ev.key() == "Escape"
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
