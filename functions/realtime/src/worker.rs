use std::sync::Arc;

use async_trait::async_trait;
use fairlink_domain::{
    DomainError, Ports,
    model::Account,
    ports::{Clock, JobError, PushError, SocketPusher, Worker},
    realtime::{Audience, Event, EventType, RealtimeJob},
};
use fairlink_store::Repository;
use serde_json::{Value, json};

use crate::SocketSessions;

/// The realtime queue's worker. Delivery is at least once: a push that failed for a reason
/// other than a gone socket fails the job, which comes back and is delivered again to
/// everyone (the event id repeats); a gone socket is forgotten.
pub struct RealtimeWorker {
    repo: Repository,
    clock: Arc<dyn Clock>,
    sessions: SocketSessions,
    pusher: Arc<dyn SocketPusher>,
}

/// How many pushes of a job failed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Failed(usize);

impl RealtimeWorker {
    pub fn new(ports: &Ports, pusher: Arc<dyn SocketPusher>) -> Self {
        Self {
            repo: Repository::new(ports.store.clone(), ports.queue.clone()),
            clock: ports.clock.clone(),
            sessions: SocketSessions::new(ports),
            pusher,
        }
    }

    async fn deliver(&self, event: &Event, audience: &Audience) -> Result<Failed, DomainError> {
        let main = match audience.exhibitor_id() {
            Some(eid) => self.repo.exhibitor(eid).await?.map(|e| e.main_account_id),
            None => None,
        };
        let now = self.clock.now();
        let mut failed = Failed::default();
        for account_id in audience.candidates(main.as_deref()) {
            // Most accounts have no socket open: one query settles them.
            let sockets = self.repo.sockets_of(&account_id, now).await?;
            if sockets.is_empty() {
                continue;
            }
            // Read when delivered, not when written: what the account may read now counts.
            let Some(account) = self.repo.account(&account_id).await? else {
                continue;
            };
            if !audience.admits(&account) {
                continue;
            }
            let frame = frame_for(event, &account);
            for socket in sockets {
                match self.pusher.push(&socket.connection_id, &frame).await {
                    Ok(()) => {}
                    Err(PushError::Gone) => self.sessions.gone(&socket).await?,
                    Err(PushError::Unavailable(err)) => {
                        tracing::warn!(event = %event.id, connection = %socket.connection_id, error = %err, "push failed");
                        failed.0 += 1;
                    }
                }
            }
        }
        Ok(failed)
    }

    async fn disconnect(&self, account_id: &str) -> Result<Failed, DomainError> {
        let mut failed = Failed::default();
        for socket in self.repo.sockets_of(account_id, self.clock.now()).await? {
            match self.pusher.close(&socket.connection_id).await {
                Ok(()) | Err(PushError::Gone) => self.sessions.gone(&socket).await?,
                Err(PushError::Unavailable(err)) => {
                    tracing::warn!(connection = %socket.connection_id, error = %err, "closing failed");
                    failed.0 += 1;
                }
            }
        }
        Ok(failed)
    }
}

/// The frame an account receives for an event: a conversation's change carries the
/// reader's own unread count, as `GET /v1/conversations/{cid}` does.
pub fn frame_for(event: &Event, account: &Account) -> String {
    let mut event = event.clone();
    if event.kind == EventType::ConversationUpdated
        && let Value::Object(data) = &mut event.data
    {
        let side = if data.get("buyerId").and_then(Value::as_str) == Some(account.id.as_str()) {
            "buyerUnread"
        } else {
            "exhibitorUnread"
        };
        let unread = data.get(side).cloned().unwrap_or(json!(0));
        data.insert("unreadCount".into(), unread);
    }
    serde_json::to_string(&event).unwrap_or_default()
}

#[async_trait]
impl Worker for RealtimeWorker {
    type Job = RealtimeJob;

    async fn run(&self, job: RealtimeJob) -> Result<(), JobError> {
        let failed = match &job {
            RealtimeJob::Deliver { event, audience } => self.deliver(event, audience).await,
            RealtimeJob::Disconnect { account_id } => self.disconnect(account_id).await,
        }?;
        match failed {
            Failed(0) => Ok(()),
            Failed(n) => Err(JobError::Retry(format!("{n} pushes failed"))),
        }
    }
}
