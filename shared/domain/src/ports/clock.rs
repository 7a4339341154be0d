use chrono::{DateTime, Utc};

/// Where every rule reads the time, so tests (and the local test clock) can move it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    /// Millisecond precision, the precision of every time fairlink keeps (`crate::time`).
    fn now(&self) -> DateTime<Utc> {
        crate::time::to_millis(Utc::now())
    }
}
