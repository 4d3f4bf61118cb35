//! The metadata database: SQLite under `DATA_DIR` (the embedded default) or PostgreSQL
//! (`DATABASE_URL=postgres://…`), through sqlx's `Any` driver so that one set of queries
//! serves both. The SQL is written once in the subset both run the same (`$N` parameters,
//! `ON CONFLICT`, `RETURNING`, integers for flags and times); the few places where the two
//! differ ask `dialect` (see `write_tx` and `json_values`). Each backend has its own migrations,
//! embedded in the binary and applied at start-up.

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor};

pub type Db = AnyPool;
pub type Tx = sqlx::Transaction<'static, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("cannot create data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("DATABASE_URL must start with sqlite:// or postgres://")]
    Scheme,
    /// Names the host only: the URL may carry a password.
    #[error("cannot open database at {0}: {1}")]
    Open(String, sqlx::Error),
    #[error("cannot migrate database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Where the database is: `DATABASE_URL` when set, else `<data_dir>/clouddrive.sqlite3`.
pub fn url(database_url: Option<&str>, data_dir: &Path) -> Result<String, DbOpenError> {
    if let Some(url) = database_url {
        return Ok(url.to_string());
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| DbOpenError::DataDir(data_dir.display().to_string(), e))?;
    let file = std::path::absolute(data_dir.join("clouddrive.sqlite3"))
        .map_err(|e| DbOpenError::DataDir(data_dir.display().to_string(), e))?;
    let path = percent_encoding::utf8_percent_encode(
        &file.to_string_lossy(),
        percent_encoding::NON_ALPHANUMERIC,
    )
    .to_string()
    .replace("%2F", "/");
    Ok(format!("sqlite://{path}?mode=rwc"))
}

/// Opens the configured database: `DATABASE_URL`, else SQLite under `DATA_DIR`.
pub async fn open_configured(config: &crate::Config) -> Result<Db, DbOpenError> {
    let given = config.database_url.as_ref().map(|u| u.0.as_str());
    open(&url(given, &config.data_dir)?).await
}

/// Opens the database at `url` (creating a SQLite file if needed) and migrates it.
pub async fn open(url: &str) -> Result<Db, DbOpenError> {
    sqlx::any::install_default_drivers();
    let dialect = dialect_of(url).ok_or(DbOpenError::Scheme)?;
    let place = host_of(url);
    let options: AnyConnectOptions = url
        .parse()
        .map_err(|e| DbOpenError::Open(place.clone(), e))?;
    let pool = AnyPoolOptions::new()
        .max_connections(match dialect {
            Dialect::Sqlite => 8,
            Dialect::Postgres => 16,
        })
        // A request waits this long for a connection before answering 503 (the database is
        // out of reach, or every connection busy).
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                match dialect {
                    // WAL + NORMAL is durable across application crashes, and fast.
                    Dialect::Sqlite => conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    ),
                    // The locks taken first in a transaction (`write_tx`, `lock_key`) order
                    // writers only if each later statement reads what the previous holder
                    // committed: READ COMMITTED, whatever the server's default.
                    Dialect::Postgres => conn.execute(
                        "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED",
                    ),
                }
                .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| DbOpenError::Open(place, e))?;
    match dialect {
        Dialect::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
        Dialect::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
    }
    Ok(pool)
}

fn dialect_of(url: &str) -> Option<Dialect> {
    let scheme = url.split_once(':')?.0;
    match scheme {
        "sqlite" => Some(Dialect::Sqlite),
        "postgres" | "postgresql" => Some(Dialect::Postgres),
        _ => None,
    }
}

/// The host (and port) of a database URL, or the file of a SQLite one: never a credential.
pub fn host_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if u.scheme() == "sqlite" => u.path().to_string(),
        Ok(u) => format!(
            "{}://{}{}",
            u.scheme(),
            u.host_str().unwrap_or("localhost"),
            u.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        Err(_) => "an unparsable URL".into(),
    }
}

pub fn dialect(db: &Db) -> Dialect {
    dialect_of(db.connect_options().database_url.as_str()).unwrap_or(Dialect::Sqlite)
}

/// A transaction that holds the database's write lock from its first statement, for
/// read-then-write rules (quota, unique names) that must see every earlier writer: SQLite's
/// `BEGIN IMMEDIATE`, and on PostgreSQL a transaction-scoped advisory lock on `key`, which
/// serialises these transactions the same way without blocking other writes.
pub async fn write_tx(db: &Db, key: i64) -> Result<Tx, sqlx::Error> {
    write_tx_locking(db, &[key]).await
}

