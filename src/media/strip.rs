//! Location and other metadata taken out of a picture before it is stored, hashed or sent,
//! unless the officer keeps it. A phone photo's EXIF holds where it was taken (GPS), the
//! phone's make and serial, and the time; XMP and IPTC can hold the same; PNG and WebP carry
//! them in their own chunks; a phone's JPEG can carry more pictures after its end, each with
//! its own EXIF. What is removed: from a JPEG, everything a decoder does not need (`jpeg`
//! lists what is kept; everything else goes, including anything after the end of the
//! picture); PNG eXIf, tEXt, zTXt, iTXt and tIME chunks; WebP EXIF and XMP chunks. A
//! JPEG's orientation is kept (a new EXIF holding only it), so a photo taken sideways is not
//! shown sideways. The picture's pixels are never decoded or re-encoded: the bytes of the
//! image are the camera's. A file that cannot be read to its end is refused, never guessed
//! at. Audio is stored as recorded.

use crate::records::MediaType;

/// Why a file could not be read as the picture it claims to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {what} is damaged: {detail}")]
pub struct Damaged {
    pub what: &'static str,
    pub detail: String,
}

/// A picture with its metadata taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stripped {
    pub bytes: Vec<u8>,
    /// What was taken out, for the officer ("EXIF (location, camera)", …); empty if nothing.
    pub removed: Vec<&'static str>,
}

/// Takes the metadata out of `bytes` of type `media_type`; audio comes back unchanged.
pub fn strip(media_type: MediaType, bytes: &[u8]) -> Result<Stripped, Damaged> {
    match media_type {
        MediaType::Jpeg => jpeg(bytes),
        MediaType::Png => png(bytes),
        MediaType::Webp => webp(bytes),
        _ => Ok(Stripped {
            bytes: bytes.to_vec(),
            removed: vec![],
        }),
    }
}

fn damaged(what: &'static str, detail: impl Into<String>) -> Damaged {
    Damaged {
        what,
        detail: detail.into(),
    }
}

fn note(removed: &mut Vec<&'static str>, what: &'static str) {
    if !removed.contains(&what) {
        removed.push(what);
    }
}

/// What is said for a JPEG's EXIF, wherever it is found.
const EXIF: &str = "EXIF (location, camera, time)";

/// A JPEG keeps what a decoder needs to draw it and nothing else: an allowlist, so a kind of
/// metadata nobody here has heard of goes too. Kept: the start, a JFIF APP0, an APP2 holding
/// an ICC colour profile, an Adobe APP14 (its colour transform changes how the pixels
/// decode), the tables (DQT, DHT, DAC, DRI, DNL), the frame (SOF*) and each scan (SOS and its
/// entropy-coded data) through the end marker. Everything after the end marker goes: phones
/// append more pictures there (MPF's depth maps and previews, vendors' trailers), each with
/// an EXIF of its own that can hold the GPS again. Between segments the file is read
/// strictly: a segment cut short, a scan with no end or a marker out of place is refused.
fn jpeg(b: &[u8]) -> Result<Stripped, Damaged> {
    let bad = |d: &str| damaged("JPEG image", d);
    if b.len() < 4 || b[0..2] != [0xFF, 0xD8] {
        return Err(bad("it does not start as a JPEG"));
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[0..2]);
    let mut removed = Vec::new();
    let mut orientation = None;
    let mut scanned = false;
    let mut i = 2;
    loop {
        // Fill bytes (0xFF repeated) may come before a marker.
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&first), Some(&marker)) = (b.get(i), b.get(i + 1)) else {
            return Err(bad("a segment is cut short"));
        };
        if first != 0xFF {
            return Err(bad("a segment does not start where the one before ends"));
        }
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                // Zeros some cameras pad with are not worth a word; anything else is.
                if b[i + 2..].iter().any(|&x| x != 0) {
                    note(&mut removed, "data after the picture (more pictures, trailers)");
                }
                return Ok(Stripped { bytes: out, removed });
            }
            // A second start, a restart or a stuffed zero only belong inside a scan.
            0x00 | 0x01 | 0xD0..=0xD8 => return Err(bad("a marker is out of place")),
            _ => {}
        }
        let len = match b.get(i + 2..i + 4) {
            Some(l) => u16::from_be_bytes([l[0], l[1]]) as usize,
            None => return Err(bad("a segment is cut short")),
        };
        let end = (i + 2)
            .checked_add(len)
            .filter(|end| len >= 2 && *end <= b.len())
            .ok_or_else(|| bad("a segment runs past the end"))?;
        let segment = &b[i..end];
        let payload = &segment[4..];
        if marker == 0xE1 && !scanned {
            if let Some(tiff) = payload.strip_prefix(b"Exif\0\0") {
                orientation = orientation.or_else(|| exif_orientation(tiff));
            }
        }
        if marker == 0xDA && !scanned {
            // The first scan: put the orientation back (in its own EXIF, after the JFIF
            // segment that must come first, if there is one).
            scanned = true;
            if let Some(o) = orientation.filter(|o| *o != 1) {
                let at = if out.get(2..4) == Some(&[0xFF, 0xE0]) {
                    4 + u16::from_be_bytes([out[4], out[5]]) as usize
                } else {
                    2
                };
                out.splice(at..at, orientation_exif(o));
            }
        }
        match jpeg_segment_removed_as(marker, payload) {
            None => out.extend_from_slice(segment),
            Some(what) => note(&mut removed, what),
        }
        i = end;
        if marker == 0xDA {
            let data_end = entropy_coded_end(b, i).ok_or_else(|| bad("the image data is cut short"))?;
            out.extend_from_slice(&b[i..data_end]);
            i = data_end;
        }
    }
}

