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

    /// The type of `bytes` from their first bytes, or None for anything not allowed. An MP4
    /// is the one type the first bytes cannot settle (see [`is_mp4_audio`]): `bytes` must be
    /// the whole file.
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
        } else if at(4, b"ftyp") && is_mp4_audio(bytes) {
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

/// Whether `bytes`, a whole MP4 (ISO base media) file, is audio and nothing else. The brand
/// alone cannot say: iOS Voice Memos writes `M4A `, but Android's recorders (MediaRecorder,
/// MediaMuxer) write `mp42` with `isom`, the brands a phone's videos carry too; and a brand is
/// only the file's word. So the brand must be an audio one or a generic one, and then the
/// tracks decide, whatever the brand: the handler of each `moov/trak/mdia/hdlr` is read, at
/// least one must be sound (`soun`) and none a picture (`vide`, `pict`, `auxv`). A track
/// whose handler cannot be read, a box that runs past the end (a file cut short) or no
/// `moov` at all is refused.
fn is_mp4_audio(bytes: &[u8]) -> bool {
    const BRANDS: [&[u8]; 8] = [b"M4A ", b"M4B ", b"F4A ", b"F4B ", b"mp42", b"mp41", b"isom", b"iso2"];
    let brand_ok = bytes.get(8..12).is_some_and(|brand| BRANDS.contains(&brand));
    let handlers = || -> Option<Vec<&[u8]>> {
        mp4_boxes(mp4_box_in(bytes, b"moov")?)?
            .into_iter()
            .filter(|(kind, _)| kind == b"trak")
            .map(|(_, trak)| {
                let hdlr = mp4_box_in(mp4_box_in(trak, b"mdia")?, b"hdlr")?;
                // Version and flags, pre_defined, then the handler type.
                hdlr.get(8..12)
            })
            .collect()
    };
    brand_ok
        && handlers().is_some_and(|h| {
            h.iter().any(|h| h == b"soun") && !h.iter().any(|h| [&b"vide"[..], b"pict", b"auxv"].contains(h))
        })
}

/// The content of the first box of type `kind` in `data`; None if there is none or a box
/// runs past the end.
fn mp4_box_in<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    mp4_boxes(data)?
        .into_iter()
        .find(|(k, _)| k == kind)
        .map(|(_, content)| content)
}

/// The boxes one after another in `data`, each as (type, content); None if one runs past the
/// end. A size of 0 is "to the end", of 1 a 64-bit size after the type.
fn mp4_boxes(mut data: &[u8]) -> Option<Vec<([u8; 4], &[u8])>> {
    let mut boxes = Vec::new();
    while !data.is_empty() {
        let head = data.get(0..8)?;
        let kind = [head[4], head[5], head[6], head[7]];
        let (start, size) = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
            0 => (8, data.len()),
            1 => (
                16,
                usize::try_from(u64::from_be_bytes(data.get(8..16)?.try_into().ok()?)).ok()?,
            ),
            size => (8, usize::try_from(size).ok()?),
        };
        boxes.push((kind, data.get(start..size)?));
        data = &data[size..];
    }
    Some(boxes)
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
        assert_eq!(MediaType::sniff(&mp4(b"M4A ", &[b"soun"])), Some(MediaType::Mp4Audio));
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

    fn mp4_box(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
        let mut b = ((content.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(content);
        b
    }

    /// An MP4 as a phone's recorder lays it out: `ftyp`, the media data, then `moov` with a
    /// track for each handler.
    fn mp4(brand: &[u8; 4], handlers: &[&[u8; 4]]) -> Vec<u8> {
        let mut ftyp = brand.to_vec();
        ftyp.extend_from_slice(b"\0\0\0\0isommp42");
        let mut moov = mp4_box(b"mvhd", &[0; 100]);
        for handler in handlers {
            let mut hdlr = vec![0; 8];
            hdlr.extend_from_slice(*handler);
            hdlr.extend_from_slice(&[0; 12]);
            hdlr.extend_from_slice(b"SoundHandler\0");
            let mut mdia = mp4_box(b"mdhd", &[0; 24]);
            mdia.extend(mp4_box(b"hdlr", &hdlr));
            mdia.extend(mp4_box(b"minf", &[0; 40]));
            let mut trak = mp4_box(b"tkhd", &[0; 84]);
            trak.extend(mp4_box(b"mdia", &mdia));
            moov.extend(mp4_box(b"trak", &trak));
        }
        let mut b = mp4_box(b"ftyp", &ftyp);
        b.extend(mp4_box(b"free", b""));
        b.extend(mp4_box(b"mdat", &[0x21; 300]));
        b.extend(mp4_box(b"moov", &moov));
        b
    }

    #[test]
    fn an_mp4_is_audio_only_when_its_tracks_are_sound_whatever_its_brand_says() {
        // iOS Voice Memos (M4A), Android's recorders (mp42 or isom), an audiobook (M4B).
        for brand in [b"M4A ", b"mp42", b"isom", b"M4B "] {
            let audio = mp4(brand, &[b"soun"]);
            assert_eq!(MediaType::sniff(&audio), Some(MediaType::Mp4Audio), "{brand:?}");
            for cut in 0..audio.len() {
                assert_eq!(MediaType::sniff(&audio[..cut]), None, "{brand:?} cut at {cut}");
            }
        }
        let mut large_size = mp4(b"mp42", &[b"soun", b"meta"]);
        // The media data with a 64-bit size, as a long recording has.
        let mdat = large_size.windows(4).position(|w| w == b"mdat").unwrap() - 4;
        large_size.splice(
            mdat..mdat + 8,
            [0, 0, 0, 1, b'm', b'd', b'a', b't', 0, 0, 0, 0, 0, 0, 1, 60],
        );
        assert_eq!(MediaType::sniff(&large_size), Some(MediaType::Mp4Audio));

        for (refused, why) in [
            (mp4(b"isom", &[b"vide", b"soun"]), "a phone's video"),
            (
                mp4(b"mp42", &[b"soun", b"vide"]),
                "a video whose sound track comes first",
            ),
            (mp4(b"M4A ", &[b"vide"]), "a video that says it is audio"),
            (mp4(b"M4A ", &[b"soun", b"pict"]), "audio with a picture track"),
            (mp4(b"M4A ", &[]), "no track at all"),
            (mp4(b"M4A ", &[b"meta"]), "no sound track"),
            (mp4(b"M4V ", &[b"soun"]), "a video brand"),
            (mp4(b"qt  ", &[b"soun"]), "a QuickTime movie"),
            (mp4(b"heic", &[b"soun"]), "a HEIC picture"),
            (mp4_box(b"ftyp", b"M4A \0\0\0\0"), "no moov"),
        ] {
            assert_eq!(MediaType::sniff(&refused), None, "{why}");
        }
        for size in [u32::MAX, 7, 2, 1] {
            let mut b = mp4_box(b"ftyp", b"M4A \0\0\0\0");
            b.extend_from_slice(&size.to_be_bytes());
            b.extend_from_slice(b"moov\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF");
            assert_eq!(MediaType::sniff(&b), None, "a box of size {size}");
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
