use std::{collections::HashMap, time::Duration};

use async_trait::async_trait;
use aws_sdk_sqs::{
    Client,
    error::{ProvideErrorMetadata, SdkError},
    types::{MessageSystemAttributeName, SendMessageBatchRequestEntry},
};
use fairlink_domain::ports::{Delivery, JobQueue, MAX_DELAY, QueueError, QueueName};

/// The job-queue port on SQS. Queue URLs come from `FAIRLINK_<QUEUE>_QUEUE_URL` and
/// `FAIRLINK_<QUEUE>_DLQ_URL` (set by the template), else from the names
/// `<stack>-<queue>` and `<stack>-<queue>-dlq` (made by the bootstrap).
pub struct SqsJobQueue {
    client: Client,
    urls: HashMap<QueueName, (String, String)>,
}

fn queue_error<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    err: SdkError<E, R>,
) -> QueueError {
    QueueError::Unavailable(match err.code() {
        Some(code) => format!("{code}: {}", err.message().unwrap_or_default()),
        None => format!("{err:?}"),
    })
}

impl SqsJobQueue {
    pub async fn connect(client: Client, stack: &str) -> Result<Self, String> {
        let mut urls = HashMap::new();
        for queue in QueueName::ALL {
            let env = |suffix: &str| {
                std::env::var(format!("FAIRLINK_{}_{suffix}", queue.slug().to_uppercase())).ok()
            };
            let name = format!("{stack}-{}", queue.slug());
            let main = match env("QUEUE_URL") {
                Some(url) => url,
                None => Self::url_of(&client, &name).await?,
            };
            let dlq = match env("DLQ_URL") {
                Some(url) => url,
                None => Self::url_of(&client, &format!("{name}-dlq")).await?,
            };
            urls.insert(queue, (main, dlq));
        }
        Ok(Self { client, urls })
    }

    async fn url_of(client: &Client, name: &str) -> Result<String, String> {
        client
            .get_queue_url()
            .queue_name(name)
            .send()
            .await
            .map_err(|e| format!("queue {name}: {}", queue_error(e)))?
            .queue_url
            .ok_or_else(|| format!("queue {name} has no URL"))
    }

    fn url(&self, queue: QueueName) -> &str {
        &self.urls[&queue].0
    }

    /// One SendMessageBatch call; entries it reports failed are sent again one by one.
    async fn send_batch(
        &self,
        queue: QueueName,
        batch: &[(String, Duration)],
    ) -> Result<(), QueueError> {
        let entries = batch
            .iter()
            .enumerate()
            .map(|(i, (body, delay))| {
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .delay_seconds(delay.as_secs() as i32)
                    .build()
                    .map_err(|e| QueueError::Unavailable(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let output = self
            .client
            .send_message_batch()
            .queue_url(self.url(queue))
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(queue_error)?;
        for failed in output.failed() {
            let (body, delay) = failed
                .id()
                .parse::<usize>()
                .ok()
                .and_then(|i| batch.get(i))
                .ok_or_else(|| QueueError::Unavailable("unknown batch entry failed".into()))?;
            self.send(queue, body, *delay).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl JobQueue for SqsJobQueue {
    async fn send_many(
        &self,
        queue: QueueName,
        messages: &[(String, Duration)],
    ) -> Result<(), QueueError> {
        if messages.iter().any(|(_, delay)| *delay > MAX_DELAY) {
            return Err(QueueError::DelayTooLong);
        }
        // Batches of ten, eight calls at a time.
        for group in messages.chunks(80) {
            let calls: Vec<_> = group
                .chunks(10)
                .map(|batch| self.send_batch(queue, batch))
                .collect();
            for outcome in futures::future::join_all(calls).await {
                outcome?;
            }
        }
        Ok(())
    }

    async fn send(&self, queue: QueueName, body: &str, delay: Duration) -> Result<(), QueueError> {
        if delay > MAX_DELAY {
            return Err(QueueError::DelayTooLong);
        }
        self.client
            .send_message()
            .queue_url(self.url(queue))
            .message_body(body)
            .delay_seconds(delay.as_secs() as i32)
            .send()
            .await
            .map_err(queue_error)?;
        Ok(())
    }

    async fn receive(
        &self,
        queue: QueueName,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<Delivery>, QueueError> {
        let output = self
            .client
            .receive_message()
            .queue_url(self.url(queue))
            .max_number_of_messages(max.clamp(1, 10) as i32)
            .wait_time_seconds(wait.as_secs().min(20) as i32)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(queue_error)?;
        Ok(output
            .messages()
            .iter()
            .map(|m| Delivery {
                message_id: m.message_id().unwrap_or_default().into(),
                receipt: m.receipt_handle().unwrap_or_default().into(),
                body: m.body().unwrap_or_default().into(),
                receive_count: m
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1),
            })
            .collect())
    }

    async fn ack(&self, queue: QueueName, receipt: &str) -> Result<(), QueueError> {
        self.client
            .delete_message()
            .queue_url(self.url(queue))
            .receipt_handle(receipt)
            .send()
            .await
            .map_err(queue_error)?;
        Ok(())
    }

    async fn dead_letter(&self, queue: QueueName, delivery: &Delivery) -> Result<(), QueueError> {
        // Into the dead-letter queue first: deleted only once it is there (a failure between
        // the two leaves it in both, and a later delivery gives up on it again).
        self.client
            .send_message()
            .queue_url(&self.urls[&queue].1)
            .message_body(&delivery.body)
            .send()
            .await
            .map_err(queue_error)?;
        self.ack(queue, &delivery.receipt).await
    }

    async fn dead_letters(&self, queue: QueueName, max: usize) -> Result<Vec<String>, QueueError> {
        // A peek: visibility 0 leaves the messages in the DLQ for operators.
        let output = self
            .client
            .receive_message()
            .queue_url(&self.urls[&queue].1)
            .max_number_of_messages(max.clamp(1, 10) as i32)
            .visibility_timeout(0)
            .send()
            .await
            .map_err(queue_error)?;
        Ok(output
            .messages()
            .iter()
            .filter_map(|m| m.body().map(String::from))
            .collect())
    }
}
