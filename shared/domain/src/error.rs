use serde::Serialize;
use utoipa::ToSchema;

use crate::ports::{DeliveryError, QueueError, StoreError};

/// One invalid field of a request, named by its JSON path (`mainAccount.email`,
/// `keywords[0]`) and by its JSON pointer (RFC 6901: `/mainAccount/email`, `/keywords/0`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    pub pointer: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        Self {
            pointer: json_pointer(&field),
            field,
            message: message.into(),
        }
    }

    /// Whether this names `other` or a field inside it.
    pub fn covers(&self, other: &str) -> bool {
        other == self.field
            || other.starts_with(&format!("{}.", self.field))
            || other.starts_with(&format!("{}[", self.field))
    }
}

/// The JSON pointer of a path such as `quantity.amount` or `keywords[0]` (`body`, the whole
/// body, is the empty pointer).
pub fn json_pointer(path: &str) -> String {
    if path == "body" || path.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for part in path.split('.') {
        let (name, indexes) = part.split_once('[').unwrap_or((part, ""));
        if !name.is_empty() {
            out.push('/');
            out.push_str(&name.replace('~', "~0").replace('/', "~1"));
        }
        for index in indexes.split('[') {
            let index = index.trim_end_matches(']');
            if !index.is_empty() {
                out.push('/');
                out.push_str(index);
            }
        }
    }
    out
}

/// What can go wrong in a use case. Each variant carries a stable machine-readable code;
/// the HTTP layer maps them to statuses in one place.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 409: the request is well formed but the state forbids it.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// 422 with a specific code (other than `validation_failed`).
    #[error("{detail}")]
    Unprocessable { code: &'static str, detail: String },
    /// 422 `unsupported_language`: an account's language the fair does not offer.
    #[error("the fair does not offer {language}")]
    UnsupportedLanguage {
        language: crate::model::Language,
        offered: Vec<crate::model::Language>,
    },
    /// 503: a dependency is not there (not configured, or not answering).
    #[error("{detail}")]
    Unavailable { code: &'static str, detail: String },
    /// 429: too many requests of this kind from one client; try again after the seconds.
    #[error("too many requests; try again in {retry_after} s")]
    RateLimited {
        retry_after: u64,
        standing: crate::rate_limit::RateStanding,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden(detail.into())
    }
}

impl From<StoreError> for DomainError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::InvalidCursor => {
                DomainError::field("cursor", "is not a cursor of this list")
            }
            StoreError::Unavailable(detail) => DomainError::Unavailable {
                code: "store_unavailable",
                detail,
            },
            // Still conflicting after the repository's retries: busy, not broken.
            StoreError::TransactionConflict => DomainError::Unavailable {
                code: "store_unavailable",
                detail: "the change met concurrent changes; try again".into(),
            },
            // A condition failing where the caller did not expect one is a bug, not bad input.
            other => DomainError::Internal(other.to_string()),
        }
    }
}

impl From<QueueError> for DomainError {
    fn from(err: QueueError) -> Self {
        DomainError::Unavailable {
            code: "queue_unavailable",
            detail: err.to_string(),
        }
    }
}

impl From<crate::ports::IdentityError> for DomainError {
    fn from(err: crate::ports::IdentityError) -> Self {
        use crate::ports::IdentityError;
        match err {
            IdentityError::EmailTaken(_) => {
                DomainError::conflict("email_taken", "another account already uses this email")
            }
            IdentityError::Refused(detail) => DomainError::Unprocessable {
                code: "identity_refused",
                detail: format!("the identity provider refused the account: {detail}"),
            },
            IdentityError::Unavailable(detail) => DomainError::Unavailable {
                code: "identity_unavailable",
                detail,
            },
        }
    }
}

impl From<crate::ports::EmbedError> for DomainError {
    fn from(err: crate::ports::EmbedError) -> Self {
        DomainError::Unavailable {
            code: "embedder_unavailable",
            detail: err.to_string(),
        }
    }
}

impl From<DeliveryError> for DomainError {
    fn from(err: DeliveryError) -> Self {
        DomainError::Unavailable {
            code: "delivery_unavailable",
            detail: err.to_string(),
        }
    }
}

#[cfg(test)]
mod pointer_tests {
    use super::*;

    #[test]
    fn paths_become_json_pointers() {
        assert_eq!(json_pointer("mainAccount.email"), "/mainAccount/email");
        assert_eq!(json_pointer("keywords[0]"), "/keywords/0");
        assert_eq!(json_pointer("windows[1].start"), "/windows/1/start");
        assert_eq!(json_pointer("body"), "");
        assert!(FieldError::new("quantity", "x").covers("quantity.amount"));
        assert!(!FieldError::new("quantity", "x").covers("quantityUnit"));
    }
}
