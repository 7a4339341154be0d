//! `FAIRLINK_BOOTSTRAP=1`: creates what infra/template.yaml declares (the table with its
//! indexes and TTL, each queue with its dead-letter queue, the sender identity) when it is
//! missing, reading the definitions from the template itself so the two cannot drift.

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_sqs::types::QueueAttributeName;
use fairlink_domain::ports::QueueName;
use serde_yaml::Value;

use crate::{AwsSettings, UserPool};

mod user_pool;

pub const TEMPLATE: &str = include_str!("../../../infra/template.yaml");

fn resource<'a>(template: &'a Value, logical_id: &str) -> Result<&'a Value, String> {
    template
        .get("Resources")
        .and_then(|r| r.get(logical_id))
        .and_then(|r| r.get("Properties"))
        .ok_or_else(|| format!("infra/template.yaml has no resource {logical_id} with properties"))
}

fn text<'a>(value: &'a Value, field: &str) -> Result<&'a str, String> {
    value
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("template: missing {field}"))
}

fn number(value: &Value, field: &str) -> Result<i64, String> {
    value
        .get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("template: missing {field}"))
}

fn key_schema(value: &Value) -> Result<Vec<KeySchemaElement>, String> {
    let elements = value
        .get("KeySchema")
        .and_then(Value::as_sequence)
        .ok_or("template: missing KeySchema")?;
    elements
        .iter()
        .map(|e| {
            KeySchemaElement::builder()
                .attribute_name(text(e, "AttributeName")?)
                .key_type(KeyType::from(text(e, "KeyType")?))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Creates what is missing and answers the user pool (the one given in the settings, or the
/// one it found or created by the template's names).
pub async fn bootstrap(sdk: &SdkConfig, settings: &AwsSettings) -> Result<UserPool, String> {
    let template: Value =
        serde_yaml::from_str(TEMPLATE).map_err(|e| format!("infra/template.yaml: {e}"))?;
    create_table(sdk, settings, resource(&template, "Table")?).await?;
    for queue in QueueName::ALL {
        create_queue(sdk, settings, &template, queue).await?;
    }
    create_sender_identity(sdk, settings).await?;
    match &settings.user_pool {
        Some(pool) => Ok(pool.clone()),
        None => user_pool::create(sdk, settings, &template).await,
    }
}

async fn create_table(
    sdk: &SdkConfig,
    settings: &AwsSettings,
    table: &Value,
) -> Result<(), String> {
    let client = aws_sdk_dynamodb::Client::new(sdk);
    if client
        .describe_table()
        .table_name(&settings.table)
        .send()
        .await
        .is_ok()
    {
        return Ok(());
    }
    let attributes = table
        .get("AttributeDefinitions")
        .and_then(Value::as_sequence)
        .ok_or("template: missing AttributeDefinitions")?
        .iter()
        .map(|a| {
            AttributeDefinition::builder()
                .attribute_name(text(a, "AttributeName")?)
                .attribute_type(ScalarAttributeType::from(text(a, "AttributeType")?))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, String>>()?;
    let indexes = table
        .get("GlobalSecondaryIndexes")
        .and_then(Value::as_sequence)
        .map(|seq| seq.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|i| {
            let projection = i
                .get("Projection")
                .map(|p| text(p, "ProjectionType"))
                .transpose()?
                .unwrap_or("ALL");
            GlobalSecondaryIndex::builder()
                .index_name(text(i, "IndexName")?)
                .set_key_schema(Some(key_schema(i)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(projection))
                        .build(),
                )
                .build()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, String>>()?;
    client
        .create_table()
        .table_name(&settings.table)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(key_schema(table)?))
        .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
        .send()
        .await
        .map_err(|e| format!("create table {}: {e:?}", settings.table))?;
    if let Some(ttl) = table.get("TimeToLiveSpecification") {
        let spec = TimeToLiveSpecification::builder()
            .attribute_name(text(ttl, "AttributeName")?)
            .enabled(true)
            .build()
            .map_err(|e| e.to_string())?;
        client
            .update_time_to_live()
            .table_name(&settings.table)
            .time_to_live_specification(spec)
            .send()
            .await
            .map_err(|e| format!("table TTL: {e:?}"))?;
    }
    tracing::info!(table = %settings.table, "created the table");
    Ok(())
}

fn logical_id(queue: QueueName, suffix: &str) -> String {
    let slug = queue.slug();
    format!("{}{}{suffix}", slug[..1].to_uppercase(), &slug[1..])
}

async fn create_queue(
    sdk: &SdkConfig,
    settings: &AwsSettings,
    template: &Value,
    queue: QueueName,
) -> Result<(), String> {
    let client = aws_sdk_sqs::Client::new(sdk);
    let main = resource(template, &logical_id(queue, "Queue"))?;
    let dead = resource(template, &logical_id(queue, "DeadLetterQueue"))?;
    let name = format!("{}-{}", settings.stack, queue.slug());

    let dlq_url = client
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .attributes(
            QueueAttributeName::MessageRetentionPeriod,
            number(dead, "MessageRetentionPeriod")?.to_string(),
        )
        .send()
        .await
        .map_err(|e| format!("create queue {name}-dlq: {e:?}"))?
        .queue_url
        .unwrap_or_default();
    let dlq_arn = client
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| format!("queue {name}-dlq: {e:?}"))?
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .ok_or_else(|| format!("queue {name}-dlq has no ARN"))?;
    let redrive = main
        .get("RedrivePolicy")
        .ok_or("template: a queue without RedrivePolicy")?;
    let policy = serde_json::json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": number(redrive, "maxReceiveCount")?,
    });
    client
        .create_queue()
        .queue_name(&name)
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            number(main, "VisibilityTimeout")?.to_string(),
        )
        .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
        .send()
        .await
        .map_err(|e| format!("create queue {name}: {e:?}"))?;
    Ok(())
}

async fn create_sender_identity(sdk: &SdkConfig, settings: &AwsSettings) -> Result<(), String> {
    use aws_sdk_sesv2::error::ProvideErrorMetadata;
    let client = aws_sdk_sesv2::Client::new(sdk);
    match client
        .create_email_identity()
        .email_identity(&settings.email_from)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(err) if err.code() == Some("AlreadyExistsException") => Ok(()),
        Err(err) => Err(format!("sender identity {}: {err:?}", settings.email_from)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_declares_every_queue_and_the_table() {
        let template: Value = serde_yaml::from_str(TEMPLATE).unwrap();
        assert!(resource(&template, "Table").is_ok());
        for queue in QueueName::ALL {
            let main = resource(&template, &logical_id(queue, "Queue")).unwrap();
            assert!(number(main.get("RedrivePolicy").unwrap(), "maxReceiveCount").unwrap() > 0);
            assert!(resource(&template, &logical_id(queue, "DeadLetterQueue")).is_ok());
        }
    }
}
