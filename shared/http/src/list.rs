use fairlink_store::{PageOf, PageRequest};
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::ApiError;

/// Every list: `{"items": [...], "nextCursor": "..." | null}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> From<PageOf<T>> for ListResponse<T> {
    fn from(page: PageOf<T>) -> Self {
        Self {
            items: page.items,
            next_cursor: page.next_cursor,
        }
    }
}

/// `limit` (default 50, 1 to 200) and `cursor` from a list's query.
pub fn page_request(limit: Option<usize>, cursor: Option<String>) -> Result<PageRequest, ApiError> {
    Ok(PageRequest::new(limit, cursor)?)
}
