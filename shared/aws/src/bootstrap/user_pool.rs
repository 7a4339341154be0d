//! The user pool and the web app client of infra/template.yaml (`UserPool`,
//! `UserPoolClient`), created on the emulator with the template's own settings: the sign-in
//! name, the password policy, the immutable `account_id` attribute, admin-only creation,
//! the client's flows and which attributes it may read and write.

use aws_config::SdkConfig;
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, AttributeDataType, ExplicitAuthFlowsType, PasswordPolicyType,
    SchemaAttributeType, StringAttributeConstraintsType, UserPoolPolicyType, UsernameAttributeType,
    UsernameConfigurationType, VerifiedAttributeType,
};
use serde_yaml::Value;

use super::{number, resource, text};
use crate::{AwsSettings, UserPool};

fn strings(value: &Value, field: &str) -> Vec<String> {
    value
        .get(field)
        .and_then(Value::as_sequence)
        .map(|seq| {
            seq.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn flag(value: &Value, field: &str) -> bool {
    value.get(field).and_then(Value::as_bool).unwrap_or(false)
}

pub(super) async fn create(
    sdk: &SdkConfig,
    settings: &AwsSettings,
    template: &Value,
) -> Result<UserPool, String> {
    let client = aws_sdk_cognitoidentityprovider::Client::new(sdk);
    let pool_name = format!("{}-users", settings.stack);
    let client_name = format!("{}-web", settings.stack);
    let pools = client
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .map_err(|e| format!("list user pools: {e:?}"))?;
    let existing = pools
        .user_pools()
        .iter()
        .find(|p| p.name() == Some(pool_name.as_str()))
        .and_then(|p| p.id().map(String::from));
    let pool_id = match existing {
        Some(id) => id,
        None => create_pool(&client, &pool_name, resource(template, "UserPool")?).await?,
    };
    let clients = client
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .max_results(60)
        .send()
        .await
        .map_err(|e| format!("list user pool clients: {e:?}"))?;
    let existing = clients
        .user_pool_clients()
        .iter()
        .find(|c| c.client_name() == Some(client_name.as_str()))
        .and_then(|c| c.client_id().map(String::from));
    let client_id = match existing {
        Some(id) => id,
        None => {
            create_client(
                &client,
                &pool_id,
                &client_name,
                resource(template, "UserPoolClient")?,
            )
            .await?
        }
    };
    Ok(UserPool {
        id: pool_id,
        client_id,
    })
}

async fn create_pool(
    client: &aws_sdk_cognitoidentityprovider::Client,
    name: &str,
    pool: &Value,
) -> Result<String, String> {
    let policy = password_policy(pool)?;
    let schema = schema(pool)?;
    let admin_only = pool
        .get("AdminCreateUserConfig")
        .is_some_and(|c| flag(c, "AllowAdminCreateUserOnly"));
    let case_sensitive = pool
        .get("UsernameConfiguration")
        .is_some_and(|c| flag(c, "CaseSensitive"));
    let created = client
        .create_user_pool()
        .pool_name(name)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(policy)
                .build(),
        )
        .set_username_attributes(Some(
            strings(pool, "UsernameAttributes")
                .iter()
                .map(|a| UsernameAttributeType::from(a.as_str()))
                .collect(),
        ))
        .set_auto_verified_attributes(Some(
            strings(pool, "AutoVerifiedAttributes")
                .iter()
                .map(|a| VerifiedAttributeType::from(a.as_str()))
                .collect(),
        ))
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(case_sensitive)
                .build()
                .map_err(|e| e.to_string())?,
        )
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(admin_only)
                .build(),
        )
        .set_schema(Some(schema))
        .send()
        .await
        .map_err(|e| format!("create user pool {name}: {e:?}"))?;
    created
        .user_pool()
        .and_then(|p| p.id())
        .map(String::from)
        .ok_or_else(|| format!("create user pool {name}: no id in the answer"))
}

/// The template's `Policies.PasswordPolicy`.
fn password_policy(pool: &Value) -> Result<PasswordPolicyType, String> {
    let password = pool
        .get("Policies")
        .and_then(|p| p.get("PasswordPolicy"))
        .ok_or("template: UserPool has no PasswordPolicy")?;
    Ok(PasswordPolicyType::builder()
        .minimum_length(number(password, "MinimumLength")? as i32)
        .require_lowercase(flag(password, "RequireLowercase"))
        .require_uppercase(flag(password, "RequireUppercase"))
        .require_numbers(flag(password, "RequireNumbers"))
        .require_symbols(flag(password, "RequireSymbols"))
        .temporary_password_validity_days(number(password, "TemporaryPasswordValidityDays")? as i32)
        .build())
}

/// The template's `Schema`: the pool's own attributes (none when it lists none).
fn schema(pool: &Value) -> Result<Vec<SchemaAttributeType>, String> {
    pool.get("Schema")
        .and_then(Value::as_sequence)
        .map(|seq| seq.as_slice())
        .unwrap_or_default()
        .iter()
        .map(schema_attribute)
        .collect()
}

/// One attribute of the schema; `Mutable` is true unless the template says otherwise.
fn schema_attribute(attribute: &Value) -> Result<SchemaAttributeType, String> {
    let constraints = attribute.get("StringAttributeConstraints");
    let bound = |field: &str| {
        constraints
            .and_then(|c| c.get(field))
            .and_then(Value::as_str)
            .map(String::from)
    };
    Ok(SchemaAttributeType::builder()
        .name(text(attribute, "Name")?)
        .attribute_data_type(AttributeDataType::from(text(
            attribute,
            "AttributeDataType",
        )?))
        .mutable(
            attribute
                .get("Mutable")
                .and_then(Value::as_bool)
                .unwrap_or(true),
        )
        .string_attribute_constraints(
            StringAttributeConstraintsType::builder()
                .set_min_length(bound("MinLength"))
                .set_max_length(bound("MaxLength"))
                .build(),
        )
        .build())
}

async fn create_client(
    client: &aws_sdk_cognitoidentityprovider::Client,
    pool_id: &str,
    name: &str,
    app: &Value,
) -> Result<String, String> {
    let created = client
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name(name)
        .generate_secret(flag(app, "GenerateSecret"))
        .set_explicit_auth_flows(Some(
            strings(app, "ExplicitAuthFlows")
                .iter()
                .map(|f| ExplicitAuthFlowsType::from(f.as_str()))
                .collect(),
        ))
        .set_read_attributes(Some(strings(app, "ReadAttributes")))
        .set_write_attributes(Some(strings(app, "WriteAttributes")))
        .send()
        .await
        .map_err(|e| format!("create user pool client {name}: {e:?}"))?;
    created
        .user_pool_client()
        .and_then(|c| c.client_id())
        .map(String::from)
        .ok_or_else(|| format!("create user pool client {name}: no id in the answer"))
}
