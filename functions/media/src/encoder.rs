//! Lesson videos by ffmpeg (the Debian package), run as a child process:
//! the slides as stills for their beats' durations, the narration loudness-
//! normalised (EBU R128), H.264 + AAC in an MP4 that starts playing before
//! it is all downloaded, and the subtitles as a soft, language-tagged track
//! or burned into the picture. The video is cut at the narration's length
//! with `-t`: `-shortest` overshoots by a fraction of a second.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use async_trait::async_trait;
use coursegen_core::ports::{Encoder, MediaError, VideoPlan};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::watch;

/// Stills change only with the slides, so a few frames a second show them
/// as well as thirty, at a fraction of the encoding work.
pub const FRAMES_PER_SECOND: u32 = 5;

/// ffmpeg, as the program `program` (normally `ffmpeg` on the PATH).
#[derive(Debug, Clone)]
pub struct Ffmpeg {
    program: PathBuf,
}

impl Default for Ffmpeg {
    fn default() -> Self {
        Ffmpeg {
            program: "ffmpeg".into(),
        }
    }
}

impl Ffmpeg {
    pub fn at(program: impl Into<PathBuf>) -> Self {
        Ffmpeg {
            program: program.into(),
        }
    }

    /// Whether ffmpeg runs here; `Missing` names its package when not.
    pub async fn check(&self) -> Result<(), MediaError> {
        let out = Command::new(&self.program)
            .arg("-version")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(spawn_error)?;
        if out.status.success() {
            Ok(())
        } else {
            Err(MediaError::Failed(format!(
                "ffmpeg -version failed: {}",
                last_lines(&String::from_utf8_lossy(&out.stderr))
            )))
        }
    }
}

fn spawn_error(e: std::io::Error) -> MediaError {
    if e.kind() == std::io::ErrorKind::NotFound {
        MediaError::Missing {
            tool: "ffmpeg".into(),
            package: "ffmpeg".into(),
        }
    } else {
        MediaError::Failed(format!("cannot run ffmpeg: {e}"))
    }
}

/// Milliseconds as ffmpeg reads seconds (`12.345`).
pub(crate) fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// The concat demuxer's list: each still for its time. The last still is
/// named twice, as the demuxer ignores the last entry's duration otherwise.
fn still_list(stills: &[(PathBuf, u64)]) -> String {
    let mut out = String::from("ffconcat version 1.0\n");
    for (path, ms) in stills {
        let _ = writeln!(out, "file {}\nduration {}", quoted(path), seconds(*ms));
    }
    if let Some((path, _)) = stills.last() {
        let _ = writeln!(out, "file {}", quoted(path));
    }
    out
}

/// A path as the concat list quotes it.
pub(crate) fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// A filter argument's path: `\`, `:` and `'` are special there.
fn filter_path(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('\\', r"\\")
        .replace(':', r"\:")
        .replace('\'', r"\'")
}

/// ffmpeg's arguments for `plan`, reading the stills from `list` and
/// writing the MP4 to `partial`.
pub fn arguments(plan: &VideoPlan, list: &Path, partial: &Path) -> Vec<String> {
    let (w, h) = (plan.size.width, plan.size.height);
    let mut video = format!(
        "scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,fps={FRAMES_PER_SECOND},format=yuv420p"
    );
    if plan.burn_subtitles {
        let font_size = (h.min(w) / 24).max(12);
        let _ = write!(
            video,
            ",subtitles='{}':force_style='FontName=DejaVu Sans,FontSize={},Outline=2,MarginV={}'",
            filter_path(&plan.subtitles),
            // libass sizes fonts against a 288-line script height.
            font_size * 288 / h.max(1),
            24
        );
    }
    let mut args = quiet_with_progress();
    args.extend(["-f", "concat", "-safe", "0", "-i"].map(String::from));
    args.push(list.display().to_string());
    args.extend(["-i".into(), plan.audio.display().to_string()]);
    if !plan.burn_subtitles {
        args.extend(["-i".into(), plan.subtitles.display().to_string()]);
    }
    args.extend(
        [
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-vf",
            &video,
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-tune",
            "stillimage",
            "-r",
            &FRAMES_PER_SECOND.to_string(),
            "-af",
            "loudnorm=I=-16:TP=-1.5:LRA=11",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-ar",
            "48000",
        ]
        .iter()
        .map(ToString::to_string),
    );
    if !plan.burn_subtitles {
        args.extend(
            [
                "-map",
                "2:s",
                "-c:s",
                "mov_text",
                "-metadata:s:s:0",
                &format!("language={}", plan.subtitle_language),
            ]
            .iter()
            .map(ToString::to_string),
        );
    }
    args.extend(
        [
            "-t",
            &seconds(plan.duration_ms),
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
        ]
        .iter()
        .map(ToString::to_string),
    );
    args.push(partial.display().to_string());
    args
}

/// What every run starts with: no banner, no questions, overwrite, only
/// errors on stderr, and progress as key=value lines on stdout (which
/// [`Ffmpeg::run`] reads).
pub(crate) fn quiet_with_progress() -> Vec<String> {
    [
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-progress",
        "pipe:1",
        "-nostats",
    ]
    .map(String::from)
    .to_vec()
}

