//! Signing in and sessions. [`Authenticator`] is the one seam between "who is this?" and the
//! rest of the console: the embedded default checks local Argon2id accounts
//! ([`LocalAccounts`]); a force's single sign-on (OpenID Connect) replaces it by returning
//! the same [`Staff`] for a verified ID token (docs/console.md says how). Sessions, CSRF,
//! roles and the audit chain do not change with it.

use super::model::Staff;
use super::{password, ConsoleFailure, ConsoleState};
use crate::storage::console::{StoredSession, SIGN_IN_FAILED};
use crate::storage::Storage;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header::COOKIE, Method};
use chrono::{DateTime, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "liaison_console";
/// The header every change carries.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Who someone is, from what they typed. Blocking (password hashing, storage).
pub trait Authenticator: Send + Sync {
    fn authenticate(&self, username: &str, password: &str) -> Result<Staff, ConsoleFailure>;
}

/// Local accounts: Argon2id hashes in the server's database, with a lockout after
/// `lockout_after` wrong passwords in a row.
pub struct LocalAccounts {
    pub storage: Arc<dyn Storage>,
    pub lockout_after: u32,
    pub lockout_for: Duration,
}

impl Authenticator for LocalAccounts {
    fn authenticate(&self, username: &str, password: &str) -> Result<Staff, ConsoleFailure> {
        let now = Utc::now();
        let Some(cred) = self.storage.credentials(username)? else {
            // As long as a wrong password takes, so the answer's time says nothing.
            let _ = password::verify(password, password::decoy());
            self.storage.sign_in_failed(username, None)?;
            return Err(ConsoleFailure::WrongCredentials);
        };
        if let Some(until) = cred.staff.locked_until.filter(|u| *u > now) {
            // Refused unhashed (the answer already says the account is locked), but logged:
            // every failed sign-in is in the audit chain.
            self.refused(
                &cred.staff.username,
                &format!("account {} is locked until {until}", cred.staff.username),
            )?;
            return Err(ConsoleFailure::Locked(until.format("%H:%M UTC").to_string()));
        }
        if cred.staff.disabled {
            // Hashed like a wrong password, so the answer's time does not tell a leaver's
            // username from a live one.
            let _ = password::verify(password, &cred.password_hash);
            self.refused(
                &cred.staff.username,
                &format!("account {} is disabled", cred.staff.username),
            )?;
            return Err(ConsoleFailure::WrongCredentials);
        }
        if !password::verify(password, &cred.password_hash) {
            // After a lock has run out the count starts again (the storage does the same).
            let expired = cred.staff.locked_until.is_some_and(|u| u <= now);
            let before = if expired { 0 } else { cred.failed_attempts };
            let lock = (before + 1 >= self.lockout_after)
                .then(|| now + chrono::Duration::from_std(self.lockout_for).unwrap_or_default());
            self.storage.sign_in_failed(&cred.staff.username, lock)?;
            return Err(match lock {
                Some(until) => ConsoleFailure::Locked(until.format("%H:%M UTC").to_string()),
                None => ConsoleFailure::WrongCredentials,
            });
        }
        Ok(cred.staff)
    }
}

impl LocalAccounts {
    /// Logs a sign-in refused before its password was judged (locked, disabled).
    fn refused(&self, username: &str, why: &str) -> Result<(), ConsoleFailure> {
        self.storage.log_console(
            username,
            SIGN_IN_FAILED,
            None,
            &format!("sign-in refused: {why}"),
            "console",
        )?;
        Ok(())
    }
}

/// How many addresses the sign-in rate keeps before forgetting those with a full allowance.
const PRUNE_AT: usize = 10_000;

/// Sign-in attempts per client address, before any password is hashed.
pub struct SignInRates(DefaultKeyedRateLimiter<IpAddr>);

impl SignInRates {
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        SignInRates(RateLimiter::keyed(Quota::per_minute(n).allow_burst(n)))
    }

    pub fn check(&self, addr: IpAddr) -> Result<(), ConsoleFailure> {
        // One entry per address ever seen unless pruned: addresses whose allowance is whole
        // again are forgotten, so a spray of addresses cannot grow the table without bound.
        if self.0.len() >= PRUNE_AT {
            self.0.retain_recent();
            self.0.shrink_to_fit();
        }
        self.0
            .check_key(&rate_key(addr))
            .map_err(|_| ConsoleFailure::RateLimited)
    }
}

