//! Recordings decoded by ffmpeg into 16 kHz mono samples, a window at a
//! time, so a long recording never sits in memory whole.

use std::io::Read;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;

use crate::AsrError;

/// Samples per second Whisper listens at.
pub const RATE: usize = 16_000;

/// What ffprobe says of a recording before it is decoded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probe {
    /// As the container declares it; absent for some streams.
    pub duration_ms: Option<u64>,
}

/// Reads the recording's header: it must have an audio stream.
pub fn probe(path: &Path) -> Result<Probe, AsrError> {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a"])
        .args(["-show_entries", "stream=codec_type:format=duration"])
        .args(["-of", "default=noprint_wrappers=1"])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| AsrError::Tool(format!("cannot run ffprobe (is ffmpeg installed?): {e}")))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let reason = String::from_utf8_lossy(&output.stderr);
        return Err(AsrError::NotAudio(last_line(&reason)));
    }
    if !text.lines().any(|l| l.trim() == "codec_type=audio") {
        return Err(AsrError::NotAudio("it has no audio stream".into()));
    }
    let duration_ms = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("duration="))
        .and_then(|d| d.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d > 0.0)
        .map(|d| (d * 1000.0).round() as u64);
    Ok(Probe { duration_ms })
}

/// Decodes the whole recording once, quickly, without keeping anything:
/// a file cut short or damaged fails here, before minutes of transcription
/// (`-xerror`: a corrupt packet is an error, not a warning).
pub fn check(path: &Path) -> Result<(), AsrError> {
    let output = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-v", "error", "-xerror", "-i"])
        .arg(path)
        .args(["-vn", "-sn", "-dn", "-f", "null", "-"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| AsrError::Tool(format!("cannot run ffmpeg (is it installed?): {e}")))?;
    if output.status.success() {
        return Ok(());
    }
    let reason = last_line(&String::from_utf8_lossy(&output.stderr));
    // ffmpeg names the file first; the caller knows which file it is.
    let prefix = format!("{}: ", path.display());
    Err(AsrError::Damaged(
        reason.strip_prefix(&prefix).unwrap_or(&reason).to_owned(),
    ))
}

/// ffmpeg decoding one recording; samples are read in order.
#[derive(Debug)]
pub struct Decoder {
    child: Child,
    stdout: ChildStdout,
    // ffmpeg's complaints, drained as they come: a full pipe would stall it.
    stderr: Option<JoinHandle<String>>,
    read: u64,
}

impl Decoder {
    pub fn start(path: &Path) -> Result<Decoder, AsrError> {
        let mut child = Command::new("ffmpeg")
            .args(["-nostdin", "-hide_banner", "-v", "error", "-i"])
            .arg(path)
            .args([
                "-vn", "-sn", "-dn", "-ac", "1", "-ar", "16000", "-f", "f32le", "-",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| AsrError::Tool(format!("cannot run ffmpeg: {e}")))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let stderr = std::thread::spawn(move || {
            let mut all = Vec::new();
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                all.extend_from_slice(&chunk[..n]);
                // Only the end matters; keep it bounded.
                if all.len() > 16_384 {
                    all.drain(..all.len() - 8_192);
                }
            }
            String::from_utf8_lossy(&all).into_owned()
        });
        Ok(Decoder {
            child,
            stdout,
            stderr: Some(stderr),
            read: 0,
        })
    }

    /// Appends up to `n` samples to `out`; fewer only at the end.
    pub fn read(&mut self, out: &mut Vec<f32>, n: usize) -> Result<usize, AsrError> {
        let mut bytes = vec![0u8; n * 4];
        let mut filled = 0;
        while filled < bytes.len() {
            match self.stdout.read(&mut bytes[filled..]) {
                Ok(0) => break,
                Ok(k) => filled += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(AsrError::Tool(format!("reading ffmpeg's output: {e}"))),
            }
        }
        let samples = filled / 4;
        out.extend(
            bytes[..samples * 4]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        self.read += samples as u64;
        Ok(samples)
    }

    /// Milliseconds decoded so far.
    pub fn decoded_ms(&self) -> u64 {
        self.read * 1000 / RATE as u64
    }

    /// Waits for ffmpeg; an error if it failed.
    pub fn finish(mut self) -> Result<(), AsrError> {
        let status = self
            .child
            .wait()
            .map_err(|e| AsrError::Tool(format!("waiting for ffmpeg: {e}")))?;
        let complaints = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        if status.success() {
            Ok(())
        } else {
            Err(AsrError::Decode(last_line(&complaints)))
        }
    }

    /// Stops ffmpeg early (cancel).
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn last_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("ffmpeg gave no reason")
        .to_owned()
}
