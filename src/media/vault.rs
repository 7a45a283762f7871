//! The tablet's media: each attached file encrypted on its own, beside the database in
//! `<db>.media/`, named by a keyed hash of its content so the folder says nothing about which
//! photo is which (and a photo attached twice is stored once).
//!
//! Why files beside the database and not rows inside SQLCipher: a 20 MB photo inside the
//! database passes through SQLite's page cache and WAL (written twice, checkpointed, and
//! evicting the records' pages a note's save needs), and an ordinary save would wait behind
//! it. Here a photo is written once, by its own file, and a note's save never touches it.
//!
//! Same key discipline as the database: the media key is derived from the database key (so it
//! exists only while the tablet is unlocked, is wiped with it, and a wipe of the key makes
//! every file unreadable at once). Each file is XChaCha20-Poly1305 in 64 KiB segments (the
//! STREAM construction: a segment cut, moved or dropped fails), with a random nonce per file;
//! the last segment is bound to the content's SHA-256, so a file renamed to another's name
//! fails too. Reading checks the SHA-256 of what it decrypted. Files and the folder are the
//! owner's only.

use crate::crypto::DbKey;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{KeyInit, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const MAGIC: &[u8; 8] = b"LIAMED01";
const NONCE: usize = 19;
/// Plaintext bytes per segment.
pub const SEGMENT: usize = 64 * 1024;
const TAG: usize = 16;

/// Why media could not be kept or read.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("no such file on this tablet: {0}")]
    Missing(String),
    /// Decryption failed or the content is not the one named: the file was altered, cut,
    /// or swapped.
    #[error("the stored file {0} is damaged or not the one named")]
    Damaged(String),
    #[error("the media folder could not be used: {0}")]
    Io(#[from] io::Error),
}

/// What [`MediaVault::put`] kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub sha256: String,
    pub size: u64,
    /// False when the same content was already kept (it is stored once).
    pub new: bool,
}

/// Cloned for a read outside the store's lock (the upload); each clone wipes its keys when
/// dropped.
#[derive(Clone)]
pub struct MediaVault {
    dir: PathBuf,
    key: Zeroizing<[u8; 32]>,
    name_key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for MediaVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaVault")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// `<db>.media`: where the media of the database at `db_path` are kept.
pub fn dir_beside(db_path: &Path) -> PathBuf {
    crate::crypto::with_suffix(db_path, ".media")
}

impl MediaVault {
    /// The media of the database opened with `key`, in `dir` (created, owner only, on the
    /// first file kept).
    pub fn new(dir: PathBuf, key: &DbKey) -> MediaVault {
        MediaVault {
            dir,
            key: key.derive(b"liaison-media-key-v1"),
            name_key: key.derive(b"liaison-media-name-v1"),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, sha256: &str) -> PathBuf {
        let mut h = Sha256::new();
        h.update(b"liaison-media-name-v1");
        h.update(*self.name_key);
        h.update(sha256.as_bytes());
        self.dir.join(hex::encode(h.finalize()))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&self.key[..]))
    }

    /// Whether the content named `sha256` is kept here.
    pub fn has(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_file()
    }

    /// Keeps `bytes`; returns their SHA-256 and size.
    pub fn put(&self, bytes: &[u8]) -> Result<Kept, MediaError> {
        self.put_reader(bytes)
    }

