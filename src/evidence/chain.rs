//! The chain walk: every revision's hash recomputed from the bytes that were stored, and each
//! device's revisions checked link by link. The device store and the force server both verify
//! through this; neither has its own copy.

use super::revision::{Hash, Revision};
use serde::Serialize;
use uuid::Uuid;

/// One thing wrong with the stored evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ChainProblem {
    /// The revision's content does not match its hash: it was altered.
    Altered {
        device_id: Uuid,
        device_seq: u64,
        revision: Uuid,
    },
    /// The revision does not point at the hash of the one before it: something was removed,
    /// inserted or reordered.
    BrokenLink {
        device_id: Uuid,
        device_seq: u64,
        revision: Uuid,
    },
    /// A sequence number is missing from this device's own chain.
    Missing {
        device_id: Uuid,
        expected_seq: u64,
        found_seq: u64,
    },
    /// The stored row cannot be read as a revision at all.
    Unreadable { pos: i64, detail: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainReport {
    pub devices: usize,
    pub revisions: u64,
    /// Of those, tombstones left by retention: checked by link only, their bodies being gone.
    #[serde(default)]
    pub erased: u64,
    pub problems: Vec<ChainProblem>,
}

impl ChainReport {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

impl std::fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Altered {
                device_id, device_seq, ..
            } => write!(f, "device {device_id} seq {device_seq}: altered"),
            Self::BrokenLink {
                device_id, device_seq, ..
            } => {
                write!(f, "device {device_id} seq {device_seq}: broken link")
            }
            Self::Missing {
                device_id,
                expected_seq,
                found_seq,
            } => {
                write!(
                    f,
                    "device {device_id}: seq {expected_seq} missing (next is {found_seq})"
                )
            }
            Self::Unreadable { pos, detail } => write!(f, "unreadable revision at {pos}: {detail}"),
        }
    }
}

/// The chain check itself, over revisions given in `(device_id, device_seq)` order: each hash
/// recomputed from the stored body bytes, each consecutive pair linked, each device starting
/// at the genesis hash. Gaps are allowed (a device holds only its operations' revisions, the
/// server may hold some beyond a gap) except in the chain named complete. The device store and
/// the force server both verify through this.
pub struct ChainWalk {
    complete: Option<Uuid>,
    prev: Option<(Uuid, u64, Hash)>,
    report: ChainReport,
}

impl ChainWalk {
    /// `complete`: the device whose chain must have no gap from 1 (this device, on a device).
    pub fn new(complete: Option<Uuid>) -> Self {
        ChainWalk {
            complete,
            prev: None,
            report: ChainReport {
                devices: 0,
                revisions: 0,
                erased: 0,
                problems: Vec::new(),
            },
        }
    }

    /// A stored row that could not be read as a revision; the next one starts a fresh link.
    pub fn unreadable(&mut self, pos: i64, detail: String) {
        self.report.revisions += 1;
        self.report.problems.push(ChainProblem::Unreadable { pos, detail });
        self.prev = None;
    }

    /// The next revision, with its body exactly as stored.
    pub fn push(&mut self, rev: &Revision, stored_body: &str) {
        self.report.revisions += 1;
        if rev.compute_hash(stored_body) != rev.hash {
            self.report.problems.push(ChainProblem::Altered {
                device_id: rev.device_id,
                device_seq: rev.device_seq,
                revision: rev.id,
            });
        }
        self.link(rev.device_id, rev.device_seq, rev.id, rev.prev_hash, rev.hash);
    }

    /// The next revision, a tombstone whose body retention erased: its own hash cannot be
    /// recomputed, but it must still link to the one before, and the one after to it, so
    /// nothing can be removed, inserted or reordered around it unseen.
    pub fn push_tombstone(&mut self, device_id: Uuid, device_seq: u64, revision: Uuid, prev_hash: Hash, hash: Hash) {
        self.report.revisions += 1;
        self.report.erased += 1;
        self.link(device_id, device_seq, revision, prev_hash, hash);
    }

    fn link(&mut self, device_id: Uuid, device_seq: u64, revision: Uuid, prev_hash: Hash, hash: Hash) {
        let (expected_seq, expected_prev) = match self.prev {
            Some((d, seq, h)) if d == device_id => (seq + 1, h),
            _ => {
                self.report.devices += 1;
                (1, Hash::GENESIS)
            }
        };
        if device_seq != expected_seq {
            if self.complete == Some(device_id) {
                self.report.problems.push(ChainProblem::Missing {
                    device_id,
                    expected_seq,
                    found_seq: device_seq,
                });
            }
            // A gap: the link cannot be checked across it.
        } else if expected_prev != prev_hash {
            self.report.problems.push(ChainProblem::BrokenLink {
                device_id,
                device_seq,
                revision,
            });
        }
        self.prev = Some((device_id, device_seq, hash));
    }

    pub fn finish(self) -> ChainReport {
        self.report
    }
}

/// One thing wrong with an audit chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditProblem {
    /// The entry's content does not match its hash.
    Altered(i64),
    /// The entry does not link to the one before it (removed, inserted or reordered entries).
    BrokenLink(i64),
}

impl AuditProblem {
    pub fn id(self) -> i64 {
        match self {
            Self::Altered(id) | Self::BrokenLink(id) => id,
        }
    }
}

/// The audit chain walk, the same for a device's log (on the device and on the server) and
/// the server's own: entries in id order; the first links to the genesis hash, each later one
/// has the next id and names the hash of the one before.
#[derive(Debug, Default)]
pub struct AuditWalk {
    prev: Option<(i64, Hash)>,
    problems: Vec<AuditProblem>,
}

impl AuditWalk {
    pub fn new() -> Self {
        AuditWalk::default()
    }

    /// The next entry: its id, the `prev_hash` and `hash` stored with it, and the hash
    /// recomputed from its stored content.
    pub fn push(&mut self, id: i64, prev_hash: Hash, hash: Hash, computed: Hash) {
        let linked = match self.prev {
            Some((pid, ph)) => id == pid + 1 && prev_hash == ph,
            None => prev_hash == Hash::GENESIS,
        };
        if computed != hash {
            self.problems.push(AuditProblem::Altered(id));
        } else if !linked {
            self.problems.push(AuditProblem::BrokenLink(id));
        }
        self.prev = Some((id, hash));
    }

    /// The last entry walked, if any.
    pub fn head(&self) -> Option<(i64, Hash)> {
        self.prev
    }

    pub fn finish(self) -> Vec<AuditProblem> {
        self.problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_walk_finds_an_altered_entry_and_a_removed_one() {
        let h = |n: u8| Hash([n; 32]);
        let mut walk = AuditWalk::new();
        walk.push(1, Hash::GENESIS, h(1), h(1));
        walk.push(2, h(1), h(2), h(9)); // altered
        walk.push(4, h(2), h(4), h(4)); // 3 removed
        walk.push(5, h(4), h(5), h(5));
        assert_eq!(walk.head(), Some((5, h(5))));
        assert_eq!(walk.finish(), [AuditProblem::Altered(2), AuditProblem::BrokenLink(4)]);
        let mut cut_head = AuditWalk::new();
        cut_head.push(3, h(2), h(3), h(3));
        assert_eq!(
            cut_head.finish(),
            [AuditProblem::BrokenLink(3)],
            "the first must start at genesis"
        );
    }
}
