//! Negotiation slots from dates × daily windows in an exhibitor's time zone. A window is
//! local wall-clock time ("09:00–12:00 in New York"); its slots are cut in real time, so each
//! lasts exactly its length whatever the clocks do: on a fall-back night the repeated hour
//! gets its slots, and a spring-forward gap simply has none.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A daily window, local time, `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// One slot's time, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SlotTime {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The slots of `windows` on each day from `from` to `to` (inclusive), `length` long,
/// sorted by start. At most `limit` are made: `None` if there would be more.
pub fn expand(
    from: NaiveDate,
    to: NaiveDate,
    windows: &[DailyWindow],
    zone: Tz,
    length: Duration,
    limit: usize,
) -> Option<Vec<SlotTime>> {
    let mut slots = Vec::new();
    if length <= Duration::zero() {
        return Some(slots);
    }
    for day in from.iter_days().take_while(|d| *d <= to) {
        for window in windows {
            let (Some(mut at), Some(end)) = (
                first_instant(zone, day.and_time(window.start)),
                last_instant(zone, day.and_time(window.end)),
            ) else {
                continue;
            };
            while let Some(ends_at) = at.checked_add_signed(length).filter(|e| *e <= end) {
                if slots.len() == limit {
                    return None;
                }
                slots.push(SlotTime {
                    starts_at: at,
                    ends_at,
                });
                at = ends_at;
            }
        }
    }
    slots.sort();
    Some(slots)
}

/// The first instant a local time names: its earlier occurrence when the clocks go back;
/// when it falls in a gap, the moment the gap ends.
fn first_instant(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    probe(zone, local, 1).map(|t| t.earliest_utc)
}

/// The last instant a local time names: its later occurrence when the clocks go back; in a
/// gap, the moment the gap begins.
fn last_instant(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    probe(zone, local, -1).map(|t| t.latest_utc)
}

struct Resolved {
    earliest_utc: DateTime<Utc>,
    latest_utc: DateTime<Utc>,
}

/// Resolves a local time, walking minute by minute (`direction`) out of a gap (at most three
/// hours: no zone has a longer one).
fn probe(zone: Tz, local: NaiveDateTime, direction: i64) -> Option<Resolved> {
    (0..=180).find_map(|minutes| {
        let at = local.checked_add_signed(Duration::minutes(minutes * direction))?;
        let resolved = zone.from_local_datetime(&at);
        Some(Resolved {
            earliest_utc: resolved.earliest()?.with_timezone(&Utc),
            latest_utc: resolved.latest()?.with_timezone(&Utc),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(start: &str, end: &str) -> DailyWindow {
        DailyWindow {
            start: NaiveTime::parse_from_str(start, "%H:%M").unwrap(),
            end: NaiveTime::parse_from_str(end, "%H:%M").unwrap(),
        }
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn one_day(date: &str, zone: Tz, from: &str, to: &str) -> Vec<SlotTime> {
        expand(
            day(date),
            day(date),
            &[window(from, to)],
            zone,
            Duration::minutes(30),
            2_000,
        )
        .unwrap()
    }

    #[test]
    fn a_plain_day_in_shanghai() {
        let slots = one_day("2027-04-15", chrono_tz::Asia::Shanghai, "09:00", "11:00");
        assert_eq!(slots.len(), 4);
        assert_eq!(slots[0].starts_at, utc("2027-04-15T01:00:00Z"));
        assert_eq!(slots[3].ends_at, utc("2027-04-15T03:00:00Z"));
    }

    #[test]
    fn the_repeated_hour_of_a_fall_back_night_gets_its_slots_and_each_lasts_30_minutes() {
        // New York, 2026-11-01: 02:00 EDT becomes 01:00 EST. 00:00-03:00 local is four
        // hours of real time (04:00Z-08:00Z).
        let slots = one_day("2026-11-01", chrono_tz::America::New_York, "00:00", "03:00");
        assert_eq!(slots.len(), 8);
        assert_eq!(slots[0].starts_at, utc("2026-11-01T04:00:00Z"));
        assert_eq!(slots[7].ends_at, utc("2026-11-01T08:00:00Z"));
        for (slot, next) in slots.iter().zip(slots.iter().skip(1)) {
            assert_eq!(slot.ends_at - slot.starts_at, Duration::minutes(30));
            assert_eq!(slot.ends_at, next.starts_at);
        }
        assert!(
            slots
                .iter()
                .any(|s| s.starts_at == utc("2026-11-01T05:30:00Z"))
        );
        assert!(
            slots
                .iter()
                .any(|s| s.starts_at == utc("2026-11-01T06:00:00Z"))
        );
    }

    #[test]
    fn a_spring_forward_gap_has_no_slots() {
        // New York, 2027-03-14: 02:00 EST becomes 03:00 EDT. 00:00-04:00 local is three
        // hours of real time.
        let slots = one_day("2027-03-14", chrono_tz::America::New_York, "00:00", "04:00");
        assert_eq!(slots.len(), 6);
        assert_eq!(slots[0].starts_at, utc("2027-03-14T05:00:00Z"));
        assert_eq!(slots[5].ends_at, utc("2027-03-14T08:00:00Z"));
        // A window that starts in the gap starts when the gap ends (03:00 EDT).
        let slots = one_day("2027-03-14", chrono_tz::America::New_York, "02:15", "04:00");
        assert_eq!(slots[0].starts_at, utc("2027-03-14T07:00:00Z"));
        assert_eq!(slots.len(), 2);
    }

    #[test]
    fn over_the_limit_is_refused_and_the_ends_of_time_do_not_panic() {
        let all_day = [window("00:00", "23:30")];
        let many = expand(
            day("2027-01-01"),
            day("2027-03-31"),
            &all_day,
            chrono_tz::UTC,
            Duration::minutes(5),
            2_000,
        );
        assert!(many.is_none());
        let last = expand(
            NaiveDate::MAX,
            NaiveDate::MAX,
            &[window("23:00", "23:59")],
            chrono_tz::UTC,
            Duration::minutes(30),
            2_000,
        );
        assert!(last.is_some());
    }
}
