//! The sync client: enrolls the device, pushes its outbox in batches, pulls colleagues'
//! revisions page by page. One call to [`SyncClient::sync`] is one attempt; scheduling,
//! backoff and retries belong to [`super::Scheduler`].
//!
//! The store is shared with the app behind a mutex and locked only between network calls,
//! never across one, so the officer can keep writing during a long sync.

use super::protocol::{
    self, EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, PullResponse, PushRequest, PushResponse, ENROLL_PATH,
    PULL_PATH, PUSH_PATH, ZSTD,
};
use super::SyncError;
use crate::store::{QuarantinedRevision, Store, StoreError, SyncDirection};
use chrono::Utc;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::StatusCode;
use serde::Serialize;
use sha2::Digest;
use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How the client talks to the server.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Revisions per push. Large enough to amortise the server's durable commit, small
    /// enough that a cut link loses little and urgent records lead the first batch.
    pub batch_size: usize,
    /// Revisions per pull page.
    pub pull_page: u32,
    /// Whole-request timeout: a stalled link is abandoned after this.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// The force CA (PEM; one or more certificates). With it, the client trusts that CA and
    /// no other: not the built-in public roots, not the tablet's own store. An `https://`
    /// server needs it.
    pub ca_pem: Option<Vec<u8>>,
    /// Allow `http://` to this machine (127.0.0.1, ::1, localhost), for development and tests.
    /// Plain HTTP anywhere else is always refused.
    pub allow_plain_loopback: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            batch_size: 1_000,
            pull_page: 1_000,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            ca_pem: None,
            allow_plain_loopback: false,
        }
    }
}

/// What one sync attempt did, with the figures the benchmark prints.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncReport {
    /// Own revisions the server now holds that it did not before this attempt's batches.
    pub pushed: u64,
    /// Own revisions the server already held (a retried batch).
    pub already_held: u64,
    /// Own revisions the server refused, now quarantined.
    pub quarantined: u64,
    pub push_batches: u32,
    /// Colleagues' revisions newly stored here.
    pub pulled: u64,
    pub pull_pages: u32,
    /// Compressed bytes sent and received in request and response bodies.
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// Own audit entries the server newly holds.
    pub audit_sent: u64,
    /// Why the server refused one of this device's audit entries (its audit chain is broken);
    /// the entries before it went, and the sync carried on.
    pub audit_refused: Option<String>,
    /// Records the retention job removed from the device after this sync (the scheduler
    /// runs it; a bare `sync` leaves it 0).
    pub erased_by_retention: u64,
    /// Round-trip time of each push batch, in order.
    #[serde(skip)]
    pub batch_latencies: Vec<Duration>,
    /// Attached files the server now holds whole, and the bytes sent for them.
    pub media_sent: u64,
    pub media_bytes_sent: u64,
    /// Times an upload cut off (a dropped connection, a lost answer) asked the server how much
    /// it held and went on from there.
    pub media_resumed: u64,
    /// Files the server would not take this time (its answer, in words); tried again at the
    /// next sync.
    pub media_refused: Vec<String>,
    /// Thumbnails of colleagues' photos fetched after the pull (full files are fetched when
    /// the officer opens them).
    pub thumbnails_fetched: u64,
}

/// Bytes per media chunk: small enough that a connection dropped on a poor link loses little
/// (at most one chunk is sent again), large enough that the headers cost nothing.
pub const MEDIA_CHUNK_BYTES: usize = 256 * 1024;
/// Bytes asked for at a time when fetching a colleague's file: what a cut connection loses.
pub const MEDIA_FETCH_BYTES: u64 = 1024 * 1024;
/// Upload attempts in a row that may fail (each resumed from what the server holds) before
/// the sync gives up until the next one.
const MEDIA_RETRIES: u32 = 50;

/// The answer to a media request.
#[derive(Debug, serde::Deserialize)]
struct MediaUpload {
    held: u64,
    complete: bool,
}

/// Progress reported while a sync runs.
pub type ProgressFn<'a> = &'a (dyn Fn(super::SyncPhase, u64, u64) + Send + Sync);

