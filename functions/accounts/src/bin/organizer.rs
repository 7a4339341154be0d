//! The organizer setup Lambda (the stack's `Custom::Organizer` resource): wiring only.

use fairlink_accounts::organizer_resource::{OrganizerRequest, handle, response_url, send};
use fairlink_store::Repository;
use fairlink_telemetry::init_tracing;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let ports = fairlink_aws::identity_lambda_ports().await?;
    let repo = Repository::new(ports.store.clone(), ports.queue.clone());
    lambda_runtime::run(service_fn(|event: LambdaEvent<OrganizerRequest>| {
        let (repo, ports) = (&repo, &ports);
        async move {
            let response = handle(&event.payload, repo, ports).await;
            send(response_url(&event.payload), &response).await?;
            Ok::<_, lambda_runtime::Error>(())
        }
    }))
    .await
}
