use leptos::prelude::*;
use leptos_meta::Title;

use super::reviews::ReviewCard;
use super::slots::SlotPicker;
use super::SkillShareNav;
use crate::api::skillshare::{
    add_review, cancel_booking, edit_review, free_slots, my_bookings, my_calendar_feed,
    reschedule_booking, revoke_calendar_feed, Booking, BookingStatus, CancelledBy, Review,
    StartTime,
};
use crate::api::ApiError;
use crate::components::{Alert, CopyField, LocalTime, RequireAuth};
use crate::format;

#[component]
pub fn BookingsPage() -> impl IntoView {
    view! {
        <Title text="My bookings — SkillShare Connect"/>
        <SkillShareNav/>
        <RequireAuth>
            <BookingHistory/>
            <CalendarFeedSection/>
        </RequireAuth>
    }
}

/// Upcoming bookings (cancellable, movable) and the past and cancelled ones (to review).
#[component]
fn BookingHistory() -> impl IntoView {
    let list = LocalResource::new(my_bookings);
    let notice = RwSignal::new(None::<String>);
    // After any change: say what happened and show the list as it now stands.
    let done = move |message: String| {
        notice.set(Some(message));
        list.refetch();
    };
    let cancel =
        Action::new(|id: &String| cancel_booking(id.clone(), None, format::local::zone_name()));
    Effect::new(move |_| {
        if let Some(Ok(b)) = cancel.value().get() {
            done(format!(
                "Cancelled \"{}\". The time is free again.",
                b.course_title
            ));
        }
    });
    let error = Signal::derive(move || ApiError::of(cancel.value().get()));

    view! {
        <h1>"My bookings"</h1>
        <Alert error notice/>
        {move || match list.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
            Some(Ok(all)) => {
                let t = now_secs();
                let (upcoming, past): (Vec<Booking>, Vec<Booking>) = all
                    .into_iter()
                    .partition(|b| b.status == BookingStatus::Confirmed && b.end_at > t);
                let actions = move |b: Booking| view! { <StudentActions booking=b cancel done/> }.into_any();
                view! {
                    <h2>"Upcoming"</h2>
                    {if upcoming.is_empty() {
                        view! { <p class="muted">"Nothing booked yet. " <a href="/skillshare">"Find a teacher"</a></p> }.into_any()
                    } else {
                        view! { <BookingList rows=upcoming actions/> }.into_any()
                    }}
                    <h2>"Past and cancelled"</h2>
                    {if past.is_empty() {
                        view! { <p class="muted">"None."</p> }.into_any()
                    } else {
                        view! { <BookingList rows=past actions/> }.into_any()
                    }}
                }.into_any()
            }
        }}
    }
}

/// The browser's clock, in UTC seconds. Tests move the server's clock forward, never the
/// browser's: so this only hides what has surely passed, and the server refuses the rest.
#[cfg(feature = "hydrate")]
pub(super) fn now_secs() -> i64 {
    i64::try_from(crate::format::whole(js_sys::Date::now() / 1000.0)).unwrap_or(0)
}

#[cfg(not(feature = "hydrate"))]
pub(super) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// "\"Guitar\" on Tue 1 Dec 2026, 15:00": which session a control is for.
pub(super) fn describe(b: &Booking) -> String {
    format!("\"{}\" on {}", b.course_title, local_when(b.start_at))
}

/// "Tue 1 Dec 2026, 15:00" in the viewer's zone (these pages render in the browser).
pub(super) fn local_when(unix: i64) -> String {
    format!(
        "{}, {}",
        format::local::day(unix),
        format::local::clock(unix)
    )
}

/// "Confirmed", or who cancelled and why.
fn status_text(b: &Booking, for_teacher: bool) -> String {
    if b.status == BookingStatus::Confirmed {
        return "Confirmed".into();
    }
    let by = match (b.cancelled_by, for_teacher) {
        (Some(CancelledBy::Teacher), false) => " by the teacher",
        (Some(CancelledBy::Teacher), true) => " by you",
        (Some(CancelledBy::Student), true) => " by the student",
        _ => "",
    };
    match b.cancel_reason.as_deref().filter(|r| !r.is_empty()) {
        Some(reason) => format!("Cancelled{by}: {reason}"),
        None => format!("Cancelled{by}"),
    }
}

