//! The database key sealed by a TPM 2.0 (Linux; cargo feature `tpm`).
//!
//! What is on disk (`<db>.tpmkey`): the Argon2id settings and salt, and a TPM *sealed data
//! object* (its public and private halves). The private half is encrypted by the TPM under a
//! storage primary key in the owner hierarchy, which the TPM re-derives from its own seed and
//! never lets out: the file unwraps nothing on another machine or in another TPM.
//!
//! The sealed object holds the database key; its authValue is Argon2id(passcode, salt). It is
//! `fixedTPM`, `fixedParent`, and *not* `noDA`: every wrong authValue is counted by the TPM's
//! dictionary-attack (DA) protection, in the TPM's own non-volatile memory. Once the count
//! reaches the TPM's `maxTries` the TPM refuses every DA-protected authorisation until one
//! failure is forgiven per `recoveryTime`. Restoring old copies of the files therefore resets
//! nothing (rollback protection): the count is not in any file.
//!
//! That holds only if nobody can reset the count, i.e. the TPM's *lockout* authorisation is
//! set to a secret the attacker does not have. [`TpmGuard`] refuses to seal a key on a TPM
//! whose lockout authorisation is empty ([`KeyError::HardwareNotProvisioned`]); force IT
//! provisions the tablet (docs/security-hardware.md: DA parameters, then a random lockout
//! authorisation kept by IT or thrown away).
//!
//! Every command carrying the authValue or the key runs in an HMAC session salted with the
//! primary key, with parameter encryption both ways, so that neither crosses the bus to a
//! discrete TPM in the clear.
//!
//! Bad situations, each a typed error and none of them erasing anything: no TPM
//! ([`KeyError::HardwareAbsent`]), a TPM in lockout ([`KeyError::HardwareLockout`]), a sealed
//! object made by another TPM ([`KeyError::ForeignHardware`]).

use super::guard::{KeyGuard, KeyGuardKind};
use super::keystore::{derive, erase, random, write_atomically, DbKey, KdfParams, KeyError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use tss_esapi::attributes::{ObjectAttributesBuilder, SessionAttributesBuilder};
use tss_esapi::constants::{PropertyTag, SessionType, Tss2ResponseCodeKind};
use tss_esapi::handles::{KeyHandle, ObjectHandle};
use tss_esapi::interface_types::algorithm::{HashingAlgorithm, PublicAlgorithm};
use tss_esapi::interface_types::ecc::EccCurve;
use tss_esapi::interface_types::resource_handles::Hierarchy;
use tss_esapi::interface_types::session_handles::AuthSession;
use tss_esapi::structures::{
    Auth, Digest, EccPoint, KeyedHashScheme, Private, Public, PublicBuilder, PublicEccParametersBuilder,
    PublicKeyedHashParameters, SensitiveData, SymmetricDefinition, SymmetricDefinitionObject,
};
use tss_esapi::traits::{Marshall, UnMarshall};
use tss_esapi::{Context, TctiNameConf};
use zeroize::Zeroizing;

/// Where the TPM is when nothing says otherwise: the kernel's resource manager.
pub const DEFAULT_TCTI: &str = "device:/dev/tpmrm0";
/// The environment variable naming the TCTI (`device:/dev/tpmrm0`, `swtpm:host=…,port=…`).
pub const TCTI_ENV: &str = "LIAISON_TPM_TCTI";

/// `TPMA_PERMANENT.lockoutAuthSet`.
const LOCKOUT_AUTH_SET: u32 = 1 << 2;

/// The sealed key's file.
#[derive(Serialize, Deserialize)]
struct SealedFile {
    version: u32,
    kdf: KdfParams,
    salt: String,
    /// The sealed object's TPMT_PUBLIC, marshalled.
    public: String,
    /// The sealed object's TPM2B_PRIVATE contents, encrypted by the TPM under its primary key.
    private: String,
}

/// The TPM's dictionary-attack state, as the passcode screen needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaStatus {
    /// Wrong authorisations counted now.
    pub failures: u32,
    /// Failures at which the TPM locks out.
    pub max_tries: u32,
    /// One failure is forgiven after this long.
    pub recovery: Duration,
}

