//! An in-process job queue with SQS's semantics: per-message delays, a visibility timeout,
//! at-least-once delivery, and a dead-letter queue after `max_receive_count` deliveries.
//!
//! Delays follow the clock port (so a moved test clock releases delayed jobs); visibility
//! timeouts are transport mechanics and follow real time.
//!
//! With a journal ([`InProcessQueue::durable`], what fairlink-local uses), every message is
//! also kept in the store from its send until its acknowledgement (or in the dead letters),
//! and read back on the first call after a start: a restart loses no queued job, delayed
//! reminders included. A message handed out when the process stopped is delivered again.
//! Real-time events are the exception: they are for the sockets this process holds, which a
//! restart closes (clients catch up over HTTP), so they are not journaled; journaling them
//! cost three disk commits per chat message.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fairlink_domain::ports::{
    Clock, Delivery, ItemStore, JobQueue, Key, MAX_DELAY, Query, QueueError, QueueName, StoreError,
    WriteOp,
};
use fairlink_store::{keys, to_item};
use serde::{Deserialize, Serialize};
use tokio::{
    sync::{Notify, OnceCell},
    time::Instant,
};

/// A message as the journal keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Journaled {
    id: String,
    body: String,
    due: DateTime<Utc>,
    receive_count: u32,
}

/// The store a durable queue keeps its messages in, read once after a start.
struct Journal {
    store: Arc<dyn ItemStore>,
    loaded: OnceCell<()>,
}

fn unavailable(err: StoreError) -> QueueError {
    QueueError::Unavailable(format!("the queue's journal: {err}"))
}

fn queued_key(queue: QueueName, id: &str) -> Key {
    Key::new(keys::queued(queue.slug()), id)
}

fn dead_key(queue: QueueName, id: &str) -> Key {
    Key::new(keys::dead_letters(queue.slug()), id)
}

/// A journal write: a message kept under its key.
fn journal_put(key: &Key, message: &Journaled) -> WriteOp {
    WriteOp::Put {
        item: to_item(key, "QueuedJob", message),
        condition: None,
    }
}

fn journal_delete(key: Key) -> WriteOp {
    WriteOp::Delete {
        key,
        condition: None,
    }
}

/// The most writes the store takes in one transaction.
const JOURNAL_WRITES_PER_COMMIT: usize = 100;

impl Journal {
    /// Writes in as few commits as the store allows (one for a usual batch): each commit is
    /// a write to disk, and a matcher run hands over dozens of messages at once.
    async fn write(&self, ops: Vec<WriteOp>) -> Result<(), QueueError> {
        for chunk in ops.chunks(JOURNAL_WRITES_PER_COMMIT) {
            self.store
                .transact(chunk.to_vec())
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }

    async fn all(&self, partition: String) -> Result<Vec<Journaled>, QueueError> {
        fairlink_store::query_all(self.store.as_ref(), Query::table(partition))
            .await
            .map_err(|e| QueueError::Unavailable(format!("the queue's journal: {e}")))
    }
}

struct Message {
    id: String,
    body: String,
    due: DateTime<Utc>,
    invisible_until: Option<Instant>,
    receive_count: u32,
    receipt: Option<String>,
}

#[derive(Default)]
struct Queue {
    messages: Vec<Message>,
    dead: Vec<String>,
}

pub struct InProcessQueue {
    clock: Arc<dyn Clock>,
    journal: Option<Journal>,
    queues: Mutex<HashMap<QueueName, Queue>>,
    arrived: Notify,
    started_micros: i64,
    next_id: std::sync::atomic::AtomicU64,
    visibility_timeout: Duration,
    max_receive_count: u32,
}

impl InProcessQueue {
    /// The template's settings: 60 s visibility, 5 deliveries before the DLQ.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self::with_settings(clock, Duration::from_secs(60), 5)
    }

    /// The template's settings, with every message kept in `store` until acknowledged.
    pub fn durable(clock: Arc<dyn Clock>, store: Arc<dyn ItemStore>) -> Self {
        Self::new(clock).journaled(store)
    }

    /// This queue, keeping every message in `store` until acknowledged.
    pub fn journaled(mut self, store: Arc<dyn ItemStore>) -> Self {
        self.journal = Some(Journal {
            store,
            loaded: OnceCell::new(),
        });
        self
    }

