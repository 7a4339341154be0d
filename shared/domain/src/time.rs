//! One format for every time fairlink answers, stores or sends: RFC 3339 in UTC with exactly
//! three fractional digits (`2021-04-15T08:00:00.123Z`, API.md "Conventions").
//!
//! Times are held at millisecond precision from where they enter (the clock, and every time
//! parsed from a request or read from a store), so a time read back equals the one written and
//! two renderings of one instant are the same string.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

/// `time` without its sub-millisecond part.
pub fn to_millis(time: DateTime<Utc>) -> DateTime<Utc> {
    time.trunc_subsecs(3)
}

/// `time` in fairlink's one format.
pub fn format(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `#[serde(with = "fairlink_domain::time::millis")]` on a `DateTime<Utc>` field: written in
/// the one format, read from any RFC 3339 time (any offset, any precision) and truncated.
pub mod millis {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        time: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format(*time))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        DateTime::<Utc>::deserialize(deserializer).map(super::to_millis)
    }
}

/// The same for an `Option<DateTime<Utc>>` field (give it `#[serde(default)]` too).
pub mod millis_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        time: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => serializer.serialize_some(&super::format(*time)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<DateTime<Utc>>::deserialize(deserializer).map(|time| time.map(super::to_millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Stamped {
        #[serde(with = "millis")]
        at: DateTime<Utc>,
        #[serde(default, with = "millis_opt", skip_serializing_if = "Option::is_none")]
        until: Option<DateTime<Utc>>,
    }

    fn stamped(json: &str) -> Stamped {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn every_time_is_written_with_three_fractional_digits() {
        let whole = stamped(r#"{"at":"2021-04-15T08:00:00Z"}"#);
        assert_eq!(
            serde_json::to_string(&whole).unwrap(),
            r#"{"at":"2021-04-15T08:00:00.000Z"}"#
        );
        let fine = stamped(
            r#"{"at":"2021-04-15T16:00:00.123456789+08:00","until":"2021-04-16T00:00:00.5Z"}"#,
        );
        assert_eq!(
            serde_json::to_string(&fine).unwrap(),
            r#"{"at":"2021-04-15T08:00:00.123Z","until":"2021-04-16T00:00:00.500Z"}"#
        );
    }

    #[test]
    fn a_time_read_back_equals_the_one_written() {
        let original = stamped(r#"{"at":"2021-04-15T08:00:00.123999Z","until":null}"#);
        let again: Stamped =
            serde_json::from_str(&serde_json::to_string(&original).unwrap()).unwrap();
        assert_eq!(again, original);
        assert_eq!(original.at, to_millis(original.at));
        assert_eq!(original.until, None);
    }

    #[test]
    fn bad_times_are_refused_as_before() {
        assert!(serde_json::from_str::<Stamped>(r#"{"at":"yesterday"}"#).is_err());
        assert!(serde_json::from_str::<Stamped>(r#"{"at":"2021-04-15 08:00"}"#).is_err());
    }
}
