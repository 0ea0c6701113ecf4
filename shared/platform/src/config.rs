//! Layered configuration with the `config` crate.
//!
//! Later layers win: built-in defaults, `<dir>/base.toml`, `<dir>/<PRISM_ENV>.toml` (dir is
//! `$PRISM_CONFIG_DIR`, default `deploy/config`; env default `local`), `PRISM__…` variables
//! for every service, then `PRISM_<SERVICE>__…` for one service (`PRISM_INTAKE__HTTP__PORT`).
//! Each service reads the shared [`Settings`] and its own struct from the same layers.

use serde::{de::DeserializeOwned, Deserialize};

/// A configuration error that names the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration could not be read: {0}")]
    Source(#[from] config::ConfigError),
    #[error("configuration key `{key}` is invalid: {message}")]
    Invalid { key: String, message: String },
}

/// Settings every service shares.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// The service's name, e.g. `intake`.
    #[serde(skip)]
    pub service: String,
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    pub nats: NatsSettings,
    #[serde(default)]
    pub auth: AuthSettings,
    #[serde(default)]
    pub telemetry: TelemetrySettings,
    #[serde(default)]
    pub messaging: MessagingSettings,
    /// Where the service keeps files (attachments, exports).
    pub data_dir: String,
}

/// The HTTP listener and its limits.
#[derive(Debug, Clone, Deserialize)]
pub struct HttpSettings {
    pub host: String,
    pub port: u16,
    /// Bodies larger than this get 413 before they are parsed.
    pub body_limit_bytes: usize,
    /// A request that takes longer gets 408.
    pub request_timeout_secs: u64,
}

/// The service's own database.
#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// `sqlite://path.db` or `postgres://user@host/db`.
    pub url: String,
    pub max_connections: u32,
}

/// The NATS server.
#[derive(Debug, Clone, Deserialize)]
pub struct NatsSettings {
    pub url: String,
}

/// How people's JWTs are verified.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    pub issuer: String,
    pub audience: String,
    /// PEM files of the EdDSA public keys that may sign tokens (several during key rotation).
    pub jwt_public_key_files: Vec<String>,
    /// The same, inline; handy in tests.
    pub jwt_public_keys: Vec<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            issuer: "prism".to_owned(),
            audience: "prism".to_owned(),
            jwt_public_key_files: Vec::new(),
            jwt_public_keys: Vec::new(),
        }
    }
}

/// How consumers treat deliveries.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct MessagingSettings {
    /// How long a delivery may go unacknowledged before JetStream redelivers it; a crashed
    /// instance's events go to the others after this long.
    pub ack_wait_secs: u64,
    /// Deliveries before a failing event goes to the dead-letter stream.
    pub max_deliver: i64,
}

impl Default for MessagingSettings {
    fn default() -> Self {
        Self {
            ack_wait_secs: 30,
            max_deliver: 5,
        }
    }
}

/// Logs and traces.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct TelemetrySettings {
    /// `pretty` for people, `json` for log collectors.
    pub log_format: String,
    /// A `tracing` filter, e.g. `info,sqlx=warn`.
    pub log_filter: String,
    /// OTLP/HTTP endpoint; traces are exported only when set.
    pub otlp_endpoint: Option<String>,
}

impl Default for TelemetrySettings {
    fn default() -> Self {
        Self {
            log_format: "pretty".to_owned(),
            log_filter: "info,sqlx=warn,sea_orm=warn,async_nats=warn".to_owned(),
            otlp_endpoint: None,
        }
    }
}

/// Reads the shared settings and the service's own `T` from the same layers.
/// `default_port` is the service's port from INTERFACE.md.
pub fn load<T: DeserializeOwned>(
    service: &str,
    default_port: u16,
) -> Result<(Settings, T), ConfigError> {
    let layered = layers(service, default_port)?;
    let mut settings: Settings = deserialize(&layered)?;
    settings.service = service.to_owned();
    settings.validate()?;
    let own: T = deserialize(&layered)?;
    Ok((settings, own))
}

