//! API.md "Conventions": every time fairlink answers carries millisecond precision in one
//! format (`2021-04-15T08:00:00.123Z`). Every answer and socket frame the tests read passes
//! through here, so a time written any other way fails whichever test reads it.

use serde_json::Value;

/// Fields that hold a time: `…At`, `validUntil`, and the bare names below.
fn holds_a_time(field: &str) -> bool {
    field.ends_with("At")
        || field.ends_with("Until")
        || matches!(field, "at" | "from" | "through" | "now")
}

/// Panics at the first time in `value` that is not in the one format.
#[track_caller]
pub fn assert_times_in_one_format(value: &Value) {
    walk(value, "$");
}

#[track_caller]
fn walk(value: &Value, path: &str) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                let here = format!("{path}.{name}");
                if holds_a_time(name)
                    && let Value::String(text) = field
                {
                    assert!(
                        in_one_format(text),
                        "{here} = {text:?}: times are RFC 3339 UTC with three fractional digits"
                    );
                }
                walk(field, &here);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"));
            }
        }
        _ => {}
    }
}

fn in_one_format(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text)
        .is_ok_and(|time| fairlink_domain::time::format(time.to_utc()) == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_one_format_passes() {
        assert!(in_one_format("2021-04-15T08:00:00.123Z"));
        assert!(in_one_format("2021-04-15T08:00:00.000Z"));
        for other in [
            "2021-04-15T08:00:00Z",
            "2021-04-15T08:00:00.123456Z",
            "2021-04-15T16:00:00.123+08:00",
            "2021-04-15",
        ] {
            assert!(!in_one_format(other), "{other}");
        }
    }
}
