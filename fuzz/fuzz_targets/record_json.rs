//! Record validation on arbitrary input from the UI or the network: never panics, and whatever
//! it accepts is valid, round-trips through JSON unchanged and validates again.
#![no_main]
use libfuzzer_sys::fuzz_target;
use liaison_core::Record;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(record) = Record::from_json(text) {
        let json = serde_json::to_string(&record).expect("an accepted record serialises");
        let again = Record::from_json(&json).expect("an accepted record is accepted again");
        assert_eq!(again, record);
        let _ = record.body.title();
    }
});
