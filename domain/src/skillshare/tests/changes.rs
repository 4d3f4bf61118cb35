//! Moving a booking, a teacher cancelling one, and ranges a teacher is away.

use super::*;

/// The `invite.ics` attached to a mail, decoded.
pub(super) fn invite_of(eml: &str) -> icalendar::Calendar {
    let at = eml
        .find("filename=\"invite.ics\"")
        .expect("an invite.ics attachment");
    let part_start = eml[..at].rfind("\r\n--").unwrap();
    let part = &eml[part_start + 2..];
    let body_at = part.find("\r\n\r\n").unwrap() + 4;
    let headers = &part[..body_at];
    let body = &part[body_at..part[body_at..].find("\r\n--").unwrap() + body_at];
    let text = if headers.contains("Content-Transfer-Encoding: base64") {
        use base64::Engine;
        let packed: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(packed)
                .unwrap(),
        )
        .unwrap()
    } else if headers.contains("quoted-printable") {
        let body = body.replace("=\r\n", "");
        let mut bytes = Vec::new();
        let mut rest = body.as_bytes();
        while let Some((&b, tail)) = rest.split_first() {
            if b == b'=' && tail.len() >= 2 {
                let hex = std::str::from_utf8(&tail[..2]).unwrap();
                bytes.push(u8::from_str_radix(hex, 16).unwrap());
                rest = &tail[2..];
            } else {
                bytes.push(b);
                rest = tail;
            }
        }
        String::from_utf8(bytes).unwrap()
    } else {
        body.to_owned()
    };
    assert!(
        headers.contains("text/calendar"),
        "the invitation is text/calendar: {headers}"
    );
    text.parse().unwrap()
}

/// The one event of a calendar: (UID, SEQUENCE, start, end, STATUS).
pub(super) fn event_of(calendar: &icalendar::Calendar) -> (String, u32, i64, i64, String) {
    use icalendar::{Component, DatePerhapsTime};
    let events: Vec<_> = calendar.events().collect();
    assert_eq!(events.len(), 1);
    let e = events[0];
    let utc = |t: Option<DatePerhapsTime>| match t {
        Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(t))) => t.timestamp(),
        other => panic!("a UTC time, not {other:?}"),
    };
    (
        e.get_uid().unwrap().to_owned(),
        e.get_sequence().unwrap(),
        utc(e.get_start()),
        utc(e.get_end()),
        e.property_value("STATUS").unwrap().to_owned(),
    )
}

/// Free starts of the course more than `days` days ahead.
async fn starts_after(f: &Fixture, course: &Course, days: i64) -> Vec<i64> {
    let after = f.market.clock.now() + days * 86_400;
    let slots = f.market.free_slots(&course.id).await.unwrap();
    slots.into_iter().filter(|&s| s > after).collect()
}

