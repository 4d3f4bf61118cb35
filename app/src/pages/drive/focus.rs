//! Where the keyboard focus goes when a row's form or panel closes: back to the control that
//! opened it. The row is found again by id and name, because a rename redraws the table and
//! the old button is gone; the new row takes the focus once it is drawn.

use leptos::ev::KeyboardEvent;
use leptos::html::Button;
use leptos::prelude::*;

/// A row control that opens a form or a panel.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum RowControl {
    /// A file's name (its details).
    Name,
    Share,
    Rename,
    Move,
}

/// The control to focus once the row showing `name` for item `id` is on screen.
#[derive(Clone, PartialEq, Debug)]
pub struct Refocus {
    pub id: String,
    pub name: String,
    pub control: RowControl,
}

pub fn is_escape(ev: &KeyboardEvent) -> bool {
    ev.key() == "Escape"
}

/// A panel's close button takes the focus when the panel opens, so the keyboard is inside it
/// (Escape closes it from there).
pub fn focus_when_shown(button: NodeRef<Button>) {
    button.on_load(|button| {
        let _ = button.focus();
    });
}
