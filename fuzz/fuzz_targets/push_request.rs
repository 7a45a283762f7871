//! The server's decoding of a push body (zstd or plain JSON, size-limited) on arbitrary bytes:
//! never panics, never allocates past the limit, and every revision it yields can be checked.
#![no_main]
use libfuzzer_sys::fuzz_target;
use liaison_core::sync::protocol::{decode, PushRequest};

fuzz_target!(|data: &[u8]| {
    let (encoding, body) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => (Some("zstd"), rest),
        Some((_, rest)) => (None, rest),
        None => return,
    };
    if let Ok(req) = decode::<PushRequest>(encoding, body) {
        for rev in &req.revisions {
            let _ = rev.hash_is_valid();
            let _ = rev.body.validate();
        }
    }
});
