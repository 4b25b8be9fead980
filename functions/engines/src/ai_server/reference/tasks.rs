//! The work behind each task, run after the route has answered: a RUNNING
//! report, the work, then COMPLETED with the task's data or FAILED with
//! the reason — unless the task was aborted meanwhile.

use std::sync::Arc;

use coursegen_core::ai_protocol::job_state::{DEFAULT_LAM, QUESTION_KINDS};
use coursegen_core::ai_protocol::questions;
use coursegen_core::ai_protocol::transcript::chunks;
use coursegen_core::ai_protocol::webhook::{AiTask, TaskStatus};
use coursegen_core::material::Material;
use coursegen_core::options::Options;
use coursegen_core::outputs::{Outline, OutlineLesson, OutlineModule, SegmentParams};
use std::io::Write;

use coursegen_core::material::Transcript;
use coursegen_core::ports::{
    LessonRequest, LessonWriter, Progress, RemoteFiles, Segmenter, Transcriber,
};
use coursegen_core::source::TranscriptFormat;
use coursegen_core::upload::{MAX_AUDIO_BYTES, MAX_TRANSCRIPT_BYTES};
use serde_json::{Map, Value, json};

use super::ReferenceServer;
use crate::ingest::{sentences, transcript};
use crate::offline::OfflineEngine;

/// The largest input file it reads: every input it can use is a
/// transcript or captions.
const MAX_INPUT: u64 = MAX_TRANSCRIPT_BYTES;

/// What a task works on.
#[derive(Debug)]
pub(super) enum Work {
    ExtractAudio {
        url: String,
    },
    Transcribe {
        file: String,
        parameters: Map<String, Value>,
    },
    Segment {
        file: String,
        parameters: Map<String, Value>,
    },
    Questions {
        file: String,
        segment_map: Vec<f64>,
        parameters: Map<String, Value>,
    },
}

impl ReferenceServer {
    /// Runs `work` as `task` of `job` and reports how it went.
    pub(super) async fn run(
        self: Arc<Self>,
        job: String,
        task: AiTask,
        work: Work,
        outbox: Arc<tokio::sync::Mutex<()>>,
    ) {
        // Held to the end (or until aborted): the job's reports go out in order.
        let _turn = outbox.lock().await;
        let running = json!({"task": task.as_str(), "status": "RUNNING", "jobId": job,
                             "data": {"status": "RUNNING"}});
        self.report(&running).await;
        let (status, data) = match self.work(work).await {
            Ok(mut data) => {
                data.insert("status".into(), json!("COMPLETED"));
                (TaskStatus::Completed, data)
            }
            Err(error) => {
                let mut data = Map::new();
                data.insert("status".into(), json!("FAILED"));
                data.insert("error".into(), json!(error));
                (TaskStatus::Failed, data)
            }
        };
        {
            let mut jobs = self.jobs();
            match jobs.get_mut(&job) {
                Some(entry) if entry.status == TaskStatus::Running => {
                    entry.status = status;
                    entry.work = None;
                }
                // Aborted meanwhile: nothing more is said.
                _ => return,
            }
        }
        let body = json!({"task": task.as_str(), "status": status.as_str(), "jobId": job,
                          "data": data});
        self.report(&body).await;
    }

    async fn work(&self, work: Work) -> Result<Map<String, Value>, String> {
        let engine = OfflineEngine::new();
        let mut data = Map::new();
        match work {
            Work::ExtractAudio { url } => {
                return Err(format!(
                    "cannot extract audio from {url}: this reference server does not download \
                     videos; give coursegen the video's captions (.vtt or .srt) instead"
                ));
            }
            Work::Transcribe { file, parameters } => {
                let limit = match self.config.transcriber {
                    Some(_) => MAX_AUDIO_BYTES,
                    None => MAX_INPUT,
                };
                let bytes = self.fetch_at_most(&file, limit).await?;
                let captions = match (caption_format(&bytes), &self.config.transcriber) {
                    (Some(format), _) => transcript(&bytes, format).map_err(|e| e.to_string())?,
                    (None, Some(transcriber)) => {
                        let language = parameters.get("language").and_then(Value::as_str);
                        listen(transcriber.as_ref(), &bytes, language).await?
                    }
                    (None, None) => {
                        return Err(
                            "cannot transcribe audio: this reference server reads caption \
                                    files (WebVTT, SRT) only; start it from a coursegen built with \
                                    speech-to-text"
                                .to_owned(),
                        );
                    }
                };
                let material = Material::from(sentences(&captions));
                let (name, url) = self.keep(
                    "-transcript.json",
                    chunks(&material).to_string().into_bytes(),
                )?;
                data.insert("fileName".into(), json!(name));
                data.insert("fileUrl".into(), json!(url));
                data.insert("parameters".into(), Value::Object(parameters));
            }
            Work::Segment { file, parameters } => {
                let material = self.read_transcript(&file).await?;
                let lam = parameters
                    .get("lam")
                    .and_then(Value::as_f64)
                    .filter(|l| *l > 0.0)
                    .unwrap_or(DEFAULT_LAM);
                let params = SegmentParams {
                    boundary_penalty: lam / DEFAULT_LAM,
                    ..SegmentParams::default()
                };
                let segments = engine
                    .segment(&material, &params, &Options::default())
                    .await
                    .map_err(|e| e.to_string())?;
                // The protocol promises sorted, distinct ends whatever the engine did.
                let mut ends: Vec<f64> =
                    segments.iter().map(|s| s.end_ms as f64 / 1000.0).collect();
                ends.sort_by(f64::total_cmp);
                ends.dedup();
                data.insert("segmentationMap".into(), json!(ends));
                data.insert("transcriptFileUrl".into(), json!(file));
                data.insert("parameters".into(), Value::Object(parameters));
            }
            Work::Questions {
                file,
                segment_map,
                parameters,
            } => {
                let material = self.read_transcript(&file).await?;
                let items = questions_for(&engine, &material, &segment_map, &parameters).await?;
                let (name, url) =
                    self.keep("-questions.json", json!(items).to_string().into_bytes())?;
                data.insert("fileName".into(), json!(name));
                data.insert("fileUrl".into(), json!(url));
                data.insert("segmentMapUsed".into(), json!(segment_map));
                data.insert("parameters".into(), Value::Object(parameters));
            }
        }
        Ok(data)
    }
}