/// Talks to one force server.
#[derive(Debug, Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    base: String,
    options: SyncOptions,
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    // A panic elsewhere while holding the lock leaves the store consistent (every write is a
    // transaction), so the guard is still safe to use.
    store.lock().unwrap_or_else(|e| e.into_inner())
}

impl SyncClient {
    /// A client for `server_url`. Transport rules: `https://` needs the force CA
    /// ([`SyncOptions::ca_pem`]), which becomes the only root trusted (pinning); `http://` is
    /// refused unless the host is this machine and [`SyncOptions::allow_plain_loopback`] is set.
    pub fn new(server_url: &str, options: SyncOptions) -> Result<SyncClient, SyncError> {
        let base = server_url.trim().trim_end_matches('/').to_string();
        let shown = || server_url.chars().take(200).collect::<String>();
        let url = reqwest::Url::parse(&base).map_err(|_| SyncError::BadServerUrl(shown()))?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| SyncError::BadServerUrl(shown()))?;
        let mut builder = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            // A redirect could lead off the pinned server or down to plain HTTP.
            .redirect(reqwest::redirect::Policy::none());
        match url.scheme() {
            "http" => {
                let loopback = host.eq_ignore_ascii_case("localhost")
                    || host
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback());
                if !loopback {
                    return Err(SyncError::PlainHttpRefused(shown()));
                }
                if !options.allow_plain_loopback {
                    return Err(SyncError::PlainHttpNotAllowed(shown()));
                }
            }
            "https" => {
                let pem = options.ca_pem.as_deref().ok_or(SyncError::NoForceCa)?;
                let roots =
                    reqwest::Certificate::from_pem_bundle(pem).map_err(|e| SyncError::BadForceCa(e.to_string()))?;
                if roots.is_empty() {
                    return Err(SyncError::BadForceCa("it holds no PEM certificate".into()));
                }
                builder = builder.tls_built_in_root_certs(false).https_only(true);
                for root in roots {
                    builder = builder.add_root_certificate(root);
                }
            }
            _ => return Err(SyncError::BadServerUrl(shown())),
        }
        let http = builder.build().map_err(|e| SyncError::BadForceCa(error_chain(&e)))?;
        Ok(SyncClient { http, base, options })
    }

    /// A client for the server this device is enrolled with.
    pub fn for_store(store: &Mutex<Store>, options: SyncOptions) -> Result<SyncClient, SyncError> {
        let creds = lock(store).sync_credentials()?.ok_or(SyncError::NotEnrolled)?;
        SyncClient::new(&creds.server_url, options)
    }

    pub fn server_url(&self) -> &str {
        &self.base
    }

    /// Redeems a one-time enrollment code and saves the device token and the officer the server
    /// enrolled this device for in the store. Safe to repeat after a lost answer: the server
    /// gives the same device id presenting the same code a fresh token within the code's life.
    pub async fn enroll(&self, store: &Mutex<Store>, code: &str) -> Result<EnrollResponse, SyncError> {
        let device_id = lock(store).device_id();
        let body = protocol::encode(&EnrollRequest {
            code: code.trim().to_string(),
            device_id,
        })
        .map_err(|e| SyncError::BadResponse(e.to_string()))?;
        let (status, bytes, encoding) = self
            .send(self.http.post(format!("{}{ENROLL_PATH}", self.base)), body)
            .await?;
        if !status.is_success() {
            let err = error_body(encoding.as_deref(), &bytes);
            return Err(match err.code {
                ErrorCode::BadEnrollmentCode => SyncError::EnrollmentRefused(err.message),
                ErrorCode::Revoked => SyncError::Revoked,
                _ => server_error(status, err),
            });
        }
        let enrolled: EnrollResponse =
            protocol::decode(encoding.as_deref(), &bytes).map_err(|e| SyncError::BadResponse(e.to_string()))?;
        // The answer names the officer every record made here will carry: a name that is not a
        // valid officer id is refused before anything is saved.
        crate::records::OfficerId::new(enrolled.officer.as_str())
            .map_err(|e| SyncError::BadResponse(format!("the enrolment answer names no valid officer: {e}")))?;
        lock(store).save_sync_enrollment(&self.base, &enrolled.token, &enrolled.officer)?;
        Ok(enrolled)
    }

    /// One sync attempt: push everything waiting, then pull everything new. Records the
    /// outcome in the store's sync status either way.
    pub async fn sync(&self, store: &Mutex<Store>, progress: ProgressFn<'_>) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let outcome = async {
            self.push(store, &mut report, progress).await?;
            self.push_audit(store, &mut report).await?;
            if self.pull(store, &mut report, progress).await? {
                // The server had lost some of this device's revisions: send them again now.
                self.push(store, &mut report, progress).await?;
            }
            // Own files after the records: every record is on the server before any photo's
            // first byte.
            self.upload_media(store, &mut report, progress).await?;
            // Then colleagues' thumbnails: this tablet's evidence leaves before anything else
            // arrives.
            self.fetch_thumbnails(store, &mut report).await?;
            Ok(())
        }
        .await;
        let mut s = lock(store);
        match &outcome {
            Ok(()) => s.record_sync_attempt(None)?,
            Err(SyncError::Revoked) => {
                s.record_sync_revoked()?;
                s.record_sync_attempt(Some(&SyncError::Revoked.to_string()))?;
            }
            Err(e) => s.record_sync_attempt(Some(&e.to_string()))?,
        }
        outcome.map(|()| report)
    }

    /// Pushes the outbox, batch by batch, until it is empty.
    pub async fn push(
        &self,
        store: &Mutex<Store>,
        report: &mut SyncReport,
        progress: ProgressFn<'_>,
    ) -> Result<(), SyncError> {
        let creds = lock(store).sync_credentials()?.ok_or(SyncError::NotEnrolled)?;
        let total = lock(store).sync_status()?.waiting;
        let mut done = 0u64;
        let mut size = self.options.batch_size.max(1);
        progress(super::SyncPhase::Pushing, 0, total);
        loop {
            let (device_id, batch) = {
                let s = lock(store);
                (s.device_id(), s.outbox(size)?)
            };
            if batch.is_empty() {
                return Ok(());
            }
            let body = protocol::encode(&PushRequest {
                device_id,
                revisions: batch.clone(),
                audit: Vec::new(),
            })
            .map_err(|e| SyncError::BadResponse(e.to_string()))?;
            let started = Instant::now();
            // What will still wait once this batch is stored, for force IT's list of tablets.
            let waiting = total.saturating_sub(done + batch.len() as u64);
            let req = self
                .http
                .post(format!("{}{PUSH_PATH}", self.base))
                .bearer_auth(&creds.token)
                .header(protocol::WAITING_HEADER, waiting.to_string());
            let sent = body.len() as u64;
            let (status, bytes, encoding) = self.send(req, body).await?;
            report.bytes_sent += sent;
            report.bytes_received += bytes.len() as u64;
            // Only the server's own verdict that it cannot read this body counts as a refusal: a
            // 400 without its error body (say, a connection cut mid-body and reported by the
            // HTTP layer) is a transport failure and is retried, never quarantined.
            let refused_body = status == StatusCode::PAYLOAD_TOO_LARGE
                || (status == StatusCode::BAD_REQUEST
                    && protocol::decode::<ErrorBody>(encoding.as_deref(), &bytes)
                        .is_ok_and(|e| e.code == ErrorCode::BadRequest));
            if refused_body {
                let err = error_body(encoding.as_deref(), &bytes);
                if batch.len() > 1 {
                    // Something in this batch cannot be read by the server: halve until the one
                    // revision at fault is alone, so it alone is quarantined.
                    size = batch.len() / 2;
                    continue;
                }
                let rev = &batch[0];
                lock(store).record_push_outcome(
                    0,
                    &[],
                    &[QuarantinedRevision {
                        revision_id: rev.id,
                        device_seq: Some(rev.device_seq),
                        direction: SyncDirection::Push,
                        reason: if status == StatusCode::PAYLOAD_TOO_LARGE {
                            "too_large".into()
                        } else {
                            "unreadable".into()
                        },
                        message: format!("the force server could not accept this revision: {}", err.message),
                        at: Utc::now(),
                    }],
                )?;
                report.quarantined += 1;
                continue;
            }
            check_auth(status, encoding.as_deref(), &bytes)?;
            if !status.is_success() {
                return Err(server_error(status, error_body(encoding.as_deref(), &bytes)));
            }
            let resp: PushResponse =
                protocol::decode(encoding.as_deref(), &bytes).map_err(|e| SyncError::BadResponse(e.to_string()))?;
            // The answer must cover every revision sent; otherwise it is not trusted at all.
            let held: HashSet<u64> = resp.held.iter().copied().collect();
            let rejected: HashSet<uuid::Uuid> = resp.rejected.iter().map(|r| r.revision_id).collect();
            if batch
                .iter()
                .any(|r| !held.contains(&r.device_seq) && !rejected.contains(&r.id))
            {
                return Err(SyncError::IncompleteAcknowledgement);
            }
            let refused: Vec<QuarantinedRevision> = resp
                .rejected
                .iter()
                .map(|r| QuarantinedRevision {
                    revision_id: r.revision_id,
                    device_seq: Some(r.device_seq),
                    direction: SyncDirection::Push,
                    reason: r.reason.as_str().into(),
                    message: r.message.clone(),
                    at: Utc::now(),
                })
                .collect();
            lock(store).record_push_outcome(resp.acked_seq, &resp.held, &refused)?;
            report.batch_latencies.push(started.elapsed());
            report.push_batches += 1;
            report.pushed += u64::from(resp.stored);
            report.already_held += resp.held.len() as u64 - u64::from(resp.stored);
            report.quarantined += refused.len() as u64;
            done += batch.len() as u64;
            progress(super::SyncPhase::Pushing, done, total.max(done));
        }
    }

    /// Sends this device's audit entries the server does not hold yet, in chain order, in
    /// pushes of their own (no revisions) after the revisions have gone. The server checks
    /// each link and acknowledges how far it holds the chain. A refused entry (the device's
    /// audit log was altered) stops the upload without failing the sync: it is reported, and
    /// the server keeps refusing it, which is the evidence.
    pub async fn push_audit(&self, store: &Mutex<Store>, report: &mut SyncReport) -> Result<(), SyncError> {
        let creds = lock(store).sync_credentials()?.ok_or(SyncError::NotEnrolled)?;
        let size = self.options.batch_size.clamp(1, protocol::MAX_PUSH_AUDIT);
        loop {
            let (device_id, audit) = {
                let s = lock(store);
                (s.device_id(), s.audit_outbox(size)?)
            };
            let Some(last) = audit.last().map(|e| e.id) else {
                return Ok(());
            };
            let body = protocol::encode(&PushRequest {
                device_id,
                revisions: Vec::new(),
                audit,
            })
            .map_err(|e| SyncError::BadResponse(e.to_string()))?;
            let req = self
                .http
                .post(format!("{}{PUSH_PATH}", self.base))
                .bearer_auth(&creds.token);
            report.bytes_sent += body.len() as u64;
            let (status, bytes, encoding) = self.send(req, body).await?;
            report.bytes_received += bytes.len() as u64;
            check_auth(status, encoding.as_deref(), &bytes)?;
            if status == StatusCode::BAD_REQUEST {
                // A server from before audit upload cannot read the field: the entries stay
                // here and go once it is upgraded.
                tracing::info!("the force server does not take audit entries yet");
                return Ok(());
            }
            if !status.is_success() {
                return Err(server_error(status, error_body(encoding.as_deref(), &bytes)));
            }
            let resp: PushResponse =
                protocol::decode(encoding.as_deref(), &bytes).map_err(|e| SyncError::BadResponse(e.to_string()))?;
            let Some(ack) = resp.audit else {
                return Ok(());
            };
            lock(store).record_audit_ack(ack.acked_id)?;
            report.audit_sent += u64::from(ack.stored);
            if let Some(refused) = ack.refused {
                tracing::warn!(
                    entry = refused.id,
                    reason = refused.reason.as_str(),
                    "audit entry refused by the server"
                );
                report.audit_refused = Some(refused.message);
                return Ok(());
            }
            if ack.acked_id < last {
                // No refusal yet no progress to the end: stop rather than loop.
                return Ok(());
            }
        }
    }

    /// Pulls colleagues' revisions page by page until the server says there are no more.
    /// Returns true when the server turned out to hold less of this device's chain than it
    /// had acknowledged (the outbox then offers those revisions again).
    pub async fn pull(
        &self,
        store: &Mutex<Store>,
        report: &mut SyncReport,
        progress: ProgressFn<'_>,
    ) -> Result<bool, SyncError> {
        let mut server_lost_data = false;
        let creds = lock(store).sync_credentials()?.ok_or(SyncError::NotEnrolled)?;
        let mut received = 0u64;
        loop {
            let cursor = lock(store).pull_cursor()?;
            let mut query: Vec<(&str, String)> = vec![("limit", self.options.pull_page.to_string())];
            if let Some(c) = &cursor {
                query.push(("after", c.clone()));
            }
            let req = self
                .http
                .get(format!("{}{PULL_PATH}", self.base))
                .query(&query)
                .bearer_auth(&creds.token);
            let (status, bytes, encoding) = self.send(req, Vec::new()).await?;
            report.bytes_received += bytes.len() as u64;
            check_auth(status, encoding.as_deref(), &bytes)?;
            if !status.is_success() {
                return Err(server_error(status, error_body(encoding.as_deref(), &bytes)));
            }
            let page: PullResponse =
                protocol::decode(encoding.as_deref(), &bytes).map_err(|e| SyncError::BadResponse(e.to_string()))?;
            if page.more && cursor.as_deref() == Some(page.next_cursor.as_str()) {
                return Err(SyncError::CursorStuck);
            }
            if lock(store).lower_sync_watermark(page.acked_seq)? {
                tracing::warn!(
                    server_acked = page.acked_seq,
                    "the server holds less than it acknowledged; re-sending"
                );
                server_lost_data = true;
            }
            received += page.revisions.len() as u64;
            report.pulled += lock(store).apply_pulled(&page.revisions, &page.next_cursor)? as u64;
            report.pull_pages += 1;
            progress(super::SyncPhase::Pulling, received, received);
            if !page.more {
                return Ok(server_lost_data);
            }
        }
    }

    /// Uploads the files this device's acknowledged records name and the server does not
    /// hold whole yet, in [`MEDIA_CHUNK_BYTES`] chunks, each from what the server says it holds
    /// (so a connection dropped mid-file resumes there, and a chunk whose answer was lost is
    /// not sent again). Before each chunk, anything newly saved (an escalation raised while a
    /// photo goes up) is pushed first.
    pub async fn upload_media(
        &self,
        store: &Mutex<Store>,
        report: &mut SyncReport,
        progress: ProgressFn<'_>,
    ) -> Result<(), SyncError> {
        let creds = lock(store).sync_credentials()?.ok_or(SyncError::NotEnrolled)?;
        let waiting = lock(store).media_waiting()?;
        let total: u64 = waiting.iter().map(|(_, s)| s).sum();
        let mut done = 0u64;
        for (sha256, size) in waiting {
            progress(super::SyncPhase::SendingMedia, done, total);
            // Decrypted a segment at a time on a blocking thread, outside the store's lock,
            // while earlier chunks are on the wire.
            let mut file = Decrypting::start(lock(store).media().clone(), &sha256, size);
            let url = format!("{}{}/upload", self.base, protocol::media_path(&sha256));
            let mut failures = 0u32;
            let mut at: Option<MediaUpload> = None;
            loop {
                if lock(store).sync_status()?.waiting > 0 {
                    self.push(store, report, progress).await?;
                }
                let step = match &at {
                    None => {
                        self.media_request(self.http.get(&url).bearer_auth(&creds.token), None)
                            .await
                    }
                    Some(u) if u.complete => break,
                    Some(u) => {
                        let from = u.held as usize;
                        let bytes = match file.up_to(from + MEDIA_CHUNK_BYTES).await {
                            Ok(bytes) => bytes,
                            // One file that cannot be read back (damaged on the tablet's
                            // storage) must not hold up every other file and every later
                            // sync: it is named, and skipped.
                            Err(e) => {
                                tracing::error!(%sha256, error = %e, "a kept file cannot be read; not uploaded");
                                report.media_refused.push(format!("{sha256}: {e}"));
                                break;
                            }
                        };
                        let chunk = &bytes[from.min(bytes.len())..(from + MEDIA_CHUNK_BYTES).min(bytes.len())];
                        let req = self
                            .http
                            .put(format!("{url}?offset={from}"))
                            .bearer_auth(&creds.token)
                            .header("x-chunk-sha256", hex::encode(sha2::Sha256::digest(chunk)));
                        let sent = self.media_request(req, Some(chunk.to_vec())).await;
                        if sent.is_ok() {
                            report.media_bytes_sent += chunk.len() as u64;
                        }
                        sent
                    }
                };
                match step {
                    // A chunk the server took without moving on (the file here is shorter than
                    // the record says): stop with this file rather than send it forever.
                    Ok(u) if !u.complete && at.as_ref().is_some_and(|p| !p.complete && p.held == u.held) => {
                        report.media_refused.push(format!(
                            "{sha256}: the file on this tablet is not the size its record names"
                        ));
                        break;
                    }
                    Ok(u) => {
                        progress(super::SyncPhase::SendingMedia, done + u.held, total);
                        at = Some(u);
                        failures = 0;
                    }
                    // The server is elsewhere in the file than this device thought (an answer
                    // lost), or the connection dropped: ask it, and go on from there.
                    Err(MediaStep::Resume(why)) => {
                        failures += 1;
                        if failures > MEDIA_RETRIES {
                            return Err(SyncError::Unreachable(why));
                        }
                        report.media_resumed += 1;
                        at = None;
                    }
                    Err(MediaStep::Refused(message)) => {
                        report.media_refused.push(format!("{sha256}: {message}"));
                        break;
                    }
                    Err(MediaStep::Fail(e)) => return Err(e),
                }
            }
            if at.is_some_and(|u| u.complete) {
                lock(store).mark_media_sent(&sha256)?;
                report.media_sent += 1;
            }
            done += size;
        }
        if total > 0 {
            progress(super::SyncPhase::SendingMedia, done, total);
        }
        Ok(())
    }

    /// Fetches the thumbnails named by records on this tablet that it does not hold (a
    /// colleague's photos, pulled): each small, whole. One the server has not received yet
    /// (the colleague's tablet has not sent it) is tried again at the next sync.
    pub async fn fetch_thumbnails(&self, store: &Mutex<Store>, report: &mut SyncReport) -> Result<(), SyncError> {
        let wanted = lock(store).thumbnails_wanted()?;
        for (sha256, size) in wanted {
            match self.fetch_media(store, &sha256, size).await {
                Ok(_) => report.thumbnails_fetched += 1,
                Err(FetchError::Unavailable(why)) => {
                    tracing::debug!(%sha256, %why, "thumbnail not fetched this time");
                }
                // The server failing on one file: the others are still asked for.
                Err(FetchError::Sync(SyncError::Server { status, message })) => {
                    tracing::warn!(%sha256, status, %message, "the server failed on a thumbnail");
                }
                // No coverage, revoked, rate-limited, the store failing: the sync stops.
                Err(FetchError::Sync(e)) => return Err(e),
            }
        }
        Ok(())
    }

    /// Fetches a file the records on this tablet name from the force server, in
    /// [`MEDIA_FETCH_BYTES`] ranges (a cut connection resumes at the last byte received),
    /// checks it against its name and size, and keeps it in the tablet's encrypted store.
    /// Returns its size.
    pub async fn fetch_media(&self, store: &Mutex<Store>, sha256: &str, size: u64) -> Result<u64, FetchError> {
        if lock(store).media().has(sha256) {
            return Ok(size);
        }
        let creds = lock(store).sync_credentials()?.ok_or(SyncError::NotEnrolled)?;
        let mut bytes: Vec<u8> = Vec::with_capacity(size.min(crate::records::attachment::MAX_AUDIO_BYTES) as usize);
        let mut failures = 0u32;
        while (bytes.len() as u64) < size {
            let req = self
                .http
                .get(format!("{}{}", self.base, protocol::media_path(sha256)))
                .query(&[("offset", bytes.len() as u64), ("length", MEDIA_FETCH_BYTES)])
                .bearer_auth(&creds.token)
                .header(protocol::APP_VERSION_HEADER, env!("CARGO_PKG_VERSION"));
            let got = async {
                let resp = req.send().await?;
                let status = resp.status();
                let headers = resp.headers().clone();
                Ok::<_, reqwest::Error>((status, headers, resp.bytes().await?))
            }
            .await;
            let (status, headers, body) = match got {
                Ok(r) => r,
                Err(e) => {
                    failures += 1;
                    if failures > MEDIA_RETRIES {
                        return Err(unreachable(e).into());
                    }
                    continue;
                }
            };
            if status == StatusCode::TOO_MANY_REQUESTS {
                return Err(SyncError::RateLimited {
                    retry_after: retry_after(&headers),
                }
                .into());
            }
            check_auth(status, None, &body)?;
            if status.is_client_error() {
                return Err(MediaUnavailable(error_body(None, &body).message).into());
            }
            if !status.is_success() {
                return Err(server_error(status, error_body(None, &body)).into());
            }
            let whole = headers
                .get(protocol::MEDIA_SIZE_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if whole != Some(size) || body.is_empty() || bytes.len() as u64 + body.len() as u64 > size {
                return Err(MediaUnavailable(format!(
                    "the server's copy of {sha256} is not the size its record names ({size} bytes)"
                ))
                .into());
            }
            bytes.extend_from_slice(&body);
            failures = 0;
        }
        if hex::encode(sha2::Sha256::digest(&bytes)) != sha256 {
            return Err(MediaUnavailable(format!(
                "the file that arrived is not {sha256}: it was damaged on the way; it is fetched again next time"
            ))
            .into());
        }
        let s = lock(store);
        s.media()
            .put(&bytes)
            .map_err(|e| SyncError::Store(StoreError::Media(e.to_string())))?;
        // The server holds it: once no record names it any more, retention may remove it here.
        s.mark_media_sent(sha256)?;
        Ok(size)
    }

    async fn media_request(
        &self,
        req: reqwest::RequestBuilder,
        chunk: Option<Vec<u8>>,
    ) -> Result<MediaUpload, MediaStep> {
        let mut req = req.header(protocol::APP_VERSION_HEADER, env!("CARGO_PKG_VERSION"));
        if let Some(chunk) = chunk {
            req = req.header(CONTENT_TYPE, "application/octet-stream").body(chunk);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return Err(MediaStep::Resume(error_chain(&e))),
        };
        let status = resp.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(MediaStep::Fail(SyncError::RateLimited {
                retry_after: retry_after(resp.headers()),
            }));
        }
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(MediaStep::Resume(error_chain(&e))),
        };
        check_auth(status, None, &bytes).map_err(MediaStep::Fail)?;
        match status {
            StatusCode::OK => {
                serde_json::from_slice(&bytes).map_err(|e| MediaStep::Fail(SyncError::BadResponse(e.to_string())))
            }
            StatusCode::CONFLICT => Err(MediaStep::Resume(error_body(None, &bytes).message)),
            s if s.is_client_error() => Err(MediaStep::Refused(error_body(None, &bytes).message)),
            s => Err(MediaStep::Fail(server_error(s, error_body(None, &bytes)))),
        }
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        body: Vec<u8>,
    ) -> Result<(StatusCode, Vec<u8>, Option<String>), SyncError> {
        let mut req = req
            .header(ACCEPT_ENCODING, ZSTD)
            .header(protocol::APP_VERSION_HEADER, env!("CARGO_PKG_VERSION"));
        if !body.is_empty() {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .header(CONTENT_ENCODING, ZSTD)
                .body(body);
        }
        let resp = req.send().await.map_err(unreachable)?;
        let status = resp.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(SyncError::RateLimited {
                retry_after: retry_after(resp.headers()),
            });
        }
        let encoding = resp
            .headers()
            .get(CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = resp.bytes().await.map_err(unreachable)?.to_vec();
        Ok((status, bytes, encoding))
    }
}