impl DaStatus {
    pub fn locked_out(&self) -> bool {
        self.failures >= self.max_tries
    }
}

/// The database key sealed by the TPM reached through `tcti`.
///
/// Holds no TPM context between calls (a context is not `Send`, and a TPM shared with the
/// system should not be held open): each call connects, re-creates the primary key from the
/// TPM's seed, and lets everything go when it returns.
pub struct TpmGuard {
    path: PathBuf,
    tcti: String,
}

fn tpm_err(e: tss_esapi::Error) -> KeyError {
    KeyError::Hardware(e.to_string())
}

fn kind(e: &tss_esapi::Error) -> Option<Tss2ResponseCodeKind> {
    match e {
        tss_esapi::Error::Tss2Error(rc) => rc.kind(),
        tss_esapi::Error::WrapperError(_) => None,
    }
}

impl TpmGuard {
    pub fn new(path: impl Into<PathBuf>, tcti: impl Into<String>) -> TpmGuard {
        TpmGuard {
            path: path.into(),
            tcti: tcti.into(),
        }
    }

    /// The sealed key beside the database as `<db>.tpmkey`.
    pub fn beside(db_path: &Path, tcti: impl Into<String>) -> TpmGuard {
        TpmGuard::new(super::with_suffix(db_path, ".tpmkey"), tcti)
    }

    /// The TCTI from `LIAISON_TPM_TCTI`, else the kernel's resource manager.
    pub fn tcti_from_env() -> String {
        std::env::var(TCTI_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_TCTI.to_string())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connect(&self) -> Result<Context, KeyError> {
        let conf = TctiNameConf::from_str(&self.tcti)
            .map_err(|e| KeyError::HardwareAbsent(format!("the TPM address {:?} is not valid ({e})", self.tcti)))?;
        Context::new(conf).map_err(|e| KeyError::HardwareAbsent(format!("no TPM answers at {} ({e})", self.tcti)))
    }

    /// A TPM answers and is provisioned for Liaison: a key can be sealed in it.
    pub fn probe(&self) -> Result<(), KeyError> {
        provisioned(&mut self.connect()?)
    }

    /// The TPM's dictionary-attack counter and limits.
    pub fn da_status(&self) -> Result<DaStatus, KeyError> {
        da_status(&mut self.connect()?)
    }

    fn read(&self) -> Result<SealedFile, KeyError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(KeyError::NoKeystore),
            Err(e) => return Err(KeyError::Io(e.to_string())),
        };
        serde_json::from_str(&text).map_err(|e| KeyError::Damaged(e.to_string()))
    }

    /// Seals `key` under `passcode` and writes the file.
    fn seal(&self, ctx: &mut Context, key: &DbKey, passcode: &str, kdf: KdfParams) -> Result<(), KeyError> {
        let salt: [u8; 16] = random()?;
        let auth = auth_value(passcode, &salt, kdf)?;
        let primary = primary(ctx).map_err(tpm_err)?;
        let session = salted_session(ctx, primary).map_err(tpm_err)?;
        let data = SensitiveData::try_from(key.bytes().to_vec()).map_err(tpm_err)?;
        let sealed = ctx
            .execute_with_session(Some(session), |ctx| {
                ctx.create(primary, sealed_template()?, Some(auth), Some(data), None, None)
            })
            .map_err(tpm_err)?;
        let public = sealed.out_public.marshall().map_err(tpm_err)?;
        let file = SealedFile {
            version: 1,
            kdf,
            salt: hex::encode(salt),
            public: hex::encode(public),
            private: hex::encode(sealed.out_private.value()),
        };
        write_atomically(
            &self.path,
            &serde_json::to_vec(&file).map_err(|e| KeyError::Io(e.to_string()))?,
        )
    }
}

/// Argon2id(passcode) as the sealed object's authValue (32 bytes: SHA-256's digest size, the
/// most a SHA-256 object takes).
fn auth_value(passcode: &str, salt: &[u8], kdf: KdfParams) -> Result<Auth, KeyError> {
    let derived = derive(passcode, salt, kdf)?;
    Auth::try_from(derived.to_vec()).map_err(tpm_err)
}

