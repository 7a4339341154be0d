//! An item store whose indexes lag behind its table, as DynamoDB's global secondary indexes
//! do (they are only ever eventually consistent): for `lag` after a write, index queries
//! answer as if it had not happened (a new item missing, a changed one as it was, a deleted
//! one still there), while gets and table queries see it at once. Both test backends are
//! otherwise read-your-writes everywhere, so without this nothing would show a rule that
//! rests on an index read; with it (`FAIRLINK_INDEX_LAG_MS`), such a rule fails its test.

use std::{
    cmp::Ordering,
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use fairlink_domain::ports::{
    Change, Condition, Item, ItemStore, Key, Page, Query, SortCondition, StoreError, WriteOp, attr,
};
use serde_json::Value;

/// A write the indexes have not caught up with: the item as the indexes still show it.
struct Pending {
    at: Instant,
    before: Option<Item>,
}

pub struct LaggingIndexes {
    inner: Arc<dyn ItemStore>,
    lag: Duration,
    pending: Mutex<HashMap<Key, Pending>>,
}

impl LaggingIndexes {
    pub fn new(inner: Arc<dyn ItemStore>, lag: Duration) -> Self {
        Self {
            inner,
            lag,
            pending: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remembers how the indexes see the keys about to be written (a key already pending
    /// keeps its older view: the indexes have not caught up with that write either).
    async fn before_writes(&self, keys: &[Key]) -> Result<Vec<(Key, Option<Item>)>, StoreError> {
        let mut views = Vec::new();
        for key in keys {
            if let Some(p) = self.lock().get(key)
                && p.at.elapsed() < self.lag
            {
                views.push((key.clone(), p.before.clone()));
                continue;
            }
            views.push((key.clone(), self.inner.get(key).await?));
        }
        Ok(views)
    }

    fn written(&self, views: Vec<(Key, Option<Item>)>) {
        let now = Instant::now();
        let mut pending = self.lock();
        pending.retain(|_, p| p.at.elapsed() < self.lag);
        for (key, before) in views {
            let at = match pending.get(&key) {
                Some(p) => p.at,
                None => now,
            };
            pending.insert(key, Pending { at, before });
        }
    }

    /// The index's view of the query: the table's answer with the recent writes undone.
    fn lagging_view(&self, query: &Query, page: Page) -> Page {
        let Some(index) = query.index else {
            return page;
        };
        let pending = self.lock();
        let recent: HashMap<&Key, &Option<Item>> = pending
            .iter()
            .filter(|(_, p)| p.at.elapsed() < self.lag)
            .map(|(k, p)| (k, &p.before))
            .collect();
        if recent.is_empty() {
            return page;
        }
        let in_query = |item: &Item| {
            item.get(index.partition_attr()).and_then(Value::as_str) == Some(&query.partition)
                && item
                    .get(index.sort_attr())
                    .and_then(Value::as_str)
                    .is_some_and(|sk| sort_matches(query.sort.as_ref(), sk))
        };
        let mut items: Vec<Item> = page
            .items
            .into_iter()
            .filter(|item| Key::of(item).is_none_or(|k| !recent.contains_key(&k)))
            .collect();
        items.extend(
            recent
                .values()
                .filter_map(|before| before.as_ref())
                .filter(|item| in_query(item))
                .cloned(),
        );
        let order = |a: &Item, b: &Item| {
            let key = |i: &Item| {
                [index.sort_attr(), attr::PK, attr::SK]
                    .map(|n| i.get(n).and_then(Value::as_str).unwrap_or("").to_string())
            };
            let ordering = key(a).cmp(&key(b));
            if query.forward {
                ordering
            } else {
                ordering.reverse()
            }
        };
        items.sort_by(order);
        if let Some(start) = &query.start_after {
            items.retain(|item| order(item, start) == Ordering::Greater);
        }
        let more = items.len() > query.limit || page.last_key.is_some();
        items.truncate(query.limit);
        let last_key = more
            .then(|| items.last().map(|i| position(i, query)))
            .flatten();
        Page { items, last_key }
    }
}

/// The key attributes of an item, as a query's position after it.
fn position(item: &Item, query: &Query) -> Item {
    query
        .key_attrs()
        .into_iter()
        .filter_map(|name| item.get(name).map(|v| (name.to_string(), v.clone())))
        .collect()
}

/// Whether a sort value is in the condition's range, by the store's own byte order.
fn sort_matches(sort: Option<&SortCondition>, sk: &str) -> bool {
    let (low, high) = crate::item_store::sort_range(sort);
    sk.as_bytes() >= low.as_slice() && high.is_none_or(|h| sk.as_bytes() < h.as_slice())
}

#[async_trait]
impl ItemStore for LaggingIndexes {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        self.inner.get_many(keys).await
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        let views = self
            .before_writes(&Key::of(&item).into_iter().collect::<Vec<_>>())
            .await?;
        self.inner.put(item, condition).await?;
        self.written(views);
        Ok(())
    }

    async fn update(
        &self,
        key: &Key,
        changes: Vec<Change>,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        let views = self.before_writes(std::slice::from_ref(key)).await?;
        let item = self.inner.update(key, changes, condition).await?;
        self.written(views);
        Ok(item)
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        let views = self.before_writes(std::slice::from_ref(key)).await?;
        self.inner.delete(key, condition).await?;
        self.written(views);
        Ok(())
    }

    async fn delete_many(&self, keys: &[Key]) -> Result<(), StoreError> {
        let views = self.before_writes(keys).await?;
        self.inner.delete_many(keys).await?;
        self.written(views);
        Ok(())
    }

    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        let keys: Vec<Key> = ops
            .iter()
            .filter(|op| !matches!(op, WriteOp::Check { .. }))
            .filter_map(WriteOp::key)
            .collect();
        let views = self.before_writes(&keys).await?;
        self.inner.transact(ops).await?;
        self.written(views);
        Ok(())
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        let page = self.inner.query(query.clone()).await?;
        Ok(self.lagging_view(&query, page))
    }
}