impl ReferenceServer {
    /// An input file, from an allowed host only.
    async fn fetch(&self, url: &str) -> Result<Vec<u8>, String> {
        self.fetch_at_most(url, MAX_INPUT).await
    }

    async fn fetch_at_most(&self, url: &str, limit: u64) -> Result<Vec<u8>, String> {
        self.inputs
            .fetch(url, limit)
            .await
            .map(|f| f.bytes)
            .map_err(|e| format!("cannot read the input file: {e}"))
    }

    async fn read_transcript(&self, url: &str) -> Result<Material, String> {
        let bytes = self.fetch(url).await?;
        let captions = transcript(&bytes, TranscriptFormat::Json)
            .map_err(|e| format!("the input is not a transcript: {e}"))?;
        Ok(Material::from(sentences(&captions)))
    }
}

/// A recording's transcript, by `transcriber` from a temporary copy.
async fn listen(
    transcriber: &dyn Transcriber,
    bytes: &[u8],
    language: Option<&str>,
) -> Result<Transcript, String> {
    let copy = tempfile::Builder::new()
        .prefix("coursegen-ai-recording-")
        .tempfile()
        .and_then(|mut f| f.write_all(bytes).map(|()| f))
        .map_err(|e| format!("cannot keep the recording: {e}"))?;
    transcriber
        .transcribe(copy.path(), language, &Progress::default())
        .await
        .map_err(|e| e.to_string())
}

/// WebVTT starts with its signature; SRT has numbered cues with arrows.
fn caption_format(bytes: &[u8]) -> Option<TranscriptFormat> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("WEBVTT") {
        Some(TranscriptFormat::Vtt)
    } else if text.contains("-->") {
        Some(TranscriptFormat::Srt)
    } else {
        None
    }
}

/// Questions for each segment of `segment_map` (ends in seconds), written
/// by the offline engine from that segment's part of the material.
async fn questions_for(
    engine: &OfflineEngine,
    material: &Material,
    segment_map: &[f64],
    parameters: &Map<String, Value>,
) -> Result<Vec<questions::QuestionItem>, String> {
    let question_mix = QUESTION_KINDS
        .iter()
        .map(|(kind, ty, default)| {
            let n = parameters
                .get(*kind)
                .and_then(Value::as_u64)
                .map_or(*default, |n| n.min(20) as u8);
            (*ty, n)
        })
        .collect();
    let options = Options {
        question_mix,
        ..Options::default()
    };
    let mut start_ms = 0;
    let lessons: Vec<OutlineLesson> = segment_map
        .iter()
        .enumerate()
        .map(|(i, end)| {
            let end_ms = (end * 1000.0).round() as u64;
            let lesson = OutlineLesson {
                title: format!("Segment {}", i + 1),
                segments: vec![i],
                start_ms,
                end_ms,
                objectives: Vec::new(),
            };
            start_ms = end_ms;
            lesson
        })
        .collect();
    let outline = Outline {
        title: "Questions".into(),
        description: String::new(),
        modules: vec![OutlineModule {
            title: "Segments".into(),
            summary: String::new(),
            lessons,
        }],
    };
    let mut all = Vec::new();
    for lesson in 0..segment_map.len() {
        let written = engine
            .lesson(LessonRequest {
                material,
                outline: &outline,
                module: 0,
                lesson,
                video: None,
                video_start_ms: 0,
                options: &options,
            })
            .await
            .map_err(|e| e.to_string())?;
        all.extend(written.exercises);
    }
    questions::export(&all, segment_map).map_err(|e| e.to_string())
}
