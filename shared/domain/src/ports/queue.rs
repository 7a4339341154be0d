use std::time::Duration;

use async_trait::async_trait;

/// The queues of infra/template.yaml. Each has a dead-letter queue that takes a message
/// after `max_receive_count` failed deliveries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum QueueName {
    /// New intents and new recommendations, for the matcher worker.
    Matcher,
    /// Emails and SMS to send, for the notifier worker.
    Notifier,
    /// Events for the open sockets, for the realtime worker.
    Realtime,
}

impl QueueName {
    pub const ALL: [QueueName; 3] = [QueueName::Matcher, QueueName::Notifier, QueueName::Realtime];

    /// The suffix of the queue's name (`<stack>-matcher`) and of its environment variable.
    pub fn slug(self) -> &'static str {
        match self {
            QueueName::Matcher => "matcher",
            QueueName::Notifier => "notifier",
            QueueName::Realtime => "realtime",
        }
    }
}

/// SQS's longest per-message delay.
pub const MAX_DELAY: Duration = Duration::from_secs(900);

/// One delivery of a message. The same message may be delivered more than once, so every
/// handler must be idempotent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub message_id: String,
    pub receipt: String,
    pub body: String,
    pub receive_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("delay over 900 seconds")]
    DelayTooLong,
    #[error("queue unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Enqueues a message that becomes visible after `delay` (at most 900 s).
    async fn send(&self, queue: QueueName, body: &str, delay: Duration) -> Result<(), QueueError>;

    /// Enqueues many messages (SQS: ten per SendMessageBatch call). On an error some may
    /// have been sent; handlers are idempotent, so sending all again is safe.
    async fn send_many(
        &self,
        queue: QueueName,
        messages: &[(String, Duration)],
    ) -> Result<(), QueueError> {
        for (body, delay) in messages {
            self.send(queue, body, *delay).await?;
        }
        Ok(())
    }

    /// Takes up to `max` visible messages, waiting up to `wait` for the first. They stay
    /// invisible for the queue's visibility timeout unless acknowledged.
    async fn receive(
        &self,
        queue: QueueName,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Delivery>, QueueError>;

    /// Removes a delivered message for good.
    async fn ack(&self, queue: QueueName, receipt: &str) -> Result<(), QueueError>;

    /// Messages that ended in the queue's dead-letter queue (for operators and tests).
    async fn dead_letters(&self, queue: QueueName, max: usize) -> Result<Vec<String>, QueueError>;
}

/// A worker's handling of one message. Errors leave the message for another delivery.
#[async_trait]
pub trait JobHandler: Send + Sync {
    async fn handle(&self, body: &str) -> Result<(), String>;
}

/// Runs a handler over delivered messages, acknowledging each one it handled. Returns the ids
/// of the failures: they are delivered again after the visibility timeout, and end in the
/// dead-letter queue after `maxReceiveCount` deliveries.
pub async fn handle_deliveries(
    queue: &dyn JobQueue,
    name: QueueName,
    handler: &dyn JobHandler,
    deliveries: Vec<Delivery>,
) -> Vec<String> {
    let mut failed = Vec::new();
    for delivery in deliveries {
        let outcome = match handler.handle(&delivery.body).await {
            Ok(()) => queue
                .ack(name, &delivery.receipt)
                .await
                .map_err(|e| e.to_string()),
            Err(err) => Err(err),
        };
        if outcome.is_err() {
            failed.push(delivery.message_id);
        }
    }
    failed
}
