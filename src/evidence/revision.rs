//! The evidential unit: one immutable revision of one record, its hybrid logical clock and
//! its place in the device's SHA-256 hash chain.

use crate::records::{OfficerId, Record, RecordId, RecordKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A SHA-256 digest, shown as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The `prev_hash` of a device's first revision.
    pub const GENESIS: Hash = Hash([0; 32]);

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_slice(b: &[u8]) -> Option<Hash> {
        <[u8; 32]>::try_from(b).ok().map(Hash)
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", &self.to_hex()[..12])
    }
}

impl Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&s, &mut out).map_err(|_| serde::de::Error::custom("hash must be 64 hex digits"))?;
        Ok(Hash(out))
    }
}

/// Hybrid logical clock: wall-clock milliseconds plus a counter, so that revisions made on
/// devices with skewed clocks still order causally (a device never issues a stamp lower than
/// one it has seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct Hlc {
    #[ts(type = "number")]
    pub ms: i64,
    pub counter: u16,
}

impl Hlc {
    /// Packed for storage and ordering in SQL: `(ms << 16) | counter`.
    pub fn pack(self) -> i64 {
        (self.ms << 16) | i64::from(self.counter)
    }

    pub fn unpack(v: i64) -> Hlc {
        Hlc {
            ms: v >> 16,
            counter: (v & 0xffff) as u16,
        }
    }

    /// The next stamp after `self` at wall time `now_ms`.
    pub fn tick(self, now_ms: i64) -> Hlc {
        if now_ms > self.ms {
            Hlc { ms: now_ms, counter: 0 }
        } else if self.counter == u16::MAX {
            Hlc {
                ms: self.ms + 1,
                counter: 0,
            }
        } else {
            Hlc {
                ms: self.ms,
                counter: self.counter + 1,
            }
        }
    }
}

/// One immutable revision of a record, as stored and as sent over the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub id: Uuid,
    pub record_id: RecordId,
    /// The revision this one edits; None for the first revision of a record.
    pub parent: Option<Uuid>,
    /// A merge: the other head this revision resolves, so that the record, edited on two
    /// devices at once, has one head again. Absent on every other revision (and then hashed
    /// exactly as before merges existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub merges: Option<Uuid>,
    pub kind: RecordKind,
    pub author: OfficerId,
    pub device_id: Uuid,
    /// 1, 2, 3… per device, with no gaps.
    #[ts(type = "number")]
    pub device_seq: u64,
    /// The device's wall clock when saved (millisecond precision).
    pub recorded_at: DateTime<Utc>,
    pub hlc: Hlc,
    /// Why the edit was made. Required for every revision but the first.
    pub reason: Option<String>,
    pub body: Record,
    #[ts(type = "string")]
    pub prev_hash: Hash,
    #[ts(type = "string")]
    pub hash: Hash,
}

/// Canonical JSON of a record: keys sorted, no whitespace. Hashes are over these bytes.
pub fn canonical_body(record: &Record) -> String {
    // serde_json's Value map is a BTreeMap (no preserve_order feature), so a round trip
    // through Value sorts every object's keys.
    let value = serde_json::to_value(record).expect("a Record always serialises");
    value.to_string()
}

/// SHA-256 over a domain name and then fields, each prefixed with its length, so no two
/// different sequences of fields hash the same bytes. Revisions and the device's and
/// server's audit entries are all hashed this way.
pub struct FieldHasher(Sha256);

impl FieldHasher {
    pub fn new(domain: &[u8]) -> FieldHasher {
        let mut h = FieldHasher(Sha256::new());
        h.field(domain);
        h
    }

    pub fn field(&mut self, bytes: &[u8]) -> &mut FieldHasher {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub fn finish(self) -> Hash {
        Hash(self.0.finalize().into())
    }
}

impl Revision {
    /// Computes this revision's hash from its content and `prev_hash`.
    pub fn compute_hash(&self, canonical_body: &str) -> Hash {
        // A merge hashes under its own domain with its second parent as one more field, so
        // every revision made before merges existed keeps its hash, and no merge hashes the
        // same bytes as a plain revision.
        let mut h = match &self.merges {
            None => FieldHasher::new(b"liaison-revision-v1"),
            Some(m) => {
                let mut h = FieldHasher::new(b"liaison-merge-v1");
                h.field(m.as_bytes());
                h
            }
        };
        h.field(&self.prev_hash.0)
            .field(self.id.as_bytes())
            .field(self.record_id.as_bytes())
            .field(self.parent.as_ref().map(|p| p.as_bytes().as_slice()).unwrap_or(&[]))
            .field(self.kind.as_str().as_bytes())
            .field(self.author.as_str().as_bytes())
            .field(self.device_id.as_bytes())
            .field(&self.device_seq.to_le_bytes())
            .field(&self.recorded_at.timestamp_millis().to_le_bytes())
            .field(&self.hlc.pack().to_le_bytes());
        match &self.reason {
            Some(r) => h.field(b"1").field(r.as_bytes()),
            None => h.field(b"0"),
        };
        h.field(canonical_body.as_bytes());
        h.finish()
    }

    /// True when `hash` matches the content (the chain link is checked separately).
    pub fn hash_is_valid(&self) -> bool {
        self.compute_hash(&canonical_body(&self.body)) == self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hlc_never_goes_backwards_even_when_the_wall_clock_does() {
        let a = Hlc { ms: 1000, counter: 0 };
        assert_eq!(a.tick(2000), Hlc { ms: 2000, counter: 0 });
        let b = a.tick(500);
        assert!(b > a);
        assert_eq!(b, Hlc { ms: 1000, counter: 1 });
        let full = Hlc {
            ms: 1000,
            counter: u16::MAX,
        };
        assert!(full.tick(0) > full);
    }

    #[test]
    fn hlc_packing_round_trips_and_preserves_order() {
        let xs = [
            Hlc {
                ms: 1_800_000_000_000,
                counter: 3,
            },
            Hlc {
                ms: 1_800_000_000_001,
                counter: 0,
            },
        ];
        for x in xs {
            assert_eq!(Hlc::unpack(x.pack()), x);
        }
        assert!(xs[0].pack() < xs[1].pack());
    }

    #[test]
    fn hash_hex_round_trips() {
        let h = Hash([7; 32]);
        let s = serde_json::to_string(&h).unwrap();
        assert_eq!(serde_json::from_str::<Hash>(&s).unwrap(), h);
        assert!(serde_json::from_str::<Hash>("\"zz\"").is_err());
    }
}
