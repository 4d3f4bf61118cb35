//! Everything under `DATA_DIR` is the server's alone: the directory is 0700 and what the
//! process creates is 0600 (the database, the secret key, outbox mails, stored objects), by a
//! umask set before anything is opened. Files from before are tightened at start.

use std::path::Path;

#[cfg(unix)]
pub fn make_private(data_dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)?;
    std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700))?;
    for entry in std::fs::read_dir(data_dir)? {
        let entry = entry?;
        let mode = if entry.file_type()?.is_dir() {
            0o700
        } else {
            0o600
        };
        std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn make_private(data_dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)
}
