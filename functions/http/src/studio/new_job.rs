//! The new-job form: a file (transcript, audio or course script), a
//! YouTube link or a topic, and the options a person usually sets. Its
//! script (upload.js) stores the file first, through an upload grant, and
//! the form then names the stored upload; without scripts it carries it.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use coursegen_core::artifact::InvalidKey;
use coursegen_core::auth::Principal;
use coursegen_core::course::Difficulty;
use coursegen_core::job::CourseRef;
use coursegen_core::options::Options;
use coursegen_core::source::{DocumentFormat, Source, TranscriptFormat, YoutubeId};
use coursegen_core::stage::Stage;
use coursegen_core::upload::UploadRequest;
use serde::Deserialize;
use serde_json::{Value, json};

use super::page::Chrome;
use super::session::Session;
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
    /// The file's name and where the form's script stored it (upload.js).
    upload: Option<(String, String)>,
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
            upload: None,
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
                "upload_key" | "upload_name" if value.is_empty() => {}
                "upload_key" => new.upload.get_or_insert_default().1 = value,
                "upload_name" => new.upload.get_or_insert_default().0 = value,
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
            "file" => match (&self.upload, &self.file) {
                (Some((name, key)), _) => {
                    let key = key
                        .parse()
                        .map_err(|e: InvalidKey| ApiError::invalid("upload_key", e.to_string()))?;
                    upload_for(name, 0, self.storyboard)?.source_at(key)
                }
                (None, Some((name, bytes))) => {
                    let request = upload_for(name, bytes.len() as u64, self.storyboard)?;
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
                (None, None) => {
                    return Err(ApiError::invalid(
                        "file",
                        "choose a transcript, recording or script to upload",
                    ));
                }
            },
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

    /// The stored upload's name and key, kept when the form comes back
    /// with a problem, so the file need not be sent again.
    pub fn stored(&self) -> (&str, &str) {
        self.upload
            .as_ref()
            .map_or(("", ""), |(name, key)| (name.as_str(), key.as_str()))
    }

    pub fn gated(&self, stage: &str) -> bool {
        self.gates.iter().any(|g| g == stage)
    }
}

/// The upload a file of the form is, by its name: a transcript, a script
/// or audio — a course script's plain text being a document.
fn upload_for(name: &str, size: u64, storyboard: bool) -> Result<UploadRequest, ApiError> {
    let request = UploadRequest::for_file(name, size).ok_or_else(|| {
        ApiError::invalid(
            "file",
            format!(
                "{name}: coursegen reads transcripts (.vtt .srt .json .txt), scripts (.docx .md) and recordings (.mp3 .wav .m4a .ogg .flac .webm)"
            ),
        )
    })?;
    Ok(match request {
        UploadRequest::Transcript {
            format: TranscriptFormat::Txt,
            size,
        } if storyboard => UploadRequest::Document {
            format: DocumentFormat::Txt,
            size,
        },
        request => request,
    })
}

/// What upload.js asks to send.
#[derive(Debug, Deserialize)]
pub struct FileToSend {
    name: String,
    size: u64,
    #[serde(default)]
    storyboard: bool,
}

/// `POST /studio/uploads`: where the new-job form's script sends the
/// chosen file — the API's own upload URL, or a pre-signed S3 URL on AWS —
/// so that no page request carries it.
pub async fn grant(
    State(state): State<ApiState>,
    Session(who): Session,
    form: Result<Form<FileToSend>, FormRejection>,
) -> Result<Response, ApiError> {
    let Form(file) = form.map_err(|e| ApiError::invalid("form", e.body_text()))?;
    let request = upload_for(&file.name, file.size, file.storyboard)?;
    crate::uploads::granted(&state, &who, request).await
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
