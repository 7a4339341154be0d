//! Fixed-window rate limits, such as buyer registrations per client address.

use std::{fmt, str::FromStr};

use chrono::{DateTime, Utc};

/// At most `max` events per `window_seconds` window, windows aligned on the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window_seconds: u32,
}

impl RateLimit {
    /// The start of the window `now` falls in (seconds since the epoch).
    pub fn window_start(&self, now: DateTime<Utc>) -> i64 {
        let window = i64::from(self.window_seconds.max(1));
        now.timestamp().div_euclid(window) * window
    }

    /// Seconds until the next window opens.
    pub fn retry_after(&self, now: DateTime<Utc>) -> u64 {
        let next = self.window_start(now) + i64::from(self.window_seconds.max(1));
        (next - now.timestamp()).max(1) as u64
    }
}

/// Where a client stands in its window after a request: what the `RateLimit-Policy` and
/// `RateLimit` headers (draft-ietf-httpapi-ratelimit-headers) say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateStanding {
    /// The policy's name (`register`, `message`).
    pub policy: String,
    pub limit: RateLimit,
    /// Requests left in the window.
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset_seconds: u64,
}

/// Where a request leaves its client's window: counted, or refused as the window is full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateWindow {
    Counted(RateStanding),
    Full(RateStanding),
}

impl RateWindow {
    /// The standing of a counted request; a full window is a 429 (`rate_limited`).
    pub fn admitted(self) -> Result<RateStanding, crate::DomainError> {
        match self {
            RateWindow::Counted(standing) => Ok(standing),
            RateWindow::Full(standing) => Err(crate::DomainError::RateLimited {
                retry_after: standing.reset_seconds,
                standing,
            }),
        }
    }
}

impl RateStanding {
    /// `"register";q=20;w=3600`
    pub fn policy_header(&self) -> String {
        format!(
            "\"{}\";q={};w={}",
            self.policy, self.limit.max, self.limit.window_seconds
        )
    }

    /// `"register";r=19;t=1800`
    pub fn header(&self) -> String {
        format!(
            "\"{}\";r={};t={}",
            self.policy, self.remaining, self.reset_seconds
        )
    }
}

impl FromStr for RateLimit {
    type Err = String;

    /// `"20/3600"`: 20 per hour.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (max, window) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not <count>/<seconds>"))?;
        let max: u32 = max
            .trim()
            .parse()
            .map_err(|_| format!("`{max}` is not a count"))?;
        let window_seconds: u32 = window
            .trim()
            .parse()
            .map_err(|_| format!("`{window}` is not a number of seconds"))?;
        if max == 0 || window_seconds == 0 {
            return Err(format!("`{text}`: both numbers must be above 0"));
        }
        Ok(Self {
            max,
            window_seconds,
        })
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.max, self.window_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_aligns_windows() {
        let limit: RateLimit = "20/3600".parse().unwrap();
        assert_eq!((limit.max, limit.window_seconds), (20, 3600));
        let now: DateTime<Utc> = "2021-04-15T08:59:30Z".parse().unwrap();
        assert_eq!(limit.window_start(now) % 3600, 0);
        assert_eq!(limit.retry_after(now), 30);
        for bad in ["", "20", "0/60", "20/0", "x/60", "20/y"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
        let standing = RateStanding {
            policy: "register".into(),
            limit,
            remaining: 19,
            reset_seconds: 30,
        };
        assert_eq!(standing.policy_header(), r#""register";q=20;w=3600"#);
        assert_eq!(standing.header(), r#""register";r=19;t=30"#);
    }
}
