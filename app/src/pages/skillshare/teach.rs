use leptos::prelude::*;
use leptos_meta::Title;

use super::bookings::BookingList;
use super::reviews::ReviewCard;
use super::{hhmm, SkillShareNav, WEEKDAYS};
use crate::api::skillshare::{
    mark_unavailable, my_teaching, publish_course, remove_unavailable, reply_to_review,
    save_teacher_profile, set_availability, teacher_cancel_booking, Booking, BookingStatus,
    CourseDraft, Level, Review, StartTime, TeacherDraft, TeacherProfile, Unavailable, Window,
};
use crate::api::ApiError;
use crate::components::{Alert, Field, LocalTime};
use crate::format;

#[component]
pub fn TeachPage() -> impl IntoView {
    view! {
        <Title text="Teach — SkillShare Connect"/>
        <SkillShareNav/>
        <crate::components::RequireAuth>
            <TeachDashboard/>
        </crate::components::RequireAuth>
    }
}

/// "09:00-12:00, 14:00-18:00" -> windows for `weekday`.
fn parse_ranges(weekday: u8, text: &str) -> Result<Vec<Window>, String> {
    let minute = |t: &str| -> Result<u16, String> {
        let (h, m) = t
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("{t:?} is not a time like 09:00"))?;
        let (h, m): (u16, u16) = (
            h.parse().map_err(|_| format!("{t:?} is not a time"))?,
            m.parse().map_err(|_| format!("{t:?} is not a time"))?,
        );
        Ok(h * 60 + m)
    };
    text.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            let (a, b) = r
                .split_once('-')
                .ok_or_else(|| format!("{r:?} is not a range like 09:00-12:00"))?;
            Ok(Window {
                weekday,
                start_minute: minute(a)?,
                end_minute: minute(b)?,
            })
        })
        .collect()
}

