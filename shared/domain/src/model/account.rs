use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Language;
use crate::validate::Checks;

/// Whether an exhibitor account shows as online to buyers (`PUT /v1/me/presence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Online,
    Offline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    Organizer,
    Exhibitor,
    Buyer,
}

/// What a sub-account may do. A main account may do all of it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum Permission {
    Im,
    Appointments,
    Intents,
    ExhibitMatches,
    Recommend,
    Notifications,
    Schedule,
}

impl Permission {
    pub const ALL: [Permission; 7] = [
        Permission::Im,
        Permission::Appointments,
        Permission::Intents,
        Permission::ExhibitMatches,
        Permission::Recommend,
        Permission::Notifications,
        Permission::Schedule,
    ];
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exhibitor_id: Option<String>,
    pub is_main: bool,
    pub name: String,
    pub email: String,
    #[schema(required = true)]
    pub phone: Option<String>,
    pub language: Language,
    pub time_zone: String,
    pub permissions: BTreeSet<Permission>,
    pub zone_ids: Vec<String>,
    pub online: bool,
    pub active: bool,
    /// Buyers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Buyers only: ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(with = "crate::time::millis")]
    pub created_at: DateTime<Utc>,
}

impl Account {
    pub fn belongs_to(&self, exhibitor_id: &str) -> bool {
        self.role == Role::Exhibitor && self.exhibitor_id.as_deref() == Some(exhibitor_id)
    }

    pub fn is_main_of(&self, exhibitor_id: &str) -> bool {
        self.belongs_to(exhibitor_id) && self.is_main
    }

    /// Whether this account may act with the permission (main accounts may do anything for
    /// their exhibitor; deactivated accounts nothing).
    pub fn can(&self, permission: Permission) -> bool {
        self.active
            && self.role == Role::Exhibitor
            && (self.is_main || self.permissions.contains(&permission))
    }
}

/// The personal fields of an account, as given when it is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountProfile {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub language: Language,
    pub time_zone: String,
}

impl AccountProfile {
    /// Checks the fields, naming them under `prefix` (`mainAccount.`).
    pub fn check(&self, checks: &mut Checks, prefix: &str) {
        checks.text(&format!("{prefix}name"), &self.name, 200);
        checks.email(&format!("{prefix}email"), &self.email);
        checks.phone(&format!("{prefix}phone"), self.phone.as_deref());
        checks.time_zone(&format!("{prefix}timeZone"), &self.time_zone);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(permissions: &[Permission]) -> Account {
        Account {
            id: "acc_1".into(),
            role: Role::Exhibitor,
            exhibitor_id: Some("exh_1".into()),
            is_main: false,
            name: "Wang".into(),
            email: "wang@example.cn".into(),
            phone: None,
            language: Language::ZH,
            time_zone: "Asia/Shanghai".into(),
            permissions: permissions.iter().copied().collect(),
            zone_ids: vec![],
            online: false,
            active: true,
            company: None,
            country: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn sub_accounts_can_only_what_they_were_given() {
        let account = sub(&[Permission::Im]);
        assert!(account.can(Permission::Im));
        assert!(!account.can(Permission::Recommend));
    }

    #[test]
    fn main_accounts_can_everything_until_deactivated() {
        let mut account = sub(&[]);
        account.is_main = true;
        assert!(Permission::ALL.iter().all(|p| account.can(*p)));
        account.active = false;
        assert!(!account.can(Permission::Im));
    }

    #[test]
    fn permissions_use_the_contract_names() {
        let json = serde_json::to_string(&Permission::ExhibitMatches).unwrap();
        assert_eq!(json, "\"exhibitMatches\"");
    }
}
