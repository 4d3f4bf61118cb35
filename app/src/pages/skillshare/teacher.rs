use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::reviews::{RatingSummary, ReviewCard};
use super::{hhmm, CourseCard, SkillShareNav, WEEKDAYS};
use crate::api::api_resource;
use crate::api::skillshare::{teacher_details, Window};
use crate::format;

/// "Monday: 09:00–12:00, 14:00–18:00" per day with availability.
fn weekly(windows: &[Window]) -> Vec<(&'static str, String)> {
    (0..7u8)
        .filter_map(|d| {
            let ranges: Vec<String> = windows
                .iter()
                .filter(|w| w.weekday == d)
                .map(|w| format!("{}–{}", hhmm(w.start_minute), hhmm(w.end_minute)))
                .collect();
            (!ranges.is_empty()).then(|| (WEEKDAYS[d as usize], ranges.join(", ")))
        })
        .collect()
}

/// A teacher's profile: bio, weekly availability, courses, rating and the latest reviews.
#[component]
pub fn TeacherPage() -> impl IntoView {
    let params = use_params_map();
    let profile = api_resource(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        teacher_details,
    );
    view! {
        <SkillShareNav/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Err(e) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                    Ok(p) => {
                        let t = p.teacher;
                        view! {
                            <Title text=format!("{} — SkillShare Connect", t.display_name)/>
                            <section class="profile">
                                <h1>{t.display_name.clone()}</h1>
                                <p class="meta">
                                    {t.specialties.into_iter().map(|s| view! { <span class="tag">{s}</span> }).collect_view()}
                                </p>
                                <p>{t.bio}</p>
                                <p class="muted">{format!("{} per hour", format::money(t.hourly_rate_cents))}</p>
                                <h2>"Weekly availability"</h2>
                                <p class="muted">{format!("Local time in {}.", t.time_zone)}</p>
                                <ul class="availability">
                                    {weekly(&p.availability).into_iter().map(|(day, ranges)| view! {
                                        <li><strong>{day}</strong>": "{ranges}</li>
                                    }).collect_view()}
                                </ul>
                                <h2>"Courses"</h2>
                                <div class="cards">
                                    {p.courses.into_iter().map(|c| view! { <CourseCard course=c/> }).collect_view()}
                                </div>
                                <h2 id="reviews">"Reviews"</h2>
                                <RatingSummary rating=p.rating/>
                                <div class="reviews" data-testid="reviews">
                                    {p.reviews.into_iter().map(|review| view! { <ReviewCard review/> }).collect_view()}
                                </div>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
