//! Request rates: a token bucket per device (after its token is checked, so one device cannot
//! spend another's allowance), one per client address on `/v1/enroll` (before any code is
//! looked at, against guessing codes), and one per client address for requests whose token is
//! missing or unknown (against guessing tokens). A request over its rate gets 429 with `Retry-After`
//! and is not processed at all.
//!
//! The other input limits live where the input is read: body size ([`MAX_BODY_BYTES`], before
//! and after decompression), batch size ([`MAX_PUSH_REVISIONS`]) and every record's fields
//! (`liaison_core::records` validation, run on each pushed revision).
//!
//! [`MAX_BODY_BYTES`]: liaison_core::sync::protocol::MAX_BODY_BYTES
//! [`MAX_PUSH_REVISIONS`]: liaison_core::sync::protocol::MAX_PUSH_REVISIONS

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;
use uuid::Uuid;

/// The configurable rates (`liaison-server serve --device-rate … --enroll-rate …`).
///
/// The defaults let a tablet drain a large outbox at full speed (a 100,000-revision backlog is
/// 100 batches, inside one burst) and fifty tablets enrol from one station address in a
/// morning, yet hold a misbehaving device to a few requests a second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sustained requests per minute per device (push and pull together).
    pub device_per_minute: NonZeroU32,
    /// Requests a device may make at once before the sustained rate applies.
    pub device_burst: NonZeroU32,
    /// Sustained enrollment attempts per minute per client address.
    pub enroll_per_minute: NonZeroU32,
    pub enroll_burst: NonZeroU32,
    /// Open connections at most; one more is closed at once ([`crate::door`]).
    pub max_connections: NonZeroU32,
    /// Sustained media requests (upload chunks and their status) per minute per device, and
    /// the burst: a bucket of their own, so a tablet sending photos never waits on its pushes'
    /// rate, and the default lets one send 256 KiB chunks at 100 MB a second on a good link.
    pub media_per_minute: NonZeroU32,
    pub media_burst: NonZeroU32,
}

const fn nz(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => panic!("zero"),
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            device_per_minute: nz(600),
            device_burst: nz(120),
            enroll_per_minute: nz(30),
            enroll_burst: nz(60),
            max_connections: nz(crate::door::MAX_CONNECTIONS as u32),
            media_per_minute: nz(24_000),
            media_burst: nz(2_400),
        }
    }
}

/// The live buckets.
pub struct RateLimits {
    device: DefaultKeyedRateLimiter<Uuid>,
    media: DefaultKeyedRateLimiter<Uuid>,
    enroll: DefaultKeyedRateLimiter<IpAddr>,
    /// Requests with a missing or unknown device token, per address: guessing tokens is
    /// held to the rate of guessing codes.
    bad_token: DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses over their bad-token rate, and until when: refused before any lookup.
    blocked: std::sync::Mutex<std::collections::HashMap<IpAddr, std::time::Instant>>,
    clock: DefaultClock,
}

/// Addresses remembered before idle ones are forgotten (a full bucket is the same as none).
const ENROLL_KEYS_KEPT: usize = 10_000;

impl RateLimits {
    pub fn new(limits: &Limits) -> RateLimits {
        RateLimits {
            device: RateLimiter::keyed(Quota::per_minute(limits.device_per_minute).allow_burst(limits.device_burst)),
            media: RateLimiter::keyed(Quota::per_minute(limits.media_per_minute).allow_burst(limits.media_burst)),
            enroll: RateLimiter::keyed(Quota::per_minute(limits.enroll_per_minute).allow_burst(limits.enroll_burst)),
            bad_token: RateLimiter::keyed(Quota::per_minute(limits.enroll_per_minute).allow_burst(limits.enroll_burst)),
            blocked: Default::default(),
            clock: DefaultClock::default(),
        }
    }

    /// Takes a token for this device, or says how long until one is free.
    pub fn device(&self, device: Uuid) -> Result<(), Duration> {
        self.device
            .check_key(&device)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Takes a token from the device's media bucket (upload chunks and their status).
    pub fn media(&self, device: Uuid) -> Result<(), Duration> {
        self.media
            .check_key(&device)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Takes a token for an enrollment attempt from this address.
    pub fn enroll(&self, addr: IpAddr) -> Result<(), Duration> {
        if self.enroll.len() > ENROLL_KEYS_KEPT {
            self.enroll.retain_recent();
        }
        self.enroll
            .check_key(&addr)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

impl RateLimits {
    /// Counts a request with a missing or unknown token against its address; `Err` once the
    /// address has made too many.
    pub fn bad_token(&self, addr: IpAddr) -> Result<(), Duration> {
        if self.bad_token.len() > ENROLL_KEYS_KEPT {
            self.bad_token.retain_recent();
        }
        let wait = self
            .bad_token
            .check_key(&addr)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()));
        if let Err(wait) = wait {
            let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
            let now = std::time::Instant::now();
            if blocked.len() > ENROLL_KEYS_KEPT {
                blocked.retain(|_, until| *until > now);
            }
            blocked.insert(addr, now + wait);
        }
        wait
    }

    /// `Err(wait)` while this address is blocked for guessing tokens.
    pub fn bad_token_blocked(&self, addr: IpAddr) -> Result<(), Duration> {
        let blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        match blocked
            .get(&addr)
            .map(|until| until.saturating_duration_since(std::time::Instant::now()))
        {
            Some(wait) if !wait.is_zero() => Err(wait),
            _ => Ok(()),
        }
    }
}

/// `Retry-After` in whole seconds, rounded up, at least 1 (0 would invite an instant retry).
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0).max(u64::from(wait.as_secs() == 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_sending_photos_does_not_wait_on_its_pushes_rate_nor_the_reverse() {
        let limits = RateLimits::new(&Limits {
            device_burst: nz(2),
            media_burst: nz(5),
            ..Limits::default()
        });
        let a = Uuid::now_v7();
        for _ in 0..2 {
            limits.device(a).unwrap();
        }
        assert!(limits.device(a).is_err(), "its pushes are over their burst");
        for _ in 0..5 {
            limits.media(a).unwrap();
        }
        assert!(limits.media(a).is_err(), "and its chunks over theirs");
    }

    #[test]
    fn a_device_over_its_burst_waits_and_others_do_not() {
        let limits = RateLimits::new(&Limits {
            device_per_minute: nz(60),
            device_burst: nz(3),
            ..Limits::default()
        });
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        for _ in 0..3 {
            limits.device(a).unwrap();
        }
        let wait = limits.device(a).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1), "{wait:?}");
        limits.device(b).unwrap();
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(10)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(2_001)), 3);
    }
}
