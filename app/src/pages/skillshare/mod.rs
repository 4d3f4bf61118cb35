//! SkillShare Connect pages. The catalogue renders completely on the server (routes use
//! `SsrMode::Async`), so it reads well before any script runs.

pub mod book;
pub mod bookings;
pub mod courses;
pub mod reviews;
pub mod slots;
pub mod teach;
pub mod teacher;
pub mod teachers;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::skillshare::{Course, Level};
use crate::format;

/// The marketplace's own menu.
#[component]
pub fn SkillShareNav() -> impl IntoView {
    view! {
        <nav class="subnav" aria-label="SkillShare Connect">
            <A href="/skillshare" exact=true>"Teachers"</A>
            <A href="/skillshare/courses">"Courses"</A>
            <A href="/skillshare/bookings">"My bookings"</A>
            <A href="/skillshare/teach">"Teach"</A>
        </nav>
    }
}

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Minutes after midnight as "09:30".
pub fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

pub fn level_label(level: Level) -> &'static str {
    match level {
        Level::Beginner => "Beginner",
        Level::Intermediate => "Intermediate",
        Level::Advanced => "Advanced",
    }
}

/// One course as a card, with its "Book" link.
#[component]
pub fn CourseCard(course: Course, #[prop(optional)] show_teacher: bool) -> impl IntoView {
    let book = format!("/skillshare/book/{}", course.id);
    let teacher = format!("/skillshare/teachers/{}", course.teacher_id);
    view! {
        <article class="card course" data-testid="course">
            <h3>{course.title}</h3>
            <p class="meta">
                <span class="tag">{course.skill}</span>
                <span class="tag">{level_label(course.level)}</span>
                {format!("{} min · {}", course.duration_minutes, format::money(course.price_cents))}
            </p>
            <p>{course.description}</p>
            {show_teacher.then(|| view! { <p class="muted">"with " <a href=teacher>{course.teacher_name}</a></p> })}
            <a class="btn btn-primary" href=book>"Book"</a>
        </article>
    }
}