fn ranges_text(windows: &[Window], weekday: u8) -> String {
    windows
        .iter()
        .filter(|w| w.weekday == weekday)
        .map(|w| format!("{}-{}", hhmm(w.start_minute), hhmm(w.end_minute)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Your teacher profile, weekly availability, dates off, courses, who booked them, and
/// what students said.
#[component]
fn TeachDashboard() -> impl IntoView {
    let teaching = LocalResource::new(my_teaching);
    view! {
        <h1>"Teach on SkillShare Connect"</h1>
        {move || match teaching.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
            Some(Ok(t)) => {
                let refresh = move || teaching.refetch();
                let cancel = move |b: Booking| view! { <TeacherCancel booking=b on_done=refresh/> }.into_any();
                view! {
                    <ProfileForm profile=t.profile.clone() on_saved=refresh/>
                    {t.profile.clone().map(|p| view! {
                        <AvailabilityForm profile=p.clone() on_saved=refresh/>
                        <UnavailableDates ranges=t.unavailable.clone() on_saved=refresh/>
                        <CourseForm on_saved=refresh/>
                        <h2>"Your courses"</h2>
                        <ul>{p.courses.into_iter().map(|c| view! {
                            <li><a href=format!("/skillshare/book/{}", c.id)>{c.title}</a>{format!(" · {} min · {}", c.duration_minutes, format::money(c.price_cents))}</li>
                        }).collect_view()}</ul>
                        <h2>"Bookings of your courses"</h2>
                        <BookingList rows=t.bookings.clone() for_teacher=true testid="teaching-bookings" actions=cancel/>
                        <h2>"Reviews of your sessions"</h2>
                        <TeacherReviews reviews=p.reviews on_saved=refresh/>
                    })}
                }.into_any()
            }
        }}
    }
}

/// "Cancel…" on a confirmed booking of your course: the reason goes to the student.
#[component]
fn TeacherCancel(
    booking: Booking,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    // Ended sessions are history: the server would refuse.
    if booking.status != BookingStatus::Confirmed || booking.end_at <= super::bookings::now_secs() {
        return ().into_any();
    }
    let label = format!(
        "Cancel…: {} with {}",
        super::bookings::describe(&booking),
        booking.student_name
    );
    let asking = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let cancel = Action::new(|(id, reason): &(String, String)| {
        teacher_cancel_booking(id.clone(), reason.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = cancel.value().get() {
            on_done();
        }
    });
    let error = Signal::derive(move || ApiError::of(cancel.value().get()));
    let id = StoredValue::new(booking.id);
    view! {
        <div class="booking-actions">
            <button class="btn btn-quiet danger" aria-label=label aria-expanded=move || asking.get().to_string()
                on:click=move |_| asking.update(|a| *a = !*a)>
                "Cancel…"
            </button>
        </div>
        {move || asking.get().then(|| view! {
            <form class="booking-panel inline-form" data-testid="teacher-cancel" on:submit=move |ev| {
                ev.prevent_default();
                cancel.dispatch((id.get_value(), reason.get()));
            }>
                <label>
                    "Reason (sent to the student) "
                    <input type="text" required maxlength="500" bind:value=reason/>
                </label>
                <button class="btn btn-primary" type="submit" disabled=move || cancel.pending().get()>"Cancel booking"</button>
                <button class="btn btn-quiet" type="button" on:click=move |_| asking.set(false)>"Keep it"</button>
            </form>
            <Alert error/>
        })}
    }
    .into_any()
}

/// Holidays and other time off, on top of the weekly hours; each range lists the bookings
/// already inside it, to cancel or keep.
#[component]
fn UnavailableDates(
    ranges: Vec<Unavailable>,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let parse_error = RwSignal::new(None::<ApiError>);
    let mark = Action::new(|(from, to): &(String, String)| {
        mark_unavailable(StartTime::Text(from.clone()), StartTime::Text(to.clone()))
    });
    let remove = Action::new(|id: &String| remove_unavailable(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = mark.value().get() {
            from.set(String::new());
            to.set(String::new());
            on_saved();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            on_saved();
        }
    });
    let error = Signal::derive(move || {
        parse_error
            .get()
            .or_else(|| ApiError::of(mark.value().get()))
            .or_else(|| ApiError::of(remove.value().get()))
    });
    let cancel = move |b: Booking| view! { <TeacherCancel booking=b on_done=on_saved/> }.into_any();
    view! {
        <section class="panel wide" data-testid="unavailable-dates">
            <h2>"Unavailable dates"</h2>
            <p class="muted">"Times you are away: nobody can book them. Bookings already made stay until you cancel them."</p>
            <form class="inline-form" on:submit=move |ev| {
                ev.prevent_default();
                // The inputs hold local times without a zone: the browser adds its own.
                match (format::local::to_rfc3339(&from.get()), format::local::to_rfc3339(&to.get())) {
                    (Some(a), Some(b)) => {
                        parse_error.set(None);
                        mark.dispatch((a, b));
                    }
                    _ => parse_error.set(Some(ApiError::bad_request("Pick a start and an end, date and time."))),
                }
            }>
                <label>"From " <input type="datetime-local" required bind:value=from/></label>
                <label>"To " <input type="datetime-local" required bind:value=to/></label>
                <button class="btn btn-primary" type="submit" disabled=move || mark.pending().get()>"Mark unavailable"</button>
            </form>
            <Alert error/>
            {if ranges.is_empty() {
                view! { <p class="muted">"No dates marked."</p> }.into_any()
            } else {
                view! {
                    <ul class="unavailable" data-testid="unavailable">
                        {ranges.into_iter().map(|u| {
                            let id = u.id.clone();
                            let inside = u.bookings.len();
                            let label = format!(
                                "Remove the unavailable range {} – {}",
                                super::bookings::local_when(u.from),
                                super::bookings::local_when(u.to)
                            );
                            view! {
                                <li data-testid="unavailable-range">
                                    <div class="booking-line">
                                        <span><LocalTime unix=u.from/>" – "<LocalTime unix=u.to/></span>
                                        <button class="btn btn-quiet" aria-label=label disabled=move || remove.pending().get()
                                            on:click=move |_| { remove.dispatch(id.clone()); }>
                                            "Remove"
                                        </button>
                                    </div>
                                    {(inside > 0).then(|| view! {
                                        <p class="muted">{format!(
                                            "{inside} {} inside this range:",
                                            if inside == 1 { "booking" } else { "bookings" },
                                        )}</p>
                                        <BookingList rows=u.bookings for_teacher=true testid="bookings-inside" actions=cancel/>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// What students wrote about your sessions, each with a reply form until you have replied.
#[component]
fn TeacherReviews(
    reviews: Vec<Review>,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    if reviews.is_empty() {
        return view! { <p class="muted">"No reviews yet."</p> }.into_any();
    }
    view! {
        <div class="reviews" data-testid="teacher-reviews">
            {reviews.into_iter().map(|r| {
                let reply = r.reply.is_none().then(|| r.id.clone());
                view! {
                    <ReviewCard review=r>
                        {reply.map(|id| view! { <ReplyForm review_id=id on_saved/> })}
                    </ReviewCard>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}

#[component]
fn ReplyForm(
    review_id: String,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let reply = Action::new(|(id, text): &(String, String)| {
        reply_to_review(id.clone(), text.trim().to_owned())
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = reply.value().get() {
            on_saved();
        }
    });
    let error = Signal::derive(move || ApiError::of(reply.value().get()));
    view! {
        <form class="booking-panel" data-testid="reply-form" on:submit=move |ev| {
            ev.prevent_default();
            reply.dispatch((review_id.clone(), text.get()));
        }>
            <label class="field">
                <span class="field-label">"Your reply (shown under the review, once)"</span>
                <textarea rows="3" maxlength="2000" required bind:value=text></textarea>
            </label>
            <Alert error/>
            <button class="btn" type="submit" disabled=move || reply.pending().get()>"Post reply"</button>
        </form>
    }
}

#[component]
fn ProfileForm(
    profile: Option<TeacherProfile>,
    on_saved: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let t = profile.as_ref().map(|p| p.teacher.clone());
    let name = RwSignal::new(
        t.as_ref()
            .map(|t| t.display_name.clone())
            .unwrap_or_default(),
    );
    let bio = RwSignal::new(t.as_ref().map(|t| t.bio.clone()).unwrap_or_default());
    let specialties = RwSignal::new(
        t.as_ref()
            .map(|t| t.specialties.join(", "))
            .unwrap_or_default(),
    );
    let rate = RwSignal::new(
        t.as_ref()
            .map(|t| format!("{:.2}", t.hourly_rate_cents as f64 / 100.0))
            .unwrap_or_default(),
    );
    let zone = RwSignal::new(
        t.as_ref()
            .map(|t| t.time_zone.clone())
            .or_else(format::local::zone_name)
            .unwrap_or_else(|| "UTC".into()),
    );
    let save = Action::new(|draft: &TeacherDraft| save_teacher_profile(draft.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            on_saved();
        }
    });
    let error = Signal::derive(move || ApiError::of(save.value().get()));
    view! {
        <section class="panel wide">
            <h2>{if profile.is_some() { "Your teacher profile" } else { "Create your teacher profile" }}</h2>
            <form on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(TeacherDraft {
                    display_name: name.get(),
                    bio: bio.get(),
                    specialties: specialties.get().split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
                    hourly_rate_cents: format::parse_cents(&rate.get()).unwrap_or(-1),
                    time_zone: zone.get(),
                });
            }>
                <Field label="Display name" name="teacher-name" value=name/>
                <Field label="About you" name="bio" value=bio/>
                <Field label="Specialties (comma separated)" name="specialties" value=specialties/>
                <Field label="Hourly rate ($)" name="rate" value=rate inputmode="decimal"/>
                <Field label="Time zone" name="time-zone" value=zone hint="An IANA name, like Europe/Paris."/>
                <Alert error/>
                <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>"Save profile"</button>
            </form>
        </section>
    }
}

#[component]
fn AvailabilityForm(
    profile: TeacherProfile,
    on_saved: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let days: Vec<RwSignal<String>> = (0..7u8)
        .map(|d| RwSignal::new(ranges_text(&profile.availability, d)))
        .collect();
    let save = Action::new(|windows: &Vec<Window>| set_availability(windows.clone()));
    let parse_error = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            on_saved();
        }
    });
    let error = Signal::derive(move || {
        parse_error
            .get()
            .or_else(|| ApiError::of(save.value().get()))
    });
    let fields = days.clone();
    view! {
        <section class="panel wide">
            <h2>"Weekly availability"</h2>
            <p class="muted">{format!("Local times in {}, like 09:00-12:00, 14:00-18:00. Leave a day empty if you do not teach then.", profile.teacher.time_zone)}</p>
            <form on:submit=move |ev| {
                ev.prevent_default();
                let mut windows = Vec::new();
                for (d, text) in days.iter().enumerate() {
                    match parse_ranges(u8::try_from(d).unwrap_or(0), &text.get()) {
                        Ok(mut w) => windows.append(&mut w),
                        Err(message) => {
                            parse_error.set(Some(ApiError::bad_request(message)));
                            return;
                        }
                    }
                }
                parse_error.set(None);
                save.dispatch(windows);
            }>
                <div class="week">
                    {fields.into_iter().enumerate().map(|(d, value)| view! {
                        <label class="field">
                            <span class="field-label">{WEEKDAYS[d]}</span>
                            <input type="text" bind:value=value placeholder="e.g. 09:00-17:00"/>
                        </label>
                    }).collect_view()}
                </div>
                <Alert error/>
                <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>"Save availability"</button>
            </form>
        </section>
    }
}

#[component]
fn CourseForm(on_saved: impl Fn() + Copy + 'static) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let skill = RwSignal::new(String::new());
    let level = RwSignal::new("beginner".to_owned());
    let duration = RwSignal::new("60".to_owned());
    let price = RwSignal::new(String::new());
    let publish = Action::new(|draft: &CourseDraft| publish_course(draft.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = publish.value().get() {
            on_saved();
        }
    });
    let error = Signal::derive(move || ApiError::of(publish.value().get()));
    view! {
        <section class="panel wide">
            <h2>"Publish a course"</h2>
            <form on:submit=move |ev| {
                ev.prevent_default();
                publish.dispatch(CourseDraft {
                    title: title.get(),
                    description: description.get(),
                    skill: skill.get(),
                    level: Level::ALL.into_iter().find(|l| l.as_str() == level.get()).unwrap_or(Level::Beginner),
                    duration_minutes: duration.get().trim().parse().unwrap_or(0),
                    price_cents: format::parse_cents(&price.get()).unwrap_or(-1),
                });
            }>
                <Field label="Title" name="course-title" value=title/>
                <Field label="Description" name="course-description" value=description/>
                <Field label="Skill" name="course-skill" value=skill/>
                <label class="field">
                    <span class="field-label">"Level"</span>
                    <select bind:value=level>
                        <option value="beginner">"Beginner"</option>
                        <option value="intermediate">"Intermediate"</option>
                        <option value="advanced">"Advanced"</option>
                    </select>
                </label>
                <Field label="Duration (minutes)" name="course-duration" value=duration inputmode="numeric"/>
                <Field label="Price ($)" name="course-price" value=price inputmode="decimal"/>
                <Alert error/>
                <button class="btn btn-primary" type="submit" disabled=move || publish.pending().get()>"Publish course"</button>
            </form>
        </section>
    }
}
