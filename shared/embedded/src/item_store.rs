//! A file-backed item store with DynamoDB's semantics, on redb (a crash-safe embedded
//! key-value store: a write is on disk when its transaction commits).
//!
//! Tables: `items` maps (pk, sk) to the item's JSON; `gsi1` and `gsi2` map
//! (index pk, index sk, pk, sk) to nothing. Keys are byte strings, which order like
//! DynamoDB's strings.

use std::{collections::HashSet, ops::Bound, path::Path, sync::Arc};

use async_trait::async_trait;
use fairlink_domain::ports::{
    Change, Condition, INDEXES, Index, Item, ItemStore, Key, Page, Query, SortCondition,
    StoreError, WriteOp, attr,
};
use redb::{Database, ReadableTable, Table, TableDefinition};

use crate::condition;

type ItemKey<'a> = (&'a [u8], &'a [u8]);
type IndexKey<'a> = (&'a [u8], &'a [u8], &'a [u8], &'a [u8]);

const ITEMS: TableDefinition<ItemKey, &[u8]> = TableDefinition::new("items");
const GSI1: TableDefinition<IndexKey, ()> = TableDefinition::new("gsi1");
const GSI2: TableDefinition<IndexKey, ()> = TableDefinition::new("gsi2");

const MAX_TRANSACTION_WRITES: usize = 100;

fn index_table(index: Index) -> TableDefinition<'static, IndexKey<'static>, ()> {
    match index {
        Index::Gsi1 => GSI1,
        Index::Gsi2 => GSI2,
    }
}

#[derive(Clone)]
pub struct EmbeddedItemStore {
    db: Arc<Database>,
}

fn other(err: impl std::fmt::Display) -> StoreError {
    StoreError::Other(err.to_string())
}

impl EmbeddedItemStore {
    /// Opens (or creates) `fairlink.redb` in the directory.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(other)?;
        let db = Database::create(dir.join("fairlink.redb")).map_err(other)?;
        let txn = db.begin_write().map_err(other)?;
        {
            txn.open_table(ITEMS).map_err(other)?;
            txn.open_table(GSI1).map_err(other)?;
            txn.open_table(GSI2).map_err(other)?;
        }
        txn.commit().map_err(other)?;
        Ok(Self { db: Arc::new(db) })
    }

    /// Runs blocking redb work off the async runtime's threads.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || work(&db))
            .await
            .map_err(other)?
    }
}

/// A stored item's bytes, copied out of the table.
fn read_bytes(
    table: &impl ReadableTable<ItemKey<'static>, &'static [u8]>,
    key: &Key,
) -> Result<Option<Vec<u8>>, StoreError> {
    let stored = table
        .get((key.pk.as_bytes(), key.sk.as_bytes()))
        .map_err(other)?;
    Ok(stored.map(|bytes| bytes.value().to_vec()))
}

fn decode_item(bytes: Option<Vec<u8>>) -> Result<Option<Item>, StoreError> {
    bytes
        .map(|bytes| serde_json::from_slice(&bytes).map_err(other))
        .transpose()
}

fn read_item(
    table: &impl ReadableTable<ItemKey<'static>, &'static [u8]>,
    key: &Key,
) -> Result<Option<Item>, StoreError> {
    decode_item(read_bytes(table, key)?)
}

fn index_entry(item: &Item, index: Index) -> Option<(String, String)> {
    let pk = item.get(index.partition_attr())?.as_str()?;
    let sk = item.get(index.sort_attr())?.as_str()?;
    Some((pk.to_string(), sk.to_string()))
}

/// The writes of one transaction, applied inside an open redb write transaction.
struct Writer<'t> {
    items: Table<'t, ItemKey<'static>, &'static [u8]>,
    indexes: Vec<(Index, Table<'t, IndexKey<'static>, ()>)>,
}

impl<'t> Writer<'t> {
    fn open(txn: &'t redb::WriteTransaction) -> Result<Self, StoreError> {
        let items = txn.open_table(ITEMS).map_err(other)?;
        let indexes = INDEXES
            .iter()
            .map(|index| Ok((*index, txn.open_table(index_table(*index)).map_err(other)?)))
            .collect::<Result<_, StoreError>>()?;
        Ok(Self { items, indexes })
    }

    fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        read_item(&self.items, key)
    }

    /// Replaces the item at `key` (or removes it), keeping the indexes in step.
    fn write(
        &mut self,
        key: &Key,
        old: Option<&Item>,
        new: Option<&Item>,
    ) -> Result<(), StoreError> {
        for (index, table) in &mut self.indexes {
            if let Some((ipk, isk)) = old.and_then(|o| index_entry(o, *index)) {
                table
                    .remove((
                        ipk.as_bytes(),
                        isk.as_bytes(),
                        key.pk.as_bytes(),
                        key.sk.as_bytes(),
                    ))
                    .map_err(other)?;
            }
            if let Some((ipk, isk)) = new.and_then(|n| index_entry(n, *index)) {
                table
                    .insert(
                        (
                            ipk.as_bytes(),
                            isk.as_bytes(),
                            key.pk.as_bytes(),
                            key.sk.as_bytes(),
                        ),
                        (),
                    )
                    .map_err(other)?;
            }
        }
        let pair = (key.pk.as_bytes(), key.sk.as_bytes());
        match new {
            Some(item) => {
                let bytes = serde_json::to_vec(item).map_err(other)?;
                self.items.insert(pair, bytes.as_slice()).map_err(other)?;
            }
            None => {
                self.items.remove(pair).map_err(other)?;
            }
        }
        Ok(())
    }
}

/// What one write will do, decided before anything is written.
enum Planned {
    Write {
        key: Key,
        old: Option<Item>,
        new: Option<Item>,
    },
    Nothing,
}

fn check(
    cond: Option<&Condition>,
    current: Option<&Item>,
    op: Option<usize>,
) -> Result<(), StoreError> {
    match cond {
        Some(c) if !condition::holds(c, current) => Err(StoreError::ConditionFailed { op }),
        _ => Ok(()),
    }
}

fn plan(writer: &Writer, op: &WriteOp, position: Option<usize>) -> Result<Planned, StoreError> {
    match op {
        WriteOp::Put { item, condition } => {
            let key = Key::of(item)
                .ok_or_else(|| StoreError::Invalid("item without string pk and sk".into()))?;
            let old = writer.get(&key)?;
            check(condition.as_ref(), old.as_ref(), position)?;
            Ok(Planned::Write {
                key,
                old,
                new: Some(item.clone()),
            })
        }
        WriteOp::Update {
            key,
            changes,
            condition,
        } => {
            let old = writer.get(key)?;
            check(condition.as_ref(), old.as_ref(), position)?;
            let new = condition::apply(key, old.clone(), changes)?;
            Ok(Planned::Write {
                key: key.clone(),
                old,
                new: Some(new),
            })
        }
        WriteOp::Delete { key, condition } => {
            let old = writer.get(key)?;
            check(condition.as_ref(), old.as_ref(), position)?;
            Ok(Planned::Write {
                key: key.clone(),
                old,
                new: None,
            })
        }
        WriteOp::Check { key, condition } => {
            let old = writer.get(key)?;
            check(Some(condition), old.as_ref(), position)?;
            Ok(Planned::Nothing)
        }
    }
}

/// Plans every write against the state before any of them, then applies them and commits;
/// a failed plan drops the transaction, so nothing is written.
fn run_writes(
    db: &Database,
    ops: &[WriteOp],
    in_transaction: bool,
) -> Result<Option<Item>, StoreError> {
    let txn = db.begin_write().map_err(other)?;
    let mut last = None;
    {
        let mut writer = Writer::open(&txn)?;
        let planned = ops
            .iter()
            .enumerate()
            .map(|(i, op)| plan(&writer, op, in_transaction.then_some(i)))
            .collect::<Result<Vec<_>, _>>()?;
        for step in planned {
            if let Planned::Write { key, old, new } = step {
                writer.write(&key, old.as_ref(), new.as_ref())?;
                last = new;
            }
        }
    }
    txn.commit().map_err(other)?;
    Ok(last)
}

/// The smallest byte string greater than every string starting with `prefix`.
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut bytes = prefix.to_vec();
    while let Some(last) = bytes.pop() {
        if last < u8::MAX {
            bytes.push(last + 1);
            return Some(bytes);
        }
    }
    None
}

fn successor(value: &[u8]) -> Vec<u8> {
    let mut bytes = value.to_vec();
    bytes.push(0);
    bytes
}

/// The sort values a condition allows, as a half-open range [low, high).
pub(crate) fn sort_range(sort: Option<&SortCondition>) -> (Vec<u8>, Option<Vec<u8>>) {
    let b = |s: &String| s.as_bytes().to_vec();
    match sort {
        None => (vec![], None),
        Some(SortCondition::BeginsWith(p)) => (b(p), prefix_successor(p.as_bytes())),
        Some(SortCondition::Between(lo, hi)) => (b(lo), Some(successor(hi.as_bytes()))),
        Some(SortCondition::GreaterThan(v)) => (successor(v.as_bytes()), None),
        Some(SortCondition::GreaterOrEqual(v)) => (b(v), None),
        Some(SortCondition::LessThan(v)) => (vec![], Some(b(v))),
        Some(SortCondition::LessOrEqual(v)) => (vec![], Some(successor(v.as_bytes()))),
    }
}

