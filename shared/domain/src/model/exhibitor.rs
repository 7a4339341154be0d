use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Exhibitor {
    pub id: String,
    pub name: String,
    pub zone_ids: Vec<String>,
    /// Overrides the fair's default quota when set by the organizer.
    #[schema(required = true)]
    pub recommendation_quota: Option<u32>,
    pub main_account_id: String,
    #[serde(with = "crate::time::millis")]
    pub created_at: DateTime<Utc>,
}