/// The file is not to be had now (not sent yet, not visible to this device, damaged on the
/// way): the server's answer in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MediaUnavailable(pub String);

/// Why fetching a file failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Unavailable(#[from] MediaUnavailable),
    #[error(transparent)]
    Sync(#[from] SyncError),
}

impl From<StoreError> for FetchError {
    fn from(e: StoreError) -> Self {
        FetchError::Sync(e.into())
    }
}

/// A kept file being decrypted for its upload: segments arrive from a blocking thread and
/// are kept (a chunk whose answer was lost may be sent again from them).
struct Decrypting {
    rx: tokio::sync::mpsc::Receiver<Vec<u8>>,
    reader: Option<tokio::task::JoinHandle<Result<u64, crate::media::vault::MediaError>>>,
    bytes: Vec<u8>,
}

/// Hands each decrypted segment to the upload.
struct Segments(tokio::sync::mpsc::Sender<Vec<u8>>);

impl std::io::Write for Segments {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(buf.to_vec())
            .map_err(|_| std::io::Error::other("the upload stopped"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Decrypting {
    fn start(vault: crate::media::vault::MediaVault, sha256: &str, size: u64) -> Decrypting {
        let (tx, rx) = tokio::sync::mpsc::channel(32);
        let name = sha256.to_string();
        let reader = tokio::task::spawn_blocking(move || vault.read_into(&name, Segments(tx)));
        Decrypting {
            rx,
            reader: Some(reader),
            bytes: Vec::with_capacity(size.min(crate::records::attachment::MAX_AUDIO_BYTES) as usize),
        }
    }

    /// The file's first `end` bytes (all of it, if shorter), once decrypted and checked so
    /// far; the error if the file cannot be read back.
    async fn up_to(&mut self, end: usize) -> Result<&[u8], crate::media::vault::MediaError> {
        while self.bytes.len() < end {
            match self.rx.recv().await {
                Some(segment) => self.bytes.extend_from_slice(&segment),
                None => {
                    if let Some(reader) = self.reader.take() {
                        reader
                            .await
                            .map_err(|e| crate::media::vault::MediaError::Io(std::io::Error::other(e.to_string())))??;
                    }
                    break;
                }
            }
        }
        Ok(&self.bytes)
    }
}

/// What a failed media request means for the upload.
enum MediaStep {
    /// Ask the server how much it holds and go on from there.
    Resume(String),
    /// The server will not take this file now: say so, go on with the next.
    Refused(String),
    /// Stop the sync (revoked, rate-limited, the server failing).
    Fail(SyncError),
}

/// An error with its chain of sources, which carries the useful part (connection refused,
/// reset, timed out, certificate refused).
fn error_chain(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

fn unreachable(e: reqwest::Error) -> SyncError {
    let msg = error_chain(&e);
    // rustls says why it refused the server: that is not a coverage problem but a wrong or
    // impostor server, and the officer should not be told to wait for coverage.
    let lower = msg.to_ascii_lowercase();
    if lower.contains("invalid peer certificate") || (lower.contains("certificate") && lower.contains("unknownissuer"))
    {
        return SyncError::UntrustedServer(msg);
    }
    SyncError::Unreachable(msg)
}

/// `Retry-After` of a 429, in seconds (an HTTP date is not used by this server); one minute
/// when absent or unreadable.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Duration {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(60), |s| Duration::from_secs(s.min(3_600)))
}

fn error_body(encoding: Option<&str>, bytes: &[u8]) -> ErrorBody {
    protocol::decode::<ErrorBody>(encoding, bytes).unwrap_or_else(|_| ErrorBody {
        code: ErrorCode::Internal,
        message: String::from_utf8_lossy(&bytes[..bytes.len().min(500)]).into_owned(),
    })
}

fn check_auth(status: StatusCode, encoding: Option<&str>, bytes: &[u8]) -> Result<(), SyncError> {
    if status != StatusCode::UNAUTHORIZED {
        return Ok(());
    }
    let err = error_body(encoding, bytes);
    Err(match err.code {
        ErrorCode::Revoked => SyncError::Revoked,
        _ => SyncError::Unauthorized(err.message),
    })
}

fn server_error(status: StatusCode, err: ErrorBody) -> SyncError {
    SyncError::Server {
        status: status.as_u16(),
        message: err.message,
    }
}
