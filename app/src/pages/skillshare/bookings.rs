use leptos::prelude::*;
use leptos_meta::Title;

use super::SkillShareNav;
use crate::api::skillshare::{cancel_booking, my_bookings, Booking, BookingStatus};
use crate::api::ApiError;
use crate::components::{Alert, LocalTime, RequireAuth};
use crate::format;

#[component]
pub fn BookingsPage() -> impl IntoView {
    view! {
        <Title text="My bookings — SkillShare Connect"/>
        <SkillShareNav/>
        <RequireAuth>
            <BookingHistory/>
        </RequireAuth>
    }
}

/// Upcoming bookings (cancellable) and the past and cancelled ones.
#[component]
fn BookingHistory() -> impl IntoView {
    let list = LocalResource::new(my_bookings);
    let cancel =
        Action::new(|id: &String| cancel_booking(id.clone(), None, format::local::zone_name()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = cancel.value().get() {
            list.refetch();
        }
    });
    let error = Signal::derive(move || ApiError::of(cancel.value().get()));
    let notice = Signal::derive(move || {
        cancel
            .value()
            .get()
            .and_then(Result::ok)
            .map(|b| format!("Cancelled \"{}\". The time is free again.", b.course_title))
    });
    let now = move || (js_now_secs)();

    view! {
        <h1>"My bookings"</h1>
        <Alert error notice/>
        {move || match list.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
            Some(Ok(all)) => {
                let t = now();
                let (upcoming, past): (Vec<Booking>, Vec<Booking>) = all
                    .into_iter()
                    .partition(|b| b.status == BookingStatus::Confirmed && b.end_at > t);
                view! {
                    <h2>"Upcoming"</h2>
                    {if upcoming.is_empty() {
                        view! { <p class="muted">"Nothing booked yet. " <a href="/skillshare">"Find a teacher"</a></p> }.into_any()
                    } else {
                        view! { <BookingTable rows=upcoming cancel=Some(cancel)/> }.into_any()
                    }}
                    <h2>"Past and cancelled"</h2>
                    {if past.is_empty() {
                        view! { <p class="muted">"None."</p> }.into_any()
                    } else {
                        view! { <BookingTable rows=past cancel=None/> }.into_any()
                    }}
                }.into_any()
            }
        }}
    }
}

#[cfg(feature = "hydrate")]
fn js_now_secs() -> i64 {
    i64::try_from(crate::format::whole(js_sys::Date::now() / 1000.0)).unwrap_or(0)
}

#[cfg(not(feature = "hydrate"))]
fn js_now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

#[component]
pub fn BookingTable(
    rows: Vec<Booking>,
    cancel: Option<Action<String, Result<Booking, ApiError>>>,
    #[prop(optional)] for_teacher: bool,
) -> impl IntoView {
    view! {
        <table class="table" data-testid=if for_teacher { "teaching-bookings" } else { "bookings" }>
            <thead>
                <tr>
                    <th>"When"</th>
                    <th>"Course"</th>
                    <th>{if for_teacher { "Student" } else { "Teacher" }}</th>
                    <th>"Status"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|b| {
                    let id = b.id.clone();
                    let status = match b.status {
                        BookingStatus::Confirmed => "Confirmed".to_owned(),
                        BookingStatus::Cancelled => match b.cancel_reason.as_deref().filter(|r| !r.is_empty()) {
                            Some(r) => format!("Cancelled ({r})"),
                            None => "Cancelled".to_owned(),
                        },
                    };
                    view! {
                        <tr>
                            <td><LocalTime unix=b.start_at/></td>
                            <td>{b.course_title}</td>
                            <td>{if for_teacher { b.student_name } else { b.teacher_name }}</td>
                            <td>{status}</td>
                            <td>
                                {cancel.map(|action| view! {
                                    <button
                                        class="btn btn-quiet"
                                        disabled=move || action.pending().get()
                                        on:click=move |_| { action.dispatch(id.clone()); }
                                    >
                                        "Cancel"
                                    </button>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
