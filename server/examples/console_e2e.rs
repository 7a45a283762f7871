//! The console's browser journey against a real server (`scripts/console-e2e.sh`): starts a
//! force server on 127.0.0.1 with the built console and one admin, runs the journey in
//! Debian's Chromium (`ui/console-e2e/run.mjs`, playwright-core), and plays the tablet with
//! the core's own store and sync client: it enrols with the enrolment string the admin
//! issued in the browser, receives the operation the admin drew, and pushes a tension reading
//! and an escalation, which the commander's open live page must show without a reload; then,
//! with the officer's spare tablet, edits a contact note on both while apart, a conflict the
//! supervisor resolves in the browser. The escalation carries a photo (its file and thumbnail
//! on the server's media store), which the live page shows as a thumbnail and opens full size.
//!
//! Exits non-zero, with the reason, if any step fails.

use chrono::Utc;
use liaison_core::records::*;
use liaison_core::store::Store;
use liaison_core::sync::{Enrolment, SyncClient, SyncOptions};
use liaison_server::console::{password, ConsoleOptions, EnrolmentTarget};
use liaison_server::media::{FsMediaStore, MediaStore};
use liaison_server::storage::console::StaffAccount;
use liaison_server::storage::{sqlite::SqliteStorage, Storage};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ADMIN: &str = "it.admin";
const ADMIN_PASSWORD: &str = "browser journey passphrase";
/// What the tablet's escalation says: the live page must show it.
const ESCALATION: &str = "Counter-group gathering at the rally point with flares";
/// The contact note edited on two tablets at once: the conflicts page must show it.
const CONFLICTED_NOTE: &str = "Chief steward: march to start at noon";
/// The escalation's photo and its thumbnail, and the photo's caption: the live page must show
/// the thumbnail with it as its alternative text, and open the photo.
const PHOTO: &[u8] = include_bytes!("../tests/fixtures/console-placard.jpg");
const THUMBNAIL: &[u8] = include_bytes!("../tests/fixtures/console-placard-thumb.jpg");
const PHOTO_CAPTION: &str = "Placard at the rally point";

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn main() -> ExitCode {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match rt.block_on(journey()) {
        Ok(()) => {
            println!("console e2e: passed");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("console e2e: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn journey() -> Result<(), String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let assets = root.join("ui/dist-console");
    if !assets.join("index.html").is_file() {
        return Err(format!("{} is not built: run `npm run build` in ui/", assets.display()));
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let shots = std::env::var_os("SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("shots"));
    std::fs::create_dir_all(&shots).map_err(|e| e.to_string())?;
    let storage: Arc<dyn Storage> =
        Arc::new(SqliteStorage::open(dir.path().join("force.db")).map_err(|e| e.to_string())?);
    storage
        .add_staff(
            &StaffAccount {
                username: ADMIN.into(),
                display_name: "Force IT".into(),
                role: liaison_server::console::model::StaffRole::Admin,
                officer: None,
                password_hash: password::hash(ADMIN_PASSWORD)?,
            },
            "console e2e",
        )
        .map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let url = format!("http://{addr}");
    let media = Arc::new(FsMediaStore::open(dir.path().join("media")).map_err(|e| e.to_string())?);
    let options = liaison_server::ServeOptions {
        media: Some(media.clone()),
        console: ConsoleOptions {
            assets: Some(assets),
            enrolment: Some(EnrolmentTarget {
                server_url: url.clone(),
                ca_der: None,
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let served = storage.clone();
    tokio::spawn(async move {
        if let Err(e) = liaison_server::serve_with(listener, served, options, std::future::pending()).await {
            eprintln!("console e2e: the server stopped: {e}");
        }
    });

    let enrolment_out = dir.path().join("enrolment.txt");
    let device_done = dir.path().join("device-done");
    let mut browser = tokio::process::Command::new("node")
        .arg(root.join("ui/console-e2e/run.mjs"))
        .current_dir(root.join("ui"))
        .env("CONSOLE_URL", format!("{url}/console/"))
        .env("CONSOLE_ADMIN_USER", ADMIN)
        .env("CONSOLE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("SCREENSHOT_DIR", &shots)
        .env("ENROLMENT_OUT", &enrolment_out)
        .env("DEVICE_DONE_FILE", &device_done)
        .env("DEVICE_ESCALATION_TEXT", ESCALATION)
        .env("DEVICE_PHOTO_CAPTION", PHOTO_CAPTION)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("node could not be started: {e}"))?;

    // The tablet: waits for the string the admin issued in the browser.
    let tablet = async {
        let text = wait_for_file(&enrolment_out, Duration::from_secs(300)).await?;
        play_tablet(dir.path(), text.trim(), storage.as_ref(), media.as_ref()).await?;
        std::fs::write(&device_done, b"done").map_err(|e| e.to_string())
    };
    tokio::select! {
        status = browser.wait() => {
            let status = status.map_err(|e| e.to_string())?;
            return if status.success() { Ok(()) } else { Err(format!("the browser journey failed ({status})")) };
        }
        played = tablet => played?,
    }
    let status = tokio::time::timeout(Duration::from_secs(300), browser.wait())
        .await
        .map_err(|_| "the browser journey did not finish within 5 minutes".to_string())?
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("the browser journey failed ({status})"));
    }
    let report = storage.verify().map_err(|e| e.to_string())?;
    if !report.problems.is_empty() {
        return Err(format!("the server's chain does not verify: {:?}", report.problems));
    }
    println!("console e2e: screenshots in {}", shots.display());
    Ok(())
}

async fn wait_for_file(path: &Path, within: Duration) -> Result<String, String> {
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if !text.trim().is_empty() {
                return Ok(text);
            }
        }
        if started.elapsed() > within {
            return Err(format!(
                "{} never appeared: the browser did not issue an enrolment",
                path.display()
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Enrols a new tablet with the string, receives the operation, records a tension reading and
/// an escalation in its first sector, and syncs them; then makes a conflict with the officer's
/// spare tablet (enrolled with a code from `storage`).
async fn play_tablet(dir: &Path, enrolment: &str, storage: &dyn Storage, media: &dyn MediaStore) -> Result<(), String> {
    let e: Enrolment = enrolment.parse().map_err(|e| format!("the enrolment string: {e}"))?;
    let store = Mutex::new(Store::open(dir.join("tablet.db")).map_err(|e| e.to_string())?);
    let options = SyncOptions {
        allow_plain_loopback: true,
        ..Default::default()
    };
    let client = SyncClient::new(&e.server_url, options.clone()).map_err(|e| e.to_string())?;
    let enrolled = client
        .enroll(&store, &e.code)
        .await
        .map_err(|e| format!("enrolment: {e}"))?;
    let officer = OfficerId::new(enrolled.officer.as_str()).map_err(|e| e.to_string())?;
    let sync = || async {
        client
            .sync(&store, &|_, _, _| {})
            .await
            .map_err(|e| format!("sync: {e}"))
    };
    sync().await?;
    let operation = {
        let s = store.lock().map_err(|e| e.to_string())?;
        s.list(&liaison_core::store::ListFilter {
            kinds: vec![RecordKind::Operation],
            limit: 10,
            ..Default::default()
        })
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or("the tablet received no operation: is its officer on the team?")?
        .record_id
    };
    let op = {
        let s = store.lock().map_err(|e| e.to_string())?;
        let got = s
            .get(
                operation,
                &liaison_core::Access {
                    officer: officer.clone(),
                    purpose: "console e2e".into(),
                },
            )
            .map_err(|e| e.to_string())?;
        match got.record.body {
            Body::Operation(o) => o,
            _ => return Err("not an operation".into()),
        }
    };
    let sector = op.sectors.first().ok_or("the operation has no sectors")?;
    let n = sector.boundary.len() as f64;
    let (lat, lon) = sector
        .boundary
        .iter()
        .fold((0.0, 0.0), |(a, b), p| (a + p.lat / n, b + p.lon / n));
    let record = |body| Record {
        operation_id: Some(operation),
        occurred_at: Utc::now(),
        location: Some(Location {
            lat,
            lon,
            accuracy_m: Some(10.0),
        }),
        sector: Some(sector.name.clone()),
        links: vec![],
        tags: vec![],
        attachments: vec![],
        body,
    };
    {
        let mut s = store.lock().map_err(|e| e.to_string())?;
        s.create(
            &officer,
            record(Body::TensionReading(TensionReading {
                mood: Mood::Tense,
                crowd_estimate: Some(450),
                note: "Chanting louder near the stage".into(),
            })),
        )
        .map_err(|e| format!("tension reading: {e}"))?;
        let mut escalation = record(Body::Escalation(Escalation {
            category: EscalationKind::Threat,
            summary: ESCALATION.into(),
            told: "Bronze by radio".into(),
            told_at: Utc::now(),
            addressed_to: Some(EscalationTo::Supervisor),
            addressed_person: String::new(),
            escalated: vec![],
            acknowledged: None,
            decision: None,
            response: String::new(),
            response_at: None,
            responded_by: String::new(),
            monitored: vec![],
        }));
        escalation.attachments = vec![Attachment {
            sha256: sha256_hex(PHOTO),
            kind: AttachmentKind::Photo,
            media_type: MediaType::Jpeg,
            size: PHOTO.len() as u64,
            thumbnail: Some(Thumbnail {
                sha256: sha256_hex(THUMBNAIL),
                size: THUMBNAIL.len() as u64,
            }),
            location_kept: false,
            caption: PHOTO_CAPTION.into(),
        }];
        s.create(&officer, escalation).map_err(|e| format!("escalation: {e}"))?;
    }
    let report = sync().await?;
    println!("console e2e: the tablet ({officer}) pushed {} revisions", report.pushed);
    // The photo's files as the tablet's upload leaves them on the server (the upload itself is
    // tested in server/tests/media.rs).
    for file in [PHOTO, THUMBNAIL] {
        media
            .append(&sha256_hex(file), file.len() as u64, 0, file)
            .map_err(|e| format!("the photo on the server: {e}"))?;
    }

    // The officer's spare tablet, and a contact note both edit while apart: two versions.
    let spare = Mutex::new(Store::open(dir.join("spare.db")).map_err(|e| e.to_string())?);
    let code = liaison_server::auth::new_enrollment_code();
    storage
        .add_enrollment_code(
            &liaison_server::auth::hash_secret(&liaison_server::auth::normalise_code(&code)),
            officer.as_str(),
            Utc::now() + chrono::Duration::hours(1),
        )
        .map_err(|e| e.to_string())?;
    let spare_client = SyncClient::new(&e.server_url, options).map_err(|e| e.to_string())?;
    spare_client
        .enroll(&spare, &code)
        .await
        .map_err(|e| format!("the spare tablet's enrolment: {e}"))?;
    let spare_sync = || async {
        spare_client
            .sync(&spare, &|_, _, _| {})
            .await
            .map_err(|e| format!("the spare tablet's sync: {e}"))
    };
    let note = |summary: &str| {
        record(Body::ContactNote(ContactNote {
            spoke_with: "Chief steward, Birmingham Trades Council".into(),
            function: PltFunction::Communication,
            summary: summary.into(),
            mood: Some(Mood::Calm),
            follow_up: None,
            monitored: vec![],
        }))
    };
    let id = {
        let mut s = store.lock().map_err(|e| e.to_string())?;
        s.create(&officer, note(CONFLICTED_NOTE))
            .map_err(|e| format!("contact note: {e}"))?
            .record_id
    };
    sync().await?;
    spare_sync().await?;
    store
        .lock()
        .map_err(|e| e.to_string())?
        .edit(
            &officer,
            id,
            note(&format!("{CONFLICTED_NOTE}; now 12:30, route unchanged")),
            "spoke to the steward again",
        )
        .map_err(|e| format!("the edit: {e}"))?;
    spare
        .lock()
        .map_err(|e| e.to_string())?
        .edit(
            &officer,
            id,
            note(&format!("{CONFLICTED_NOTE}, route via Broad Street")),
            "correction from the briefing",
        )
        .map_err(|e| format!("the spare tablet's edit: {e}"))?;
    sync().await?;
    spare_sync().await?;
    sync().await?;
    println!("console e2e: a contact note edited on two tablets at once");
    Ok(())
}
