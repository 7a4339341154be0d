//! The identity directory on an Amazon Cognito user pool whose sign-in name is the email.
//! fairlink makes every identity itself (the pool allows no self sign-up), with the
//! account's id in the immutable custom attribute `account_id` that the web client can
//! read but not write: ID tokens carry it as `custom:account_id`.

use crate::UserPool;
use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::{
    Client,
    error::ProvideErrorMetadata,
    types::{AttributeType, DeliveryMediumType},
};
use fairlink_domain::ports::{
    ExistingIdentity, IdentityDirectory, IdentityError, IdentitySubject, NewIdentity, SignInConfig,
    SignInProvider,
};

/// The pool's custom attribute that names the account (`custom:` in the API).
pub const ACCOUNT_ATTRIBUTE: &str = "custom:account_id";

pub struct CognitoIdentities {
    client: Client,
    pool: UserPool,
}

impl CognitoIdentities {
    pub fn new(client: Client, pool: UserPool) -> Self {
        Self { client, pool }
    }

    async fn existing(&self, email: &str) -> Result<ExistingIdentity, IdentityError> {
        let user = self
            .client
            .admin_get_user()
            .user_pool_id(&self.pool.id)
            .username(email)
            .send()
            .await
            .map_err(|err| failure(&err))?;
        let attribute = |name: &str| {
            user.user_attributes()
                .iter()
                .find(|a| a.name() == name)
                .and_then(|a| a.value())
                .map(String::from)
        };
        Ok(ExistingIdentity {
            subject: IdentitySubject(attribute("sub").unwrap_or_else(|| user.username().into())),
            account_id: attribute(ACCOUNT_ATTRIBUTE),
        })
    }
}

fn attribute(name: &str, value: &str) -> Result<AttributeType, IdentityError> {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .map_err(|e| IdentityError::Refused(e.to_string()))
}

fn failure<E: ProvideErrorMetadata>(err: &E) -> IdentityError {
    let detail = format!(
        "{}: {}",
        err.code().unwrap_or("error"),
        err.message().unwrap_or_default()
    );
    match err.code() {
        Some("InvalidParameterException" | "InvalidPasswordException") => {
            IdentityError::Refused(detail)
        }
        _ => IdentityError::Unavailable(detail),
    }
}

#[async_trait]
impl IdentityDirectory for CognitoIdentities {
    async fn create(&self, identity: &NewIdentity) -> Result<IdentitySubject, IdentityError> {
        let locale = identity.language.as_str();
        let attributes = vec![
            attribute("email", &identity.email)?,
            // The invitation's temporary password goes to this address alone: signing in
            // with it proves the address.
            attribute("email_verified", "true")?,
            attribute("name", &identity.name)?,
            attribute("locale", locale)?,
            attribute(ACCOUNT_ATTRIBUTE, &identity.account_id)?,
        ];
        let created = self
            .client
            .admin_create_user()
            .user_pool_id(&self.pool.id)
            .username(&identity.email)
            .set_user_attributes(Some(attributes))
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await;
        match created {
            Ok(output) => {
                let user = output
                    .user()
                    .ok_or_else(|| IdentityError::Unavailable("no user in the answer".into()))?;
                let sub = user
                    .attributes()
                    .iter()
                    .find(|a| a.name() == "sub")
                    .and_then(|a| a.value())
                    .map(String::from);
                match sub {
                    Some(sub) => Ok(IdentitySubject(sub)),
                    // Some pools answer without attributes: read the user back.
                    None => Ok(self.existing(&identity.email).await?.subject),
                }
            }
            Err(err) if err.code() == Some("UsernameExistsException") => Err(
                IdentityError::EmailTaken(self.existing(&identity.email).await?),
            ),
            Err(err) => Err(failure(&err)),
        }
    }

    async fn delete(&self, subject: &IdentitySubject) -> Result<(), IdentityError> {
        match self
            .client
            .admin_delete_user()
            .user_pool_id(&self.pool.id)
            .username(subject.as_str())
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) if err.code() == Some("UserNotFoundException") => Ok(()),
            Err(err) => Err(failure(&err)),
        }
    }

    async fn disable(&self, sign_in_name: &str) -> Result<(), IdentityError> {
        let disabled = self
            .client
            .admin_disable_user()
            .user_pool_id(&self.pool.id)
            .username(sign_in_name)
            .send()
            .await;
        match disabled {
            Ok(_) => {}
            Err(err) if err.code() == Some("UserNotFoundException") => return Ok(()),
            Err(err) => return Err(failure(&err)),
        }
        // Refresh tokens stop working; access and ID tokens already issued expire within
        // the hour, and fairlink refuses them at once because the account is inactive.
        self.client
            .admin_user_global_sign_out()
            .user_pool_id(&self.pool.id)
            // By the sign-in name the sessions were opened with (the emulator matches
            // sessions by that name; Cognito takes either).
            .username(sign_in_name)
            .send()
            .await
            .map_err(|err| failure(&err))?;
        Ok(())
    }

    fn sign_in_config(&self) -> SignInConfig {
        SignInConfig {
            provider: SignInProvider::Cognito,
            region: Some(self.pool.region().into()),
            user_pool_id: Some(self.pool.id.clone()),
            client_id: Some(self.pool.client_id.clone()),
            issuer: Some(self.pool.issuer()),
        }
    }
}