/// None if a JPEG segment is one a decoder needs (kept), or what to tell the officer was
/// taken out.
fn jpeg_segment_removed_as(marker: u8, payload: &[u8]) -> Option<&'static str> {
    match marker {
        // SOF0–15 but DHT (C4), the reserved JPG (C8) and DAC (CC); DHT; DAC; SOS; DQT; DNL;
        // DRI.
        0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF | 0xC4 | 0xCC | 0xDA..=0xDD => None,
        0xE0 if payload.starts_with(b"JFIF\0") => None,
        0xE2 if payload.starts_with(b"ICC_PROFILE\0") => None,
        0xEE if payload.starts_with(b"Adobe") => None,
        0xE1 if payload.starts_with(b"Exif\0\0") => Some(EXIF),
        0xE1 => Some("XMP"),
        0xE2 if payload.starts_with(b"MPF\0") => Some("MPF (more pictures in the file)"),
        0xED => Some("IPTC"),
        0xFE => Some("comment"),
        _ => Some("other metadata"),
    }
}

/// Where the entropy-coded data from `from` ends: the first marker that is not a stuffed
/// zero, a restart or a fill byte. None if the file ends first.
fn entropy_coded_end(b: &[u8], from: usize) -> Option<usize> {
    let mut k = from;
    loop {
        k += b.get(k..)?.iter().position(|&x| x == 0xFF)?;
        match *b.get(k + 1)? {
            0x00 | 0xD0..=0xD7 => k += 2,
            0xFF => k += 1,
            _ => return Some(k),
        }
    }
}

