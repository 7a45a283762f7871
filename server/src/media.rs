//! Where the force server keeps the files records name (issue 16): behind [`MediaStore`], so a
//! force can put them on object storage; [`FsMediaStore`] keeps them on the file system, the
//! embedded default.
//!
//! A file arrives in chunks, each appended at the offset the server has acknowledged so far
//! (so a tablet whose connection was cut resumes from the last byte the server holds, and an
//! acknowledged chunk is never sent twice); when the last byte arrives its SHA-256 is checked
//! against the name the record gave it, and only then is it kept. A file is kept once per hash,
//! however many records or devices name it. [`MediaStore::verify`] reads every kept file back
//! against its hash (the server's `verify` command reports what it finds).

use sha2::{Digest, Sha256};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// How much of a file the server holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// All of it, checked against its hash.
    Complete(u64),
    /// The first `n` bytes (0: nothing yet); the upload resumes at `n`.
    Partial(u64),
}

/// Why a chunk or a file was refused.
#[derive(Debug, thiserror::Error)]
pub enum MediaFailure {
    /// The chunk does not start where the server's copy ends: resume from `held`.
    #[error("the chunk starts at byte {offset}, but the server holds {held} bytes: resume from there")]
    WrongOffset { offset: u64, held: u64 },
    /// More bytes than the record says the file has.
    #[error("the file would be {would_be} bytes, more than the {size} the record names")]
    TooLong { would_be: u64, size: u64 },
    /// The whole file arrived and is not the one named: what arrived is thrown away.
    #[error("the file that arrived has SHA-256 {got}, not {expected}: it was thrown away, send it again")]
    HashMismatch { expected: String, got: String },
    #[error("no file {0} is kept here")]
    Missing(String),
    #[error("the media store failed: {0}")]
    Io(#[from] io::Error),
}

/// A problem [`MediaStore::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaProblem {
    pub sha256: String,
    pub problem: String,
}

/// The server's files, by SHA-256 (lowercase hex, checked by the caller).
pub trait MediaStore: Send + Sync + 'static {
    /// How much of `sha256` is held.
    fn held(&self, sha256: &str) -> Result<Held, MediaFailure>;
    /// Appends `chunk` at `offset` (which must be what [`held`](Self::held) says) to the file
    /// of `size` bytes named `sha256`; when that completes it, checks the hash and keeps it.
    /// Returns what is held after.
    fn append(&self, sha256: &str, size: u64, offset: u64, chunk: &[u8]) -> Result<Held, MediaFailure>;
    /// The whole of a kept file.
    fn read(&self, sha256: &str) -> Result<Vec<u8>, MediaFailure>;
    /// At most `len` bytes of a kept file from `offset` (none past its end), and the file's
    /// whole size: a colleague's tablet fetches a file in ranges, resuming where a cut
    /// connection left it.
    fn read_range(&self, sha256: &str, offset: u64, len: u64) -> Result<(u64, Vec<u8>), MediaFailure>;
    /// Every kept file read back against its hash.
    fn verify(&self) -> Result<(u64, Vec<MediaProblem>), MediaFailure>;
}

/// Files on the server's file system: `objects/ab/abcdef…` kept whole, `incoming/abcdef…`
/// while arriving. Owner-only files, as the server's database.
pub struct FsMediaStore {
    root: PathBuf,
    /// The SHA-256 so far of each file arriving through this process, with the bytes it
    /// covers: the last chunk completes it instead of the whole file being read again. A file
    /// whose earlier chunks another process (or a run before a restart) took is read again.
    running: std::sync::Mutex<std::collections::HashMap<String, (u64, Sha256)>>,
}

