use std::{ops::Deref, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use fairlink_domain::{Ports, rate_limit::RateLimit};
use fairlink_store::Repository;

use crate::auth::Authenticator;

/// What every handler gets: the ports, the repository over them, and the authenticator.
/// Axum clones the state for every layer and extractor of every request: behind one `Arc`,
/// that is one reference count instead of a dozen.
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

#[derive(Clone)]
pub struct SharedState {
    pub ports: Ports,
    pub repo: Repository,
    pub auth: Arc<Authenticator>,
    /// Buyer registrations per client address; `None` lets every one through.
    pub registration_limit: Option<RateLimit>,
    /// Messages an account may send per window; `None` lets every one through.
    pub message_limit: Option<RateLimit>,
    /// How long a request may take before it answers 503 `timeout`: below the Lambda
    /// timeout (10 s in the template), so the client gets a problem, not a gateway error.
    pub request_timeout: Duration,
}

pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(8);

impl AppState {
    pub fn new(ports: Ports, auth: Authenticator) -> Self {
        let repo = Repository::new(ports.store.clone(), ports.queue.clone());
        Self(Arc::new(SharedState {
            ports,
            repo,
            auth: Arc::new(auth),
            registration_limit: None,
            message_limit: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }))
    }

    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        Arc::make_mut(&mut self.0).request_timeout = timeout;
        self
    }

    pub fn with_registration_limit(mut self, limit: Option<RateLimit>) -> Self {
        Arc::make_mut(&mut self.0).registration_limit = limit;
        self
    }

    pub fn with_message_limit(mut self, limit: Option<RateLimit>) -> Self {
        Arc::make_mut(&mut self.0).message_limit = limit;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.ports.clock.now()
    }
}

impl Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}
