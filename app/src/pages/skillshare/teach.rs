use leptos::prelude::*;
use leptos_meta::Title;

use super::bookings::BookingTable;
use super::{hhmm, SkillShareNav, WEEKDAYS};
use crate::api::skillshare::{
    my_teaching, publish_course, save_teacher_profile, set_availability, CourseDraft, Level,
    TeacherDraft, TeacherProfile, Window,
};
use crate::api::ApiError;
use crate::components::{Alert, Field};
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

/// Your teacher profile, weekly availability, courses, and who booked them.
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
                view! {
                    <ProfileForm profile=t.profile.clone() on_saved=refresh/>
                    {t.profile.clone().map(|p| view! {
                        <AvailabilityForm profile=p.clone() on_saved=refresh/>
                        <CourseForm on_saved=refresh/>
                        <h2>"Your courses"</h2>
                        <ul>{p.courses.into_iter().map(|c| view! {
                            <li><a href=format!("/skillshare/book/{}", c.id)>{c.title}</a>{format!(" · {} min · {}", c.duration_minutes, format::money(c.price_cents))}</li>
                        }).collect_view()}</ul>
                        <h2>"Bookings of your courses"</h2>
                        <BookingTable rows=t.bookings.clone() cancel=None for_teacher=true/>
                    })}
                }.into_any()
            }
        }}
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
