//! Configuration from the environment (and `.env`), with defaults that run on a laptop.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// `LIAISON_ADDR`, default 127.0.0.1:3000.
    pub addr: SocketAddr,
    /// `LIAISON_DATA_DIR`, default ./data: the SQLite database lives here.
    pub data_dir: PathBuf,
    /// `LIAISON_DATABASE_URL`: `postgres://…` for PostgreSQL (several instances may share it),
    /// `sqlite://PATH`, or unset for SQLite under the data directory.
    pub database: crate::server::db::Location,
    /// `LIAISON_OWNER_EMAIL`: the owner created on first start when no user exists.
    pub owner_email: String,
    /// `LIAISON_OWNER_PASSWORD`: when unset, a password is generated and printed once.
    pub owner_password: Option<String>,
    /// `LIAISON_DEMO=1`: seed demo knowledge-base articles and a demo agent on first start.
    pub demo: bool,
    /// `LIAISON_DEMO_AGENT_PASSWORD`: the demo agent's password (generated when unset).
    pub demo_agent_password: Option<String>,
    /// `LIAISON_PUBLIC_URL`: where people reach this server, e.g. https://support.example.com.
    /// An https URL makes session cookies Secure.
    pub public_url: Option<String>,
    /// The AI agent's defaults (`LIAISON_LLM_*`, `LIAISON_AGENT_INSTRUCTIONS`); Settings saved in
    /// the dashboard take precedence.
    pub agent: crate::server::ai::llm::AgentSettings,
    /// `LIAISON_EVENT_RETENTION_HOURS`, default 168 (7 days): how long stream events are kept
    /// for replay. A client away longer refetches its views instead of replaying.
    pub event_retention: std::time::Duration,
    /// `LIAISON_ATTACHMENT_MAX_MB`, default 10: the largest file a visitor or operator may send.
    pub attachment_max_bytes: usize,
    /// `LIAISON_WEBHOOK_RETRY_MS`, default 10000: the first wait before a failed webhook
    /// delivery is tried again (each next wait is four times longer, at most six hours).
    pub webhook_retry_ms: i64,
    /// `LIAISON_WHATSAPP_RETRY_MS`, default 2000: the first wait before a WhatsApp reply that
    /// met a rate limit or an error on Meta's side is sent again (then doubling, six tries).
    pub whatsapp_retry_ms: i64,
    /// `LIAISON_TRUST_PROXY=1`: the server is behind a reverse proxy, so the client's address
    /// is the last `X-Forwarded-For` entry and `X-Forwarded-Proto: https` makes cookies Secure.
    /// Off by default: anyone can send those headers.
    pub trust_proxy: bool,
    /// `LIAISON_ALLOW_PRIVATE_URLS`: documents by URL and webhooks may reach these private
    /// addresses (`10.0.0.5,10.0.0.6:8080`: an intranet wiki, a receiver on this machine), or
    /// any (`1`). Unset, public addresses only: an Admin could otherwise make the server read
    /// internal services (`outbound`).
    pub private_urls: crate::server::outbound::Reach,
    /// `LIAISON_SECRET_KEY`: 64 hex digits, the key stored secrets are sealed with. Unset, a
    /// key is made in the data directory (`secret.key`). Instances sharing a PostgreSQL
    /// database must all have the same one.
    pub secret_key: Option<String>,
    /// Reading documents in a worker process: `LIAISON_DOCUMENT_TIMEOUT_SECS` (60),
    /// `LIAISON_DOCUMENT_MEMORY_MB` (1024), and `LIAISON_DOCUMENT_WORKER` (the binary to run as
    /// the worker: this one unless set; tests, whose own binary is not the server, set it).
    pub document_worker: crate::server::kb::documents::worker::WorkerLimits,
    /// `LIAISON_LIMIT_VISITOR_PER_MINUTE` (20), `_ADDRESS_PER_MINUTE` (300), `_SITE_PER_MINUTE`
    /// (6000), `_SESSIONS_PER_HOUR` (60), `_SIGN_INS_PER_MINUTE` (10): see `limits`.
    pub limits: crate::server::limits::LimitSettings,
}

