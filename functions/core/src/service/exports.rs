//! A made course's exports for a learning system (crate::exports): kept
//! once made, so the same course and videos are packaged once, and handed
//! out from where they are kept.

use super::{Service, ServiceError};
use crate::access::Action;
use crate::artifact::ArtifactKey;
use crate::auth::Principal;
use crate::course::Course;
use crate::exports::{ExportError, ExportNote, Exported, Format, made};
use crate::ids::JobId;
use crate::job::JobStatus;
use crate::videos::FinishedVideo;

impl Service {
    /// Job `id`'s export in `format` with choices `variant` (`None`: the
    /// defaults, as the export step writes them): the one kept, or one
    /// `build` makes now and that is kept. Where it is, and its notes.
    pub async fn export(
        &self,
        who: &Principal,
        id: JobId,
        format: Format,
        variant: Option<&str>,
        build: impl FnOnce(&Course, &[FinishedVideo]) -> std::io::Result<Exported>,
    ) -> Result<(ArtifactKey, Vec<ExportNote>), ServiceError> {
        let job = self.job_for(who, id, Action::Read).await?;
        if job.status != JobStatus::Succeeded {
            return Err(ServiceError::Conflict(format!(
                "the course is ready when the job has succeeded; it is {}",
                job.status
            )));
        }
        made(self.steps.artifacts.as_ref(), &job, format, variant, build)
            .await
            .map_err(|e| match e {
                ExportError::Artifact(e) => e.into(),
                // A course with nothing this format can hold.
                ExportError::Build(..) => ServiceError::Conflict(e.to_string()),
                ExportError::Internal(m) => ServiceError::Internal(m),
            })
    }
}
