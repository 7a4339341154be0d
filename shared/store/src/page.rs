use fairlink_domain::{
    DomainError,
    ports::{Item, ItemStore, Query},
};
use serde::de::DeserializeOwned;

use crate::{codec::from_item, cursor};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 200;

/// A page asked for by a client: at most `limit` items after `cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub cursor: Option<String>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

impl PageRequest {
    pub fn new(limit: Option<usize>, cursor: Option<String>) -> Result<Self, DomainError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(DomainError::field(
                "limit",
                format!("must be from 1 to {MAX_LIMIT}"),
            ));
        }
        Ok(Self {
            limit,
            cursor: cursor.filter(|c| !c.is_empty()),
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageOf<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> PageOf<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> PageOf<U> {
        PageOf {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// Runs one query for a page. It asks for one item more than the page holds, so the cursor
/// is `None` exactly when nothing follows (no empty last page for the front-end).
pub async fn query_page<T: DeserializeOwned>(
    store: &dyn ItemStore,
    query: Query,
    request: &PageRequest,
) -> Result<PageOf<T>, DomainError> {
    let start_after = match &request.cursor {
        Some(c) => Some(cursor::decode(c, &query)?),
        None => None,
    };
    let query = query.limit(request.limit + 1).start_after(start_after);
    let page = store.query(query.clone()).await?;
    let mut items: Vec<Item> = page.items;
    let next_cursor = if items.len() > request.limit {
        items.truncate(request.limit);
        items
            .last()
            .map(|last| cursor::encode(&cursor::key_of(last, &query)))
    } else {
        // The store stopped early (DynamoDB's 1 MB page): resume where it stopped.
        page.last_key
            .filter(|_| !items.is_empty())
            .map(|key| cursor::encode(&key))
    };
    let items = items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    Ok(PageOf { items, next_cursor })
}

/// Like [`query_page`], keeping only the items `keep` accepts (DynamoDB's filter
/// expression): it reads on until the page is full or the partition ends, and the cursor
/// resumes after the last item read.
pub async fn query_page_filtered<T: DeserializeOwned>(
    store: &dyn ItemStore,
    query: Query,
    request: &PageRequest,
    keep: impl Fn(&T) -> bool,
) -> Result<PageOf<T>, DomainError> {
    let mut start_after = match &request.cursor {
        Some(c) => Some(cursor::decode(c, &query)?),
        None => None,
    };
    let mut items = Vec::new();
    loop {
        let batch = query
            .clone()
            .limit(request.limit.max(25))
            .start_after(start_after.clone());
        let page = store.query(batch.clone()).await?;
        let exhausted = page.last_key.is_none();
        for item in page.items {
            let position = cursor::key_of(&item, &batch);
            let value: T = from_item(item)?;
            if keep(&value) {
                items.push(value);
                if items.len() == request.limit {
                    return Ok(PageOf {
                        items,
                        next_cursor: Some(cursor::encode(&position)),
                    });
                }
            }
            start_after = Some(position);
        }
        if exhausted {
            return Ok(PageOf {
                items,
                next_cursor: None,
            });
        }
    }
}

/// Every item of a partition, page by page (for worker reads bounded by the design: the
/// candidates of one category, an exhibitor's accounts).
pub async fn query_all<T: DeserializeOwned>(
    store: &dyn ItemStore,
    query: Query,
) -> Result<Vec<T>, DomainError> {
    let mut out = Vec::new();
    let mut start_after = None;
    loop {
        let page = store
            .query(query.clone().limit(1_000).start_after(start_after))
            .await?;
        for item in page.items {
            out.push(from_item(item)?);
        }
        match page.last_key {
            Some(key) => start_after = Some(key),
            None => return Ok(out),
        }
    }
}
