mod account;
mod exhibitor;
mod fair;
mod notification;
mod settings;

pub use account::{Account, AccountProfile, Language, Permission, Role};
pub use exhibitor::Exhibitor;
pub use fair::{Category, Fair, MAX_RECOMMENDATION_QUOTA, Zone};
pub use notification::{Notification, NotificationKind};
pub use settings::{AUTO_REPLY_MAX_CHARS, AutoReplies, DistributionMode, DistributionSettings};
