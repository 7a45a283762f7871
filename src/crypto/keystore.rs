//! The database key and its wrapping.
//!
//! The SQLCipher key is 256 random bits made once per device. It is never stored in the clear:
//! the keystore file holds it encrypted (XChaCha20-Poly1305) under a key derived from the
//! officer's passcode with Argon2id. Changing the passcode re-wraps the same key, so the
//! database is not re-encrypted. Wrong passcodes are counted in the file *before* the attempt
//! is checked (killing the app mid-attempt does not reset the count), answered with growing
//! delays, and after the limit the wrapped key is destroyed: the data cannot be read by anyone
//! and the device must be re-enrolled.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Binds the wrapped key to its purpose, so a ciphertext from elsewhere cannot be swapped in.
const AAD: &[u8] = b"liaison-db-key-v1";
use super::guard::{KeyGuard, KeyGuardKind, PasscodeRule};

/// The database key. Wiped from memory when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DbKey([u8; 32]);

impl DbKey {
    pub(crate) fn random() -> Result<DbKey, KeyError> {
        let mut k = [0u8; 32];
        getrandom::getrandom(&mut k).map_err(|e| KeyError::Io(e.to_string()))?;
        Ok(DbKey(k))
    }

    #[doc(hidden)]
    pub fn from_bytes_for_tests(b: [u8; 32]) -> DbKey {
        DbKey(b)
    }

    #[cfg(feature = "tpm")]
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    #[cfg(feature = "tpm")]
    pub(crate) fn from_bytes(b: [u8; 32]) -> DbKey {
        DbKey(b)
    }

    /// A key for another purpose (the media files), derived from this one: SHA-256 over the
    /// purpose and the key. Exists only while the database key does.
    pub(crate) fn derive(&self, purpose: &[u8]) -> Zeroizing<[u8; 32]> {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update((purpose.len() as u64).to_le_bytes());
        h.update(purpose);
        h.update(self.0);
        Zeroizing::new(h.finalize().into())
    }

    /// The key as SQLCipher's raw-key literal, `x'…'`, in memory that is wiped after use.
    pub(crate) fn sqlcipher_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0)))
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

/// Argon2id cost. The defaults were measured on the reference machine to take about half a
/// second (see `cargo bench --bench crypto`): slow enough that guessing a 6-digit passcode
/// offline takes days per device, fast enough to unlock with gloves on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams {
            memory_kib: 64 * 1024,
            iterations: 8,
            parallelism: 1,
        }
    }
}

impl KdfParams {
    /// Cheap parameters for tests only.
    pub fn insecure_for_tests() -> Self {
        KdfParams {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
        }
    }
}

/// What is refused when unlocking or changing the passcode.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum KeyError {
    #[error("wrong passcode; {remaining} attempts left before this device's data is destroyed")]
    WrongPasscode { remaining: u32 },
    #[error("too many wrong passcodes: wait {} seconds before trying again", .wait.as_secs().max(1))]
    TooSoon { wait: Duration },
    #[error(
        "too many wrong passcodes: the key to this device's data has been destroyed. \
         Unsynced records cannot be recovered; the device must be re-enrolled by force IT"
    )]
    Destroyed,
    #[error("{0}")]
    WeakPasscode(PasscodeRule),
    #[error(
        "the tablet's security chip (TPM) could not be reached: {0}. Nothing was changed or erased; \
         restart the tablet, and if this stays, ask force IT"
    )]
    HardwareAbsent(String),
    #[error("{}", lockout_message(*.wait))]
    HardwareLockout {
        /// Until the chip forgives one wrong attempt; zero when it never does by itself.
        wait: Duration,
    },
    #[error(
        "this tablet's key was sealed by another device's security chip (the files were copied here, \
         or the chip was reset): it cannot be opened on this tablet. Nothing was erased; ask force IT"
    )]
    ForeignHardware,
    #[error(
        "the tablet's security chip is not set up for Liaison (its lockout is not protected): \
         force IT must provision it before a passcode can be set"
    )]
    HardwareNotProvisioned,
    #[error("the tablet's security chip refused: {0}. Nothing was erased; ask force IT")]
    Hardware(String),
    #[error("this device has no key yet: set a passcode first")]
    NoKeystore,
    #[error("the keystore file is damaged: {0}")]
    Damaged(String),
    #[error("the keystore could not be written: {0}")]
    Io(String),
}

