//! What a sent file is, from its bytes (never its name or the type the client claims), and the
//! name it is shown under. Pure: the rules the attachment endpoints apply, unit-tested.

use liaison_protocol::MessageKind;

/// Why a file was refused, in words for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("The file is empty.")]
    Empty,
    #[error("The file is larger than {0} MB.")]
    TooLarge(usize),
    #[error(
        "Only images, audio, PDF and office documents can be sent{}.",
        .0.as_deref().map(|m| format!(" (this file is {m})")).unwrap_or_default()
    )]
    Type(Option<String>),
}

/// What the bytes are: the message kind they make and the type they are served as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: MessageKind,
    pub mime: String,
}

/// Office documents, as `infer` names them.
const DOCUMENTS: &[&str] = &[
    "application/pdf",
    "application/rtf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
];

/// Images a browser shows inline (others are still images, but sent as files).
const SHOWN_IMAGES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/avif",
];

/// Sorts the bytes into image, voice or file, or refuses them. `recording` says the client sent
/// a voice recording: a browser's recorder writes audio in a video container (WebM, MP4), which
/// is then audio.
pub fn sniff(bytes: &[u8], recording: bool) -> Result<Sniffed, Refused> {
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    let Some(found) = infer::get(bytes) else {
        return Err(Refused::Type(None));
    };
    let mime = found.mime_type();
    let (kind, mime) = match found.matcher_type() {
        infer::MatcherType::Image if SHOWN_IMAGES.contains(&mime) => (MessageKind::Image, mime),
        infer::MatcherType::Image => (MessageKind::File, mime),
        infer::MatcherType::Audio => (MessageKind::Voice, mime),
        infer::MatcherType::Video if recording && mime == "video/webm" => {
            (MessageKind::Voice, "audio/webm")
        }
        infer::MatcherType::Video if recording && mime == "video/mp4" => {
            (MessageKind::Voice, "audio/mp4")
        }
        _ if DOCUMENTS.contains(&mime) => (MessageKind::File, mime),
        _ => return Err(Refused::Type(Some(mime.to_string()))),
    };
    Ok(Sniffed {
        kind,
        mime: mime.to_string(),
    })
}

/// The longest name kept, in characters.
pub const MAX_NAME_CHARS: usize = 120;

/// The name a file is shown and downloaded under: the last part of what the client sent (no
/// directories), without control characters, at most [`MAX_NAME_CHARS`]. It is never used as a
/// path: files are stored under their sha256.
pub fn display_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(MAX_NAME_CHARS)
        .collect();
    if clean.trim().is_empty() {
        "attachment".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
    const WEBM: &[u8] = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm";

    #[test]
    fn the_bytes_decide_not_the_name() {
        let png = sniff(PNG, false).unwrap();
        assert_eq!(
            (png.kind, png.mime.as_str()),
            (MessageKind::Image, "image/png")
        );
        let pdf = sniff(PDF, false).unwrap();
        assert_eq!(
            (pdf.kind, pdf.mime.as_str()),
            (MessageKind::File, "application/pdf")
        );
    }

    #[test]
    fn html_scripts_and_archives_are_refused() {
        for bytes in [
            &b"<!DOCTYPE html><html><script>alert(1)</script></html>"[..],
            b"#!/bin/sh\nrm -rf /",
            b"PK\x03\x04\x14\0\0\0\0\0somefile.txt",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0",
        ] {
            assert!(
                matches!(sniff(bytes, false), Err(Refused::Type(_))),
                "{bytes:?}"
            );
        }
        assert_eq!(sniff(b"", false), Err(Refused::Empty));
        assert!(
            Refused::Type(Some("application/zip".into()))
                .to_string()
                .contains("Only images, audio, PDF and office documents")
        );
    }

    #[test]
    fn a_recording_in_a_video_container_is_voice() {
        assert_eq!(sniff(WEBM, true).unwrap().kind, MessageKind::Voice);
        assert_eq!(sniff(WEBM, true).unwrap().mime, "audio/webm");
        assert!(sniff(WEBM, false).is_err(), "video is not accepted as such");
    }

    #[test]
    fn names_are_never_paths() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\me\\report.pdf"), "report.pdf");
        assert_eq!(display_name("..\\..\\"), "attachment");
        assert_eq!(display_name(".htaccess"), "htaccess");
        assert_eq!(display_name("a\u{0}b\nc.png"), "abc.png");
        assert_eq!(
            display_name(&"é".repeat(300)).chars().count(),
            MAX_NAME_CHARS
        );
    }
}
