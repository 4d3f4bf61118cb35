use super::*;
use crate::clock::Clock;
use crate::ids::BookingId;
use crate::{db, Config};

struct Fixture {
    market: Marketplace,
    db: Db,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let (db, dir) = db::test_db().await;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let mailer = Arc::new(Mailer::from_config(&config).unwrap());
    Fixture {
        market: Marketplace::new(db.clone(), mailer, Clock::system()),
        db,
        _dir: dir,
    }
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
    let teachers = f.market.teachers().await.unwrap();
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

#[tokio::test]
async fn teachers_cannot_book_themselves_and_late_cancellation_is_refused() {
    let f = fixture().await;
    let teacher = student(&f.db, 3).await;
    let draft = TeacherDraft {
        display_name: "Chess Coach".into(),
        bio: "Club champion.".into(),
        specialties: vec!["Chess".into()],
        hourly_rate_cents: 3000,
        time_zone: "UTC".into(),
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
        f.market.teaching_bookings(&teacher.id).await.unwrap().len(),
        1
    );
}