    /// Keeps what `from` reads, encrypting as it goes (a large file is never held whole).
    pub fn put_reader(&self, mut from: impl Read) -> Result<Kept, MediaError> {
        self.make_dir()?;
        let mut nonce = [0u8; NONCE];
        getrandom::getrandom(&mut nonce).map_err(|e| io::Error::other(e.to_string()))?;
        let tmp = self.dir.join(format!(".incoming-{}", hex::encode(&nonce[..8])));
        let result = (|| {
            let mut out = io::BufWriter::new(crate::files::create(&tmp)?);
            out.write_all(MAGIC)?;
            out.write_all(&nonce)?;
            let mut enc = EncryptorBE32::from_aead(self.cipher(), (&nonce).into());
            let mut hash = Sha256::new();
            let mut size = 0u64;
            let mut current = Zeroizing::new(vec![0u8; SEGMENT]);
            let mut next = Zeroizing::new(vec![0u8; SEGMENT]);
            let mut have = fill(&mut from, &mut current)?;
            loop {
                hash.update(&current[..have]);
                size += have as u64;
                let ahead = if have == SEGMENT {
                    fill(&mut from, &mut next)?
                } else {
                    0
                };
                if ahead == 0 {
                    let sha256 = hex::encode(hash.finalize());
                    let sealed = enc
                        .encrypt_last(Payload {
                            msg: &current[..have],
                            aad: sha256.as_bytes(),
                        })
                        .map_err(|_| io::Error::other("encryption failed"))?;
                    out.write_all(&sealed)?;
                    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                    return Ok((sha256, size));
                }
                let sealed = enc
                    .encrypt_next(&current[..have])
                    .map_err(|_| io::Error::other("encryption failed"))?;
                out.write_all(&sealed)?;
                std::mem::swap(&mut current, &mut next);
                have = ahead;
            }
        })();
        let (sha256, size) = match result {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(MediaError::Io(e));
            }
        };
        let path = self.path_of(&sha256);
        if path.exists() {
            std::fs::remove_file(&tmp)?;
            return Ok(Kept {
                sha256,
                size,
                new: false,
            });
        }
        std::fs::rename(&tmp, &path)?;
        sync_dir(&self.dir)?;
        Ok(Kept {
            sha256,
            size,
            new: true,
        })
    }

    /// The content named `sha256`, decrypted and checked against its name.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, MediaError> {
        let mut out = Vec::new();
        self.read_into(sha256, &mut out)?;
        Ok(out)
    }

    /// Decrypts the content named `sha256` into `to`, a segment at a time; fails (having
    /// written part of it) if the file was altered. Returns the size.
    pub fn read_into(&self, sha256: &str, mut to: impl Write) -> Result<u64, MediaError> {
        let damaged = || MediaError::Damaged(sha256.to_string());
        let file = match std::fs::File::open(self.path_of(sha256)) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(MediaError::Missing(sha256.into())),
            Err(e) => return Err(e.into()),
        };
        let mut from = io::BufReader::new(file);
        let mut head = [0u8; MAGIC.len() + NONCE];
        from.read_exact(&mut head).map_err(|_| damaged())?;
        if &head[..MAGIC.len()] != MAGIC {
            return Err(damaged());
        }
        let nonce: [u8; NONCE] = head[MAGIC.len()..].try_into().expect("sized");
        let mut dec = DecryptorBE32::from_aead(self.cipher(), (&nonce).into());
        let mut hash = Sha256::new();
        let mut size = 0u64;
        let mut current = vec![0u8; SEGMENT + TAG];
        let mut next = vec![0u8; SEGMENT + TAG];
        let mut have = fill(&mut from, &mut current)?;
        loop {
            let ahead = if have == SEGMENT + TAG {
                fill(&mut from, &mut next)?
            } else {
                0
            };
            if ahead == 0 {
                let plain = Zeroizing::new(
                    dec.decrypt_last(Payload {
                        msg: &current[..have],
                        aad: sha256.as_bytes(),
                    })
                    .map_err(|_| damaged())?,
                );
                hash.update(&plain);
                size += plain.len() as u64;
                to.write_all(&plain)?;
                break;
            }
            let plain = Zeroizing::new(dec.decrypt_next(&current[..have]).map_err(|_| damaged())?);
            hash.update(&plain);
            size += plain.len() as u64;
            to.write_all(&plain)?;
            std::mem::swap(&mut current, &mut next);
            have = ahead;
        }
        if hex::encode(hash.finalize()) != sha256 {
            return Err(damaged());
        }
        Ok(size)
    }

    /// The size on disk of the content named `sha256`, if kept.
    pub fn size_on_disk(&self, sha256: &str) -> Option<u64> {
        std::fs::metadata(self.path_of(sha256)).ok().map(|m| m.len())
    }

    /// Removes the content named `sha256`; false if it was not kept.
    pub fn remove(&self, sha256: &str) -> Result<bool, MediaError> {
        match std::fs::remove_file(self.path_of(sha256)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes every file not named in `keep` (and any incoming file left by a crash);
    /// returns how many files and bytes went.
    pub fn retain<'a>(&self, keep: impl IntoIterator<Item = &'a str>) -> Result<(u64, u64), MediaError> {
        let keep: std::collections::HashSet<PathBuf> = keep.into_iter().map(|s| self.path_of(s)).collect();
        self.count_files(|path| {
            if keep.contains(path) {
                return Ok(false);
            }
            std::fs::remove_file(path)?;
            Ok(true)
        })
    }

    /// Files kept and their size on disk.
    pub fn usage(&self) -> Result<(u64, u64), MediaError> {
        self.count_files(|_| Ok(true))
    }

    /// The files in the folder for which `counted` says yes (it is told each path after its
    /// size was read), and their bytes; none when the folder was never made.
    fn count_files(&self, mut counted: impl FnMut(&Path) -> io::Result<bool>) -> Result<(u64, u64), MediaError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((0, 0)),
            Err(e) => return Err(e.into()),
        };
        let (mut files, mut bytes) = (0, 0);
        for entry in entries {
            let entry = entry?;
            let size = entry.metadata()?.len();
            if counted(&entry.path())? {
                files += 1;
                bytes += size;
            }
        }
        Ok((files, bytes))
    }

    fn make_dir(&self) -> io::Result<()> {
        match std::fs::create_dir(&self.dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn fill(from: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match from.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(dir: &Path, key: u8) -> MediaVault {
        MediaVault::new(dir.join("device.db.media"), &DbKey::from_bytes_for_tests([key; 32]))
    }

    fn photo(len: usize) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
        b.extend((0..len).map(|i| (i * 31 % 251) as u8));
        b.extend_from_slice(b"Exif GPSLatitude marker text");
        b
    }

    #[test]
    fn a_file_is_kept_encrypted_once_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path(), 7);
        for len in [0, 1, SEGMENT - 4, SEGMENT, 3 * SEGMENT + 17] {
            let bytes = photo(len);
            let kept = v.put(&bytes).unwrap();
            assert!(kept.new);
            assert_eq!(kept.size, bytes.len() as u64);
            assert_eq!(kept.sha256, hex::encode(Sha256::digest(&bytes)));
            assert_eq!(v.get(&kept.sha256).unwrap(), bytes, "{len} bytes");
            let again = v.put(&bytes).unwrap();
            assert!(!again.new, "the same photo twice is kept once");
        }
        let (files, _) = v.usage().unwrap();
        assert_eq!(files, 5);
        // Nothing of the picture is readable on disk: no JPEG header, no EXIF text, and no
        // file is named by the content's hash.
        for entry in std::fs::read_dir(v.dir()).unwrap() {
            let entry = entry.unwrap();
            let raw = std::fs::read(entry.path()).unwrap();
            assert!(!raw.windows(3).any(|w| w == [0xFF, 0xD8, 0xFF]));
            assert!(!raw.windows(4).any(|w| w == b"Exif"));
            let name = entry.file_name().into_string().unwrap();
            assert_ne!(name, hex::encode(Sha256::digest(photo(0))));
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                assert_eq!(entry.metadata().unwrap().permissions().mode() & 0o777, 0o600);
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(v.dir()).unwrap().permissions().mode() & 0o777, 0o700);
        }
    }

    #[test]
    fn a_flipped_byte_a_cut_file_a_swapped_file_or_another_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path(), 7);
        let a = v.put(&photo(2 * SEGMENT + 5)).unwrap();
        let b = v.put(&photo(100)).unwrap();
        let path_a = v.path_of(&a.sha256);
        let original = std::fs::read(&path_a).unwrap();

        for at in [0, MAGIC.len() + 3, 40, SEGMENT + 30, original.len() - 1] {
            let mut bad = original.clone();
            bad[at] ^= 0x01;
            std::fs::write(&path_a, &bad).unwrap();
            assert!(matches!(v.get(&a.sha256), Err(MediaError::Damaged(_))), "byte {at}");
        }
        std::fs::write(&path_a, &original[..SEGMENT + TAG + MAGIC.len() + NONCE]).unwrap();
        assert!(
            matches!(v.get(&a.sha256), Err(MediaError::Damaged(_))),
            "a file cut at a segment's end"
        );
        std::fs::copy(v.path_of(&b.sha256), &path_a).unwrap();
        assert!(
            matches!(v.get(&a.sha256), Err(MediaError::Damaged(_))),
            "another file under this name"
        );
        std::fs::write(&path_a, &original).unwrap();
        assert_eq!(v.get(&a.sha256).unwrap(), photo(2 * SEGMENT + 5));

        let stranger = MediaVault::new(v.dir().to_path_buf(), &DbKey::from_bytes_for_tests([8; 32]));
        assert!(
            matches!(stranger.get(&a.sha256), Err(MediaError::Missing(_))),
            "another key names files otherwise"
        );
        std::fs::copy(&path_a, stranger.path_of(&a.sha256)).unwrap();
        assert!(
            matches!(stranger.get(&a.sha256), Err(MediaError::Damaged(_))),
            "and cannot read them"
        );
    }

    #[test]
    fn retain_keeps_what_records_name_and_removes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path(), 7);
        let a = v.put(&photo(10)).unwrap();
        let b = v.put(&photo(20)).unwrap();
        std::fs::write(v.dir().join(".incoming-deadbeef"), b"left by a crash").unwrap();
        let (files, _) = v.retain([a.sha256.as_str()]).unwrap();
        assert_eq!(files, 2);
        assert!(v.has(&a.sha256) && !v.has(&b.sha256));
        assert!(v.remove(&a.sha256).unwrap());
        assert!(!v.remove(&a.sha256).unwrap());
        assert!(matches!(v.get(&a.sha256), Err(MediaError::Missing(_))));
    }
}
