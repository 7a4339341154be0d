mod account;
mod appointment;
mod card;
mod exhibit;
mod exhibitor;
mod fair;
mod intent;
mod language;
mod messaging;
mod notification;
mod settings;

pub use account::{Account, AccountProfile, Permission, Presence, Role};
pub use appointment::{
    Booking, BookingStatus, DEFAULT_SLOT_MINUTES, Invitee, MAX_SLOT_MINUTES, Meeting,
    REMINDER_LEAD, Slot,
};
pub use card::{Card, ReceivedCard};
pub use exhibit::{Exhibit, ExhibitDetails, Moq, PriceRange, Quota, is_country_code, is_https_url};
pub use exhibitor::Exhibitor;
pub use fair::{Category, Fair, MAX_LANGUAGES, MAX_RECOMMENDATION_QUOTA, Zone, language_offered};
pub use intent::{
    DeliveryStatus, DismissalReason, ExhibitFeedback, ExhibitMatch, Intent, IntentDelivery,
    IntentStatus, Push, PushFeedback, Quantity, Verdict,
};
pub use language::{Language, LanguageError};
pub use messaging::{
    Conversation, ConversationContext, MAX_TEXT_CHARS, Message, MessageType, Side, Translation,
};
pub use notification::{Notification, NotificationKind};
pub use settings::{AUTO_REPLY_MAX_CHARS, AutoReplies, DistributionMode, DistributionSettings};

/// The schema of a string field that holds one of a few words (kept a `String` in Rust where
/// the field is checked with its own error code, or written by fairlink alone).
pub fn one_of(words: &[&str]) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(words.iter().copied()))
        .build()
}
