//! Bytes → text: BOMs (UTF-8, UTF-16), UTF-8, and the Windows-1252 that many
//! hand-made subtitle files still use; binary data is refused, not guessed.

use std::borrow::Cow;

use encoding_rs::{UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::{IngestError, Position, check_size};

/// Text whose share of control characters is above this is taken for binary.
const MAX_CONTROL_SHARE: f64 = 0.02;

pub(crate) fn text(
    bytes: &[u8],
    format: &'static str,
    limit: usize,
) -> Result<String, IngestError> {
    check_size(bytes, format, limit)?;
    let (encoding, body) = match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => (UTF_8, rest),
        [0xFF, 0xFE, rest @ ..] => (UTF_16LE, rest),
        [0xFE, 0xFF, rest @ ..] => (UTF_16BE, rest),
        _ => (UTF_8, bytes),
    };
    let decoded: Cow<'_, str> = if encoding == UTF_8 {
        match std::str::from_utf8(body) {
            Ok(s) => Cow::Borrowed(s),
            Err(e) => {
                let offset = bytes.len() - body.len() + e.valid_up_to();
                if looks_binary(body) {
                    return Err(binary(format, offset));
                }
                // Not UTF-8 but text: the common legacy encoding of subtitles.
                WINDOWS_1252.decode_without_bom_handling(body).0
            }
        }
    } else {
        let (text, malformed) = encoding.decode_without_bom_handling(body);
        if malformed {
            return Err(IngestError::new(
                format,
                format!("the file claims {} but is not", encoding.name()),
            ));
        }
        text
    };
    if let Some(offset) = decoded.find('\0') {
        return Err(binary(format, offset));
    }
    let controls = decoded
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if controls as f64 > MAX_CONTROL_SHARE * decoded.chars().count().max(1) as f64 {
        return Err(binary(format, 0));
    }
    Ok(decoded.replace("\r\n", "\n").replace('\r', "\n"))
}

fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|b| b.is_ascii_control() && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    sample.contains(&0) || controls as f64 > MAX_CONTROL_SHARE * sample.len().max(1) as f64
}

fn binary(format: &'static str, offset: usize) -> IngestError {
    IngestError {
        format,
        position: Some(Position::Byte(offset)),
        message: "this is binary data, not text".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_utf8_and_legacy_text() {
        assert_eq!(
            text(b"\xEF\xBB\xBFhi\r\nthere", "srt", 100).unwrap(),
            "hi\nthere"
        );
        assert_eq!(text(b"\xFF\xFEh\0i\0", "srt", 100).unwrap(), "hi");
        assert_eq!(
            text(b"caf\xE9 \x93quoted\x94", "srt", 100).unwrap(),
            "café \u{201c}quoted\u{201d}"
        );
    }

    #[test]
    fn refuses_binary_and_oversized_input() {
        let err = text(b"PK\x03\x04\x00\x00\x01garbage", "vtt", 100).unwrap_err();
        assert_eq!(err.to_string(), "vtt byte 4: this is binary data, not text");
        let err = text(&[b'a'; 101], "vtt", 100).unwrap_err();
        assert!(err.message.contains("at most"), "{err}");
    }
}
