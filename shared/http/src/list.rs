use fairlink_store::{PageOf, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::problem::ApiError;

/// Every list: `{"items": [...], "nextCursor": "..." | null}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schema(required = true)]
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

/// `limit` and `cursor`, the query of every plain list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1 to 200; 50 by default.
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

impl ListParams {
    pub fn page(self) -> Result<PageRequest, ApiError> {
        page_request(self.limit, self.cursor)
    }
}

/// For PATCH bodies: tells a field set to `null` (`Some(None)`) from one left out (`None`).
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
