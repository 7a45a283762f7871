//! The console shows media (issue 16), over a real server on SQLite and PostgreSQL: a tablet
//! pushes notes naming photos, an audio note and their thumbnails; the files are on the
//! server's media store. `GET /console/api/media/{sha256}` gives the bytes exactly, typed as
//! the record names them and kept out of caches, to those who may see a record naming the
//! file (the operation's viewers; an officer's own work to their supervisor and commanders),
//! a range for an audio player, 403 to everyone else (and for a file no record names, in the
//! same words), and 404 saying so for a file the tablet has not sent yet.

mod common;

use common::console::{add_staff, put_officer, sign_in, Session};
use common::{note, sync_until_operation_known, Device, TestServer};
use liaison_core::records::{Attachment, AttachmentKind, MediaType, Thumbnail};
use liaison_server::console::model::StaffRole;
use liaison_server::console::ConsoleOptions;
use liaison_server::media::{FsMediaStore, MediaStore};
use liaison_server::ServeOptions;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::Arc;

const PC: &str = "PC 4521";
const SERGEANT: &str = "PS 2817";

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn bytes(len: usize, seed: u8) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
    b.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    b
}

fn picture(file: &[u8], thumb: &[u8], caption: &str) -> Attachment {
    Attachment {
        sha256: sha(file),
        kind: AttachmentKind::Photo,
        media_type: MediaType::Jpeg,
        size: file.len() as u64,
        thumbnail: Some(Thumbnail {
            sha256: sha(thumb),
            size: thumb.len() as u64,
        }),
        location_kept: false,
        caption: caption.into(),
    }
}

/// Keeps `file` whole in the server's media store, as a finished upload leaves it.
fn uploaded(media: &FsMediaStore, file: &[u8]) {
    media.append(&sha(file), file.len() as u64, 0, file).unwrap();
}

/// A file from the console: status, headers, bytes.
async fn fetch(who: &Session, name: &str, range: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = who
        .http
        .get(format!("{}/console/api/media/{name}", who.base))
        .header("cookie", &who.cookie);
    if let Some(r) = range {
        req = req.header("range", r);
    }
    let resp = req.send().await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.bytes().await.unwrap().to_vec())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The refusal's JSON.