    pub fn with_settings(
        clock: Arc<dyn Clock>,
        visibility_timeout: Duration,
        max_receive_count: u32,
    ) -> Self {
        Self {
            started_micros: clock.now().timestamp_micros().max(0),
            clock,
            journal: None,
            queues: Mutex::default(),
            arrived: Notify::new(),
            next_id: Default::default(),
            visibility_timeout,
            max_receive_count,
        }
    }

    /// Unique across restarts (the journal outlives the process): the queue's start time,
    /// then a counter.
    fn fresh_id(&self) -> String {
        let n = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{:013x}{n:08x}", self.started_micros)
    }

    /// Reads what the journal kept back into memory, once per start.
    async fn ensure_loaded(&self) -> Result<Option<&Journal>, QueueError> {
        let Some(journal) = &self.journal else {
            return Ok(None);
        };
        journal
            .loaded
            .get_or_try_init(|| async {
                let mut restored = HashMap::new();
                for queue in QueueName::ALL {
                    let waiting = journal.all(keys::queued(queue.slug())).await?;
                    let dead = journal.all(keys::dead_letters(queue.slug())).await?;
                    restored.insert(queue, (waiting, dead));
                }
                let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
                for (queue, (waiting, dead)) in restored {
                    let held = queues.entry(queue).or_default();
                    held.messages.extend(waiting.into_iter().map(|m| Message {
                        id: m.id,
                        body: m.body,
                        due: m.due,
                        invisible_until: None,
                        receive_count: m.receive_count,
                        receipt: None,
                    }));
                    held.messages.sort_by(|a, b| a.id.cmp(&b.id));
                    held.dead.extend(dead.into_iter().map(|m| m.body));
                }
                Ok::<(), QueueError>(())
            })
            .await?;
        Ok(Some(journal))
    }

    /// The journal, for a queue whose messages outlive the process (see the module's note).
    async fn journal_of(&self, queue: QueueName) -> Result<Option<&Journal>, QueueError> {
        let journal = self.ensure_loaded().await?;
        Ok(journal.filter(|_| queue != QueueName::Realtime))
    }

    /// Keeps the messages (in one journal commit), then makes them available.
    async fn enqueue(
        &self,
        queue: QueueName,
        messages: &[(String, Duration)],
    ) -> Result<(), QueueError> {
        if messages.iter().any(|(_, delay)| *delay > MAX_DELAY) {
            return Err(QueueError::DelayTooLong);
        }
        let journal = self.journal_of(queue).await?;
        let now = self.clock.now();
        let fresh: Vec<Message> = messages
            .iter()
            .map(|(body, delay)| Message {
                id: self.fresh_id(),
                body: body.clone(),
                due: now + chrono::Duration::from_std(*delay).unwrap_or_default(),
                invisible_until: None,
                receive_count: 0,
                receipt: None,
            })
            .collect();
        if let Some(journal) = journal {
            let ops = fresh
                .iter()
                .map(|message| {
                    let kept = Journaled {
                        id: message.id.clone(),
                        body: message.body.clone(),
                        due: message.due,
                        receive_count: 0,
                    };
                    journal_put(&queued_key(queue, &kept.id), &kept)
                })
                .collect();
            journal.write(ops).await?;
        }
        self.queues
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(queue)
            .or_default()
            .messages
            .extend(fresh);
        self.arrived.notify_waiters();
        Ok(())
    }

    fn take_visible(&self, queue: QueueName, max: usize) -> Taken {
        let now = self.clock.now();
        let instant = Instant::now();
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        let queue = queues.entry(queue).or_default();
        let mut out = Taken::default();
        let mut i = 0;
        while i < queue.messages.len() && out.delivered.len() < max {
            let message = &mut queue.messages[i];
            let visible =
                message.due <= now && message.invisible_until.is_none_or(|t| t <= instant);
            if !visible {
                i += 1;
                continue;
            }
            if message.receive_count >= self.max_receive_count {
                // Like an SQS redrive policy: moved to the DLQ instead of delivered again.
                let dead = queue.messages.remove(i);
                tracing::warn!(id = %dead.id, "message moved to the dead-letter queue");
                queue.dead.push(dead.body.clone());
                out.dead.push(Journaled {
                    id: dead.id,
                    body: dead.body,
                    due: dead.due,
                    receive_count: dead.receive_count,
                });
                continue;
            }
            message.receive_count += 1;
            message.invisible_until = Some(instant + self.visibility_timeout);
            let receipt = format!("{}-{}", message.id, message.receive_count);
            message.receipt = Some(receipt.clone());
            out.delivered.push(Delivery {
                message_id: message.id.clone(),
                receipt,
                body: message.body.clone(),
                receive_count: message.receive_count,
            });
            out.due.push(message.due);
            i += 1;
        }
        out
    }

