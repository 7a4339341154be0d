//! The item-store port on DynamoDB: one table, conditions and updates as expressions,
//! transactions as TransactWriteItems, cursors from LastEvaluatedKey.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::{
    Client,
    error::{ProvideErrorMetadata, SdkError},
    operation::transact_write_items::TransactWriteItemsError,
    types::{
        AttributeValue, ConditionCheck, Delete, DeleteRequest, KeysAndAttributes, Put, ReturnValue,
        TransactWriteItem, Update, WriteRequest,
    },
};
use fairlink_domain::ports::{
    Change, Condition, Item, ItemStore, Key, Page, Query, SortCondition, StoreError, WriteOp, attr,
};
use serde_json::{Number, Value};

#[derive(Clone)]
pub struct DynamoItemStore {
    client: Client,
    table: String,
}

impl DynamoItemStore {
    pub fn new(client: Client, table: &str) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

pub fn to_attribute(value: &Value) -> AttributeValue {
    match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(values) => AttributeValue::L(values.iter().map(to_attribute).collect()),
        Value::Object(fields) => AttributeValue::M(to_attributes(fields)),
    }
}

pub fn to_attributes(item: &Item) -> HashMap<String, AttributeValue> {
    item.iter()
        .map(|(k, v)| (k.clone(), to_attribute(v)))
        .collect()
}

pub fn from_attribute(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::N(n) => number(n),
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::L(values) => Value::Array(values.iter().map(from_attribute).collect()),
        AttributeValue::M(fields) => Value::Object(from_attributes(fields)),
        AttributeValue::Ss(values) => {
            Value::Array(values.iter().cloned().map(Value::String).collect())
        }
        AttributeValue::Ns(values) => Value::Array(values.iter().map(|n| number(n)).collect()),
        _ => Value::Null,
    }
}

fn number(n: &str) -> Value {
    n.parse::<i64>()
        .map(Value::from)
        .or_else(|_| n.parse::<u64>().map(Value::from))
        .ok()
        .or_else(|| {
            n.parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
        })
        .unwrap_or(Value::Null)
}

pub fn from_attributes(item: &HashMap<String, AttributeValue>) -> Item {
    item.iter()
        .map(|(k, v)| (k.clone(), from_attribute(v)))
        .collect()
}

fn key_attributes(key: &Key) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (attr::PK.to_string(), AttributeValue::S(key.pk.clone())),
        (attr::SK.to_string(), AttributeValue::S(key.sk.clone())),
    ])
}

/// Placeholders for the names and values of one request's expressions.
#[derive(Default)]
struct Expressions {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expressions {
    fn name(&mut self, name: &str) -> String {
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), name.to_string());
        placeholder
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    fn condition(&mut self, condition: &Condition) -> String {
        let compare = |exprs: &mut Self, name: &str, op: &str, value: &Value| {
            let (n, v) = (exprs.name(name), exprs.value(to_attribute(value)));
            format!("{n} {op} {v}")
        };
        match condition {
            Condition::Exists => format!("attribute_exists({})", self.name(attr::PK)),
            Condition::NotExists => format!("attribute_not_exists({})", self.name(attr::PK)),
            Condition::AttrExists(name) => format!("attribute_exists({})", self.name(name)),
            Condition::AttrNotExists(name) => format!("attribute_not_exists({})", self.name(name)),
            Condition::Equals(name, value) => compare(self, name, "=", value),
            Condition::NotEquals(name, value) => compare(self, name, "<>", value),
            Condition::LessThan(name, value) => compare(self, name, "<", value),
            Condition::LessOrEqual(name, value) => compare(self, name, "<=", value),
            Condition::And(all) => self.join(all, " AND "),
            Condition::Or(any) => self.join(any, " OR "),
        }
    }

    fn join(&mut self, conditions: &[Condition], op: &str) -> String {
        let parts: Vec<String> = conditions
            .iter()
            .map(|c| format!("({})", self.condition(c)))
            .collect();
        parts.join(op)
    }

