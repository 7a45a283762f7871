//! The one seam between the vault and whatever keeps the database key: a [`KeyGuard`].
//!
//! A guard makes the key, keeps it wrapped under the officer's passcode, gives it back for the
//! right passcode, and counts the wrong ones. Where the tablet has secure hardware the guard
//! seals the key inside it, so that the files copied off the device unwrap nothing and the
//! attempt count lives in the hardware, where restoring an old file cannot reset it:
//!
//! - Linux: TPM 2.0 ([`super::tpm::TpmGuard`], cargo feature `tpm`).
//! - Android: Keystore with StrongBox, and iOS: the Secure Enclave — the same trait, built by
//!   the mobile plugin (docs/security-hardware.md says how each maps to these methods).
//!
//! Where there is none, the software guard ([`super::KeyStore`]) stays: Argon2id and a file.
//! It says so (the passcode screen shows [`KeyGuardKind`]) and asks for a stronger passcode
//! ([`PasscodeRule::Software`]), because then the attacker's only cost is Argon2id per guess.
//! This module must never fall back from hardware to software by itself: a tablet set up on
//! its TPM that cannot reach it is refused with a reason, not quietly opened another way.

use super::keystore::{DbKey, KdfParams, KeyError};
use serde::Serialize;

/// What keeps this tablet's database key, for the passcode screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyGuardKind {
    /// Argon2id and a file: no hardware holds the key or counts the attempts.
    Software,
    /// A TPM 2.0 seals the key; its dictionary-attack lockout counts the attempts.
    Tpm,
    /// Android Keystore backed by StrongBox.
    #[serde(rename = "android_strongbox")]
    AndroidStrongBox,
    /// The iOS Secure Enclave.
    SecureEnclave,
}

impl KeyGuardKind {
    pub fn is_hardware(self) -> bool {
        self != KeyGuardKind::Software
    }

    /// The passcode a new or changed passcode must meet under this guard.
    pub fn passcode_rule(self) -> PasscodeRule {
        if self.is_hardware() {
            PasscodeRule::Hardware
        } else {
            PasscodeRule::Software
        }
    }
}

/// How strong a passcode must be. The arithmetic is in the README ("Security"): with hardware
/// the guesses are limited by the hardware's count, so six characters are enough; without
/// it every guess costs only Argon2id, so the space must be big enough to outlast a rented
/// machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PasscodeRule {
    /// At least 6 characters (digits are fine).
    Hardware,
    /// Digits only: at least 10. With any letter or other character: at least 8.
    Software,
}

/// Shortest passcode when the hardware counts the attempts.
pub const HARDWARE_MIN: usize = 6;
/// Shortest digits-only passcode without hardware (10^10 guesses).
pub const SOFTWARE_MIN_DIGITS: usize = 10;
/// Shortest passcode with a letter or symbol without hardware (at least 36^8 guesses).
pub const SOFTWARE_MIN_MIXED: usize = 8;

impl PasscodeRule {
    /// The shortest passcode this rule can accept (for the screen's own check).
    pub fn min_len(self) -> usize {
        match self {
            PasscodeRule::Hardware => HARDWARE_MIN,
            PasscodeRule::Software => SOFTWARE_MIN_MIXED,
        }
    }

    pub fn accepts(self, passcode: &str) -> bool {
        let len = passcode.chars().count();
        match self {
            PasscodeRule::Hardware => len >= HARDWARE_MIN,
            PasscodeRule::Software if passcode.chars().all(|c| c.is_ascii_digit()) => len >= SOFTWARE_MIN_DIGITS,
            PasscodeRule::Software => len >= SOFTWARE_MIN_MIXED,
        }
    }

    /// The rule in words for the passcode screen.
    pub fn describe(self) -> String {
        match self {
            PasscodeRule::Hardware => format!("At least {HARDWARE_MIN} characters."),
            PasscodeRule::Software => format!(
                "This tablet has no security chip guarding the key, so the passcode must be longer: \
                 at least {SOFTWARE_MIN_DIGITS} digits, or at least {SOFTWARE_MIN_MIXED} characters with a letter in them."
            ),
        }
    }

