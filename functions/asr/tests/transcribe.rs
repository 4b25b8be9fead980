//! Real recordings through the real engine: espeak-ng speaks a known
//! paragraph, ffmpeg makes bad ones, the set-up's Whisper model listens.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use coursegen_asr::{AsrError, Whisper};
use coursegen_core::ports::{Advance, Progress};

const PARAGRAPH: &str = "Photosynthesis is the process plants use to turn light into chemical energy. \
    Inside the leaves, chlorophyll absorbs sunlight, and the plant combines water from the soil \
    with carbon dioxide from the air. The result is glucose, which feeds the plant, and oxygen, \
    which is released into the atmosphere. Without this process, most life on Earth could not exist.";

/// The model README's set-up writes (scripts/setup-speech), or
/// COURSEGEN_ASR_MODEL's; loaded once for every test.
fn whisper() -> &'static Whisper {
    static MODEL: OnceLock<Whisper> = OnceLock::new();
    MODEL.get_or_init(|| {
        let path = std::env::var_os("COURSEGEN_ASR_MODEL")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../target/tools/models/ggml-base-q8_0.bin")
            });
        Whisper::load(&path).unwrap_or_else(|e| {
            panic!("the speech model is needed (run scripts/setup-speech): {e}")
        })
    })
}

fn speak(dir: &Path, name: &str, voice: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&path)
        .arg(text)
        .status()
        .expect("espeak-ng runs");
    assert!(status.success());
    path
}

fn ffmpeg(args: &[&str]) {
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
}

fn duration_ms(path: &Path) -> u64 {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .unwrap();
    let seconds: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    (seconds * 1000.0) as u64
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Word error rate: edits (substitutions, insertions, deletions) over the
/// reference's word count.
fn word_error_rate(reference: &str, heard: &str) -> f64 {
    let (r, h) = (words(reference), words(heard));
    let mut row: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, hw) in h.iter().enumerate() {
            let next = (diagonal + usize::from(rw != hw))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[h.len()] as f64 / r.len() as f64
}

#[test]
fn word_error_rate_counts_edits() {
    assert_eq!(word_error_rate("a b c d", "a b c d"), 0.0);
    assert_eq!(word_error_rate("a b c d", "a x c"), 0.5);
    assert_eq!(word_error_rate("One, two.", "one two three"), 0.5);
}

#[test]
fn a_spoken_paragraph_is_transcribed_with_timed_cues() {
    let dir = tempfile::tempdir().unwrap();
    // Compressed audio too: ffmpeg decodes whatever it is.
    let wav = speak(dir.path(), "paragraph.wav", "en-us", PARAGRAPH);
    let ogg = dir.path().join("paragraph.ogg");
    ffmpeg(&[
        "-i",
        wav.to_str().unwrap(),
        "-c:a",
        "libvorbis",
        ogg.to_str().unwrap(),
    ]);
    let duration = duration_ms(&ogg);
    let seen: Arc<Mutex<Vec<Advance>>> = Arc::default();
    let progress = {
        let seen = seen.clone();
        Progress::new(move |a| seen.lock().unwrap().push(a))
    };
    let transcript = whisper().transcribe_file(&ogg, None, &progress).unwrap();
    let heard = transcript
        .cues
        .iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let wer = word_error_rate(PARAGRAPH, &heard);
    eprintln!("word error rate {wer:.3}: {heard}");
    assert!(wer <= 0.25, "word error rate {wer:.2}: {heard}");
    assert_eq!(transcript.language.as_deref(), Some("en"));
    assert!(transcript.cues.len() >= 3, "{:?}", transcript.cues);
    for pair in transcript.cues.windows(2) {
        assert!(pair[0].start_ms < pair[1].start_ms, "{:?}", transcript.cues);
        assert!(pair[0].end_ms <= pair[1].start_ms, "{:?}", transcript.cues);
    }
    for cue in &transcript.cues {
        assert!(
            cue.start_ms < cue.end_ms && cue.end_ms <= duration,
            "{cue:?} of {duration} ms"
        );
    }
    let seen = seen.lock().unwrap();
    let last = seen.last().expect("progress was reported");
    assert_eq!(last.done, last.total);
    assert!(last.message.starts_with("transcribed"), "{}", last.message);
}

#[test]
fn the_language_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let german = speak(
        dir.path(),
        "de.wav",
        "de",
        "Die Fotosynthese ist der Vorgang, mit dem Pflanzen Licht in chemische Energie umwandeln. \
         Dabei entstehen Zucker und Sauerstoff.",
    );
    let transcript = whisper()
        .transcribe_file(&german, None, &Progress::default())
        .unwrap();
    assert_eq!(transcript.language.as_deref(), Some("de"));
    // A hint skips detection and is taken as given.
    let hinted = whisper()
        .transcribe_file(&german, Some("de-AT"), &Progress::default())
        .unwrap();
    assert_eq!(hinted.language.as_deref(), Some("de"));
}

#[test]
fn bad_recordings_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.wav");
    std::fs::write(&text, "these are notes, not a recording\n").unwrap();
    let e = whisper()
        .transcribe_file(&text, None, &Progress::default())
        .unwrap_err();
    assert!(matches!(e, AsrError::NotAudio(_)), "{e}");

    let silence = dir.path().join("silence.wav");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=16000:cl=mono",
        "-t",
        "20",
        silence.to_str().unwrap(),
    ]);
    let e = whisper()
        .transcribe_file(&silence, None, &Progress::default())
        .unwrap_err();
    assert!(matches!(e, AsrError::Silent), "{e}");
    assert_eq!(e.to_string(), "no speech: the recording is silent");

    // A WAV cut short: its header still declares the whole.
    let whole = speak(dir.path(), "whole.wav", "en-us", PARAGRAPH);
    let bytes = std::fs::read(&whole).unwrap();
    let truncated = dir.path().join("truncated.wav");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let e = whisper()
        .transcribe_file(&truncated, None, &Progress::default())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the recording is damaged or cut short: corrupt input packet in stream 0"
    );

    let video_only = dir.path().join("picture.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:s=64x64:d=1",
        video_only.to_str().unwrap(),
    ]);
    let e = whisper()
        .transcribe_file(&video_only, None, &Progress::default())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a recording ffmpeg can read: it has no audio stream"
    );

    let e = whisper()
        .transcribe_file(&dir.path().join("absent.wav"), None, &Progress::default())
        .unwrap_err();
    assert!(matches!(e, AsrError::NotAudio(_)), "{e}");
}

#[test]
fn a_cancelled_transcription_stops() {
    let dir = tempfile::tempdir().unwrap();
    let wav = speak(dir.path(), "p.wav", "en-us", PARAGRAPH);
    let progress = Progress::default();
    progress.cancel();
    let e = whisper()
        .transcribe_file(&wav, None, &progress)
        .unwrap_err();
    assert!(matches!(e, AsrError::Cancelled), "{e}");
}

#[test]
fn a_file_that_is_not_a_model_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("model.bin");
    std::fs::write(&fake, b"not a model").unwrap();
    let e = Whisper::load(&fake).unwrap_err();
    assert!(e.to_string().contains("is not a Whisper model"), "{e}");
    let e = Whisper::load(&dir.path().join("absent.bin")).unwrap_err();
    assert!(e.to_string().ends_with("no such file"), "{e}");
}
