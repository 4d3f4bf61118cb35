//! Everything under `DATA_DIR` is the server's alone: the directory is 0700 and what the
//! process creates is 0600 (the database, the secret key, outbox mails, stored objects), by a
//! umask set before anything is opened. A directory found open to others (from before this
//! rule) has everything in it tightened once.

use std::path::Path;

#[cfg(unix)]
pub fn make_private(data_dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)?;
    let open_to_others = std::fs::metadata(data_dir)?.permissions().mode() & 0o077 != 0;
    if open_to_others {
        tighten(data_dir)?;
    }
    Ok(())
}

/// Directories 0700, files 0600, all the way down; links are left alone (never followed).
#[cfg(unix)]
fn tighten(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            tighten(&entry.path())?;
        } else if kind.is_file() {
            std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn make_private(data_dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn an_old_open_data_directory_is_closed_all_the_way_down() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        std::fs::create_dir_all(data.join("outbox")).unwrap();
        std::fs::write(data.join("outbox/old.eml"), "mail").unwrap();
        std::fs::write(data.join("secret.key"), "key").unwrap();
        for p in [&data, &data.join("outbox")] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::set_permissions(
            data.join("outbox/old.eml"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let elsewhere = root.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink(&elsewhere, data.join("link")).unwrap();
        make_private(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("outbox")), 0o700);
        assert_eq!(mode(&data.join("outbox/old.eml")), 0o600);
        assert_eq!(mode(&data.join("secret.key")), 0o600);
        assert_eq!(mode(&elsewhere), 0o755, "a link was followed");
        // A new directory is made private too.
        let fresh = root.path().join("fresh");
        make_private(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o700);
    }
}
