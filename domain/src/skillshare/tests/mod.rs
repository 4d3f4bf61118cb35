use super::*;
use chrono::TimeZone;

mod calendar_feed;
mod changes;
mod reminders;
mod reviews;

use crate::clock::Clock;
use crate::ids::BookingId;
use crate::{db, Config};

struct Fixture {
    market: Marketplace,
    db: Db,
    dir: tempfile::TempDir,
}

/// A marketplace on a test database whose clock stands at the wall clock's time until a test
/// moves it, and whose mail lands in `<dir>/outbox`.
async fn fixture() -> Fixture {
    let (db, dir) = db::test_db().await;
    let market = marketplace(&db, dir.path(), Clock::manual(Clock::system().now()));
    Fixture { market, db, dir }
}

/// Another marketplace (another app server) on the same database and outbox.
fn marketplace(db: &Db, dir: &std::path::Path, clock: Clock) -> Marketplace {
    let config = Config {
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    let mailer = Arc::new(Mailer::from_config(&config).unwrap());
    Marketplace::new(
        db.clone(),
        mailer,
        Arc::new(crate::secrets::Secrets::for_tests()),
        clock,
        config.max_active_bookings,
    )
}

fn id(b: &Booking) -> BookingId {
    BookingId::from(b.id.as_str())
}

/// Every mail sent so far, as `.eml` text.
fn outbox(f: &Fixture) -> Vec<String> {
    std::fs::read_dir(f.dir.path().join("outbox"))
        .map(|entries| {
            entries
                .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// A mail as a reader sees it, for finding a subject or a sentence: folded headers and
/// quoted-printable soft line breaks joined again.
fn readable(eml: &str) -> String {
    eml.replace("\r\n ", " ").replace("=\r\n", "")
}

/// The mails (raw `.eml`) to `to` whose subject or text contains `subject`.
fn mails_to(f: &Fixture, to: &str, subject: &str) -> Vec<String> {
    outbox(f)
        .into_iter()
        .filter(|m| {
            let m = readable(m);
            m.contains(&format!("To: {to}")) && m.contains(subject)
        })
        .collect()
}

async fn student(db: &Db, n: u32) -> Student {
    let id = format!("student-{n}");
    sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, quota_bytes, created_at)
         VALUES ($1, $2, $3, 'x', 1, 0)",
    )
    .bind(&id)
    .bind(format!("s{n}@example.com"))
    .bind(format!("Student {n}"))
    .execute(db)
    .await
    .unwrap();
    Student {
        id: id.into(),
        name: format!("Student {n}"),
        email: format!("s{n}@example.com"),
    }
}

#[tokio::test]
async fn the_catalogue_is_seeded_once() {
    let f = fixture().await;
    let teachers = f.market.teachers(TeacherSort::Name).await.unwrap();
    assert!(teachers.len() >= 8);
    assert!(teachers.iter().all(|t| !t.specialties.is_empty()));
    assert!(
        teachers.iter().all(|t| t.next_free_slot.is_some()),
        "every teacher has a free slot"
    );
    let courses = f.market.courses(&CourseFilter::default()).await.unwrap();
    assert!(courses.len() >= 20);
    assert!(f.market.skills().await.unwrap().len() >= 5);
    // Migrations run on every start; the catalogue does not grow.
    db::open(f.db.connect_options().database_url.as_str())
        .await
        .unwrap();
    assert_eq!(
        f.market
            .courses(&CourseFilter::default())
            .await
            .unwrap()
            .len(),
        courses.len()
    );
}

#[tokio::test]
async fn filters_narrow_the_course_list() {
    let f = fixture().await;
    let guitar = f
        .market
        .courses(&CourseFilter {
            skill: Some("guitar".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!guitar.is_empty() && guitar.iter().all(|c| c.skill == "Guitar"));
    let cheap_beginner = f
        .market
        .courses(&CourseFilter {
            level: Some(Level::Beginner),
            max_price_cents: Some(2000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(cheap_beginner
        .iter()
        .all(|c| c.level == Level::Beginner && c.price_cents <= 2000));
    let text = f
        .market
        .courses(&CourseFilter {
            text: Some("borrow checker".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(text.len(), 1);
    let none = f
        .market
        .courses(&CourseFilter {
            text: Some("100%_".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        none.is_empty(),
        "LIKE wildcards in the text are taken literally"
    );
}

#[tokio::test]
async fn a_slot_is_booked_once_and_freed_by_cancelling() {
    let f = fixture().await;
    let (a, b) = (student(&f.db, 1).await, student(&f.db, 2).await);
    let course = "c-guitar-first-chords";
    let slots = f.market.free_slots(course).await.unwrap();
    let other_slots = f.market.free_slots("c-guitar-improvisation").await.unwrap();
    // Far enough ahead to cancel for free, and not the last slot of its day, so that a lesson
    // starting half an hour later would be bookable but for this one.
    let start = *slots
        .iter()
        .find(|&&s| s > f.market.clock.now() + 2 * 86_400 && other_slots.contains(&(s + 1800)))
        .unwrap();
    let booking = f.market.book(&a, course, start, Tz::UTC).await.unwrap();
    assert_eq!(booking.status, BookingStatus::Confirmed);
    assert!(!f.market.free_slots(course).await.unwrap().contains(&start));
    // The same start, or one overlapping it, is taken.
    assert!(matches!(
        f.market.book(&b, course, start, Tz::UTC).await,
        Err(SkillShareError::SlotTaken)
    ));
    assert!(matches!(
        f.market
            .book(&b, "c-guitar-improvisation", start + 1800, Tz::UTC)
            .await,
        Err(SkillShareError::SlotTaken)
    ));
    // Only the owner can cancel; to others it does not exist.
    assert!(matches!(
        f.market
            .cancel(&b, &BookingId::from(booking.id.as_str()), "", Tz::UTC)
            .await,
        Err(SkillShareError::NotFound(_))
    ));
    f.market
        .cancel(
            &a,
            &BookingId::from(booking.id.as_str()),
            "changed plans",
            Tz::UTC,
        )
        .await
        .unwrap();
    assert!(f.market.free_slots(course).await.unwrap().contains(&start));
    f.market.book(&b, course, start, Tz::UTC).await.unwrap();
}

/// Student `n` as a teacher in `time_zone`, free all week, with a published hour-long course.
async fn teacher_with_course(f: &Fixture, n: u32, time_zone: &str) -> (Student, Course) {
    let teacher = student(&f.db, n).await;
    let draft = TeacherDraft {
        display_name: "Chess Coach".into(),
        bio: "Club champion.".into(),
        specialties: vec!["Chess".into()],
        hourly_rate_cents: 3000,
        time_zone: time_zone.into(),
    };
    f.market
        .save_profile(&teacher.id, &teacher.email, &draft)
        .await
        .unwrap();
    let all_day: Vec<Window> = (0..7)
        .map(|d| Window {
            weekday: d,
            start_minute: 0,
            end_minute: 1440,
        })
        .collect();
    f.market
        .set_availability(&teacher.id, &all_day)
        .await
        .unwrap();
    let course = f
        .market
        .publish_course(
            &teacher.id,
            &CourseDraft {
                title: "Openings".into(),
                description: "Principles, not memorisation.".into(),
                skill: "Chess".into(),
                level: Level::Beginner,
                duration_minutes: 60,
                price_cents: 3000,
            },
        )
        .await
        .unwrap();
    (teacher, course)
}

#[tokio::test]
async fn a_teacher_changing_zone_cannot_be_booked_twice_for_one_hour() {
    let f = fixture().await;
    let (teacher, course) = teacher_with_course(&f, 7, "Asia/Kolkata").await;
    // 10:00 in Kolkata (+05:30) three days on: 04:30 UTC, an hour.
    let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
    let day = kolkata
        .timestamp_opt(f.market.clock.now() + 3 * 86_400, 0)
        .unwrap()
        .date_naive();
    let at_ten = |tz: Tz| {
        tz.from_local_datetime(&day.and_hms_opt(10, 0, 0).unwrap())
            .unwrap()
            .timestamp()
    };
    let (a, b) = (student(&f.db, 8).await, student(&f.db, 9).await);
    f.market
        .book(&a, &course.id, at_ten(kolkata), Tz::UTC)
        .await
        .unwrap();
    // The teacher moves to Kathmandu (+05:45): 10:00 there is 04:15 UTC, overlapping.
    let draft = TeacherDraft {
        display_name: "Chess Coach".into(),
        bio: "Club champion.".into(),
        specialties: vec!["Chess".into()],
        hourly_rate_cents: 3000,
        time_zone: "Asia/Kathmandu".into(),
    };
    f.market
        .save_profile(&teacher.id, &teacher.email, &draft)
        .await
        .unwrap();
    let kathmandu: Tz = "Asia/Kathmandu".parse().unwrap();
    let overlapping = at_ten(kathmandu);
    assert_eq!(at_ten(kolkata) - overlapping, 15 * 60);
    assert!(!f
        .market
        .free_slots(&course.id)
        .await
        .unwrap()
        .contains(&overlapping));
    assert!(matches!(
        f.market.book(&b, &course.id, overlapping, Tz::UTC).await,
        Err(SkillShareError::SlotTaken)
    ));
}

#[tokio::test]
async fn teachers_cannot_book_themselves_and_late_cancellation_is_refused() {
    let f = fixture().await;
    let (teacher, course) = teacher_with_course(&f, 3, "UTC").await;
    let start = f.market.free_slots(&course.id).await.unwrap()[0];
    assert!(matches!(
        f.market.book(&teacher, &course.id, start, Tz::UTC).await,
        Err(SkillShareError::OwnCourse)
    ));
    let s = student(&f.db, 4).await;
    let soon = f.market.book(&s, &course.id, start, Tz::UTC).await.unwrap();
    let err = f
        .market
        .cancel(&s, &BookingId::from(soon.id.as_str()), "", Tz::UTC)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("24 hours"), "{err}");
    assert_eq!(
        f.market.teaching(&teacher.id).await.unwrap().bookings.len(),
        1
    );
}

#[tokio::test]
async fn the_grid_migration_holds_every_booking_on_the_new_grid() {
    let f = fixture().await;
    let (_teacher, course) = teacher_with_course(&f, 11, "UTC").await;
    let a = student(&f.db, 12).await;
    let start = f.market.free_slots(&course.id).await.unwrap()[0];
    let booking = f.market.book(&a, &course.id, start, Tz::UTC).await.unwrap();
    // As the code before it held an hour: two 30-minute units from its start.
    sqlx::query("DELETE FROM booked_units")
        .execute(&f.db)
        .await
        .unwrap();
    for k in 0..2 {
        sqlx::query(
            "INSERT INTO booked_units (teacher_id, unit_start, booking_id) VALUES ($1, $2, $3)",
        )
        .bind(&booking.teacher_id)
        .bind(start + k * 1800)
        .bind(&booking.id)
        .execute(&f.db)
        .await
        .unwrap();
    }
    let migration = match db::dialect(&f.db) {
        db::Dialect::Sqlite => {
            include_str!("../../../migrations/sqlite/0018_absolute_booking_grid.sql")
        }
        db::Dialect::Postgres => {
            include_str!("../../../migrations/postgres/0018_absolute_booking_grid.sql")
        }
    };
    sqlx::raw_sql(migration).execute(&f.db).await.unwrap();
    let units: Vec<i64> = sqlx::query_scalar(
        "SELECT unit_start FROM booked_units WHERE booking_id = $1 ORDER BY unit_start",
    )
    .bind(&booking.id)
    .fetch_all(&f.db)
    .await
    .unwrap();
    assert_eq!(units, (0..4).map(|k| start + k * 900).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_student_holds_at_most_ten_upcoming_bookings_even_booking_at_once() {
    let f = fixture().await;
    let (_teacher, course) = teacher_with_course(&f, 13, "UTC").await;
    let me = student(&f.db, 14).await;
    // Fifteen hour-long slots that do not overlap (far enough ahead to cancel), booked all at
    // once.
    let slots = f.market.free_slots(&course.id).await.unwrap();
    let later = f.market.clock.now() + 2 * 86_400;
    let starts: Vec<i64> = slots
        .iter()
        .copied()
        .filter(|&s| s > later)
        .step_by(2)
        .take(15)
        .collect();
    let tries = starts
        .iter()
        .map(|&start| f.market.book(&me, &course.id, start, Tz::UTC));
    let outcomes = futures::future::join_all(tries).await;
    let booked = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(booked, 10, "{outcomes:?}");
    for refused in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert!(
            matches!(
                refused,
                SkillShareError::TooManyBookings { held: 10, max: 10 }
            ),
            "{refused:?}"
        );
        assert!(refused
            .to_string()
            .contains("You hold 10 upcoming bookings"));
    }
    // Cancelling one makes room for one.
    let mine = f.market.bookings_of(&me.id).await.unwrap();
    f.market
        .cancel(&me, &BookingId::from(mine[0].id.as_str()), "", Tz::UTC)
        .await
        .unwrap();
    let free = f.market.free_slots(&course.id).await.unwrap();
    let again = free
        .iter()
        .find(|s| !starts.contains(s) && **s > starts[14] + 3600);
    f.market
        .book(&me, &course.id, *again.unwrap(), Tz::UTC)
        .await
        .unwrap();
}
