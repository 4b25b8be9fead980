//! The lesson videos of a job and how far each has got: per lesson
//! `not_started | generating | completed | failed`, its progress, error,
//! output and when it was made; for the job, the aggregate seed 001's
//! clients poll (`videoGenerationStatus`, `currentLesson`, `totalLessons`,
//! `completedLessons`, `generatedVideos`).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifact::ArtifactKey;
use crate::ids::JobId;
use crate::ports::FrameSize;
use crate::validation::{ValidationError, ensure};

mod request;

pub use request::{LessonRef, VideoItem, VideoRequest};

/// Lessons a job may render at once.
pub const MAX_RENDERS_AT_ONCE: u8 = 16;

/// How a job's lesson videos are made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VideoOptions {
    /// One of the speaker's voices; absent: its voice for the course's
    /// language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
    /// The voice's pace, 1.0 as it speaks; 0.5–2.0.
    pub speed: f32,
    pub resolution: Resolution,
    pub aspect: Aspect,
    pub subtitles: Subtitles,
    /// Lessons rendered at a time: each render keeps a core or two busy.
    pub concurrency: u8,
}

impl Default for VideoOptions {
    fn default() -> Self {
        VideoOptions {
            voice: None,
            speed: 1.0,
            resolution: Resolution::Hd,
            aspect: Aspect::Landscape,
            subtitles: Subtitles::Soft,
            concurrency: 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Resolution {
    /// A quick draft to review.
    #[serde(rename = "360p")]
    Draft,
    #[serde(rename = "720p")]
    Hd,
    #[serde(rename = "1080p")]
    FullHd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Aspect {
    #[serde(rename = "16:9")]
    Landscape,
    #[serde(rename = "9:16")]
    Portrait,
}

/// A soft subtitle track (and `.vtt`/`.srt` files) or text in the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Subtitles {
    Soft,
    Burned,
}

impl VideoOptions {
    pub fn frame_size(&self) -> FrameSize {
        let long = match self.resolution {
            Resolution::Draft => (640, 360),
            Resolution::Hd => (1280, 720),
            Resolution::FullHd => (1920, 1080),
        };
        match self.aspect {
            Aspect::Landscape => FrameSize {
                width: long.0,
                height: long.1,
            },
            Aspect::Portrait => FrameSize {
                width: long.1,
                height: long.0,
            },
        }
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        ensure((0.5..=2.0).contains(&self.speed), "speed", || {
            "must be 0.5–2.0 (1.0 is the voice's own pace)".into()
        })?;
        ensure(
            (1..=MAX_RENDERS_AT_ONCE).contains(&self.concurrency),
            "concurrency",
            || format!("must be 1–{MAX_RENDERS_AT_ONCE}"),
        )?;
        if let Some(voice) = &self.voice {
            ensure(!voice.trim().is_empty(), "voice", || {
                "must not be empty (leave it out for the default)".into()
            })?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VideoStatus {
    #[default]
    NotStarted,
    Generating,
    Completed,
    Failed,
}

impl VideoStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VideoStatus::NotStarted => "not_started",
            VideoStatus::Generating => "generating",
            VideoStatus::Completed => "completed",
            VideoStatus::Failed => "failed",
        }
    }
}

/// One lesson's video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LessonVideo {
    /// 0-based place of the lesson in the outline.
    pub module: usize,
    pub lesson: usize,
    /// `m{module}/l{lesson}`, 1-based: how clients name the lesson.
    pub lesson_path: String,
    pub title: String,
    pub status: VideoStatus,
    /// 0–100 while generating.
    pub progress: u8,
    /// The renders of this lesson so far: a render started for an earlier
    /// attempt (cancelled, superseded) changes nothing.
    pub attempt: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The MP4; its `.vtt` and `.srt` lie beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_key: Option<ArtifactKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<DateTime<Utc>>,
    /// The options this lesson renders in, when a request changed them
    /// from the job's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<VideoOptions>,
    /// A narration a reviewer wrote for this lesson after the course was
    /// made; absent: the videos stage's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narration_key: Option<ArtifactKey>,
}

impl LessonVideo {
    pub fn at(&self) -> LessonRef {
        LessonRef {
            module: self.module,
            lesson: self.lesson,
        }
    }

    /// Whether a render of it is waiting or running.
    pub fn is_pending(&self) -> bool {
        matches!(
            self.status,
            VideoStatus::NotStarted | VideoStatus::Generating
        )
    }
}

impl crate::job::Job {
    /// Lesson `at`'s video, if one was ever planned.
    pub fn video(&self, at: LessonRef) -> Option<&LessonVideo> {
        self.videos.iter().find(|v| v.at() == at)
    }
}

/// What a new render attempt of a lesson changes; what it leaves out
/// stays as the lesson's last attempt had it.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderPlan {
    pub at: LessonRef,
    pub title: String,
    pub options: Option<VideoOptions>,
    pub narration_key: Option<ArtifactKey>,
}

/// A lesson's finished video as a package carries it: the MP4 and, when
/// it was written, the WebVTT beside it.
#[derive(Debug, Clone)]
pub struct FinishedVideo {
    pub at: LessonRef,
    pub mp4: Vec<u8>,
    pub vtt: Option<Vec<u8>>,
}

/// Every finished video of `videos`, read from `artifacts`.
pub async fn finished(
    artifacts: &dyn crate::ports::ArtifactStore,
    videos: &[LessonVideo],
) -> Result<Vec<FinishedVideo>, crate::ports::ArtifactError> {
    let mut found = Vec::new();
    for video in videos {
        let (Some(key), VideoStatus::Completed) = (&video.output_key, video.status) else {
            continue;
        };
        let mp4 = artifacts.get(key).await?.bytes;
        let vtt = match key
            .as_str()
            .strip_suffix(".mp4")
            .map(|k| format!("{k}.vtt").parse::<ArtifactKey>())
        {
            Some(Ok(vtt)) => match artifacts.get(&vtt).await {
                Ok(a) => Some(a.bytes),
                Err(crate::ports::ArtifactError::NotFound(_)) => None,
                Err(e) => return Err(e),
            },
            _ => None,
        };
        found.push(FinishedVideo {
            at: video.at(),
            mp4,
            vtt,
        });
    }
    Ok(found)
}

/// The path clients name lesson (`module`, `lesson`) by.
pub fn lesson_path(module: usize, lesson: usize) -> String {
    format!("m{}/l{}", module + 1, lesson + 1)
}

/// What happened to one lesson's video in a render attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum VideoChange {
    Started,
    Progress(u8),
    Completed {
        output_key: ArtifactKey,
        duration_ms: u64,
    },
    Failed {
        error: String,
    },
}