impl FsMediaStore {
    /// The store at `root` (created if missing).
    pub fn open(root: impl Into<PathBuf>) -> io::Result<FsMediaStore> {
        let root = root.into();
        for d in [root.join("objects"), root.join("incoming")] {
            std::fs::create_dir_all(&d)?;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(FsMediaStore {
            root,
            running: Default::default(),
        })
    }

    /// `<db>.media`, beside a SQLite server database.
    pub fn beside(db: &Path) -> io::Result<FsMediaStore> {
        let mut dir = db.as_os_str().to_owned();
        dir.push(".media");
        FsMediaStore::open(PathBuf::from(dir))
    }

    /// Where the kept file named `sha256` is (whether or not it is there).
    pub fn file_of(&self, sha256: &str) -> PathBuf {
        self.root.join("objects").join(&sha256[..2]).join(sha256)
    }

    fn incoming(&self, sha256: &str) -> PathBuf {
        self.root.join("incoming").join(sha256)
    }
}

fn len_of(path: &Path) -> io::Result<Option<u64>> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(Some(m.len())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn sha256_of(path: &Path) -> io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

impl MediaStore for FsMediaStore {
    fn held(&self, sha256: &str) -> Result<Held, MediaFailure> {
        if let Some(n) = len_of(&self.file_of(sha256))? {
            return Ok(Held::Complete(n));
        }
        Ok(Held::Partial(len_of(&self.incoming(sha256))?.unwrap_or(0)))
    }

    fn append(&self, sha256: &str, size: u64, offset: u64, chunk: &[u8]) -> Result<Held, MediaFailure> {
        if let Some(n) = len_of(&self.file_of(sha256))? {
            return Ok(Held::Complete(n));
        }
        let path = self.incoming(sha256);
        liaison_core::files::owner_only(&path)?;
        let mut f = std::fs::OpenOptions::new().write(true).open(&path)?;
        // One writer at a time per file, across requests and across server processes sharing
        // the folder: two tablets sending the same photo, or a retry overtaking a request the
        // tablet gave up on, each see what the other wrote before deciding where to append.
        f.lock()?;
        if let Some(n) = len_of(&self.file_of(sha256))? {
            // Completed by the other writer while this one waited; an empty file this request
            // made after it did is left over.
            if len_of(&path)? == Some(0) {
                std::fs::remove_file(&path)?;
            }
            return Ok(Held::Complete(n));
        }
        let held = f.metadata()?.len();
        if offset != held {
            return Err(MediaFailure::WrongOffset { offset, held });
        }
        let would_be = held + chunk.len() as u64;
        if would_be > size {
            return Err(MediaFailure::TooLong { would_be, size });
        }
        f.seek(SeekFrom::Start(held))?;
        f.write_all(chunk)?;
        f.sync_data()?;
        let hashed = {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            let mut entry = running.remove(sha256).filter(|(n, _)| *n == held);
            if held == 0 {
                entry = Some((0, Sha256::new()));
            }
            entry.map(|(_, mut h)| {
                h.update(chunk);
                (would_be, h)
            })
        };
        if would_be < size {
            if let Some(h) = hashed {
                let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
                running.insert(sha256.to_string(), h);
            }
            return Ok(Held::Partial(would_be));
        }
        let got = match hashed {
            Some((_, h)) => hex::encode(h.finalize()),
            None => sha256_of(&path)?,
        };
        if got != sha256 {
            std::fs::remove_file(&path)?;
            return Err(MediaFailure::HashMismatch {
                expected: sha256.to_string(),
                got,
            });
        }
        let object = self.file_of(sha256);
        std::fs::create_dir_all(object.parent().expect("objects/ab"))?;
        std::fs::rename(&path, &object)?;
        Ok(Held::Complete(size))
    }

    fn read(&self, sha256: &str) -> Result<Vec<u8>, MediaFailure> {
        match std::fs::read(self.file_of(sha256)) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(MediaFailure::Missing(sha256.into())),
            Err(e) => Err(e.into()),
        }
    }

    fn read_range(&self, sha256: &str, offset: u64, len: u64) -> Result<(u64, Vec<u8>), MediaFailure> {
        let mut f = match std::fs::File::open(self.file_of(sha256)) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(MediaFailure::Missing(sha256.into())),
            Err(e) => return Err(e.into()),
        };
        let size = f.metadata()?.len();
        let from = offset.min(size);
        f.seek(SeekFrom::Start(from))?;
        let mut out = Vec::with_capacity(len.min(size - from) as usize);
        f.take(len).read_to_end(&mut out)?;
        Ok((size, out))
    }

