use std::sync::{Arc, Mutex};

use super::Clock;

/// Makes new object ids: `acc_01j9…`. They sort by creation order (strictly, even within one
/// millisecond or under a stopped test clock) and cannot be guessed from one another: a new
/// millisecond starts from 80 random bits, and an id in the same millisecond as the last one
/// adds a random 64-bit step to it (ULID's own monotonic mode adds 1, which would make the
/// next id of an instance its neighbour's plus one).
pub trait IdGenerator: Send + Sync {
    fn new_id(&self, prefix: &str) -> String;
}

pub struct UlidGenerator {
    clock: Arc<dyn Clock>,
    last: Mutex<Option<ulid::Ulid>>,
}

impl UlidGenerator {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            last: Mutex::new(None),
        }
    }
}

impl IdGenerator for UlidGenerator {
    fn new_id(&self, prefix: &str) -> String {
        let now = std::time::SystemTime::from(self.clock.now());
        let fresh = ulid::Ulid::from_datetime(now);
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let id = match *last {
            // A step that carries out of the random bits moves into the next millisecond:
            // still later than the last id, and still a valid ULID.
            Some(previous) if fresh <= previous => {
                let step = u128::from(rand::random::<u64>().max(1));
                ulid::Ulid(previous.0.saturating_add(step))
            }
            _ => fresh,
        };
        *last = Some(id);
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
        sorted.dedup();
        assert_eq!(made, sorted);
        // Neighbours are far apart: the next id is not the last one plus a small number.
        let value = |id: &str| ulid::Ulid::from_string(&id[4..]).unwrap().0;
        let close = made
            .windows(2)
            .filter(|pair| value(&pair[1]) - value(&pair[0]) < 1 << 32)
            .count();
        assert!(close < 3, "{close} of 999 steps were under 2^32");
    }
}
