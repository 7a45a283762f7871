//! # Liaison core
//!
//! Everything a Liaison device knows and does without a screen or a network: the record kinds
//! an officer keeps, the evidential on-device store, search, geography and the audit log. The
//! Tauri shell (`src-tauri/`) and the force server (`server/`) are thin layers over this crate.
//!
//! # Layout
//!
//! - [`records`]: the record kinds from PRODUCT.md (operation, directory entries, contact note,
//!   rumour report, negotiation outcome, tension reading, escalation, neighbourhood work) as typed
//!   data, and their validation. One file per kind. No storage.
//! - [`store`]: the SQLite store. Revisions are immutable and hash-chained per device; current
//!   state and the FTS5 index are derived from them. The only module with SQL.
//! - [`evidence`]: the revision, its canonical bytes and hash, the hybrid logical clock, the
//!   chain walk and the winner among concurrent heads. No SQL, no I/O: the store, the server
//!   and the wire protocol all use it.
//! - [`files`]: files readable by their owner only, and no core dumps (the tablet's secrets
//!   and the server's database alike).
//! - [`geo`]: coordinate validation, sectors, distances, and the British National Grid
//!   (`geo::bng`: easting, northing and grid reference of a WGS84 position).
//! - [`audit`]: what the audit log records (who, when, what, why).
//! - [`crypto`]: the database key wrapped under the officer's passcode, and the lock ([`crypto::Vault`]).
//! - [`retention`]: the retention policy (`policy/retention.toml`): per record kind a MoPI-style
//!   class, how long a synced record stays on a tablet, and when the server reviews it.
//! - [`statistics`]: monitoring statistics for partners (counts by month, area, strand and
//!   referral outcome) and the small-number suppression that is the only way they are
//!   published ([`statistics::publish`]). Pure: no storage.
//! - [`demo`]: a realistic demonstration operation, used by the run command and the tests.
//! - [`sync`]: sync with the force server: the wire protocol (shared with `server/`), the
//!   client (outbox push, cursor pull, quarantine) and the scheduler. No SQL: its state is in
//!   `store`.
//! - [`tiles`]: a force's own offline map tiles on the tablet (a PMTiles archive in the
//!   `maps` folder beside the database), checked when opened and read by z/x/y for the map.
//!   No SQL, no HTTP.
//! - [`service`]: what the app's screens ask of the core (operation home, rumour board,
//!   negotiation tracker, tension series, the operation's map, timeline pages, record detail
//!   with its history, neighbourhood mode, drafts). The Tauri commands are one call into it each.
//!
//! # Features
//!
//! `device` (on by default, with `sqlcipher`) is the tablet's half: `store`, `crypto`,
//! `service`, `tiles`, the sync client and scheduler. Without it the crate is what the force
//! server and the fuzz targets build on: `evidence`, `records`, `audit`, `geo`, `retention`,
//! `demo`'s plan and `sync`'s protocol and enrolment string, with no SQLite and no HTTP.
//!
//! # Architecture invariants
//!
//! - Nothing here knows about Tauri or the UI; only `sync` speaks HTTP.
//! - A function that returns an error has written nothing.
//! - Nothing is updated or deleted in place: an edit is a new revision with a reason. The one
//!   exception is retention ([`Store::apply_retention`]): a synced record past its device period
//!   has its bodies replaced by tombstones that keep the hash chain, logged as an erasure.

pub mod audit;
#[cfg(feature = "device")]
pub mod crypto;
pub mod demo;
pub mod evidence;
pub mod files;
pub mod geo;
pub mod media;
pub mod records;
pub mod report;
pub mod retention;
#[cfg(feature = "device")]
pub mod service;
pub mod statistics;
#[cfg(feature = "device")]
pub mod store;
pub mod sync;
#[cfg(feature = "device")]
pub mod tiles;
pub mod typescript;

pub use audit::{Access, AuditAction, AuditEntry, ChainedAuditEntry};
pub use evidence::Revision;
pub use records::{Body, Location, OfficerId, Record, RecordId, RecordKind, ValidationError};
#[cfg(feature = "device")]
pub use store::{Saved, Store, StoreError};
