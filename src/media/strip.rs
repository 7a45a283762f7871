//! Location and other metadata taken out of a picture before it is stored, hashed or sent,
//! unless the officer keeps it. A phone photo's EXIF holds where it was taken (GPS), the
//! phone's make and serial, and the time; XMP and IPTC can hold the same; PNG and WebP carry
//! them in their own chunks. What is removed: JPEG APP1 (EXIF, XMP), APP13 (IPTC) and comment
//! segments; PNG eXIf, tEXt, zTXt, iTXt and tIME chunks; WebP EXIF and XMP chunks. A JPEG's
//! orientation is kept (a new EXIF holding only it), so a photo taken sideways is not shown
//! sideways. The picture's pixels are never decoded or re-encoded: the bytes of the image are
//! the camera's. Audio is stored as recorded.

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

fn jpeg(b: &[u8]) -> Result<Stripped, Damaged> {
    let bad = |d: &str| damaged("JPEG image", d);
    if b.len() < 4 || b[0..2] != [0xFF, 0xD8] {
        return Err(bad("it does not start as a JPEG"));
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[0..2]);
    let mut removed = Vec::new();
    let mut orientation = None;
    let mut i = 2;
    loop {
        // Fill bytes (0xFF repeated) may come before a marker.
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (b.get(i), b.get(i + 1)) else {
            return Err(bad("a segment is cut short"));
        };
        if marker == 0xD9 {
            out.extend_from_slice(&b[i..i + 2]);
            break;
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&b[i..i + 2]);
            i += 2;
            continue;
        }
        let len = match b.get(i + 2..i + 4) {
            Some(l) => u16::from_be_bytes([l[0], l[1]]) as usize,
            None => return Err(bad("a segment is cut short")),
        };
        if len < 2 || i + 2 + len > b.len() {
            return Err(bad("a segment runs past the end"));
        }
        let segment = &b[i..i + 2 + len];
        let payload = &segment[4..];
        match marker {
            0xE1 => {
                if let Some(tiff) = payload.strip_prefix(b"Exif\0\0") {
                    orientation = orientation.or_else(|| exif_orientation(tiff));
                    note(&mut removed, "EXIF (location, camera, time)");
                } else {
                    note(&mut removed, "XMP");
                }
            }
            0xED => note(&mut removed, "IPTC"),
            0xFE => note(&mut removed, "comment"),
            0xDA => {
                // Start of scan: the header before the image data. Put the orientation back
                // (in its own EXIF, after the JFIF segment that must come first, if there is
                // one), then copy the rest as it is.
                if let Some(o) = orientation.filter(|o| *o != 1) {
                    let at = if out.get(2..4) == Some(&[0xFF, 0xE0]) {
                        4 + u16::from_be_bytes([out[4], out[5]]) as usize
                    } else {
                        2
                    };
                    let exif = orientation_exif(o);
                    out.splice(at..at, exif);
                }
                out.extend_from_slice(&b[i..]);
                return Ok(Stripped { bytes: out, removed });
            }
            _ => out.extend_from_slice(segment),
        }
        i += 2 + len;
    }
    Ok(Stripped { bytes: out, removed })
}

/// The orientation (1–8) in EXIF's first image directory, if it is there and readable.
fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let big = match tiff.get(0..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |i: usize| -> Option<u16> {
        let s = tiff.get(i..i + 2)?;
        Some(if big {
            u16::from_be_bytes([s[0], s[1]])
        } else {
            u16::from_le_bytes([s[0], s[1]])
        })
    };
    let u32_at = |i: usize| -> Option<u32> {
        let s = tiff.get(i..i + 4)?;
        let a = [s[0], s[1], s[2], s[3]];
        Some(if big {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    };
    let ifd = u32_at(4)? as usize;
    let entries = u16_at(ifd)? as usize;
    (0..entries.min(512))
        .find_map(|n| {
            let e = ifd + 2 + n * 12;
            (u16_at(e)? == 0x0112).then(|| u16_at(e + 8)).flatten()
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
            b"eXIf" => note(&mut removed, "EXIF (location, camera, time)"),
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
            b"EXIF" => note(&mut removed, "EXIF (location, camera, time)"),
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
}
