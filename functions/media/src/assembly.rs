//! A storyboard video put together: its shots' clips one after another
//! (copied, not encoded again: every shot is made with the same settings),
//! the narration loudness-normalised under them, and the subtitles as a
//! soft, language-tagged track — cut at the narration's length.

use std::path::{Path, PathBuf};

use coursegen_core::ports::MediaError;
use tokio::sync::watch;

use crate::encoder::{Ffmpeg, quiet_with_progress, quoted, seconds};

/// What a storyboard video is made of, as files.
#[derive(Debug, Clone, PartialEq)]
pub struct Assembly {
    /// The shots' clips, in playing order.
    pub shots: Vec<PathBuf>,
    /// The narration, one WAV, and how long it plays (the video's length).
    pub audio: PathBuf,
    pub duration_ms: u64,
    /// WebVTT, and its language as ISO 639-2 ("eng", "ara").
    pub subtitles: PathBuf,
    pub subtitle_language: String,
    /// Where the MP4 goes; nothing is left there unless it is whole.
    pub output: PathBuf,
}

/// The concat demuxer's list of `shots`, paths quoted.
fn shot_list(shots: &[PathBuf]) -> String {
    let mut list = String::from("ffconcat version 1.0\n");
    for shot in shots {
        list.push_str(&format!("file {}\n", quoted(shot)));
    }
    list
}

/// ffmpeg's arguments for `plan`, reading the shots from `list`.
pub fn arguments(plan: &Assembly, list: &Path, partial: &Path) -> Vec<String> {
    let seconds = seconds(plan.duration_ms);
    let mut args = quiet_with_progress();
    args.extend(["-f", "concat", "-safe", "0", "-i"].map(String::from));
    args.push(list.display().to_string());
    args.extend(["-i".into(), plan.audio.display().to_string()]);
    args.extend(["-i".into(), plan.subtitles.display().to_string()]);
    args.extend(
        [
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-map",
            "2:s",
            "-c:v",
            "copy",
            "-af",
            "loudnorm=I=-16:TP=-1.5:LRA=11",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-ar",
            "48000",
            "-c:s",
            "mov_text",
            "-metadata:s:s:0",
            &format!("language={}", plan.subtitle_language),
            "-t",
            &seconds,
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

impl Ffmpeg {
    /// Makes `plan.output`, reporting percent done to `progress`; stops,
    /// leaving nothing, when `cancel` turns true.
    pub async fn assemble(
        &self,
        plan: &Assembly,
        progress: &(dyn Fn(u8) + Send + Sync),
        cancel: watch::Receiver<bool>,
    ) -> Result<(), MediaError> {
        if plan.shots.is_empty() || plan.duration_ms == 0 {
            return Err(MediaError::Invalid(
                "a video needs at least one shot and some narration".into(),
            ));
        }
        let dir = plan.output.parent().unwrap_or(Path::new("."));
        let list = dir.join(".shots.ffconcat");
        let partial = plan.output.with_extension("partial.mp4");
        self.make_from_list(
            (&list, &shot_list(&plan.shots)),
            arguments(plan, &list, &partial),
            plan.duration_ms,
            progress,
            cancel,
            (&partial, &plan.output),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shot_list_quotes_every_path() {
        let list = shot_list(&[PathBuf::from("/a/s1.mp4"), PathBuf::from("/b/it's.mp4")]);
        assert_eq!(
            list,
            "ffconcat version 1.0\nfile '/a/s1.mp4'\nfile '/b/it'\\''s.mp4'\n"
        );
    }
}
