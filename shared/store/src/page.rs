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

/// A page of a short list held whole in one item (an intent's ranked matches): the cursor
/// is the offset of the next entry, tied to the list it was made for.
pub fn page_in_list<T>(
    items: Vec<T>,
    list: &str,
    request: &PageRequest,
) -> Result<PageOf<T>, DomainError> {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let start = match &request.cursor {
        None => 0,
        Some(cursor) => URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .filter(|v| v.get("list").and_then(|l| l.as_str()) == Some(list))
            .and_then(|v| v.get("offset")?.as_u64())
            .map(|offset| offset as usize)
            .ok_or(fairlink_domain::ports::StoreError::InvalidCursor)?,
    };
    let total = items.len();
    let end = (start + request.limit).min(total);
    let next_cursor = (end < total).then(|| {
        URL_SAFE_NO_PAD.encode(serde_json::json!({"list": list, "offset": end}).to_string())
    });
    Ok(PageOf {
        items: items.into_iter().skip(start).take(request.limit).collect(),
        next_cursor,
    })
}

#[cfg(test)]
mod list_tests {
    use super::*;

    #[test]
    fn a_list_pages_by_offset_and_refuses_another_lists_cursor() {
        let request = PageRequest {
            limit: 2,
            cursor: None,
        };
        let first = page_in_list((0..5).collect(), "i1", &request).unwrap();
        assert_eq!(first.items, [0, 1]);
        let next = PageRequest {
            limit: 2,
            cursor: first.next_cursor.clone(),
        };
        let second = page_in_list((0..5).collect(), "i1", &next).unwrap();
        assert_eq!(second.items, [2, 3]);
        assert!(page_in_list((0..5).collect::<Vec<i32>>(), "i2", &next).is_err());
        let last = page_in_list(
            (0..4).collect::<Vec<i32>>(),
            "i1",
            &PageRequest {
                limit: 2,
                cursor: second.next_cursor,
            },
        )
        .unwrap();
        assert!(last.items.is_empty() && last.next_cursor.is_none());
    }
}
