//! Attaching photos, audio notes and screenshots from the capture screens: the file's type is
//! known from its first bytes, its size checked, a picture's location metadata taken out
//! (unless the officer keeps it), and the bytes kept encrypted on the tablet
//! ([`crate::media::vault`]). What comes back is the [`Attachment`] the record's revision will
//! name when the record is saved; a record can only be saved naming files this tablet holds.

use crate::media::strip::strip;
use crate::records::attachment::MAX_THUMBNAIL_BYTES;
use crate::records::{Attachment, AttachmentKind, MediaType, Record, Thumbnail, ValidationError};
use crate::store::{Result, Store, StoreError};
use serde::{Deserialize, Serialize};

/// What the officer chose to attach.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct NewAttachment {
    pub kind: AttachmentKind,
    /// Keep the picture's location metadata (it is taken out otherwise).
    #[serde(default)]
    pub keep_location: bool,
    #[serde(default)]
    pub caption: String,
}

/// The attachment as the record will name it, and what was taken out of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Attached {
    pub attachment: Attachment,
    /// "EXIF (location, camera, time)", …: empty when nothing was there or it was kept.
    pub removed: Vec<String>,
    /// The same file was already on this tablet (it is kept once).
    pub already_held: bool,
}

fn refused(field: &str, reason: impl Into<String>) -> StoreError {
    ValidationError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
    .into()
}

/// Keeps `bytes` (and the screen's `thumbnail` of a picture) on the tablet and returns the
/// attachment to put in the record. Nothing is kept when anything is refused.
pub fn attach(store: &Store, new: &NewAttachment, bytes: &[u8], thumbnail: Option<&[u8]>) -> Result<Attached> {
    let Some(media_type) = MediaType::sniff(bytes) else {
        return Err(refused(
            "file",
            "is not a photo or an audio note Liaison keeps (JPEG, PNG, WebP; MP4, Ogg, WebM or WAV audio)",
        ));
    };
    if bytes.len() as u64 > media_type.max_size() {
        return Err(refused(
            "file",
            format!(
                "is {:.1} MB: a {} may be at most {} MB",
                bytes.len() as f64 / 1_048_576.0,
                media_type.label(),
                media_type.max_size() / 1_048_576
            ),
        ));
    }
    let thumbnail = match thumbnail {
        None => None,
        Some(_) if !media_type.is_image() => return Err(refused("thumbnail", "is only for a picture")),
        Some(t) if t.len() as u64 > MAX_THUMBNAIL_BYTES || MediaType::sniff(t) != Some(MediaType::Jpeg) => {
            return Err(refused("thumbnail", "must be a JPEG of at most 256 KB"))
        }
        Some(t) => Some(strip(MediaType::Jpeg, t).map_err(|e| refused("thumbnail", e.to_string()))?),
    };
    let (kept_bytes, removed) = if new.keep_location {
        (std::borrow::Cow::Borrowed(bytes), vec![])
    } else {
        let s = strip(media_type, bytes).map_err(|e| refused("file", e.to_string()))?;
        (std::borrow::Cow::Owned(s.bytes), s.removed)
    };
    let attachment = Attachment {
        sha256: String::new(),
        kind: new.kind,
        media_type,
        size: kept_bytes.len() as u64,
        thumbnail: None,
        location_kept: new.keep_location,
        caption: new.caption.trim().to_string(),
    };
    let mut check = crate::records::validate::Checker::new();
    crate::records::attachment::check_shape(&mut check, &attachment);
    check.finish()?;

    let media = store.media();
    let kept = media.put(&kept_bytes).map_err(|e| StoreError::Media(e.to_string()))?;
    let thumb = match thumbnail {
        Some(t) => match media.put(&t.bytes) {
            Ok(k) => Some(Thumbnail {
                sha256: k.sha256,
                size: k.size,
            }),
            Err(e) => {
                if kept.new {
                    let _ = media.remove(&kept.sha256);
                }
                return Err(StoreError::Media(e.to_string()));
            }
        },
        None => None,
    };
    Ok(Attached {
        attachment: Attachment {
            sha256: kept.sha256,
            thumbnail: thumb,
            ..attachment
        },
        removed: removed.into_iter().map(String::from).collect(),
        already_held: !kept.new,
    })
}

