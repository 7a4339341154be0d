//! The item-store port: a single-table key-value store with DynamoDB's semantics.
//!
//! Items are JSON objects. Every item has the string attributes `pk` and `sk`; the optional
//! string pairs `gsi1pk`/`gsi1sk` and `gsi2pk`/`gsi2sk` put it in the sparse global indexes
//! GSI1 and GSI2; a numeric `ttl` (epoch seconds) lets the store expire it. Sort keys order
//! by their UTF-8 bytes, as DynamoDB orders strings.

use async_trait::async_trait;
use serde_json::{Map, Value};

pub type Item = Map<String, Value>;

/// Attribute names of the keys and of the expiry.
pub mod attr {
    pub const PK: &str = "pk";
    pub const SK: &str = "sk";
    pub const GSI1_PK: &str = "gsi1pk";
    pub const GSI1_SK: &str = "gsi1sk";
    pub const GSI2_PK: &str = "gsi2pk";
    pub const GSI2_SK: &str = "gsi2sk";
    pub const TTL: &str = "ttl";
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    /// The key of an item, if it has string `pk` and `sk` attributes.
    pub fn of(item: &Item) -> Option<Self> {
        Some(Self::new(
            item.get(attr::PK)?.as_str()?,
            item.get(attr::SK)?.as_str()?,
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    Gsi1,
    Gsi2,
}

pub const INDEXES: [Index; 2] = [Index::Gsi1, Index::Gsi2];

impl Index {
    pub fn name(self) -> &'static str {
        match self {
            Index::Gsi1 => "GSI1",
            Index::Gsi2 => "GSI2",
        }
    }

    pub fn partition_attr(self) -> &'static str {
        match self {
            Index::Gsi1 => attr::GSI1_PK,
            Index::Gsi2 => attr::GSI2_PK,
        }
    }

    pub fn sort_attr(self) -> &'static str {
        match self {
            Index::Gsi1 => attr::GSI1_SK,
            Index::Gsi2 => attr::GSI2_SK,
        }
    }
}

/// A condition on the item a write targets, evaluated against its state before the write.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The item exists.
    Exists,
    /// The item does not exist.
    NotExists,
    AttrExists(String),
    AttrNotExists(String),
    Equals(String, Value),
    NotEquals(String, Value),
    /// The attribute exists and is less than the value (numbers, or strings by bytes).
    LessThan(String, Value),
    LessOrEqual(String, Value),
    And(Vec<Condition>),
    Or(Vec<Condition>),
}

/// A change made by an update. `Add` adds to a number, treating a missing one as zero.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Set(String, Value),
    Remove(String),
    Add(String, i64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    Put {
        item: Item,
        condition: Option<Condition>,
    },
    Update {
        key: Key,
        changes: Vec<Change>,
        condition: Option<Condition>,
    },
    Delete {
        key: Key,
        condition: Option<Condition>,
    },
    /// Writes nothing; fails the transaction when the condition does not hold.
    Check { key: Key, condition: Condition },
}

impl WriteOp {
    pub fn key(&self) -> Option<Key> {
        match self {
            WriteOp::Put { item, .. } => Key::of(item),
            WriteOp::Update { key, .. }
            | WriteOp::Delete { key, .. }
            | WriteOp::Check { key, .. } => Some(key.clone()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SortCondition {
    BeginsWith(String),
    /// Both ends included.
    Between(String, String),
    GreaterThan(String),
    GreaterOrEqual(String),
    LessThan(String),
    LessOrEqual(String),
}

/// A query of one partition of the table or of an index, in sort-key order.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub index: Option<Index>,
    pub partition: String,
    pub sort: Option<SortCondition>,
    pub forward: bool,
    pub limit: usize,
    /// Resume after this key (the key attributes of the last item seen: `pk`, `sk`, and for
    /// an index its two attributes).
    pub start_after: Option<Item>,
}

impl Query {
    pub fn table(partition: impl Into<String>) -> Self {
        Self {
            index: None,
            partition: partition.into(),
            sort: None,
            forward: true,
            limit: 50,
            start_after: None,
        }
    }

    pub fn index(index: Index, partition: impl Into<String>) -> Self {
        Self {
            index: Some(index),
            ..Self::table(partition)
        }
    }

    pub fn sort(mut self, sort: SortCondition) -> Self {
        self.sort = Some(sort);
        self
    }

    pub fn backward(mut self) -> Self {
        self.forward = false;
        self
    }

    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    pub fn start_after(mut self, key: Option<Item>) -> Self {
        self.start_after = key;
        self
    }

    /// The attributes that make up a position in this query's order.
    pub fn key_attrs(&self) -> Vec<&'static str> {
        let mut attrs = vec![attr::PK, attr::SK];
        if let Some(index) = self.index {
            attrs.push(index.partition_attr());
            attrs.push(index.sort_attr());
        }
        attrs
    }

    pub fn partition_attr(&self) -> &'static str {
        self.index.map_or(attr::PK, Index::partition_attr)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
    /// Where the next page starts; `None` when the store knows there is no more.
    pub last_key: Option<Item>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// A condition did not hold. In a transaction, `op` is the index of the failing write.
    #[error("condition failed{}", op.map(|i| format!(" (write {i})")).unwrap_or_default())]
    ConditionFailed { op: Option<usize> },
    /// A transaction collided with another one in flight; it may be retried.
    #[error("transaction conflict")]
    TransactionConflict,
    #[error("invalid cursor")]
    InvalidCursor,
    /// The request itself is wrong (missing key attributes, an item twice in a transaction).
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("store error: {0}")]
    Other(String),
}

impl StoreError {
    pub fn condition_failed() -> Self {
        StoreError::ConditionFailed { op: None }
    }

    pub fn is_condition_failed(&self) -> bool {
        matches!(self, StoreError::ConditionFailed { .. })
    }
}

/// Read consistency (DESIGN.md, "Read consistency"): `get`, `get_many` and a query of the
/// table are strongly consistent, they see every write acknowledged before them; a query of
/// an index may lag behind the table (DynamoDB's global secondary indexes are only ever
/// eventually consistent), so it finds and lists things but never decides a rule that must
/// hold.
#[async_trait]
pub trait ItemStore: Send + Sync {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// Several items at once (DynamoDB's BatchGetItem), in the order of `keys`: `None` for
    /// a missing one. Each item is read consistently, the set not as of one instant.
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError>;

    /// Writes the whole item, replacing any item with its key.
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError>;

    /// Applies the changes (creating the item if it is missing) and returns the new item.
    async fn update(
        &self,
        key: &Key,
        changes: Vec<Change>,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError>;

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError>;

    /// Deletes several items without conditions (DynamoDB's BatchWriteItem, 25 a call, a
    /// write unit each): each on its own, not all or none; a missing one is no error, a key
    /// may repeat. On an error some may be deleted.
    async fn delete_many(&self, keys: &[Key]) -> Result<(), StoreError>;

    /// All writes or none; every condition is checked against the state before the
    /// transaction. An item may appear once. At most 100 writes.
    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError>;

    /// Strongly consistent on the table, possibly behind on an index (see above).
    async fn query(&self, query: Query) -> Result<Page, StoreError>;
}
