//! Request extractors whose failures are problems with field errors, not axum's plain text.

use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use fairlink_domain::validate::{Checks, Validate};
use fairlink_domain::{DomainError, FieldError};
use serde::{Serialize, de::DeserializeOwned};

use crate::problem::ApiError;

/// A JSON body: syntax errors are 400 `malformed_json`; wrong types and missing fields are
/// 422 `validation_failed` naming the field; bodies over the limit are 413.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + Validate, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        parse_json(&bytes).map(Json)
    }
}

/// A JSON body read but not yet looked at: for an operation whose right depends on the
/// object the path names, so that a caller without it is refused (403, or 404 for another
/// tenant's object) before anything is said about its body. [`JsonLater::parse`] then
/// answers exactly what [`Json`] would have (415, 413, 400, 422).
#[derive(Debug)]
pub struct JsonLater<T> {
    body: Result<Bytes, ApiError>,
    of: std::marker::PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + Validate> JsonLater<T> {
    pub fn parse(self) -> Result<T, ApiError> {
        parse_json(&self.body?)
    }
}

impl<T: DeserializeOwned + Validate, S: Send + Sync> FromRequest<S> for JsonLater<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            body: json_bytes(req, state).await,
            of: std::marker::PhantomData,
        })
    }
}

/// The bytes of a body that says it is JSON (or says nothing), within the body limit.
async fn json_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
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
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::MalformedJson(rejection.body_text())
        }
    })
}

/// How many times a body is tried again past a bad field (at most this many are named).
const MAX_FIELD_ERRORS: usize = 40;

/// Syntax first, over the whole body (so trailing garbage is malformed JSON, not a missing
/// field), then the value onto the type, naming every field that does not fit: serde stops
/// at the first, so each bad field gets a stand-in value and the body is tried again. Once
/// the stand-ins make it fit, the body's own rules ([`Validate`]) are checked too, on every
/// field that was not a stand-in: type errors and rule errors are answered together.
pub(crate) fn parse_json<T: DeserializeOwned + Validate>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::MalformedJson("a JSON body is required".into()));
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::MalformedJson(format!("the body is not valid JSON: {e}")))?;
    // Each try deserializes the whole body again: past this size the first error is enough.
    let tries = if bytes.len() > 64 * 1024 {
        1
    } else {
        MAX_FIELD_ERRORS * 4
    };
    let mut errors: Vec<FieldError> = Vec::new();
    let mut stand_ins_tried: std::collections::HashMap<String, usize> = Default::default();
    for _ in 0..tries {
        let err = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(parsed) if errors.is_empty() => return Ok(parsed),
            Ok(with_stand_ins) => {
                let mut checks = Checks::new();
                with_stand_ins.validate(&mut checks);
                let rules: Vec<FieldError> = checks
                    .take()
                    .into_iter()
                    .filter(|rule| !errors.iter().any(|e| e.covers(&rule.field)))
                    .collect();
                errors.extend(rules);
                break;
            }
            Err(err) => err,
        };
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        let error = field_error(&path, &message);
        let field = error.field.clone();
        // A field already named (or inside one) is not named again: its stand-in was wrong.
        let named = errors.iter().any(|e| e.covers(&field));
        if !named {
            errors.push(error);
        }
        if errors.len() >= MAX_FIELD_ERRORS
            || !step_past(&mut value, &path, &message, &mut stand_ins_tried)
        {
            break;
        }
    }
    Err(ApiError::Domain(DomainError::Validation(errors)))
}

/// Changes the body so that the next try goes past the error: an unknown field is taken
/// out, a bad or missing one gets the next stand-in value. `false`: nothing more to try.
fn step_past(
    value: &mut serde_json::Value,
    path: &str,
    message: &str,
    tried: &mut std::collections::HashMap<String, usize>,
) -> bool {
    let message = message.split(" at line ").next().unwrap_or(message);
    let parent = if path == "." { "" } else { path };
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|m| m.split('`').next())
            .map(String::from)
    };
    if let Some(unknown) = quoted("unknown field `") {
        // The path names the unknown field itself: its object is one step up.
        let object = match parent.rsplit_once('.') {
            Some((up, last)) if last == unknown => up,
            None if parent == unknown => "",
            _ => parent,
        };
        return match locate(value, object).and_then(|v| v.as_object_mut()) {
            Some(object) => object.remove(&unknown).is_some(),
            None => false,
        };
    }
    let (target, key) = match quoted("missing field `") {
        Some(missing) => (parent.to_string(), Some(missing)),
        None => match parent.rsplit_once('.') {
            _ if parent.is_empty() => return false,
            Some((up, last)) if !last.ends_with(']') => (up.to_string(), Some(last.to_string())),
            _ => (parent.to_string(), None),
        },
    };
    let Some(stand_in) = named_choice(message).or_else(|| {
        let n = tried
            .entry(format!("{target}|{}", key.as_deref().unwrap_or("")))
            .or_default();
        *n += 1;
        stand_in(*n - 1)
    }) else {
        return false;
    };
    match (locate(value, &target), key) {
        (Some(serde_json::Value::Object(object)), Some(key)) => {
            object.insert(key, stand_in);
            true
        }
        (Some(slot), None) => {
            *slot = stand_in;
            true
        }
        _ => false,
    }
}

