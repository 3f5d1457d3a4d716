//! Every setting a replica needs, read once at start from the environment (and `.env` in
//! development) or from command-line flags.

use std::{net::SocketAddr, path::PathBuf};

use app::domain::claims::FairShare;
use clap::{Parser, ValueEnum};

/// The session secret used when none is set. Fine on a laptop; refused in production.
pub const DEV_SESSION_SECRET: &str =
    "development-only-session-secret-do-not-use-in-production-0123456789abcdef";
const MIN_SECRET_LEN: usize = 64;

#[derive(Debug, Clone, Parser)]
#[command(name = "foodbridge", about = "FoodBridge web server", version)]
pub struct Config {
    /// `sqlite://path/to/file.db?mode=rwc` (the embedded default) or `postgres://user@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/foodbridge.db?mode=rwc"
    )]
    pub database_url: String,

    /// Most connections a replica opens to the database. More is not faster: with 64 claims
    /// in flight on a 2-core database, 8 made 1,549-1,758 claims/s, 16 made 1,259-1,574/s,
    /// 32 made 988-1,273/s and 4 made 1,441-1,520/s (`bench/speed.sh`): past a few per core
    /// the transactions wait on each other inside PostgreSQL instead of in the pool.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 8)]
    pub database_max_connections: u32,

    /// Redis for sessions, rate limits and live events shared by every replica. Unset: all of
    /// them are kept in this process (and sessions in the database).
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,

    /// Prefix of every key FoodBridge writes to Redis, so deployments (or test runs) can
    /// share one server.
    #[arg(long, env = "REDIS_KEY_PREFIX", default_value = "foodbridge:")]
    pub redis_key_prefix: String,

    /// Where to listen. Defaults to `LEPTOS_SITE_ADDR` (set by cargo-leptos), then 127.0.0.1:3000.
    #[arg(long, env = "LISTEN_ADDR")]
    pub listen_addr: Option<SocketAddr>,

    /// Folder with the built site (`pkg/` with the WASM, JS and CSS, plus the public assets).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Signs session cookies; at least 64 characters. Must be set in production.
    #[arg(long, env = "SESSION_SECRET", default_value = DEV_SESSION_SECRET, hide_default_value = true, hide_env_values = true)]
    pub session_secret: String,

    /// Behind a reverse proxy that sets `X-Forwarded-For`: take the client address from it
    /// (for login limits). Never set this when clients reach the server directly.
    #[arg(long, env = "TRUST_PROXY")]
    pub trust_proxy: bool,

    /// Production mode: secure cookies, and refuse to start with development secrets.
    #[arg(long, env = "PRODUCTION")]
    pub production: bool,

    /// SMTP server for email, e.g. `smtps://user:pass@mail.example.com:465`. Unset: each
    /// email is written as an `.eml` file into `MAIL_DIR`.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender of every email.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "FoodBridge <no-reply@foodbridge.localhost>"
    )]
    pub mail_from: String,

    /// Where emails go when `SMTP_URL` is unset.
    #[arg(long, env = "MAIL_DIR", default_value = "data/mail")]
    pub mail_dir: PathBuf,

    /// How often each replica looks for emails to send, in milliseconds.
    #[arg(long, env = "MAIL_POLL_INTERVAL_MS", default_value_t = 2000)]
    pub mail_poll_interval_ms: u64,

    /// On SIGTERM, how long to keep serving while `/readyz` already fails, in milliseconds: at
    /// least the load balancer's health check interval times the failures it waits for
    /// (0: stop at once, fine without a load balancer).
    #[arg(long, env = "SHUTDOWN_DRAIN_MS", default_value_t = 0)]
    pub shutdown_drain_ms: u64,

    /// The address users reach the site at, used for links in emails.
    #[arg(long, env = "PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
    pub public_url: String,

    /// Most claims a client may hold at once (not yet collected, cancelled or past their
    /// deadline).
    #[arg(long, env = "CLAIMS_MAX_LIVE", default_value_t = FairShare::default().live, value_parser = clap::value_parser!(u32).range(1..))]
    pub claims_max_live: u32,

    /// Most claims a client may make in one day (Cameroon's calendar day, UTC+1).
    #[arg(long, env = "CLAIMS_MAX_PER_DAY", default_value_t = FairShare::default().per_day, value_parser = clap::value_parser!(u32).range(1..))]
    pub claims_max_per_day: u32,

    /// `text` for people, `json` (one object per line) for log collectors.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("SESSION_SECRET must be at least {MIN_SECRET_LEN} characters")]
    SecretTooShort,
    #[error(
        "PRODUCTION is set but SESSION_SECRET is the development default: set a secret of your own"
    )]
    DevSecretInProduction,
    #[error(
        "PRODUCTION is set but PUBLIC_URL ({0}) is not a public address: set the address users reach the site at, for the links in emails"
    )]
    LocalPublicUrlInProduction(String),
}

impl Config {
    /// Reads `.env` (unless in production) and then the environment and arguments.
    pub fn load() -> Result<Self, ConfigError> {
        if std::env::var_os("PRODUCTION").is_none() {
            // A missing .env is the normal case.
            let _ = dotenvy::dotenv();
        }
        let config = Config::parse();
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.session_secret.len() < MIN_SECRET_LEN {
            return Err(ConfigError::SecretTooShort);
        }
        if self.production && self.session_secret == DEV_SESSION_SECRET {
            return Err(ConfigError::DevSecretInProduction);
        }
        if self.production && self.public_url_is_local() {
            return Err(ConfigError::LocalPublicUrlInProduction(
                self.public_url.clone(),
            ));
        }
        Ok(())
    }

    /// True unless `PUBLIC_URL` is an address other machines can reach.
    fn public_url_is_local(&self) -> bool {
        let host = self
            .public_url
            .parse::<axum::http::Uri>()
            .ok()
            .and_then(|uri| uri.host().map(str::to_owned));
        host.is_none_or(|host| host == "localhost" || host.starts_with("127.") || host == "[::1]")
    }

    pub fn listen_addr(&self) -> SocketAddr {
        self.listen_addr
            .or_else(|| std::env::var("LEPTOS_SITE_ADDR").ok()?.parse().ok())
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(args: &[&str]) -> Config {
        Config::try_parse_from(std::iter::once("foodbridge").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn development_defaults_are_accepted() {
        assert_eq!(config(&[]).validate(), Ok(()));
    }

    #[test]
    fn production_refuses_the_development_secret() {
        assert_eq!(
            config(&["--production"]).validate(),
            Err(ConfigError::DevSecretInProduction)
        );
    }

    #[test]
    fn production_accepts_a_real_secret_and_address() {
        let secret = "x".repeat(64);
        let production = ["--production", "--session-secret", &secret];
        assert_eq!(
            config(&[&production[..], &["--public-url", "https://foodbridge.cm"]].concat())
                .validate(),
            Ok(())
        );
        for local in [
            "http://127.0.0.1:3000",
            "http://localhost:8080/",
            "http://[::1]",
        ] {
            assert_eq!(
                config(&[&production[..], &["--public-url", local]].concat()).validate(),
                Err(ConfigError::LocalPublicUrlInProduction(local.to_owned())),
                "{local}"
            );
        }
    }

    #[test]
    fn short_secrets_are_refused() {
        assert_eq!(
            config(&["--session-secret", "short"]).validate(),
            Err(ConfigError::SecretTooShort)
        );
    }
}
