//! docs/openapi.json is the deployed API's document (served by the accounts Lambda at
//! /openapi.json): it must be what the code describes. Regenerate it with
//! `FAIRLINK_WRITE_OPENAPI=1 cargo test -p fairlink-tests --test openapi_document`.

use std::path::PathBuf;

use serde_json::Value;

#[test]
fn the_committed_document_is_the_codes() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    let generated = fairlink_local::deployed_document();
    if std::env::var_os("FAIRLINK_WRITE_OPENAPI").is_some() {
        std::fs::write(&path, format!("{generated}\n")).unwrap();
    }
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let generated: Value = serde_json::from_str(&generated).unwrap();
    assert!(
        committed == generated,
        "docs/openapi.json is out of date: FAIRLINK_WRITE_OPENAPI=1 cargo test -p fairlink-tests --test openapi_document"
    );
    // The whole API, without the local-only dev endpoints.
    let paths = generated["paths"].as_object().unwrap();
    assert!(
        paths.contains_key("/v1/conversations") && paths.contains_key("/v1/slots/{sid}/bookings")
    );
    assert!(paths.keys().all(|p| !p.starts_with("/v1/dev/")));
    // If-Match (and its 412) only where a GET of the path gives the tag to compare with.
    let honours = |path: &str, method: &str| {
        let operation = &paths[path][method];
        let header = operation["parameters"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["name"] == "If-Match"));
        (header, operation["responses"].get("412").is_some())
    };
    assert_eq!(honours("/v1/fair", "put"), (true, true));
    assert_eq!(honours("/v1/exhibits/{xid}", "patch"), (true, true));
    assert_eq!(honours("/v1/slots/{sid}", "patch"), (true, true));
    assert_eq!(honours("/v1/accounts/{aid}", "delete"), (true, true));
    assert_eq!(honours("/v1/exhibits/{xid}/reps", "put"), (false, false));
    // Every error answer says which codes it can carry.
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if !status.starts_with('4') && !status.starts_with('5') {
                    continue;
                }
                let response = match response["$ref"].as_str() {
                    Some(reference) => generated.pointer(&reference[1..]).unwrap(),
                    None => response,
                };
                let codes = response.pointer(
                    "/content/application~1problem+json/schema/allOf/1/properties/code/enum",
                );
                assert!(
                    codes
                        .and_then(Value::as_array)
                        .is_some_and(|c| !c.is_empty()),
                    "{method} {path} {status} lists no codes"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_accounts_lambda_serves_the_whole_document() {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let ports = fairlink_embedded::ports(dir.path(), None).unwrap();
    let event =
        fairlink_tests::sample::event("accounts", "health").replace("/health", "/openapi.json");
    let request = lambda_http::request::from_str(&event).unwrap();
    let response = fairlink_accounts::lambda_app(ports)
        .oneshot(request)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let served: Value = serde_json::from_slice(&body).unwrap();
    assert!(served["paths"]["/v1/bookings/{bid}/calendar.ics"].is_object());
}
