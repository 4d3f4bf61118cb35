//! Where the keyboard focus goes when a row's form or panel closes: back to the control that
//! opened it. After a change (a rename) the table is drawn again and the old button is gone:
//! the row drawn afterwards takes the focus, found by the item's id.

use leptos::ev::KeyboardEvent;
use leptos::html::Button;
use leptos::prelude::*;

use super::DriveCtx;

/// A row control that opens a form or a panel.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum RowControl {
    /// A file's name (its details).
    Name,
    Share,
    Rename,
    Move,
}

/// The control to focus in the row of item `id`.
#[derive(Clone, PartialEq, Debug)]
pub struct Refocus {
    pub id: String,
    pub control: RowControl,
    /// Only a row drawn after this value of `DriveCtx::refresh` takes it (None: any row).
    pub drawn_after: Option<u64>,
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
        let stale = wanted.drawn_after.is_some_and(|after| drawn_at <= after);
        if wanted.id != id.get_value() || stale {
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