/// Bookings with when (and where from, if moved), course, who and status; `actions` renders
/// what the viewer may do with each one below it.
#[component]
pub fn BookingList(
    rows: Vec<Booking>,
    actions: impl Fn(Booking) -> AnyView + 'static,
    #[prop(optional)] for_teacher: bool,
    #[prop(default = "bookings")] testid: &'static str,
) -> impl IntoView {
    view! {
        <ul class="bookings" data-testid=testid>
            {rows.into_iter().map(|b| {
                let who = if for_teacher { b.student_name.clone() } else { format!("with {}", b.teacher_name) };
                let id = b.id.clone();
                let status = status_text(&b, for_teacher);
                let moved_from = b.previous_start_at;
                let (start, title) = (b.start_at, b.course_title.clone());
                view! {
                    <li class="booking" data-testid="booking" data-booking-id=id>
                        <div class="booking-line">
                            <LocalTime unix=start/>
                            <strong>{title}</strong>
                            <span>{who}</span>
                            <span class="booking-status" data-testid="booking-status">{status}</span>
                        </div>
                        {moved_from.map(|at| view! {
                            <p class="booking-moved muted" data-testid="moved-from">"Moved from " <LocalTime unix=at/></p>
                        })}
                        {actions(b)}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// Which form is open under a booking.
#[derive(Clone, Copy, PartialEq)]
enum Panel {
    Closed,
    Reschedule,
    Review,
}

/// What a student may do with one booking: cancel it, move it, review it (or edit the review).
#[component]
fn StudentActions(
    booking: Booking,
    cancel: Action<String, Result<Booking, ApiError>>,
    done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let now = now_secs();
    let confirmed = booking.status == BookingStatus::Confirmed;
    let unreviewed = confirmed && booking.review.is_none();
    let can_cancel = confirmed && booking.end_at > now;
    // Moving needs 24 h of notice: the server says so when it is too late.
    let can_move = unreviewed && booking.start_at > now;
    let panel = RwSignal::new(Panel::Closed);
    let toggle =
        move |p: Panel| panel.update(|open| *open = if *open == p { Panel::Closed } else { p });
    let expanded = move |p: Panel| move || (panel.get() == p).to_string();
    let id = StoredValue::new(booking.id.clone());
    let own_review = booking.review.clone();
    // Rows of like buttons: each one's name says which session it is for.
    let session = describe(&booking);
    let named = move |action: &str| format!("{action}: {session}");
    view! {
        <div class="booking-actions">
            {can_cancel.then(|| view! {
                <button class="btn btn-quiet" aria-label=named("Cancel") disabled=move || cancel.pending().get()
                    on:click=move |_| { cancel.dispatch(id.get_value()); }>
                    "Cancel"
                </button>
            })}
            {can_move.then(|| view! {
                <button class="btn btn-quiet" aria-label=named("Reschedule") aria-expanded=expanded(Panel::Reschedule)
                    on:click=move |_| toggle(Panel::Reschedule)>
                    "Reschedule"
                </button>
            })}
            // The server's clock decides when a session has ended, so the offer stays up.
            {unreviewed.then(|| view! {
                <button class="btn btn-quiet" aria-label=named("Review this session (after it ends)") aria-expanded=expanded(Panel::Review)
                    on:click=move |_| toggle(Panel::Review)>
                    "Review this session (after it ends)"
                </button>
            })}
        </div>
        {own_review.map(|r| view! { <OwnReview review=r done/> })}
        {move || match panel.get() {
            Panel::Closed => ().into_any(),
            Panel::Reschedule => view! { <Reschedule booking=booking.clone() done/> }.into_any(),
            Panel::Review => view! { <WriteReview booking_id=id.get_value() done/> }.into_any(),
        }}
    }
}

/// The course's free times; confirming one moves the booking there.
#[component]
fn Reschedule(
    booking: Booking,
    done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let course_id = booking.course_id.clone();
    let free = LocalResource::new(move || free_slots(course_id.clone()));
    let chosen = RwSignal::new(None::<i64>);
    let move_to = Action::new(|(id, start): &(String, i64)| {
        reschedule_booking(
            id.clone(),
            StartTime::Unix(*start),
            format::local::zone_name(),
        )
    });
    Effect::new(move |_| match move_to.value().get() {
        Some(Ok(b)) => done(format!(
            "Moved \"{}\" to {}.",
            b.course_title,
            local_when(b.start_at)
        )),
        // Someone just took that time: show what is still free.
        Some(Err(e)) if e.status == 409 => {
            chosen.set(None);
            free.refetch();
        }
        _ => {}
    });
    let error = Signal::derive(move || ApiError::of(move_to.value().get()));
    let id = StoredValue::new(booking.id);
    view! {
        <div class="booking-panel" data-testid="reschedule">
            <p><strong>"Pick a new time"</strong></p>
            {move || match free.get() {
                None => view! { <p class="muted">"Loading free times…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                Some(Ok(s)) => view! {
                    <SlotPicker slots=s.slots selected=chosen on_select=move |start: i64| chosen.set(Some(start))/>
                }.into_any(),
            }}
            <p>
                {move || match chosen.get() {
                    Some(s) => view! { "New time: " <LocalTime unix=s/> }.into_any(),
                    None => view! { "Select a time above." }.into_any(),
                }}
            </p>
            <Alert error/>
            <button
                class="btn btn-primary"
                disabled=move || chosen.get().is_none() || move_to.pending().get()
                on:click=move |_| {
                    if let Some(start) = chosen.get() {
                        move_to.dispatch((id.get_value(), start));
                    }
                }
            >
                "Confirm new time"
            </button>
        </div>
    }
}

/// The text as the API takes it: `None` when left empty.
fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

#[component]
fn WriteReview(
    booking_id: String,
    done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let group = format!("stars-{booking_id}");
    let save = Action::new(move |(stars, text): &(i64, String)| {
        add_review(booking_id.clone(), *stars, optional(text))
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            done("Thank you: your review is posted.".into());
        }
    });
    view! { <ReviewForm group stars=0 text=String::new() save submit="Post review"/> }
}

/// The student's own review, editable for a while after writing it.
#[component]
fn OwnReview(
    review: Review,
    done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    // Past the deadline by our clock means past it by the server's too.
    let editable = now_secs() < review.editable_until;
    let id = review.id.clone();
    let save = Action::new(move |(stars, text): &(i64, String)| {
        edit_review(id.clone(), *stars, optional(text))
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            done("Your review is updated.".into());
        }
    });
    let group = format!("stars-{}", review.id);
    let (stars, text) = (review.stars, review.text.clone());
    view! {
        <ReviewCard review>
            {editable.then(|| view! {
                <button class="btn btn-quiet" aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|e| *e = !*e)>
                    "Edit review"
                </button>
            })}
            {move || editing.get().then(|| view! {
                <ReviewForm group=group.clone() stars text=text.clone() save submit="Save review"/>
            })}
        </ReviewCard>
    }
}

/// 1 to 5 stars (radio buttons named `group`) and an optional text, handed to `save`.
#[component]
fn ReviewForm(
    group: String,
    stars: i64,
    text: String,
    save: Action<(i64, String), Result<Review, ApiError>>,
    submit: &'static str,
) -> impl IntoView {
    let stars = RwSignal::new(stars);
    let text = RwSignal::new(text);
    let error = Signal::derive(move || ApiError::of(save.value().get()));
    view! {
        <form class="booking-panel" data-testid="review-form" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch((stars.get(), text.get()));
        }>
            <fieldset class="stars-input">
                <legend>"Stars"</legend>
                {(1..=5i64).rev().map(|n| view! {
                    <label>
                        <input
                            type="radio"
                            name=group.clone()
                            value=n.to_string()
                            required
                            prop:checked=move || stars.get() == n
                            on:change=move |_| stars.set(n)
                        />
                        {if n == 1 { " 1 star".to_owned() } else { format!(" {n} stars") }}
                    </label>
                }).collect_view()}
            </fieldset>
            <label class="field">
                <span class="field-label">"Your review (optional)"</span>
                <textarea rows="4" maxlength="2000" bind:value=text></textarea>
            </label>
            <Alert error/>
            <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>{submit}</button>
        </form>
    }
}

/// The private address calendar apps subscribe to; revoking it makes a new one.
#[component]
fn CalendarFeedSection() -> impl IntoView {
    let show = Action::new(|_: &()| my_calendar_feed());
    let revoke = Action::new(|_: &()| revoke_calendar_feed());
    // The address last answered, by either.
    let url = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(feed)) = show.value().get() {
            url.set(Some(feed.url));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(feed)) = revoke.value().get() {
            url.set(Some(feed.url));
        }
    });
    let error = Signal::derive(move || {
        ApiError::of(revoke.value().get()).or_else(|| ApiError::of(show.value().get()))
    });
    let notice = Signal::derive(move || {
        revoke.value().get().and_then(Result::ok).map(|_| {
            "Here is a new address. The old one no longer works: update your calendar apps."
                .to_owned()
        })
    });
    let busy = move || show.pending().get() || revoke.pending().get();
    view! {
        <section class="calendar-feed" data-testid="calendar-feed">
            <h2>"Calendar feed"</h2>
            <p class="muted">
                "Subscribe to this private address in your calendar app to see your sessions, as a student and as a teacher. Anyone who has it can read them: if it leaks, make a new one."
            </p>
            <div class="actions">
                <button class="btn" disabled=busy on:click=move |_| { show.dispatch(()); }>
                    "Show my calendar feed address"
                </button>
                <button class="btn btn-quiet danger" disabled=busy on:click=move |_| { revoke.dispatch(()); }>
                    "Revoke and make a new address"
                </button>
            </div>
            <Alert error notice/>
            {move || url.get().map(|url| view! {
                <CopyField label="Calendar feed address" testid="calendar-feed-url" value=url/>
            })}
        </section>
    }
}
