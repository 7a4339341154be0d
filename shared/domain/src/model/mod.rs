mod account;
mod exhibit;
mod exhibitor;
mod fair;
mod intent;
mod notification;
mod settings;

pub use account::{Account, AccountProfile, Language, Permission, Role};
pub use exhibit::{Exhibit, ExhibitDetails, Moq, PriceRange, Quota, is_country_code, is_https_url};
pub use exhibitor::Exhibitor;
pub use fair::{Category, Fair, MAX_RECOMMENDATION_QUOTA, Zone};
pub use intent::{
    DeliveryStatus, ExhibitMatch, Intent, IntentDelivery, IntentStatus, Push, Quantity,
};
pub use notification::{Notification, NotificationKind};
pub use settings::{AUTO_REPLY_MAX_CHARS, AutoReplies, DistributionMode, DistributionSettings};
