use std::{
    io,
    path::{Path, PathBuf},
    sync::RwLock,
};

use chrono::{DateTime, Duration, Utc};
use fairlink_domain::ports::Clock;

/// A clock that stands still until told to move: `POST /v1/dev/clock` and tests move it.
/// Kept in a file ([`TestClock::kept_in`]), it shows after a restart the time it was moved
/// to, so a day of a fair can be tested across restarts.
#[derive(Debug)]
pub struct TestClock {
    now: RwLock<DateTime<Utc>>,
    file: Option<PathBuf>,
}

impl TestClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: RwLock::new(fairlink_domain::time::to_millis(start)),
            file: None,
        }
    }

    /// The clock kept in `file`: the time saved there, or `start` when nothing was saved.
    pub fn kept_in(file: &Path, start: DateTime<Utc>) -> io::Result<Self> {
        let saved = match std::fs::read_to_string(file) {
            Ok(text) => Some(
                DateTime::parse_from_rfc3339(text.trim())
                    .map_err(|e| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("{} holds no time: {e}", file.display()),
                        )
                    })?
                    .with_timezone(&Utc),
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        Ok(Self {
            file: Some(file.to_path_buf()),
            ..Self::new(saved.unwrap_or(start))
        })
    }

    /// Writes the time it shows to its file, if it has one (whole or not at all: a crash
    /// mid-write leaves the time saved before).
    pub fn save(&self) -> io::Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let partial = file.with_extension("partial");
        std::fs::write(&partial, fairlink_domain::time::format(self.now()))?;
        std::fs::rename(&partial, file)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_clock_shows_after_a_restart_the_time_it_was_moved_to() {
        let dir = std::env::temp_dir().join(format!("fairlink-clock-{}", std::process::id()));
        let file = dir.join("test-clock");
        let _ = std::fs::remove_file(&file);
        let start = Utc::now();
        let moved = DateTime::parse_from_rfc3339("2026-04-15T08:30:00.250Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = TestClock::kept_in(&file, start).unwrap();
        assert_eq!(
            clock.now(),
            fairlink_domain::time::to_millis(start),
            "nothing saved yet"
        );
        clock.set(moved);
        clock.save().unwrap();
        let again = TestClock::kept_in(&file, start).unwrap();
        assert_eq!(again.now(), moved);
        again.advance(Duration::minutes(5));
        again.save().unwrap();
        assert_eq!(
            TestClock::kept_in(&file, start).unwrap().now(),
            moved + Duration::minutes(5)
        );
        std::fs::write(&file, "not a time").unwrap();
        assert!(
            TestClock::kept_in(&file, start).is_err(),
            "a damaged file is said"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