/// The address a sign-in is counted against: an IPv4 address, or an IPv6 address's /64. One
/// subscriber is routinely given a whole /64, so counting each IPv6 address apart would let a
/// single client guess without limit by changing its last 64 bits.
fn rate_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
        v4 => v4,
    }
}

/// A new session cookie value (256 random bits).
pub fn new_session_token() -> String {
    format!(
        "lzc1_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The CSRF token of a session: derived from the cookie, which a page of another site can
/// neither read nor send (SameSite=Strict), so it needs no storage and goes stale with the
/// session.
pub fn csrf_of(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"liaison-console-csrf-v1\0");
    h.update(session_token.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// The `Set-Cookie` value for a session, or for ending one (`max_age` 0).
pub fn cookie(token: &str, max_age: Duration) -> String {
    format!(
        "{COOKIE_NAME}={token}; Path=/console; Max-Age={}; Secure; HttpOnly; SameSite=Strict",
        max_age.as_secs()
    )
}

fn token_from(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// A signed-in person, for a handler: the session is live, and for a change the CSRF token
/// matched. The route's roles are checked by the handler ([`super::matrix`]).
#[derive(Debug, Clone)]
pub struct Signed {
    pub staff: Staff,
    pub token_hash: Vec<u8>,
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

impl FromRequestParts<ConsoleState> for Signed {
    type Rejection = ConsoleFailure;

    async fn from_request_parts(parts: &mut Parts, state: &ConsoleState) -> Result<Self, Self::Rejection> {
        let token = token_from(parts).ok_or(ConsoleFailure::Unauthenticated)?;
        let csrf = csrf_of(&token);
        let changes = !matches!(parts.method, Method::GET | Method::HEAD);
        if changes {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            // Compared in full; both are fixed-length hex.
            if sent.map(|s| constant_time_eq(s.as_bytes(), csrf.as_bytes())) != Some(true) {
                return Err(ConsoleFailure::Csrf);
            }
        }
        let token_hash = crate::auth::hash_secret(&token);
        let options = state.options.clone();
        let hash = token_hash.clone();
        let session: StoredSession = state
            .blocking(move |s| {
                let Some(session) = s.session(&hash)? else {
                    return Err(ConsoleFailure::Unauthenticated);
                };
                let now = Utc::now();
                let idle = chrono::Duration::from_std(options.idle).unwrap_or_default();
                if session.expires_at <= now || session.last_seen + idle <= now || session.staff.disabled {
                    s.end_session(&hash, None)?;
                    return Err(ConsoleFailure::Expired);
                }
                // Written at most once a minute: a page polling does not write every time.
                if now - session.last_seen > chrono::Duration::seconds(60) {
                    s.touch_session(&hash, now)?;
                }
                Ok(session)
            })
            .await?;
        Ok(Signed {
            staff: session.staff,
            token_hash,
            csrf,
            expires_at: session.expires_at,
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_ins_are_counted_per_ipv4_address_and_per_ipv6_slash_64() {
        let rates = SignInRates::new(2);
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert!(rates.check(a).is_ok());
        assert!(rates.check(b).is_ok());
        assert!(rates.check(a).is_err(), "the same /64 shares one allowance");
        assert!(
            rates.check("2001:db8:1:3::1".parse().unwrap()).is_ok(),
            "another /64 has its own"
        );
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(rate_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
        assert_ne!(
            rate_key("192.0.2.7".parse().unwrap()),
            rate_key("192.0.2.8".parse().unwrap())
        );
    }

    #[test]
    fn the_csrf_token_follows_the_session_and_the_cookie_is_locked_down() {
        let (a, b) = (new_session_token(), new_session_token());
        assert_ne!(csrf_of(&a), csrf_of(&b));
        assert_eq!(csrf_of(&a), csrf_of(&a));
        let c = cookie(&a, Duration::from_secs(60));
        for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age=60"] {
            assert!(c.contains(part), "{c}");
        }
    }
}