    /// Writes what a receive changed: the deliveries' counts, the moves to the dead letters.
    async fn journal_taken(&self, queue: QueueName, taken: &Taken) -> Result<(), QueueError> {
        let Some(journal) = self.journal_of(queue).await? else {
            return Ok(());
        };
        let mut ops = Vec::new();
        for (delivery, due) in taken.delivered.iter().zip(&taken.due) {
            let kept = Journaled {
                id: delivery.message_id.clone(),
                body: delivery.body.clone(),
                due: *due,
                receive_count: delivery.receive_count,
            };
            ops.push(journal_put(&queued_key(queue, &kept.id), &kept));
        }
        for dead in &taken.dead {
            ops.push(journal_put(&dead_key(queue, &dead.id), dead));
            ops.push(journal_delete(queued_key(queue, &dead.id)));
        }
        journal.write(ops).await
    }
}

/// What one look at a queue took: the deliveries (with each message's due time) and the
/// messages it moved to the dead letters.
#[derive(Default)]
struct Taken {
    delivered: Vec<Delivery>,
    due: Vec<DateTime<Utc>>,
    dead: Vec<Journaled>,
}

#[async_trait]
impl JobQueue for InProcessQueue {
    async fn send(&self, queue: QueueName, body: &str, delay: Duration) -> Result<(), QueueError> {
        self.enqueue(queue, &[(body.to_string(), delay)]).await
    }

    async fn send_many(
        &self,
        queue: QueueName,
        messages: &[(String, Duration)],
    ) -> Result<(), QueueError> {
        self.enqueue(queue, messages).await
    }

    async fn receive(
        &self,
        queue: QueueName,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Delivery>, QueueError> {
        self.ensure_loaded().await?;
        let deadline = Instant::now() + wait;
        loop {
            let notified = self.arrived.notified();
            let taken = self.take_visible(queue, max.clamp(1, 10));
            self.journal_taken(queue, &taken).await?;
            if !taken.delivered.is_empty() || Instant::now() >= deadline {
                return Ok(taken.delivered);
            }
            // Wake on a new message, or poll: delays end when the clock says so.
            let _ = tokio::time::timeout(
                Duration::from_millis(100).min(deadline - Instant::now()),
                notified,
            )
            .await;
        }
    }

    async fn ack(&self, queue: QueueName, receipt: &str) -> Result<(), QueueError> {
        let journal = self.journal_of(queue).await?;
        let acked: Vec<String> = {
            let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
            let held = queues.entry(queue).or_default();
            let acked = held
                .messages
                .iter()
                .filter(|m| m.receipt.as_deref() == Some(receipt))
                .map(|m| m.id.clone())
                .collect();
            held.messages
                .retain(|m| m.receipt.as_deref() != Some(receipt));
            acked
        };
        if let Some(journal) = journal {
            let ops = acked
                .iter()
                .map(|id| journal_delete(queued_key(queue, id)))
                .collect();
            journal.write(ops).await?;
        }
        Ok(())
    }

    async fn dead_letter(&self, queue: QueueName, delivery: &Delivery) -> Result<(), QueueError> {
        let journal = self.journal_of(queue).await?;
        let moved: Vec<Journaled> = {
            let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
            let held = queues.entry(queue).or_default();
            let (dead, kept): (Vec<Message>, Vec<Message>) = std::mem::take(&mut held.messages)
                .into_iter()
                .partition(|m| m.receipt.as_deref() == Some(delivery.receipt.as_str()));
            held.messages = kept;
            held.dead.extend(dead.iter().map(|m| m.body.clone()));
            dead.into_iter()
                .map(|m| Journaled {
                    id: m.id,
                    body: m.body,
                    due: m.due,
                    receive_count: m.receive_count,
                })
                .collect()
        };
        if let Some(journal) = journal {
            let mut ops = Vec::new();
            for dead in &moved {
                ops.push(journal_put(&dead_key(queue, &dead.id), dead));
                ops.push(journal_delete(queued_key(queue, &dead.id)));
            }
            journal.write(ops).await?;
        }
        Ok(())
    }

    async fn dead_letters(&self, queue: QueueName, max: usize) -> Result<Vec<String>, QueueError> {
        self.ensure_loaded().await?;
        let queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        Ok(queues
            .get(&queue)
            .map(|q| q.dead.iter().take(max).cloned().collect())
            .unwrap_or_default())
    }
}
