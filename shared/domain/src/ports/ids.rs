use std::sync::{Arc, Mutex};

use super::Clock;

/// Makes new object ids: `acc_01j9…`. They sort by creation order (strictly, even within one
/// millisecond or under a stopped test clock) and carry 80 random bits, so they cannot be
/// guessed.
pub trait IdGenerator: Send + Sync {
    fn new_id(&self, prefix: &str) -> String;
}

pub struct UlidGenerator {
    clock: Arc<dyn Clock>,
    monotonic: Mutex<ulid::Generator>,
}

impl UlidGenerator {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            monotonic: Mutex::new(ulid::Generator::new()),
        }
    }
}

impl IdGenerator for UlidGenerator {
    fn new_id(&self, prefix: &str) -> String {
        let now = std::time::SystemTime::from(self.clock.now());
        let mut generator = self.monotonic.lock().unwrap_or_else(|e| e.into_inner());
        // Overflow needs 2^80 ids in one millisecond; fall back to a fresh random id.
        let id = generator
            .generate_from_datetime(now)
            .unwrap_or_else(|_| ulid::Ulid::from_datetime(now));
        format!("{prefix}_{}", id.to_string().to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SystemClock;

    #[test]
    fn ids_are_prefixed_and_distinct() {
        let ids = UlidGenerator::new(Arc::new(SystemClock));
        let a = ids.new_id("acc");
        let b = ids.new_id("acc");
        assert!(a.starts_with("acc_"));
        assert_eq!(a.len(), 4 + 26);
        assert_ne!(a, b);
    }

    #[test]
    fn ids_sort_in_creation_order_under_a_stopped_clock() {
        struct Stopped;
        impl Clock for Stopped {
            fn now(&self) -> chrono::DateTime<chrono::Utc> {
                "2021-04-15T08:00:00Z".parse().unwrap()
            }
        }
        let ids = UlidGenerator::new(Arc::new(Stopped));
        let made: Vec<String> = (0..1000).map(|_| ids.new_id("ntf")).collect();
        let mut sorted = made.clone();
        sorted.sort();
        assert_eq!(made, sorted);
    }
}
