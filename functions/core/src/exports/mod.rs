//! The formats a course leaves coursegen in for a learning system, and
//! where a made export is kept. functions/exports writes them (behind
//! [`Exporter`]); a job may ask for some when it finishes (its `exports`
//! option), and the API builds the others on demand and keeps them too.

pub mod format;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use format::Format;

use crate::artifact::{ArtifactKey, InvalidKey};
use crate::course::Course;
use crate::ids::JobId;
use crate::videos::{FinishedVideo, LessonVideo};

/// What a format could not carry of one question (or, named `(course)`,
/// of the course as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExportNote {
    pub question: String,
    pub note: String,
}

/// An export, made.
#[derive(Debug, Clone)]
pub struct Exported {
    pub bytes: Vec<u8>,
    pub notes: Vec<ExportNote>,
}

/// Writes a course in a format, with the choices' defaults.
pub trait Exporter: Send + Sync + std::fmt::Debug {
    /// `course` as `format`, named `identifier` in the LMS, with the
    /// lessons' `videos`. Fails only for a course with nothing to package.
    fn export(
        &self,
        format: Format,
        course: &Course,
        identifier: &str,
        videos: &[FinishedVideo],
    ) -> std::io::Result<Exported>;
}

/// What job `id`'s packages are called in an LMS: the same for every
/// export of the job, so importing one again updates the course there.
pub fn identifier(id: JobId) -> String {
    format!("coursegen-{id}")
}

/// What an export is made from: the course as stored and the videos it
/// may carry. The same fingerprint, the same export.
pub fn fingerprint(course_json: &[u8], videos: &[LessonVideo]) -> String {
    let mut hash = Sha256::new();
    hash.update(course_json);
    for video in videos {
        if let Some(key) = &video.output_key {
            hash.update(key.as_str().as_bytes());
        }
    }
    hex::encode(&hash.finalize()[..12])
}

/// Where job `id`'s export in `format` made from `fingerprint` is kept;
/// `variant` names choices other than the defaults (`single.passed-failed`).
pub fn key(
    id: JobId,
    fingerprint: &str,
    variant: Option<&str>,
    format: Format,
) -> Result<ArtifactKey, InvalidKey> {
    let folder = match variant {
        Some(v) => format!("{fingerprint}-{v}"),
        None => fingerprint.to_owned(),
    };
    ArtifactKey::for_job(&id, &format!("exports/{folder}/{}", format.file_name()))
}

/// Where the notes of the export kept under `key` are kept.
pub fn notes_key(key: &ArtifactKey) -> Result<ArtifactKey, InvalidKey> {
    format!("{}.notes.json", key.as_str()).parse()
}

/// Why an export could not be made or kept.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Artifact(#[from] crate::ports::ArtifactError),
    /// The course has nothing this format can hold.
    #[error("cannot export as {0}: {1}")]
    Build(Format, std::io::Error),
    #[error("{0}")]
    Internal(String),
}

/// Job `job`'s export in `format` (with choices `variant`, or the
/// defaults): made by `build` unless one made from the same course and
/// videos is kept already. Where it is kept, and what it could not carry.
pub async fn made(
    artifacts: &dyn crate::ports::ArtifactStore,
    job: &crate::job::Job,
    format: Format,
    variant: Option<&str>,
    build: impl FnOnce(&Course, &[FinishedVideo]) -> std::io::Result<Exported>,
) -> Result<(ArtifactKey, Vec<ExportNote>), ExportError> {
    let internal = |e: InvalidKey| ExportError::Internal(e.to_string());
    let course_key = ArtifactKey::for_job(&job.id, "course.json").map_err(internal)?;
    let course_json = artifacts.get(&course_key).await?.bytes;
    let key = key(
        job.id,
        &fingerprint(&course_json, &job.videos),
        variant,
        format,
    )
    .map_err(internal)?;
    let notes_key = notes_key(&key).map_err(internal)?;
    if artifacts.head(&key).await?.is_some()
        && let Ok(notes) = artifacts.get(&notes_key).await
        && let Ok(notes) = serde_json::from_slice(&notes.bytes)
    {
        return Ok((key, notes));
    }
    let course: Course = serde_json::from_slice(&course_json)
        .map_err(|e| ExportError::Internal(format!("{course_key}: {e}")))?;
    let videos = if format.carries_videos() {
        crate::videos::finished(artifacts, &job.videos).await?
    } else {
        Vec::new()
    };
    let exported = build(&course, &videos).map_err(|e| ExportError::Build(format, e))?;
    artifacts
        .put(&key, exported.bytes, format.content_type())
        .await?;
    // The notes go last: a kept export always has its notes beside it.
    let notes =
        serde_json::to_vec(&exported.notes).map_err(|e| ExportError::Internal(e.to_string()))?;
    artifacts.put(&notes_key, notes, "application/json").await?;
    Ok((key, exported.notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::videos::VideoStatus;

    fn video(key: Option<&str>) -> LessonVideo {
        serde_json::from_value(serde_json::json!({
            "module": 0, "lesson": 0, "lesson_path": "m1/l1", "title": "t",
            "status": VideoStatus::Completed, "progress": 100, "attempt": 1,
            "output_key": key,
        }))
        .unwrap()
    }

    #[test]
    fn an_export_is_kept_by_what_it_is_made_from() {
        let course = br#"{"title": "a"}"#;
        let one = fingerprint(course, &[video(Some("jobs/j/videos/m1-l1/lesson-1.mp4"))]);
        assert_eq!(
            one,
            fingerprint(course, &[video(Some("jobs/j/videos/m1-l1/lesson-1.mp4"))])
        );
        // A re-rendered video or an edited course is another export.
        assert_ne!(
            one,
            fingerprint(course, &[video(Some("jobs/j/videos/m1-l1/lesson-2.mp4"))])
        );
        assert_ne!(
            one,
            fingerprint(
                br#"{"title": "b"}"#,
                &[video(Some("jobs/j/videos/m1-l1/lesson-1.mp4"))]
            )
        );
        let id: JobId = "01JAAAAAAAAAAAAAAAAAAAAAAA".parse().unwrap();
        let default = key(id, &one, None, Format::Scorm12).unwrap();
        assert_eq!(
            default.as_str(),
            format!("jobs/{id}/exports/{one}/course.scorm12.zip")
        );
        let single = key(id, &one, Some("single.passed-failed"), Format::Scorm12).unwrap();
        assert_ne!(default, single);
        assert_eq!(
            notes_key(&default).unwrap().as_str(),
            format!("{}.notes.json", default.as_str())
        );
        assert_eq!(identifier(id), format!("coursegen-{id}"));
    }
}
