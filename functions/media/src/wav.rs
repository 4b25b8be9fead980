//! The WAV speech comes as: its duration, read from the header, and many
//! sentences' WAVs joined into one narration track.

use std::io::Cursor;

use coursegen_core::ports::MediaError;

fn unreadable(e: hound::Error) -> MediaError {
    MediaError::Failed(format!("the speech is not a WAV file this can read: {e}"))
}

/// How long `wav` plays, in ms (rounded to the nearest).
pub fn duration_ms(wav: &[u8]) -> Result<u64, MediaError> {
    let reader = hound::WavReader::new(Cursor::new(wav)).map_err(unreadable)?;
    let spec = reader.spec();
    let frames = u64::from(reader.duration());
    Ok((frames * 1000 + u64::from(spec.sample_rate) / 2) / u64::from(spec.sample_rate))
}

/// The WAVs one after another, as one WAV. They must share a format (one
/// voice speaks a lesson); the result's length is the sum of theirs.
pub fn join(parts: &[Vec<u8>]) -> Result<Vec<u8>, MediaError> {
    let first = parts
        .first()
        .ok_or_else(|| MediaError::Invalid("there is no speech to join".into()))?;
    let spec = hound::WavReader::new(Cursor::new(first))
        .map_err(unreadable)?
        .spec();
    let mut out = Cursor::new(Vec::new());
    {
        let mut writer = hound::WavWriter::new(&mut out, spec).map_err(unreadable)?;
        for (i, part) in parts.iter().enumerate() {
            let reader = hound::WavReader::new(Cursor::new(part)).map_err(unreadable)?;
            if reader.spec() != spec {
                return Err(MediaError::Failed(format!(
                    "sentence {} was spoken in another format ({:?}) than the first ({spec:?})",
                    i + 1,
                    reader.spec()
                )));
            }
            copy(reader, &mut writer)?;
        }
        writer.finalize().map_err(unreadable)?;
    }
    Ok(out.into_inner())
}

fn copy<R: std::io::Read, W: std::io::Write + std::io::Seek>(
    reader: hound::WavReader<R>,
    writer: &mut hound::WavWriter<W>,
) -> Result<(), MediaError> {
    let spec = reader.spec();
    match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, _) => {
            for s in reader.into_samples::<f32>() {
                writer
                    .write_sample(s.map_err(unreadable)?)
                    .map_err(unreadable)?;
            }
        }
        (hound::SampleFormat::Int, bits) if bits <= 16 => {
            for s in reader.into_samples::<i16>() {
                writer
                    .write_sample(s.map_err(unreadable)?)
                    .map_err(unreadable)?;
            }
        }
        _ => {
            for s in reader.into_samples::<i32>() {
                writer
                    .write_sample(s.map_err(unreadable)?)
                    .map_err(unreadable)?;
            }
        }
    }
    Ok(())
}

/// Silence of `ms` in `like`'s format (between beats, for a breath).
pub fn silence_like(like: &[u8], ms: u64) -> Result<Vec<u8>, MediaError> {
    let spec = hound::WavReader::new(Cursor::new(like))
        .map_err(unreadable)?
        .spec();
    let frames = u64::from(spec.sample_rate) * ms / 1000;
    let mut out = Cursor::new(Vec::new());
    {
        let mut writer = hound::WavWriter::new(&mut out, spec).map_err(unreadable)?;
        for _ in 0..frames * u64::from(spec.channels) {
            match spec.sample_format {
                hound::SampleFormat::Float => writer.write_sample(0.0f32),
                hound::SampleFormat::Int if spec.bits_per_sample <= 16 => writer.write_sample(0i16),
                hound::SampleFormat::Int => writer.write_sample(0i32),
            }
            .map_err(unreadable)?;
        }
        writer.finalize().map_err(unreadable)?;
    }
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ms` of a tone at 22,050 Hz, 16-bit mono, as espeak-ng writes.
    fn tone(ms: u64) -> Vec<u8> {
        tone_at(ms, 22_050)
    }

    fn tone_at(ms: u64, rate: u32) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut out = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
        for i in 0..u64::from(rate) * ms / 1000 {
            w.write_sample(((i % 50) as i16 - 25) * 400).unwrap();
        }
        w.finalize().unwrap();
        out.into_inner()
    }

    #[test]
    fn durations_add_up_when_joined() {
        let (a, b) = (tone(1_500), tone(250));
        assert_eq!(duration_ms(&a).unwrap(), 1_500);
        let gap = silence_like(&a, 400).unwrap();
        let joined = join(&[a, gap, b]).unwrap();
        assert_eq!(duration_ms(&joined).unwrap(), 2_150);
    }

    #[test]
    fn what_cannot_be_joined_is_said() {
        assert!(matches!(join(&[]), Err(MediaError::Invalid(_))));
        assert!(matches!(
            duration_ms(b"not a wav"),
            Err(MediaError::Failed(_))
        ));
        let e = join(&[tone(100), tone_at(100, 24_000)]).unwrap_err();
        assert!(
            e.to_string()
                .contains("sentence 2 was spoken in another format"),
            "{e}"
        );
    }
}