fn lockout_message(wait: Duration) -> String {
    let when = match wait.as_secs().div_ceil(60) {
        0 => "force IT must reset it".to_string(),
        1 => "try again in a minute".to_string(),
        n => format!("try again in {n} minutes"),
    };
    format!(
        "the tablet's security chip has locked the passcode after too many wrong attempts: {when}. Nothing was erased"
    )
}

#[derive(Serialize, Deserialize)]
struct KeystoreFile {
    version: u32,
    kdf: KdfParams,
    salt: String,
    nonce: String,
    wrapped: String,
    /// Wrong attempts since the last success.
    failures: u32,
    /// No attempt is checked before this time (ms since the epoch).
    not_before_ms: u64,
}

/// The keystore on disk, with its attempt limit.
pub struct KeyStore {
    path: PathBuf,
    max_attempts: u32,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The delay imposed after `failures` wrong attempts: none for the first three (typos), then
/// doubling from 2 s, capped at 5 minutes.
pub fn delay_after(failures: u32) -> Duration {
    if failures < 3 {
        return Duration::ZERO;
    }
    Duration::from_secs((1u64 << (failures - 2).min(20)).min(300))
}

pub(crate) fn derive(passcode: &str, salt: &[u8], kdf: KdfParams) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32))
        .map_err(|e| KeyError::Damaged(e.to_string()))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passcode.as_bytes(), salt, out.as_mut())
        .map_err(|e| KeyError::Damaged(e.to_string()))?;
    Ok(out)
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N], KeyError> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).map_err(|e| KeyError::Io(e.to_string()))?;
    Ok(b)
}

fn wrap(key: &DbKey, passcode: &str, kdf: KdfParams) -> Result<KeystoreFile, KeyError> {
    let salt: [u8; 16] = random()?;
    let nonce: [u8; 24] = random()?;
    let kek = derive(passcode, &salt, kdf)?;
    let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(kek.as_ref()));
    let wrapped = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: &key.0, aad: AAD })
        .map_err(|_| KeyError::Damaged("encryption failed".into()))?;
    Ok(KeystoreFile {
        version: 1,
        kdf,
        salt: hex::encode(salt),
        nonce: hex::encode(nonce),
        wrapped: hex::encode(wrapped),
        failures: 0,
        not_before_ms: 0,
    })
}

fn check_passcode(passcode: &str) -> Result<(), KeyError> {
    KeyGuardKind::Software.passcode_rule().check(passcode)
}

