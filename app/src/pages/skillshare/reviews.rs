//! Stars, ratings and reviews as the teacher list, a teacher's page, the student's bookings
//! and the teacher's dashboard show them.

use leptos::prelude::*;

use crate::api::skillshare::{Rating, Review};
use crate::components::{Icon, IconKind, LocalTime};

/// "1 review", "12 reviews".
pub fn reviews_count(n: i64) -> String {
    if n == 1 {
        "1 review".into()
    } else {
        format!("{n} reviews")
    }
}

/// Five stars, so many filled, read out as "4 out of 5 stars".
#[component]
pub fn Stars(stars: i64) -> impl IntoView {
    view! {
        <span class="stars" role="img" aria-label=format!("{stars} out of 5 stars")>
            {(1..=5).map(|n| {
                let kind = if n <= stars { IconKind::Star } else { IconKind::StarOutline };
                view! { <Icon kind/> }
            }).collect_view()}
        </span>
    }
}

/// A teacher card's "4.5 (star) (12)", or "No reviews yet".
#[component]
pub fn RatingBadge(average: Option<f64>, count: i64) -> impl IntoView {
    match average.filter(|_| count > 0) {
        None => view! { <span class="muted">"No reviews yet"</span> }.into_any(),
        Some(avg) => view! {
            <span class="rating-badge">
                <span aria-hidden="true">{format!("{avg:.1} ")}<Icon kind=IconKind::Star/>{format!(" ({count})")}</span>
                <span class="sr-only">{format!("Rated {avg:.1} out of 5 from {}", reviews_count(count))}</span>
            </span>
        }
        .into_any(),
    }
}

/// The average and how the reviews spread over 1 to 5 stars.
#[component]
pub fn RatingSummary(rating: Rating) -> impl IntoView {
    if rating.count == 0 {
        return view! { <p class="muted" data-testid="rating">"No reviews yet"</p> }.into_any();
    }
    let total = rating.count as f64;
    view! {
        <p class="rating-summary" data-testid="rating">
            <strong class="rating-average">{format!("{:.1}", rating.average)}</strong>
            " " <Icon kind=IconKind::Star/>
            <span class="sr-only">" out of 5"</span>
            " (" {reviews_count(rating.count)} ")"
        </p>
        <ul class="histogram" aria-label="Reviews by stars" data-testid="histogram">
            {(1..=5usize).rev().map(|n| {
                let count = rating.histogram[n - 1];
                let share = count as f64 / total * 100.0;
                view! {
                    // Read as "5 stars: 3"; the bar only repeats the number.
                    <li>
                        <span class="histogram-label">
                            {if n == 1 { "1 star".to_owned() } else { format!("{n} stars") }}
                            <span class="sr-only">": "</span>
                        </span>
                        <span class="histogram-bar" aria-hidden="true">
                            <span style=format!("width: {share:.1}%")></span>
                        </span>
                        <span class="histogram-count">{count}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// One review: stars, course, the student's first name, when, the text and the teacher's
/// reply; `children` go below it (a reply form, an edit button).
#[component]
pub fn ReviewCard(review: Review, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <article class="review" data-testid="review">
            <p class="review-head">
                <Stars stars=review.stars/>
                <strong>{review.course_title}</strong>
                <span class="muted">
                    {format!("{} · ", review.student_name)}
                    <LocalTime unix=review.created_at/>
                    {review.edited_at.is_some().then_some(" · edited")}
                </span>
            </p>
            {(!review.text.is_empty()).then(|| view! { <p class="review-text">{review.text}</p> })}
            {review.reply.map(|reply| view! {
                <div class="review-reply" data-testid="review-reply">
                    <strong>"The teacher's reply"</strong>
                    <p>{reply}</p>
                </div>
            })}
            {children.map(|c| c())}
        </article>
    }
}
