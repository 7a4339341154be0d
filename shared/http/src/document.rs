//! The OpenAPI document as a client reads it: errors as problem+json, every status an
//! operation can answer (shared `components/responses`) with the `code`s each carries as an
//! enum, the headers, bounds and descriptions utoipa does not write itself.

/// A status every operation of a kind can answer, as a shared response with the `code`s it
/// carries.
struct SharedResponse {
    name: &'static str,
    status: &'static str,
    description: &'static str,
    codes: &'static [&'static str],
    applies: Applies,
}

/// Which operations answer a shared status.
#[derive(Clone, Copy)]
enum Applies {
    Every,
    Authenticated,
    WithBody,
    /// A POST: its `Idempotency-Key` can be malformed, reused or still in use.
    Posts,
    /// Any other operation with a body, a query or a path parameter.
    OtherWithInput,
    /// PUT, PATCH and DELETE on a path with a GET (which honour If-Match).
    Writes,
}

const SHARED_RESPONSES: &[SharedResponse] = &[
    SharedResponse {
        name: "Unauthenticated",
        status: "401",
        description: "No valid bearer token, or one whose identity signs in as no active account",
        codes: &["unauthenticated", "unknown_identity", "account_deactivated"],
        applies: Applies::Authenticated,
    },
    SharedResponse {
        name: "MalformedBody",
        status: "400",
        description: "The body is not JSON",
        codes: &["malformed_json"],
        applies: Applies::WithBody,
    },
    SharedResponse {
        name: "PayloadTooLarge",
        status: "413",
        description: "The body is over 1 MiB",
        codes: &["payload_too_large"],
        applies: Applies::WithBody,
    },
    SharedResponse {
        name: "UnsupportedMediaType",
        status: "415",
        description: "The body is not application/json",
        codes: &["unsupported_media_type"],
        applies: Applies::WithBody,
    },
    SharedResponse {
        name: "Invalid",
        status: "422",
        description: "A field or parameter is invalid (`errors` names each)",
        codes: &["validation_failed"],
        applies: Applies::OtherWithInput,
    },
    SharedResponse {
        name: "InvalidOrKeyReused",
        status: "422",
        description: "A field, parameter or the Idempotency-Key is invalid (`errors` names each), or the Idempotency-Key was used with another request",
        codes: &["validation_failed", "idempotency_key_reused"],
        applies: Applies::Posts,
    },
    SharedResponse {
        name: "KeyInUse",
        status: "409",
        description: "A request with this Idempotency-Key is still being processed",
        codes: &["idempotency_key_in_use"],
        applies: Applies::Posts,
    },
    SharedResponse {
        name: "PreconditionFailed",
        status: "412",
        description: "If-Match names a version that is no longer the resource's; nothing was written",
        codes: &["precondition_failed"],
        applies: Applies::Writes,
    },
    SharedResponse {
        name: "Internal",
        status: "500",
        description: "An unexpected failure (never expected; logged with the request id)",
        codes: &["internal"],
        applies: Applies::Every,
    },
    SharedResponse {
        name: "Unavailable",
        status: "503",
        description: "A dependency did not answer in time; try again",
        codes: &[
            "store_unavailable",
            "timeout",
            "queue_unavailable",
            "identity_unavailable",
        ],
        applies: Applies::Every,
    },
];

/// The codes an operation's own response of a status carries whatever the operation, when no
/// shared response of that status applies to it.
fn codes_of_status(status: &str) -> &'static [&'static str] {
    match status {
        "403" => &["forbidden"],
        "404" => &["not_found"],
        "429" => &["rate_limited"],
        _ => &[],
    }
}

/// What decides which shared statuses an operation answers.
struct OperationKind {
    post: bool,
    /// A PUT, PATCH or DELETE whose path has a GET to compare `If-Match` with.
    honours_if_match: bool,
    public: bool,
    with_body: bool,
    with_input: bool,
}

impl OperationKind {
    fn answers(&self, applies: Applies) -> bool {
        match applies {
            Applies::Every => true,
            Applies::Authenticated => !self.public,
            Applies::WithBody => self.with_body,
            Applies::Posts => self.post,
            Applies::OtherWithInput => !self.post && self.with_input,
            Applies::Writes => self.honours_if_match,
        }
    }

    fn shared(&self, status: &str) -> Option<&'static SharedResponse> {
        SHARED_RESPONSES
            .iter()
            .find(|shared| shared.status == status && self.answers(shared.applies))
    }
}

/// A problem+json body whose `code` is one of `codes`.
fn problem_content(codes: &[&str]) -> serde_json::Value {
    serde_json::json!({"application/problem+json": {"schema": {"allOf": [
        {"$ref": "#/components/schemas/Problem"},
        {"type": "object", "required": ["code"], "properties": {"code": {"type": "string", "enum": codes}}}
    ]}}})
}

fn shared_response(shared: &SharedResponse) -> serde_json::Value {
    serde_json::json!({
        "description": shared.description,
        "headers": {"x-request-id": {"$ref": "#/components/headers/RequestId"}},
        "content": problem_content(shared.codes)
    })
}

