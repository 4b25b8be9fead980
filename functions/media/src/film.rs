//! A storyboard video from its parts, in the order the work is done: its
//! narration spoken first (that times every frame, so a clip is made as
//! long as its sentences take to say), then — once each frame has its clip,
//! from a provider or made here — the clips joined into shots and the shots
//! put together under the narration and its subtitles.

use std::path::{Path, PathBuf};

use coursegen_core::ports::{MediaError, Speaker, Voice};
use coursegen_core::storyboard::{VideoBoard, shot_name};
use tokio::sync::watch;

use crate::assembly::Assembly;
use crate::encoder::Ffmpeg;
use crate::motion::whole_frames;
use crate::{language, spoken, subtitles};

/// A video's narration as spoken.
#[derive(Debug, Clone, PartialEq)]
pub struct Narrated {
    /// The whole narration, one WAV, and how long it plays.
    pub wav: Vec<u8>,
    pub duration_ms: u64,
    /// A cue per sentence, timed by the speech.
    pub vtt: String,
    pub srt: String,
    /// How long each frame shows, in the storyboard's order: its sentences'
    /// speech, in whole video frames rounded on the running time.
    pub frame_ms: Vec<u64>,
}

/// Speaks `video`'s narration in its language (`voice` and `speed` as a job
/// asks), reporting sentences done of all to `progress`.
pub async fn narrate(
    speaker: &dyn Speaker,
    video: &VideoBoard,
    voice: Option<String>,
    speed: f32,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
    cancel: &watch::Receiver<bool>,
) -> Result<Narrated, MediaError> {
    let groups: Vec<Vec<String>> = video.frames().map(|(_, f)| f.narration.clone()).collect();
    let voice = Voice {
        language: video.language.clone(),
        name: voice,
        speed,
    };
    let said = spoken::speak(speaker, &groups, &voice, progress, cancel).await?;
    let (wav, duration_ms) = said.audio()?;
    let cues = said.cues(groups.iter().flatten().map(String::as_str));
    Ok(Narrated {
        wav,
        duration_ms,
        vtt: subtitles::vtt(&cues),
        srt: subtitles::srt(&cues),
        frame_ms: whole_frames(&said.group_durations(groups.iter().map(Vec::len))),
    })
}

/// What a video's film is made of, in `dir`.
#[derive(Debug, Clone, PartialEq)]
pub struct Film {
    /// A clip per shot (`v01-s02.mp4`), in order.
    pub shots: Vec<PathBuf>,
    /// The video (`v01.mp4`).
    pub video: PathBuf,
}

/// `video`'s film in `dir`: `frame_clips` (one per frame, in the
/// storyboard's order) joined into shots, and the shots under `narrated`.
pub async fn film(
    ffmpeg: &Ffmpeg,
    video: &VideoBoard,
    frame_clips: &[PathBuf],
    narrated: &Narrated,
    dir: &Path,
    size: coursegen_core::ports::FrameSize,
    cancel: &watch::Receiver<bool>,
) -> Result<Film, MediaError> {
    let frames = video.frames().count();
    if frame_clips.len() != frames || narrated.frame_ms.len() != frames {
        return Err(MediaError::Invalid(format!(
            "video {} has {frames} frames, but {} clips and {} spoken durations",
            video.number,
            frame_clips.len(),
            narrated.frame_ms.len()
        )));
    }
    let io =
        |what: &'static str| move |e: std::io::Error| MediaError::Failed(format!("{what}: {e}"));
    let mut shots = Vec::with_capacity(video.shots.len());
    let mut at = 0;
    for shot in &video.shots {
        let n = shot.frames.len();
        let clips: Vec<(&Path, u64)> = frame_clips[at..at + n]
            .iter()
            .zip(&narrated.frame_ms[at..at + n])
            .map(|(clip, &ms)| (clip.as_path(), ms))
            .collect();
        let out = dir.join(format!("{}.mp4", shot_name(video.number, shot.number)));
        ffmpeg.join(&clips, size, &out, cancel.clone()).await?;
        shots.push(out);
        at += n;
    }
    let (audio, vtt) = (
        dir.join(format!(".v{:02}.wav", video.number)),
        dir.join(format!(".v{:02}.vtt", video.number)),
    );
    tokio::fs::write(&audio, &narrated.wav)
        .await
        .map_err(io("writing the narration"))?;
    tokio::fs::write(&vtt, &narrated.vtt)
        .await
        .map_err(io("writing the subtitles"))?;
    let plan = Assembly {
        shots: shots.clone(),
        audio: audio.clone(),
        duration_ms: narrated.duration_ms,
        subtitles: vtt.clone(),
        subtitle_language: language::iso639_2(&video.language).to_owned(),
        output: dir.join(format!("v{:02}.mp4", video.number)),
    };
    let made = ffmpeg.assemble(&plan, &|_| {}, cancel.clone()).await;
    let _ = tokio::fs::remove_file(&audio).await;
    let _ = tokio::fs::remove_file(&vtt).await;
    made.map(|()| Film {
        shots,
        video: plan.output,
    })
}