#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    name: &'static str,
    problem: String,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        // A missing .env is the normal case.
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Builds the configuration from any lookup, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let addr = match get("LIAISON_ADDR") {
            Some(v) => v.parse().map_err(|e| ConfigError {
                name: "LIAISON_ADDR",
                problem: format!("{v:?} is not an address like 127.0.0.1:3000 ({e})"),
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let owner_email =
            get("LIAISON_OWNER_EMAIL").unwrap_or_else(|| "owner@liaison.local".into());
        if !owner_email.contains('@') {
            return Err(ConfigError {
                name: "LIAISON_OWNER_EMAIL",
                problem: format!("{owner_email:?} is not an email address"),
            });
        }
        let owner_password = get("LIAISON_OWNER_PASSWORD");
        if let Some(p) = &owner_password
            && p.chars().count() < 8
        {
            return Err(ConfigError {
                name: "LIAISON_OWNER_PASSWORD",
                problem: "must be at least 8 characters".into(),
            });
        }
        let public_url = get("LIAISON_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string());
        if let Some(u) = &public_url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            return Err(ConfigError {
                name: "LIAISON_PUBLIC_URL",
                problem: format!("{u:?} must start with http:// or https://"),
            });
        }
        let agent =
            crate::server::ai::llm::AgentSettings::from_lookup(&get).map_err(|problem| {
                ConfigError {
                    name: "LIAISON_LLM_*",
                    problem,
                }
            })?;
        let hours = match get("LIAISON_EVENT_RETENTION_HOURS") {
            Some(v) => match v.trim().parse::<u64>() {
                Ok(h) if h >= 1 => h,
                _ => {
                    return Err(ConfigError {
                        name: "LIAISON_EVENT_RETENTION_HOURS",
                        problem: format!("{v:?} is not a whole number of hours, 1 or more"),
                    });
                }
            },
            None => 24 * 7,
        };
        let attachment_max_mb = match get("LIAISON_ATTACHMENT_MAX_MB") {
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if (1..=1024).contains(&n) => n,
                _ => {
                    return Err(ConfigError {
                        name: "LIAISON_ATTACHMENT_MAX_MB",
                        problem: format!("{v:?} is not a whole number of megabytes from 1 to 1024"),
                    });
                }
            },
            None => 10,
        };
        let retry_ms = |name: &'static str, default: i64| -> Result<i64, ConfigError> {
            match get(name) {
                Some(v) => match v.trim().parse::<i64>() {
                    Ok(n) if (10..=3_600_000).contains(&n) => Ok(n),
                    _ => Err(ConfigError {
                        name,
                        problem: format!(
                            "{v:?} is not a number of milliseconds from 10 to 3600000"
                        ),
                    }),
                },
                None => Ok(default),
            }
        };
        let webhook_retry_ms = retry_ms("LIAISON_WEBHOOK_RETRY_MS", 10_000)?;
        let whatsapp_retry_ms = retry_ms("LIAISON_WHATSAPP_RETRY_MS", 2_000)?;
        let count = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            match get(name) {
                Some(v) => match v.trim().parse::<u32>() {
                    Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
                    _ => Err(ConfigError {
                        name,
                        problem: format!("{v:?} is not a whole number from 1 to 1000000"),
                    }),
                },
                None => Ok(default),
            }
        };
        let d = crate::server::limits::LimitSettings::default();
        let limits = crate::server::limits::LimitSettings {
            visitor_per_minute: count("LIAISON_LIMIT_VISITOR_PER_MINUTE", d.visitor_per_minute)?,
            address_per_minute: count("LIAISON_LIMIT_ADDRESS_PER_MINUTE", d.address_per_minute)?,
            site_per_minute: count("LIAISON_LIMIT_SITE_PER_MINUTE", d.site_per_minute)?,
            sessions_per_hour: count("LIAISON_LIMIT_SESSIONS_PER_HOUR", d.sessions_per_hour)?,
            sign_ins_per_minute: count("LIAISON_LIMIT_SIGN_INS_PER_MINUTE", d.sign_ins_per_minute)?,
        };
        let private_urls = match get("LIAISON_ALLOW_PRIVATE_URLS") {
            Some(v) => {
                crate::server::outbound::Reach::parse(&v).map_err(|problem| ConfigError {
                    name: "LIAISON_ALLOW_PRIVATE_URLS",
                    problem,
                })?
            }
            None => crate::server::outbound::Reach::public(),
        };
        let secret_key = get("LIAISON_SECRET_KEY");
        if let Some(k) = &secret_key
            && !(k.trim().len() == 64 && k.trim().bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(ConfigError {
                name: "LIAISON_SECRET_KEY",
                problem: "must be 64 hexadecimal digits (32 bytes; e.g. openssl rand -hex 32)"
                    .into(),
            });
        }
        let document_worker = crate::server::kb::documents::worker::WorkerLimits {
            program: get("LIAISON_DOCUMENT_WORKER").map(PathBuf::from),
            time: std::time::Duration::from_secs(
                count("LIAISON_DOCUMENT_TIMEOUT_SECS", 60)?.into(),
            ),
            memory_mb: count("LIAISON_DOCUMENT_MEMORY_MB", 1024)?.max(64).into(),
        };
        let data_dir: PathBuf = get("LIAISON_DATA_DIR")
            .unwrap_or_else(|| "data".into())
            .into();
        let database = crate::server::db::Location::parse(
            get("LIAISON_DATABASE_URL").as_deref(),
            &data_dir.join("liaison.db"),
        )
        .map_err(|problem| ConfigError {
            name: "LIAISON_DATABASE_URL",
            problem,
        })?;
        Ok(Config {
            event_retention: std::time::Duration::from_secs(hours * 3600),
            agent,
            addr,
            data_dir,
            database,
            owner_email,
            owner_password,
            demo: matches!(get("LIAISON_DEMO").as_deref(), Some("1" | "true" | "yes")),
            demo_agent_password: get("LIAISON_DEMO_AGENT_PASSWORD"),
            public_url,
            attachment_max_bytes: attachment_max_mb * 1024 * 1024,
            webhook_retry_ms,
            whatsapp_retry_ms,
            trust_proxy: matches!(
                get("LIAISON_TRUST_PROXY").as_deref(),
                Some("1" | "true" | "yes")
            ),
            limits,
            private_urls,
            secret_key,
            document_worker,
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert!(c.owner_password.is_none());
        assert!(!c.secure_cookies());
    }

    #[test]
    fn bad_values_are_named() {
        let e = config(&[("LIAISON_ADDR", "localhost")]).unwrap_err();
        assert!(e.to_string().starts_with("LIAISON_ADDR"));
        assert!(config(&[("LIAISON_OWNER_PASSWORD", "short")]).is_err());
        assert!(config(&[("LIAISON_PUBLIC_URL", "example.com")]).is_err());
        assert!(config(&[("LIAISON_EVENT_RETENTION_HOURS", "0")]).is_err());
        assert!(config(&[("LIAISON_EVENT_RETENTION_HOURS", "a week")]).is_err());
        assert!(config(&[("LIAISON_ATTACHMENT_MAX_MB", "0")]).is_err());
        let e = config(&[("LIAISON_LIMIT_VISITOR_PER_MINUTE", "0")]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("LIAISON_LIMIT_VISITOR_PER_MINUTE")
        );
        assert_eq!(
            config(&[("LIAISON_LIMIT_SIGN_INS_PER_MINUTE", "3")])
                .unwrap()
                .limits
                .sign_ins_per_minute,
            3
        );
        assert_eq!(config(&[]).unwrap().attachment_max_bytes, 10 << 20);
        assert_eq!(
            config(&[("LIAISON_EVENT_RETENTION_HOURS", "2")])
                .unwrap()
                .event_retention
                .as_secs(),
            7200
        );
    }

    #[test]
    fn https_makes_cookies_secure() {
        let c = config(&[("LIAISON_PUBLIC_URL", "https://help.example.com/")]).unwrap();
        assert!(c.secure_cookies());
        assert_eq!(c.public_url.as_deref(), Some("https://help.example.com"));
    }
}