/// Refuses a TPM whose lockout authorisation is empty: anyone could reset its count.
fn provisioned(ctx: &mut Context) -> Result<(), KeyError> {
    let permanent = ctx
        .get_tpm_property(PropertyTag::Permanent)
        .map_err(tpm_err)?
        .unwrap_or(0);
    if permanent & LOCKOUT_AUTH_SET == 0 {
        return Err(KeyError::HardwareNotProvisioned);
    }
    Ok(())
}

fn da_status(ctx: &mut Context) -> Result<DaStatus, KeyError> {
    let mut get = |tag| -> Result<u32, KeyError> { Ok(ctx.get_tpm_property(tag).map_err(tpm_err)?.unwrap_or(0)) };
    Ok(DaStatus {
        failures: get(PropertyTag::LockoutCounter)?,
        max_tries: get(PropertyTag::MaxAuthFail)?,
        recovery: Duration::from_secs(get(PropertyTag::LockoutInterval)?.into()),
    })
}

/// The storage primary key: the same template always gives the same key on the same TPM
/// (derived from the owner hierarchy's seed), and a different one on any other TPM. ECC P-256
/// because an RSA primary takes seconds to generate on some TPMs.
fn primary(ctx: &mut Context) -> tss_esapi::Result<KeyHandle> {
    let attributes = ObjectAttributesBuilder::new()
        .with_fixed_tpm(true)
        .with_fixed_parent(true)
        .with_sensitive_data_origin(true)
        .with_user_with_auth(true)
        .with_decrypt(true)
        .with_restricted(true)
        .with_no_da(true)
        .build()?;
    let template = PublicBuilder::new()
        .with_public_algorithm(PublicAlgorithm::Ecc)
        .with_name_hashing_algorithm(HashingAlgorithm::Sha256)
        .with_object_attributes(attributes)
        .with_ecc_parameters(
            PublicEccParametersBuilder::new_restricted_decryption_key(
                SymmetricDefinitionObject::AES_128_CFB,
                EccCurve::NistP256,
            )
            .build()?,
        )
        .with_ecc_unique_identifier(EccPoint::default())
        .build()?;
    Ok(ctx
        .execute_with_nullauth_session(|ctx| ctx.create_primary(Hierarchy::Owner, template, None, None, None, None))?
        .key_handle)
}

/// The sealed data object: bound to this TPM and this parent, used with its authValue, and
/// subject to dictionary-attack protection (no `noDA`).
fn sealed_template() -> tss_esapi::Result<Public> {
    let attributes = ObjectAttributesBuilder::new()
        .with_fixed_tpm(true)
        .with_fixed_parent(true)
        .with_user_with_auth(true)
        .with_no_da(false)
        .build()?;
    PublicBuilder::new()
        .with_public_algorithm(PublicAlgorithm::KeyedHash)
        .with_name_hashing_algorithm(HashingAlgorithm::Sha256)
        .with_object_attributes(attributes)
        .with_keyed_hash_parameters(PublicKeyedHashParameters::new(KeyedHashScheme::Null))
        .with_keyed_hash_unique_identifier(Digest::default())
        .build()
}

/// An HMAC session salted with the primary key, encrypting the first parameter both ways (the
/// sensitive data going in at create, the key coming out at unseal).
fn salted_session(ctx: &mut Context, primary: KeyHandle) -> tss_esapi::Result<AuthSession> {
    let session = ctx
        .start_auth_session(
            Some(primary),
            None,
            None,
            SessionType::Hmac,
            SymmetricDefinition::AES_128_CFB,
            HashingAlgorithm::Sha256,
        )?
        .ok_or(tss_esapi::Error::WrapperError(
            tss_esapi::WrapperErrorKind::WrongValueFromTpm,
        ))?;
    let (attributes, mask) = SessionAttributesBuilder::new()
        .with_decrypt(true)
        .with_encrypt(true)
        .with_continue_session(true)
        .build();
    ctx.tr_sess_set_attributes(session, attributes, mask)?;
    Ok(session)
}