    fn verify(&self) -> Result<(u64, Vec<MediaProblem>), MediaFailure> {
        let mut checked = 0;
        let mut problems = Vec::new();
        for dir in std::fs::read_dir(self.root.join("objects"))? {
            for file in std::fs::read_dir(dir?.path())? {
                let file = file?;
                let name = file.file_name().to_string_lossy().into_owned();
                checked += 1;
                match sha256_of(&file.path()) {
                    Ok(got) if got == name => {}
                    Ok(got) => problems.push(MediaProblem {
                        sha256: name,
                        problem: format!("its content has SHA-256 {got}: the file was altered"),
                    }),
                    Err(e) => problems.push(MediaProblem {
                        sha256: name,
                        problem: format!("it cannot be read: {e}"),
                    }),
                }
            }
        }
        problems.sort_by(|a, b| a.sha256.cmp(&b.sha256));
        Ok((checked, problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(b: &[u8]) -> String {
        hex::encode(Sha256::digest(b))
    }

    #[test]
    fn a_file_arrives_in_chunks_resumes_where_the_server_stopped_and_is_kept_once_checked() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsMediaStore::open(dir.path().join("media")).unwrap();
        let photo: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
        let name = sha(&photo);
        let size = photo.len() as u64;
        assert_eq!(store.held(&name).unwrap(), Held::Partial(0));
        assert_eq!(
            store.append(&name, size, 0, &photo[..1_000_000]).unwrap(),
            Held::Partial(1_000_000)
        );
        // The answer was lost: the tablet sends the same chunk again and is told where to go on.
        match store.append(&name, size, 0, &photo[..1_000_000]) {
            Err(MediaFailure::WrongOffset { held: 1_000_000, .. }) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(
            store
                .append(&name, size, 1_000_000, &photo[1_000_000..2_500_000])
                .unwrap(),
            Held::Partial(2_500_000)
        );
        assert!(matches!(
            store.append(&name, size, 2_500_000, &[0u8; 600_000]),
            Err(MediaFailure::TooLong { .. })
        ));
        assert_eq!(
            store.append(&name, size, 2_500_000, &photo[2_500_000..]).unwrap(),
            Held::Complete(size)
        );
        assert_eq!(store.read(&name).unwrap(), photo);
        // Named again (another record, another tablet): already held, nothing written.
        assert_eq!(
            store.append(&name, size, 0, &photo[..10]).unwrap(),
            Held::Complete(size)
        );
        assert_eq!(store.verify().unwrap(), (1, vec![]));
        assert_eq!(
            store.read_range(&name, 2_999_990, 100).unwrap(),
            (size, photo[2_999_990..].to_vec())
        );
        assert_eq!(store.read_range(&name, size + 5, 100).unwrap(), (size, vec![]));
        assert!(matches!(
            store.read_range(&sha(b"never sent"), 0, 10),
            Err(MediaFailure::Missing(_))
        ));
    }

    #[test]
    fn two_requests_appending_the_same_chunk_at_once_leave_one_copy_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(FsMediaStore::open(dir.path().join("media")).unwrap());
        let photo: Vec<u8> = (0..4_000_000u32).map(|i| (i % 251) as u8).collect();
        let name = sha(&photo);
        let size = photo.len() as u64;
        // Two tablets (or a retry and the request it gave up on) send each chunk together.
        let mut at = 0usize;
        while at < photo.len() {
            let end = (at + 500_000).min(photo.len());
            let outcomes: Vec<_> = (0..2)
                .map(|_| {
                    let (store, name, chunk) = (store.clone(), name.clone(), photo[at..end].to_vec());
                    std::thread::spawn(move || store.append(&name, size, at as u64, &chunk))
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|t| t.join().unwrap())
                .collect();
            assert!(outcomes.iter().any(|o| o.is_ok()), "{outcomes:?}");
            for o in &outcomes {
                match o {
                    Ok(_) | Err(MediaFailure::WrongOffset { .. }) => {}
                    other => panic!("{other:?}"),
                }
            }
            at = end;
        }
        assert_eq!(store.held(&name).unwrap(), Held::Complete(size));
        assert_eq!(store.read(&name).unwrap(), photo);
        assert_eq!(std::fs::read_dir(dir.path().join("media/incoming")).unwrap().count(), 0);
    }

    #[test]
    fn a_file_whose_bytes_are_not_its_name_is_thrown_away_and_verify_finds_a_flipped_byte() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsMediaStore::open(dir.path().join("media")).unwrap();
        let claimed = sha(b"the photo named");
        match store.append(&claimed, 9, 0, b"not it 12") {
            Err(MediaFailure::HashMismatch { expected, .. }) => assert_eq!(expected, claimed),
            other => panic!("{other:?}"),
        }
        assert_eq!(store.held(&claimed).unwrap(), Held::Partial(0), "nothing kept");

        let good = b"a leaflet photographed at the gate".to_vec();
        let name = sha(&good);
        store.append(&name, good.len() as u64, 0, &good).unwrap();
        let path = store.file_of(&name);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[5] ^= 0x01;
        std::fs::write(&path, bytes).unwrap();
        let (checked, problems) = store.verify().unwrap();
        assert_eq!(checked, 1);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].sha256, name);
        assert!(problems[0].problem.contains("altered"), "{:?}", problems[0]);
    }
}
