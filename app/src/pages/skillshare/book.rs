use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;

use super::{level_label, SkillShareNav};
use crate::api::skillshare::{book, free_slots, Booking, StartTime};
use crate::api::ApiError;
use crate::components::{Alert, LocalTime};
use crate::format::{self, url_encode};
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

/// Pick a free time for a course and book it. The chosen time lives in the URL (`?start=`),
/// so a visitor sent to log in comes back to the same booking with the slot still selected.
#[component]
pub fn BookPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let query = use_query_map();
    let navigate = use_navigate();
    let course_id = move || params.with(|p| p.get("course_id").unwrap_or_default());
    let selected = move || {
        query
            .with(|q| q.get("start"))
            .and_then(|s| s.parse::<i64>().ok())
    };
    let data = Resource::new(course_id, free_slots);
    let confirm = Action::new(|(course_id, start): &(String, i64)| {
        book(
            course_id.clone(),
            StartTime::Unix(*start),
            format::local::zone_name(),
        )
    });
    let booked = RwSignal::new(None::<Booking>);
    let all_days = RwSignal::new(false);
    Effect::new(move |_| match confirm.value().get() {
        Some(Ok(b)) => booked.set(Some(b)),
        // The slot went to someone else: show what is still free.
        Some(Err(e)) if e.status == 409 => data.refetch(),
        _ => {}
    });

    let here = move |start: i64| format!("/skillshare/book/{}?start={start}", course_id());
    let select = {
        let navigate = navigate.clone();
        move |start: i64| {
            navigate(
                &here(start),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    };
    let on_book = move |_| {
        let Some(start) = selected() else { return };
        if session.logged_in() {
            confirm.dispatch((course_id(), start));
        } else {
            navigate(
                &format!("/login?next={}", url_encode(&here(start))),
                Default::default(),
            );
        }
    };
    let error = Signal::derive(move || ApiError::of(confirm.value().get()));

    view! {
        <SkillShareNav/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let select = select.clone();
                let on_book = on_book.clone();
                Suspend::new(async move {
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                };
                let course = d.course;
                let teacher_href = format!("/skillshare/teachers/{}", d.teacher.id);
                let slots = d.slots;
                view! {
                    <Title text=format!("Book {} — SkillShare Connect", course.title)/>
                    <section class="panel wide">
                        <h1>{course.title.clone()}</h1>
                        <p class="meta">
                            <span class="tag">{course.skill.clone()}</span>
                            <span class="tag">{level_label(course.level)}</span>
                            {format!("{} min · {} · with ", course.duration_minutes, format::money(course.price_cents))}
                            <a href=teacher_href>{d.teacher.display_name.clone()}</a>
                        </p>
                        <Show
                            when=move || booked.get().is_none()
                            fallback=move || {
                                let b = booked.get();
                                view! {
                                    <div class="alert alert-ok" role="status" data-testid="booked">
                                        <p><strong>"Booked!"</strong></p>
                                        <p>{b.as_ref().map(|b| format!("{} with {}", b.course_title, b.teacher_name))}
                                           " on " {b.as_ref().map(|b| view! { <LocalTime unix=b.start_at/> })}
                                           ". A confirmation email is on its way."</p>
                                        <p><a href="/skillshare/bookings">"See my bookings"</a></p>
                                    </div>
                                }
                            }
                        >
                            <h2>"Pick a time"</h2>
                            <p class="muted">
                                {move || if session.ready() {
                                    format!("Times in your time zone ({}).", format::local::zone_name().unwrap_or_else(|| "local".into()))
                                } else {
                                    "Times in UTC.".to_owned()
                                }}
                            </p>
                            {
                                let slots = slots.clone();
                                let select = select.clone();
                                move || {
                                    if slots.is_empty() {
                                        return view! { <p>"No free times in the next 4 weeks."</p> }.into_any();
                                    }
                                    let select = select.clone();
                                    let days = by_day(&slots, session.ready());
                                    let total = days.len();
                                    // A week at first, but always up to the selected slot's day.
                                    let selected_day = days
                                        .iter()
                                        .position(|(_, starts)| selected().is_some_and(|s| starts.contains(&s)))
                                        .map_or(0, |i| i + 1);
                                    let shown = if all_days.get() { total } else { total.min(FIRST_DAYS.max(selected_day)) };
                                    let more = (shown < total).then(|| view! {
                                        <button type="button" class="btn btn-quiet" on:click=move |_| all_days.set(true)>
                                            {format!("Show {} more days", total - shown)}
                                        </button>
                                    });
                                    let list = days.into_iter().take(shown).map(move |(day, starts)| {
                                        let select = select.clone();
                                        view! {
                                            <div class="slot-day">
                                                <h3>{day}</h3>
                                                <div class="slots">
                                                    {starts.into_iter().map(|s| {
                                                        let select = select.clone();
                                                        view! {
                                                            <button
                                                                type="button"
                                                                class="slot"
                                                                class:selected=move || selected() == Some(s)
                                                                aria-pressed=move || (selected() == Some(s)).to_string()
                                                                data-start=s.to_string()
                                                                on:click=move |_| select(s)
                                                            >
                                                                <LocalTime unix=s clock_only=true/>
                                                            </button>
                                                        }
                                                    }).collect_view()}
                                                </div>
                                            </div>
                                        }
                                    }).collect_view();
                                    view! { {list} {more} }.into_any()
                                }
                            }
                            <div class="book-bar">
                                <p data-testid="selected-slot">
                                    {move || match selected() {
                                        Some(s) => view! { "Selected: " <LocalTime unix=s/> }.into_any(),
                                        None => view! { "Select a time above." }.into_any(),
                                    }}
                                </p>
                                <Alert error/>
                                <button
                                    class="btn btn-primary"
                                    disabled=move || !session.ready() || selected().is_none() || confirm.pending().get()
                                    on:click=on_book.clone()
                                >
                                    {move || if session.logged_in() { "Confirm booking" } else { "Log in to book" }}
                                </button>
                            </div>
                        </Show>
                    </section>
                }.into_any()
            })}}
        </Suspense>
    }
}
