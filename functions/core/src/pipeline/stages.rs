//! The steps before lesson writing: ingest, validate, segment, outline.

use serde_json::{Value, json};

use super::{Ingested, StepError, Steps};
use crate::ids::JobId;
use crate::job::Job;
use crate::lifecycle::Command;
use crate::outputs::{MaterialCategory, Outline, Segment, SegmentParams, Validation};
use crate::ports::{Advance, Progress};
use crate::stage::{Stage, StageStatus};

/// A topic-only course has no material to judge: its brief passed the
/// service's checks, and the outline is written from it.
fn topic_validation() -> Validation {
    Validation {
        suitable: true,
        confidence: 1.0,
        reason: "A topic-only course: there is no material to judge, and the LLM writes every chapter from the topic.".into(),
        category: MaterialCategory::Instructional,
        signals: Default::default(),
    }
}

impl Steps {
    pub(super) async fn ingest(&self, id: JobId) -> Result<Value, StepError> {
        let (key, ingested) = self
            .run_stage(id, Stage::Ingest, |job| async move {
                let ingested = self.ingest_reporting(id, &job).await?;
                if ingested.material.sentences.is_empty() && ingested.material.topic.is_none() {
                    return Err(StepError::new(
                        "InvalidMaterial",
                        "the source has no speech or text",
                    ));
                }
                Ok(ingested)
            })
            .await?;
        let ingested: Ingested = ingested;
        Ok(json!({"key": key, "sentences": ingested.material.sentences.len()}))
    }

    /// Runs the ingestor, turning what it reports into the stage's progress
    /// (a recording's transcription takes minutes) and cancelling it when
    /// the stage stops running (the job was aborted).
    async fn ingest_reporting(&self, id: JobId, job: &Job) -> Result<Ingested, StepError> {
        let (tx, mut rx) = tokio::sync::watch::channel(None::<Advance>);
        let progress = Progress::new(move |advance| {
            tx.send_replace(Some(advance));
        });
        let work = self.ingestor.ingest(
            &job.source,
            &job.options,
            self.artifacts.as_ref(),
            &progress,
        );
        tokio::pin!(work);
        loop {
            tokio::select! {
                ingested = &mut work => return Ok(ingested?),
                Ok(()) = rx.changed() => {
                    let Some(advance) = rx.borrow_and_update().clone() else { continue };
                    let running = self
                        .update(id, |job| {
                            Ok(if job.stage(Stage::Ingest).status == StageStatus::Running {
                                vec![Command::Progress {
                                    stage: Stage::Ingest,
                                    done: advance.done,
                                    total: advance.total.max(1),
                                    message: Some(advance.message.clone()),
                                }]
                            } else {
                                Vec::new()
                            })
                        })
                        .await
                        .map(|job| job.stage(Stage::Ingest).status == StageStatus::Running);
                    if !matches!(running, Ok(true)) {
                        progress.cancel();
                    }
                }
            }
        }
    }

    pub(super) async fn validate(&self, id: JobId) -> Result<Value, StepError> {
        let (key, validation) = self
            .run_stage(id, Stage::Validate, |job| async move {
                let ingested: Ingested = self.stage_output(&job, Stage::Ingest).await?;
                if ingested.material.topic.is_some() {
                    return Ok(topic_validation());
                }
                let validation = self
                    .validator
                    .validate(&ingested.material, &job.options)
                    .await?;
                Ok(validation)
            })
            .await?;
        let validation: Validation = validation;
        Ok(json!({"key": key, "suitable": validation.suitable, "reason": validation.reason}))
    }

    pub(super) async fn segment(&self, id: JobId) -> Result<Value, StepError> {
        let (key, segments) = self
            .run_stage(id, Stage::Segment, |job| async move {
                let ingested: Ingested = self.stage_output(&job, Stage::Ingest).await?;
                if ingested.material.topic.is_some() {
                    // Chapters come from the outline: no material to cut.
                    return Ok(Vec::new());
                }
                let mut params: SegmentParams =
                    serde_json::from_value(job.stage(Stage::Segment).parameters.clone()).map_err(
                        |e| StepError::new("InvalidParameters", format!("segment parameters: {e}")),
                    )?;
                if params.segment_ends_ms.is_none() {
                    params.segment_ends_ms = ingested.segment_ends_ms.clone();
                }
                let duration_ms = ingested.material.sentences.iter().map(|s| s.end_ms).max();
                let params = params.for_material(duration_ms.unwrap_or(0));
                if params.segment_ends_ms.is_none() && !ingested.parts.is_empty() {
                    return self
                        .segment_by_video(&ingested, &params, &job.options)
                        .await;
                }
                let segments = self
                    .segmenter
                    .segment(&ingested.material, &params, &job.options)
                    .await?;
                Ok(segments)
            })
            .await?;
        let segments: Vec<Segment> = segments;
        Ok(json!({"key": key, "segments": segments.len()}))
    }

    /// A playlist's segments: each video's material segmented on its own
    /// (by its chapters when it has them), so that no segment spans two
    /// videos, and the lists joined in the playlist's order.
    async fn segment_by_video(
        &self,
        ingested: &Ingested,
        params: &SegmentParams,
        options: &crate::options::Options,
    ) -> Result<Vec<Segment>, StepError> {
        let mut segments = Vec::new();
        for (k, part) in ingested.parts.iter().enumerate() {
            let next = ingested.parts.get(k + 1).map_or(u64::MAX, |p| p.start_ms);
            let sentences: Vec<_> = ingested
                .material
                .sentences
                .iter()
                .filter(|s| s.start_ms >= part.start_ms && s.start_ms < next)
                .cloned()
                .collect();
            if sentences.is_empty() {
                continue;
            }
            let material = crate::material::Material {
                sentences,
                ..ingested.material.clone()
            };
            let params = SegmentParams {
                segment_ends_ms: (!part.chapter_ends_ms.is_empty())
                    .then(|| part.chapter_ends_ms.clone()),
                ..params.clone()
            };
            segments.extend(self.segmenter.segment(&material, &params, options).await?);
        }
        Ok(segments)
    }

    pub(super) async fn outline(&self, id: JobId) -> Result<Value, StepError> {
        let (key, outline) = self
            .run_stage(id, Stage::Outline, |job| async move {
                let ingested: Ingested = self.stage_output(&job, Stage::Ingest).await?;
                let segments: Vec<Segment> = self.stage_output(&job, Stage::Segment).await?;
                let outline = self
                    .outliner
                    .outline(
                        &ingested.material,
                        &segments,
                        ingested.title.as_deref(),
                        &job.options,
                    )
                    .await?;
                // A playlist's course has a module per video.
                Ok(super::playlist::modules_by_video(outline, &ingested.parts))
            })
            .await?;
        let outline: Outline = outline;
        Ok(
            json!({"key": key, "modules": outline.modules.len(), "lessons": outline.lessons().count()}),
        )
    }
}
