//! Calendar entries (RFC 5545): the invitation every booking mail carries, and each user's
//! private feed of upcoming sessions. A booking is one event, its `UID` made from the booking
//! id, whose `SEQUENCE` rises with every change, so calendar clients update it in place.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus, Property};

use super::booking::Parties;
use super::emails::when;
use crate::mail::Invite;
use crate::secrets::{same_secret, Secrets};
use model::skillshare::{Booking, BookingStatus};

const PRODID: &str = "-//SkillShare Connect//Bookings//EN";

fn utc(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// The event's id: the same for every mail and feed that shows this booking.
pub fn uid(booking_id: &str) -> String {
    format!("{booking_id}@skillshare-connect")
}

/// A parameter value (a `CN`) that cannot break out of its line or its quotes: control
/// characters go, double quotes become single ones, and the whole is quoted. (The crate
/// quotes only values holding `:;,`, and passes CR, LF and quotes through.)
fn param(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    format!("\"{clean}\"")
}

/// A `mailto:` address as a property value, without anything that could end the line.
fn mailto(address: &str) -> String {
    let clean: String = address.chars().filter(|c| !c.is_control()).collect();
    format!("mailto:{clean}")
}

/// Who an invitation goes to: they are its one attendee.
pub struct Invitee<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

/// One booking as an event: times in UTC, both people's zones named in the description.
/// An invitation names the service (the mail's sender) as organizer on the teacher's behalf
/// and the recipient as the one attendee, already accepted, so no reply is asked for and no
/// one's address reaches the other; a feed's events name nobody.
fn event(b: &Booking, p: &Parties, invite: Option<(&Invitee, &str)>, now: i64) -> icalendar::Event {
    let minutes = (b.end_at - b.start_at) / 60;
    let description = format!(
        "\"{}\" with {}, {minutes} minutes, for {}.\n\
         Teacher's time: {} ({}).\nStudent's time: {} ({}).",
        b.course_title,
        b.teacher_name,
        b.student_name,
        when(b.start_at, p.teacher.tz),
        p.teacher.tz.name(),
        when(b.start_at, p.student_tz),
        p.student_tz.name(),
    );
    let mut event = icalendar::Event::new();
    event
        .uid(&uid(&b.id))
        .sequence(u32::try_from(b.sequence).unwrap_or(u32::MAX))
        .timestamp(utc(now))
        .starts(utc(b.start_at))
        .ends(utc(b.end_at))
        .summary(&format!("{} with {}", b.course_title, b.teacher_name))
        .description(&description);
    if let Some((invitee, organizer)) = invite {
        event
            .append_property(
                Property::new("ORGANIZER", mailto(organizer))
                    .add_parameter("CN", &param(&b.teacher_name))
                    .done(),
            )
            .append_multi_property(
                Property::new("ATTENDEE", mailto(invitee.email))
                    .add_parameter("CN", &param(invitee.name))
                    .add_parameter("PARTSTAT", "ACCEPTED")
                    .add_parameter("RSVP", "FALSE")
                    .done(),
            );
    }
    event.status(match b.status {
        BookingStatus::Confirmed => EventStatus::Confirmed,
        BookingStatus::Cancelled => EventStatus::Cancelled,
    });
    event.done()
}

/// The invitation for a booking mail to `invitee`, sent by `organizer` (the mail's From):
/// `REQUEST` while the booking stands, `CANCEL` after.
pub fn invite(
    b: &Booking,
    parties: &Parties,
    invitee: &Invitee,
    organizer: &str,
    now: i64,
) -> Invite {
    let method = match b.status {
        BookingStatus::Confirmed => "REQUEST",
        BookingStatus::Cancelled => "CANCEL",
    };
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("PRODID", PRODID))
        .append_property(("VERSION", "2.0"))
        .append_property(("METHOD", method))
        .push(event(b, parties, Some((invitee, organizer)), now));
    Invite {
        method,
        ics: calendar.to_string(),
    }
}

/// A feed of events, outside any scheduling exchange (so no `METHOD`): clients poll it and
/// show what it lists.
pub fn feed(bookings: &[(Booking, Parties)], now: i64) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("PRODID", PRODID))
        .append_property(("VERSION", "2.0"))
        .name("SkillShare Connect");
    for (booking, parties) in bookings {
        calendar.push(event(booking, parties, None, now));
    }
    calendar.to_string()
}

const FEED: &[u8] = b"calendar feed";

/// A feed's secret address part: the user id and a MAC of it and the generation, so nothing
/// secret is stored and raising the generation ends every earlier address.
pub fn feed_token(secrets: &Secrets, user_id: &str, generation: i64) -> String {
    let mac = secrets.mac(&[FEED, user_id.as_bytes(), &generation.to_be_bytes()]);
    format!("{user_id}.{}", &mac[..32])
}

/// The user a token belongs to, if it is the current token of that user.
pub fn token_user<'t>(secrets: &Secrets, token: &'t str, generation: i64) -> Option<&'t str> {
    let (user_id, _) = token.rsplit_once('.')?;
    let expected = feed_token(secrets, user_id, generation);
    same_secret(token.as_bytes(), expected.as_bytes()).then_some(user_id)
}

/// The user id a token claims to be for (checked by `token_user`).
pub fn token_claim(token: &str) -> Option<&str> {
    token.rsplit_once('.').map(|(user, _)| user)
}
