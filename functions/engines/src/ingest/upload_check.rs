//! Is an uploaded file what its upload said it would be? Transcripts and
//! documents are read with the very parser ingestion will use, so a file
//! that would fail later is refused at once, with the parser's reason;
//! audio is recognised by its container's signature.

use std::io::Read;

use coursegen_core::upload::{AudioFormat, UploadRequest};

use super::{document, transcript};

/// The most of an audio file its signature check looks at.
const SIGNATURE_BYTES: u64 = 16;

/// [`check_upload`] on a file read from `body`: audio by its first bytes
/// only; transcripts and documents whole, as ingest reads them, and never
/// more than ingest accepts (a byte more, to say it is too large).
pub fn check_upload_from(request: &UploadRequest, body: impl Read) -> Result<(), String> {
    let limit = match request {
        UploadRequest::Audio { .. } => SIGNATURE_BYTES,
        _ => request.max_size() + 1,
    };
    let mut bytes = Vec::new();
    body.take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    check_upload(request, &bytes)
}

/// `Ok` if `bytes` are a file of the kind and format `request` declares.
pub fn check_upload(request: &UploadRequest, bytes: &[u8]) -> Result<(), String> {
    match request {
        UploadRequest::Transcript { format, .. } => transcript(bytes, *format)
            .map(drop)
            .map_err(|e| e.to_string()),
        UploadRequest::Document { format, .. } => document(bytes, *format)
            .map(drop)
            .map_err(|e| e.to_string()),
        UploadRequest::Audio { format, .. } => {
            if is_audio(*format, bytes) {
                Ok(())
            } else {
                Err(format!("the bytes are not {format:?} audio").to_lowercase())
            }
        }
    }
}

fn is_audio(format: AudioFormat, b: &[u8]) -> bool {
    let at = |offset: usize, magic: &[u8]| b.get(offset..offset + magic.len()) == Some(magic);
    match format {
        // An ID3 tag, or an MPEG audio frame sync.
        AudioFormat::Mp3 => at(0, b"ID3") || (b.len() > 1 && b[0] == 0xFF && b[1] & 0xE0 == 0xE0),
        AudioFormat::Wav => at(0, b"RIFF") && at(8, b"WAVE"),
        AudioFormat::M4a => at(4, b"ftyp"),
        AudioFormat::Ogg => at(0, b"OggS"),
        AudioFormat::Flac => at(0, b"fLaC"),
        AudioFormat::Webm => at(0, &[0x1A, 0x45, 0xDF, 0xA3]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coursegen_core::source::{DocumentFormat, TranscriptFormat};

    #[test]
    fn files_must_be_what_they_claim() {
        let srt = UploadRequest::Transcript {
            format: TranscriptFormat::Srt,
            size: 1,
        };
        assert!(check_upload(&srt, b"1\n00:00:01,000 --> 00:00:02,000\nHello there.\n").is_ok());
        let err = check_upload(&srt, b"%PDF-1.7 not captions").unwrap_err();
        assert!(err.contains("srt"), "{err}");
        let docx = UploadRequest::Document {
            format: DocumentFormat::Docx,
            size: 1,
        };
        assert!(check_upload(&docx, b"plain text, not a zip").is_err());
        let wav = UploadRequest::Audio {
            format: AudioFormat::Wav,
            size: 1,
        };
        assert!(check_upload(&wav, b"RIFF\x24\x00\x00\x00WAVEfmt ").is_ok());
        assert!(check_upload(&wav, b"ID3\x03").is_err());
        let mp3 = UploadRequest::Audio {
            format: AudioFormat::Mp3,
            size: 1,
        };
        assert!(check_upload(&mp3, b"ID3\x03\x00").is_ok());
        assert!(check_upload(&mp3, b"").is_err());
    }

    #[test]
    fn audio_is_told_by_its_first_bytes_and_text_read_only_to_its_limit() {
        let wav = UploadRequest::Audio {
            format: AudioFormat::Wav,
            size: 1,
        };
        // Reading stops after the signature: an endless reader is fine.
        let endless = std::io::repeat(0).take(u64::MAX);
        let header = &b"RIFF\x24\x00\x00\x00WAVEfmt "[..];
        assert!(check_upload_from(&wav, header.chain(endless)).is_ok());
        let srt = UploadRequest::Transcript {
            format: TranscriptFormat::Srt,
            size: 1,
        };
        let err = check_upload_from(&srt, std::io::repeat(b'a').take(u64::MAX)).unwrap_err();
        assert!(err.contains("at most 16 MB"), "{err}");
    }
}