/// Completes every operation with the statuses it can answer that it does not list itself
/// (shared `components/responses`), its own problem answers with their codes, its headers,
/// and gives `limit` its real bounds.
fn with_shared_responses(doc: &mut serde_json::Value) {
    if let Some(components) = doc["components"].as_object_mut() {
        let responses = components
            .entry("responses")
            .or_insert_with(|| serde_json::json!({}));
        for shared in SHARED_RESPONSES {
            responses[shared.name] = shared_response(shared);
        }
        responses["Unavailable"]["headers"]["Retry-After"] =
            serde_json::json!({"$ref": "#/components/headers/RetryAfter"});
        components.insert(
            "headers".into(),
            serde_json::json!({
                "RequestId": {"description": "The request's id, as in fairlink's logs.", "schema": {"type": "string"}},
                "RetryAfter": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 1}},
                "IdempotencyReplayed": {"description": "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.", "schema": {"type": "string", "enum": ["true"]}}
            }),
        );
    }
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut().filter_map(|p| p.as_object_mut()) {
        // If-Match is compared with what a GET of the same path answers (conditional.rs): a
        // path without one cannot honour it.
        let comparable = item.contains_key("get");
        for (method, operation) in item.iter_mut() {
            complete_operation(method, operation, comparable);
        }
    }
}

/// One operation: its headers, its own problem answers with their codes, the shared
/// statuses it does not list itself.
fn complete_operation(method: &str, operation: &mut serde_json::Value, comparable: bool) {
    let kind = operation_kind(method, operation, comparable);
    with_headers(method, &kind, operation);
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(|r| r.as_object_mut())
    else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        with_problem_codes(&kind, status, response);
    }
    for shared in SHARED_RESPONSES {
        if kind.answers(shared.applies) && !responses.contains_key(shared.status) {
            responses.insert(
                shared.status.into(),
                serde_json::json!({"$ref": format!("#/components/responses/{}", shared.name)}),
            );
        }
    }
}

/// The request and response headers of an operation: Idempotency-Key on POSTs, If-Match on
/// writes that can compare it, the request id on every answer, Retry-After on 429s, ETag on
/// a resource's GET.
fn with_headers(method: &str, kind: &OperationKind, operation: &mut serde_json::Value) {
    let mut header = |parameter: serde_json::Value| {
        if let Some(params) = operation
            .as_object_mut()
            .map(|o| {
                o.entry("parameters")
                    .or_insert_with(|| serde_json::json!([]))
            })
            .and_then(|p| p.as_array_mut())
        {
            params.push(parameter);
        }
    };
    if method == "post" {
        header(serde_json::json!({
            "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "1 to 255 visible ASCII characters: the same key with the same body answers the first response again (with idempotency-replayed: true); with another body, 422 idempotency_key_reused.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255}
        }));
    }
    if kind.honours_if_match {
        header(serde_json::json!({
            "name": "If-Match", "in": "header", "required": false,
            "description": "An ETag of the resource: the change is made only while it is still current (else 412).",
            "schema": {"type": "string"}
        }));
    }
    if let Some(responses) = operation
        .get_mut("responses")
        .and_then(|r| r.as_object_mut())
    {
        for (status, response) in responses.iter_mut() {
            if response.get("$ref").is_some() {
                continue;
            }
            response["headers"]["x-request-id"] =
                serde_json::json!({"$ref": "#/components/headers/RequestId"});
            if status == "429" {
                response["headers"]["Retry-After"] =
                    serde_json::json!({"$ref": "#/components/headers/RetryAfter"});
            }
            if method == "post" && status.starts_with('2') {
                response["headers"]["idempotency-replayed"] =
                    serde_json::json!({"$ref": "#/components/headers/IdempotencyReplayed"});
            }
        }
    }
    if method == "get"
        && let Some(ok) = operation.pointer_mut("/responses/200")
        && ok
            .pointer("/content/application~1json/schema/$ref")
            .and_then(|r| r.as_str())
            .is_some_and(|r| !r.contains("ListResponse") && !r.contains("Page"))
    {
        ok["headers"]["ETag"] = serde_json::json!({
            "description": "The version of this representation, for If-Match.",
            "schema": {"type": "string"}
        });
    }
}

/// What the operation is, for the shared statuses; gives `limit` its bounds on the way.
fn operation_kind(
    method: &str,
    operation: &mut serde_json::Value,
    comparable: bool,
) -> OperationKind {
    let public = operation
        .get("security")
        .and_then(|s| s.as_array())
        .is_some_and(|s| {
            s.iter()
                .all(|r| r.as_object().is_some_and(|o| o.is_empty()))
        });
    let with_body = operation.get("requestBody").is_some();
    let with_params = operation
        .get_mut("parameters")
        .and_then(|p| p.as_array_mut())
        .map(|params| {
            for param in params.iter_mut().filter(|p| p["name"] == "limit") {
                param["schema"]["minimum"] = 1.into();
                param["schema"]["maximum"] = 200.into();
            }
            params
                .iter()
                .any(|p| p["in"] == "query" || p["in"] == "path")
        })
        .unwrap_or(false);
    OperationKind {
        post: method == "post",
        honours_if_match: comparable && matches!(method, "put" | "patch" | "delete"),
        public,
        with_body,
        with_input: with_body || with_params,
    }
}

