//! Each user's private calendar feed.

use super::*;
use icalendar::Component;

/// The token of a feed address under `site`.
fn token_in<'u>(url: &'u str, site: &str) -> &'u str {
    url.strip_prefix(&format!("{site}/calendar/"))
        .and_then(|t| t.strip_suffix(".ics"))
        .unwrap()
}

/// The feed a token serves, read by a calendar parser.
async fn feed_of(f: &Fixture, token: &str) -> icalendar::Calendar {
    f.market
        .calendar_feed(token)
        .await
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_feed_lists_upcoming_sessions_as_student_and_teacher_until_revoked() {
    let f = fixture().await;
    let (teacher, course) = teacher_with_course(&f, 300, "UTC").await;
    let me = student(&f.db, 301).await;
    let starts = f.market.free_slots(&course.id).await.unwrap();
    let first = f
        .market
        .book(&me, &course.id, starts[0], Tz::UTC)
        .await
        .unwrap();
    let later_start = starts
        .iter()
        .find(|&&s| s > f.market.clock.now() + 2 * 86_400)
        .unwrap();
    let second = f
        .market
        .book(&me, &course.id, *later_start, Tz::UTC)
        .await
        .unwrap();
    f.market
        .cancel(&me, &BookingId::from(second.id.as_str()), "", Tz::UTC)
        .await
        .unwrap();
    let url = f
        .market
        .calendar_feed_url(&me.id, "https://drive.example/")
        .await
        .unwrap();
    let token = token_in(&url, "https://drive.example");
    // The address does not change until revoked.
    assert_eq!(
        f.market
            .calendar_feed_url(&me.id, "https://drive.example")
            .await
            .unwrap(),
        url
    );
    let feed = feed_of(&f, token).await;
    let uids: Vec<String> = feed
        .events()
        .map(|e| e.get_uid().unwrap().to_owned())
        .collect();
    assert_eq!(
        uids,
        vec![calendar::uid(&first.id)],
        "cancelled sessions leave the feed"
    );
    // The teacher's feed lists the same sessions.
    let teacher_url = f.market.calendar_feed_url(&teacher.id, "").await.unwrap();
    let teacher_token = token_in(&teacher_url, "");
    let teacher_feed = feed_of(&f, teacher_token).await;
    assert_eq!(teacher_feed.events().count(), feed.events().count());
    // Past sessions leave the feed.
    f.market.clock.advance(40 * 86_400);
    let later = feed_of(&f, token).await;
    assert_eq!(later.events().count(), 0);

    // A forged or revoked token is not found.
    let forged = format!("{}.{}", me.id.as_str(), "0".repeat(32));
    assert!(matches!(
        f.market.calendar_feed(&forged).await,
        Err(SkillShareError::NotFound(_))
    ));
    let other_user = token.replacen(me.id.as_str(), teacher.id.as_str(), 1);
    assert!(f.market.calendar_feed(&other_user).await.is_err());
    let new_url = f.market.revoke_calendar_feed(&me.id, "").await.unwrap();
    assert_ne!(new_url, url);
    assert!(matches!(
        f.market.calendar_feed(token).await,
        Err(SkillShareError::NotFound(_))
    ));
    let new_token = token_in(&new_url, "");
    f.market.calendar_feed(new_token).await.unwrap();
}
