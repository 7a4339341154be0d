use std::sync::RwLock;

use chrono::{DateTime, Duration, Utc};
use fairlink_domain::ports::Clock;

/// A clock that stands still until told to move: `POST /v1/dev/clock` and tests move it.
#[derive(Debug)]
pub struct TestClock {
    now: RwLock<DateTime<Utc>>,
}

impl TestClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: RwLock::new(fairlink_domain::time::to_millis(start)),
        }
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.write().unwrap_or_else(|e| e.into_inner()) =
            fairlink_domain::time::to_millis(now);
    }

    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let mut now = self.now.write().unwrap_or_else(|e| e.into_inner());
        *now = fairlink_domain::time::to_millis(*now + by);
        *now
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.read().unwrap_or_else(|e| e.into_inner())
    }
}