/// The first choice an error names (`expected `en` or `zh``, `expected a tag such as
/// `en``), if it names any.
fn named_choice(message: &str) -> Option<serde_json::Value> {
    let (_, expected) = message.split_once("expected ")?;
    let (_, choice) = expected.split_once('`')?;
    choice.split('`').next().map(serde_json::Value::from)
}

/// The `n`th value to try in place of a bad one: a value of each JSON type.
fn stand_in(n: usize) -> Option<serde_json::Value> {
    use serde_json::json;
    [
        json!(null),
        json!(""),
        json!(0),
        json!(false),
        json!([]),
        json!({}),
    ]
    .into_iter()
    .nth(n)
}

/// The value at a serde path (`mainAccount.email`, `windows[0].start`; empty: the root).
fn locate<'v>(value: &'v mut serde_json::Value, path: &str) -> Option<&'v mut serde_json::Value> {
    let mut here = value;
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let (name, indexes) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if !name.is_empty() {
            here = here.get_mut(name)?;
        }
        for index in indexes.split(['[', ']']).filter(|s| !s.is_empty()) {
            here = here.get_mut(index.parse::<usize>().ok()?)?;
        }
    }
    Some(here)
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

    impl Validate for Body {}

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

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        name: String,
        language: fairlink_domain::model::Language,
        count: u32,
        tags: Vec<String>,
        main_account: Inner,
    }

    /// The body's own rules: a name, tags without blanks, an email with an @.
    impl Validate for Strict {
        fn validate(&self, checks: &mut Checks) {
            checks.check(!self.name.trim().is_empty(), "name", "must not be empty");
            for (i, tag) in self.tags.iter().enumerate() {
                checks.check(!tag.trim().is_empty(), &format!("tags[{i}]"), "is blank");
            }
            checks.check(
                self.main_account.email.contains('@'),
                "mainAccount.email",
                "is not an email",
            );
        }
    }

    #[test]
    fn type_errors_and_rule_errors_are_answered_together() {
        // A malformed language tag (a type error) beside an empty name and a blank tag (rule errors):
        // all three named, each with its JSON pointer; the stand-in the language got to go
        // on is never judged.
        let err = parse_json::<Strict>(
            br#"{"name": " ", "language": "x!", "count": 1, "tags": ["ok", " "], "mainAccount": {"email": "e@x"}}"#,
        )
        .unwrap_err();
        let ApiError::Domain(DomainError::Validation(errors)) = err else {
            panic!("a validation error");
        };
        let mut named: Vec<(String, String)> =
            errors.into_iter().map(|e| (e.field, e.pointer)).collect();
        named.sort();
        assert_eq!(
            named,
            [
                ("language".to_string(), "/language".to_string()),
                ("name".to_string(), "/name".to_string()),
                ("tags[1]".to_string(), "/tags/1".to_string()),
            ]
        );
        // Without a type error, the rules are the use case's to check (with its others).
        assert!(
            parse_json::<Strict>(
                br#"{"name": " ", "language": "en", "count": 1, "tags": [], "mainAccount": {"email": "e@x"}}"#
            )
            .is_ok()
        );
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let err = parse_json::<Strict>(
            br#"{"name": 5, "language": "en US", "tags": "x", "mainAccount": {"email": 1}, "extra": true}"#,
        )
        .unwrap_err();
        let mut named = fields(err);
        named.sort();
        assert_eq!(
            named,
            [
                "count",
                "extra",
                "language",
                "mainAccount.email",
                "name",
                "tags"
            ],
            "the unknown field, the wrong types, the bad choice, the missing one"
        );
        // Several missing fields, each named once.
        let err = parse_json::<Strict>(b"{}").unwrap_err();
        let mut named = fields(err);
        named.sort();
        assert_eq!(named, ["count", "language", "mainAccount", "name", "tags"]);
        // A good body still parses.
        assert!(
            parse_json::<Strict>(
                br#"{"name": "a", "language": "en", "count": 1, "tags": [], "mainAccount": {"email": "e"}}"#
            )
            .is_ok()
        );
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
