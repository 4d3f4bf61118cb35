//! Reviews of ended sessions, replies, and teachers' ratings.

use super::*;

/// A student and a booking of theirs with the teacher, for a session that has ended (the clock
/// is moved past it).
async fn ended_session(f: &Fixture, teacher_n: u32, student_n: u32) -> (Student, Student, Booking) {
    let (teacher, course) = teacher_with_course(f, teacher_n, "UTC").await;
    let me = student(&f.db, student_n).await;
    let start = f.market.free_slots(&course.id).await.unwrap()[0];
    let b = f
        .market
        .book(&me, &course.id, start, Tz::UTC)
        .await
        .unwrap();
    (teacher, me, b)
}

#[tokio::test]
async fn only_the_student_of_an_ended_session_reviews_it_once() {
    let f = fixture().await;
    let (teacher, me, b) = ended_session(&f, 200, 201).await;
    let other = student(&f.db, 202).await;
    let early = f.market.review(&me.id, &id(&b), 5, "").await.unwrap_err();
    assert!(early.to_string().contains("once it has ended"), "{early}");
    f.market.clock.advance(b.end_at - f.market.clock.now());
    assert!(matches!(
        f.market.review(&other.id, &id(&b), 1, "spite").await,
        Err(SkillShareError::NotFound(_))
    ));
    assert!(f
        .market
        .review(&teacher.id, &id(&b), 5, "me!")
        .await
        .is_err());
    for stars in [0, 6, -1] {
        assert!(f.market.review(&me.id, &id(&b), stars, "").await.is_err());
    }
    let too_long = "x".repeat(2001);
    assert!(f
        .market
        .review(&me.id, &id(&b), 4, &too_long)
        .await
        .is_err());
    let review = f
        .market
        .review(&me.id, &id(&b), 4, "  Clear and patient.  ")
        .await
        .unwrap();
    assert_eq!(
        (review.stars, review.text.as_str()),
        (4, "Clear and patient.")
    );
    assert_eq!(review.student_name, "Student", "first name only");
    assert!(matches!(
        f.market.review(&me.id, &id(&b), 5, "again").await,
        Err(SkillShareError::AlreadyReviewed)
    ));
    // It shows on my booking.
    let mine = f.market.bookings_of(&me.id).await.unwrap();
    assert_eq!(mine[0].review.as_ref().map(|r| r.stars), Some(4));
}

#[tokio::test]
async fn a_cancelled_session_cannot_be_reviewed() {
    let f = fixture().await;
    let (teacher, me, b) = ended_session(&f, 210, 211).await;
    f.market
        .teacher_cancel(&teacher.id, &id(&b), "Sorry")
        .await
        .unwrap();
    f.market.clock.advance(b.end_at - f.market.clock.now() + 60);
    let err = f.market.review(&me.id, &id(&b), 5, "").await.unwrap_err();
    assert!(err.to_string().contains("cancelled"), "{err}");
}

#[tokio::test]
async fn reviews_are_edited_for_seven_days_and_replied_to_once() {
    let f = fixture().await;
    let (teacher, me, b) = ended_session(&f, 220, 221).await;
    let other = student(&f.db, 222).await;
    f.market.clock.advance(b.end_at - f.market.clock.now());
    let review = f.market.review(&me.id, &id(&b), 2, "Late").await.unwrap();
    f.market.clock.advance(6 * 86_400);
    assert!(matches!(
        f.market.edit_review(&other.id, &review.id, 1, "").await,
        Err(SkillShareError::NotFound(_))
    ));
    let edited = f
        .market
        .edit_review(&me.id, &review.id, 3, "Late, but good")
        .await
        .unwrap();
    assert_eq!((edited.stars, edited.edited_at.is_some()), (3, true));
    f.market.clock.advance(86_400);
    let err = f
        .market
        .edit_review(&me.id, &review.id, 5, "")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("7 days"), "{err}");
    // The teacher replies once; nobody else can.
    assert!(f
        .market
        .reply_to_review(&other.id, &review.id, "x")
        .await
        .is_err());
    assert!(f
        .market
        .reply_to_review(&teacher.id, &review.id, " ")
        .await
        .is_err());
    let replied = f
        .market
        .reply_to_review(&teacher.id, &review.id, "Thanks!")
        .await
        .unwrap();
    assert_eq!(replied.reply.as_deref(), Some("Thanks!"));
    assert!(f
        .market
        .reply_to_review(&teacher.id, &review.id, "Again")
        .await
        .is_err());
}

#[tokio::test]
async fn a_teachers_page_sums_up_the_reviews_and_the_list_sorts_by_rating() {
    let f = fixture().await;
    let (_teacher, course) = teacher_with_course(&f, 230, "UTC").await;
    let starts = f.market.free_slots(&course.id).await.unwrap();
    let mut booked = Vec::new();
    for (n, stars) in [5, 5, 4, 1].into_iter().enumerate() {
        let s = student(&f.db, 240 + u32::try_from(n).unwrap()).await;
        let b = f
            .market
            .book(&s, &course.id, starts[2 * n], Tz::UTC)
            .await
            .unwrap();
        booked.push((s, b, stars));
    }
    f.market.clock.advance(2 * 86_400);
    for (s, b, stars) in &booked {
        f.market.review(&s.id, &id(b), *stars, "").await.unwrap();
    }
    let page = f.market.teacher(&course.teacher_id).await.unwrap();
    assert_eq!(page.rating.count, 4);
    assert_eq!(page.rating.histogram, [1, 0, 0, 1, 2]);
    assert!((page.rating.average - 3.75).abs() < 1e-9);
    assert_eq!(page.reviews.len(), 4);
    assert_eq!(page.teacher.rating_count, 4);
    // By rating: ours (3.75) comes before every seeded teacher (none reviewed).
    let by_rating = f.market.teachers(TeacherSort::Rating).await.unwrap();
    assert_eq!(by_rating[0].id, course.teacher_id);
    let by_price = f.market.teachers(TeacherSort::Price).await.unwrap();
    assert!(by_price
        .windows(2)
        .all(|p| p[0].hourly_rate_cents <= p[1].hourly_rate_cents));
    let by_slot = f.market.teachers(TeacherSort::NextFree).await.unwrap();
    let next: Vec<i64> = by_slot
        .iter()
        .map(|t| t.next_free_slot.unwrap_or(i64::MAX))
        .collect();
    assert!(next.windows(2).all(|p| p[0] <= p[1]));
}
