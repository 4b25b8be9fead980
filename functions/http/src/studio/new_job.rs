//! The new-job form: a file (transcript, audio or course script), a
//! YouTube link or a topic, and the options a person usually sets.

use askama::Template;
use axum::extract::Multipart;
use axum::http::StatusCode;
use coursegen_core::auth::Principal;
use coursegen_core::course::Difficulty;
use coursegen_core::job::CourseRef;
use coursegen_core::options::Options;
use coursegen_core::source::{DocumentFormat, Source, TranscriptFormat, YoutubeId};
use coursegen_core::stage::Stage;
use coursegen_core::upload::UploadRequest;
use serde_json::{Value, json};

use super::page::Chrome;
use crate::error::ApiError;
use crate::state::ApiState;

/// The review gates the form offers: a course's, then a script job's.
const GATES: [Stage; 7] = [
    Stage::Segment,
    Stage::Outline,
    Stage::Questions,
    Stage::Storyboard,
    Stage::Prompts,
    Stage::Images,
    Stage::Clips,
];

/// What the form sent (the file's bytes aside, never sent back).
#[derive(Debug, Clone)]
pub(super) struct NewJob {
    pub course_id: String,
    pub version_id: String,
    pub kind: String,
    pub youtube: String,
    pub topic: String,
    pub language: String,
    pub difficulty: String,
    pub questions: String,
    pub passing_score: String,
    pub gates: Vec<String>,
    /// A course script made into storyboard videos (a script job).
    pub storyboard: bool,
    file: Option<(String, Vec<u8>)>,
}

impl Default for NewJob {
    fn default() -> Self {
        let options = Options::default();
        NewJob {
            course_id: "local".into(),
            version_id: "v1".into(),
            kind: "file".into(),
            youtube: String::new(),
            topic: String::new(),
            language: String::new(),
            difficulty: options.difficulty.as_str().to_owned(),
            questions: options.assessment.questions.to_string(),
            passing_score: options.assessment.passing_score.to_string(),
            gates: GATES[..3].iter().map(ToString::to_string).collect(),
            storyboard: false,
            file: None,
        }
    }
}

