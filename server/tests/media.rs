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
use common::{quick_options, sync_until_operation_known, Device, TestServer};
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
    fn read_range(&self, sha256: &str, offset: u64, len: u64) -> Result<(u64, Vec<u8>), MediaFailure> {
        self.inner.read_range(sha256, offset, len)
    }
    fn verify(&self) -> Result<(u64, Vec<MediaProblem>), MediaFailure> {
        self.inner.verify()
    }
}

each_backend! {
    async fn a_colleague_on_the_operation_gets_the_thumbnail_with_the_pull_and_the_photo_when_opened_and_no_one_else_gets_either() {
        let (server, media) = server(1 << 30).await;
        let op = server.operation("Op Vigil", &["PC 4521", "PC 1190"]);
        let other = server.operation("Op Elsewhere", &["PC 9999"]);
        let officer = Device::enrolled("PC 4521", &server).await;
        let colleague = Device::enrolled("PC 1190", &server).await;
        let outsider = Device::enrolled("PC 9999", &server).await;
        sync_until_operation_known(&officer, op).await;
        sync_until_operation_known(&colleague, op).await;
        sync_until_operation_known(&outsider, other).await;
        let big = photo(3_000_000, 11);
        let thumb = photo(20_000, 12);
        // A second photo whose files the officer's tablet does not hold: never sent.
        let unsent = photo(50_000, 13);
        let unsent_thumb = photo(5_000, 14);
        {
            let s = officer.store.lock().unwrap();
            s.media().put(&big).unwrap();
            s.media().put(&thumb).unwrap();
        }
        let mut placard = common::note(op, "Placard photographed at the gate");
        placard.attachments = attachments(&[(&big, Some(&thumb))]);
        officer.create(placard);
        let mut later = common::note(op, "Second placard");
        later.attachments = attachments(&[(&unsent, Some(&unsent_thumb))]);
        officer.create(later);
        let sent = officer.sync().await;
        assert_eq!(sent.media_sent, 2, "{sent:?}");
        assert_eq!(media.read(&sha(&big)).unwrap(), big);

        // The colleague's sync pulls the note and its thumbnail, not the photo itself; the
        // thumbnail not on the server yet is left for a later sync, and the sync goes on.
        let pulled = colleague.sync().await;
        assert_eq!(pulled.thumbnails_fetched, 1, "{pulled:?}");
        {
            let s = colleague.store.lock().unwrap();
            assert_eq!(s.media().get(&sha(&thumb)).unwrap(), thumb);
            assert!(!s.media().has(&sha(&big)), "the full photo waits until it is opened");
            assert_eq!(s.thumbnails_wanted().unwrap(), vec![(sha(&unsent_thumb), unsent_thumb.len() as u64)]);
        }
        // Opened: fetched in ranges, checked, kept encrypted.
        let client = colleague.client(quick_options());
        assert_eq!(
            client.fetch_media(&colleague.store, &sha(&big), big.len() as u64).await.unwrap(),
            big.len() as u64
        );
        assert_eq!(colleague.store.lock().unwrap().media().get(&sha(&big)).unwrap(), big);
        let again = colleague.sync().await;
        assert_eq!((again.thumbnails_fetched, again.media_sent), (0, 0), "{again:?}");
        match client.fetch_media(&colleague.store, &sha(&unsent), unsent.len() as u64).await {
            Err(liaison_core::sync::FetchError::Unavailable(why)) => {
                assert!(why.0.contains("has not sent it"), "{why}")
            }
            other => panic!("{other:?}"),
        }

        // A range, as a cut-off fetch resumes.
        let colleague_http = Uploader::of(&server, &colleague);
        let r = colleague_http
            .http
            .get(format!("{}/v1/media/{}?offset=2999000&length=5000", server.url(), sha(&big)))
            .bearer_auth(&colleague_http.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["x-media-size"], big.len().to_string().as_str());
        assert_eq!(r.bytes().await.unwrap().as_ref(), &big[2_999_000..]);
        let past = colleague_http
            .http
            .get(format!("{}/v1/media/{}?offset=3000005", server.url(), sha(&big)))
            .bearer_auth(&colleague_http.token)
            .send()
            .await
            .unwrap();
        assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);

        // An officer not on the operation gets neither the thumbnail nor the photo: 403.
        let outsider_http = Uploader::of(&server, &outsider);
        for name in [sha(&big), sha(&thumb)] {
            let r = outsider_http
                .http
                .get(format!("{}/v1/media/{name}", server.url()))
                .bearer_auth(&outsider_http.token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            let body: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
            assert!(body["message"].as_str().unwrap().contains("may see"), "{body}");
        }
        assert!(matches!(
            outsider.client(quick_options()).fetch_media(&outsider.store, &sha(&big), big.len() as u64).await,
            Err(liaison_core::sync::FetchError::Unavailable(_))
        ));
        assert!(!outsider.store.lock().unwrap().media().has(&sha(&big)));
    }

    async fn a_file_damaged_on_the_tablet_is_named_and_skipped_and_the_others_still_go() {
        let (server, media) = server(1 << 30).await;
        let device = Device::enrolled("PC 4521", &server).await;
        let first = photo(100_000, 21);
        let second = photo(100_000, 22);
        let damaged = {
            let s = device.store.lock().unwrap();
            s.media().put(&first).unwrap();
            let files: Vec<_> = std::fs::read_dir(s.media().dir()).unwrap().map(|e| e.unwrap().path()).collect();
            s.media().put(&second).unwrap();
            files.into_iter().next().unwrap()
        };
        let mut bytes = std::fs::read(&damaged).unwrap();
        bytes[5_000] ^= 0x01;
        std::fs::write(&damaged, bytes).unwrap();
        let mut note = common::note(uuid::Uuid::nil(), "Two photos of the leaflet");
        note.operation_id = None;
        note.attachments = attachments(&[(&first, None), (&second, None)]);
        device.create(note);
        let report = device.sync().await;
        assert_eq!(report.media_sent, 1, "{report:?}");
        assert_eq!(report.media_refused.len(), 1, "{report:?}");
        assert!(report.media_refused[0].starts_with(&sha(&first)), "{report:?}");
        assert_eq!(media.read(&sha(&second)).unwrap(), second);
        assert_eq!(media.held(&sha(&first)).unwrap(), Held::Partial(0), "nothing of it sent");
    }

    async fn a_file_partly_sent_counts_toward_the_quota() {
        let (server, _media) = server(3_000_000).await;
        let device = Device::enrolled("PC 4521", &server).await;
        let a = photo(2_000_000, 31);
        let b = photo(2_000_000, 32);
        pushed_note(&device, &[(&a, None), (&b, None)]).await;
        let up = Uploader::of(&server, &device);
        assert_eq!(up.chunk(&sha(&a), 0, &a[..1_500_000]).await.0, StatusCode::OK);
        // 1.5 MB of the first held, 2 MB more would pass the 3 MB quota.
        let (status, body) = up.chunk(&sha(&b), 0, &b[..1000]).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    }

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
