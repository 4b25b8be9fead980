//! Ports: the traits core needs from the outside world. Adapters live in
//! other crates (`coursegen-local`, `coursegen-aws`) and every adapter of a
//! port passes the same contract suite (`crate::contract`).

mod ai_worker;
mod artifact_store;
mod callback_store;
mod clips;
mod content;
mod delivery_log;
mod job_store;
mod media;
mod paging;
mod remote_files;
mod transcriber;
mod uploads;
mod visuals;
mod workflow;

pub use ai_worker::{AbortOutcome, AiWorker, DispatchError, FileLinks};
pub use artifact_store::{
    Artifact, ArtifactEntry, ArtifactError, ArtifactMeta, ArtifactStore, Staged, check_put,
    validate_content_type,
};
pub use callback_store::{CallbackRecord, CallbackStore};
pub use clips::{ClipImage, ClipRequest, ClipState, Clips};
pub use content::{
    AssessmentWriter, EngineError, LessonRequest, LessonWriter, NarrationRequest, NarrationWriter,
    Notes, NotesWriter, Outliner, PromptWriter, Segmenter, StoryboardRequest, StoryboardWriter,
    Validator,
};
pub use delivery_log::{DeliveryLog, DeliveryState, StoredAnswer};
pub use job_store::{Committed, JobQuery, JobStore, MAX_EVENTS_PER_READ, check_next_version};
pub use media::{
    Encoder, FrameSize, ImageRequest, Images, MediaError, RenderedVideo, SlideRenderer, Speaker,
    Speech, VideoPlan, VideoRenderer, Voice,
};
pub use paging::{Cursor, ListPosition, MAX_PAGE_SIZE, Page, PageRequest};
pub use remote_files::{Fetched, RemoteFiles};
pub use transcriber::{Advance, Progress, Transcriber};
pub use uploads::Uploads;
pub use visuals::{FilmedMedia, SpokenVideo, Visuals};
pub use workflow::{
    TokenOutcome, Workflow, WorkflowError, execution_input, renders_input, renders_name, renders_of,
};

use crate::ids::JobId;

/// Errors of the record stores (jobs, callbacks, deliveries).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("job {id} was changed by someone else: expected version {expected}, found {actual}")]
    VersionConflict {
        id: JobId,
        expected: u64,
        actual: u64,
    },
    #[error("the cursor is not one this listing handed out")]
    InvalidCursor,
    /// A transient failure: the caller may retry later (HTTP 503).
    #[error("storage is unavailable: {0}")]
    Unavailable(String),
    /// Stored data that does not read back as what was written.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub fn job_not_found(id: JobId) -> Self {
        StoreError::NotFound(format!("job {id}"))
    }
}
