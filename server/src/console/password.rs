//! Staff passwords: Argon2id (RFC 9106's second recommended setting, 64 MiB, 3 passes), kept
//! as PHC strings so the settings travel with each hash and can be raised later.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The shortest password accepted. Length, not composition rules (NCSC password guidance).
pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

fn hasher() -> Argon2<'static> {
    // 64 MiB, 3 passes, 1 lane: RFC 9106 section 4, second recommended option.
    let params = Params::new(64 * 1024, 3, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a new password is refused, for the form.
pub fn check_new(password: &str, username: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        return Err(format!(
            "must be at least {MIN_LENGTH} characters (a passphrase of three or four words is best)"
        ));
    }
    if n > MAX_LENGTH {
        return Err(format!("must be at most {MAX_LENGTH} characters"));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err("must not contain the username".into());
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, String> {
    // 32 bytes from the OS's generator (two UUIDv4s: 244 random bits).
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    let salt = SaltString::encode_b64(&bytes).map_err(|e| format!("the password could not be salted: {e}"))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("the password could not be hashed: {e}"))
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A hash of nothing anyone knows, verified against when the username is unknown, so that
/// an unknown name takes as long to refuse as a wrong password.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&uuid::Uuid::new_v4().to_string()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_argon2id_hash_only() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"), "{h}");
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterz", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn short_passwords_and_ones_holding_the_username_are_refused() {
        assert!(check_new("short", "ali").is_err());
        assert!(check_new("my name is alice smith", "alice").is_err());
        assert!(check_new("river lantern copper", "alice").is_ok());
    }
}
