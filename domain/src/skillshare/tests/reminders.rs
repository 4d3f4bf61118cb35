//! Reminder mails 24 hours and 1 hour before a session.

use super::*;

/// Reminders sent so far to `to` that say "starts in `lead`".
fn reminders(f: &Fixture, to: &str, lead: &str) -> usize {
    mails_to(f, to, &format!("starts in {lead}")).len()
}

/// Moves the clock to `at`.
fn set_clock(f: &Fixture, at: i64) {
    f.market.clock.advance(at - f.market.clock.now());
}

#[tokio::test]
async fn reminders_go_out_once_when_two_servers_race() {
    let f = fixture().await;
    let (teacher, course) = teacher_with_course(&f, 400, "UTC").await;
    let me = student(&f.db, 401).await;
    let later = f.market.clock.now() + 3 * 86_400;
    let slots = f.market.free_slots(&course.id).await.unwrap();
    let start = *slots.iter().find(|&&s| s > later).unwrap();
    f.market
        .book(&me, &course.id, start, Tz::UTC)
        .await
        .unwrap();
    let second_server = marketplace(&f.db, f.dir.path(), f.market.clock.clone());
    let race = || async {
        let (a, b) = tokio::join!(
            f.market.send_due_reminders(),
            second_server.send_due_reminders()
        );
        a.unwrap() + b.unwrap()
    };
    assert_eq!(race().await, 0, "nothing is due yet");
    set_clock(&f, start - 86_400 + 30);
    assert_eq!(race().await, 2);
    assert_eq!(race().await, 0);
    assert_eq!(
        (
            reminders(&f, &me.email, "24 hours"),
            reminders(&f, &teacher.email, "24 hours")
        ),
        (1, 1)
    );
    set_clock(&f, start - 3600 + 30);
    assert_eq!(race().await, 2);
    assert_eq!(race().await, 0);
    assert_eq!(
        (
            reminders(&f, &me.email, "1 hour"),
            reminders(&f, &teacher.email, "1 hour")
        ),
        (1, 1)
    );
    set_clock(&f, start + 60);
    assert_eq!(race().await, 0);
}

/// Every reminder sent so far to `to`, whatever it says.
fn all_reminders(f: &Fixture, to: &str) -> usize {
    mails_to(f, to, "starts in").len()
}

#[tokio::test]
async fn reminders_skip_passed_moments_cancelled_and_moved_bookings_and_come_late_only_before_the_start(
) {
    let f = fixture().await;
    let (_teacher, course) = teacher_with_course(&f, 410, "UTC").await;
    let (a, b, c, e) = (
        student(&f.db, 411).await,
        student(&f.db, 412).await,
        student(&f.db, 413).await,
        student(&f.db, 414).await,
    );
    let now = f.market.clock.now();
    let slots = f.market.free_slots(&course.id).await.unwrap();
    let near = slots[0];
    assert!(near < now + 86_400);
    let from = |t: i64| *slots.iter().find(|&&s| s >= t).unwrap();
    let t0 = from(now + 3 * 86_400);
    let (old_time, for_e, new_time) = (
        from(t0 + 2 * 3600),
        from(t0 + 30 * 3600),
        from(t0 + 100 * 3600),
    );
    f.market.book(&a, &course.id, near, Tz::UTC).await.unwrap();
    let cancelled = f.market.book(&b, &course.id, t0, Tz::UTC).await.unwrap();
    f.market
        .cancel(&b, &id(&cancelled), "", Tz::UTC)
        .await
        .unwrap();
    let moved = f
        .market
        .book(&c, &course.id, old_time, Tz::UTC)
        .await
        .unwrap();
    f.market
        .reschedule(&c, &id(&moved), new_time, Tz::UTC)
        .await
        .unwrap();
    f.market.book(&e, &course.id, for_e, Tz::UTC).await.unwrap();

    // `a` booked after its 24-hour moment: only the 1-hour reminder.
    set_clock(&f, near - 3600 + 30);
    f.market.send_due_reminders().await.unwrap();
    assert_eq!(
        (
            reminders(&f, &a.email, "24 hours"),
            reminders(&f, &a.email, "1 hour")
        ),
        (0, 1)
    );

    // Inside the 24-hour and the 1-hour windows of the cancelled booking and of the moved
    // one's old time: nothing for either.
    for at in [t0 - 86_400, old_time - 86_400, t0 - 3600, old_time - 3600] {
        set_clock(&f, at + 30);
        f.market.send_due_reminders().await.unwrap();
        assert_eq!(
            (all_reminders(&f, &b.email), all_reminders(&f, &c.email)),
            (0, 0)
        );
    }

    // The server was down through `e`'s 24-hour window, back half an hour before the start:
    // `e` gets one reminder, late, saying how long is really left.
    set_clock(&f, for_e - 1800);
    f.market.send_due_reminders().await.unwrap();
    assert_eq!(all_reminders(&f, &e.email), 1);
    assert_eq!(reminders(&f, &e.email, "30 minutes"), 1);
    // The moved booking is reminded of its new time.
    set_clock(&f, new_time - 86_400 + 30);
    f.market.send_due_reminders().await.unwrap();
    assert_eq!(reminders(&f, &c.email, "24 hours"), 1);
    // A session that has begun gets no late reminder.
    set_clock(&f, new_time + 60);
    f.market.send_due_reminders().await.unwrap();
    assert_eq!(all_reminders(&f, &c.email), 1);
}

#[tokio::test]
async fn a_reminder_the_mail_server_refuses_is_given_back_and_sent_later() {
    let f = fixture().await;
    let (_teacher, course) = teacher_with_course(&f, 420, "UTC").await;
    let me = student(&f.db, 421).await;
    let start = f.market.free_slots(&course.id).await.unwrap()[0];
    f.market
        .book(&me, &course.id, start, Tz::UTC)
        .await
        .unwrap();
    set_clock(&f, start - 3600 + 30);
    // A server whose mail server is not there (nothing listens on port 9 here).
    let config = Config {
        data_dir: f.dir.path().to_path_buf(),
        smtp_url: Some("smtp://127.0.0.1:9".into()),
        ..Config::default()
    };
    let broken = Marketplace::new(
        f.db.clone(),
        Arc::new(Mailer::from_config(&config).unwrap()),
        Arc::new(crate::secrets::Secrets::for_tests()),
        f.market.clock.clone(),
        10,
    );
    assert!(broken.send_due_reminders().await.is_err());
    let claims: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM booking_reminders")
        .fetch_one(&f.db)
        .await
        .unwrap();
    assert_eq!(claims, 0, "the claims were given back");
    assert_eq!(f.market.send_due_reminders().await.unwrap(), 2);
    assert_eq!(reminders(&f, &me.email, "1 hour"), 1);
}