    fn update(&mut self, changes: &[Change]) -> Option<String> {
        let (mut set, mut remove, mut add) = (vec![], vec![], vec![]);
        for change in changes {
            match change {
                Change::Set(name, value) => set.push(format!(
                    "{} = {}",
                    self.name(name),
                    self.value(to_attribute(value))
                )),
                Change::Remove(name) => remove.push(self.name(name)),
                Change::Add(name, by) => add.push(format!(
                    "{} {}",
                    self.name(name),
                    self.value(AttributeValue::N(by.to_string()))
                )),
            }
        }
        let clauses: Vec<String> = [
            ("SET", set.join(", ")),
            ("REMOVE", remove.join(", ")),
            ("ADD", add.join(", ")),
        ]
        .into_iter()
        .filter(|(_, body)| !body.is_empty())
        .map(|(verb, body)| format!("{verb} {body}"))
        .collect();
        (!clauses.is_empty()).then(|| clauses.join(" "))
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

fn store_error<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    err: SdkError<E, R>,
) -> StoreError {
    let message = format!(
        "{}: {}",
        err.code().unwrap_or("unknown"),
        err.message().unwrap_or_default()
    );
    match err.code() {
        Some("ConditionalCheckFailedException") => StoreError::condition_failed(),
        Some("TransactionConflictException") => StoreError::TransactionConflict,
        Some("ValidationException") => StoreError::Invalid(message),
        Some(
            "ProvisionedThroughputExceededException"
            | "ThrottlingException"
            | "RequestLimitExceeded"
            | "InternalServerError"
            | "ServiceUnavailable",
        ) => StoreError::Unavailable(message),
        _ => match err {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => StoreError::Unavailable(format!("{err:?}")),
            _ => StoreError::Other(format!("{err:?}")),
        },
    }
}

#[async_trait]
impl ItemStore for DynamoItemStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        Ok(output.item().map(from_attributes))
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        let mut found: HashMap<(String, String), Item> = HashMap::new();
        let mut unique: Vec<&Key> = Vec::new();
        for key in keys {
            if !unique.contains(&key) {
                unique.push(key);
            }
        }
        // BatchGetItem takes 100 keys; what it leaves unprocessed (throttling) is asked again.
        for chunk in unique.chunks(100) {
            let mut pending: Vec<HashMap<String, AttributeValue>> =
                chunk.iter().map(|k| key_attributes(k)).collect();
            let mut attempt = 0;
            while !pending.is_empty() {
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(pending.clone()))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(store_error)?;
                for item in output
                    .responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                {
                    let item = from_attributes(item);
                    if let Some(key) = Key::of(&item) {
                        found.insert((key.pk, key.sk), item);
                    }
                }
                pending = output
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .map(|k| k.keys().to_vec())
                    .unwrap_or_default();
                attempt += 1;
                if !pending.is_empty() {
                    if attempt == 8 {
                        return Err(StoreError::Unavailable(
                            "BatchGetItem left keys unprocessed".into(),
                        ));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
            }
        }
        Ok(keys
            .iter()
            .map(|k| found.get(&(k.pk.clone(), k.sk.clone())).cloned())
            .collect())
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        let mut exprs = Expressions::default();
        let condition = condition.map(|c| exprs.condition(&c));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_attributes(&item)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(exprs.names())
            .set_expression_attribute_values(exprs.values())
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn update(
        &self,
        key: &Key,
        changes: Vec<Change>,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        let mut exprs = Expressions::default();
        let update = exprs.update(&changes);
        let condition = condition.map(|c| exprs.condition(&c));
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .set_update_expression(update)
            .set_condition_expression(condition)
            .set_expression_attribute_names(exprs.names())
            .set_expression_attribute_values(exprs.values())
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(store_error)?;
        Ok(output.attributes().map(from_attributes).unwrap_or_else(|| {
            Item::from_iter([
                (attr::PK.to_string(), Value::String(key.pk.clone())),
                (attr::SK.to_string(), Value::String(key.sk.clone())),
            ])
        }))
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        let mut exprs = Expressions::default();
        let condition = condition.map(|c| exprs.condition(&c));
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(exprs.names())
            .set_expression_attribute_values(exprs.values())
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn delete_many(&self, keys: &[Key]) -> Result<(), StoreError> {
        // BatchWriteItem takes 25 writes, each key once; what it leaves unprocessed
        // (throttling) is sent again.
        let mut unique: Vec<&Key> = Vec::new();
        for key in keys {
            if !unique.contains(&key) {
                unique.push(key);
            }
        }
        for chunk in unique.chunks(25) {
            let mut pending = chunk
                .iter()
                .map(|key| {
                    let delete = DeleteRequest::builder()
                        .set_key(Some(key_attributes(key)))
                        .build()
                        .map_err(|e| StoreError::Invalid(e.to_string()))?;
                    Ok(WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let mut attempt = 0;
            while !pending.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(store_error)?;
                pending = output
                    .unprocessed_items()
                    .and_then(|u| u.get(&self.table))
                    .cloned()
                    .unwrap_or_default();
                attempt += 1;
                if !pending.is_empty() {
                    if attempt == 8 {
                        return Err(StoreError::Unavailable(
                            "BatchWriteItem left writes unprocessed".into(),
                        ));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
            }
        }
        Ok(())
    }

    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        let items = ops
            .iter()
            .map(|op| self.transact_item(op))
            .collect::<Result<Vec<_>, _>>()?;
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => {
                if let SdkError::ServiceError(service) = &err
                    && let TransactWriteItemsError::TransactionCanceledException(cancelled) =
                        service.err()
                {
                    let reasons = cancelled.cancellation_reasons();
                    if let Some(op) = reasons
                        .iter()
                        .position(|r| r.code() == Some("ConditionalCheckFailed"))
                    {
                        return Err(StoreError::ConditionFailed { op: Some(op) });
                    }
                    if reasons
                        .iter()
                        .any(|r| r.code() == Some("TransactionConflict"))
                    {
                        return Err(StoreError::TransactionConflict);
                    }
                }
                Err(store_error(err))
            }
        }
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        let mut exprs = Expressions::default();
        let partition_name = exprs.name(query.partition_attr());
        let partition_value = exprs.value(AttributeValue::S(query.partition.clone()));
        let mut key_condition = format!("{partition_name} = {partition_value}");
        if let Some(sort) = &query.sort {
            let sort_attr = query.index.map_or(attr::SK, |i| i.sort_attr());
            let n = exprs.name(sort_attr);
            let mut v = |s: &String| exprs.value(AttributeValue::S(s.clone()));
            let clause = match sort {
                SortCondition::BeginsWith(p) => format!("begins_with({n}, {})", v(p)),
                SortCondition::Between(lo, hi) => {
                    let lo = v(lo);
                    format!("{n} BETWEEN {lo} AND {}", v(hi))
                }
                SortCondition::GreaterThan(x) => format!("{n} > {}", v(x)),
                SortCondition::GreaterOrEqual(x) => format!("{n} >= {}", v(x)),
                SortCondition::LessThan(x) => format!("{n} < {}", v(x)),
                SortCondition::LessOrEqual(x) => format!("{n} <= {}", v(x)),
            };
            key_condition = format!("{key_condition} AND {clause}");
        }
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(query.index.map(|i| i.name().to_string()))
            // The port's promise: table queries see every acknowledged write (indexes cannot).
            .set_consistent_read(query.index.is_none().then_some(true))
            .key_condition_expression(key_condition)
            .set_expression_attribute_names(exprs.names())
            .set_expression_attribute_values(exprs.values())
            .scan_index_forward(query.forward)
            .limit(i32::try_from(query.limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(query.start_after.as_ref().map(to_attributes))
            .send()
            .await
            .map_err(store_error)?;
        Ok(Page {
            items: output.items().iter().map(from_attributes).collect(),
            last_key: output.last_evaluated_key().map(from_attributes),
        })
    }
}

impl DynamoItemStore {
    fn transact_item(&self, op: &WriteOp) -> Result<TransactWriteItem, StoreError> {
        let invalid = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Invalid(e.to_string());
        let mut exprs = Expressions::default();
        let item = match op {
            WriteOp::Put { item, condition } => {
                let condition = condition.as_ref().map(|c| exprs.condition(c));
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(to_attributes(item)))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(exprs.names())
                    .set_expression_attribute_values(exprs.values())
                    .build()
                    .map_err(invalid)?;
                TransactWriteItem::builder().put(put).build()
            }
            WriteOp::Update {
                key,
                changes,
                condition,
            } => {
                let update = exprs.update(changes).unwrap_or_default();
                let condition = condition.as_ref().map(|c| exprs.condition(c));
                let update = Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .update_expression(update)
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(exprs.names())
                    .set_expression_attribute_values(exprs.values())
                    .build()
                    .map_err(invalid)?;
                TransactWriteItem::builder().update(update).build()
            }
            WriteOp::Delete { key, condition } => {
                let condition = condition.as_ref().map(|c| exprs.condition(c));
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(exprs.names())
                    .set_expression_attribute_values(exprs.values())
                    .build()
                    .map_err(invalid)?;
                TransactWriteItem::builder().delete(delete).build()
            }
            WriteOp::Check { key, condition } => {
                let condition = exprs.condition(condition);
                let check = ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .condition_expression(condition)
                    .set_expression_attribute_names(exprs.names())
                    .set_expression_attribute_values(exprs.values())
                    .build()
                    .map_err(invalid)?;
                TransactWriteItem::builder().condition_check(check).build()
            }
        };
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_round_trip_through_attributes() {
        let item = json!({"pk": "a", "n": 3, "f": 1.5, "b": true, "z": null, "l": [1, "x"], "m": {"k": "v"}});
        let item = item.as_object().unwrap().clone();
        assert_eq!(from_attributes(&to_attributes(&item)), item);
    }

    #[test]
    fn expressions_use_placeholders() {
        let mut exprs = Expressions::default();
        let cond = exprs.condition(&Condition::And(vec![
            Condition::Exists,
            Condition::LessThan("used".into(), json!(3)),
        ]));
        assert_eq!(cond, "(attribute_exists(#n0)) AND (#n1 < :v0)");
        let update = exprs.update(&[Change::Add("used".into(), 1), Change::Remove("x".into())]);
        assert_eq!(update.as_deref(), Some("REMOVE #n3 ADD #n2 :v1"));
    }
}
