//! The enrolment string: everything a new tablet needs to join its force, in one line that
//! the server's CLI (and later the console) prints beside its QR code, and that the officer
//! pastes, types or scans on the tablet's first screen.
//!
//! ```text
//! liaison-enrol:1;code=ABCD-EFGH-JKMN-PQRS;ca=<force CA, DER, base64url>;server=https://host:7878
//! ```
//!
//! - `code`: the one-time enrolment code (also readable on its own).
//! - `ca`: the force CA the tablet pins for every later connection. Absent only for plain
//!   HTTP to this machine (tests, development), which the client refuses elsewhere.
//! - `server`: last, so a URL is taken whole.
//!
//! This module owns the format and its checks; it does no I/O.

use base64::Engine as _;

const PREFIX: &str = "liaison-enrol:1;";

/// A parsed enrolment string.
#[derive(Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub server_url: String,
    pub code: String,
    /// The force CA certificate (DER), when the server speaks TLS.
    pub ca_der: Option<Vec<u8>>,
}

impl std::fmt::Debug for Enrolment {
    // The code is a secret until redeemed: never in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("server_url", &self.server_url)
            .field("code", &"…")
            .field("ca_der", &self.ca_der.as_ref().map(Vec::len))
            .finish()
    }
}

/// Why an enrolment string was refused. Messages are for the officer at the first screen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrolmentError {
    #[error("this is not a Liaison enrolment string: it starts with `liaison-enrol:1;`. Paste or scan the whole string the force IT team gave you")]
    NotEnrolment,
    #[error("the enrolment string has no {0}: paste or scan the whole string the force IT team gave you")]
    Missing(&'static str),
    #[error("the enrolment string's {0} is damaged: paste or scan it again")]
    Damaged(&'static str),
    #[error("the enrolment string names no force CA for an https server: ask for a new string")]
    NoCa,
}

impl Enrolment {
    /// The CA as PEM, the form the sync client pins.
    pub fn ca_pem(&self) -> Option<Vec<u8>> {
        self.ca_der.as_ref().map(|der| der_to_pem(der).into_bytes())
    }
}

/// PEM text of one DER certificate.
pub fn der_to_pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

impl std::fmt::Display for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{PREFIX}code={}", self.code)?;
        if let Some(der) = &self.ca_der {
            write!(
                f,
                ";ca={}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(der)
            )?;
        }
        write!(f, ";server={}", self.server_url)
    }
}

impl std::str::FromStr for Enrolment {
    type Err = EnrolmentError;

    /// Whitespace anywhere is ignored (a string typed from paper, or wrapped when pasted).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let rest = s.strip_prefix(PREFIX).ok_or(EnrolmentError::NotEnrolment)?;
        let (fields, server) = match rest.find("server=") {
            Some(i) => (&rest[..i], &rest[i + "server=".len()..]),
            None => return Err(EnrolmentError::Missing("server address")),
        };
        let (mut code, mut ca) = (None, None);
        for field in fields.split(';').filter(|f| !f.is_empty()) {
            match field.split_once('=') {
                Some(("code", v)) => code = Some(v),
                Some(("ca", v)) => ca = Some(v),
                // Unknown fields are refused: a string from a newer server is not half-read.
                _ => return Err(EnrolmentError::Damaged("fields")),
            }
        }
        let code = code.filter(|c| !c.is_empty()).ok_or(EnrolmentError::Missing("code"))?;
        if code.len() > 64 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(EnrolmentError::Damaged("code"));
        }
        let scheme_ok = server.starts_with("https://") || server.starts_with("http://");
        if !scheme_ok || server.len() > 512 || server.contains(';') {
            return Err(EnrolmentError::Damaged("server address"));
        }
        let ca_der = ca
            .map(|v| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(v)
                    .map_err(|_| EnrolmentError::Damaged("force CA"))
            })
            .transpose()?;
        if server.starts_with("https://") && ca_der.is_none() {
            return Err(EnrolmentError::NoCa);
        }
        Ok(Enrolment {
            server_url: server.to_string(),
            code: code.to_string(),
            ca_der,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Enrolment {
        Enrolment {
            server_url: "https://liaison.force.example:7878".into(),
            code: "ABCD-EFGH-JKMN-PQRS".into(),
            ca_der: Some((0u8..=255).collect()),
        }
    }

    #[test]
    fn an_enrolment_string_round_trips_and_survives_wrapping() {
        let e = sample();
        let s = e.to_string();
        assert!(s.starts_with("liaison-enrol:1;code=ABCD-EFGH-JKMN-PQRS;ca="), "{s}");
        assert_eq!(s.parse::<Enrolment>().unwrap(), e);
        let wrapped: String = s
            .chars()
            .enumerate()
            .flat_map(|(i, c)| if i % 40 == 39 { vec![c, '\n', ' '] } else { vec![c] })
            .collect();
        assert_eq!(wrapped.parse::<Enrolment>().unwrap(), e);
        assert!(e.ca_pem().unwrap().starts_with(b"-----BEGIN CERTIFICATE-----\n"));
    }

    #[test]
    fn damaged_or_partial_strings_are_refused_with_what_is_wrong() {
        let s = sample().to_string();
        assert_eq!("ABCD-EFGH".parse::<Enrolment>(), Err(EnrolmentError::NotEnrolment));
        let no_server = s.split(";server=").next().unwrap().to_string();
        assert_eq!(
            no_server.parse::<Enrolment>(),
            Err(EnrolmentError::Missing("server address"))
        );
        let no_ca = "liaison-enrol:1;code=ABCD;server=https://x:1";
        assert_eq!(no_ca.parse::<Enrolment>(), Err(EnrolmentError::NoCa));
        let bad_ca = "liaison-enrol:1;code=ABCD;ca=%%%;server=https://x:1";
        assert_eq!(bad_ca.parse::<Enrolment>(), Err(EnrolmentError::Damaged("force CA")));
        let extra = "liaison-enrol:1;code=ABCD;x=1;server=http://127.0.0.1:1";
        assert_eq!(extra.parse::<Enrolment>(), Err(EnrolmentError::Damaged("fields")));
        let plain = "liaison-enrol:1;code=ABCD;server=http://127.0.0.1:1"
            .parse::<Enrolment>()
            .unwrap();
        assert_eq!(plain.ca_der, None);
        assert!(!format!("{plain:?}").contains("ABCD"), "the code never reaches a log");
    }
}
