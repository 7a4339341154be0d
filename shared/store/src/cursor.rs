//! Cursors are the key of the last item of a page, as base64url JSON. A cursor is checked
//! against the query it is used with, so it cannot reach into another partition.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use fairlink_domain::ports::{Item, Query, StoreError};
use serde_json::Value;

pub fn encode(key: &Item) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

pub fn decode(cursor: &str, query: &Query) -> Result<Item, StoreError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| StoreError::InvalidCursor)?;
    let Ok(Value::Object(key)) = serde_json::from_slice::<Value>(&bytes) else {
        return Err(StoreError::InvalidCursor);
    };
    let expected = query.key_attrs();
    let well_formed = key.len() == expected.len()
        && expected
            .iter()
            .all(|attr| key.get(*attr).is_some_and(Value::is_string));
    let same_partition =
        key.get(query.partition_attr()).and_then(Value::as_str) == Some(query.partition.as_str());
    if well_formed && same_partition {
        Ok(key)
    } else {
        Err(StoreError::InvalidCursor)
    }
}

/// The position of an item in a query's order.
pub fn key_of(item: &Item, query: &Query) -> Item {
    query
        .key_attrs()
        .into_iter()
        .filter_map(|attr| item.get(attr).map(|v| (attr.to_string(), v.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fairlink_domain::ports::Index;
    use serde_json::json;

    fn item(value: Value) -> Item {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn round_trips_and_rejects_other_partitions() {
        let query = Query::table("ACC#a");
        let key = item(json!({"pk": "ACC#a", "sk": "x"}));
        let cursor = encode(&key);
        assert_eq!(decode(&cursor, &query).unwrap(), key);
        assert_eq!(
            decode(&cursor, &Query::table("ACC#b")),
            Err(StoreError::InvalidCursor)
        );
        assert_eq!(
            decode("not base64!", &query),
            Err(StoreError::InvalidCursor)
        );
        assert_eq!(
            decode(&encode(&item(json!({"pk": "ACC#a"}))), &query),
            Err(StoreError::InvalidCursor)
        );
    }

    #[test]
    fn index_cursors_carry_the_index_key() {
        let query = Query::index(Index::Gsi1, "EXH#e#ACCOUNTS");
        let full = item(
            json!({"pk": "ACC#1", "sk": "ACCOUNT", "gsi1pk": "EXH#e#ACCOUNTS", "gsi1sk": "1", "name": "x"}),
        );
        let key = key_of(&full, &query);
        assert_eq!(key.len(), 4);
        assert!(decode(&encode(&key), &query).is_ok());
    }
}
