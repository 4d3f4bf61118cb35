//! Reminder mails to both sides, 24 hours and 1 hour before a session. Each mail is claimed
//! before it is sent by inserting its row (the primary key makes the claim atomic), so a
//! restart or a second app server never sends it twice; the claim is given back if the mail
//! server refuses, for the next round to try again.

use super::booking::{self, Parties};
use super::{emails, SkillShareError};
use crate::db::Db;
use crate::mail::Mailer;
use model::skillshare::{Booking, BookingStatus};

/// How long before the start each reminder goes out, longest first.
pub const LEADS: [i64; 2] = [24 * 3600, 3600];

#[derive(Clone, Copy)]
enum Recipient {
    Student,
    Teacher,
}

impl Recipient {
    fn as_str(self) -> &'static str {
        match self {
            Recipient::Student => "student",
            Recipient::Teacher => "teacher",
        }
    }
}

/// Sends every reminder that is due; answers how many were sent. A reminder is due from its
/// moment until the next, shorter one is (or the session starts), so one missed while the
/// server was down goes out late, saying how long is really left, only while the session is
/// ahead; none goes out whose moment had passed when the booking was made or moved there.
pub async fn send_due(db: &Db, mailer: &Mailer, now: i64) -> Result<usize, SkillShareError> {
    let mut sent = 0;
    let mut failure = None;
    for (i, &lead) in LEADS.iter().enumerate() {
        let next = LEADS.get(i + 1).copied().unwrap_or(0);
        let due: Vec<(String, i64)> = sqlx::query_as(
            "SELECT b.id, b.start_at FROM bookings b
             WHERE b.status = $1 AND b.start_at - $2 <= $3 AND b.start_at - $4 > $3
               AND b.scheduled_at < b.start_at - $2
               AND (SELECT COUNT(*) FROM booking_reminders r
                    WHERE r.booking_id = b.id AND r.start_at = b.start_at
                      AND r.lead_secs = $2) < 2",
        )
        .bind(BookingStatus::Confirmed)
        .bind(lead)
        .bind(now)
        .bind(next)
        .fetch_all(db)
        .await?;
        for (booking_id, start_at) in due {
            for recipient in [Recipient::Student, Recipient::Teacher] {
                if !claim(db, &booking_id, start_at, lead, recipient, now).await? {
                    continue;
                }
                match send(db, mailer, &booking_id, start_at, recipient, now).await {
                    Ok(true) => sent += 1,
                    Ok(false) => {}
                    Err(e) => {
                        give_back(db, &booking_id, start_at, lead, recipient).await?;
                        failure = Some(e);
                    }
                }
            }
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(sent),
    }
}

/// Claims one reminder mail: true if this caller is the one to send it. Only a booking still
/// confirmed at that start can be claimed (a cancelled or moved one cannot).
async fn claim(
    db: &Db,
    booking_id: &str,
    start_at: i64,
    lead: i64,
    recipient: Recipient,
    now: i64,
) -> Result<bool, SkillShareError> {
    let claimed = sqlx::query(
        "INSERT INTO booking_reminders (booking_id, start_at, lead_secs, recipient, claimed_at)
         SELECT id, start_at, $1, $2, $3 FROM bookings
         WHERE id = $4 AND status = $5 AND start_at = $6
         ON CONFLICT DO NOTHING",
    )
    .bind(lead)
    .bind(recipient.as_str())
    .bind(now)
    .bind(booking_id)
    .bind(BookingStatus::Confirmed)
    .bind(start_at)
    .execute(db)
    .await?
    .rows_affected();
    Ok(claimed == 1)
}

async fn give_back(
    db: &Db,
    booking_id: &str,
    start_at: i64,
    lead: i64,
    recipient: Recipient,
) -> Result<(), SkillShareError> {
    sqlx::query(
        "DELETE FROM booking_reminders
         WHERE booking_id = $1 AND start_at = $2 AND lead_secs = $3 AND recipient = $4",
    )
    .bind(booking_id)
    .bind(start_at)
    .bind(lead)
    .bind(recipient.as_str())
    .execute(db)
    .await?;
    Ok(())
}

/// Sends one claimed reminder; false (and nothing sent) if the booking was cancelled or
/// moved since it was claimed.
async fn send(
    db: &Db,
    mailer: &Mailer,
    booking_id: &str,
    start_at: i64,
    recipient: Recipient,
    now: i64,
) -> Result<bool, SkillShareError> {
    let booking: Booking = booking::by_id(db, booking_id).await?;
    if booking.status != BookingStatus::Confirmed || booking.start_at != start_at {
        return Ok(false);
    }
    let Parties {
        student,
        student_tz,
        teacher,
    } = booking::parties(db, booking_id).await?;
    // Said from the time really left: a reminder sent late says so.
    let left = start_at - now;
    let mail = match recipient {
        Recipient::Student => {
            emails::reminder(&student.email, &student.name, &booking, left, student_tz)
        }
        Recipient::Teacher => emails::reminder(
            &teacher.contact_email,
            &teacher.teacher.display_name,
            &booking,
            left,
            teacher.tz,
        ),
    };
    mailer
        .send(mail)
        .await
        .map_err(|e| SkillShareError::Internal(e.into()))?;
    Ok(true)
}