fn cursor_part(cursor: &Item, name: &str) -> Result<Vec<u8>, StoreError> {
    cursor
        .get(name)
        .and_then(|v| v.as_str())
        .map(|s| s.as_bytes().to_vec())
        .ok_or(StoreError::InvalidCursor)
}

/// Walks a range forward or backward, keeping up to `limit` entries and telling whether more
/// follow.
fn take<T>(
    iter: impl DoubleEndedIterator<Item = Result<T, redb::StorageError>>,
    forward: bool,
    limit: usize,
) -> Result<(Vec<T>, bool), StoreError> {
    let mut iter: Box<dyn Iterator<Item = Result<T, redb::StorageError>>> = if forward {
        Box::new(iter)
    } else {
        Box::new(iter.rev())
    };
    let mut out = Vec::with_capacity(limit.min(1024));
    for entry in iter.by_ref() {
        out.push(entry.map_err(other)?);
        if out.len() == limit {
            return Ok((out, iter.next().is_some()));
        }
    }
    Ok((out, false))
}

/// A query's matching items, in the order asked for.
struct Matches {
    items: Vec<Item>,
    /// Whether more matching items follow the last one.
    more: bool,
}

fn query_table(db: &Database, query: &Query) -> Result<Page, StoreError> {
    let txn = db.begin_read().map_err(other)?;
    let items = txn.open_table(ITEMS).map_err(other)?;
    let matches = match query.index {
        None => query_items(&items, query)?,
        Some(index) => query_index(&txn, &items, index, query)?,
    };
    let last_key = next_page_start(query, &matches);
    Ok(Page {
        items: matches.items,
        last_key,
    })
}

/// A query of the table itself: a range of one partition's sort keys.
fn query_items(
    items: &impl ReadableTable<ItemKey<'static>, &'static [u8]>,
    query: &Query,
) -> Result<Matches, StoreError> {
    let (low, high) = sort_range(query.sort.as_ref());
    let partition = query.partition.as_bytes();
    let end_of_partition = successor(partition);
    let after = match &query.start_after {
        Some(cursor) => Some(cursor_part(cursor, attr::SK)?),
        None => None,
    };
    let mut lower: Bound<ItemKey> = Bound::Included((partition, low.as_slice()));
    let mut upper: Bound<ItemKey> = match &high {
        Some(h) => Bound::Excluded((partition, h.as_slice())),
        None => Bound::Excluded((end_of_partition.as_slice(), &[][..])),
    };
    if let Some(sk) = &after {
        if query.forward {
            lower = Bound::Excluded((partition, sk.as_slice()));
        } else {
            upper = Bound::Excluded((partition, sk.as_slice()));
        }
    }
    let range = items.range::<ItemKey>((lower, upper)).map_err(other)?;
    let (entries, more) = take(range, query.forward, query.limit)?;
    let items = entries
        .into_iter()
        .map(|(_, value)| serde_json::from_slice(value.value()).map_err(other))
        .collect::<Result<_, _>>()?;
    Ok(Matches { items, more })
}

/// Where an index query's previous page ended: the index entry's full key.
struct IndexCursor {
    index_sk: Vec<u8>,
    pk: Vec<u8>,
    sk: Vec<u8>,
}

/// A query of an index: a range of one index partition's sort keys, each entry then read
/// from the table (an entry whose item is gone is skipped).
fn query_index(
    txn: &redb::ReadTransaction,
    items: &impl ReadableTable<ItemKey<'static>, &'static [u8]>,
    index: Index,
    query: &Query,
) -> Result<Matches, StoreError> {
    let (low, high) = sort_range(query.sort.as_ref());
    let partition = query.partition.as_bytes();
    let end_of_partition = successor(partition);
    let after = match &query.start_after {
        Some(cursor) => Some(IndexCursor {
            index_sk: cursor_part(cursor, index.sort_attr())?,
            pk: cursor_part(cursor, attr::PK)?,
            sk: cursor_part(cursor, attr::SK)?,
        }),
        None => None,
    };
    let table = txn.open_table(index_table(index)).map_err(other)?;
    let empty: &[u8] = &[];
    let mut lower: Bound<IndexKey> = Bound::Included((partition, low.as_slice(), empty, empty));
    let mut upper: Bound<IndexKey> = match &high {
        Some(h) => Bound::Excluded((partition, h.as_slice(), empty, empty)),
        None => Bound::Excluded((end_of_partition.as_slice(), empty, empty, empty)),
    };
    if let Some(cursor) = &after {
        let at = (
            partition,
            cursor.index_sk.as_slice(),
            cursor.pk.as_slice(),
            cursor.sk.as_slice(),
        );
        if query.forward {
            lower = Bound::Excluded(at);
        } else {
            upper = Bound::Excluded(at);
        }
    }
    let range = table.range::<IndexKey>((lower, upper)).map_err(other)?;
    let (entries, more) = take(range, query.forward, query.limit)?;
    let mut found = Vec::new();
    for (entry, _) in entries {
        let (_, _, pk, sk) = entry.value();
        let key = Key::new(String::from_utf8_lossy(pk), String::from_utf8_lossy(sk));
        if let Some(item) = read_item(items, &key)? {
            found.push(item);
        }
    }
    Ok(Matches { items: found, more })
}

