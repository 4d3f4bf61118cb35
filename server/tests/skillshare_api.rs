//! SkillShare Connect over HTTP against the real server binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{json, Value};
use support::TestServer;

const COURSE: &str = "c-guitar-first-chords";

fn now() -> i64 {
    domain::clock::Clock::system().now()
}

async fn free_slots(s: &TestServer, course: &str) -> Vec<i64> {
    let a = s
        .post("/api/skillshare/slots", json!({"course_id": course}), None)
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    a.json()["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect()
}

/// A free start at least `days` ahead.
async fn slot_after(s: &TestServer, course: &str, days: i64) -> i64 {
    *free_slots(s, course)
        .await
        .iter()
        .find(|&&t| t > now() + days * 86_400)
        .expect("a free slot")
}

async fn book(
    s: &TestServer,
    token: &str,
    course: &str,
    start: impl Into<Value>,
) -> support::Answer {
    s.post(
        "/api/skillshare/booking",
        json!({"course_id": course, "start": start.into()}),
        Some(token),
    )
    .await
}

#[tokio::test]
async fn the_catalogue_is_public_and_server_rendered() {
    let s = TestServer::start().await;
    let teachers = s.get("/api/skillshare/teachers", None).await.json();
    assert!(teachers.as_array().unwrap().len() >= 8);
    assert!(teachers[0]["next_free_slot"].is_i64());
    let guitar = s
        .post("/api/skillshare/courses", json!({"skill": "Guitar"}), None)
        .await
        .json();
    let courses = guitar["courses"].as_array().unwrap();
    assert!(!courses.is_empty());
    assert!(courses.iter().all(|c| c["skill"] == "Guitar"));
    let all = s.get("/api/skillshare/courses", None).await.json();
    assert!(all["courses"].as_array().unwrap().len() >= 20);

    // The first response of each catalogue page already holds the content.
    let page = String::from_utf8(s.get("/skillshare", None).await.bytes).unwrap();
    for name in ["Maya Chen", "Diego Álvarez", "Grace Kim", "Omar Haddad"] {
        assert!(page.contains(name), "{name} missing from the teachers page");
    }
    let filtered =
        String::from_utf8(s.get("/skillshare/courses?skill=Guitar", None).await.bytes).unwrap();
    assert!(filtered.contains("Guitar: first chords and strumming"));
    assert!(!filtered.contains("Gentle yoga flow"));
    let profile = String::from_utf8(
        s.get("/skillshare/teachers/t-aiko-tanaka", None)
            .await
            .bytes,
    )
    .unwrap();
    assert!(profile.contains("Aiko Tanaka") && profile.contains("Japanese: hiragana and katakana"));
}

#[tokio::test]
async fn twenty_students_race_for_one_slot_and_exactly_one_wins() {
    let s = TestServer::start().await;
    let mut tokens = Vec::new();
    for i in 0..20 {
        let email = s.verified_user(&format!("Racer {i}")).await;
        tokens.push(s.login(&email).await);
    }
    // Not the last slot of its day: a lesson half an hour later would be bookable but for
    // this one.
    let later = free_slots(&s, "c-guitar-improvisation").await;
    let start = *free_slots(&s, COURSE)
        .await
        .iter()
        .find(|&&t| t > now() + 2 * 86_400 && later.contains(&(t + 1800)))
        .expect("a free slot");
    let answers =
        futures::future::join_all(tokens.iter().map(|t| book(&s, t, COURSE, start))).await;
    let won: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
    let taken: Vec<_> = answers.iter().filter(|a| a.status == 409).collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    assert_eq!(taken.len(), 19, "{answers:?}");
    assert!(taken
        .iter()
        .all(|a| a.message().contains("just booked by someone else")));
    // The slot is no longer offered.
    assert!(!free_slots(&s, COURSE).await.contains(&start));
    // Nor can an overlapping course of the same teacher take it.
    let overlapping = book(&s, &tokens[1], "c-guitar-improvisation", start + 1800).await;
    assert_eq!(overlapping.status, 409);
}

#[tokio::test]
async fn booking_needs_a_live_session() {
    let s = TestServer::start().await;
    let start = slot_after(&s, COURSE, 2).await;
    let anonymous = s
        .post(
            "/api/skillshare/booking",
            json!({"course_id": COURSE, "start": start}),
            None,
        )
        .await;
    assert_eq!(anonymous.status, 401);
    let email = s.verified_user("Expiring Student").await;
    let token = s.login(&email).await;
    s.sql("UPDATE sessions SET expires_at = 0").await;
    assert_eq!(book(&s, &token, COURSE, start).await.status, 401);
    assert!(
        free_slots(&s, COURSE).await.contains(&start),
        "nothing was booked"
    );
}

#[tokio::test]
async fn bad_times_are_refused_with_the_rule() {
    let s = TestServer::start().await;
    let token = s.login(&s.verified_user("Time Tester").await).await;
    let slots = free_slots(&s, COURSE).await;

    let past = book(&s, &token, COURSE, slots[0] - 7 * 86_400).await;
    assert_eq!(past.status, 400);
    assert!(
        past.message().contains("already passed"),
        "{}",
        past.message()
    );

    // Inside the 2-hour notice: the next half hour (whatever the teacher's hours).
    let soon = (now() / 1800 + 1) * 1800;
    let notice = book(&s, &token, COURSE, soon).await;
    assert_eq!(notice.status, 400);
    assert!(
        notice.message().contains("2 hours ahead"),
        "{}",
        notice.message()
    );

    // Diego teaches 10:00-20:00 Madrid time: 03:00 Madrid is outside.
    let outside = slots[0] - (slots[0] % 86_400) + 2 * 86_400 + 2 * 3600;
    let a = book(&s, &token, COURSE, outside).await;
    assert_eq!(a.status, 400);
    assert!(a.message().contains("not available"), "{}", a.message());

    let off_grid = book(&s, &token, COURSE, slot_after(&s, COURSE, 2).await + 600).await;
    assert_eq!(off_grid.status, 400);

    let garbage = book(&s, &token, COURSE, "next tuesday").await;
    assert_eq!(garbage.status, 400);
    assert!(
        garbage.message().contains("RFC 3339"),
        "{}",
        garbage.message()
    );

    let missing = book(&s, &token, "c-no-such-course", slots[0]).await;
    assert_eq!(missing.status, 404);

    let a = s.get("/api/skillshare/bookings", Some(&token)).await.json();
    assert!(a.as_array().unwrap().is_empty(), "nothing was booked");
}

#[tokio::test]
async fn rfc3339_starts_book_and_cancellation_frees_the_slot() {
    let s = TestServer::start().await;
    let email = s.verified_user("Happy Student").await;
    let token = s.login(&email).await;
    let start = slot_after(&s, COURSE, 3).await;
    let rfc3339 = s
        .post("/api/skillshare/slots", json!({"course_id": COURSE}), None)
        .await;
    assert_eq!(rfc3339.status, 200);
    let iso = iso(start);
    let booked = book(&s, &token, COURSE, iso.as_str()).await;
    assert_eq!(booked.status, 200, "{booked:?}");
    let booking = booked.json();
    assert_eq!(booking["start_at"], start);
    assert_eq!(booking["status"], "confirmed");
    // Confirmation mails for the student and the teacher.
    assert!(s
        .subjects_to(&email)
        .iter()
        .any(|m| m.contains("booked \"Guitar: first chords")));
    assert!(s
        .subjects_to("diego.alvarez@teachers.example.org")
        .iter()
        .any(|m| m.contains("new booking")));

    let history = s.get("/api/skillshare/bookings", Some(&token)).await.json();
    assert_eq!(history.as_array().unwrap().len(), 1);

    let cancelled = s
        .post(
            "/api/skillshare/bookings/cancel",
            json!({"id": booking["id"], "reason": "ill"}),
            Some(&token),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{cancelled:?}");
    assert_eq!(cancelled.json()["status"], "cancelled");
    assert!(free_slots(&s, COURSE).await.contains(&start));
    let again = s
        .post(
            "/api/skillshare/bookings/cancel",
            json!({"id": booking["id"]}),
            Some(&token),
        )
        .await;
    assert_eq!(again.status, 400);
}

#[tokio::test]
async fn other_students_bookings_do_not_exist_for_you() {
    let s = TestServer::start().await;
    let owner = s.login(&s.verified_user("Owner").await).await;
    let intruder = s.login(&s.verified_user("Intruder").await).await;
    let booking = book(&s, &owner, COURSE, slot_after(&s, COURSE, 3).await)
        .await
        .json();
    let a = s
        .post(
            "/api/skillshare/bookings/cancel",
            json!({"id": booking["id"]}),
            Some(&intruder),
        )
        .await;
    assert_eq!(a.status, 404);
    assert_eq!(a.message(), "No such booking.");
    let theirs = s
        .get("/api/skillshare/bookings", Some(&intruder))
        .await
        .json();
    assert!(theirs.as_array().unwrap().is_empty());
    let mine = s.get("/api/skillshare/bookings", Some(&owner)).await.json();
    assert_eq!(mine[0]["status"], "confirmed");
}

#[tokio::test]
async fn late_cancellation_is_refused_with_the_rule() {
    let s = TestServer::start().await;
    let token = s.login(&s.verified_user("Late Canceller").await).await;
    // The first free slot is under 24 hours away for this teacher (every day, all day).
    let start = free_slots(&s, "c-rust-first-steps").await[0];
    assert!(start < now() + 24 * 3600);
    let booking = book(&s, &token, "c-rust-first-steps", start).await.json();
    let a = s
        .post(
            "/api/skillshare/bookings/cancel",
            json!({"id": booking["id"]}),
            Some(&token),
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(
        a.message().contains("up to 24 hours before the start"),
        "{}",
        a.message()
    );
    let mine = s.get("/api/skillshare/bookings", Some(&token)).await.json();
    assert_eq!(mine[0]["status"], "confirmed", "still booked");
}

#[tokio::test]
async fn teachers_publish_courses_but_cannot_book_their_own() {
    let s = TestServer::start().await;
    let teacher = s.login(&s.verified_user("Chess Coach").await).await;
    let no_profile = s
        .post(
            "/api/skillshare/teaching/courses",
            json!({"course": course_draft()}),
            Some(&teacher),
        )
        .await;
    assert_eq!(no_profile.status, 400);
    let profile = s
        .post(
            "/api/skillshare/teaching/profile",
            json!({"profile": {"display_name": "Coach K", "bio": "Club champion.", "specialties": ["Chess"],
                               "hourly_rate_cents": 3000, "time_zone": "Europe/Berlin"}}),
            Some(&teacher),
        )
        .await;
    assert_eq!(profile.status, 200, "{profile:?}");
    let week: Vec<Value> = (0..7)
        .map(|d| json!({"weekday": d, "start_minute": 0, "end_minute": 1440}))
        .collect();
    let a = s
        .post(
            "/api/skillshare/teaching/availability",
            json!({"windows": week}),
            Some(&teacher),
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let course = s
        .post(
            "/api/skillshare/teaching/courses",
            json!({"course": course_draft()}),
            Some(&teacher),
        )
        .await;
    assert_eq!(course.status, 200, "{course:?}");
    let course_id = course.json()["id"].as_str().unwrap().to_owned();

    let start = slot_after(&s, &course_id, 2).await;
    let own = book(&s, &teacher, &course_id, start).await;
    assert_eq!(own.status, 400);
    assert!(own.message().contains("your own course"));

    let student_email = s.verified_user("Chess Student").await;
    let student = s.login(&student_email).await;
    assert_eq!(book(&s, &student, &course_id, start).await.status, 200);
    let teaching = s
        .post("/api/skillshare/teaching", json!({}), Some(&teacher))
        .await
        .json();
    assert_eq!(teaching["bookings"][0]["student_name"], "Chess Student");
    // The teacher is emailed at their account's address.
    assert!(s
        .subjects_to("chess.coach@example.com")
        .iter()
        .any(|m| m.contains("new booking")));
}

fn course_draft() -> Value {
    json!({"title": "Openings", "description": "Principles, not memorisation.", "skill": "Chess",
           "level": "beginner", "duration_minutes": 60, "price_cents": 3000})
}

/// RFC 3339 in UTC, e.g. 2026-12-01T15:00:00Z.
fn iso(unix: i64) -> String {
    let output = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{unix}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn a_booking_moves_shows_in_the_calendar_feed_and_is_reviewed_once_it_has_ended() {
    use icalendar::Component;
    let s = TestServer::start_with(&[("DEBUG_CLOCK", "1")]).await;
    let email = s.verified_user("Moving Student").await;
    let token = s.login(&email).await;
    let first = slot_after(&s, COURSE, 3).await;
    let booked = book(&s, &token, COURSE, iso(first).as_str()).await.json();
    let second = slot_after(&s, COURSE, 5).await;
    let moved = s
        .post(
            "/api/skillshare/bookings/reschedule",
            json!({"booking_id": booked["id"], "start": iso(second)}),
            Some(&token),
        )
        .await;
    assert_eq!(moved.status, 200, "{moved:?}");
    let moved = moved.json();
    assert_eq!(
        (
            &moved["id"],
            &moved["start_at"],
            &moved["previous_start_at"]
        ),
        (&booked["id"], &json!(second), &json!(first))
    );
    assert!(free_slots(&s, COURSE).await.contains(&first));
    assert!(s.subjects_to(&email).iter().any(|m| m.contains("moved to")));

    // The feed lists it, at its new time, one change on.
    let feed_path = |answer: support::Answer| {
        let url = answer.json()["url"].as_str().unwrap().to_owned();
        url[url.find("/calendar/").unwrap()..].to_owned()
    };
    let path = feed_path(
        s.post("/api/skillshare/calendar", json!({}), Some(&token))
            .await,
    );
    let feed = s.get(&path, None).await;
    assert_eq!(feed.status, 200);
    let text = String::from_utf8(feed.bytes.clone()).unwrap();
    let calendar: icalendar::Calendar = text.parse().unwrap();
    let events: Vec<_> = calendar.events().collect();
    assert_eq!(events.len(), 1);
    let uid = format!("{}@skillshare-connect", booked["id"].as_str().unwrap());
    assert_eq!(events[0].get_uid(), Some(uid.as_str()));
    assert_eq!(events[0].get_sequence(), Some(1));
    // Revoked, the old address is gone and the new one works.
    let new_path = feed_path(
        s.post("/api/skillshare/calendar/revoke", json!({}), Some(&token))
            .await,
    );
    assert_eq!(s.get(&path, None).await.status, 404);
    assert_eq!(s.get(&new_path, None).await.status, 200);

    // A review waits for the session's end.
    let early = s
        .post(
            "/api/skillshare/review",
            json!({"booking_id": booked["id"], "stars": 5}),
            Some(&token),
        )
        .await;
    assert_eq!(early.status, 400, "{early:?}");
    s.advance_clock(8 * 86_400).await;
    // (The session idled out meanwhile.)
    let token = s.login(&email).await;
    let review = s
        .post(
            "/api/skillshare/review",
            json!({"booking_id": booked["id"], "stars": 5, "text": "Clear and patient."}),
            Some(&token),
        )
        .await;
    assert_eq!(review.status, 200, "{review:?}");
    let again = s
        .post(
            "/api/skillshare/review",
            json!({"booking_id": booked["id"], "stars": 1}),
            Some(&token),
        )
        .await;
    assert_eq!(again.status, 409, "{again:?}");
    let teacher = s
        .post(
            "/api/skillshare/teacher",
            json!({"id": "t-diego-alvarez"}),
            None,
        )
        .await
        .json();
    assert_eq!(teacher["rating"]["count"], 1);
    assert_eq!(teacher["rating"]["histogram"], json!([0, 0, 0, 0, 1]));
    assert_eq!(teacher["reviews"][0]["text"], "Clear and patient.");
    assert_eq!(teacher["reviews"][0]["student_name"], "Moving");
    let by_rating = s
        .get("/api/skillshare/teachers?sort=rating", None)
        .await
        .json();
    assert_eq!(by_rating[0]["id"], "t-diego-alvarez");
}