    /// Refuses a passcode this rule does not accept.
    pub fn check(self, passcode: &str) -> Result<(), KeyError> {
        if self.accepts(passcode) {
            Ok(())
        } else {
            Err(KeyError::WeakPasscode(self))
        }
    }
}

impl std::fmt::Display for PasscodeRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasscodeRule::Hardware => write!(f, "the passcode must be at least {HARDWARE_MIN} characters"),
            PasscodeRule::Software => write!(
                f,
                "without a security chip the passcode must be at least {SOFTWARE_MIN_DIGITS} digits, \
                 or at least {SOFTWARE_MIN_MIXED} characters with a letter"
            ),
        }
    }
}

/// Keeps the database key behind the passcode. Implemented by the software keystore, the
/// TPM, and (outside this crate) the mobile plugins.
///
/// Every method that checks a passcode counts the attempt where the guard keeps its count
/// *before* it answers. `Err(KeyError::Destroyed)` means the key is gone for good and the
/// vault removes the database; every other error leaves everything in place.
pub trait KeyGuard: Send {
    fn kind(&self) -> KeyGuardKind;

    /// A key is held (the tablet has been set up).
    fn exists(&self) -> bool;

    /// Makes a new random database key and keeps it under `passcode`. Checks the passcode
    /// against [`KeyGuardKind::passcode_rule`].
    fn create(&self, passcode: &str, kdf: KdfParams) -> Result<DbKey, KeyError>;

    /// The key, for the right passcode.
    fn unlock(&self, passcode: &str) -> Result<DbKey, KeyError>;

    /// Keeps the same key under a new passcode (the database is not re-encrypted).
    fn change_passcode(&self, old: &str, new: &str) -> Result<(), KeyError>;

    /// Forgets the key: without it the database is noise.
    fn destroy(&self) -> Result<(), KeyError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// What the officer reads for each refusal from the hardware: pinned, so that a message
    /// never changes by accident, and each says that nothing was erased.
    #[test]
    fn the_hardware_refusals_tell_the_officer_what_happened_and_that_nothing_was_erased() {
        let cases = [
            (
                KeyError::HardwareAbsent("no TPM answers at device:/dev/tpmrm0".into()),
                "the tablet's security chip (TPM) could not be reached: no TPM answers at device:/dev/tpmrm0. \
                 Nothing was changed or erased; restart the tablet, and if this stays, ask force IT",
            ),
            (
                KeyError::HardwareLockout {
                    wait: Duration::from_secs(7200),
                },
                "the tablet's security chip has locked the passcode after too many wrong attempts: \
                 try again in 120 minutes. Nothing was erased",
            ),
            (
                KeyError::HardwareLockout { wait: Duration::ZERO },
                "the tablet's security chip has locked the passcode after too many wrong attempts: \
                 force IT must reset it. Nothing was erased",
            ),
            (
                KeyError::ForeignHardware,
                "this tablet's key was sealed by another device's security chip (the files were copied here, \
                 or the chip was reset): it cannot be opened on this tablet. Nothing was erased; ask force IT",
            ),
            (
                KeyError::HardwareNotProvisioned,
                "the tablet's security chip is not set up for Liaison (its lockout is not protected): \
                 force IT must provision it before a passcode can be set",
            ),
            (
                KeyError::WeakPasscode(PasscodeRule::Software),
                "without a security chip the passcode must be at least 10 digits, or at least 8 characters with a letter",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn hardware_allows_six_characters_and_software_asks_for_more() {
        assert_eq!(KeyGuardKind::Tpm.passcode_rule(), PasscodeRule::Hardware);
        assert_eq!(KeyGuardKind::Software.passcode_rule(), PasscodeRule::Software);
        assert!(PasscodeRule::Hardware.check("246810").is_ok());
        assert!(PasscodeRule::Software.check("246810").is_err());
        assert!(PasscodeRule::Software.check("123456789").is_err(), "9 digits");
        assert!(PasscodeRule::Software.check("1234567890").is_ok(), "10 digits");
        assert!(PasscodeRule::Software.check("abcd123").is_err(), "7 with a letter");
        assert!(PasscodeRule::Software.check("abcd1234").is_ok(), "8 with a letter");
        assert_eq!(PasscodeRule::Software.min_len(), 8);
    }
}