#[tokio::test]
async fn a_student_moves_a_booking_and_both_sides_get_the_updated_invitation() {
    let f = fixture().await;
    let (teacher, course) = teacher_with_course(&f, 20, "Asia/Kolkata").await;
    let me = student(&f.db, 21).await;
    let starts = starts_after(&f, &course, 2).await;
    let (first, second) = (starts[0], starts[4]);
    let paris: Tz = "Europe/Paris".parse().unwrap();
    let booked = f.market.book(&me, &course.id, first, paris).await.unwrap();
    let confirmation = mails_to(&f, &me.email, "booked");
    let (uid, sequence, start, _, status) = event_of(&invite_of(&confirmation[0]));
    assert_eq!((sequence, start, status.as_str()), (0, first, "CONFIRMED"));
    assert_eq!(uid, calendar::uid(&booked.id));
    assert!(confirmation[0].contains("method=REQUEST"));

    let moved = f
        .market
        .reschedule(&me, &id(&booked), second, paris)
        .await
        .unwrap();
    assert_eq!(
        (moved.id.as_str(), moved.start_at, moved.end_at),
        (booked.id.as_str(), second, second + 3600)
    );
    assert_eq!(moved.previous_start_at, Some(first));
    // The old time is free again, the new one taken.
    let free = f.market.free_slots(&course.id).await.unwrap();
    assert!(free.contains(&first) && !free.contains(&second));
    let mine = f.market.bookings_of(&me.id).await.unwrap();
    assert_eq!(
        (mine.len(), mine[0].start_at, mine[0].sequence),
        (1, second, 1)
    );
    // Both sides are mailed an invitation for the same event, one step on.
    for to in [&me.email, &teacher.email] {
        let mails = mails_to(&f, to, "moved to");
        assert_eq!(mails.len(), 1, "{to}");
        let calendar = invite_of(&mails[0]);
        assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
        let (moved_uid, sequence, start, end, _) = event_of(&calendar);
        assert_eq!(
            (moved_uid, sequence, start, end),
            (uid.clone(), 1, second, second + 3600)
        );
        // Both zones are named in the event's text.
        let event = calendar.events().next().unwrap();
        let text = icalendar::Component::get_description(event).unwrap();
        assert!(
            text.contains("Asia/Kolkata") && text.contains("Europe/Paris"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_refused_move_leaves_the_booking_as_it_was() {
    let f = fixture().await;
    let (_teacher, course) = teacher_with_course(&f, 22, "UTC").await;
    let (me, other) = (student(&f.db, 23).await, student(&f.db, 24).await);
    let starts = starts_after(&f, &course, 2).await;
    let mine = f
        .market
        .book(&me, &course.id, starts[0], Tz::UTC)
        .await
        .unwrap();
    let theirs = f
        .market
        .book(&other, &course.id, starts[4], Tz::UTC)
        .await
        .unwrap();
    let now = f.market.clock.now();
    // The refusals booking gives, word for word.
    let refusals = [
        (starts[4], "just booked by someone else"),
        (starts[4] + 1800, "just booked by someone else"),
        (starts[6] + 600, "not available at that time"),
        (now - 3600, "already passed"),
        (now + 3600, "at least 2 hours ahead"),
        (now + 40 * 86_400, "up to 28 days ahead"),
        (starts[0], "already at that time"),
    ];
    for (start, says) in refusals {
        let err = f
            .market
            .reschedule(&me, &id(&mine), start, Tz::UTC)
            .await
            .unwrap_err();
        assert!(err.to_string().contains(says), "{start}: {err}");
    }
    // Someone else's booking does not exist for me.
    assert!(matches!(
        f.market
            .reschedule(&me, &id(&theirs), starts[8], Tz::UTC)
            .await,
        Err(SkillShareError::NotFound(_))
    ));
    let after = f.market.bookings_of(&me.id).await.unwrap();
    assert_eq!((after[0].start_at, after[0].sequence), (starts[0], 0));
    assert!(!f
        .market
        .free_slots(&course.id)
        .await
        .unwrap()
        .contains(&starts[0]));
    // Within 24 hours of the start, the student can no longer move it.
    f.market.clock.advance(starts[0] - now - 20 * 3600);
    let err = f
        .market
        .reschedule(&me, &id(&mine), starts[8], Tz::UTC)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("24 hours"), "{err}");
}

#[tokio::test]
async fn twenty_moves_into_one_slot_at_once_leave_exactly_one_there() {
    let f = fixture().await;
    let (_teacher, course) = teacher_with_course(&f, 30, "UTC").await;
    let starts = starts_after(&f, &course, 2).await;
    // Twenty students with hour-long bookings that do not overlap, then all move to one slot.
    let target = starts[0];
    let mut held = Vec::new();
    for n in 0..20u32 {
        let s = student(&f.db, 100 + n).await;
        let start = starts[2 + 2 * n as usize];
        let b = f.market.book(&s, &course.id, start, Tz::UTC).await.unwrap();
        held.push((s, b));
    }
    let ids: Vec<BookingId> = held.iter().map(|(_, b)| id(b)).collect();
    let moves = held
        .iter()
        .zip(&ids)
        .map(|((s, _), b)| f.market.reschedule(s, b, target, Tz::UTC));
    let outcomes = futures::future::join_all(moves).await;
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert!(outcomes
        .iter()
        .filter_map(|o| o.as_ref().err())
        .all(|e| matches!(e, SkillShareError::SlotTaken)));
    // The losers keep their own time, and hold it.
    for ((s, before), outcome) in held.iter().zip(&outcomes) {
        let now = f.market.bookings_of(&s.id).await.unwrap();
        let expected = if outcome.is_ok() {
            target
        } else {
            before.start_at
        };
        assert_eq!(now[0].start_at, expected);
    }
    let units: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM booked_units WHERE teacher_id = $1")
        .bind(&course.teacher_id)
        .fetch_one(&f.db)
        .await
        .unwrap();
    assert_eq!(units, 20 * 4, "twenty hours of 15-minute units");
}

#[tokio::test]
async fn a_move_racing_a_new_booking_for_one_slot_leaves_one_holder() {
    for round in 0..4u32 {
        let f = fixture().await;
        let (_teacher, course) = teacher_with_course(&f, 40 + round, "UTC").await;
        let (mover, booker) = (student(&f.db, 50).await, student(&f.db, 51).await);
        let starts = starts_after(&f, &course, 2).await;
        let old = f
            .market
            .book(&mover, &course.id, starts[4], Tz::UTC)
            .await
            .unwrap();
        let target = starts[0];
        let old_id = id(&old);
        let (moved, booked) = tokio::join!(
            f.market.reschedule(&mover, &old_id, target, Tz::UTC),
            f.market.book(&booker, &course.id, target, Tz::UTC),
        );
        assert!(moved.is_ok() != booked.is_ok(), "{moved:?} {booked:?}");
        let mine = f.market.bookings_of(&mover.id).await.unwrap();
        let expected = if moved.is_ok() { target } else { starts[4] };
        assert_eq!(mine[0].start_at, expected);
        assert_eq!(mine[0].status, BookingStatus::Confirmed);
        let free = f.market.free_slots(&course.id).await.unwrap();
        assert!(!free.contains(&target) && free.contains(&starts[4]) == moved.is_ok());
    }
}

#[tokio::test]
async fn a_teacher_cancels_with_a_reason_and_the_student_gets_a_cancel_invitation() {
    let f = fixture().await;
    let (teacher, course) = teacher_with_course(&f, 60, "UTC").await;
    let (me, stranger) = (student(&f.db, 61).await, student(&f.db, 62).await);
    // Within 24 hours: the student cannot cancel, the teacher can.
    let start = f.market.free_slots(&course.id).await.unwrap()[0];
    let b = f
        .market
        .book(&me, &course.id, start, Tz::UTC)
        .await
        .unwrap();
    assert!(f.market.cancel(&me, &id(&b), "", Tz::UTC).await.is_err());
    assert!(f
        .market
        .teacher_cancel(&teacher.id, &id(&b), "  ")
        .await
        .unwrap_err()
        .to_string()
        .contains("reason"));
    // Only the course's teacher can.
    assert!(f
        .market
        .teacher_cancel(&stranger.id, &id(&b), "no")
        .await
        .is_err());
    let cancelled = f
        .market
        .teacher_cancel(&teacher.id, &id(&b), "I am ill")
        .await
        .unwrap();
    assert_eq!(cancelled.cancelled_by, Some(CancelledBy::Teacher));
    assert!(f
        .market
        .free_slots(&course.id)
        .await
        .unwrap()
        .contains(&start));
    let mails = mails_to(&f, &me.email, "cancelled");
    assert_eq!(mails.len(), 1);
    let text = readable(&mails[0]);
    assert!(text.contains("cancelled by the teacher") && text.contains("I am ill"));
    assert!(mails[0].contains("method=CANCEL"));
    let calendar = invite_of(&mails[0]);
    assert_eq!(calendar.property_value("METHOD"), Some("CANCEL"));
    let (uid, sequence, _, _, status) = event_of(&calendar);
    assert_eq!(
        (uid, sequence, status.as_str()),
        (calendar::uid(&b.id), 1, "CANCELLED")
    );
    // It does not count against the student: they can still hold ten upcoming bookings.
    let later = starts_after(&f, &course, 2).await;
    for k in 0..10 {
        f.market
            .book(&me, &course.id, later[2 * k], Tz::UTC)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn two_students_swapping_times_at_once_never_fail_with_a_database_error() {
    let f = fixture().await;
    // Forty tries: the two transactions only deadlock when their steps interleave just so.
    for round in 0..40u32 {
        let (_teacher, course) = teacher_with_course(&f, 1000 + 3 * round, "UTC").await;
        let a = student(&f.db, 1001 + 3 * round).await;
        let b = student(&f.db, 1002 + 3 * round).await;
        let starts = starts_after(&f, &course, 2).await;
        let (at_a, at_b) = (starts[0], starts[4]);
        let mine = f.market.book(&a, &course.id, at_a, Tz::UTC).await.unwrap();
        let theirs = f.market.book(&b, &course.id, at_b, Tz::UTC).await.unwrap();
        let (mine_id, theirs_id) = (id(&mine), id(&theirs));
        // Each frees what the other wants: on PostgreSQL, without the teacher's lock, the two
        // transactions can wait on each other and one die of a deadlock (a 500).
        let (x, y) = tokio::join!(
            f.market.reschedule(&a, &mine_id, at_b, Tz::UTC),
            f.market.reschedule(&b, &theirs_id, at_a, Tz::UTC),
        );
        for outcome in [&x, &y] {
            assert!(
                matches!(outcome, Err(SkillShareError::SlotTaken)),
                "each finds the other's time held: {outcome:?}"
            );
        }
        let held: Vec<(String, i64)> = sqlx::query_as(
            "SELECT booking_id, MIN(unit_start) FROM booked_units WHERE teacher_id = $1
             GROUP BY booking_id ORDER BY 2",
        )
        .bind(&course.teacher_id)
        .fetch_all(&f.db)
        .await
        .unwrap();
        assert_eq!(
            held,
            vec![(mine.id.clone(), at_a), (theirs.id.clone(), at_b)]
        );
    }
}

#[tokio::test]
async fn names_cannot_break_out_of_the_calendar_invitation() {
    use icalendar::Component;
    let f = fixture().await;
    let (teacher, course) = teacher_with_course(&f, 95, "UTC").await;
    // Profiles refuse CR but let a LF through in texts.
    let draft = TeacherDraft {
        display_name: "Anne \"Annie\" Lee, PhD\nATTENDEE:mailto:evil@example.com".into(),
        bio: "B".into(),
        specialties: vec!["Chess".into()],
        hourly_rate_cents: 3000,
        time_zone: "UTC".into(),
    };
    f.market
        .save_profile(&teacher.id, &teacher.email, &draft)
        .await
        .unwrap();
    let mut me = student(&f.db, 96).await;
    me.name = "Bob\";SENT-BY=\"mailto:evil@example.com".into();
    let start = starts_after(&f, &course, 2).await[0];
    f.market
        .book(&me, &course.id, start, Tz::UTC)
        .await
        .unwrap();
    let mails = mails_to(&f, &me.email, "booked");
    let calendar = invite_of(&mails[0]);
    let text = calendar.to_string();
    assert!(!text.contains("\nATTENDEE:mailto:evil"), "{text}");
    let event = calendar.events().next().unwrap();
    let attendees = event.multi_properties().get("ATTENDEE").unwrap();
    assert_eq!(attendees.len(), 1);
    assert_eq!(attendees[0].value(), format!("mailto:{}", me.email));
    // The quote in the name did not open a parameter of its own.
    let mut params: Vec<&str> = attendees[0].params().keys().map(String::as_str).collect();
    params.sort_unstable();
    assert_eq!(params, ["CN", "PARTSTAT", "RSVP"], "{text}");
    assert_eq!(
        event.property_value("ORGANIZER"),
        Some("mailto:no-reply@localhost")
    );
}

#[tokio::test]
async fn a_teacher_away_cannot_be_booked_and_sees_the_bookings_inside() {
    let f = fixture().await;
    let (teacher, course) = teacher_with_course(&f, 70, "UTC").await;
    let me = student(&f.db, 71).await;
    let starts = starts_after(&f, &course, 2).await;
    let kept = f
        .market
        .book(&me, &course.id, starts[2], Tz::UTC)
        .await
        .unwrap();
    // Away for the day around it.
    let (from, to) = (starts[0], starts[0] + 86_400);
    let away = f
        .market
        .mark_unavailable(&teacher.id, from, to)
        .await
        .unwrap();
    assert_eq!(
        away.bookings.iter().map(|b| &b.id).collect::<Vec<_>>(),
        vec![&kept.id]
    );
    let free = f.market.free_slots(&course.id).await.unwrap();
    assert!(free.iter().all(|&s| s + 3600 <= from || s >= to));
    assert!(f
        .market
        .book(&me, &course.id, starts[6], Tz::UTC)
        .await
        .is_err());
    // The weekly hours are untouched, and the range can be taken back.
    let teaching = f.market.teaching(&teacher.id).await.unwrap();
    assert_eq!(teaching.profile.unwrap().availability.len(), 7);
    assert_eq!(teaching.unavailable.len(), 1);
    // Bad ranges, and another teacher's range.
    let now = f.market.clock.now();
    for (a, b) in [
        (to, from),
        (now - 7200, now - 3600),
        (now, now + 400 * 86_400),
    ] {
        assert!(f.market.mark_unavailable(&teacher.id, a, b).await.is_err());
    }
    assert!(f.market.remove_unavailable(&me.id, &away.id).await.is_err());
    f.market
        .remove_unavailable(&teacher.id, &away.id)
        .await
        .unwrap();
    f.market
        .book(&me, &course.id, starts[6], Tz::UTC)
        .await
        .unwrap();
}
