use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum DistributionMode {
    #[default]
    Auto,
    Manual,
}

/// How an exhibitor's conversations and intents find the account that receives them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DistributionSettings {
    pub im_mode: DistributionMode,
    pub intent_mode: DistributionMode,
}

impl crate::validate::Validate for DistributionSettings {}

pub const AUTO_REPLY_MAX_CHARS: usize = 1_000;

/// Texts sent on the exhibitor's behalf in conversations; `None` sends nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AutoReplies {
    pub online: Option<String>,
    pub offline: Option<String>,
}

impl crate::validate::Validate for AutoReplies {}
