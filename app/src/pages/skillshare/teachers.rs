use leptos::prelude::*;
use leptos_meta::Title;

use super::SkillShareNav;
use crate::api::skillshare::teachers;
use crate::components::LocalTime;
use crate::format;

/// Every teacher, with specialties, rate and next free slot.
#[component]
pub fn TeachersPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| teachers());
    view! {
        <Title text="Teachers — SkillShare Connect"/>
        <SkillShareNav/>
        <h1>"Find a teacher"</h1>
        <p class="lead">"Book one-to-one sessions with people who know their craft."</p>
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
