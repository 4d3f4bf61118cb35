use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::reviews::RatingBadge;
use super::SkillShareNav;
use crate::api::api_resource;
use crate::api::skillshare::{teachers, TeacherSort};
use crate::components::LocalTime;
use crate::format;

fn sort_label(sort: TeacherSort) -> &'static str {
    match sort {
        TeacherSort::Name => "Name",
        TeacherSort::Rating => "Rating",
        TeacherSort::Price => "Price",
        TeacherSort::NextFree => "Next free slot",
    }
}

/// Every teacher, with specialties, rate, rating and next free slot. The order lives in the
/// URL (`?sort=`): the server renders it, and the form works without script.
#[component]
pub fn TeachersPage() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let sort = move || {
        query
            .with(|q| q.get("sort"))
            .and_then(|s| TeacherSort::parse(&s))
            .unwrap_or_default()
    };
    let list = api_resource(sort, |sort| teachers(Some(sort)));
    view! {
        <Title text="Teachers — SkillShare Connect"/>
        <SkillShareNav/>
        <h1>"Find a teacher"</h1>
        <p class="lead">"Book one-to-one sessions with people who know their craft."</p>
        <form class="filters" method="get" action="/skillshare">
            <label>"Sort by "
                <select name="sort" aria-label="Sort by" on:change=move |ev| {
                    navigate(
                        &format!("/skillshare?sort={}", event_target_value(&ev)),
                        NavigateOptions { replace: true, scroll: false, ..Default::default() },
                    );
                }>
                    {TeacherSort::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || sort() == s>{sort_label(s)}</option>
                    }).collect_view()}
                </select>
            </label>
            // Without script the choice applies on submit; with it, at once.
            <button class="btn btn-quiet" type="submit">"Sort"</button>
        </form>
        <Suspense fallback=|| view! { <p class="muted">"Loading teachers…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                    Ok(teachers) => view! {
                        <div class="cards">
                            {teachers.into_iter().map(|t| {
                                let href = format!("/skillshare/teachers/{}", t.id);
                                view! {
                                    <article class="card teacher" data-testid="teacher">
                                        <h2><a href=href.clone()>{t.display_name}</a></h2>
                                        <p class="meta">
                                            {t.specialties.into_iter().map(|s| view! { <span class="tag">{s}</span> }).collect_view()}
                                        </p>
                                        <p class="rating" data-testid="teacher-rating">
                                            <RatingBadge average=t.rating_average count=t.rating_count/>
                                        </p>
                                        <p class="muted">{format!("{} per hour · {}", format::money(t.hourly_rate_cents), t.time_zone)}</p>
                                        <p>
                                            "Next free: "
                                            {match t.next_free_slot {
                                                Some(at) => view! { <LocalTime unix=at/> }.into_any(),
                                                None => view! { <span>"fully booked"</span> }.into_any(),
                                            }}
                                        </p>
                                        <a class="btn" href=href>"See courses and times"</a>
                                    </article>
                                }
                            }).collect_view()}
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
