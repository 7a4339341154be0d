//! The `Custom::Organizer` resource of infra/template.yaml: CloudFormation asks, on
//! create and on every update, for the organizer of `Email`; the answer goes to the
//! pre-signed URL of the request. Delete keeps the organizer (the table and the pool are
//! kept too), so a stack update that replaces the resource never locks the fair out.

use std::collections::HashMap;

use aws_lambda_events::cloudformation::CloudFormationCustomResourceRequest;
use fairlink_domain::Ports;
use fairlink_store::Repository;
use serde::{Deserialize, Serialize};

use crate::organizer::{ORGANIZER_ID, ensure_organizer};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrganizerProperties {
    pub email: String,
}

pub type OrganizerRequest =
    CloudFormationCustomResourceRequest<serde_json::Value, OrganizerProperties>;

/// What CloudFormation is told.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceResponse {
    /// `SUCCESS` or `FAILED`.
    pub status: &'static str,
    pub reason: String,
    pub physical_resource_id: String,
    pub stack_id: String,
    pub request_id: String,
    pub logical_resource_id: String,
    pub data: HashMap<String, String>,
}

/// Where the response goes.
pub fn response_url(request: &OrganizerRequest) -> &str {
    match request {
        CloudFormationCustomResourceRequest::Create(r) => &r.response_url,
        CloudFormationCustomResourceRequest::Update(r) => &r.response_url,
        CloudFormationCustomResourceRequest::Delete(r) => &r.response_url,
        _ => "",
    }
}

pub async fn handle(
    request: &OrganizerRequest,
    repo: &Repository,
    ports: &Ports,
) -> ResourceResponse {
    let (stack_id, request_id, logical_id, email) = match request {
        CloudFormationCustomResourceRequest::Create(r) => (
            &r.stack_id,
            &r.request_id,
            &r.logical_resource_id,
            Some(&r.resource_properties.email),
        ),
        CloudFormationCustomResourceRequest::Update(r) => (
            &r.stack_id,
            &r.request_id,
            &r.logical_resource_id,
            Some(&r.resource_properties.email),
        ),
        CloudFormationCustomResourceRequest::Delete(r) => {
            (&r.stack_id, &r.request_id, &r.logical_resource_id, None)
        }
        _ => {
            return ResourceResponse {
                status: "FAILED",
                reason: "unknown request type".into(),
                physical_resource_id: ORGANIZER_ID.into(),
                stack_id: String::new(),
                request_id: String::new(),
                logical_resource_id: String::new(),
                data: HashMap::new(),
            };
        }
    };
    let outcome = match email {
        Some(email) => ensure_organizer(repo, ports, email)
            .await
            .map(|setup| format!("organizer: {setup:?}")),
        None => Ok("the organizer is kept".into()),
    };
    let (status, reason) = match outcome {
        Ok(reason) => ("SUCCESS", reason),
        Err(err) => {
            tracing::error!(error = %err, "the organizer setup failed");
            ("FAILED", err.to_string())
        }
    };
    ResourceResponse {
        status,
        reason,
        physical_resource_id: ORGANIZER_ID.into(),
        stack_id: stack_id.clone(),
        request_id: request_id.clone(),
        logical_resource_id: logical_id.clone(),
        data: HashMap::from([("AccountId".to_string(), ORGANIZER_ID.to_string())]),
    }
}

/// PUTs the response to CloudFormation's pre-signed URL (S3 wants no content type).
pub async fn send(url: &str, response: &ResourceResponse) -> Result<(), String> {
    let body = serde_json::to_vec(response).map_err(|e| e.to_string())?;
    let answer = reqwest::Client::new()
        .put(url)
        .header("content-type", "")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("answering CloudFormation: {e}"))?;
    if answer.status().is_success() {
        Ok(())
    } else {
        Err(format!("answering CloudFormation: {}", answer.status()))
    }
}
