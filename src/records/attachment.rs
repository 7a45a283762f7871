//! Photos, audio notes and screenshots attached to a record. The record names each by the
//! SHA-256 of its bytes as stored (location metadata already stripped unless the officer kept
//! it), with its type and size, so the record's signed revision covers the media: a byte
//! changed in a photo no longer matches the revision that names it. The bytes themselves
//! travel and are kept apart from the record (`media`).

use super::labelled_enum;
use super::validate::Checker;
use super::ValidationError;
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// What the officer attached.
    AttachmentKind {
        Photo => "Photo",
        Audio => "Audio note",
        Screenshot => "Screenshot",
    }
);

labelled_enum!(
    /// The media types a record may carry, each recognised by its first bytes (the name or
    /// the type a browser claims is never trusted).
    MediaType {
        Jpeg => "JPEG image",
        Png => "PNG image",
        Webp => "WebP image",
        Mp4Audio => "MP4 audio",
        Ogg => "Ogg audio",
        Webm => "WebM audio",
        Wav => "WAV audio",
    }
);

impl MediaType {
    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Mp4Audio => "audio/mp4",
            MediaType::Ogg => "audio/ogg",
            MediaType::Webm => "audio/webm",
            MediaType::Wav => "audio/wav",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, MediaType::Jpeg | MediaType::Png | MediaType::Webp)
    }

    /// The type of `bytes` from their first bytes, or None for anything not allowed.
    pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
        let at = |i: usize, m: &[u8]| bytes.get(i..i + m.len()) == Some(m);
        if at(0, &[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if at(0, b"\x89PNG\r\n\x1a\n") {
            Some(MediaType::Png)
        } else if at(0, b"RIFF") && at(8, b"WEBP") {
            Some(MediaType::Webp)
        } else if at(0, b"RIFF") && at(8, b"WAVE") {
            Some(MediaType::Wav)
        } else if at(0, b"OggS") {
            Some(MediaType::Ogg)
        } else if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
            Some(MediaType::Webm)
        } else if at(4, b"ftyp") && (at(8, b"M4A ") || at(8, b"mp42") || at(8, b"isom") || at(8, b"M4B ")) {
            Some(MediaType::Mp4Audio)
        } else {
            None
        }
    }

    /// The largest file of this type a record may carry, in bytes.
    pub fn max_size(self) -> u64 {
        if self.is_image() {
            MAX_IMAGE_BYTES
        } else {
            MAX_AUDIO_BYTES
        }
    }
}

/// A photo or screenshot: a phone camera's largest is about 12 MB; 25 MB leaves room.
pub const MAX_IMAGE_BYTES: u64 = 25 * 1024 * 1024;
/// An audio note: ten minutes of speech is a few MB; 50 MB is the ceiling.
pub const MAX_AUDIO_BYTES: u64 = 50 * 1024 * 1024;
/// Attachments on one record.
pub const MAX_ATTACHMENTS: usize = 20;

/// One attached file, as the record's revision names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// SHA-256 of the bytes as stored, lowercase hex.
    pub sha256: String,
    pub kind: AttachmentKind,
    pub media_type: MediaType,
    #[ts(type = "number")]
    pub size: u64,
    /// The small picture shown in timelines and boards (a JPEG made on the device); none for
    /// audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub thumbnail: Option<Thumbnail>,
    /// The officer kept the picture's location metadata (it is stripped unless they do).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub location_kept: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(as = "Option<String>", optional)]
    pub caption: String,
}

/// A picture's thumbnail: a JPEG of at most [`MAX_THUMBNAIL_BYTES`], by its SHA-256 and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Thumbnail {
    pub sha256: String,
    #[ts(type = "number")]
    pub size: u64,
}

/// The largest thumbnail, in bytes.
pub const MAX_THUMBNAIL_BYTES: u64 = 256 * 1024;

impl Attachment {
    /// Every file this attachment names, with its size: the file, then its thumbnail.
    pub fn files(&self) -> impl Iterator<Item = (&str, u64)> {
        std::iter::once((self.sha256.as_str(), self.size))
            .chain(self.thumbnail.as_ref().map(|t| (t.sha256.as_str(), t.size)))
    }
}

