//! Real-time events and the open sockets they go to.
//!
//! An event is an outgoing job of the realtime queue, written in the transaction of the
//! change it tells of; `Repository::transact_retrying` hands it to its queue right after the
//! commit (and the scheduler's sweep, if that send failed), so no path that writes an event
//! has to remember to send it.

use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError,
    model::{Booking, Conversation, Message, MessageType, Notification},
    ports::{Key, Query, StoreError, WriteOp, attr},
    realtime::{Audience, CONNECTION_TTL, EventType, RealtimeJob},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Repository, outgoing::outgoing_job_write};
use crate::{codec, keys, query_all};

/// The outgoing-job write of a realtime job made at `at`, with the event's id.
fn job_write(id: String, at: DateTime<Utc>, job: &RealtimeJob) -> WriteOp {
    let job = job
        .outgoing(id, at)
        // An event is plain data: it always serializes.
        .expect("a realtime job serializes");
    outgoing_job_write(&job)
}

/// A deterministic event id from what it tells, so the same change stored twice (a retried
/// transaction) is one event, and a redelivery repeats the id.
fn event_id(kind: &str, subject: &str, state: &Value) -> String {
    let hash = codec::stable_hash(&format!("{subject}|{state}"));
    format!("evt_{kind}_{subject}_{hash:016x}")
}

/// `notification.created`, for the notification's account.
pub(crate) fn notification_event(account_id: &str, n: &Notification) -> WriteOp {
    let job = RealtimeJob::deliver(
        format!("evt_{}", n.id),
        EventType::NotificationCreated,
        n.created_at,
        serde_json::to_value(n).unwrap_or(Value::Null),
        Audience::Account {
            account_id: account_id.into(),
        },
    );
    job_write(format!("evt_{}", n.id), n.created_at, &job)
}

fn conversation_audience(c: &Conversation, except: Option<&str>) -> Audience {
    Audience::Conversation {
        buyer_id: c.buyer_id.clone(),
        exhibitor_id: c.exhibitor_id.clone(),
        assignee_id: c.assignee_id.clone(),
        previous_assignee_id: None,
        except: except.map(String::from),
    }
}

/// `message.created` for each message, to the conversation's readers but its sender (an
/// auto-reply, which nobody typed, goes to all of them).
pub(crate) fn message_events(c: &Conversation, messages: &[Message]) -> Vec<WriteOp> {
    messages
        .iter()
        .map(|m| {
            let except = (m.kind != MessageType::AutoReply).then_some(m.sender_id.as_str());
            let id = format!("evt_{}", m.id);
            let job = RealtimeJob::deliver(
                id.clone(),
                EventType::MessageCreated,
                m.created_at,
                json!({"conversationId": c.id, "message": m}),
                conversation_audience(c, except),
            );
            job_write(id, m.created_at, &job)
        })
        .collect()
}

/// `conversation.updated` after a transfer or a read marker (a change with no new message):
/// to all its readers, the one it was taken from included.
pub(crate) fn conversation_event(
    before: &Conversation,
    after: &Conversation,
    at: DateTime<Utc>,
) -> WriteOp {
    let data = serde_json::to_value(after).unwrap_or(Value::Null);
    let id = event_id("conv", &after.id, &data);
    let mut audience = conversation_audience(after, None);
    if let Audience::Conversation {
        previous_assignee_id,
        ..
    } = &mut audience
        && before.assignee_id != after.assignee_id
    {
        *previous_assignee_id = Some(before.assignee_id.clone());
    }
    let job = RealtimeJob::deliver(
        id.clone(),
        EventType::ConversationUpdated,
        at,
        data,
        audience,
    );
    job_write(id, at, &job)
}