fn refusal(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

each_backend! {
    async fn the_console_gives_a_records_files_to_those_who_may_see_it_and_says_why_not_to_others() {
        let dir = tempfile::tempdir().unwrap();
        let media = Arc::new(FsMediaStore::open(dir.path().join("media")).unwrap());
        let server = TestServer::start_with(ServeOptions {
            media: Some(media.clone()),
            console: ConsoleOptions {
                assets: None,
                ..Default::default()
            },
            ..Default::default()
        })
        .await;
        put_officer(&server, SERGEANT, "PS", "PLT leader", None);
        put_officer(&server, PC, "PC", "PLO", Some(SERGEANT));
        put_officer(&server, "PC 9999", "PC", "PLO", None);
        add_staff(&server, "ps.2817", StaffRole::Supervisor, Some(SERGEANT));
        add_staff(&server, "ps.other", StaffRole::Supervisor, Some("PS 9998"));
        add_staff(&server, "insp.hale", StaffRole::Bronze, None);
        add_staff(&server, "it.admin", StaffRole::Admin, None);
        add_staff(&server, "pc.4521", StaffRole::Officer, Some(PC));
        add_staff(&server, "pc.9999", StaffRole::Officer, Some("PC 9999"));
        let op = server.operation("Op Vigil", &[PC]);
        server.operation("Op Elsewhere", &["PC 9999"]);

        let placard = bytes(300_000, 1);
        let placard_thumb = bytes(9_000, 2);
        let own_photo = bytes(40_000, 3);
        let own_thumb = bytes(4_000, 4);
        let voice = bytes(70_000, 5);
        let unsent = bytes(50_000, 6);
        let unsent_thumb = bytes(5_000, 7);

        let device = Device::enrolled(PC, &server).await;
        sync_until_operation_known(&device, op).await;
        let mut at_the_gate = note(op, "Placard photographed at the gate");
        at_the_gate.attachments = vec![
            picture(&placard, &placard_thumb, "Placard at the gate"),
            Attachment {
                sha256: sha(&voice),
                kind: AttachmentKind::Audio,
                media_type: MediaType::Mp4Audio,
                size: voice.len() as u64,
                thumbnail: None,
                location_kept: false,
                caption: String::new(),
            },
        ];
        device.create(at_the_gate);
        // The officer's own work (no operation): their supervisor and commanders see it.
        let mut own = note(op, "Leaflets at the mosque");
        own.operation_id = None;
        own.attachments = vec![picture(&own_photo, &own_thumb, "")];
        device.create(own);
        let mut later = note(op, "Second placard");
        later.attachments = vec![picture(&unsent, &unsent_thumb, "")];
        device.create(later);
        device.sync().await;
        assert_eq!(device.waiting(), 0, "the notes are on the server");
        for file in [&placard, &placard_thumb, &own_photo, &own_thumb, &voice] {
            uploaded(&media, file);
        }

        let sergeant = sign_in(&server, "ps.2817").await;
        let bronze = sign_in(&server, "insp.hale").await;
        let other_sergeant = sign_in(&server, "ps.other").await;
        let admin = sign_in(&server, "it.admin").await;
        let on_the_team = sign_in(&server, "pc.4521").await;
        let not_on_it = sign_in(&server, "pc.9999").await;

        // A supervisor who sees the operation gets the thumbnail's bytes exactly, as a JPEG,
        // kept out of caches and never sniffed.
        let (status, headers, got) = fetch(&sergeant, &sha(&placard_thumb), None).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&got));
        assert_eq!(got, placard_thumb);
        assert_eq!(header(&headers, "content-type"), "image/jpeg");
        assert_eq!(header(&headers, "cache-control"), "private, no-store");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        // A commander, the full photo; the audio note typed as the record names it, and in a
        // range as a player asks for it.
        let (status, _, got) = fetch(&bronze, &sha(&placard), None).await;
        assert_eq!((status, got == placard), (StatusCode::OK, true));
        let (status, headers, got) = fetch(&bronze, &sha(&voice), Some("bytes=100-199")).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(got, voice[100..200]);
        assert_eq!(header(&headers, "content-type"), "audio/mp4");
        assert_eq!(header(&headers, "content-range"), format!("bytes 100-199/{}", voice.len()));
        let (status, headers, _) = fetch(&bronze, &sha(&voice), Some(&format!("bytes={}-", voice.len()))).await;
        assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(header(&headers, "content-range"), format!("bytes */{}", voice.len()));
        // Those who see the operation on the live picture: force IT, an officer on its team.
        for who in [&admin, &on_the_team] {
            let (status, _, got) = fetch(who, &sha(&placard_thumb), None).await;
            assert_eq!((status, got == placard_thumb), (StatusCode::OK, true));
        }

        // An officer not on the operation: 403, in words.
        let (status, _, body) = fetch(&not_on_it, &sha(&placard_thumb), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let body = refusal(&body);
        assert_eq!(body["code"], "forbidden", "{body}");
        let not_yours = format!("no record you may see names file {}", sha(&placard_thumb));
        assert_eq!(body["message"], not_yours);

        // An officer's own work: their supervisor and commanders, not another team's sergeant
        // nor force IT.
        for who in [&sergeant, &bronze, &on_the_team] {
            let (status, _, got) = fetch(who, &sha(&own_thumb), None).await;
            assert_eq!((status, got == own_thumb), (StatusCode::OK, true));
        }
        for who in [&other_sergeant, &admin, &not_on_it] {
            let (status, _, body) = fetch(who, &sha(&own_photo), None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{}", refusal(&body));
        }

        // Named by a record the person sees, but not sent by the tablet yet: 404, saying so.
        let (status, _, body) = fetch(&sergeant, &sha(&unsent_thumb), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let body = refusal(&body);
        assert_eq!(body["code"], "not_found", "{body}");
        assert!(body["message"].as_str().unwrap().contains("is not on the server yet"), "{body}");
        // Named by no record: as refused as a file not theirs (whether it exists is not said),
        // even when the bytes are on the server.
        let stray = bytes(1_000, 8);
        uploaded(&media, &stray);
        let (status, _, body) = fetch(&bronze, &sha(&stray), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(refusal(&body)["message"], format!("no record you may see names file {}", sha(&stray)));
        // Not a file's name.
        let (status, _, _) = fetch(&bronze, "not-a-sha256", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}
