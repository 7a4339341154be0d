//! Real-time events (API.md, "Real-time events"): what a change tells the open pages of the
//! accounts that may read what changed. An event is stored with its change as an outgoing
//! job and delivered after the commit by the realtime worker, at least once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::{
    DomainError,
    jobs::OutgoingJob,
    model::{Account, Permission},
    ports::QueueName,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    #[serde(rename = "message.created")]
    MessageCreated,
    #[serde(rename = "conversation.updated")]
    ConversationUpdated,
    #[serde(rename = "notification.created")]
    NotificationCreated,
    #[serde(rename = "booking.updated")]
    BookingUpdated,
}

/// One frame on a socket: `{id, type, at, data}`. A repeated delivery repeats its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventType,
    #[serde(with = "crate::time::millis")]
    pub at: DateTime<Utc>,
    pub data: Value,
}

/// Who an event is for. Named by role rather than listed, because who may read a thing is
/// decided when it is delivered: an account deactivated, or a sub-account whose `im` was
/// taken away, since the change receives nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Audience {
    /// One account (its message centre).
    Account { account_id: String },
    /// A conversation's readers: its buyer, its assignee (and, after a transfer, the one
    /// before) with `im`, and the exhibitor's main account; never `except` (the sender).
    Conversation {
        buyer_id: String,
        exhibitor_id: String,
        assignee_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_assignee_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        except: Option<String>,
    },
    /// A booking's readers: its buyer, its assignee (and one it was taken from), and the
    /// exhibitor's main account.
    Booking {
        buyer_id: String,
        exhibitor_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignee_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_assignee_id: Option<String>,
    },
}

impl Audience {
    /// The exhibitor whose main account reads along, if any.
    pub fn exhibitor_id(&self) -> Option<&str> {
        match self {
            Audience::Account { .. } => None,
            Audience::Conversation { exhibitor_id, .. }
            | Audience::Booking { exhibitor_id, .. } => Some(exhibitor_id),
        }
    }

    /// The accounts that may receive it, once each, given the exhibitor's main account.
    pub fn candidates(&self, main_account_id: Option<&str>) -> Vec<String> {
        let mut ids: Vec<&str> = match self {
            Audience::Account { account_id } => vec![account_id],
            Audience::Conversation {
                buyer_id,
                assignee_id,
                previous_assignee_id,
                except,
                ..
            } => {
                let mut ids = vec![buyer_id.as_str(), assignee_id.as_str()];
                ids.extend(previous_assignee_id.as_deref());
                ids.extend(main_account_id);
                ids.retain(|id| Some(*id) != except.as_deref());
                ids
            }
            Audience::Booking {
                buyer_id,
                assignee_id,
                previous_assignee_id,
                ..
            } => {
                let mut ids = vec![buyer_id.as_str()];
                ids.extend(assignee_id.as_deref());
                ids.extend(previous_assignee_id.as_deref());
                ids.extend(main_account_id);
                ids
            }
        };
        let mut seen = std::collections::BTreeSet::new();
        ids.retain(|id| seen.insert(*id));
        ids.into_iter().map(String::from).collect()
    }

    /// Whether `account`, one of the candidates, may read it now: active, and for a
    /// conversation's exhibitor side, holding `im` (a main account holds everything).
    pub fn admits(&self, account: &Account) -> bool {
        if !account.active {
            return false;
        }
        match self {
            Audience::Account { account_id } => account.id == *account_id,
            Audience::Conversation {
                buyer_id,
                exhibitor_id,
                except,
                ..
            } => {
                except.as_deref() != Some(account.id.as_str())
                    && (account.id == *buyer_id
                        || (account.belongs_to(exhibitor_id) && account.can(Permission::Im)))
            }
            Audience::Booking {
                buyer_id,
                exhibitor_id,
                ..
            } => account.id == *buyer_id || account.belongs_to(exhibitor_id),
        }
    }
}

/// Work for the realtime worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RealtimeJob {
    /// Send an event to every open socket of its audience.
    Deliver { event: Event, audience: Audience },
    /// Close every socket of an account (it was deactivated).
    Disconnect { account_id: String },
}

impl RealtimeJob {
    /// The job as an outgoing job, stored with the change and sent after the commit. Its id
    /// is the event's, so storing it twice (a retried transaction) keeps one.
    pub fn outgoing(&self, id: String, now: DateTime<Utc>) -> Result<OutgoingJob, DomainError> {
        Ok(OutgoingJob {
            id,
            queue: QueueName::Realtime,
            body: serde_json::to_string(self).map_err(|e| DomainError::Internal(e.to_string()))?,
            created_at: now,
            deliver_at: now,
        })
    }

