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

    /// Moves a delivered message to the queue's dead-letter queue at once (a worker gave up
    /// on it): the same as `maxReceiveCount` failed deliveries, without them.
    async fn dead_letter(&self, queue: QueueName, delivery: &Delivery) -> Result<(), QueueError>;
}

/// Why a worker did not finish a job, and what should become of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Worth another delivery (a dependency failed, a race was lost): the queue delivers it
    /// again after its visibility timeout, and to its dead-letter queue after
    /// `maxReceiveCount` deliveries.
    #[error("{0}; it will be delivered again")]
    Retry(String),
    /// No delivery will ever succeed (a message that is not a job of this queue): to the
    /// dead-letter queue at once.
    #[error("{0}; given up")]
    GiveUp(String),
}

impl From<crate::DomainError> for JobError {
    fn from(err: crate::DomainError) -> Self {
        JobError::Retry(err.to_string())
    }
}

/// A queue's worker, on the jobs of its queue: each message is decoded once where it
/// arrives ([`JobHandler`]).
#[async_trait]
pub trait Worker: Send + Sync {
    type Job: serde::de::DeserializeOwned + Send;

    /// How many jobs of one batch it runs at once. One by default: jobs then run in their
    /// queue's order, and those that touch one item do not race each other.
    const CONCURRENT_JOBS: usize = 1;

    async fn run(&self, job: Self::Job) -> Result<(), JobError>;
}

/// A worker's handling of one message as it arrives.
#[async_trait]
pub trait JobHandler: Send + Sync {
    async fn handle(&self, body: &str) -> Result<(), JobError>;

    /// How many messages of a batch it handles at once.
    fn concurrency(&self) -> usize {
        1
    }
}

#[async_trait]
impl<W: Worker> JobHandler for W {
    async fn handle(&self, body: &str) -> Result<(), JobError> {
        let job: W::Job = serde_json::from_str(body)
            .map_err(|e| JobError::GiveUp(format!("not a job of this queue: {e}")))?;
        self.run(job).await
    }

    fn concurrency(&self) -> usize {
        W::CONCURRENT_JOBS.max(1)
    }
}

/// Runs a handler over delivered messages, at most its [`JobHandler::concurrency`] at once,
/// acknowledging each one it handled and dead-lettering those it gave up on. Returns the ids
/// of the failures to deliver again: they come back after the visibility timeout, and end in
/// the dead-letter queue after `maxReceiveCount` deliveries.
pub async fn handle_deliveries(
    queue: &dyn JobQueue,
    name: QueueName,
    handler: &dyn JobHandler,
    deliveries: Vec<Delivery>,
) -> Vec<String> {
    use futures::stream::{self, StreamExt};
    let outcomes: Vec<Option<String>> = stream::iter(deliveries)
        .map(|delivery| async move {
            let settled = match handler.handle(&delivery.body).await {
                Ok(()) => queue.ack(name, &delivery.receipt).await,
                Err(JobError::GiveUp(reason)) => {
                    tracing::error!(message_id = %delivery.message_id, queue = name.slug(), %reason, "given up: to the dead-letter queue");
                    queue.dead_letter(name, &delivery).await
                }
                Err(JobError::Retry(reason)) => {
                    tracing::warn!(message_id = %delivery.message_id, queue = name.slug(), %reason, "failed: it will be delivered again");
                    Err(QueueError::Unavailable(reason))
                }
            };
            settled.err().map(|_| delivery.message_id)
        })
        .buffer_unordered(handler.concurrency())
        .collect()
        .await;
    outcomes.into_iter().flatten().collect()
}
