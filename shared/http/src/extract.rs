//! Request extractors whose failures are problems with field errors, not axum's plain text.

use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use fairlink_domain::{DomainError, FieldError};
use serde::{Serialize, de::DeserializeOwned};

use crate::problem::ApiError;

/// A JSON body: syntax errors are 400 `malformed_json`; wrong types and missing fields are
/// 422 `validation_failed` naming the field; bodies over the limit are 413.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // A body said to be something else (`text/plain`, a form) is refused; one that says
        // nothing is read as JSON.
        let declared = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        if let Some(media) = declared
            && !(media == "application/json" || media.ends_with("+json"))
        {
            return Err(ApiError::UnsupportedMediaType(media));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::MalformedJson(rejection.body_text())
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

/// Syntax first, over the whole body (so trailing garbage is malformed JSON, not a missing
/// field), then the value onto the type, naming the path of the first field that does not fit.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::MalformedJson("a JSON body is required".into()));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::MalformedJson(format!("the body is not valid JSON: {e}")))?;
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        ApiError::Domain(DomainError::Validation(vec![field_error(&path, &message)]))
    })
}

/// Names the field an error is about; a missing field is named by its full path.
fn field_error(path: &str, message: &str) -> FieldError {
    let message = message.split(" at line ").next().unwrap_or(message);
    let parent = if path == "." { "" } else { path };
    if let Some(missing) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'))
    {
        let field = if parent.is_empty() {
            missing.to_string()
        } else {
            format!("{parent}.{missing}")
        };
        return FieldError::new(field, "is required");
    }
    FieldError::new(
        if parent.is_empty() { "body" } else { parent },
        in_plain_words(message),
    )
}

/// serde's wording as a person reads it: "unknown variant `fr`, expected `en` or `zh`"
/// becomes "must be one of en, zh"; "invalid type: integer `5`, expected a string" becomes
/// "must be a string".
fn in_plain_words(message: &str) -> String {
    let expected = |rest: &str| {
        rest.split_once("expected ").map(|(_, e)| {
            e.trim_start_matches("one of ")
                .replace('`', "")
                .replace(" or ", ", ")
        })
    };
    if message.starts_with("unknown variant")
        && let Some(choices) = expected(message)
    {
        return format!("must be one of {choices}");
    }
    if (message.starts_with("invalid type") || message.starts_with("invalid value"))
        && let Some(what) = expected(message)
    {
        return format!("must be {what}");
    }
    message.to_string()
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query parameters: a value of the wrong type is 422 `validation_failed`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|rejection| {
                let text = rejection.body_text();
                let detail = text.trim_start_matches("Failed to deserialize query string: ");
                ApiError::Domain(DomainError::Validation(vec![query_field_error(detail)]))
            })
    }
}

/// serde names the parameter first (`limit: invalid digit found in string`).
fn query_field_error(detail: &str) -> FieldError {
    match detail.split_once(": ") {
        Some((name, message))
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            FieldError::new(name, message)
        }
        _ => FieldError::new("query", detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Inner {
        email: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        name: String,
        quota: Option<u32>,
        main_account: Inner,
    }

    fn fields(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Domain(DomainError::Validation(errors)) => {
                errors.into_iter().map(|e| e.field).collect()
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let error = query_field_error("limit: invalid digit found in string");
        assert_eq!(
            (error.field.as_str(), error.message.as_str()),
            ("limit", "invalid digit found in string")
        );
        assert_eq!(query_field_error("something odd").field, "query");
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        assert!(matches!(
            parse_json::<Body>(b"{\"name\": "),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(
            parse_json::<Body>(b""),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(
            parse_json::<Body>(b"{} x"),
            Err(ApiError::MalformedJson(_))
        ));
    }

    #[test]
    fn data_errors_name_the_field() {
        let err = parse_json::<Body>(
            br#"{"name": "a", "quota": "ten", "mainAccount": {"email": "x@y.z"}}"#,
        )
        .unwrap_err();
        assert_eq!(fields(err), ["quota"]);
        let err = parse_json::<Body>(br#"{"name": "a", "mainAccount": {}}"#).unwrap_err();
        assert_eq!(fields(err), ["mainAccount.email"]);
        let err = parse_json::<Body>(br#"{"mainAccount": {"email": "x"}}"#).unwrap_err();
        assert_eq!(fields(err), ["name"]);
        let err = parse_json::<Body>(br#""a string""#).unwrap_err();
        assert_eq!(fields(err), ["body"]);
    }

    #[test]
    fn serde_wording_becomes_plain_words() {
        assert_eq!(
            in_plain_words("unknown variant `fr`, expected `en` or `zh`"),
            "must be one of en, zh"
        );
        assert_eq!(
            in_plain_words("unknown variant `x`, expected one of `im`, `appointments`, `intents`"),
            "must be one of im, appointments, intents"
        );
        assert_eq!(
            in_plain_words("invalid type: integer `5`, expected a string"),
            "must be a string"
        );
        assert_eq!(in_plain_words("something else"), "something else");
    }
}
