//! Files that hold secrets (on the tablet: the database, its WAL and shared memory, the wrapped
//! key, the wipe notice; on the server: its database) are readable by their owner only: another local account, a backup
//! tool running as another user, or an app with broad storage access gets nothing, not even
//! the ciphertext to guess passcodes against. Created 0600; an existing one found wider is
//! narrowed, with a warning, when it is opened. Where the platform has no Unix modes (none
//! that Liaison ships on today), the app's private storage is the boundary and these are
//! no-ops.

use std::io;
use std::path::Path;

/// Only the owner may read or write.
pub const OWNER_ONLY: u32 = 0o600;

/// Makes sure `path` exists (empty if new) and is readable by its owner only.
pub fn owner_only(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(OWNER_ONLY)
            .open(path)
        {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => narrow(path),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Narrows an existing file to its owner; a missing one is left missing.
pub fn narrow(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                tracing::warn!(path = %path.display(), "a device file was readable by others: now owner only");
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(OWNER_ONLY))
            }
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Creates (or truncates) `path` for writing, readable by its owner only.
pub fn create(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(OWNER_ONLY);
    }
    let file = options.open(path)?;
    // `mode` applies only when the file is created: an old one keeps its mode unless narrowed.
    narrow(path)?;
    Ok(file)
}

/// Stops this process from ever writing a core dump (a crash must not put decrypted pages or
/// the key on disk) and from being read by another process of the same user through ptrace or
/// /proc. Called once at the app's start.
pub fn no_core_dumps() -> io::Result<()> {
    #[cfg(unix)]
    {
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass; no memory is retained.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: PR_SET_DUMPABLE takes plain integer arguments.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Whether this process may write a core dump (for the tests and the app's self-check).
pub fn core_dumps_allowed() -> bool {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we own.
        let ok = unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) } == 0;
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            // SAFETY: PR_GET_DUMPABLE takes no pointers.
            let dumpable = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
            return !(ok && limit.rlim_cur == 0 && dumpable == 0);
        }
        #[allow(unreachable_code)]
        !(ok && limit.rlim_cur == 0)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_file_is_owner_only_and_a_wide_one_is_narrowed() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.db");
        owner_only(&new).unwrap();
        assert_eq!(mode(&new), 0o600);
        let wide = dir.path().join("wide.db");
        std::fs::write(&wide, b"x").unwrap();
        std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o644)).unwrap();
        owner_only(&wide).unwrap();
        assert_eq!(mode(&wide), 0o600);
        assert_eq!(std::fs::read(&wide).unwrap(), b"x", "narrowing keeps the content");
        let written = dir.path().join("key.json");
        std::fs::write(&written, b"old").unwrap();
        std::fs::set_permissions(&written, std::fs::Permissions::from_mode(0o666)).unwrap();
        drop(create(&written).unwrap());
        assert_eq!(mode(&written), 0o600);
    }
}
