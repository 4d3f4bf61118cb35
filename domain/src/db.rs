//! The one SQLite connection pool, in WAL mode, with migrations applied at start-up.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub type Db = SqlitePool;

#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("cannot create data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("cannot open database: {0}")]
    Open(#[from] sqlx::Error),
    #[error("cannot migrate database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Opens (creating if needed) `<data_dir>/clouddrive.sqlite3` and migrates it.
pub async fn open(data_dir: &Path) -> Result<Db, DbOpenError> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| DbOpenError::DataDir(data_dir.display().to_string(), e))?;
    let path = data_dir.join("clouddrive.sqlite3");
    let options = SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL is durable across application crashes, and fast.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

#[cfg(test)]
pub async fn test_db() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = open(dir.path()).await.expect("open db");
    (db, dir)
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
