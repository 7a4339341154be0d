//! Queue workers as Lambdas: an SQS event source mapping hands a batch to the function,
//! which reports the messages it could not handle (`ReportBatchItemFailures`). Those come
//! back after the visibility timeout and end in the dead-letter queue after
//! `maxReceiveCount` deliveries; the others are deleted by Lambda.

use std::sync::Arc;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use fairlink_domain::ports::JobHandler;
use lambda_runtime::{LambdaEvent, service_fn};

/// Runs the handler over a batch and names the failed messages.
pub async fn handle_sqs_event(handler: &dyn JobHandler, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in event.records {
        let id = message.message_id.unwrap_or_default();
        let outcome = match message.body.as_deref() {
            Some(body) => handler.handle(body).await,
            None => Err("message without a body".to_string()),
        };
        if let Err(err) = outcome {
            tracing::warn!(message_id = %id, error = %err, "message failed; it will be retried");
            response.add_failure(id);
        }
    }
    response
}

/// The Lambda main loop of a queue worker.
pub async fn run_sqs_worker(handler: Arc<dyn JobHandler>) -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let handler = handler.clone();
        async move {
            Ok::<_, lambda_runtime::Error>(handle_sqs_event(handler.as_ref(), event.payload).await)
        }
    }))
    .await
}