impl KeyStore {
    pub fn new(path: impl Into<PathBuf>, max_attempts: u32) -> KeyStore {
        KeyStore {
            path: path.into(),
            max_attempts: max_attempts.max(1),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// Makes a new random database key, wraps it under `passcode` and writes the keystore.
    pub fn create(&self, passcode: &str, kdf: KdfParams) -> Result<DbKey, KeyError> {
        check_passcode(passcode)?;
        let key = DbKey::random()?;
        self.write(&wrap(&key, passcode, kdf)?)?;
        Ok(key)
    }

    /// Unwraps the database key. Counts the attempt before checking it; applies the delay;
    /// destroys the keystore at the limit.
    pub fn unlock(&self, passcode: &str) -> Result<DbKey, KeyError> {
        let mut file = self.read()?;
        let now = now_ms();
        if now < file.not_before_ms {
            return Err(KeyError::TooSoon {
                wait: Duration::from_millis(file.not_before_ms - now),
            });
        }
        // Count first: an attempt interrupted by killing the app still counts.
        file.failures += 1;
        file.not_before_ms = now + delay_after(file.failures).as_millis() as u64;
        self.write(&file)?;
        match self.try_unwrap(&file, passcode) {
            Ok(key) => {
                file.failures = 0;
                file.not_before_ms = 0;
                self.write(&file)?;
                Ok(key)
            }
            Err(KeyError::WrongPasscode { .. }) if file.failures >= self.max_attempts => {
                self.destroy()?;
                Err(KeyError::Destroyed)
            }
            Err(KeyError::WrongPasscode { .. }) => Err(KeyError::WrongPasscode {
                remaining: self.max_attempts - file.failures,
            }),
            Err(e) => Err(e),
        }
    }

    /// Re-wraps the same database key under a new passcode (the database is not re-encrypted).
    pub fn change_passcode(&self, old: &str, new: &str) -> Result<(), KeyError> {
        check_passcode(new)?;
        let key = self.unlock(old)?;
        let kdf = self.read()?.kdf;
        self.write(&wrap(&key, new, kdf)?)
    }

    /// Overwrites the wrapped key and removes the file: without it the database is noise.
    pub fn destroy(&self) -> Result<(), KeyError> {
        erase(&self.path)
    }

    fn try_unwrap(&self, file: &KeystoreFile, passcode: &str) -> Result<DbKey, KeyError> {
        let bad = |what: &str| KeyError::Damaged(format!("{what} is not valid hex"));
        let salt = hex::decode(&file.salt).map_err(|_| bad("salt"))?;
        let nonce = hex::decode(&file.nonce).map_err(|_| bad("nonce"))?;
        let wrapped = hex::decode(&file.wrapped).map_err(|_| bad("wrapped key"))?;
        if nonce.len() != 24 {
            return Err(KeyError::Damaged("nonce has the wrong length".into()));
        }
        let kek = derive(passcode, &salt, file.kdf)?;
        let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(kek.as_ref()));
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: &wrapped,
                        aad: AAD,
                    },
                )
                .map_err(|_| KeyError::WrongPasscode { remaining: 0 })?,
        );
        let bytes: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Damaged("wrapped key has the wrong length".into()))?;
        Ok(DbKey(bytes))
    }

    fn read(&self) -> Result<KeystoreFile, KeyError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(KeyError::NoKeystore),
            Err(e) => return Err(KeyError::Io(e.to_string())),
        };
        serde_json::from_str(&text).map_err(|e| KeyError::Damaged(e.to_string()))
    }

    fn write(&self, file: &KeystoreFile) -> Result<(), KeyError> {
        write_atomically(
            &self.path,
            &serde_json::to_vec(file).map_err(|e| KeyError::Io(e.to_string()))?,
        )
    }
}

