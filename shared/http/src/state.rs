use std::sync::Arc;

use chrono::{DateTime, Utc};
use fairlink_domain::Ports;
use fairlink_store::Repository;

use crate::auth::Authenticator;

/// What every handler gets: the ports, the repository over them, and the authenticator.
#[derive(Clone)]
pub struct AppState {
    pub ports: Ports,
    pub repo: Repository,
    pub auth: Arc<Authenticator>,
}

impl AppState {
    pub fn new(ports: Ports, auth: Authenticator) -> Self {
        let repo = Repository::new(ports.store.clone());
        Self {
            ports,
            repo,
            auth: Arc::new(auth),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.ports.clock.now()
    }
}
