//! An in-process job queue with SQS's semantics: per-message delays, a visibility timeout,
//! at-least-once delivery, and a dead-letter queue after `max_receive_count` deliveries.
//!
//! Delays follow the clock port (so a moved test clock releases delayed jobs); visibility
//! timeouts are transport mechanics and follow real time.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fairlink_domain::ports::{Clock, Delivery, JobQueue, MAX_DELAY, QueueError, QueueName};
use tokio::{sync::Notify, time::Instant};

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
    queues: Mutex<HashMap<QueueName, Queue>>,
    arrived: Notify,
    next_id: std::sync::atomic::AtomicU64,
    visibility_timeout: Duration,
    max_receive_count: u32,
}

impl InProcessQueue {
    /// The template's settings: 60 s visibility, 5 deliveries before the DLQ.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self::with_settings(clock, Duration::from_secs(60), 5)
    }

    pub fn with_settings(
        clock: Arc<dyn Clock>,
        visibility_timeout: Duration,
        max_receive_count: u32,
    ) -> Self {
        Self {
            clock,
            queues: Mutex::default(),
            arrived: Notify::new(),
            next_id: Default::default(),
            visibility_timeout,
            max_receive_count,
        }
    }

    fn fresh_id(&self) -> String {
        let n = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{n:016x}")
    }

    fn take_visible(&self, queue: QueueName, max: usize) -> Vec<Delivery> {
        let now = self.clock.now();
        let instant = Instant::now();
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        let queue = queues.entry(queue).or_default();
        let mut out = Vec::new();
        let mut i = 0;
        while i < queue.messages.len() && out.len() < max {
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
                queue.dead.push(dead.body);
                continue;
            }
            message.receive_count += 1;
            message.invisible_until = Some(instant + self.visibility_timeout);
            let receipt = format!("{}-{}", message.id, message.receive_count);
            message.receipt = Some(receipt.clone());
            out.push(Delivery {
                message_id: message.id.clone(),
                receipt,
                body: message.body.clone(),
                receive_count: message.receive_count,
            });
            i += 1;
        }
        out
    }
}

#[async_trait]
impl JobQueue for InProcessQueue {
    async fn send(&self, queue: QueueName, body: &str, delay: Duration) -> Result<(), QueueError> {
        if delay > MAX_DELAY {
            return Err(QueueError::DelayTooLong);
        }
        let due = self.clock.now() + chrono::Duration::from_std(delay).unwrap_or_default();
        let message = Message {
            id: self.fresh_id(),
            body: body.into(),
            due,
            invisible_until: None,
            receive_count: 0,
            receipt: None,
        };
        self.queues
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(queue)
            .or_default()
            .messages
            .push(message);
        self.arrived.notify_waiters();
        Ok(())
    }

    async fn receive(
        &self,
        queue: QueueName,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Delivery>, QueueError> {
        let deadline = Instant::now() + wait;
        loop {
            let notified = self.arrived.notified();
            let found = self.take_visible(queue, max.clamp(1, 10));
            if !found.is_empty() || Instant::now() >= deadline {
                return Ok(found);
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
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        let queue = queues.entry(queue).or_default();
        queue
            .messages
            .retain(|m| m.receipt.as_deref() != Some(receipt));
        Ok(())
    }

    async fn dead_letters(&self, queue: QueueName, max: usize) -> Result<Vec<String>, QueueError> {
        let queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        Ok(queues
            .get(&queue)
            .map(|q| q.dead.iter().take(max).cloned().collect())
            .unwrap_or_default())
    }
}
