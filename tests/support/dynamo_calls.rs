//! Records the DynamoDB operations a client makes, by the SDK's own operation names, so a
//! test can hold each endpoint to the calls its access pattern needs.

use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::{
    ConfigBag, Intercept, RuntimeComponents, interceptors::BeforeSerializationInterceptorContextRef,
};
use aws_sdk_dynamodb::{
    operation::{
        batch_get_item::BatchGetItemInput, batch_write_item::BatchWriteItemInput,
        delete_item::DeleteItemInput, get_item::GetItemInput, put_item::PutItemInput,
        query::QueryInput, transact_write_items::TransactWriteItemsInput,
        update_item::UpdateItemInput,
    },
    types::AttributeValue,
};
use aws_smithy_runtime_api::{
    box_error::BoxError,
    client::{interceptors::context::Input, orchestrator::Metadata},
};

/// The operations called since the last `take`, in order. Retries of one call count once.
#[derive(Debug, Clone, Default)]
pub struct DynamoCalls(Arc<Mutex<Vec<String>>>);

impl DynamoCalls {
    /// A DynamoDB client whose every operation is recorded here.
    pub fn client(&self, sdk: &SdkConfig) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::config::Builder::from(sdk)
            .interceptor(self.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Intercept for DynamoCalls {
    fn name(&self) -> &'static str {
        "DynamoCalls"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            let call = describe(metadata.name(), context.input());
            self.0.lock().unwrap_or_else(|e| e.into_inner()).push(call);
        }
        Ok(())
    }
}

/// A key's shape: its fixed upper-case parts, ids replaced by `*` (`ACC#*#NOTIFS`).
fn shape(value: Option<&AttributeValue>) -> String {
    let Some(AttributeValue::S(text)) = value else {
        return "?".into();
    };
    text.split('#')
        .map(|part| {
            // Upper-case words are the fixed parts; ids, times and shard numbers vary.
            let fixed = part.chars().any(|c| c.is_ascii_uppercase())
                && part
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit());
            if fixed { part } else { "*" }
        })
        .collect::<Vec<_>>()
        .join("#")
}

fn key_shape(key: Option<&std::collections::HashMap<String, AttributeValue>>) -> String {
    let key = key.cloned().unwrap_or_default();
    format!("{}/{}", shape(key.get("pk")), shape(key.get("sk")))
}

/// `GetItem ACC#*/ACCOUNT`, `Query GSI1 EXH#*#ACCOUNTS`, `TransactWriteItems(3)`, …
fn describe(operation: &str, input: &Input) -> String {
    let detail = if let Some(get) = input.downcast_ref::<GetItemInput>() {
        key_shape(get.key())
    } else if let Some(put) = input.downcast_ref::<PutItemInput>() {
        key_shape(put.item())
    } else if let Some(update) = input.downcast_ref::<UpdateItemInput>() {
        key_shape(update.key())
    } else if let Some(delete) = input.downcast_ref::<DeleteItemInput>() {
        key_shape(delete.key())
    } else if let Some(query) = input.downcast_ref::<QueryInput>() {
        // The partition's value is the placeholder right of the key condition's first `=`.
        let values = query
            .expression_attribute_values()
            .cloned()
            .unwrap_or_default();
        let partition = query
            .key_condition_expression()
            .and_then(|condition| condition.split('=').nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|placeholder| values.get(placeholder));
        let index = query.index_name().unwrap_or("table");
        format!("{index} {}", shape(partition))
    } else if let Some(batch) = input.downcast_ref::<BatchGetItemInput>() {
        let keys: usize = batch
            .request_items()
            .map(|items| items.values().map(|k| k.keys().len()).sum())
            .unwrap_or(0);
        format!("({keys} keys)")
    } else if let Some(batch) = input.downcast_ref::<BatchWriteItemInput>() {
        // The shape of the first key: a batch deletes one kind of item.
        let writes: Vec<_> = batch
            .request_items()
            .map(|items| items.values().flatten().collect())
            .unwrap_or_default();
        let first = writes
            .first()
            .and_then(|w| w.delete_request())
            .map(|d| key_shape(Some(d.key())))
            .unwrap_or_default();
        format!("({} items) {first}", writes.len())
    } else if let Some(transaction) = input.downcast_ref::<TransactWriteItemsInput>() {
        format!("({} items)", transaction.transact_items().len())
    } else {
        String::new()
    };
    format!("{operation} {detail}").trim_end().to_string()
}
