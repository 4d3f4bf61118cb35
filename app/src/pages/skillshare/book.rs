use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;

use super::slots::SlotPicker;
use super::{level_label, SkillShareNav};
use crate::api::skillshare::{book, free_slots, Booking, StartTime};
use crate::api::{api_resource, ApiError};
use crate::components::{Alert, LocalTime};
use crate::format::{self, url_encode};
use crate::session::use_session;

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
    let data = api_resource(course_id, free_slots);
    let confirm = Action::new(|(course_id, start): &(String, i64)| {
        book(
            course_id.clone(),
            StartTime::Unix(*start),
            format::local::zone_name(),
        )
    });
    let booked = RwSignal::new(None::<Booking>);
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
                            <SlotPicker slots=slots.clone() selected=Signal::derive(selected) on_select=select.clone()/>
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