/// [`attach`] with the file (and thumbnail) as the capture screen sends them: base64.
pub fn attach_encoded(store: &Store, new: &NewAttachment, file: &str, thumbnail: Option<&str>) -> Result<Attached> {
    use base64::Engine;
    let decode = |field: &str, s: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .map_err(|_| refused(field, "could not be read (it did not arrive whole): choose it again"))
    };
    let bytes = decode("file", file)?;
    let thumb = thumbnail.map(|t| decode("thumbnail", t)).transpose()?;
    attach(store, new, &bytes, thumb.as_deref())
}

/// Bytes as base64, as the screens take a file (a thumbnail in a timeline, a photo opened on
/// its record).
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The bytes of a file this tablet holds (an attachment or a thumbnail), checked against its
/// name.
pub fn media_bytes(store: &Store, sha256: &str) -> Result<Vec<u8>> {
    if !crate::records::attachment::is_sha256_hex(sha256) {
        return Err(refused("sha256", "must be a SHA-256 in lowercase hex"));
    }
    store.media().get(sha256).map_err(|e| StoreError::Media(e.to_string()))
}

/// Refuses a save that names a file this tablet does not hold (one that `previous`, the
/// version edited, already named may be a colleague's not fetched yet: it stays named).
pub(crate) fn check_held(store: &Store, record: &Record, previous: Option<&Record>) -> Result<()> {
    let before: Vec<&str> = previous
        .map(|p| p.attachments.iter().map(|a| a.sha256.as_str()).collect())
        .unwrap_or_default();
    let mut problems = Vec::new();
    for (i, a) in record.attachments.iter().enumerate() {
        if before.contains(&a.sha256.as_str()) {
            continue;
        }
        if a.files().any(|(name, _)| !store.media().has(name)) {
            problems.push(ValidationError::Invalid {
                field: format!("attachments[{i}].sha256"),
                reason: "is not on this tablet: attach the file again".into(),
            });
        }
    }
    match problems.len() {
        0 => Ok(()),
        1 => Err(problems.remove(0).into()),
        _ => Err(ValidationError::Several(problems).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::OfficerId;

    fn jpeg_with_gps() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        let mut exif = b"Exif\0\0MM\0\x2A\0\0\0\x08\0\0\0\0\0\0".to_vec();
        exif.extend_from_slice(b"GPSLatitude 52.4791");
        b.extend_from_slice(&[0xFF, 0xE1]);
        b.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        b.extend_from_slice(&exif);
        b.extend_from_slice(&[0xFF, 0xDA, 0, 2, 0x11, 0x22, 0xFF, 0xD9]);
        b
    }

    fn photo() -> NewAttachment {
        NewAttachment {
            kind: AttachmentKind::Photo,
            keep_location: false,
            caption: " Leaflet ".into(),
        }
    }

    #[test]
    fn a_photo_is_kept_without_its_location_and_named_by_what_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("d.db")).unwrap();
        let thumb = [0xFF, 0xD8, 0xFF, 0xDB, 0, 2, 0xFF, 0xD9];
        let a = attach(&store, &photo(), &jpeg_with_gps(), Some(&thumb)).unwrap();
        assert_eq!(a.removed, ["EXIF (location, camera, time)"]);
        assert_eq!(a.attachment.caption, "Leaflet");
        assert_eq!(a.attachment.media_type, MediaType::Jpeg);
        let kept = media_bytes(&store, &a.attachment.sha256).unwrap();
        assert!(!kept.windows(3).any(|w| w == b"GPS"));
        assert_eq!(a.attachment.size, kept.len() as u64);
        assert_eq!(
            media_bytes(&store, &a.attachment.thumbnail.as_ref().unwrap().sha256).unwrap(),
            thumb
        );
        assert!(attach(&store, &photo(), &jpeg_with_gps(), None).unwrap().already_held);

        let mut kept_location = photo();
        kept_location.keep_location = true;
        let b = attach(&store, &kept_location, &jpeg_with_gps(), None).unwrap();
        assert!(b.removed.is_empty() && b.attachment.location_kept);
        assert!(media_bytes(&store, &b.attachment.sha256)
            .unwrap()
            .windows(3)
            .any(|w| w == b"GPS"));
    }

    #[test]
    fn a_file_of_another_type_too_large_or_damaged_is_refused_and_nothing_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("d.db")).unwrap();
        let field = |e: StoreError| match e {
            StoreError::Validation(v) => v.fields().iter().map(|f| f.to_string()).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(attach(&store, &photo(), b"%PDF-1.7 a document", None).unwrap_err()),
            ["file"]
        );
        let mut huge = vec![0xFF, 0xD8, 0xFF, 0xE0];
        huge.resize(crate::records::attachment::MAX_IMAGE_BYTES as usize + 1, 0);
        let err = attach(&store, &photo(), &huge, None).unwrap_err();
        assert!(err.to_string().contains("at most 25 MB"), "{err}");
        assert_eq!(
            field(attach(&store, &photo(), &[0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0], None).unwrap_err()),
            ["file"]
        );
        assert_eq!(
            field(attach(&store, &photo(), &jpeg_with_gps(), Some(b"\x89PNG\r\n\x1a\n")).unwrap_err()),
            ["thumbnail"]
        );
        let audio = NewAttachment {
            kind: AttachmentKind::Audio,
            ..photo()
        };
        assert_eq!(
            field(attach(&store, &audio, &jpeg_with_gps(), None).unwrap_err()),
            ["media_type"]
        );
        assert_eq!(store.media().usage().unwrap().0, 0, "nothing was kept");
    }

    #[test]
    fn a_record_naming_a_file_the_tablet_does_not_hold_is_not_saved() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("d.db")).unwrap();
        let officer = OfficerId::new("PC 4521").unwrap();
        let a = attach(&store, &photo(), &jpeg_with_gps(), None).unwrap().attachment;
        let note = |attachments: Vec<Attachment>| {
            let mut r: Record = serde_json::from_value(serde_json::json!({
                "occurred_at": chrono::Utc::now(), "links": [], "tags": [],
                "body": {"kind": "contact_note", "spoke_with": "Steward", "function": "sensing", "summary": "Leaflets"}
            }))
            .unwrap();
            r.attachments = attachments;
            r
        };
        let missing = Attachment {
            sha256: "0".repeat(64),
            ..a.clone()
        };
        let err =
            crate::service::create_record(&mut store, &officer, note(vec![a.clone(), missing]), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "attachments[1].sha256 is not on this tablet: attach the file again"
        );
        let saved = crate::service::create_record(&mut store, &officer, note(vec![a.clone()]), None).unwrap();
        assert_eq!(store.media_named().unwrap().len(), 1);
        assert!(saved.revision_id != uuid::Uuid::nil());

        // The status strip counts it apart from records until the server confirms it; the
        // upload waits for the record's acknowledgement.
        let waiting = store.media_waiting_summary().unwrap();
        assert_eq!((waiting.photos, waiting.audio_notes, waiting.bytes), (1, 0, a.size));
        assert!(
            store.media_waiting().unwrap().is_empty(),
            "not before the record is acknowledged"
        );
        let top = store.own_chain().unwrap().last().unwrap().device_seq;
        store.record_push_outcome(top, &[], &[]).unwrap();
        assert_eq!(store.media_waiting().unwrap(), [(a.sha256.clone(), a.size)]);
        store.mark_media_sent(&a.sha256).unwrap();
        assert_eq!(store.media_waiting_summary().unwrap(), Default::default());
        assert!(store.media_waiting().unwrap().is_empty());
    }
}
