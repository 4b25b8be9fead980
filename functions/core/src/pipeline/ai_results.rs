//! What an external AI server reports as done becomes the stage's output:
//! its files are copied into our artifact store (its URLs expire), its
//! results are read into our domain, and the running run completes with
//! them — the same output a stage run by our own engines leaves.

use serde::Serialize;

use super::writing::QuestionSet;
use super::{Ingested, StepError, Steps};
use crate::ai_protocol::questions;
use crate::ai_protocol::webhook::TaskOutput;
use crate::artifact::ArtifactKey;
use crate::ids::JobId;
use crate::job::Job;
use crate::lifecycle::Command;
use crate::outputs::{Outline, SegmentParams};
use crate::ports::{Progress, RemoteFiles};
use crate::source::{Source, TranscriptFormat};
use crate::stage::{Stage, StageStatus, Usage};
use crate::upload::{MAX_AUDIO_BYTES, MAX_TRANSCRIPT_BYTES};

/// The largest questions file taken from a worker: as large as the
/// transcript the questions are written from.
const MAX_QUESTIONS_BYTES: u64 = MAX_TRANSCRIPT_BYTES;

impl Steps {
    /// Completes the running run of `stage` with the worker's `output` and
    /// returns the output's key. The caller has checked that the run is the
    /// one the worker was given.
    pub async fn record_worker_output(
        &self,
        id: JobId,
        stage: Stage,
        output: &TaskOutput,
        files: &dyn RemoteFiles,
    ) -> Result<ArtifactKey, StepError> {
        let job = self.jobs.get(id).await?;
        let n = job.stage(stage).latest_run().map_or(1, |r| r.n);
        let key = |suffix: &str| {
            ArtifactKey::for_job(&id, &format!("{stage}/run-{n:04}{suffix}"))
                .map_err(|e| StepError::new("InvalidKey", e.to_string()))
        };
        let output_key = key(".json")?;
        match (stage, output) {
            (Stage::Ingest, TaskOutput::Transcript { file_url, .. }) => {
                let copy = key(".ai-transcript.json")?;
                self.copy(files, file_url, &copy, MAX_TRANSCRIPT_BYTES)
                    .await?;
                let source = Source::Transcript {
                    upload_key: copy,
                    format: TranscriptFormat::Json,
                };
                let material = self
                    .ingestor
                    .ingest(
                        &source,
                        &job.options,
                        self.artifacts.as_ref(),
                        &Progress::default(),
                    )
                    .await?
                    .material;
                let video = match &job.source {
                    Source::Youtube { video_id } => Some(video_id.watch_url()),
                    _ => None,
                };
                let ingested = Ingested {
                    material,
                    video,
                    ..Ingested::default()
                };
                self.finish_worker_run(id, stage, &output_key, &ingested)
                    .await?;
            }
            (
                Stage::Segment,
                TaskOutput::Segmentation {
                    segment_ends_s,
                    transcript_file_url,
                    ..
                },
            ) => {
                let copy = key(".ai-transcript.json")?;
                self.copy(files, transcript_file_url, &copy, MAX_TRANSCRIPT_BYTES)
                    .await?;
                let ingested: Ingested = self.stage_output(&job, Stage::Ingest).await?;
                let mut params = segment_params(&job)?;
                params.segment_ends_ms = Some(ends_ms(segment_ends_s));
                let segments = self
                    .segmenter
                    .segment(&ingested.material, &params, &job.options)
                    .await?;
                self.finish_worker_run(id, stage, &output_key, &segments)
                    .await?;
            }
            (
                Stage::Questions,
                TaskOutput::Questions {
                    file_url,
                    segment_map_used,
                    ..
                },
            ) => {
                let copy = key(".ai-questions.json")?;
                let bytes = self
                    .copy(files, file_url, &copy, MAX_QUESTIONS_BYTES)
                    .await?;
                let items: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
                    StepError::new(
                        "InvalidWorkerOutput",
                        format!("the questions file is not JSON: {e}"),
                    )
                })?;
                let imported = questions::import(&items, segment_map_used).map_err(|e| {
                    StepError::new("InvalidWorkerOutput", format!("questions file: {e}"))
                })?;
                let outline: Outline = self.stage_output(&job, Stage::Outline).await?;
                let mut set: QuestionSet = self.question_set(&job).await?;
                set.replace_exercises(&outline, imported);
                self.finish_worker_run(id, stage, &output_key, &set).await?;
            }
            (stage, other) => {
                return Err(StepError::new(
                    "InvalidWorkerOutput",
                    format!("stage {stage} was not waiting for {other:?}"),
                ));
            }
        }
        Ok(output_key)
    }

    /// Keeps our copy of the audio the server extracted for the running
    /// ingest run: the input of the transcription that follows.
    pub async fn keep_worker_audio(
        &self,
        id: JobId,
        file_url: &str,
        files: &dyn RemoteFiles,
    ) -> Result<ArtifactKey, StepError> {
        let job = self.jobs.get(id).await?;
        let n = job.stage(Stage::Ingest).latest_run().map_or(1, |r| r.n);
        let key = ArtifactKey::for_job(&id, &format!("ingest/run-{n:04}.audio"))
            .map_err(|e| StepError::new("InvalidKey", e.to_string()))?;
        self.copy(files, file_url, &key, MAX_AUDIO_BYTES).await?;
        Ok(key)
    }

    /// Stores our copy of a worker's file, refused past `limit` bytes (what
    /// we would accept of that kind as an upload), and returns its bytes.
    async fn copy(
        &self,
        files: &dyn RemoteFiles,
        url: &str,
        key: &ArtifactKey,
        limit: u64,
    ) -> Result<Vec<u8>, StepError> {
        let fetched = files.fetch(url, limit).await?;
        let content_type = fetched
            .content_type
            .filter(|ct| crate::ports::validate_content_type(ct).is_ok())
            .unwrap_or_else(|| "application/octet-stream".to_owned());
        self.artifacts
            .put(key, fetched.bytes.clone(), &content_type)
            .await?;
        Ok(fetched.bytes)
    }

    async fn finish_worker_run(
        &self,
        id: JobId,
        stage: Stage,
        key: &ArtifactKey,
        value: &impl Serialize,
    ) -> Result<(), StepError> {
        self.put_json(key, value).await?;
        self.update(id, |job| {
            // A second report of the same result finds the run completed.
            Ok(if job.stage(stage).status == StageStatus::Running {
                vec![Command::CompleteRun {
                    stage,
                    output_key: key.clone(),
                    usage: Usage::default(),
                }]
            } else {
                Vec::new()
            })
        })
        .await?;
        Ok(())
    }
}

fn segment_params(job: &Job) -> Result<SegmentParams, StepError> {
    serde_json::from_value(job.stage(Stage::Segment).parameters.clone())
        .map_err(|e| StepError::new("InvalidParameters", format!("segment parameters: {e}")))
}

/// Segment ends in seconds (the protocol's) as whole milliseconds (ours),
/// kept strictly increasing.
fn ends_ms(ends_s: &[f64]) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::with_capacity(ends_s.len());
    for end in ends_s {
        let ms = (end * 1000.0).round() as u64;
        if out.last().is_none_or(|last| ms > *last) {
            out.push(ms);
        }
    }
    out
}
