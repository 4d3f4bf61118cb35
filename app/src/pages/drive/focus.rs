//! Where the keyboard focus goes when a row's form or panel closes: back to the control that
//! opened it. After a change (a rename) the table is drawn again and the old button is gone:
//! the row drawn afterwards takes the focus, found by the item's id. After a move or a delete
//! the row itself may be gone: the one that took its place takes the focus, so that a keyboard
//! user goes on from where they were instead of from the top of the page.

use leptos::ev::KeyboardEvent;
use leptos::html::Button;
use leptos::prelude::*;

use super::DriveCtx;
use crate::components::{first_listed, focus_is_free, focus_when_shown_if_free};

/// The drive's table: a focus the page moves after a change may be there (`focus_is_free`).
pub const TABLE: &str = "[data-testid=files]";

/// A row's control that the focus goes back to (it opened a form or a panel) or on to.
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
    /// After a change: only a row drawn after this value of `DriveCtx::refresh`, once the
    /// change is done, takes it. None: any row, now (a form or panel closed).
    pub drawn_after: Option<u64>,
}

impl Refocus {
    /// Whether a row drawn at `drawn_at` (the value of `DriveCtx::refresh` then) may take it.
    /// Not while the change is in flight: a reload meanwhile (an upload ending) still lists a
    /// row being deleted, which would take the focus as if the delete had been refused.
    fn due(&self, ctx: DriveCtx, drawn_at: u64) -> bool {
        match self.drawn_after {
            None => true,
            Some(after) => drawn_at > after && !ctx.change.pending().get_untracked(),
        }
    }
}

/// Called as the table is drawn with the ids in `order`, before its rows look at the focus
/// asked for: keeps, of the rows asked for, the first listed. When none is, the request is
/// dropped, unless the table is empty: then this returns true, and the empty folder's message
/// takes the focus (and ends the request, `take_focus_when_empty`).
pub fn settle(ctx: DriveCtx, order: &[String]) -> bool {
    let drawn_at = ctx.refresh.get_untracked();
    let mut to_message = false;
    ctx.refocus.update_untracked(|refocus| {
        let Some(wanted) = refocus.as_mut().filter(|w| w.due(ctx, drawn_at)) else {
            return;
        };
        if let Some(id) = first_listed(&wanted.ids, order) {
            wanted.ids = vec![id.clone()];
        } else if order.is_empty() {
            to_message = true;
        } else {
            *refocus = None;
        }
    });
    to_message
}

/// The empty folder's message takes the focus a change asked for (`settle` returned true).
pub fn take_focus_when_empty(ctx: DriveCtx, message: NodeRef<leptos::html::P>) {
    focus_when_shown_if_free(message, TABLE, move || ctx.refocus.set(None));
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
        // Read in place: after "select all" the request holds every row's id, and each row
        // looks at it.
        let mine = ctx.refocus.with(|wanted| {
            wanted
                .as_ref()
                .filter(|w| w.due(ctx, drawn_at))
                .filter(|w| id.with_value(|id| w.ids.first() == Some(id)))
                .map(|w| (w.control, w.drawn_after.is_some()))
        });
        let Some((wanted, after_change)) = mine else {
            return;
        };
        if let Some(button) = control(wanted).and_then(|c| c.get()) {
            // After a change, not if the person has gone on to something else meanwhile.
            if !after_change || focus_is_free(TABLE) {
                let _ = button.focus();
            }
            ctx.refocus.set(None);
        }
    });
}

pub fn is_escape(ev: &KeyboardEvent) -> bool {
    ev.key() == "Escape"
}
