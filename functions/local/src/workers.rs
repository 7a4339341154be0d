use std::{sync::Arc, time::Duration};

use fairlink_domain::ports::{JobHandler, JobQueue, QueueName, handle_deliveries};
use tokio::task::JoinHandle;

/// Drains one queue in the background, as the queue's Lambda trigger does in AWS.
pub fn spawn_worker(
    queue: Arc<dyn JobQueue>,
    name: QueueName,
    handler: Arc<dyn JobHandler>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match queue.receive(name, 10, Duration::from_secs(1)).await {
                Ok(deliveries) if deliveries.is_empty() => {}
                Ok(deliveries) => {
                    let failed =
                        handle_deliveries(queue.as_ref(), name, handler.as_ref(), deliveries).await;
                    if !failed.is_empty() {
                        tracing::warn!(
                            queue = name.slug(),
                            failed = failed.len(),
                            "messages will be retried"
                        );
                    }
                }
                Err(err) => {
                    tracing::warn!(queue = name.slug(), error = %err, "receiving failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    })
}

/// Runs the reminder scheduler every second of real time, reading the clock port: in AWS an
/// EventBridge rule runs it every minute; here a move of the test clock is followed within
/// a second, and the reminders it makes due within a few more.
pub fn spawn_scheduler(scheduler: fairlink_scheduler::Scheduler) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(err) = scheduler.sweep().await {
                tracing::warn!(error = %err, "the reminder sweep failed; trying again");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}