/// Where the next page starts: the key attributes of this page's last item, when more
/// follow.
fn next_page_start(query: &Query, matches: &Matches) -> Option<Item> {
    match (matches.more, matches.items.last()) {
        (true, Some(last)) => Some(
            query
                .key_attrs()
                .into_iter()
                .filter_map(|name| last.get(name).map(|v| (name.to_string(), v.clone())))
                .collect(),
        ),
        _ => None,
    }
}

#[async_trait]
impl ItemStore for EmbeddedItemStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let key = key.clone();
        // The blocking thread copies the stored bytes out; the item is decoded here, so that
        // its many small allocations are made and freed on the thread that uses them.
        let bytes = self
            .blocking(move |db| {
                let txn = db.begin_read().map_err(other)?;
                let table = txn.open_table(ITEMS).map_err(other)?;
                read_bytes(&table, &key)
            })
            .await?;
        decode_item(bytes)
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        let keys = keys.to_vec();
        // As `get`: bytes out of the blocking thread, items decoded here.
        let stored: Vec<Option<Vec<u8>>> = self
            .blocking(move |db| {
                let txn = db.begin_read().map_err(other)?;
                let table = txn.open_table(ITEMS).map_err(other)?;
                keys.iter().map(|key| read_bytes(&table, key)).collect()
            })
            .await?;
        stored.into_iter().map(decode_item).collect()
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        let ops = [WriteOp::Put { item, condition }];
        self.blocking(move |db| run_writes(db, &ops, false).map(|_| ()))
            .await
    }

    async fn update(
        &self,
        key: &Key,
        changes: Vec<Change>,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        let ops = [WriteOp::Update {
            key: key.clone(),
            changes,
            condition,
        }];
        self.blocking(move |db| {
            run_writes(db, &ops, false)?.ok_or_else(|| other("update wrote nothing"))
        })
        .await
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        let ops = [WriteOp::Delete {
            key: key.clone(),
            condition,
        }];
        self.blocking(move |db| run_writes(db, &ops, false).map(|_| ()))
            .await
    }

    async fn delete_many(&self, keys: &[Key]) -> Result<(), StoreError> {
        let mut seen = HashSet::new();
        let ops: Vec<WriteOp> = keys
            .iter()
            .filter(|key| seen.insert(*key))
            .map(|key| WriteOp::Delete {
                key: key.clone(),
                condition: None,
            })
            .collect();
        if ops.is_empty() {
            return Ok(());
        }
        // One commit: each commit is a write to disk.
        self.blocking(move |db| run_writes(db, &ops, false).map(|_| ()))
            .await
    }

    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        if ops.is_empty() || ops.len() > MAX_TRANSACTION_WRITES {
            return Err(StoreError::Invalid(format!(
                "a transaction takes 1 to {MAX_TRANSACTION_WRITES} writes"
            )));
        }
        let mut seen = HashSet::new();
        for op in &ops {
            let key = op
                .key()
                .ok_or_else(|| StoreError::Invalid("item without string pk and sk".into()))?;
            if !seen.insert(key) {
                return Err(StoreError::Invalid(
                    "an item appears twice in one transaction".into(),
                ));
            }
        }
        self.blocking(move |db| run_writes(db, &ops, true).map(|_| ()))
            .await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        if query.limit == 0 {
            return Err(StoreError::Invalid(
                "a query's limit must be at least 1".into(),
            ));
        }
        self.blocking(move |db| query_table(db, &query)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_successors() {
        assert_eq!(prefix_successor(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_successor(&[b'a', 0xff]), Some(b"b".to_vec()));
        assert_eq!(prefix_successor(&[0xff]), None);
        assert_eq!(prefix_successor(b""), None);
    }
}