impl NewJob {
    pub async fn read(mut form: Multipart) -> Result<NewJob, ApiError> {
        let mut new = NewJob {
            gates: Vec::new(),
            ..NewJob::default()
        };
        let broken = |e: axum::extract::multipart::MultipartError| {
            ApiError::invalid("form", format!("the form could not be read: {e}"))
        };
        while let Some(field) = form.next_field().await.map_err(broken)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(broken)?;
                if !file_name.is_empty() && !bytes.is_empty() {
                    new.file = Some((file_name, bytes.to_vec()));
                }
                continue;
            }
            let value = field.text().await.map_err(broken)?;
            match name.as_str() {
                "course_id" => new.course_id = value,
                "version_id" => new.version_id = value,
                "kind" => new.kind = value,
                "youtube" => new.youtube = value,
                "topic" => new.topic = value,
                "language" => new.language = value,
                "difficulty" => new.difficulty = value,
                "questions" => new.questions = value,
                "passing_score" => new.passing_score = value,
                "gate" => new.gates.push(value),
                "storyboard" => new.storyboard = true,
                other => return Err(ApiError::invalid(other, "is not a field of this form")),
            }
        }
        Ok(new)
    }

    /// The job this form asks for: its course, its source (a file is stored
    /// as an upload) and its options.
    pub async fn request(
        &self,
        state: &ApiState,
        who: &Principal,
    ) -> Result<(CourseRef, Source, Options), ApiError> {
        let course = course_ref(&self.course_id, &self.version_id)?;
        let options = self.options()?;
        let source = match self.kind.as_str() {
            "file" => {
                let (name, bytes) = self.file.as_ref().ok_or_else(|| {
                    ApiError::invalid("file", "choose a transcript, recording or script to upload")
                })?;
                let request = match upload_of(name, bytes.len() as u64)? {
                    // A script's plain text is a document, not a transcript.
                    UploadRequest::Transcript {
                        format: TranscriptFormat::Txt,
                        size,
                    } if self.storyboard => UploadRequest::Document {
                        format: DocumentFormat::Txt,
                        size,
                    },
                    request => request,
                };
                coursegen_engines::ingest::check_upload(&request, bytes).map_err(|why| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "unreadable",
                        format!("{name} cannot be read: {why}"),
                    )
                })?;
                state
                    .service
                    .store_upload(who, request, bytes.clone())
                    .await?
            }
            "youtube" => Source::Youtube {
                video_id: self
                    .youtube
                    .trim()
                    .parse::<YoutubeId>()
                    .map_err(|e| ApiError::invalid("youtube", e.to_string()))?,
            },
            "topic" => Source::Topic {
                topic: self.topic.trim().to_owned(),
                course_type: "general".into(),
                difficulty: options.difficulty,
            },
            other => {
                return Err(ApiError::invalid(
                    "kind",
                    format!("{other:?} is not a source"),
                ));
            }
        };
        Ok((course, source, options))
    }

    fn options(&self) -> Result<Options, ApiError> {
        let number = |field: &str, text: &str| {
            text.trim()
                .parse::<u8>()
                .map_err(|_| ApiError::invalid(field, "must be a whole number from 0 to 255"))
        };
        let mut options = json!({
            "difficulty": self.difficulty,
            "approvals": self.gates,
            "assessment": {
                "questions": number("questions", &self.questions)?,
                "passing_score": number("passing_score", &self.passing_score)?,
            },
        });
        if self.storyboard {
            options["storyboard"] = json!({});
        }
        if !self.language.trim().is_empty() {
            options["target_language"] = Value::String(self.language.trim().to_owned());
        }
        let options: Options = serde_json::from_value(options)
            .map_err(|e| ApiError::invalid("options", e.to_string()))?;
        options
            .validate()
            .map_err(|e| ApiError::invalid(&e.field, e.message))?;
        Ok(options)
    }

    pub fn gated(&self, stage: &str) -> bool {
        self.gates.iter().any(|g| g == stage)
    }
}

/// The upload a file is, by its name: a transcript, a script or audio.
fn upload_of(name: &str, size: u64) -> Result<UploadRequest, ApiError> {
    UploadRequest::for_file(name, size).ok_or_else(|| {
        ApiError::invalid(
            "file",
            format!(
                "{name}: coursegen reads transcripts (.vtt .srt .json .txt), scripts (.docx .md) and recordings (.mp3 .wav .m4a .ogg .flac .webm)"
            ),
        )
    })
}

#[derive(Template)]
#[template(path = "studio/new.html")]
pub(super) struct NewJobPage {
    page: Chrome,
    form: NewJob,
    problem: Option<String>,
    gates: [Stage; 7],
    difficulties: [&'static str; 3],
}

impl NewJobPage {
    pub fn blank(who: &Principal) -> Self {
        NewJobPage {
            page: Chrome::new(who, "New job"),
            form: NewJob::default(),
            problem: None,
            gates: GATES,
            difficulties: Difficulty::ALL.map(Difficulty::as_str),
        }
    }

    /// The form again with what was entered and why it was refused.
    pub fn again(who: &Principal, form: NewJob, problem: String) -> Self {
        NewJobPage {
            form,
            problem: Some(problem),
            ..NewJobPage::blank(who)
        }
    }
}

/// A course reference from a form's two fields.
fn course_ref(course_id: &str, version_id: &str) -> Result<CourseRef, ApiError> {
    Ok(CourseRef {
        course_id: course_id
            .trim()
            .parse()
            .map_err(|e| ApiError::invalid("course_id", format!("{e}")))?,
        version_id: version_id
            .trim()
            .parse()
            .map_err(|e| ApiError::invalid("version_id", format!("{e}")))?,
        module_id: None,
        section_id: None,
    })
}
