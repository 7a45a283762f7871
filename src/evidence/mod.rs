//! Evidence has one definition: the revision, its canonical bytes and hash, the hybrid logical
//! clock, the chain walks (revisions and audit entries), and the rule that picks the current
//! revision among concurrent heads.
//!
//! No SQL and no I/O here. The device store ([`crate::store`]), the force server and the wire
//! protocol ([`crate::sync::protocol`]) all build on this module, so a revision hashed on a
//! tablet is checked on the server by the same code, and both pick the same winner.

mod chain;
mod revision;

pub use chain::{AuditProblem, AuditWalk, ChainProblem, ChainReport, ChainWalk};
pub use revision::{canonical_body, FieldHasher, Hash, Hlc, Revision};

use serde::Serialize;
use uuid::Uuid;

/// One revision as a chain names it: place, id, hash. What the server must hold of a
/// device's chain, for comparing both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChainEntry {
    pub device_seq: u64,
    pub revision_id: Uuid,
    pub hash: Hash,
}

/// The current revision among a record's heads (revisions no other revision names as parent):
/// the highest hybrid logical clock, then the highest id. Every device and the server apply
/// this, so all show the same version of a record edited concurrently.
pub fn winner<'a>(heads: impl IntoIterator<Item = (Hlc, &'a Uuid)>) -> Option<&'a Uuid> {
    heads
        .into_iter()
        .max_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_winner_is_the_highest_clock_then_the_highest_id() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let hlc = |ms| Hlc { ms, counter: 0 };
        assert_eq!(winner([(hlc(5), &a), (hlc(9), &b), (hlc(7), &c)]), Some(&b));
        assert_eq!(
            winner([(hlc(9), &c), (hlc(9), &a)]),
            Some(&c),
            "a tie on the clock goes to the higher id"
        );
        assert_eq!(winner(std::iter::empty()), None);
    }
}
