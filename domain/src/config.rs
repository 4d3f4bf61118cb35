//! Settings from environment variables (a `.env` file is loaded by the server first).
//! Every variable is documented in README.md with its default.

use std::path::PathBuf;
use std::time::Duration;

/// 5 GB, as users read it on the quota bar.
pub const DEFAULT_QUOTA_BYTES: i64 = 5_000_000_000;

#[derive(Debug, Clone)]
pub struct Config {
    /// Everything the server writes lives under this directory.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`; `None` is SQLite under `data_dir`.
    pub database_url: Option<Redacted>,
    /// `SECRET_KEY` (64 hex digits), shared by every app server of a deployment; `None` keeps
    /// a generated one in `<data_dir>/secret.key`.
    pub secret_key: Option<Redacted>,
    /// `smtp://` or `smtps://` URL; `None` writes mails to `<data_dir>/outbox/` instead.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub bcrypt_cost: u32,
    pub session_idle_timeout: Duration,
    pub session_max_age: Duration,
    /// Requests per minute one client (IPv4 address, IPv6 /64) may make to the auth endpoints.
    pub auth_rate_limit_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`, CIDR list).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The site's origin (`PUBLIC_URL`): links in mails, HSTS. Never taken from a request.
    pub public_url: String,
    pub default_quota_bytes: i64,
    /// Remote storage nodes; `None` runs the three default nodes inside the app.
    pub cluster_nodes: Option<Vec<crate::cluster::NodeSpec>>,
    /// Credentials of the S3 regions by store name (`CLUSTER_S3_<NAME>_ACCESS_KEY_ID` and
    /// `_SECRET_ACCESS_KEY`, else `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`): never in
    /// `CLUSTER_NODES`, which /nodes and the logs show. Their `Debug` hides the secrets.
    pub cluster_s3_credentials:
        std::collections::HashMap<String, crate::cluster::s3_store::S3Credentials>,
    /// Shared by the app and its nodes; derived from the secret key when unset.
    pub cluster_secret: Option<String>,
    pub node_capacity_bytes: u64,
    pub cluster_health_interval: Duration,
    pub cluster_scrub_interval: Duration,
    /// Whether this app server may be elected to run the jobs that must run once across app
    /// servers (scrub, repairs, sweepers): `BACKGROUND_LEADER`, true unless set to false.
    pub background_leader: bool,
    /// How /nodes names this app server (`SERVER_NAME`; default host name and port).
    pub server_name: String,
    /// `DEBUG_CLOCK`: tests may move the server's clock (refused by release builds).
    pub debug_clock: bool,
    /// Accounts (by email) that may stop and start nodes, verify and repair.
    pub admin_emails: Vec<String>,
    pub drive: crate::drive::DriveSettings,
    /// `MAX_ACTIVE_BOOKINGS`: upcoming bookings one student may hold at once.
    pub max_active_bookings: i64,
}

/// A setting that may carry a credential (a database URL's password, the secret key): its
/// `Debug` never shows it, so printing the configuration cannot leak it.
#[derive(Clone)]
pub struct Redacted(pub String);

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration variable {name} is invalid: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./data"),
            database_url: None,
            secret_key: None,
            smtp_url: None,
            mail_from: "Cloud Drive <no-reply@localhost>".into(),
            bcrypt_cost: 12,
            session_idle_timeout: Duration::from_secs(7 * 24 * 3600),
            session_max_age: Duration::from_secs(30 * 24 * 3600),
            auth_rate_limit_per_minute: 60,
            trusted_proxies: Vec::new(),
            public_url: "http://127.0.0.1:3000".into(),
            default_quota_bytes: DEFAULT_QUOTA_BYTES,
            cluster_nodes: None,
            cluster_s3_credentials: std::collections::HashMap::new(),
            cluster_secret: None,
            node_capacity_bytes: 100_000_000_000,
            cluster_health_interval: Duration::from_secs(2),
            cluster_scrub_interval: Duration::from_secs(6 * 3600),
            background_leader: true,
            server_name: "app".into(),
            debug_clock: false,
            admin_emails: Vec::new(),
            drive: crate::drive::DriveSettings::default(),
            max_active_bookings: 10,
        }
    }
}

impl Config {
    /// Reads the process environment; unset variables keep their defaults.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let d = Config::default();
        let secs = |name, default: Duration| -> Result<Duration, ConfigError> {
            Ok(parse(&get, name)?
                .map(Duration::from_secs)
                .unwrap_or(default))
        };
        let bcrypt_cost = parse(&get, "BCRYPT_COST")?.unwrap_or(d.bcrypt_cost);
        if !(4..=31).contains(&bcrypt_cost) {
            return Err(ConfigError {
                name: "BCRYPT_COST",
                reason: "must be between 4 and 31".into(),
            });
        }
        let public_url = match get("PUBLIC_URL") {
            Some(raw) => origin(&raw).map_err(|reason| ConfigError {
                name: "PUBLIC_URL",
                reason,
            })?,
            None => format!(
                "http://{}",
                get("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into())
            ),
        };
        let trusted_proxies = get("TRUSTED_PROXIES")
            .map(|raw| parse_networks(&raw))
            .transpose()
            .map_err(|reason| ConfigError {
                name: "TRUSTED_PROXIES",
                reason,
            })?
            .unwrap_or_default();
        let cluster_nodes = get("CLUSTER_NODES")
            .map(|raw| crate::cluster::parse_node_list(&raw))
            .transpose()
            .map_err(|reason| ConfigError {
                name: "CLUSTER_NODES",
                reason,
            })?;
        let config = Config {
            public_url,
            trusted_proxies,
            data_dir: get("DATA_DIR").map(PathBuf::from).unwrap_or(d.data_dir),
            database_url: get("DATABASE_URL").map(Redacted),
            secret_key: get("SECRET_KEY").map(Redacted),
            smtp_url: get("SMTP_URL"),
            mail_from: get("MAIL_FROM").unwrap_or(d.mail_from),
            bcrypt_cost,
            session_idle_timeout: secs("SESSION_IDLE_TIMEOUT_SECS", d.session_idle_timeout)?,
            session_max_age: secs("SESSION_MAX_AGE_SECS", d.session_max_age)?,
            auth_rate_limit_per_minute: parse(&get, "AUTH_RATE_LIMIT_PER_MINUTE")?
                .unwrap_or(d.auth_rate_limit_per_minute),
            default_quota_bytes: parse(&get, "DEFAULT_QUOTA_BYTES")?
                .unwrap_or(d.default_quota_bytes),
            cluster_s3_credentials: s3_credentials(&get, cluster_nodes.as_deref())?,
            cluster_nodes,
            cluster_secret: get("CLUSTER_SECRET"),
            node_capacity_bytes: parse(&get, "NODE_CAPACITY_BYTES")?
                .unwrap_or(d.node_capacity_bytes),
            cluster_health_interval: parse(&get, "CLUSTER_HEALTH_INTERVAL_MS")?
                .map(Duration::from_millis)
                .unwrap_or(d.cluster_health_interval),
            cluster_scrub_interval: secs("CLUSTER_SCRUB_INTERVAL_SECS", d.cluster_scrub_interval)?,
            background_leader: parse(&get, "BACKGROUND_LEADER")?.unwrap_or(d.background_leader),
            server_name: get("SERVER_NAME").unwrap_or_else(|| {
                let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                    .map(|h| h.trim().to_owned())
                    .unwrap_or_else(|_| d.server_name.clone());
                let port = get("LEPTOS_SITE_ADDR")
                    .and_then(|a| a.rsplit_once(':').map(|(_, p)| p.to_owned()))
                    .unwrap_or_else(|| "3000".into());
                format!("{host}:{port}")
            }),
            debug_clock: get("DEBUG_CLOCK").is_some_and(|v| !matches!(v.as_str(), "0" | "false")),
            admin_emails: get("ADMIN_EMAILS")
                .map(|raw| {
                    raw.split(',')
                        .map(|e| e.trim().to_lowercase())
                        .filter(|e| !e.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            drive: crate::drive::DriveSettings {
                upload_expiry: secs("UPLOAD_EXPIRY_SECS", d.drive.upload_expiry)?,
                single_request_silence: secs(
                    "SINGLE_UPLOAD_SILENCE_SECS",
                    d.drive.single_request_silence,
                )?,
                trash_retention: parse(&get, "TRASH_RETENTION_DAYS")?
                    .map(|days: u64| Duration::from_secs(days * 24 * 3600))
                    .unwrap_or(d.drive.trash_retention),
                sweep_interval: secs("DRIVE_SWEEP_INTERVAL_SECS", d.drive.sweep_interval)?,
                link_lifetime: secs("DOWNLOAD_LINK_SECS", d.drive.link_lifetime)?,
                max_unfinished_uploads: parse(&get, "MAX_UNFINISHED_UPLOADS")?
                    .unwrap_or(d.drive.max_unfinished_uploads),
                min_upload_rate: parse(&get, "MIN_UPLOAD_RATE")?.unwrap_or(d.drive.min_upload_rate),
                max_items: parse(&get, "MAX_ITEMS")?.unwrap_or(d.drive.max_items),
                list_page: parse(&get, "LIST_PAGE_SIZE")?.unwrap_or(d.drive.list_page),
                max_link_downloads: parse(&get, "MAX_LINK_DOWNLOADS")?
                    .unwrap_or(d.drive.max_link_downloads),
                versions_kept_for: parse(&get, "VERSIONS_DAYS")?
                    .map(|days: u64| Duration::from_secs(days * 24 * 3600))
                    .unwrap_or(d.drive.versions_kept_for),
                versions_keep: parse(&get, "VERSIONS_KEEP")?.unwrap_or(d.drive.versions_keep),
            },
            max_active_bookings: parse(&get, "MAX_ACTIVE_BOOKINGS")?
                .unwrap_or(d.max_active_bookings),
        };
        config.check_shared()?;
        Ok(config)
    }

    /// On a shared database (PostgreSQL) several app servers may run: each needs the same
    /// secret key (codes and links made on one are checked on another), and storage that is
    /// not inside one of them.
    fn check_shared(&self) -> Result<(), ConfigError> {
        let shared = self
            .database_url
            .as_ref()
            .is_some_and(|u| u.0.starts_with("postgres"));
        if shared && self.secret_key.is_none() {
            return Err(ConfigError {
                name: "SECRET_KEY",
                reason: "is required when DATABASE_URL is PostgreSQL: every app server must \
                         share it (openssl rand -hex 32 makes one)"
                    .into(),
            });
        }
        if shared && self.cluster_nodes.is_none() {
            return Err(ConfigError {
                name: "CLUSTER_NODES",
                reason: "is required when DATABASE_URL is PostgreSQL: the built-in nodes live \
                         inside one process and cannot be shared"
                    .into(),
            });
        }
        Ok(())
    }
}

/// The credentials of each S3 store in the node list.
fn s3_credentials(
    get: &impl Fn(&str) -> Option<String>,
    nodes: Option<&[crate::cluster::NodeSpec]>,
) -> Result<std::collections::HashMap<String, crate::cluster::s3_store::S3Credentials>, ConfigError>
{
    let mut found = std::collections::HashMap::new();
    for spec in nodes.unwrap_or_default() {
        if !spec.url.starts_with("s3://") {
            continue;
        }
        let credentials =
            crate::cluster::s3_store::credentials_from(&spec.name, get).map_err(|reason| {
                ConfigError {
                    name: "CLUSTER_NODES",
                    reason,
                }
            })?;
        if let Some(c) = credentials {
            found.insert(spec.name.clone(), c);
        }
    }
    Ok(found)
}

/// `https://drive.example.org` from what an operator typed: scheme and host (and port) only.
fn origin(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw.trim()).map_err(|e| format!("{raw:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!(
            "{raw:?}: give the site's http(s) origin, like https://drive.example.org"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

/// `10.0.0.0/8, 192.0.2.1` (a bare address is a network of one).
fn parse_networks(raw: &str) -> Result<Vec<ipnet::IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("{item:?} is not an address or a CIDR network"))
        })
        .collect()
}

