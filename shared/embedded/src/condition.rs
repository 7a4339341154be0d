//! DynamoDB's condition and update semantics, for the embedded store.

use std::cmp::Ordering;

use fairlink_domain::ports::{Change, Condition, Item, Key, StoreError, attr};
use serde_json::Value;

pub fn holds(condition: &Condition, item: Option<&Item>) -> bool {
    let get = |name: &str| item.and_then(|i| i.get(name));
    match condition {
        Condition::Exists => item.is_some(),
        Condition::NotExists => item.is_none(),
        Condition::AttrExists(name) => get(name).is_some(),
        Condition::AttrNotExists(name) => get(name).is_none(),
        Condition::Equals(name, value) => {
            get(name).is_some_and(|v| compare(v, value) == Some(Ordering::Equal))
        }
        // Like DynamoDB's `<>`: true for a missing attribute.
        Condition::NotEquals(name, value) => {
            get(name).is_none_or(|v| compare(v, value) != Some(Ordering::Equal))
        }
        Condition::LessThan(name, value) => {
            get(name).is_some_and(|v| compare(v, value) == Some(Ordering::Less))
        }
        Condition::LessOrEqual(name, value) => get(name)
            .is_some_and(|v| matches!(compare(v, value), Some(Ordering::Less | Ordering::Equal))),
        Condition::And(all) => all.iter().all(|c| holds(c, item)),
        Condition::Or(any) => any.iter().any(|c| holds(c, item)),
    }
}

/// Numbers compare as numbers, strings by their bytes; other pairs only for equality.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        _ if a == b => Some(Ordering::Equal),
        _ => None,
    }
}

/// The item after an update; a missing item starts as just its key.
pub fn apply(key: &Key, current: Option<Item>, changes: &[Change]) -> Result<Item, StoreError> {
    let mut item = current.unwrap_or_else(|| {
        Item::from_iter([
            (attr::PK.to_string(), Value::String(key.pk.clone())),
            (attr::SK.to_string(), Value::String(key.sk.clone())),
        ])
    });
    for change in changes {
        let name = match change {
            Change::Set(name, _) | Change::Remove(name) | Change::Add(name, _) => name,
        };
        if name == attr::PK || name == attr::SK {
            return Err(StoreError::Invalid(format!(
                "an update cannot change the key attribute {name}"
            )));
        }
        match change {
            Change::Set(name, value) => {
                item.insert(name.clone(), value.clone());
            }
            Change::Remove(name) => {
                item.remove(name);
            }
            Change::Add(name, by) => {
                let current = match item.get(name) {
                    None => 0,
                    Some(v) => v.as_i64().ok_or_else(|| {
                        StoreError::Invalid(format!("ADD to the non-integer {name}"))
                    })?,
                };
                item.insert(name.clone(), Value::from(current + by));
            }
        }
    }
    Ok(item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comparisons_follow_dynamodb() {
        let item = json!({"pk": "a", "sk": "b", "n": 3, "s": "b"})
            .as_object()
            .unwrap()
            .clone();
        let it = Some(&item);
        assert!(holds(&Condition::LessThan("n".into(), json!(3.5)), it));
        assert!(holds(&Condition::Equals("n".into(), json!(3.0)), it));
        assert!(!holds(&Condition::LessThan("missing".into(), json!(1)), it));
        assert!(holds(&Condition::NotEquals("missing".into(), json!(1)), it));
        assert!(!holds(&Condition::LessThan("s".into(), json!(1)), it));
        assert!(holds(&Condition::NotExists, None));
    }

    #[test]
    fn add_starts_from_zero_and_keys_are_fixed() {
        let key = Key::new("a", "b");
        let item = apply(&key, None, &[Change::Add("n".into(), 2)]).unwrap();
        assert_eq!(item["n"], json!(2));
        assert!(apply(&key, None, &[Change::Set("pk".into(), json!("x"))]).is_err());
    }
}
