use async_trait::async_trait;
use rand::Rng;

use crate::model::Meeting;

/// Where confirmed bookings meet.
#[async_trait]
pub trait MeetingRooms: Send + Sync {
    async fn create_room(&self, booking_id: &str) -> Result<Meeting, String>;
}

/// Jitsi-style rooms: a URL under a configured base with an unguessable room name (128
/// random bits), so that only those given the link can join.
pub struct JitsiRooms {
    base_url: String,
}

pub const DEFAULT_MEETING_BASE_URL: &str = "https://meet.jit.si";

impl JitsiRooms {
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
        }
    }

    /// From `FAIRLINK_MEETING_BASE_URL`, or the public Jitsi service.
    pub fn from_env() -> Self {
        Self::new(
            std::env::var("FAIRLINK_MEETING_BASE_URL")
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| DEFAULT_MEETING_BASE_URL.into()),
        )
    }
}

#[async_trait]
impl MeetingRooms for JitsiRooms {
    async fn create_room(&self, _booking_id: &str) -> Result<Meeting, String> {
        let secret: u128 = rand::rng().random();
        let room_id = format!("fairlink-{secret:032x}");
        Ok(Meeting {
            provider: "jitsi".into(),
            join_url: format!("{}/{room_id}", self.base_url),
            room_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rooms_are_unguessable_and_under_the_base() {
        let rooms = JitsiRooms::new("https://meet.example.com/");
        let a = rooms.create_room("bkg_1").await.unwrap();
        let b = rooms.create_room("bkg_1").await.unwrap();
        assert_ne!(a.room_id, b.room_id);
        assert_eq!(a.room_id.len(), "fairlink-".len() + 32);
        assert_eq!(
            a.join_url,
            format!("https://meet.example.com/{}", a.room_id)
        );
    }
}