/// The orientation (1–8) in EXIF's first image directory, if it is there and readable. Every
/// offset is the file's word, so every sum is checked: a directory said to be at 4 GB is
/// simply not there.
fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let big = match tiff.get(0..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |i: usize| -> Option<u16> {
        let s = tiff.get(i..i.checked_add(2)?)?;
        Some(if big {
            u16::from_be_bytes([s[0], s[1]])
        } else {
            u16::from_le_bytes([s[0], s[1]])
        })
    };
    let u32_at = |i: usize| -> Option<u32> {
        let s = tiff.get(i..i.checked_add(4)?)?;
        let a = [s[0], s[1], s[2], s[3]];
        Some(if big {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let entries = u16_at(ifd)? as usize;
    (0..entries.min(512))
        .find_map(|n| {
            let entry = ifd.checked_add(2)?.checked_add(n.checked_mul(12)?)?;
            // Tag 0x0112, type SHORT: the value is in the entry's first two value bytes.
            (u16_at(entry)? == 0x0112 && u16_at(entry.checked_add(2)?)? == 3)
                .then(|| u16_at(entry.checked_add(8)?))
                .flatten()
        })
        .filter(|o| (1..=8).contains(o))
}

/// An APP1 segment holding an EXIF with the orientation alone.
fn orientation_exif(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2A\0\0\0\x08"); // big-endian, first directory at 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // padding to four bytes
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next directory
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&tiff);
    seg
}

fn png(b: &[u8]) -> Result<Stripped, Damaged> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let bad = |d: &str| damaged("PNG image", d);
    if !b.starts_with(SIGNATURE) {
        return Err(bad("it does not start as a PNG"));
    }
    let mut out = SIGNATURE.to_vec();
    let mut removed = Vec::new();
    let mut i = SIGNATURE.len();
    while i < b.len() {
        let head = b.get(i..i + 8).ok_or_else(|| bad("a chunk is cut short"))?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let end = i
            .checked_add(12)
            .and_then(|x| x.checked_add(len))
            .filter(|end| *end <= b.len())
            .ok_or_else(|| bad("a chunk runs past the end"))?;
        match &head[4..8] {
            b"eXIf" => note(&mut removed, EXIF),
            b"tEXt" | b"zTXt" | b"iTXt" => note(&mut removed, "text (XMP, comments)"),
            b"tIME" => note(&mut removed, "time"),
            _ => out.extend_from_slice(&b[i..end]),
        }
        let last = &head[4..8] == b"IEND";
        i = end;
        if last {
            break;
        }
    }
    Ok(Stripped { bytes: out, removed })
}

fn webp(b: &[u8]) -> Result<Stripped, Damaged> {
    let bad = |d: &str| damaged("WebP image", d);
    if b.len() < 12 || &b[0..4] != b"RIFF" || &b[8..12] != b"WEBP" {
        return Err(bad("it does not start as a WebP"));
    }
    let mut chunks = Vec::new();
    let mut removed = Vec::new();
    let mut i = 12;
    while i + 8 <= b.len() {
        let fourcc = &b[i..i + 4];
        let len = u32::from_le_bytes([b[i + 4], b[i + 5], b[i + 6], b[i + 7]]) as usize;
        let end = (i + 8)
            .checked_add(len + (len & 1))
            .filter(|end| *end <= b.len())
            .ok_or_else(|| bad("a chunk runs past the end"))?;
        match fourcc {
            b"EXIF" => note(&mut removed, EXIF),
            b"XMP " => note(&mut removed, "XMP"),
            _ => chunks.push(b[i..end].to_vec()),
        }
        i = end;
    }
    let mut body: Vec<u8> = b"WEBP".to_vec();
    for mut c in chunks {
        if &c[0..4] == b"VP8X" && c.len() > 8 {
            c[8] &= !(0x08 | 0x04); // the EXIF and XMP flags
        }
        body.extend_from_slice(&c);
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(Stripped { bytes: out, removed })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small JPEG-shaped file: SOI, APP0, APP1 EXIF (orientation 6 and a GPS-looking text),
    /// APP1 XMP, a comment, DQT, SOS with data, EOI.
    pub(crate) fn camera_jpeg() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        let seg = |b: &mut Vec<u8>, marker: u8, payload: &[u8]| {
            b.extend_from_slice(&[0xFF, marker]);
            b.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
            b.extend_from_slice(payload);
        };
        seg(&mut b, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        let mut exif = b"Exif\0\0II\x2A\0\x08\0\0\0".to_vec();
        exif.extend_from_slice(&[1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]);
        exif.extend_from_slice(b"GPSLatitude 52.4791 N; Make Acme; Serial 1234");
        seg(&mut b, 0xE1, &exif);
        seg(
            &mut b,
            0xE1,
            b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>exif:GPSLatitude</x:xmpmeta>",
        );
        seg(&mut b, 0xFE, b"taken at the corner of New Street");
        seg(&mut b, 0xDB, &[0u8; 65]);
        seg(&mut b, 0xDA, &[1, 1, 0, 0, 0x3F, 0]);
        b.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56]);
        b.extend_from_slice(&[0xFF, 0xD9]);
        b
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_jpeg_loses_its_exif_xmp_and_comments_and_keeps_its_orientation_and_pixels() {
        let original = camera_jpeg();
        let s = strip(MediaType::Jpeg, &original).unwrap();
        for gone in [&b"GPSLatitude"[..], b"Acme", b"New Street", b"xmpmeta"] {
            assert!(
                !contains(&s.bytes, gone),
                "{:?} is still there",
                String::from_utf8_lossy(gone)
            );
        }
        assert_eq!(s.removed, ["EXIF (location, camera, time)", "XMP", "comment"]);
        let exif = s
            .bytes
            .windows(6)
            .position(|w| w == b"Exif\0\0")
            .expect("an EXIF for the orientation");
        assert_eq!(
            exif_orientation(&s.bytes[exif + 6..]),
            Some(6),
            "the orientation is kept"
        );
        assert_eq!(&s.bytes[exif - 4..exif - 2], [0xFF, 0xE1]);
        assert_eq!(&s.bytes[2..4], [0xFF, 0xE0], "the JFIF segment still comes first");
        assert!(
            s.bytes.ends_with(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]),
            "the image data is the camera's"
        );
        assert!(contains(&s.bytes, b"JFIF"));
        // Stripping what is already stripped changes nothing more.
        assert_eq!(strip(MediaType::Jpeg, &s.bytes).unwrap().bytes, s.bytes);
    }

    #[test]
    fn a_png_and_a_webp_lose_their_metadata_chunks() {
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut png_bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        for c in [
            chunk(b"IHDR", &[0; 13]),
            chunk(b"eXIf", b"GPS 52.47"),
            chunk(b"tEXt", b"Comment\0New Street"),
            chunk(b"IDAT", b"pixels"),
            chunk(b"IEND", b""),
        ] {
            png_bytes.extend_from_slice(&c);
        }
        let s = strip(MediaType::Png, &png_bytes).unwrap();
        assert!(!contains(&s.bytes, b"GPS") && !contains(&s.bytes, b"New Street"));
        assert!(contains(&s.bytes, b"IDATpixels") && s.bytes.ends_with(b"IEND\0\0\0\0"));

        let riff = |kind: &[u8], data: &[u8]| {
            let mut c = kind.to_vec();
            c.extend_from_slice(&(data.len() as u32).to_le_bytes());
            c.extend_from_slice(data);
            if data.len() % 2 == 1 {
                c.push(0);
            }
            c
        };
        let mut body = b"WEBP".to_vec();
        body.extend(riff(b"VP8X", &[0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        body.extend(riff(b"VP8 ", b"pixels"));
        body.extend(riff(b"EXIF", b"GPS 52.47"));
        body.extend(riff(b"XMP ", b"<xmp/>"));
        let mut webp_bytes = b"RIFF".to_vec();
        webp_bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
        webp_bytes.extend(body);
        let s = strip(MediaType::Webp, &webp_bytes).unwrap();
        assert!(!contains(&s.bytes, b"GPS") && !contains(&s.bytes, b"<xmp/>"));
        assert_eq!(s.bytes[20], 0, "the VP8X flags no longer promise EXIF or XMP");
        assert_eq!(
            u32::from_le_bytes(s.bytes[4..8].try_into().unwrap()) as usize,
            s.bytes.len() - 8
        );
    }

    #[test]
    fn a_damaged_picture_is_refused_in_words_and_never_panics() {
        let original = camera_jpeg();
        for cut in 0..original.len() {
            let _ = strip(MediaType::Jpeg, &original[..cut]);
        }
        assert_eq!(
            strip(MediaType::Jpeg, &original[..30]).unwrap_err().to_string(),
            "the JPEG image is damaged: a segment runs past the end"
        );
        assert!(strip(MediaType::Png, b"\x89PNG\r\n\x1a\n\0\0\xFF\xFFIDAT").is_err());
        assert!(strip(MediaType::Webp, b"RIFF\0\0\0\0WEBPVP8 \xFF\xFF\xFF\x0F").is_err());
    }

    fn seg(b: &mut Vec<u8>, marker: u8, payload: &[u8]) {
        b.extend_from_slice(&[0xFF, marker]);
        b.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        b.extend_from_slice(payload);
    }

    /// A scan header and its entropy-coded data, with a stuffed zero and a restart marker.
    const SCAN: &[u8] = &[
        0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD0, 0x78,
    ];
    const EOI: &[u8] = &[0xFF, 0xD9];
    const JFIF: (u8, &[u8]) = (0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    const DQT: (u8, &[u8]) = (0xDB, &[0u8; 65]);

    /// SOI, the segments, one scan, EOI.
    fn jpeg_of(segments: &[(u8, &[u8])]) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        for (marker, payload) in segments {
            seg(&mut b, *marker, payload);
        }
        b.extend_from_slice(SCAN);
        b.extend_from_slice(EOI);
        b
    }

    /// What a phone writes: an MPF index in APP2 and, after the end of the picture, a second
    /// picture (a depth map, a preview) with an EXIF of its own holding the GPS again.
    fn phone_jpeg() -> (Vec<u8>, Vec<u8>) {
        let mpf: &[u8] = b"MPF\0MM\0\x2A\0\0\0\x08\0\x03\xB0\0";
        let mut second_exif = b"Exif\0\0MM\0\x2A\0\0\0\x08\0\0".to_vec();
        second_exif.extend_from_slice(b"GPSLatitude 52.4791 N");
        let mut b = jpeg_of(&[JFIF, (0xE2, mpf), DQT]);
        b.extend(jpeg_of(&[(0xE1, &second_exif), DQT]));
        (b, jpeg_of(&[JFIF, DQT]))
    }

    #[test]
    fn more_pictures_after_the_end_of_a_jpeg_are_cut_off_with_the_gps_they_carry() {
        let (phone, expected) = phone_jpeg();
        assert!(contains(&phone, b"GPSLatitude"));
        let s = strip(MediaType::Jpeg, &phone).unwrap();
        assert!(!contains(&s.bytes, b"GPSLatitude") && !contains(&s.bytes, b"MPF"));
        assert_eq!(
            s.bytes, expected,
            "the picture itself is kept byte for byte, nothing after it"
        );
        assert_eq!(
            s.removed,
            [
                "MPF (more pictures in the file)",
                "data after the picture (more pictures, trailers)"
            ]
        );

        // Zeros a camera pads with go too, without a word.
        let mut padded = expected.clone();
        padded.extend_from_slice(&[0; 64]);
        let s = strip(MediaType::Jpeg, &padded).unwrap();
        assert_eq!((s.bytes, s.removed), (expected, vec![]));
    }

    #[test]
    fn an_icc_profile_and_an_adobe_segment_are_kept_and_every_other_application_segment_goes() {
        let icc: (u8, &[u8]) = (0xE2, b"ICC_PROFILE\0\x01\x01profile bytes");
        let adobe: (u8, &[u8]) = (0xEE, b"Adobe\0\x64\0\0\0\0\x01");
        let sof: (u8, &[u8]) = (0xC0, &[8, 0, 16, 0, 16, 1, 1, 0x11, 0]);
        let dht: (u8, &[u8]) = (0xC4, &[0; 17]);
        let dri: (u8, &[u8]) = (0xDD, &[0, 4]);
        let original = jpeg_of(&[
            JFIF,
            icc,
            (0xE2, b"MPF\0II\x2A\0\x08\0\0\0"),
            (0xE2, b"FPXR\0 a FlashPix extension"),
            adobe,
            (0xE3, b"META Kodak"),
            (0xEC, b"Ducky quality"),
            (0xEF, b"vendor"),
            (0xE0, b"JFXX\0\x10 thumbnail"),
            (0xEE, b"not Adobe"),
            (0xF0, b"JPG0 extension"),
            (0xC8, b"reserved JPG"),
            (0xFE, b"New Street"),
            DQT,
            sof,
            dht,
            dri,
        ]);
        let s = strip(MediaType::Jpeg, &original).unwrap();
        assert_eq!(s.bytes, jpeg_of(&[JFIF, icc, adobe, DQT, sof, dht, dri]));
        assert_eq!(
            s.removed,
            ["MPF (more pictures in the file)", "other metadata", "comment"]
        );
    }

    #[test]
    fn a_progressive_jpeg_keeps_every_scan_and_loses_what_lies_between_them() {
        let mut original = jpeg_of(&[JFIF, DQT]);
        original.truncate(original.len() - EOI.len());
        let mut expected = original.clone();
        seg(&mut original, 0xC4, &[0; 17]);
        seg(&mut original, 0xFE, b"between scans");
        seg(&mut original, 0xE1, b"Exif\0\0MM\0\x2A\0\0\0\x08\0\0GPSLatitude");
        original.extend_from_slice(SCAN);
        original.extend_from_slice(EOI);
        seg(&mut expected, 0xC4, &[0; 17]);
        expected.extend_from_slice(SCAN);
        expected.extend_from_slice(EOI);
        let s = strip(MediaType::Jpeg, &original).unwrap();
        assert_eq!(s.bytes, expected);
        assert_eq!(s.removed, ["comment", EXIF]);
    }

    #[test]
    fn an_exif_whose_offsets_point_anywhere_gives_no_orientation_and_never_overflows() {
        for offset in [u32::MAX, u32::MAX - 1, u32::MAX - 13, 0x8000_0000, 0, 7, 9, 10, 1000] {
            for (order, bytes) in [(&b"MM"[..], offset.to_be_bytes()), (b"II", offset.to_le_bytes())] {
                let mut tiff = order.to_vec();
                tiff.extend_from_slice(if order == b"MM" { &[0, 0x2A] } else { &[0x2A, 0] });
                tiff.extend_from_slice(&bytes);
                // A directory that claims every entry it can, then ends.
                tiff.extend_from_slice(&[0xFF, 0xFF, 0x01, 0x12, 0, 3]);
                assert_eq!(exif_orientation(&tiff), None, "{offset:#x}");
            }
        }
        let entry = |kind: u8| {
            let mut t = b"MM\0\x2A\0\0\0\x08\0\x01\x01\x12\0".to_vec();
            t.extend_from_slice(&[kind, 0, 0, 0, 1, 0, 6, 0, 0]);
            t
        };
        assert_eq!(exif_orientation(&entry(3)), Some(6));
        assert_eq!(exif_orientation(&entry(4)), None, "an orientation that is not a SHORT");
    }

    /// The changes a damaged or hostile file might make at one place.
    fn changed(original: &[u8], at: usize, to: u8) -> Vec<u8> {
        let mut b = original.to_vec();
        b[at] = to;
        b
    }

    /// What every outcome must be: refused, or a file that ends at its end marker and that a
    /// second strip leaves as it is.
    fn stripped_or_refused(bytes: &[u8]) {
        if let Ok(s) = strip(MediaType::Jpeg, bytes) {
            assert!(s.bytes.ends_with(EOI), "nothing after the end");
            assert_eq!(strip(MediaType::Jpeg, &s.bytes).unwrap().bytes, s.bytes);
        }
    }

    /// The camera's picture with a second scan, an MPF index between the scans, and the
    /// phone's picture after its end; and where its own end marker ends.
    fn sample_jpeg() -> (Vec<u8>, usize) {
        let mut b = camera_jpeg();
        b.truncate(b.len() - EOI.len());
        seg(&mut b, 0xE2, b"MPF\0MM\0\x2A\0\0\0\x08");
        b.extend_from_slice(SCAN);
        b.extend_from_slice(EOI);
        let end = b.len();
        b.extend(phone_jpeg().0);
        (b, end)
    }

    #[test]
    fn no_cut_or_changed_byte_of_a_jpeg_panics_and_every_cut_before_its_end_is_refused() {
        let (original, end) = sample_jpeg();
        let whole = strip(MediaType::Jpeg, &original).unwrap();

        for cut in 0..original.len() {
            match strip(MediaType::Jpeg, &original[..cut]) {
                Ok(s) => {
                    assert!(cut >= end, "cut at {cut} of {end} is not refused");
                    assert_eq!(s.bytes, whole.bytes);
                }
                Err(e) => assert!(cut < end, "cut at {cut} after the end is refused: {e}"),
            }
        }
        for at in 0..original.len() {
            let was = original[at];
            for to in [0x00, 0x01, 0xFF, 0xD8, 0xD9, 0xDA, 0xE1, was ^ 0x01, was ^ 0x80, !was] {
                stripped_or_refused(&changed(&original, at, to));
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]
        #[test]
        fn no_set_of_changed_bytes_makes_the_jpeg_strip_panic(
            changes in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()), 1..8)
        ) {
            let mut b = sample_jpeg().0;
            for (at, to) in changes {
                let at = at.index(b.len());
                b[at] = to;
            }
            stripped_or_refused(&b);
        }
    }
}