/// `write_tx` holding several keys on PostgreSQL, taken in the order given: every caller must
/// use one order (say, the student's before the teacher's), or two could wait on each other.
pub async fn write_tx_locking(db: &Db, keys: &[i64]) -> Result<Tx, sqlx::Error> {
    match dialect(db) {
        Dialect::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        Dialect::Postgres => {
            let mut tx = db.begin().await?;
            for key in keys {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
            Ok(tx)
        }
    }
}

/// Makes the transaction on `conn` the only one holding `key` until it ends, by writing the
/// key's row in `limit_keys` first: on SQLite that takes the write lock, on PostgreSQL the
/// row's lock, so transactions that read, then write what they read for the same key queue up
/// on both (a delete-then-insert, say, that would otherwise let two inserts through).
pub async fn lock_key(
    conn: &mut sqlx::AnyConnection,
    key: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO limit_keys (key, touched_at) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET touched_at = excluded.touched_at",
    )
    .bind(key)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A subquery giving the values of the JSON array of strings bound at `param` (e.g. `$2`).
pub fn json_values(db: &Db, param: &str) -> String {
    match dialect(db) {
        Dialect::Sqlite => format!("SELECT value FROM json_each({param})"),
        Dialect::Postgres => format!("SELECT json_array_elements_text(CAST({param} AS JSON))"),
    }
}

/// Whether an error (or one of its causes) is the database being out of reach: no connection
/// to be had, or the connection lost or shut down under the request. The request can be
/// tried again later (503), unlike a failure of the request itself.
pub fn is_unavailable(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(e) = e.downcast_ref::<sqlx::Error>() {
            return match e {
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed => true,
                // PostgreSQL: connection exceptions (08), shutdowns and "cannot connect now"
                // (57P0x), a database that takes no connections (55000 at connect).
                sqlx::Error::Database(d) => d
                    .code()
                    .is_some_and(|c| c.starts_with("08") || c.starts_with("57P0") || c == "55000"),
                _ => false,
            };
        }
        cause = e.source();
    }
    false
}

/// Whether an error is the database refusing a row that breaks a unique key.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// The database to test against: PostgreSQL when `TEST_PG_ADMIN_URL` is set (a fresh
/// database per call), else a SQLite file in a temporary directory.
#[cfg(test)]
pub async fn test_db() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = open(&test_url(dir.path()).await).await.expect("open db");
    (db, dir)
}

/// For tests and benchmarks: the URL of a new, empty database, on the PostgreSQL server at
/// `TEST_PG_ADMIN_URL` when it is set, else a SQLite file in `dir`.
#[allow(clippy::expect_used)]
pub async fn test_url(dir: &Path) -> String {
    match std::env::var("TEST_PG_ADMIN_URL") {
        Ok(admin) if !admin.is_empty() => fresh_postgres(&admin).await,
        _ => url(None, dir).expect("database url"),
    }
}

/// For tests and benchmarks: creates an empty PostgreSQL database through `admin_url` (a
/// superuser's URL) and answers its URL.
#[allow(clippy::expect_used)]
pub async fn fresh_postgres(admin_url: &str) -> String {
    sqlx::any::install_default_drivers();
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    use sqlx::ConnectOptions;
    let mut admin = admin_url
        .parse::<AnyConnectOptions>()
        .expect("admin url")
        .connect()
        .await
        .expect("connect to PostgreSQL");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create database");
    let mut url = url::Url::parse(admin_url).expect("admin url");
    url.set_path(&name);
    url.to_string()
}

/// SQLite keeps integers as i64, while sizes, offsets and counts are u64 here. What is read
/// back was written from a u64 (never negative), and no size comes near i64::MAX (a drive
/// holds gigabytes), so both directions saturate rather than fail.
pub fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// See `to_u64`.
pub fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unreachable_database_is_named_by_host_never_by_password() {
        // Port 9 on loopback: nothing listens there.
        let err = open("postgres://app:hunter2@127.0.0.1:9/drive")
            .await
            .expect_err("nothing listens on port 9");
        let text = crate::error::chain(&err);
        assert!(text.contains("postgres://127.0.0.1:9"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(matches!(
            open("mysql://x@y/z").await,
            Err(DbOpenError::Scheme)
        ));
    }
}
