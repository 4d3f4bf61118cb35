use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{level_label, CourseCard, SkillShareNav};
use crate::api::api_resource;
use crate::api::skillshare::{courses, Level};
use crate::format;

/// The course list with filters. The filter form is a plain GET form: it works before (and
/// without) any script, and every filtered view has its own URL.
#[component]
pub fn CoursesPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| {
        query
            .with(|q| q.get(k))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let filters = move || {
        (
            param("skill"),
            param("level").and_then(|l| Level::ALL.into_iter().find(|x| x.as_str() == l)),
            param("max_price").and_then(|p| format::parse_cents(&p)),
            param("q"),
        )
    };
    let list = api_resource(filters, |(skill, level, max_price, q)| {
        courses(skill, level, max_price, q)
    });
    view! {
        <Title text="Courses — SkillShare Connect"/>
        <SkillShareNav/>
        <h1>"Courses"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading courses…"</p> }>
            {move || Suspend::new(async move {
                let (skill, level, _, q) = filters();
                let max_price = param("max_price").unwrap_or_default();
                match list.await {
                    Err(e) => view! { <p class="alert alert-error">{e.message}</p> }.into_any(),
                    Ok(found) => view! {
                        <form class="filters" method="get" action="/skillshare/courses">
                            <label>"Skill "
                                <select name="skill" aria-label="Skill">
                                    <option value="">"Any skill"</option>
                                    {found.skills.into_iter().map(|s| {
                                        let selected = skill.as_deref() == Some(s.as_str());
                                        view! { <option value=s.clone() selected=selected>{s.clone()}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                            <label>"Level "
                                <select name="level" aria-label="Level">
                                    <option value="">"Any level"</option>
                                    {Level::ALL.into_iter().map(|l| view! {
                                        <option value=l.as_str() selected=level == Some(l)>{level_label(l)}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                            <label>"Max price $ "
                                <input name="max_price" type="number" min="0" step="1" value=max_price aria-label="Max price"/>
                            </label>
                            <label>"Search "
                                <input name="q" type="search" value=q.unwrap_or_default() placeholder="e.g. chords" aria-label="Search"/>
                            </label>
                            <button class="btn btn-primary" type="submit">"Filter"</button>
                            <a class="btn btn-quiet" href="/skillshare/courses">"Clear"</a>
                        </form>
                        <p class="muted" data-testid="course-count">{format!("{} courses", found.courses.len())}</p>
                        <div class="cards">
                            {found.courses.into_iter().map(|c| view! { <CourseCard course=c show_teacher=true/> }).collect_view()}
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
