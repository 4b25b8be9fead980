//! The export step: the packages and question banks a job asked for
//! (options.exports), written once its course and videos are made and kept
//! where the API hands them out (crate::exports::key).

use serde_json::{Value, json};

use super::{StepError, Steps};
use crate::exports::{ExportError, identifier, made};
use crate::ids::JobId;

impl Steps {
    pub(super) async fn export(&self, id: JobId) -> Result<Value, StepError> {
        let job = self.jobs.get(id).await?;
        if job.options.exports.is_empty() {
            return Ok(json!({"exported": []}));
        }
        let exporter = self.exporter.as_ref().ok_or_else(|| {
            StepError::new(
                "ExportUnavailable",
                "this build of coursegen writes no exports",
            )
        })?;
        let name = identifier(id);
        let mut exported = Vec::new();
        for &format in &job.options.exports {
            let (key, notes) = made(
                self.artifacts.as_ref(),
                &job,
                format,
                None,
                |course, videos| exporter.export(format, course, &name, videos),
            )
            .await
            .map_err(|e| match e {
                ExportError::Artifact(e) => StepError::from(e),
                ExportError::Build(..) => StepError::new("ExportFailed", e.to_string()),
                ExportError::Internal(m) => StepError::new("ExportFailed", m),
            })?;
            exported.push(json!({"format": format, "key": key.as_str(), "notes": notes.len()}));
        }
        Ok(json!({"exported": exported}))
    }
}
