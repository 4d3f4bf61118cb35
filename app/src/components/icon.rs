//! Icons as inline SVG in the text colour: they show on every machine, emoji fonts or not,
//! and follow the theme.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconKind {
    Cloud,
    Folder,
    File,
    SortUp,
    SortDown,
    Close,
    Check,
    Cross,
    Star,
    StarOutline,
}

impl IconKind {
    /// The path (24×24 box), and whether it is drawn as a line rather than filled.
    fn path(self) -> (&'static str, bool) {
        const STAR: &str =
            "M12 2.5l2.9 6 6.6.9-4.8 4.6 1.2 6.5L12 17.4l-5.9 3.1 1.2-6.5-4.8-4.6 6.6-.9z";
        match self {
            IconKind::Cloud => (
                "M7 19a5 5 0 0 1-.6-9.96A6.5 6.5 0 0 1 18.7 9.1 5 5 0 0 1 17.5 19z",
                false,
            ),
            IconKind::Folder => (
                "M3 6.5A2.5 2.5 0 0 1 5.5 4h3.8l2 2.2h7.2A2.5 2.5 0 0 1 21 8.7v9.8a2.5 2.5 0 0 1-2.5 2.5h-13A2.5 2.5 0 0 1 3 18.5z",
                false,
            ),
            IconKind::File => ("M6 2.5h8l5 5v14H6zM14 2.5v5h5", true),
            IconKind::SortUp => ("M12 7l6 8H6z", false),
            IconKind::SortDown => ("M12 17l-6-8h12z", false),
            IconKind::Close | IconKind::Cross => ("M6 6l12 12M18 6L6 18", true),
            IconKind::Check => ("M4.5 12.5l5 5 10-11", true),
            IconKind::Star => (STAR, false),
            IconKind::StarOutline => (STAR, true),
        }
    }
}

/// An icon; with a `label` it is an image of that name, without one it is decoration that
/// assistive technology skips (the text beside it says what it means).
#[component]
pub fn Icon(kind: IconKind, #[prop(optional)] label: Option<&'static str>) -> impl IntoView {
    let (d, line) = kind.path();
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="1em" height="1em" focusable="false"
            role=label.map(|_| "img") aria-label=label aria-hidden=label.is_none().then_some("true")
            fill=if line { "none" } else { "currentColor" }
            stroke=if line { "currentColor" } else { "none" }
            stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d=d/>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    /// Pictographs and dingbats that machines without an emoji font show as empty boxes.
    fn pictograph(c: char) -> bool {
        matches!(u32::from(c), 0x2190..=0x21FF | 0x2600..=0x27BF | 0x25A0..=0x25FF | 0x1F000..=0x1FAFF)
    }

    #[test]
    fn pages_draw_icons_not_emoji() {
        let mut found = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    if line.chars().any(pictograph) {
                        found.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
        assert!(found.is_empty(), "use <Icon/>:\n{}", found.join("\n"));
    }
}