fn deserialize<T: DeserializeOwned>(layered: &config::Config) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(layered.clone()).map_err(|error| ConfigError::Invalid {
        key: error.path().to_string(),
        message: error.inner().to_string(),
    })
}

fn layers(service: &str, default_port: u16) -> Result<config::Config, ConfigError> {
    let dir = std::env::var("PRISM_CONFIG_DIR").unwrap_or_else(|_| "deploy/config".to_owned());
    let environment = std::env::var("PRISM_ENV").unwrap_or_else(|_| "local".to_owned());
    let prefix = format!("PRISM_{}", service.to_uppercase().replace('-', "_"));
    let env_source = |prefix: &str| {
        config::Environment::with_prefix(prefix)
            .prefix_separator("__")
            .separator("__")
            .list_separator(",")
            .with_list_parse_key("auth.jwt_public_key_files")
            .try_parsing(true)
    };
    let built = config::Config::builder()
        .set_default("http.host", "127.0.0.1")?
        .set_default("http.port", i64::from(default_port))?
        .set_default("http.body_limit_bytes", 2 * 1024 * 1024)?
        .set_default("http.request_timeout_secs", 30)?
        .set_default("database.url", format!("sqlite://var/{service}.db"))?
        .set_default("database.max_connections", 8)?
        .set_default("nats.url", "nats://127.0.0.1:4222")?
        .set_default("data_dir", format!("var/{service}"))?
        .add_source(config::File::with_name(&format!("{dir}/base")).required(false))
        .add_source(config::File::with_name(&format!("{dir}/{environment}")).required(false))
        .add_source(env_source("PRISM"))
        .add_source(env_source(&prefix))
        .build()?;
    Ok(built)
}

impl Settings {
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: &str| ConfigError::Invalid {
            key: key.to_owned(),
            message: message.to_owned(),
        };
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres:")
            || url.starts_with("postgresql:"))
        {
            return Err(invalid(
                "database.url",
                "must start with sqlite:, postgres: or postgresql:",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        if !(self.nats.url.starts_with("nats://") || self.nats.url.starts_with("tls://")) {
            return Err(invalid("nats.url", "must start with nats:// or tls://"));
        }
        if self.http.body_limit_bytes < 1024 {
            return Err(invalid("http.body_limit_bytes", "must be at least 1024"));
        }
        if self.messaging.ack_wait_secs == 0 {
            return Err(invalid("messaging.ack_wait_secs", "must be at least 1"));
        }
        if self.messaging.max_deliver < 1 {
            return Err(invalid("messaging.max_deliver", "must be at least 1"));
        }
        if !["pretty", "json"].contains(&self.telemetry.log_format.as_str()) {
            return Err(invalid("telemetry.log_format", "must be pretty or json"));
        }
        Ok(())
    }
}

impl Settings {
    /// Settings for a service on loopback with port 0 (the OS picks), for tests and tools
    /// that run services in-process. `jwt_public_pem` is the key that signs test tokens.
    pub fn ephemeral(
        service: &str,
        database_url: &str,
        nats_url: &str,
        jwt_public_pem: &str,
        data_dir: &str,
    ) -> Self {
        Self {
            service: service.to_owned(),
            http: HttpSettings {
                host: "127.0.0.1".to_owned(),
                port: 0,
                body_limit_bytes: 2 * 1024 * 1024,
                request_timeout_secs: 30,
            },
            database: DatabaseSettings {
                url: database_url.to_owned(),
                max_connections: 8,
            },
            nats: NatsSettings {
                url: nats_url.to_owned(),
            },
            auth: AuthSettings {
                jwt_public_keys: vec![jwt_public_pem.to_owned()],
                ..AuthSettings::default()
            },
            telemetry: TelemetrySettings::default(),
            messaging: MessagingSettings::default(),
            data_dir: data_dir.to_owned(),
        }
    }
}

/// For a service with no settings of its own: `load::<NoOwnSettings>(…)`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct NoOwnSettings {}
