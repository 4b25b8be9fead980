//! A job's source → material, for the pipeline's ingest step: uploaded
//! transcripts and documents are parsed here; sources that need fetching or
//! transcription say which engine they need.

use async_trait::async_trait;
use coursegen_core::material::{Material, TopicBrief};
use coursegen_core::pipeline::{Ingested, Ingestor};
use coursegen_core::ports::{ArtifactError, ArtifactStore, EngineError};
use coursegen_core::source::Source;

use super::{document, narrate, sentences, transcript};

/// Parses uploads; no network.
#[derive(Debug, Clone, Copy, Default)]
pub struct UploadIngestor;

async fn upload(
    artifacts: &dyn ArtifactStore,
    key: &coursegen_core::artifact::ArtifactKey,
) -> Result<Vec<u8>, EngineError> {
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
        artifacts: &dyn ArtifactStore,
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
                })
            }
            Source::Youtube { .. } | Source::Playlist { .. } | Source::Audio { .. } => Err(EngineError::Unsupported(
                "this source needs transcription by the AI server (set COURSEGEN_AI_SERVER_URL), or upload its captions as a transcript".into(),
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
