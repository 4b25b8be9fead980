//! Is an uploaded file what its upload said it would be? Transcripts and
//! documents are read with the very parser ingestion will use, so a file
//! that would fail later is refused at once, with the parser's reason;
//! audio is recognised by its container's signature.

use coursegen_core::upload::{AudioFormat, UploadRequest};

use super::{document, transcript};

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
}