/// An operation's own problem response: problem+json, whose `code` is one of those the shared
/// response of its status carries for this operation (or those of the status itself: 403
/// `forbidden`, …), then those its description names. A description names codes as
/// `slot_full, already_booked`, optionally followed by `: why`.
fn with_problem_codes(kind: &OperationKind, status: &str, response: &mut serde_json::Value) {
    let is_problem = response
        .pointer("/content/application~1json/schema/$ref")
        .is_some_and(|r| r == "#/components/schemas/Problem");
    if !is_problem {
        return;
    }
    let description = response["description"].as_str().unwrap_or_default();
    let (named, why) = codes_named_in(description);
    let mut codes: Vec<&str> = match kind.shared(status) {
        Some(shared) => shared.codes.to_vec(),
        None => codes_of_status(status).to_vec(),
    };
    for code in named {
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let reason = http::StatusCode::from_bytes(status.as_bytes())
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let description = match why {
        Some(why) => format!("{reason}: {why}"),
        None => reason.to_string(),
    };
    response["content"] = problem_content(&codes);
    response["description"] = description.into();
}

/// The codes a response's description names, and what it says beside them:
/// `"slot_full, already_booked"`, `"rate_limited: too many registrations"`, or prose only.
fn codes_named_in(description: &str) -> (Vec<&str>, Option<&str>) {
    let (list, why) = match description.split_once(": ") {
        Some((list, why)) => (list, Some(why)),
        None => (description, None),
    };
    let is_code = |c: &str| !c.is_empty() && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    let codes: Vec<&str> = list.split(", ").collect();
    if codes.iter().all(|c| is_code(c)) {
        (codes, why)
    } else {
        let prose = Some(description).filter(|d| !d.is_empty());
        (Vec::new(), prose)
    }
}

/// The document as served: utoipa's, completed for clients (see the module).
pub(crate) fn as_clients_read_it(doc: utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    with_shared_responses(&mut doc);
    describe_operations(&mut doc);
    doc
}

/// Gives every operation a description (its summary, then what it answers: the success
/// statuses and the error statuses, whose codes are in components/responses) and every
/// response one.
fn describe_operations(doc: &mut serde_json::Value) {
    let operations = doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|path| path.as_object_mut())
        .flat_map(|p| p.values_mut());
    for operation in operations {
        let Some(op) = operation.as_object_mut() else {
            continue;
        };
        let mut ok = Vec::new();
        let mut errors = Vec::new();
        if let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) {
            for (status, response) in responses.iter_mut() {
                if status.starts_with('4') || status.starts_with('5') {
                    errors.push(status.clone());
                } else {
                    ok.push(status.clone());
                }
                if let Some(r) = response.as_object_mut()
                    && !r.contains_key("$ref")
                    && r.get("description")
                        .and_then(|d| d.as_str())
                        .is_none_or(str::is_empty)
                {
                    let text = http::StatusCode::from_bytes(status.as_bytes())
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("Answer");
                    r.insert("description".into(), text.into());
                }
            }
        }
        if op
            .get("description")
            .and_then(|d| d.as_str())
            .is_some_and(|d| !d.is_empty())
        {
            continue;
        }
        let summary = op
            .get("summary")
            .and_then(|s| s.as_str())
            .unwrap_or_default()
            .to_string();
        let description = format!(
            "{summary}\n\nAnswers {}; on error {} as problem+json (each lists the `code`s it can carry).",
            ok.join(", "),
            errors.join(", ")
        );
        op.insert("description".into(), description.trim_start().into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_names_codes_then_says_why() {
        assert_eq!(
            codes_named_in("slot_full, already_booked"),
            (vec!["slot_full", "already_booked"], None)
        );
        assert_eq!(
            codes_named_in("rate_limited: too many registrations"),
            (vec!["rate_limited"], Some("too many registrations"))
        );
        assert_eq!(
            codes_named_in("not set up yet"),
            (vec![], Some("not set up yet"))
        );
        assert_eq!(codes_named_in(""), (vec![], None));
    }

    #[test]
    fn an_own_conflict_of_a_post_also_carries_the_idempotency_key_in_use() {
        let kind = OperationKind {
            post: true,
            honours_if_match: false,
            public: false,
            with_body: true,
            with_input: true,
        };
        let mut response = serde_json::json!({
            "description": "slot_full",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        });
        with_problem_codes(&kind, "409", &mut response);
        let codes = &response["content"]["application/problem+json"]["schema"]["allOf"][1]["properties"]
            ["code"]["enum"];
        assert_eq!(
            codes,
            &serde_json::json!(["idempotency_key_in_use", "slot_full"])
        );
        assert_eq!(response["description"], "Conflict");
    }
}