/// Percent done from one line of `-progress` output, if it tells.
fn progress_of(line: &str, duration_ms: u64) -> Option<u8> {
    let micros: u64 = line.strip_prefix("out_time_us=")?.trim().parse().ok()?;
    let percent = micros / 10 / duration_ms.max(1);
    Some(percent.min(99) as u8)
}

#[async_trait]
impl Encoder for Ffmpeg {
    async fn encode(
        &self,
        plan: &VideoPlan,
        progress: &(dyn Fn(u8) + Send + Sync),
        cancel: watch::Receiver<bool>,
    ) -> Result<(), MediaError> {
        if plan.stills.is_empty() || plan.duration_ms == 0 {
            return Err(MediaError::Invalid(
                "a video needs at least one slide and some narration".into(),
            ));
        }
        let dir = plan.output.parent().unwrap_or(Path::new("."));
        let list = dir.join(".stills.ffconcat");
        let partial = dir.join(".partial.mp4");
        self.make_from_list(
            (&list, &still_list(&plan.stills)),
            arguments(plan, &list, &partial),
            plan.duration_ms,
            progress,
            cancel,
            (&partial, &plan.output),
        )
        .await
    }
}

impl Ffmpeg {
    /// [`Ffmpeg::make`] for `args` that read the concat list `list` (its
    /// path and text): written first, removed after, however it ends.
    pub(crate) async fn make_from_list(
        &self,
        (list, text): (&Path, &str),
        args: Vec<String>,
        duration_ms: u64,
        progress: &(dyn Fn(u8) + Send + Sync),
        cancel: watch::Receiver<bool>,
        files: (&Path, &Path),
    ) -> Result<(), MediaError> {
        tokio::fs::write(list, text)
            .await
            .map_err(|e| MediaError::Failed(format!("cannot prepare the video: {e}")))?;
        let made = self.make(args, duration_ms, progress, cancel, files).await;
        let _ = tokio::fs::remove_file(list).await;
        made
    }

    /// Runs `args`, which write `partial`, then keeps that as `out`; on any
    /// failure (a cancel included) nothing is left of either. Reports 100
    /// once the file is there.
    pub(crate) async fn make(
        &self,
        args: Vec<String>,
        duration_ms: u64,
        progress: &(dyn Fn(u8) + Send + Sync),
        cancel: watch::Receiver<bool>,
        (partial, out): (&Path, &Path),
    ) -> Result<(), MediaError> {
        let ran = self.run(args, duration_ms, progress, cancel).await;
        let kept = match ran {
            Ok(()) => tokio::fs::rename(partial, out)
                .await
                .map_err(|e| MediaError::Failed(format!("cannot keep {}: {e}", out.display()))),
            Err(e) => Err(e),
        };
        match kept {
            Ok(()) => progress(100),
            Err(_) => {
                let _ = tokio::fs::remove_file(partial).await;
            }
        }
        kept
    }

    /// Runs ffmpeg with `args` (which must include `-progress pipe:1`),
    /// reporting percent done of `duration_ms` to `progress`; kills it and
    /// answers `Cancelled` once `cancel` turns true; a failure quotes the
    /// end of what ffmpeg said.
    pub(crate) async fn run(
        &self,
        args: Vec<String>,
        duration_ms: u64,
        progress: &(dyn Fn(u8) + Send + Sync),
        mut cancel: watch::Receiver<bool>,
    ) -> Result<(), MediaError> {
        if *cancel.borrow() {
            return Err(MediaError::Cancelled);
        }
        let spawned = Command::new(&self.program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let mut child = spawned.map_err(spawn_error)?;
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let mut stderr = child.stderr.take().expect("piped");
        let errors = tokio::spawn(async move {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text).await;
            text
        });
        let outcome = loop {
            tokio::select! {
                line = lines.next_line() => match line {
                    Ok(Some(line)) => {
                        if let Some(p) = progress_of(&line, duration_ms) {
                            progress(p);
                        }
                    }
                    // Output closed: ffmpeg is ending.
                    _ => break child.wait().await.map_err(|e| MediaError::Failed(e.to_string())),
                },
                changed = cancel.changed() => {
                    if changed.is_ok() && *cancel.borrow() {
                        let _ = child.kill().await;
                        break Err(MediaError::Cancelled);
                    }
                }
            }
        };
        let said = errors.await.unwrap_or_default();
        match outcome {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(MediaError::Failed(format!(
                "ffmpeg failed ({status}): {}",
                last_lines(&said)
            ))),
            Err(e) => Err(e),
        }
    }
}

/// The end of what a tool said, where its reason is.
fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(3)..].join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_still_list_names_the_last_still_twice_and_quotes_paths() {
        let list = still_list(&[("a.png".into(), 1_500), ("it's.png".into(), 250)]);
        assert_eq!(
            list,
            "ffconcat version 1.0\nfile 'a.png'\nduration 1.500\nfile 'it'\\''s.png'\nduration 0.250\nfile 'it'\\''s.png'\n"
        );
    }

    #[test]
    fn progress_is_read_from_out_time() {
        assert_eq!(progress_of("out_time_us=2500000", 10_000), Some(25));
        assert_eq!(progress_of("out_time_us=99999999", 10_000), Some(99));
        assert_eq!(progress_of("frame=12", 10_000), None);
        assert_eq!(progress_of("out_time_us=N/A", 10_000), None);
    }
}
