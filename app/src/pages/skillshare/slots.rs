//! Free times of a course as buttons grouped by day: for booking, and for moving a booking.

use leptos::prelude::*;

use crate::components::LocalTime;
use crate::format;
use crate::session::use_session;

/// Days of free slots listed before "show more".
const FIRST_DAYS: usize = 7;

/// Free starts grouped by day: local days in the browser, UTC days on the server.
fn by_day(slots: &[i64], local: bool) -> Vec<(String, Vec<i64>)> {
    let mut days: Vec<(String, Vec<i64>)> = Vec::new();
    for &start in slots {
        let day = if local {
            format::local::day(start)
        } else {
            format::utc_day(start)
        };
        match days.last_mut() {
            Some((d, starts)) if *d == day => starts.push(start),
            _ => days.push((day, vec![start])),
        }
    }
    days
}

/// The free starts (UTC seconds, ascending), a week of days at first; `selected` shows
/// pressed, and a click hands the start to `on_select`.
#[component]
pub fn SlotPicker(
    slots: Vec<i64>,
    #[prop(into)] selected: Signal<Option<i64>>,
    on_select: impl Fn(i64) + Clone + Send + 'static,
) -> impl IntoView {
    let session = use_session();
    let all_days = RwSignal::new(false);
    move || {
        if slots.is_empty() {
            return view! { <p>"No free times in the next 4 weeks."</p> }.into_any();
        }
        let days = by_day(&slots, session.ready());
        let total = days.len();
        // A week at first, but always up to the selected slot's day.
        let selected_day = days
            .iter()
            .position(|(_, starts)| selected.get().is_some_and(|s| starts.contains(&s)))
            .map_or(0, |i| i + 1);
        let shown = if all_days.get() {
            total
        } else {
            total.min(FIRST_DAYS.max(selected_day))
        };
        let more = (shown < total).then(|| {
            view! {
                <button type="button" class="btn btn-quiet" on:click=move |_| all_days.set(true)>
                    {format!("Show {} more days", total - shown)}
                </button>
            }
        });
        let on_select = on_select.clone();
        let list = days
            .into_iter()
            .take(shown)
            .map(move |(day, starts)| {
                let on_select = on_select.clone();
                view! {
                    <div class="slot-day">
                        <h3>{day}</h3>
                        <div class="slots">
                            {starts.into_iter().map(|s| {
                                let on_select = on_select.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="slot"
                                        class:selected=move || selected.get() == Some(s)
                                        aria-pressed=move || (selected.get() == Some(s)).to_string()
                                        data-start=s.to_string()
                                        on:click=move |_| on_select(s)
                                    >
                                        <LocalTime unix=s clock_only=true/>
                                    </button>
                                }
                            }).collect_view()}
                        </div>
                    </div>
                }
            })
            .collect_view();
        view! { {list} {more} }.into_any()
    }
}
