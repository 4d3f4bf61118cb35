use leptos::prelude::*;

use crate::api::drive::Usage;
use crate::format;

/// Used against quota, as a bar and in numbers; the trash is part of "used".
#[component]
pub fn QuotaBar(usage: Usage) -> impl IntoView {
    let share = |bytes: i64| {
        if usage.quota_bytes <= 0 {
            100.0
        } else {
            (bytes as f64 / usage.quota_bytes as f64 * 100.0).clamp(0.0, 100.0)
        }
    };
    let files = share(usage.used_bytes - usage.trash_bytes);
    let trash = share(usage.trash_bytes);
    let reserved = share(usage.reserved_bytes);
    view! {
        <div class="quota" data-testid="quota" data-used-bytes=usage.used_bytes>
            <div class="quota-bar" role="img" aria-label="Storage used">
                <span class="quota-files" style=format!("width: {files:.2}%")></span>
                <span class="quota-trash" style=format!("width: {trash:.2}%")></span>
                <span class="quota-reserved" style=format!("width: {reserved:.2}%")></span>
            </div>
            <p class="quota-text">
                <strong data-testid="quota-used">{format::bytes(usage.used_bytes)}</strong>
                {format!(" of {} used", format::bytes(usage.quota_bytes))}
                {(usage.trash_bytes > 0).then(|| format!(", {} of it in the trash", format::bytes(usage.trash_bytes)))}
                {(usage.reserved_bytes > 0).then(|| format!(", {} held for uploads in progress", format::bytes(usage.reserved_bytes)))}
                {format!(" · {} free", format::bytes(usage.free_bytes()))}
            </p>
        </div>
    }
}
