use aws_lambda_events::{
    apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest},
    encodings::Body,
};
use fairlink_domain::{Ports, ports::Clock};
use fairlink_http::{Authenticator, auth::signed_in_account};
use fairlink_store::Repository;
use std::sync::Arc;

use crate::{SocketSessions, answer_to};

/// The WebSocket API's routes. `$connect` verifies `?token=` as the HTTP API's JWT
/// authorizer does and maps it to an active account as every request does; any other answer
/// than 200 refuses the connection.
pub struct SocketRoutes {
    sessions: SocketSessions,
    repo: Repository,
    auth: Authenticator,
    clock: Arc<dyn Clock>,
}

fn answer(status: i64, body: Option<&str>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status;
    response.body = body.map(|b| Body::Text(b.into()));
    response
}

impl SocketRoutes {
    pub fn new(ports: &Ports, auth: Authenticator) -> Self {
        Self {
            sessions: SocketSessions::new(ports),
            repo: Repository::new(ports.store.clone(), ports.queue.clone()),
            auth,
            clock: ports.clock.clone(),
        }
    }

    pub async fn handle(&self, event: ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
        let context = &event.request_context;
        let Some(connection_id) = context.connection_id.as_deref() else {
            return answer(400, Some("no connection id"));
        };
        match context.route_key.as_deref() {
            Some("$connect") => {
                let token = event
                    .query_string_parameters
                    .first("token")
                    .unwrap_or_default();
                let account = match self.auth.principal_of_token(token, self.clock.now()).await {
                    Ok(principal) => signed_in_account(&self.repo, principal).await,
                    Err(err) => Err(err),
                };
                match account {
                    Ok(account) => match self.sessions.opened(&account, connection_id).await {
                        Ok(()) => answer(200, None),
                        Err(err) => {
                            tracing::warn!(error = %err, "recording a socket failed");
                            answer(503, None)
                        }
                    },
                    Err(_) => answer(401, None),
                }
            }
            Some("$disconnect") => match self.sessions.closed(connection_id).await {
                Ok(()) => answer(200, None),
                Err(err) => {
                    // The socket's item expires with its two hours in any case.
                    tracing::warn!(error = %err, "forgetting a socket failed");
                    answer(200, None)
                }
            },
            // `$default`: the body is the client's frame; its answer goes back as the
            // route's response.
            _ => answer(200, answer_to(event.body.as_deref().unwrap_or_default())),
        }
    }
}
