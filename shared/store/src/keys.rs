//! The single-table design. Every key of fairlink is built here.
//!
//! | item                | pk                    | sk                      | gsi1pk                 | gsi1sk   |
//! |---------------------|-----------------------|-------------------------|------------------------|----------|
//! | fair                | `FAIR`                | `FAIR`                  |                        |          |
//! | exhibitor           | `EXH#<eid>`           | `PROFILE`               |                        |          |
//! | distribution modes  | `EXH#<eid>`           | `SETTINGS#distribution` |                        |          |
//! | auto-reply texts    | `EXH#<eid>`           | `SETTINGS#auto-replies` |                        |          |
//! | account             | `ACC#<aid>`           | `ACCOUNT`               | `EXH#<eid>#ACCOUNTS`   | `<aid>`  |
//! | email claim         | `EMAIL#<email>`       | `EMAIL`                 |                        |          |
//! | notification        | `ACC#<aid>#NOTIFS`    | `<nid>`                 | `ACC#<aid>#UNREAD` (1) | `<nid>`  |
//! | idempotency record  | `IDEM#<scope>#<key>`  | `IDEM`                  |                        |          |
//! | outbox entry (2)    | `OUTBOX`              | `<id>`                  |                        |          |
//!
//! (1) only while unread: a sparse index. (2) embedded email and SMS adapters only.
//! Ids are ULIDs, so an id-ordered sort key is also a creation-ordered one.
//!
//! Access patterns, each one key or index query (never a scan):
//! - the fair: get `FAIR/FAIR`;
//! - an exhibitor's profile, distribution modes, auto-replies: get on `EXH#<eid>`;
//! - an account (every authenticated request): get `ACC#<aid>/ACCOUNT`;
//! - an exhibitor's accounts, oldest first: query GSI1 `EXH#<eid>#ACCOUNTS`;
//! - email uniqueness: a conditional put of the claim in the account's transaction;
//! - my notifications, newest first: query `ACC#<aid>#NOTIFS` backward;
//!   unread ones: query GSI1 `ACC#<aid>#UNREAD` backward;
//! - an idempotency record: get, conditional put, expiring by `ttl`.
//!
//! GSI2 is declared for the features to come (exhibits by category, slots by time).

pub const FAIR: &str = "FAIR";
pub const PROFILE: &str = "PROFILE";
pub const ACCOUNT: &str = "ACCOUNT";
pub const EMAIL: &str = "EMAIL";
pub const IDEM: &str = "IDEM";
pub const OUTBOX: &str = "OUTBOX";
pub const DISTRIBUTION: &str = "SETTINGS#distribution";
pub const AUTO_REPLIES: &str = "SETTINGS#auto-replies";

pub fn exhibitor(eid: &str) -> String {
    format!("EXH#{eid}")
}

pub fn exhibitor_accounts(eid: &str) -> String {
    format!("EXH#{eid}#ACCOUNTS")
}

pub fn account(aid: &str) -> String {
    format!("ACC#{aid}")
}

/// Emails are unique across fairlink, compared without case.
pub fn email_claim(email: &str) -> String {
    format!("EMAIL#{}", email.trim().to_lowercase())
}

pub fn notifications(aid: &str) -> String {
    format!("ACC#{aid}#NOTIFS")
}

pub fn unread_notifications(aid: &str) -> String {
    format!("ACC#{aid}#UNREAD")
}

pub fn idempotency(scope: &str, key: &str) -> String {
    format!("IDEM#{scope}#{key}")
}
