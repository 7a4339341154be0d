//! `calendar.ics` for a booking (RFC 5545), with a UID that stays the same for the booking,
//! so that calendars update the event instead of adding another.

use fairlink_domain::{model::BookingStatus, reminders::Meeting};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

pub fn booking_calendar(meeting: &Meeting) -> String {
    let booking = &meeting.booking;
    let facts = meeting.facts();
    let (exhibitor, buyer) = (facts.exhibitor, facts.buyer);
    let mut event = Event::new();
    event
        .uid(&format!("{}@fairlink", booking.id))
        .summary(&format!("{exhibitor} / {buyer}"))
        .starts(booking.starts_at)
        .ends(booking.ends_at)
        .timestamp(booking.confirmed_at.unwrap_or(booking.created_at))
        .status(match booking.status {
            BookingStatus::Requested => EventStatus::Tentative,
            BookingStatus::Confirmed => EventStatus::Confirmed,
            BookingStatus::Cancelled => EventStatus::Cancelled,
        });
    if let Some(meeting) = &booking.meeting {
        event
            .location(&meeting.join_url)
            .url(&meeting.join_url)
            .description(&format!(
                "Join: {}\nBooking: {}",
                meeting.join_url, booking.id
            ));
    }
    let mut calendar = Calendar::new();
    calendar.name("fairlink").push(event.done());
    calendar.done().to_string()
}
