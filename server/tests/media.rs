//! Media uploads (issue 16), over HTTP on SQLite and PostgreSQL: a tablet's record names a
//! photo and its thumbnail; the photo goes up in 1 MiB chunks, a lost answer is resumed from
//! what the server holds, and the file is kept only whole and matching its name. Refused with
//! nothing written: a file no revision of this device names, a chunk whose hash does not
//! match, a chunk at the wrong offset, a chunk too large, a file over the device's quota,
//! whole bytes that are not the file named. `verify` finds a flipped byte in a kept file.
//! And the tablet's own upload (the sync client): a 20 MB photo through a link that drops
//! every megabyte arrives whole with no acknowledged chunk sent again, and an escalation saved
//! after a large photo is on the server before the photo's first byte.

mod common;

use common::proxy::Proxy;
use common::{quick_options, Device, TestServer};
use liaison_core::records::{Attachment, AttachmentKind, MediaType, Thumbnail};
use liaison_core::sync::client::MEDIA_CHUNK_BYTES;
use liaison_server::api::media::{MediaUpload, CHUNK_SHA256};
use liaison_server::media::{FsMediaStore, Held, MediaFailure, MediaProblem, MediaStore};
use liaison_server::storage::Storage;
use liaison_server::ServeOptions;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn photo(len: usize, seed: u8) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
    b.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    b
}

struct Uploader {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Uploader {
    fn of(server: &TestServer, device: &Device) -> Uploader {
        let token = device.store.lock().unwrap().sync_credentials().unwrap().unwrap().token;
        Uploader {
            http: reqwest::Client::new(),
            base: server.url(),
            token,
        }
    }

    async fn status(&self, name: &str) -> (StatusCode, serde_json::Value) {
        self.answer(self.http.get(format!("{}/v1/media/{name}/upload", self.base)))
            .await
    }

    async fn put(&self, name: &str, offset: u64, chunk: &[u8], claimed: &str) -> (StatusCode, serde_json::Value) {
        let req = self
            .http
            .put(format!("{}/v1/media/{name}/upload?offset={offset}", self.base))
            .header(CHUNK_SHA256, claimed)
            .body(chunk.to_vec());
        self.answer(req).await
    }

    /// Sends `req` with the device's token: the status and the JSON answer.
    async fn answer(&self, req: reqwest::RequestBuilder) -> (StatusCode, serde_json::Value) {
        let r = req.bearer_auth(&self.token).send().await.unwrap();
        let status = r.status();
        let body = r.bytes().await.unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null))
    }

    async fn chunk(&self, name: &str, offset: u64, chunk: &[u8]) -> (StatusCode, serde_json::Value) {
        self.put(name, offset, chunk, &sha(chunk)).await
    }
}

async fn server(quota: u64) -> (TestServer, Arc<FsMediaStore>) {
    let dir = tempfile::tempdir().unwrap();
    let media = Arc::new(FsMediaStore::open(dir.keep().join("media")).unwrap());
    let server = TestServer::start_with(ServeOptions {
        media: Some(media.clone()),
        media_quota: Some(quota),
        ..Default::default()
    })
    .await;
    (server, media)
}

fn attachments(files: &[(&[u8], Option<&[u8]>)]) -> Vec<Attachment> {
    files
        .iter()
        .map(|(bytes, thumb)| Attachment {
            sha256: sha(bytes),
            kind: AttachmentKind::Photo,
            media_type: MediaType::Jpeg,
            size: bytes.len() as u64,
            thumbnail: thumb.map(|t| Thumbnail {
                sha256: sha(t),
                size: t.len() as u64,
            }),
            location_kept: false,
            caption: String::new(),
        })
        .collect()
}

/// A note naming `files` (each a photo, with an optional thumbnail), pushed.
async fn pushed_note(device: &Device, files: &[(&[u8], Option<&[u8]>)]) {
    let mut note = common::note(uuid::Uuid::nil(), "Leaflets handed out at the gate");
    note.operation_id = None;
    note.attachments = attachments(files);
    device.create(note);
    device.sync().await;
    assert_eq!(device.waiting(), 0, "the note is on the server");
}

/// The file system store, noting at its first byte received whether a record was already on
/// the server.
struct Watching {
    inner: FsMediaStore,
    storage: Mutex<Option<Arc<dyn Storage>>>,
    record: Mutex<Option<uuid::Uuid>>,
    record_held_at_first_byte: Mutex<Option<bool>>,
}

impl MediaStore for Watching {
    fn held(&self, sha256: &str) -> Result<Held, MediaFailure> {
        self.inner.held(sha256)
    }
    fn append(&self, sha256: &str, size: u64, offset: u64, chunk: &[u8]) -> Result<Held, MediaFailure> {
        let mut seen = self.record_held_at_first_byte.lock().unwrap();
        if seen.is_none() {
            let storage = self.storage.lock().unwrap().clone().unwrap();
            let record = self.record.lock().unwrap().unwrap();
            *seen = Some(storage.current_revision(record).unwrap().is_some());
        }
        self.inner.append(sha256, size, offset, chunk)
    }
    fn read(&self, sha256: &str) -> Result<Vec<u8>, MediaFailure> {
        self.inner.read(sha256)
    }
    fn verify(&self) -> Result<(u64, Vec<MediaProblem>), MediaFailure> {
        self.inner.verify()
    }
}