fn parse<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<T>, ConfigError>
where
    T::Err: std::fmt::Display,
{
    get(name)
        .map(|raw| {
            raw.trim().parse::<T>().map_err(|e| ConfigError {
                name,
                reason: format!("{raw:?}: {e}"),
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn unset_variables_keep_documented_defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.bcrypt_cost, 12);
        assert!(c.smtp_url.is_none());
        assert_eq!(c.default_quota_bytes, 5_000_000_000);
    }

    #[test]
    fn variables_override_defaults() {
        let c = config(&[
            ("DATA_DIR", "/tmp/x"),
            ("BCRYPT_COST", "4"),
            ("SESSION_IDLE_TIMEOUT_SECS", "60"),
        ])
        .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(c.bcrypt_cost, 4);
        assert_eq!(c.session_idle_timeout, Duration::from_secs(60));
    }

    #[test]
    fn s3_regions_take_their_own_keys_or_the_aws_ones() {
        let nodes = (
            "CLUSTER_NODES",
            "us@us-east=http://h:1,eu@eu-west=s3://b-eu?endpoint=http://s3:9,asia@asia=s3://b-as?region=ap-south-1",
        );
        let c = config(&[
            nodes,
            ("CLUSTER_S3_EU_ACCESS_KEY_ID", "eu-key"),
            ("CLUSTER_S3_EU_SECRET_ACCESS_KEY", "eu-secret"),
            ("AWS_ACCESS_KEY_ID", "aws-key"),
            ("AWS_SECRET_ACCESS_KEY", "aws-secret"),
        ])
        .unwrap();
        assert_eq!(c.cluster_s3_credentials["eu"].access_key_id, "eu-key");
        assert_eq!(c.cluster_s3_credentials["asia"].access_key_id, "aws-key");
        assert!(!c.cluster_s3_credentials.contains_key("us"));
        let printed = format!("{c:?}");
        assert!(!printed.contains("eu-secret") && !printed.contains("aws-secret"));
        let half = config(&[nodes, ("CLUSTER_S3_EU_ACCESS_KEY_ID", "eu-key")]).unwrap_err();
        assert!(
            half.reason.contains("CLUSTER_S3_EU_SECRET_ACCESS_KEY"),
            "{}",
            half.reason
        );
    }

    #[test]
    fn postgres_needs_a_shared_key_and_shared_storage() {
        let pg = ("DATABASE_URL", "postgres://app:hunter2@db.internal/drive");
        let key = ("SECRET_KEY", "ab");
        let nodes = ("CLUSTER_NODES", "a@us-east=http://10.0.0.1:4000");
        assert_eq!(config(&[pg, nodes]).unwrap_err().name, "SECRET_KEY");
        assert_eq!(config(&[pg, key]).unwrap_err().name, "CLUSTER_NODES");
        let c = config(&[pg, key, nodes]).unwrap();
        // Printing the configuration shows neither the database password nor the key.
        let printed = format!("{c:?}");
        assert!(
            !printed.contains("hunter2") && !printed.contains("\"ab\""),
            "{printed}"
        );
        // SQLite needs neither: one process owns its file.
        assert!(config(&[("DATABASE_URL", "sqlite:///tmp/x.db")]).is_ok());
    }

    #[test]
    fn public_url_and_trusted_proxies() {
        let c = config(&[("LEPTOS_SITE_ADDR", "127.0.0.1:3100")]).unwrap();
        assert_eq!(c.public_url, "http://127.0.0.1:3100");
        assert!(c.trusted_proxies.is_empty());
        let c = config(&[
            ("PUBLIC_URL", "https://Drive.Example.org/some/path"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1 ,fd00::/8"),
        ])
        .unwrap();
        assert_eq!(c.public_url, "https://drive.example.org");
        assert_eq!(c.trusted_proxies.len(), 3);
        assert_eq!(
            config(&[("PUBLIC_URL", "drive.example.org")])
                .unwrap_err()
                .name,
            "PUBLIC_URL"
        );
        assert_eq!(
            config(&[("TRUSTED_PROXIES", "10.0.0.0/33")])
                .unwrap_err()
                .name,
            "TRUSTED_PROXIES"
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = config(&[("BCRYPT_COST", "twelve")]).unwrap_err();
        assert_eq!(err.name, "BCRYPT_COST");
        assert!(config(&[("BCRYPT_COST", "3")]).is_err());
    }
}
