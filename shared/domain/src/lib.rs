//! fairlink's domain: the entities, the rules that govern them and the ports through which
//! they reach the outside world. Nothing here knows about AWS or HTTP.

pub mod access;
pub mod error;
pub mod model;
pub mod ports;
pub mod validate;

pub use error::{DomainError, FieldError};
pub use ports::Ports;