impl KeyGuard for TpmGuard {
    fn kind(&self) -> KeyGuardKind {
        KeyGuardKind::Tpm
    }

    fn exists(&self) -> bool {
        self.path.exists()
    }

    fn create(&self, passcode: &str, kdf: KdfParams) -> Result<DbKey, KeyError> {
        KeyGuardKind::Tpm.passcode_rule().check(passcode)?;
        let mut ctx = self.connect()?;
        provisioned(&mut ctx)?;
        let key = DbKey::random()?;
        self.seal(&mut ctx, &key, passcode, kdf)?;
        Ok(key)
    }

    fn unlock(&self, passcode: &str) -> Result<DbKey, KeyError> {
        let file = self.read()?;
        let mut ctx = self.connect()?;
        // A TPM in lockout is said so at once, without spending the Argon2id time.
        let before = da_status(&mut ctx)?;
        if before.locked_out() {
            return Err(KeyError::HardwareLockout { wait: before.recovery });
        }
        let bad = |what: &str| KeyError::Damaged(format!("{what} is not valid hex"));
        let salt = hex::decode(&file.salt).map_err(|_| bad("salt"))?;
        let public = Public::unmarshall(&hex::decode(&file.public).map_err(|_| bad("public"))?)
            .map_err(|e| KeyError::Damaged(format!("the sealed key's public part: {e}")))?;
        let private = Private::try_from(hex::decode(&file.private).map_err(|_| bad("private"))?)
            .map_err(|e| KeyError::Damaged(format!("the sealed key's private part: {e}")))?;

        let primary = primary(&mut ctx).map_err(tpm_err)?;
        let session = salted_session(&mut ctx, primary).map_err(tpm_err)?;
        // The private part is checked (integrity, then decrypted) under this TPM's primary key:
        // one sealed by another TPM fails here, before any passcode is tried or counted.
        let sealed = ctx
            .execute_with_session(Some(session), |ctx| ctx.load(primary, private, public))
            .map_err(|e| match kind(&e) {
                Some(
                    Tss2ResponseCodeKind::Integrity
                    | Tss2ResponseCodeKind::Value
                    | Tss2ResponseCodeKind::Size
                    | Tss2ResponseCodeKind::Key,
                ) => KeyError::ForeignHardware,
                _ => tpm_err(e),
            })?;
        let auth = auth_value(passcode, &salt, file.kdf)?;
        ctx.tr_set_auth(ObjectHandle::from(sealed), auth).map_err(tpm_err)?;
        match ctx.execute_with_session(Some(session), |ctx| ctx.unseal(ObjectHandle::from(sealed))) {
            Ok(data) => {
                let data = Zeroizing::new(data.value().to_vec());
                let bytes: [u8; 32] = data
                    .as_slice()
                    .try_into()
                    .map_err(|_| KeyError::Damaged("the sealed key has the wrong length".into()))?;
                Ok(DbKey::from_bytes(bytes))
            }
            Err(e) if kind(&e) == Some(Tss2ResponseCodeKind::AuthFail) => {
                // The TPM has counted this failure; the counter read back on the same
                // connection can still show the old value (seen with swtpm), so count it here.
                let mut now = da_status(&mut ctx)?;
                now.failures = now.failures.max(before.failures + 1);
                if now.locked_out() {
                    Err(KeyError::HardwareLockout { wait: now.recovery })
                } else {
                    Err(KeyError::WrongPasscode {
                        remaining: now.max_tries - now.failures,
                    })
                }
            }
            Err(e) if kind(&e) == Some(Tss2ResponseCodeKind::Lockout) => {
                let now = da_status(&mut ctx)?;
                Err(KeyError::HardwareLockout { wait: now.recovery })
            }
            Err(e) => Err(tpm_err(e)),
        }
    }

    fn change_passcode(&self, old: &str, new: &str) -> Result<(), KeyError> {
        KeyGuardKind::Tpm.passcode_rule().check(new)?;
        let key = self.unlock(old)?;
        let kdf = self.read()?.kdf;
        self.seal(&mut self.connect()?, &key, new, kdf)
    }

    fn destroy(&self) -> Result<(), KeyError> {
        erase(&self.path)
    }
}