/// Whether `s` is a SHA-256 in lowercase hex.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Checks a record's attachments: each well named, of an allowed type and size, at most once.
pub(crate) fn check(c: &mut Checker, attachments: &[Attachment]) {
    if attachments.len() > MAX_ATTACHMENTS {
        c.push(ValidationError::TooMany {
            field: "attachments".into(),
            max: MAX_ATTACHMENTS,
            len: attachments.len(),
        });
    }
    for (i, a) in attachments.iter().enumerate() {
        let field = |name: &str| format!("attachments[{i}].{name}");
        if !is_sha256_hex(&a.sha256) {
            c.push(ValidationError::Invalid {
                field: field("sha256"),
                reason: "must be a SHA-256 in lowercase hex".into(),
            });
        }
        if attachments[..i].iter().any(|b| b.sha256 == a.sha256) {
            c.push(ValidationError::Invalid {
                field: field("sha256"),
                reason: "is attached twice".into(),
            });
        }
        check_one(c, a, &field);
    }
}

/// Checks one attachment's type, size, thumbnail and caption (not its name), with its fields
/// as named: the capture screen checks a file before it has a hash.
#[cfg(feature = "device")]
pub(crate) fn check_shape(c: &mut Checker, a: &Attachment) {
    check_one(c, a, &|name: &str| name.to_string());
}

fn check_one(c: &mut Checker, a: &Attachment, field: &dyn Fn(&str) -> String) {
    {
        if a.size == 0 || a.size > a.media_type.max_size() {
            c.push(ValidationError::Invalid {
                field: field("size"),
                reason: format!(
                    "must be from 1 byte to {} MB for {}",
                    a.media_type.max_size() / (1024 * 1024),
                    a.media_type.label()
                ),
            });
        }
        let fits = match a.kind {
            AttachmentKind::Photo | AttachmentKind::Screenshot => a.media_type.is_image(),
            AttachmentKind::Audio => !a.media_type.is_image(),
        };
        if !fits {
            c.push(ValidationError::Invalid {
                field: field("media_type"),
                reason: format!("{} is not a {}", a.media_type.label(), a.kind.label().to_lowercase()),
            });
        }
        match &a.thumbnail {
            Some(t)
                if !is_sha256_hex(&t.sha256)
                    || !a.media_type.is_image()
                    || t.size == 0
                    || t.size > MAX_THUMBNAIL_BYTES =>
            {
                c.push(ValidationError::Invalid {
                    field: field("thumbnail"),
                    reason: "must be a picture's thumbnail: a JPEG of at most 256 KB, by its SHA-256".into(),
                })
            }
            _ => {}
        }
        c.short(&field("caption"), &a.caption);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(sha: &str) -> Attachment {
        Attachment {
            sha256: sha.into(),
            kind: AttachmentKind::Photo,
            media_type: MediaType::Jpeg,
            size: 1_000,
            thumbnail: None,
            location_kept: false,
            caption: String::new(),
        }
    }

    #[test]
    fn types_are_known_by_their_first_bytes_only() {
        assert_eq!(MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(MediaType::Jpeg));
        assert_eq!(MediaType::sniff(b"\x89PNG\r\n\x1a\n...."), Some(MediaType::Png));
        assert_eq!(MediaType::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(MediaType::sniff(b"RIFF\0\0\0\0WAVEfmt "), Some(MediaType::Wav));
        assert_eq!(MediaType::sniff(b"OggS\0\x02"), Some(MediaType::Ogg));
        assert_eq!(MediaType::sniff(b"\0\0\0\x20ftypM4A \0\0"), Some(MediaType::Mp4Audio));
        for refused in [
            &b"MZ\x90\0"[..],
            b"%PDF-1.7",
            b"<svg xmlns",
            b"GIF89a",
            b"",
            b"\xFF\xD8",
        ] {
            assert_eq!(MediaType::sniff(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn attachments_are_checked_field_by_field() {
        let good = "a".repeat(64);
        let mut c = Checker::new();
        check(&mut c, &[photo(&good)]);
        assert!(c.finish().is_ok());

        let mut too_big = photo(&"b".repeat(64));
        too_big.size = MAX_IMAGE_BYTES + 1;
        let mut audio_as_photo = photo(&"c".repeat(64));
        audio_as_photo.media_type = MediaType::Ogg;
        let mut c = Checker::new();
        check(
            &mut c,
            &[photo(&good), photo(&good), photo("ABC"), too_big, audio_as_photo],
        );
        let err = c.finish().unwrap_err();
        let fields = err.fields();
        assert_eq!(
            fields,
            [
                "attachments[1].sha256",
                "attachments[2].sha256",
                "attachments[3].size",
                "attachments[4].media_type",
            ],
            "{err}"
        );
    }
}
