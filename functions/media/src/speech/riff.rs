//! WAV as providers send it, made into WAV every reader takes.
//!
//! A provider that streams writes its header before it knows the length:
//! espeak-ng's `--stdout` says 0x7FFFF000 bytes, some servers 0xFFFFFFFF.
//! The samples are all there, so the data runs to the end of the body.

use coursegen_core::ports::MediaError;

/// The samples' format, from the `fmt ` chunk.
#[derive(Debug, Clone, Copy)]
struct Format {
    /// 1 = integer PCM, 3 = IEEE float.
    tag: u16,
    channels: u16,
    sample_rate: u32,
    bits: u16,
}

fn not_wav(why: &str, len: usize) -> MediaError {
    MediaError::Failed(format!("the speech is not a WAV file ({why}; {len} bytes)"))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// `wav` with a canonical header whose sizes are those of the samples it
/// holds (whole frames only); other chunks are left out.
pub fn normalise_wav(wav: &[u8]) -> Result<Vec<u8>, MediaError> {
    if wav.len() < 12 || &wav[0..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        return Err(not_wav("no RIFF/WAVE header", wav.len()));
    }
    let mut format = None;
    let mut at = 12;
    while at + 8 <= wav.len() {
        let id = &wav[at..at + 4];
        let size = u32_at(wav, at + 4) as usize;
        let body = at + 8;
        let rest = wav.len() - body;
        if id == b"data" {
            let format: Format = format.ok_or_else(|| not_wav("data before fmt", wav.len()))?;
            // A size past the end is a streaming placeholder: take what came.
            let len = size.min(rest);
            let frame = usize::from(format.channels) * usize::from(format.bits).div_ceil(8);
            return Ok(write(format, &wav[body..body + len - len % frame]));
        }
        if id == b"fmt " {
            if size < 16 || size > rest {
                return Err(not_wav("a short fmt chunk", wav.len()));
            }
            let mut tag = u16_at(wav, body);
            // WAVE_FORMAT_EXTENSIBLE: the real tag opens the sub-format GUID.
            if tag == 0xFFFE && size >= 26 {
                tag = u16_at(wav, body + 24);
            }
            let f = Format {
                tag,
                channels: u16_at(wav, body + 2),
                sample_rate: u32_at(wav, body + 4),
                bits: u16_at(wav, body + 14),
            };
            let supported = match f.tag {
                1 => matches!(f.bits, 8 | 16 | 24 | 32),
                3 => f.bits == 32,
                _ => false,
            };
            if !supported || f.channels == 0 || f.sample_rate == 0 {
                return Err(MediaError::Failed(format!(
                    "the speech is a WAV in a format this cannot read (tag {}, {} bits)",
                    f.tag, f.bits
                )));
            }
            format = Some(f);
        }
        // Chunks are padded to an even length.
        at = body.saturating_add(size).saturating_add(size % 2);
    }
    Err(not_wav("no data chunk", wav.len()))
}

fn write(f: Format, samples: &[u8]) -> Vec<u8> {
    let block = f.channels * f.bits.div_ceil(8);
    let mut out = Vec::with_capacity(44 + samples.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&f.tag.to_le_bytes());
    out.extend_from_slice(&f.channels.to_le_bytes());
    out.extend_from_slice(&f.sample_rate.to_le_bytes());
    out.extend_from_slice(&(f.sample_rate * u32::from(block)).to_le_bytes());
    out.extend_from_slice(&block.to_le_bytes());
    out.extend_from_slice(&f.bits.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    out.extend_from_slice(samples);
    out
}

/// Raw 16-bit little-endian mono PCM (Polly's `pcm`) as a WAV.
pub fn pcm16_to_wav(pcm: &[u8], sample_rate: u32) -> Vec<u8> {
    let format = Format {
        tag: 1,
        channels: 1,
        sample_rate,
        bits: 16,
    };
    write(format, &pcm[..pcm.len() - pcm.len() % 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wav::duration_ms;

    #[test]
    fn a_streaming_header_is_measured_by_its_samples() {
        // One second of 8 kHz mono 16-bit, its sizes unknown when written.
        let mut wav = pcm16_to_wav(&vec![0u8; 16_000], 8_000);
        wav[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        wav[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
        let fixed = normalise_wav(&wav).unwrap();
        assert_eq!(duration_ms(&fixed).unwrap(), 1_000);
        // A torn last frame is dropped, not read as a sample.
        wav.push(7);
        assert_eq!(normalise_wav(&wav).unwrap(), fixed);
    }

    #[test]
    fn other_chunks_are_skipped_and_non_wav_refused() {
        let plain = pcm16_to_wav(&[1, 0, 2, 0], 16_000);
        let mut with_list = plain[..36].to_vec();
        with_list.extend_from_slice(b"LIST\x03\x00\x00\x00abc\x00");
        with_list.extend_from_slice(&plain[36..]);
        assert_eq!(normalise_wav(&with_list).unwrap(), plain);
        for body in [&b"ID3\x04mp3 bytes here"[..], b"", b"RIFF\0\0\0\0WAVE"] {
            assert!(matches!(normalise_wav(body), Err(MediaError::Failed(_))));
        }
    }
}