each_backend! {
    async fn a_photo_goes_up_in_chunks_resumes_after_a_lost_answer_and_is_kept_whole() {
        let (server, media) = server(1 << 30).await;
        let device = Device::enrolled("PC 4521", &server).await;
        let big = photo(3 * 1024 * 1024 + 123, 1);
        let thumb = photo(2_000, 2);
        pushed_note(&device, &[(&big, Some(&thumb))]).await;
        let up = Uploader::of(&server, &device);
        let name = sha(&big);

        let (status, s) = up.status(&name).await;
        assert_eq!(status, StatusCode::OK, "{s}");
        let s: MediaUpload = serde_json::from_value(s).unwrap();
        assert_eq!((s.size, s.held, s.complete), (big.len() as u64, 0, false));

        const MIB: usize = 1 << 20;
        assert_eq!(up.chunk(&name, 0, &big[..MIB]).await.1["held"], MIB);
        // The answer to the second chunk is lost: the tablet asks where to go on, and the
        // server says after it; the chunk is not sent again.
        assert_eq!(up.chunk(&name, MIB as u64, &big[MIB..2 * MIB]).await.0, StatusCode::OK);
        assert_eq!(up.status(&name).await.1["held"], 2 * MIB);
        // A tablet that sends it again anyway is refused (409), nothing appended.
        let (again, body) = up.chunk(&name, MIB as u64, &big[MIB..2 * MIB]).await;
        assert_eq!(again, StatusCode::CONFLICT, "{body}");
        assert!(body["message"].as_str().unwrap().contains("resume from there"), "{body}");
        let (status, done) = up.chunk(&name, 2 * MIB as u64, &big[2 * MIB..]).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["complete"], true);
        assert_eq!(media.read(&name).unwrap(), big, "the server holds the photo whole");

        let (status, t) = up.chunk(&sha(&thumb), 0, &thumb).await;
        assert_eq!((status, &t["complete"]), (StatusCode::OK, &serde_json::Value::Bool(true)), "{t}");

        // The server's `verify` reads every kept file back; a flipped byte is found.
        assert_eq!(media.verify().unwrap(), (2, vec![]));
        let object = media.file_of(&name);
        let mut bytes = std::fs::read(&object).unwrap();
        bytes[1000] ^= 0x01;
        std::fs::write(&object, bytes).unwrap();
        let (_, problems) = media.verify().unwrap();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].sha256, name);
    }

    async fn every_bad_upload_is_refused_in_words_and_writes_nothing() {
        let (server, media) = server(5_000_000).await;
        let device = Device::enrolled("PC 4521", &server).await;
        let small = photo(100_000, 3);
        let big = photo(4_000_000, 4);
        let over = photo(2_000_000, 5);
        pushed_note(&device, &[(&small, None), (&big, None), (&over, None)]).await;
        let up = Uploader::of(&server, &device);

        // A file no revision of this device names (a colleague's, or made up): 403.
        let stranger = photo(10, 9);
        let (status, body) = up.chunk(&sha(&stranger), 0, &stranger).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body["message"].as_str().unwrap().contains("send the record first"), "{body}");
        assert_eq!(up.status(&sha(&stranger)).await.0, StatusCode::FORBIDDEN);
        // Not a SHA-256 at all: 400.
        assert_eq!(up.chunk(&"Z".repeat(64), 0, b"x").await.0, StatusCode::BAD_REQUEST);
        assert_eq!(up.status("..%2F..%2Fetc%2Fpasswd").await.0, StatusCode::BAD_REQUEST);
        // A chunk damaged on the way (its hash is not the one sent): 400, nothing appended.
        let (status, body) = up.put(&sha(&small), 0, &small[..50_000], &sha(b"something else")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(up.status(&sha(&small)).await.1["held"], 0);
        // A chunk that does not start where the server's copy ends: 409.
        assert_eq!(up.chunk(&sha(&small), 10, &small[10..100]).await.0, StatusCode::CONFLICT);
        // More than the record names: 400.
        let mut longer = small.clone();
        longer.extend_from_slice(b"tail");
        let (status, body) = up.chunk(&sha(&small), 0, &longer).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(up.status(&sha(&small)).await.1["held"], 0);
        // The small photo goes up; the big one fills the quota with it...
        assert_eq!(up.chunk(&sha(&small), 0, &small).await.1["complete"], true);
        let mut at = 0;
        for piece in big.chunks(1 << 20) {
            let (status, body) = up.chunk(&sha(&big), at, piece).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            at += piece.len() as u64;
        }
        // ...so the third is over this device's quota: 413, nothing kept.
        let (status, body) = up.chunk(&sha(&over), 0, &over[..1000]).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert!(body["message"].as_str().unwrap().contains("quota"), "{body}");
        assert_eq!(up.status(&sha(&over)).await.1["held"], 0);
        // A chunk over the server's limit: 413.
        let huge = vec![0u8; liaison_server::api::media::MAX_CHUNK_BYTES + 1];
        assert_eq!(up.chunk(&sha(&over), 0, &huge).await.0, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(media.verify().unwrap(), (2, vec![]));
    }

    async fn whole_bytes_that_are_not_the_file_named_are_thrown_away() {
        let (server, media) = server(1 << 30).await;
        let device = Device::enrolled("PC 4521", &server).await;
        let named = photo(5_000, 6);
        pushed_note(&device, &[(&named, None)]).await;
        let up = Uploader::of(&server, &device);
        let mut forged = named.clone();
        forged[4000] ^= 0xFF;
        let (status, body) = up.chunk(&sha(&named), 0, &forged).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["message"].as_str().unwrap().contains("thrown away"), "{body}");
        assert_eq!(up.status(&sha(&named)).await.1["held"], 0, "nothing kept: it starts again");
        assert_eq!(media.verify().unwrap(), (0, vec![]));
        assert_eq!(up.chunk(&sha(&named), 0, &named).await.1["complete"], true);
    }

    async fn a_20_mb_photo_through_a_link_that_drops_every_megabyte_arrives_whole_sending_no_acknowledged_chunk_again() {
        let (server, media) = server(1 << 30).await;
        let device = Device::enrolled("PC 4521", &server).await;
        let big = photo(20 * 1024 * 1024, 7);
        // The record first (it names the photo, not yet on the tablet: nothing to upload)...
        let mut note = common::note(uuid::Uuid::nil(), "Route change notice on the bridge");
        note.operation_id = None;
        note.attachments = attachments(&[(&big, None)]);
        device.create(note);
        device.sync().await;
        // ...then the photo on the tablet, sent through a link that drops every megabyte.
        let kept = device.store.lock().unwrap().media().put(&big).unwrap();
        assert_eq!(kept.sha256, sha(&big));
        assert_eq!(device.store.lock().unwrap().media_waiting().unwrap(), [(sha(&big), big.len() as u64)]);
        let proxy = Proxy::start(server.addr).await;
        proxy.set(|f| f.cut_connections_after = Some(1_000_000));
        let mut report = Default::default();
        device
            .client_via(&proxy.url(), quick_options())
            .upload_media(&device.store, &mut report, &|_, _, _| {})
            .await
            .unwrap();

        assert_eq!(report.media_sent, 1, "{report:?}");
        let arrived = media.read(&sha(&big)).unwrap();
        assert_eq!(sha(&arrived), sha(&big), "it arrived whole, its hash matches");
        let (cuts, up) = proxy.get(|f| (f.connections_cut, f.body_bytes_up));
        assert!(cuts >= 15, "the link dropped {cuts} times");
        let again = up - big.len() as u64;
        println!(
            "20 MB photo, link dropped {cuts} times: {up} body bytes went up, {again} of them again \
             ({:.2} chunks of {MEDIA_CHUNK_BYTES} per drop); resumed {} times",
            again as f64 / cuts as f64 / MEDIA_CHUNK_BYTES as f64,
            report.media_resumed
        );
        assert!(
            again <= cuts * MEDIA_CHUNK_BYTES as u64,
            "{again} bytes sent again over {cuts} drops: more than the one chunk in flight each time"
        );
        assert!(device.store.lock().unwrap().media_waiting().unwrap().is_empty(), "nothing left to send");
    }

    async fn an_escalation_saved_after_a_large_photo_is_on_the_server_before_the_photos_first_byte() {
        let dir = tempfile::tempdir().unwrap();
        let watching = Arc::new(Watching {
            inner: FsMediaStore::open(dir.path().join("media")).unwrap(),
            storage: Mutex::new(None),
            record: Mutex::new(None),
            record_held_at_first_byte: Mutex::new(None),
        });
        let server = TestServer::start_with(ServeOptions {
            media: Some(watching.clone()),
            ..Default::default()
        })
        .await;
        *watching.storage.lock().unwrap() = Some(server.storage.clone());
        let op = common::create_operation(server.storage.as_ref(), "Op KESTREL");
        server.storage.assign(op, "PC 4521").unwrap();
        let device = Device::enrolled("PC 4521", &server).await;
        common::sync_until_operation_known(&device, op).await;

        let big = photo(8 * 1024 * 1024, 8);
        device.store.lock().unwrap().media().put(&big).unwrap();
        let mut note = common::note(op, "Placards photographed at the gate");
        note.attachments = attachments(&[(&big, None)]);
        device.create(note);
        let escalation = device.create(common::escalation(op));
        *watching.record.lock().unwrap() = Some(escalation);
        let report = device.sync().await;
        assert_eq!(report.media_sent, 1, "{report:?}");
        assert_eq!(
            *watching.record_held_at_first_byte.lock().unwrap(),
            Some(true),
            "the escalation was on the server before the photo's first byte"
        );
    }
}
