use fairlink_domain::{
    DomainError,
    ports::{Item, Key, attr},
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// An entity as an item: its fields, its key and a `_type` attribute naming what it is
/// (underscored so that it never collides with an entity's own fields, such as a
/// notification's `type`).
pub fn to_item<T: Serialize>(key: &Key, kind: &str, entity: &T) -> Item {
    let mut item = match serde_json::to_value(entity) {
        Ok(Value::Object(fields)) => fields,
        // Entities are structs; anything else is a programming error caught by tests.
        other => panic!("entity {kind} did not serialize to an object: {other:?}"),
    };
    item.insert(attr::PK.into(), Value::String(key.pk.clone()));
    item.insert(attr::SK.into(), Value::String(key.sk.clone()));
    item.insert("_type".into(), Value::String(kind.into()));
    item
}

/// The entity an item holds; key attributes and other extras are ignored.
pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, DomainError> {
    serde_json::from_value(Value::Object(item))
        .map_err(|err| DomainError::Internal(format!("stored item does not decode: {err}")))
}

/// The update that turns the stored `old` item into `new`, touching only the attributes
/// that differ: concurrent writes to other attributes (counters, presence) are not lost.
pub fn changes_between(old: &Item, new: &Item) -> Vec<fairlink_domain::ports::Change> {
    use fairlink_domain::ports::Change;
    new.iter()
        .filter(|(name, value)| old.get(*name) != Some(value))
        .map(|(name, value)| Change::Set(name.clone(), value.clone()))
        .chain(
            old.keys()
                .filter(|name| !new.contains_key(*name))
                .map(|name| Change::Remove(name.clone())),
        )
        .collect()
}

/// Sets a string attribute (the index keys items carry beside their entity).
pub fn set_str(item: &mut Item, name: &str, value: String) {
    item.insert(name.into(), Value::String(value));
}

/// FNV-1a: a hash that stays the same across processes and versions (unlike std's), for
/// spreading items over blocks and shards.
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
