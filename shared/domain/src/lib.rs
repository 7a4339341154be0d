//! fairlink's domain: the entities, the rules that govern them and the ports through which
//! they reach the outside world. Nothing here knows about AWS or HTTP.

pub mod access;
pub mod distribution;
pub mod error;
pub mod jobs;
pub mod matching;
pub mod model;
pub mod optimistic;
pub mod ports;
pub mod rate_limit;
pub mod realtime;
pub mod reminders;
pub mod slot_windows;
pub mod sms;
pub mod time;
pub mod validate;

pub use error::{DomainError, FieldError};
pub use ports::Ports;