/// Atomic replace: write a temporary file (owner-only), fsync it, rename over the old one,
/// fsync the directory. A crash leaves either the old or the new file, never half of one.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let io = |e: std::io::Error| KeyError::Io(e.to_string());
    let tmp = path.with_extension("tmp");
    {
        let mut f = crate::files::create(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)?;
    if let Some(dir) = path.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Overwrites a key file with zeros and removes it; a missing file is already gone.
pub(crate) fn erase(path: &Path) -> Result<(), KeyError> {
    if let Ok(len) = std::fs::metadata(path).map(|m| m.len()) {
        let zeros = vec![0u8; len as usize];
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(path) {
            let _ = f.write_all(&zeros).and_then(|_| f.sync_all());
        }
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(KeyError::Io(e.to_string())),
    }
}

impl KeyGuard for KeyStore {
    fn kind(&self) -> KeyGuardKind {
        KeyGuardKind::Software
    }
    fn exists(&self) -> bool {
        KeyStore::exists(self)
    }
    fn create(&self, passcode: &str, kdf: KdfParams) -> Result<DbKey, KeyError> {
        KeyStore::create(self, passcode, kdf)
    }
    fn unlock(&self, passcode: &str) -> Result<DbKey, KeyError> {
        KeyStore::unlock(self, passcode)
    }
    fn change_passcode(&self, old: &str, new: &str) -> Result<(), KeyError> {
        KeyStore::change_passcode(self, old, new)
    }
    fn destroy(&self) -> Result<(), KeyError> {
        KeyStore::destroy(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &tempfile::TempDir, max: u32) -> KeyStore {
        KeyStore::new(dir.path().join("device.keystore"), max)
    }

    #[test]
    fn the_right_passcode_unwraps_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let ks = store(&dir, 10);
        let key = ks.create("2468101214", KdfParams::insecure_for_tests()).unwrap();
        assert_eq!(ks.unlock("2468101214").unwrap().0, key.0);
        // The file never holds the key in the clear.
        let text = std::fs::read_to_string(ks.path()).unwrap();
        assert!(!text.contains(&hex::encode(key.0)));
    }

    #[test]
    fn without_hardware_a_six_digit_or_short_passcode_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            store(&dir, 10).create("246810", KdfParams::insecure_for_tests()).err(),
            Some(KeyError::WeakPasscode(PasscodeRule::Software))
        );
        for weak in ["123456789", "abc1234", "1234"] {
            assert!(!PasscodeRule::Software.accepts(weak), "{weak}");
        }
        for strong in ["2468101214", "liaison8", "bull ring 4"] {
            assert!(PasscodeRule::Software.accepts(strong), "{strong}");
        }
        // With hardware counting the attempts, six digits are enough.
        assert!(PasscodeRule::Hardware.accepts("246810"));
        assert!(!PasscodeRule::Hardware.accepts("24681"));
    }

    #[test]
    fn wrong_passcodes_are_counted_delayed_and_finally_destroy_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let ks = store(&dir, 4);
        ks.create("2468101214", KdfParams::insecure_for_tests()).unwrap();
        assert_eq!(
            ks.unlock("000000").err(),
            Some(KeyError::WrongPasscode { remaining: 3 })
        );
        assert_eq!(
            ks.unlock("000001").err(),
            Some(KeyError::WrongPasscode { remaining: 2 })
        );
        assert_eq!(
            ks.unlock("000002").err(),
            Some(KeyError::WrongPasscode { remaining: 1 })
        );
        // The third failure imposes a delay: even the right passcode is not checked yet.
        assert!(matches!(ks.unlock("2468101214"), Err(KeyError::TooSoon { .. })));
        // Skip the wait by editing the file's clock, as an attacker with the file could; the
        // count still stands.
        let mut f: KeystoreFile = serde_json::from_str(&std::fs::read_to_string(ks.path()).unwrap()).unwrap();
        f.not_before_ms = 0;
        ks.write(&f).unwrap();
        assert_eq!(ks.unlock("000003").err(), Some(KeyError::Destroyed));
        assert!(!ks.exists());
        assert_eq!(ks.unlock("2468101214").err(), Some(KeyError::NoKeystore));
    }

    #[test]
    fn a_success_resets_the_count() {
        let dir = tempfile::tempdir().unwrap();
        let ks = store(&dir, 3);
        ks.create("2468101214", KdfParams::insecure_for_tests()).unwrap();
        ks.unlock("000000").unwrap_err();
        ks.unlock("000000").unwrap_err();
        ks.unlock("2468101214").unwrap();
        assert_eq!(
            ks.unlock("000000").err(),
            Some(KeyError::WrongPasscode { remaining: 2 })
        );
    }

    #[test]
    fn changing_the_passcode_rewraps_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let ks = store(&dir, 10);
        let key = ks.create("2468101214", KdfParams::insecure_for_tests()).unwrap();
        ks.change_passcode("2468101214", "1357911131").unwrap();
        assert_eq!(ks.unlock("1357911131").unwrap().0, key.0);
        assert!(matches!(ks.unlock("2468101214"), Err(KeyError::WrongPasscode { .. })));
    }

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!(delay_after(2), Duration::ZERO);
        assert_eq!(delay_after(3), Duration::from_secs(2));
        assert_eq!(delay_after(4), Duration::from_secs(4));
        assert_eq!(delay_after(30), Duration::from_secs(300));
    }

    #[test]
    fn the_key_never_prints() {
        let k = DbKey([7; 32]);
        assert_eq!(format!("{k:?}"), "DbKey(…)");
    }
}
