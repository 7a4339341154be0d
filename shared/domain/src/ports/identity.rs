use async_trait::async_trait;
use serde::Serialize;

use crate::model::Language;

/// A sign-in identity to make for a new account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIdentity {
    /// The account the identity signs in as: written once into the identity (an attribute
    /// no user can change) so that its tokens name the account.
    pub account_id: String,
    /// The sign-in name.
    pub email: String,
    pub name: String,
    pub language: Language,
}

/// The identity provider's unchangeable id of an identity (Cognito's `sub`): what a verified
/// token's `sub` claim holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct IdentitySubject(pub String);

impl IdentitySubject {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An identity the provider already has for an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingIdentity {
    pub subject: IdentitySubject,
    /// The account the identity was made for; `None` for an identity fairlink did not make.
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// The email already signs in as an identity.
    #[error("an identity with this email already exists")]
    EmailTaken(ExistingIdentity),
    #[error("the identity provider refused: {0}")]
    Refused(String),
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
}

/// What a front-end needs to sign people in (`GET /v1/auth/config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignInConfig {
    /// `cognito`, or `dev` where tokens come from `POST /v1/dev/tokens`.
    pub provider: SignInProvider,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_pool_id: Option<String>,
    /// The web front-end's app client (no secret: SRP sign-in and refresh tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The `iss` of the tokens fairlink accepts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignInProvider {
    Cognito,
    Dev,
}

impl SignInConfig {
    pub fn dev() -> Self {
        Self {
            provider: SignInProvider::Dev,
            region: None,
            user_pool_id: None,
            client_id: None,
            issuer: None,
        }
    }
}

/// The identity provider's directory of sign-in identities: one per account. It sends the
/// new identity its invitation (a temporary password to the address, which proves the
/// address when used) itself.
#[async_trait]
pub trait IdentityDirectory: Send + Sync {
    /// Makes the identity and invites it to set a password.
    async fn create(&self, identity: &NewIdentity) -> Result<IdentitySubject, IdentityError>;

    /// Removes an identity made for an account that was then not created (the undo of
    /// [`IdentityDirectory::create`]); an identity already gone is fine.
    async fn delete(&self, subject: &IdentitySubject) -> Result<(), IdentityError>;

    /// Disables the identity that signs in as `sign_in_name` (the account's email) and ends
    /// its sessions (its refresh tokens stop working).
    async fn disable(&self, sign_in_name: &str) -> Result<(), IdentityError>;

    fn sign_in_config(&self) -> SignInConfig;
}

/// The directory of development mode, where `POST /v1/dev/tokens` signs anyone in: an
/// account's identity is the account itself, and there is nothing to invite or disable
/// (the store's `active` flag refuses a deactivated account's tokens).
pub struct DevTokenIdentities;

#[async_trait]
impl IdentityDirectory for DevTokenIdentities {
    async fn create(&self, identity: &NewIdentity) -> Result<IdentitySubject, IdentityError> {
        Ok(IdentitySubject(identity.account_id.clone()))
    }
    async fn delete(&self, _: &IdentitySubject) -> Result<(), IdentityError> {
        Ok(())
    }
    async fn disable(&self, _: &str) -> Result<(), IdentityError> {
        Ok(())
    }
    fn sign_in_config(&self) -> SignInConfig {
        SignInConfig::dev()
    }
}
