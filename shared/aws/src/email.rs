use async_trait::async_trait;
use aws_sdk_sesv2::{
    Client,
    error::{ProvideErrorMetadata, SdkError},
    types::{Body, Content, Destination, EmailContent, Message},
};
use fairlink_domain::ports::{DeliveryError, Email, EmailSender};

/// The email port on SES v2, from one verified sender identity.
pub struct SesEmailSender {
    client: Client,
    from: String,
}

impl SesEmailSender {
    pub fn new(client: Client, from: &str) -> Self {
        Self {
            client,
            from: from.into(),
        }
    }
}

fn utf8(text: &str) -> Result<Content, DeliveryError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|e| DeliveryError::Rejected(e.to_string()))
}

pub(crate) fn delivery_error<E: ProvideErrorMetadata + std::fmt::Debug>(
    err: SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
) -> DeliveryError {
    let message = format!(
        "{}: {}",
        err.code().unwrap_or("unknown"),
        err.message().unwrap_or_default()
    );
    // No answer in time, or none read: the provider may have sent it.
    if matches!(
        err,
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) | SdkError::DispatchFailure(_)
    ) {
        return DeliveryError::Unknown(message);
    }
    let server_error = err
        .raw_response()
        .is_some_and(|r| r.status().is_server_error());
    match err.code() {
        Some(
            "TooManyRequestsException"
            | "Throttling"
            | "ThrottlingException"
            | "LimitExceededException",
        ) => DeliveryError::Throttled(message),
        Some(
            "MessageRejected"
            | "BadRequestException"
            | "MailFromDomainNotVerifiedException"
            | "AccountSuspendedException"
            | "SendingPausedException"
            | "NotFoundException"
            | "InvalidParameter"
            | "InvalidParameterException"
            | "OptedOut",
        ) => DeliveryError::Rejected(message),
        // A 5xx may come after the message went out.
        _ if server_error => DeliveryError::Unknown(message),
        _ => DeliveryError::Unavailable(message),
    }
}

#[async_trait]
impl EmailSender for SesEmailSender {
    async fn send_email(&self, email: &Email) -> Result<(), DeliveryError> {
        let mut body = Body::builder().text(utf8(&email.text)?);
        if let Some(html) = &email.html {
            body = body.html(utf8(html)?);
        }
        let message = Message::builder()
            .subject(utf8(&email.subject)?)
            .body(body.build())
            .build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&email.to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(delivery_error)?;
        Ok(())
    }
}
