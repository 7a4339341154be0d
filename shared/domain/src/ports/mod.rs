//! Ports: each outside thing fairlink uses, as a small trait named for what it does.
//! Every port has an AWS adapter (fairlink-aws) and an embedded one (fairlink-embedded).

mod clock;
mod embed;
mod identity;
mod ids;
mod item_store;
mod meetings;
mod notify;
mod queue;
mod sockets;
mod translate;

use std::sync::Arc;

pub use clock::{Clock, SystemClock};
pub use embed::{EMBEDDING_DIM, EmbedError, Embedder, TextRole};
pub use identity::{
    DevTokenIdentities, ExistingIdentity, IdentityDirectory, IdentityError, IdentitySubject,
    NewIdentity, SignInConfig, SignInProvider,
};
pub use ids::{IdGenerator, UlidGenerator};
pub use item_store::{
    Change, Condition, INDEXES, Index, Item, ItemStore, Key, Page, Query, SortCondition,
    StoreError, WriteOp, attr,
};
pub use meetings::{DEFAULT_MEETING_BASE_URL, JitsiRooms, MeetingRooms};
pub use notify::{DeliveryError, Email, EmailSender, Sms, SmsSender};
pub use queue::{
    Delivery, JobError, JobHandler, JobQueue, MAX_DELAY, QueueError, QueueName, Worker,
    handle_deliveries,
};
pub use sockets::{PushError, SocketPusher};
pub use translate::{NoTranslator, TranslateError, Translator};

/// Everything a feature needs from the outside world, wired once per process.
#[derive(Clone)]
pub struct Ports {
    pub store: Arc<dyn ItemStore>,
    pub queue: Arc<dyn JobQueue>,
    pub email: Arc<dyn EmailSender>,
    pub sms: Arc<dyn SmsSender>,
    pub clock: Arc<dyn Clock>,
    pub meetings: Arc<dyn MeetingRooms>,
    pub translator: Arc<dyn Translator>,
    /// Sign-in identities of accounts (Cognito in AWS).
    pub identities: Arc<dyn IdentityDirectory>,
    pub ids: Arc<dyn IdGenerator>,
}
