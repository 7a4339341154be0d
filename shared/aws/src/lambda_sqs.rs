//! Queue workers as Lambdas: an SQS event source mapping hands a batch to the function,
//! which reports the messages to deliver again (`ReportBatchItemFailures`). Those come back
//! after the visibility timeout and end in the dead-letter queue after `maxReceiveCount`
//! deliveries; a message the worker gives up on goes to the dead-letter queue at once; the
//! others are deleted by Lambda. The messages of a batch are handled as many at once as the
//! worker runs (`Worker::CONCURRENT_JOBS`).

use std::sync::Arc;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use fairlink_domain::ports::{Delivery, JobError, JobHandler, JobQueue, QueueName};
use futures::stream::{self, StreamExt};
use lambda_runtime::{LambdaEvent, service_fn};

/// Where a worker's given-up messages go: its queue's dead-letter queue.
#[derive(Clone)]
pub struct DeadLetters {
    pub queue: Arc<dyn JobQueue>,
    pub name: QueueName,
}

/// Runs the handler over a batch and names the messages to deliver again.
pub async fn handle_sqs_event(
    handler: &dyn JobHandler,
    event: SqsEvent,
    dead_letters: Option<&DeadLetters>,
) -> SqsBatchResponse {
    let failed: Vec<String> = stream::iter(event.records)
        .map(|message| async move {
            let id = message.message_id.clone().unwrap_or_default();
            let outcome = match message.body.as_deref() {
                Some(body) => handler.handle(body).await,
                None => Err(JobError::GiveUp("a message without a body".into())),
            };
            match outcome {
                Ok(()) => None,
                Err(JobError::Retry(reason)) => {
                    tracing::warn!(message_id = %id, %reason, "message failed; it will be delivered again");
                    Some(id)
                }
                Err(JobError::GiveUp(reason)) => {
                    tracing::error!(message_id = %id, %reason, "given up: to the dead-letter queue");
                    let delivery = Delivery {
                        message_id: id.clone(),
                        receipt: message.receipt_handle.clone().unwrap_or_default(),
                        body: message.body.clone().unwrap_or_default(),
                        receive_count: 1,
                    };
                    match dead_letters {
                        Some(dl) => match dl.queue.dead_letter(dl.name, &delivery).await {
                            Ok(()) => None,
                            // Left to the redrive policy: delivered again, then dead-lettered.
                            Err(_) => Some(id),
                        },
                        None => Some(id),
                    }
                }
            }
        })
        .buffer_unordered(handler.concurrency())
        .collect::<Vec<Option<String>>>()
        .await
        .into_iter()
        .flatten()
        .collect();
    let mut response = SqsBatchResponse::default();
    for id in failed {
        response.add_failure(id);
    }
    response
}

/// The Lambda main loop of a queue worker.
pub async fn run_sqs_worker(
    handler: Arc<dyn JobHandler>,
    dead_letters: DeadLetters,
) -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let (handler, dead_letters) = (handler.clone(), dead_letters.clone());
        async move {
            Ok::<_, lambda_runtime::Error>(
                handle_sqs_event(handler.as_ref(), event.payload, Some(&dead_letters)).await,
            )
        }
    }))
    .await
}