    /// An event of a change made at `at`, for `audience`.
    pub fn deliver(
        id: String,
        kind: EventType,
        at: DateTime<Utc>,
        data: Value,
        audience: Audience,
    ) -> Self {
        RealtimeJob::Deliver {
            event: Event { id, kind, at, data },
            audience,
        }
    }
}

/// The frames a client may send, and the answer to a ping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ClientFrame {
    Ping,
    Pong,
}

/// How long a stored connection is kept at most: API Gateway closes a WebSocket after two
/// hours, so a connection whose `$disconnect` never arrived expires with it.
pub const CONNECTION_TTL: chrono::Duration = chrono::Duration::hours(2);

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::model::{Language, Role};

    fn account(
        id: &str,
        exhibitor: Option<&str>,
        main: bool,
        permissions: &[Permission],
    ) -> Account {
        Account {
            id: id.into(),
            role: if exhibitor.is_some() {
                Role::Exhibitor
            } else {
                Role::Buyer
            },
            exhibitor_id: exhibitor.map(String::from),
            is_main: main,
            name: id.into(),
            email: format!("{id}@example.com"),
            phone: None,
            language: Language::EN,
            time_zone: "UTC".into(),
            permissions: permissions.iter().copied().collect::<BTreeSet<_>>(),
            zone_ids: vec![],
            online: false,
            active: true,
            company: None,
            country: None,
            created_at: Utc::now(),
        }
    }

    fn conversation(except: Option<&str>) -> Audience {
        Audience::Conversation {
            buyer_id: "buyer".into(),
            exhibitor_id: "exh".into(),
            assignee_id: "rep".into(),
            previous_assignee_id: None,
            except: except.map(String::from),
        }
    }

    #[test]
    fn a_message_goes_to_the_other_side_and_the_main_account() {
        let audience = conversation(Some("buyer"));
        assert_eq!(audience.candidates(Some("main")), ["rep", "main"]);
        let audience = conversation(Some("rep"));
        assert_eq!(audience.candidates(Some("main")), ["buyer", "main"]);
        // The main account assigned: once.
        let audience = Audience::Conversation {
            buyer_id: "buyer".into(),
            exhibitor_id: "exh".into(),
            assignee_id: "main".into(),
            previous_assignee_id: None,
            except: None,
        };
        assert_eq!(audience.candidates(Some("main")), ["buyer", "main"]);
    }

    #[test]
    fn only_readers_are_admitted() {
        let audience = conversation(Some("buyer"));
        assert!(audience.admits(&account("rep", Some("exh"), false, &[Permission::Im])));
        assert!(audience.admits(&account("main", Some("exh"), true, &[])));
        // Without `im`, deactivated, the sender, or another exhibitor's: nothing.
        assert!(!audience.admits(&account("rep", Some("exh"), false, &[])));
        let mut gone = account("rep", Some("exh"), false, &[Permission::Im]);
        gone.active = false;
        assert!(!audience.admits(&gone));
        assert!(!audience.admits(&account("buyer", None, false, &[])));
        assert!(!audience.admits(&account("rep", Some("other"), false, &[Permission::Im])));
        assert!(!audience.admits(&account("stranger", None, false, &[])));
    }

    #[test]
    fn a_notification_is_for_its_account_only() {
        let audience = Audience::Account {
            account_id: "a".into(),
        };
        assert_eq!(audience.candidates(Some("main")), ["a"]);
        assert!(audience.admits(&account("a", None, false, &[])));
        assert!(!audience.admits(&account("b", None, false, &[])));
    }

    #[test]
    fn frames_use_the_contract_shape() {
        let job = RealtimeJob::deliver(
            "evt_1".into(),
            EventType::MessageCreated,
            "2021-04-15T08:00:00Z".parse().unwrap(),
            serde_json::json!({"conversationId": "c"}),
            conversation(None),
        );
        let RealtimeJob::Deliver { event, .. } = &job else {
            unreachable!()
        };
        let frame = serde_json::to_value(event).unwrap();
        assert_eq!(frame["type"], "message.created");
        assert_eq!(frame["id"], "evt_1");
        let body = serde_json::to_string(&job).unwrap();
        assert_eq!(serde_json::from_str::<RealtimeJob>(&body).unwrap(), job);
        assert_eq!(
            serde_json::from_str::<ClientFrame>(r#"{"type":"ping"}"#).unwrap(),
            ClientFrame::Ping
        );
    }
}