/// The job's videos, as seed 001's status route reports them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VideoSummary {
    pub video_generation_status: VideoStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_lesson: Option<String>,
    pub generated_videos: Vec<GeneratedVideo>,
    pub total_lessons: usize,
    pub completed_lessons: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedVideo {
    pub lesson_path: String,
    /// The API path that downloads the video (empty when it failed).
    pub output_path: String,
    pub generated_at: DateTime<Utc>,
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Where a client downloads lesson `at`'s video (or, with another
/// extension, its subtitles): any file name ending `.mp4` names the video.
pub fn download_path(job: JobId, at: LessonRef, file_name: &str) -> String {
    format!(
        "/v1/jobs/{job}/videos/m{}-l{}/{file_name}",
        at.module + 1,
        at.lesson + 1
    )
}

/// The aggregate of job `id`'s `videos`: generating while any lesson is
/// (or waits), failed when all have ended and one failed, completed when
/// all are.
pub fn summary(id: JobId, videos: &[LessonVideo]) -> VideoSummary {
    let count = |s: VideoStatus| videos.iter().filter(|v| v.status == s).count();
    let status = if videos.is_empty() {
        VideoStatus::NotStarted
    } else if count(VideoStatus::Generating) > 0 {
        VideoStatus::Generating
    } else if count(VideoStatus::Completed) == videos.len() {
        VideoStatus::Completed
    } else if count(VideoStatus::NotStarted) == videos.len() {
        VideoStatus::NotStarted
    } else if count(VideoStatus::NotStarted) > 0 {
        VideoStatus::Generating
    } else {
        VideoStatus::Failed
    };
    let generated_videos = videos
        .iter()
        .filter_map(|v| {
            let at = v.generated_at?;
            match v.status {
                VideoStatus::Completed => Some(GeneratedVideo {
                    lesson_path: v.lesson_path.clone(),
                    output_path: download_path(id, v.at(), "lesson.mp4"),
                    generated_at: at,
                    success: true,
                    error: None,
                }),
                VideoStatus::Failed => Some(GeneratedVideo {
                    lesson_path: v.lesson_path.clone(),
                    output_path: String::new(),
                    generated_at: at,
                    success: false,
                    error: v.error.clone(),
                }),
                _ => None,
            }
        })
        .collect();
    VideoSummary {
        video_generation_status: status,
        current_lesson: videos
            .iter()
            .find(|v| v.status == VideoStatus::Generating)
            .map(|v| v.lesson_path.clone()),
        generated_videos,
        total_lessons: videos.len(),
        completed_lessons: count(VideoStatus::Completed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(lesson: usize, status: VideoStatus) -> LessonVideo {
        LessonVideo {
            module: 0,
            lesson,
            lesson_path: lesson_path(0, lesson),
            title: format!("Lesson {lesson}"),
            status,
            progress: 0,
            attempt: 1,
            error: (status == VideoStatus::Failed).then(|| "no voice".into()),
            output_key: (status == VideoStatus::Completed).then(|| {
                format!("jobs/j/videos/m1-l{}.mp4", lesson + 1)
                    .parse()
                    .unwrap()
            }),
            duration_ms: None,
            generated_at: matches!(status, VideoStatus::Completed | VideoStatus::Failed)
                .then(Utc::now),
            options: None,
            narration_key: None,
        }
    }

    #[test]
    fn the_aggregate_follows_the_lessons() {
        use VideoStatus::*;
        let of = |s: &[VideoStatus]| {
            let v: Vec<_> = s.iter().enumerate().map(|(i, s)| video(i, *s)).collect();
            summary(JobId::new(), &v)
        };
        assert_eq!(of(&[]).video_generation_status, NotStarted);
        assert_eq!(
            of(&[NotStarted, NotStarted]).video_generation_status,
            NotStarted
        );
        let s = of(&[Completed, Generating, NotStarted]);
        assert_eq!(s.video_generation_status, Generating);
        assert_eq!(s.current_lesson.as_deref(), Some("m1/l2"));
        assert_eq!((s.completed_lessons, s.total_lessons), (1, 3));
        assert_eq!(
            of(&[Completed, NotStarted]).video_generation_status,
            Generating
        );
        assert_eq!(
            of(&[Completed, Completed]).video_generation_status,
            Completed
        );
        let s = of(&[Completed, Failed]);
        assert_eq!(s.video_generation_status, Failed);
        assert_eq!(s.generated_videos.len(), 2);
        assert!(!s.generated_videos[1].success);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["videoGenerationStatus"], "failed");
        assert_eq!(json["generatedVideos"][0]["lessonPath"], "m1/l1");
    }
}
