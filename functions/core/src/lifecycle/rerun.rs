//! What a rerun may change, stage by stage, and which stages it makes again.

use serde_json::Value;

use crate::job::Job;
use crate::options::QUESTION_OPTIONS;
use crate::outputs::SegmentParams;
use crate::stage::Stage;
use crate::validation::ValidationError;

/// Refuses parameters the stage cannot use, naming the field.
pub(super) fn check(job: &Job, stage: Stage, parameters: &Value) -> Result<(), ValidationError> {
    let Value::Object(given) = parameters else {
        return Err(ValidationError::new("parameters", "must be a JSON object"));
    };
    match stage {
        Stage::Segment => serde_json::from_value::<SegmentParams>(parameters.clone())
            .map(drop)
            .map_err(|e| ValidationError::new("parameters", e.to_string())),
        Stage::Images | Stage::Clips => {
            serde_json::from_value::<crate::visuals::FrameParams>(parameters.clone())
                .map(drop)
                .map_err(|e| ValidationError::new("parameters", e.to_string()))
        }
        Stage::Questions => job
            .options
            .overlaid(parameters, &QUESTION_OPTIONS)
            .map(drop)
            .map_err(|e| e.within("parameters")),
        _ if given.is_empty() => Ok(()),
        _ => Err(ValidationError::new(
            "parameters",
            format!("a rerun of {stage} takes no parameters"),
        )),
    }
}

/// The stages whose output a rerun of `stage` replaces too: the questions
/// are the lessons' exercises and the assessment, so those are made again
/// (with the same parameters).
pub(super) fn made_again(stage: Stage) -> &'static [Stage] {
    match stage {
        Stage::Questions => &[Stage::Lessons, Stage::Assessment],
        _ => &[],
    }
}
