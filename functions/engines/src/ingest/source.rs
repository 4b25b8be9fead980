//! A job's source → material, for the pipeline's ingest step: uploaded
//! transcripts and documents are parsed here, recordings transcribed when a
//! speech-to-text engine is at hand; other sources say which engine they
//! need.

use std::io::Write;
use std::sync::Arc;

use async_trait::async_trait;
use coursegen_core::artifact::ArtifactKey;
use coursegen_core::material::{Material, TopicBrief};
use coursegen_core::options::Options;
use coursegen_core::pipeline::{Ingested, Ingestor};
use coursegen_core::ports::{ArtifactError, ArtifactStore, EngineError, Progress, Transcriber};
use coursegen_core::source::Source;

use super::{document, narrate, sentences, transcript};

/// Parses uploads, and transcribes recordings with its transcriber; no
/// network.
#[derive(Debug, Clone, Default)]
pub struct UploadIngestor {
    transcriber: Option<Arc<dyn Transcriber>>,
}

impl UploadIngestor {
    /// One that also transcribes recordings with `transcriber`.
    pub fn transcribing(transcriber: Arc<dyn Transcriber>) -> Self {
        UploadIngestor {
            transcriber: Some(transcriber),
        }
    }

    /// The recording at `key`, transcribed from a temporary copy (the
    /// transcriber reads a file, decoding it a window at a time).
    async fn transcribe(
        &self,
        transcriber: &dyn Transcriber,
        key: &ArtifactKey,
        options: &Options,
        artifacts: &dyn ArtifactStore,
        progress: &Progress,
    ) -> Result<Ingested, EngineError> {
        let bytes = upload(artifacts, key).await?;
        let extension = key.as_str().rsplit_once('.').map_or("", |(_, e)| e);
        let copy = tempfile::Builder::new()
            .prefix("coursegen-recording-")
            .suffix(&format!(".{extension}"))
            .tempfile()
            .and_then(|mut f| f.write_all(&bytes).map(|()| f))
            .map_err(|e| EngineError::Unavailable(format!("cannot keep the recording: {e}")))?;
        drop(bytes);
        let language = options.source_language.as_deref();
        let transcript = transcriber
            .transcribe(copy.path(), language, progress)
            .await?;
        Ok(Ingested {
            material: Material {
                language: transcript.language.clone(),
                ..sentences(&transcript).into()
            },
            transcript: Some(transcript),
            ..Ingested::default()
        })
    }
}

async fn upload(artifacts: &dyn ArtifactStore, key: &ArtifactKey) -> Result<Vec<u8>, EngineError> {
    match artifacts.get(key).await {
        Ok(a) => Ok(a.bytes),
        Err(ArtifactError::Unavailable(e)) => Err(EngineError::Unavailable(e)),
        Err(e) => Err(EngineError::Invalid(format!(
            "the upload {key} cannot be read: {e}"
        ))),
    }
}

#[async_trait]
impl Ingestor for UploadIngestor {
    async fn ingest(
        &self,
        source: &Source,
        options: &Options,
        artifacts: &dyn ArtifactStore,
        progress: &Progress,
    ) -> Result<Ingested, EngineError> {
        match source {
            Source::Transcript { upload_key, format } => {
                let bytes = upload(artifacts, upload_key).await?;
                let t = transcript(&bytes, *format).map_err(|e| EngineError::Invalid(e.to_string()))?;
                Ok(Ingested { material: sentences(&t).into(), ..Ingested::default() })
            }
            Source::Document { upload_key, format } => {
                let bytes = upload(artifacts, upload_key).await?;
                let doc = document(&bytes, *format).map_err(|e| EngineError::Invalid(e.to_string()))?;
                let narration = narrate(&doc);
                let mut ends: Vec<u64> = narration.sections.iter().map(|(_, end)| *end).collect();
                ends.pop();
                Ok(Ingested {
                    material: narration.material(),
                    title: doc.title.clone(),
                    video: None,
                    segment_ends_ms: (!ends.is_empty()).then_some(ends),
                    sections: super::split_sections(&doc),
                    ..Ingested::default()
                })
            }
            Source::Audio { upload_key } if self.transcriber.is_some() => {
                let transcriber = self.transcriber.as_deref().expect("checked above");
                self.transcribe(transcriber, upload_key, options, artifacts, progress)
                    .await
            }
            Source::Youtube { .. } | Source::Playlist { .. } | Source::Audio { .. } => Err(EngineError::Unsupported(
                "this source needs fetching or transcription: by the AI server (set COURSEGEN_AI_SERVER_URL), or on a machine \
                 with speech-to-text and yt-dlp (README: Recordings and YouTube); or upload its captions as a transcript".into(),
            )),
            // The brief is the material: the LLM plans and writes from it.
            Source::Topic { topic, course_type, difficulty } => Ok(Ingested {
                material: Material::topic(TopicBrief {
                    topic: topic.trim().to_owned(),
                    course_type: course_type.trim().to_owned(),
                    difficulty: *difficulty,
                }),
                title: Some(topic.trim().to_owned()),
                ..Ingested::default()
            }),
        }
    }
}
