//! Revision decoding and hash checking on arbitrary input from the network: never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use liaison_core::Revision;

fuzz_target!(|data: &[u8]| {
    if let Ok(rev) = serde_json::from_slice::<Revision>(data) {
        let _ = rev.hash_is_valid();
        let _ = rev.body.validate();
    }
});
