//! The live picture of an operation and its event stream.
//!
//! Event ids are the server's log positions (the pull order), so a page that reconnects with
//! `Last-Event-ID` is sent, from the database, every revision of the operation after the last
//! one it saw: nothing is held per subscriber and nothing is lost by a slow one. A page so far
//! behind that replaying would take more than [`REPLAY_MAX`] events (by default) is told to reload the
//! picture instead (`event: reload`), never silently left behind.
//!
//! Within a process, a push wakes every stream at once ([`Live::notify`]); streams also look
//! every [`POLL`] so that revisions stored by another server process on the same PostgreSQL
//! database arrive too.

use super::model::{LiveRecord, OperationView, Picture, TeamDevice};
use super::ConsoleFailure;
use crate::storage::console::Logged;
use crate::storage::Storage;
use liaison_core::evidence::winner;
use liaison_core::records::Body;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// Most events replayed to a reconnecting page before it is told to reload instead (the
/// default of [`super::ConsoleOptions::replay_max`]).
pub const REPLAY_MAX: usize = 5_000;
/// How often a stream looks for revisions stored by other processes.
pub const POLL: Duration = Duration::from_secs(1);
/// Read from the log at most this many at a time.
const PAGE: u32 = 500;

/// Wakes event streams when revisions are stored. Cheap to clone.
#[derive(Clone)]
pub struct Live {
    tx: watch::Sender<u64>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            tx: watch::channel(0).0,
        }
    }
}

impl Live {
    /// Something was stored: wake every stream.
    pub fn notify(&self) {
        self.tx.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }
}

/// The current revision of each record among `revisions` (all of one operation's log), by
/// the rule every device applies, newest first. A head is a revision no other names as its
/// parent or as merged.
pub fn current(revisions: Vec<Logged>) -> Vec<Logged> {
    let followed: std::collections::HashSet<Uuid> = revisions
        .iter()
        .flat_map(|l| [l.revision.parent, l.revision.merges])
        .flatten()
        .collect();
    let mut heads: HashMap<Uuid, Vec<Logged>> = HashMap::new();
    for l in revisions {
        if !followed.contains(&l.revision.id) {
            heads.entry(l.revision.record_id).or_default().push(l);
        }
    }
    let mut out: Vec<Logged> = heads
        .into_values()
        .filter_map(|hs| {
            let won = *winner(hs.iter().map(|l| (l.revision.hlc, &l.revision.id)))?;
            hs.into_iter().find(|l| l.revision.id == won)
        })
        .collect();
    out.sort_by_key(|l| std::cmp::Reverse(l.position));
    out
}

pub fn live_record(l: Logged) -> LiveRecord {
    LiveRecord {
        record_id: l.revision.record_id,
        revision: l.revision.id,
        position: l.position,
        author: l.revision.author.to_string(),
        received_at: l.received_at,
        record: l.revision.body,
    }
}

/// The whole log of an operation, page by page.
pub fn operation_log(storage: &dyn Storage, operation: Uuid) -> Result<Vec<Logged>, ConsoleFailure> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = storage.operation_log(operation, after, PAGE)?;
        let full = page.len() == PAGE as usize;
        if let Some(last) = page.last() {
            after = last.position;
        }
        out.extend(page);
        if !full {
            return Ok(out);
        }
    }
}

/// The operation's current revision, from its log.
pub fn operation_view(log: &[Logged], operation: Uuid) -> Option<OperationView> {
    let mine: Vec<Logged> = log
        .iter()
        .filter(|l| l.revision.record_id == operation)
        .cloned()
        .collect();
    let l = current(mine).into_iter().next()?;
    match l.revision.body.body {
        Body::Operation(op) => Some(OperationView {
            id: operation,
            revision: l.revision.id,
            operation: op,
            edited_by: l.revision.author.to_string(),
            edited_at: l.revision.recorded_at,
        }),
        _ => None,
    }
}

/// The picture of an operation now.
pub fn picture(storage: &dyn Storage, operation: Uuid) -> Result<Picture, ConsoleFailure> {
    // The position is that of the last revision read: anything stored after it (while the
    // log was being read, or since) is sent by the stream opened `?after=` it, and a page
    // merges by record, so nothing is missed and nothing is doubled.
    let log = operation_log(storage, operation)?;
    let position = log.last().map(|l| l.position).unwrap_or(0);
    let view =
        operation_view(&log, operation).ok_or_else(|| ConsoleFailure::NotFound(format!("operation {operation}")))?;
    let devices = storage.devices()?;
    let team = view
        .operation
        .team
        .iter()
        .flat_map(|m| {
            let theirs: Vec<_> = devices
                .iter()
                .filter(|d| d.officer == m.officer.as_str() && d.revoked_at.is_none())
                .collect();
            let rows: Vec<TeamDevice> = if theirs.is_empty() {
                vec![TeamDevice {
                    officer: m.officer.to_string(),
                    role: m.role.clone(),
                    device_id: None,
                    last_contact: None,
                }]
            } else {
                theirs
                    .into_iter()
                    .map(|d| TeamDevice {
                        officer: m.officer.to_string(),
                        role: m.role.clone(),
                        device_id: Some(d.device_id),
                        last_contact: d.last_contact,
                    })
                    .collect()
            };
            rows
        })
        .collect();
    let records = current(log)
        .into_iter()
        .filter(|l| l.revision.record_id != operation)
        .map(live_record)
        .collect();
    Ok(Picture {
        operation: view,
        position,
        records,
        team,
    })
}

/// What a stream sends next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    Records(Vec<LiveRecord>),
    /// Too far behind: reload the picture.
    Reload,
}

/// The operation's revisions after `after`, or [`Next::Reload`] when there are more than
/// `max`.
pub fn since(storage: &dyn Storage, operation: Uuid, after: i64, max: usize) -> Result<Next, ConsoleFailure> {
    let mut out = Vec::new();
    let mut after = after;
    loop {
        let page = storage.operation_log(operation, after, PAGE.min(max as u32 + 1))?;
        let full = page.len() == PAGE.min(max as u32 + 1) as usize;
        if let Some(last) = page.last() {
            after = last.position;
        }
        out.extend(page.into_iter().map(live_record));
        if out.len() > max {
            return Ok(Next::Reload);
        }
        if !full {
            return Ok(Next::Records(out));
        }
    }
}
