//! # Liaison force server
//!
//! Receives every device's revisions exactly once, verifies each device's hash chain, and
//! hands each device the colleagues' revisions it is entitled to.
//!
//! # Layout
//!
//! - [`api`]: the HTTP API (axum): `/v1/enroll`, `/v1/push`, `/v1/pull`, `/v1/openapi.json`.
//!   Wire types come from `liaison_core::sync::protocol`, never redefined here.
//! - [`storage`]: the [`storage::Storage`] trait (everything the server remembers), its
//!   embedded SQLite implementation (the default) and its PostgreSQL one, for several server
//!   processes on one database (`--database`; `docs/deployment.md`).
//! - [`auth`]: device tokens and one-time enrollment codes (generated here, stored hashed).
//! - [`judge`]: the one judge of every pushed revision and audit entry: pure functions from
//!   what was pushed, what is held, the device's enrolment and standing and the server's clock
//!   to a verdict with a typed reason. Storage backends only look up and insert.
//! - [`visibility`]: who may read and write which revision (the operations rule).
//! - [`cli`]: the admin command line (serve, operations, enrollment codes, revocation, TLS,
//!   verify, `review --due` under the retention policy, `audit` trail export).
//! - [`demo`]: `liaison-server demo`, the invented demonstration operation in the server's own
//!   chain, for a demonstration server.
//! - [`export`]: open exports of an operation or the directory (CSV with British National
//!   Grid references, GeoJSON, JSON with the full revision history) and the monitoring
//!   statistics for partners, each a disclosure logged with its purpose.
//! - [`tls`]: the server's rustls configuration, and the force CA and server certificate
//!   `liaison-server tls init` makes (rcgen) for tests and the demo.
//! - [`door`]: the connection cap and the handshake and header timeouts every connection
//!   meets before a handler runs.
//! - [`limits`]: request rates per device and per address (429 with `Retry-After`).
//!
//! # Invariants
//!
//! - A revision is stored once, by id; the same id with a different body is refused, never
//!   overwritten; a stored revision is never changed.
//! - Each device's chain is checked link by link as revisions arrive, in any order.
//! - No revision of an operation reaches a device whose officer is not assigned to it.
//! - Tokens and codes are stored only as SHA-256 hashes.
//! - Devices' audit entries are stored as their chains were made, checked link by link; the
//!   server's own acts (enrollment, collection, disclosure, revocation, review) are logged in
//!   its own hash chain in the same transaction as the act.
//! - The server never deletes a record: retention only flags records for review.
//! - Plain HTTP is served on a loopback address only; anything else is TLS.
//! - A revoked device is refused with `ErrorCode::Revoked` everywhere, except that a
//!   *retired* one (not lost or stolen) may make a final push of what it recorded up to the
//!   revocation (the rule is in [`api`]).

pub mod api;
pub mod auth;
pub mod cli;
pub mod console;
pub mod demo;
pub mod door;
pub mod export;
pub mod judge;
pub mod limits;
pub mod media;
pub mod storage;
pub mod tls;
pub mod visibility;

pub use api::{router, router_with, serve, serve_with, ServeError, ServeOptions};
pub use storage::{postgres::PostgresStorage, sqlite::SqliteStorage, Storage, StorageError};
