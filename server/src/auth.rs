//! Device tokens and one-time enrollment codes. Both are random, shown once, and stored only
//! as their SHA-256 hash: a copy of the server's database enrols no device and impersonates
//! none. (Both have well over 100 random bits, so a fast hash is enough; a password hash
//! would only slow every request.)

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The characters of an enrollment code: Crockford's base32, no I, L, O or U to misread.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new device token (256 random bits, of which 244 from the OS's generator via UUIDv4).
pub fn new_token() -> String {
    format!("lzt1_{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// A new enrollment code, easy to read out and type: `XXXX-XXXX-XXXX-XXXX` (80 random bits).
pub fn new_enrollment_code() -> String {
    let bytes = Uuid::new_v4().into_bytes();
    let mut out = String::with_capacity(19);
    for (i, b) in bytes.iter().take(16).enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(CODE_ALPHABET[(*b & 31) as usize] as char);
    }
    out
}

/// The form a code is hashed in: case, spaces and dashes do not matter when typing it.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A QR code of `text` drawn with Unicode half blocks for a terminal, with its quiet zone.
pub fn qr_text(text: &str) -> Result<String, String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::L)
        .map_err(|e| format!("the enrolment string is too long for a QR code: {e}"))?;
    Ok(code.render::<qrcode::render::unicode::Dense1x2>().build())
}

pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_typable_and_match_however_they_are_typed() {
        let code = new_enrollment_code();
        assert_eq!(code.len(), 19);
        assert!(code.chars().all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8))));
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(
            hash_secret(&normalise_code(&typed)),
            hash_secret(&normalise_code(&code))
        );
    }

    #[test]
    fn tokens_and_codes_do_not_repeat() {
        assert_ne!(new_token(), new_token());
        assert_ne!(new_enrollment_code(), new_enrollment_code());
    }
}