/// `booking.updated` (requested, confirmed, reassigned, cancelled), to its readers.
pub(crate) fn booking_event(
    before: Option<&Booking>,
    after: &Booking,
    at: DateTime<Utc>,
) -> WriteOp {
    let data = serde_json::to_value(after).unwrap_or(Value::Null);
    let id = event_id("bkg", &after.id, &data);
    let previous = before
        .and_then(|b| b.assignee_id.clone())
        .filter(|p| after.assignee_id.as_ref() != Some(p));
    let audience = Audience::Booking {
        buyer_id: after.buyer_id.clone(),
        exhibitor_id: after.exhibitor_id.clone(),
        assignee_id: after.assignee_id.clone(),
        previous_assignee_id: previous,
    };
    let job = RealtimeJob::deliver(id.clone(), EventType::BookingUpdated, at, data, audience);
    job_write(id, at, &job)
}

/// Closing an account's sockets, for the transaction that deactivates it.
pub(crate) fn disconnect_write(account_id: &str, at: DateTime<Utc>) -> WriteOp {
    let id = format!("evt_close_{account_id}_{}", at.timestamp_micros());
    let job = RealtimeJob::Disconnect {
        account_id: account_id.into(),
    };
    job_write(id, at, &job)
}

/// An open socket as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenSocket {
    pub connection_id: String,
    pub account_id: String,
    #[serde(with = "fairlink_domain::time::millis")]
    pub connected_at: DateTime<Utc>,
}

fn socket_key(connection_id: &str) -> Key {
    Key::new(keys::socket(connection_id), keys::SOCKET)
}

fn account_socket_key(account_id: &str, connection_id: &str) -> Key {
    Key::new(keys::account_sockets(account_id), connection_id)
}

impl Repository {
    /// Records an open socket of an account, under both its id and the account.
    pub async fn open_socket(&self, socket: &OpenSocket) -> Result<(), DomainError> {
        let expires = json!((socket.connected_at + CONNECTION_TTL).timestamp());
        let mut by_id = codec::to_item(&socket_key(&socket.connection_id), "Socket", socket);
        by_id.insert(attr::TTL.into(), expires.clone());
        let mut by_account = codec::to_item(
            &account_socket_key(&socket.account_id, &socket.connection_id),
            "AccountSocket",
            socket,
        );
        by_account.insert(attr::TTL.into(), expires);
        let ops = vec![
            WriteOp::Put {
                item: by_id,
                condition: None,
            },
            WriteOp::Put {
                item: by_account,
                condition: None,
            },
        ];
        self.transact_retrying(ops).await?;
        Ok(())
    }

    /// An account's open sockets (the expired ones, which DynamoDB removes late, left out).
    pub async fn sockets_of(
        &self,
        account_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<OpenSocket>, DomainError> {
        let sockets: Vec<OpenSocket> = query_all(
            self.store(),
            Query::table(keys::account_sockets(account_id)),
        )
        .await?;
        Ok(sockets
            .into_iter()
            .filter(|s| s.connected_at + CONNECTION_TTL > now)
            .collect())
    }

    /// Forgets a socket; the one it was, if it was known.
    pub async fn close_socket(
        &self,
        connection_id: &str,
    ) -> Result<Option<OpenSocket>, DomainError> {
        let Some(item) = self.store().get(&socket_key(connection_id)).await? else {
            return Ok(None);
        };
        let socket: OpenSocket = codec::from_item(item)?;
        self.forget_socket(&socket).await?;
        Ok(Some(socket))
    }

    /// Forgets a socket known by its account (one that answered "gone").
    pub async fn forget_socket(&self, socket: &OpenSocket) -> Result<(), DomainError> {
        let ops = vec![
            WriteOp::Delete {
                key: socket_key(&socket.connection_id),
                condition: None,
            },
            WriteOp::Delete {
                key: account_socket_key(&socket.account_id, &socket.connection_id),
                condition: None,
            },
        ];
        match self.transact_retrying(ops).await {
            Ok(()) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Keeps a socket known while it lives longer than the stored expiry (fairlink-local's
    /// sockets have no two-hour limit): recorded again as if it had just opened.
    pub async fn refresh_socket(
        &self,
        socket: &OpenSocket,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        if self
            .store()
            .get(&socket_key(&socket.connection_id))
            .await?
            .is_none()
        {
            return Ok(());
        }
        self.open_socket(&OpenSocket {
            connected_at: now,
            ..socket.clone()
        })
        .await
    }
}
