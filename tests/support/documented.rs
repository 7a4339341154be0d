//! Every answer a scenario meets is one the API's document describes: its status is listed
//! for the operation, and a problem's `code` is one the document lists for that status. So a
//! status or code the typed client would not know fails the test that meets it.

use std::sync::OnceLock;

use serde_json::Value;

fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        serde_json::from_str(&fairlink_local::deployed_document())
            .expect("the API's document is JSON")
    })
}

/// The document's path template for a request path: literal segments win over `{params}`.
fn template_of(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    document()["paths"]
        .as_object()?
        .keys()
        .filter_map(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            let fits = parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(part, segment)| part.starts_with('{') || part == segment);
            let literal = parts.iter().filter(|p| !p.starts_with('{')).count();
            fits.then_some((literal, template.as_str()))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, template)| template)
}

/// Follows a `$ref` to a shared response.
fn resolved(response: &'static Value) -> &'static Value {
    match response["$ref"].as_str() {
        Some(reference) => document()
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("the document has no {reference}")),
        None => response,
    }
}

/// The codes a problem response of the document can carry.
fn codes_of(response: &Value) -> Vec<&str> {
    response
        .pointer("/content/application~1problem+json/schema/allOf/1/properties/code/enum")
        .and_then(Value::as_array)
        .map(|codes| codes.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Fails when the document does not describe this answer. Requests outside it (the local
/// dev routes, the WebSocket, unknown routes and methods, preflights) are not checked.
#[track_caller]
pub fn assert_documented(method: &str, path: &str, status: u16, body: &Value) {
    let Some(template) = template_of(path) else {
        return;
    };
    let Some(operation) = document()["paths"][template].get(method.to_ascii_lowercase()) else {
        return;
    };
    let Some(response) = operation["responses"].get(status.to_string()) else {
        panic!("{method} {template} answered {status}, which its document does not list: {body}");
    };
    if status >= 400 {
        let code = body["code"].as_str().unwrap_or_default();
        let codes = codes_of(resolved(response));
        assert!(
            codes.contains(&code),
            "{method} {template} answered {status} `{code}`, which its document does not list (it lists {codes:?}): {body}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_read_as_its_most_literal_template() {
        assert_eq!(
            template_of("/v1/exhibitors/e1/slots/batch"),
            Some("/v1/exhibitors/{eid}/slots/batch")
        );
        assert_eq!(template_of("/v1/slots/s1"), Some("/v1/slots/{sid}"));
        assert_eq!(template_of("/v1/dev/token"), None);
    }

    #[test]
    fn an_answer_the_document_omits_fails() {
        let refused = serde_json::json!({"code": "not_a_code"});
        let undocumented = std::panic::catch_unwind(|| {
            assert_documented("POST", "/v1/slots/s1/bookings", 409, &refused)
        });
        assert!(undocumented.is_err());
        let full = serde_json::json!({"code": "slot_full"});
        assert_documented("POST", "/v1/slots/s1/bookings", 409, &full);
        let unlisted = std::panic::catch_unwind(|| {
            assert_documented("POST", "/v1/slots/s1/bookings", 418, &Value::Null)
        });
        assert!(unlisted.is_err());
    }
}
