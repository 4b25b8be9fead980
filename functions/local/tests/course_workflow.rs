//! The one workflow definition, `statemachine/course.asl.json`, run by the
//! embedded interpreter with scripted step results: auto-approval, manual
//! approvals with a rerun loop, an unsuitable source, and a failed step.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use coursegen_local::asl::{
    Drive, Execution, ExecutionStatus, Executor, StateMachine, TaskFailure, TaskRunner, substitute,
};
use coursegen_local::workflow::course_machine;
use serde_json::{Value, json};

/// Locally each function "ARN" is the handler's name ("Segment").
fn definition() -> Arc<StateMachine> {
    Arc::new(course_machine().unwrap())
}

/// Plays the Lambdas: answers by function name, records every call.
#[derive(Debug, Default)]
struct Steps {
    suitable: bool,
    failing: Option<&'static str>,
    fail_renders: bool,
    calls: Mutex<Vec<(String, Value)>>,
}

#[async_trait]
impl TaskRunner for Steps {
    async fn run(&self, resource: &str, input: Value) -> Result<Value, TaskFailure> {
        assert!(
            resource.starts_with("arn:aws:states:::lambda:invoke"),
            "{resource}"
        );
        let function = input["FunctionName"].as_str().unwrap().to_owned();
        let payload = input["Payload"].clone();
        self.calls
            .lock()
            .unwrap()
            .push((function.clone(), payload.clone()));
        // A render that fails fails into RenderFailed, which records it.
        let failed_render = function == "Video" && payload.get("failure").is_none();
        if self.failing == Some(function.as_str()) || (self.fail_renders && failed_render) {
            return Err(TaskFailure {
                error: "EngineUnavailable".into(),
                cause: format!("{function} could not run"),
            });
        }
        // Stages that work in steps are done every third call; the clips
        // ask for a wait meanwhile.
        let earlier = self.called(&function).len() - 1;
        let done = earlier % 3 == 2;
        let output = match function.as_str() {
            "Images" | "Film" => json!({"done": done, "wait_seconds": 0}),
            "Clips" => json!({"done": done, "wait_seconds": if done { 0 } else { 1 }}),
            "Validate" => {
                json!({"suitable": self.suitable, "reason": "the material is song lyrics"})
            }
            "PlanLessons" => {
                json!({"lessons": [{"module": 0, "lesson": 0}, {"module": 0, "lesson": 1}, {"module": 1, "lesson": 0}]})
            }
            "Gate" => json!({"callback": "handed over"}),
            "PlanRenders" => json!({"videos": [
                {"module": 0, "lesson": 0, "attempt": 1},
                {"module": 0, "lesson": 1, "attempt": 1},
                {"module": 1, "lesson": 0, "attempt": 1},
            ]}),
            other => json!({"key": format!("jobs/J/{}.json", other.to_lowercase())}),
        };
        Ok(json!({"Payload": output, "StatusCode": 200}))
    }
}

impl Steps {
    fn called(&self, function: &str) -> Vec<Value> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(f, _)| f == function)
            .map(|(_, p)| p.clone())
            .collect()
    }
}

fn start(steps: Arc<Steps>, gates: bool) -> Executor {
    start_with(steps, gates, json!({}))
}

fn start_with(steps: Arc<Steps>, gates: bool, workers: Value) -> Executor {
    start_input(steps, course_input(gates, workers))
}

fn start_input(steps: Arc<Steps>, input: Value) -> Executor {
    let machine = definition();
    Executor::new(
        machine.clone(),
        steps,
        Execution::new("e".into(), "J".into(), &machine, input, 0),
    )
}

fn course_input(gates: bool, workers: Value) -> Value {
    json!({
        "job_id": "J",
        "gates": {"segment": gates, "outline": gates, "questions": gates, "videos": gates},
        "force": false,
        "render_videos": true,
        "max_concurrency": 2,
        "video_concurrency": 2,
        "workers": workers
    })
}

const AUTO_PATH: &[&str] = &[
    "RendersOnly?",
    "IngestEngine?",
    "Ingest",
    "Validate",
    "Suitable?",
    "Script?",
    "SegmentEngine?",
    "Segment",
    "SegmentGate?",
    "Outline",
    "OutlineGate?",
    "Write",
    "PlanLessons",
    "Assessment",
    "Lessons",
    "WriteLesson",
    "WriteLesson",
    "WriteLesson",
    "QuestionsEngine?",
    "Questions",
    "QuestionsGate?",
    "Assemble",
    "Videos?",
    "PlanVideos",
    "VideosGate?",
    "PlanRenders",
    "Videos",
    "RenderVideo",
    "RenderVideo",
    "RenderVideo",
    "Rendered?",
    "Exports?",
    "Finish",
    "Done",
];

#[tokio::test]
async fn auto_approval_runs_straight_through() {
    let steps = Arc::new(Steps {
        suitable: true,
        ..Steps::default()
    });
    let ex = start(steps.clone(), false);
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    let mut entered = exec.entered_states();
    let mut expected: Vec<String> = AUTO_PATH.iter().map(|s| (*s).to_owned()).collect();
    // Parallel branches interleave; compare as multisets plus fixed ends.
    assert_eq!(
        (entered.first(), entered.last()),
        (expected.first(), expected.last())
    );
    entered.sort();
    expected.sort();
    assert_eq!(entered, expected);
    assert_eq!(steps.called("Lesson").len(), 3);
    assert_eq!(
        steps.called("Lesson")[2],
        json!({"job_id": "J", "step": "lesson", "lesson": {"module": 1, "lesson": 0}})
    );
    assert!(steps.called("Gate").is_empty());
    // State payloads carry keys, never content.
    assert!(exec.output.unwrap().to_string().len() < 4096);
}

#[tokio::test]
async fn asked_for_exports_are_written_after_the_videos_and_before_the_job_ends() {
    let steps = Arc::new(Steps {
        suitable: true,
        ..Steps::default()
    });
    let mut input = course_input(false, json!({}));
    input["exports"] = json!(true);
    let ex = start_input(steps.clone(), input);
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    let entered = ex.snapshot().entered_states();
    let at = |state: &str| entered.iter().position(|s| s == state).unwrap();
    assert!(
        at("Rendered?") < at("Export") && at("Export") < at("Finish"),
        "{entered:?}"
    );
    assert_eq!(
        steps.called("Export"),
        [json!({"job_id": "J", "step": "export"})]
    );
}

#[tokio::test]
async fn manual_gates_wait_rerun_and_approve() {
    let steps = Arc::new(Steps {
        suitable: true,
        ..Steps::default()
    });
    let ex = start(steps.clone(), true);
    let mut decisions = vec![
        ("segment", "rerun"),
        ("segment", "approve"),
        ("outline", "approve"),
        ("questions", "rerun"),
        ("questions", "approve"),
        ("videos", "rerun"),
        ("videos", "approve"),
    ];
    decisions.reverse();
    while ex.drive().await.unwrap() == Drive::AwaitingTokens {
        let gate = steps.called("Gate").last().cloned().unwrap();
        let (stage, action) = decisions.pop().expect("no more gates expected");
        assert_eq!(gate["stage"], stage);
        ex.send_task_success(gate["token"].as_str().unwrap(), json!({"action": action}))
            .await
            .unwrap();
    }
    assert!(decisions.is_empty());
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    assert_eq!(
        steps.called("Segment").len(),
        2,
        "the rerun ran segmentation again"
    );
    assert_eq!(
        steps.called("Lesson").len(),
        6,
        "rerunning the questions review rewrote the lessons"
    );
    let entered = exec.entered_states();
    let reviews: Vec<&str> = entered
        .iter()
        .map(String::as_str)
        .filter(|s| s.starts_with("Review"))
        .collect();
    assert_eq!(
        reviews,
        vec![
            "ReviewSegment",
            "ReviewSegment",
            "ReviewOutline",
            "ReviewQuestions",
            "ReviewQuestions",
            "ReviewVideos",
            "ReviewVideos"
        ]
    );
    assert_eq!(
        (
            steps.called("PlanVideos").len(),
            steps.called("PlanRenders").len()
        ),
        (2, 1),
        "rerunning the narrations' review wrote them again, then the renders were planned once"
    );
    assert_eq!(steps.called("Video").len(), 3);
}

#[tokio::test]
async fn a_failed_render_fails_its_lesson_and_the_course_goes_on() {
    let steps = Arc::new(Steps {
        suitable: true,
        fail_renders: true,
        ..Steps::default()
    });
    let ex = start(steps.clone(), false);
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    assert_eq!(ex.snapshot().status, ExecutionStatus::Succeeded);
    let renders = steps.called("Video");
    let recorded: Vec<&Value> = renders
        .iter()
        .filter(|p| p.get("failure").is_some())
        .collect();
    assert_eq!(recorded.len(), 3, "each lesson's failure was recorded");
    assert_eq!(recorded[0]["failure"]["Error"], "EngineUnavailable");
    assert!(recorded.iter().all(|p| p["video"]["attempt"] == 1));
    assert!(steps.called("RecordFailure").is_empty());
}

#[tokio::test]
async fn a_renders_only_execution_renders_its_items_and_ends() {
    let steps = Arc::new(Steps {
        suitable: true,
        ..Steps::default()
    });
    let machine = definition();
    let items = json!([{"module": 0, "lesson": 1, "attempt": 3}]);
    let input = json!({
        "job_id": "J",
        "renders_only": true,
        "video_concurrency": 1,
        "steps": {"renders": {"output": {"videos": items}}}
    });
    let ex = Executor::new(
        machine.clone(),
        steps.clone(),
        Execution::new("e".into(), "J-videos-9".into(), &machine, input, 0),
    );
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    assert_eq!(
        exec.entered_states(),
        [
            "RendersOnly?",
            "Videos",
            "RenderVideo",
            "Rendered?",
            "Rendered"
        ]
    );
    assert_eq!(
        steps.called("Video"),
        vec![
            json!({"job_id": "J", "step": "video", "video": {"module": 0, "lesson": 1, "attempt": 3}})
        ]
    );
    assert!(
        steps.called("Finish").is_empty(),
        "the job was finished before"
    );
}

#[tokio::test]
async fn ai_server_stages_are_dispatched_and_wait_for_their_webhook() {
    let steps = Arc::new(Steps {
        suitable: true,
        ..Steps::default()
    });
    let workers = json!({"ingest": false, "segment": true, "questions": true});
    let ex = start_with(steps.clone(), true, workers);
    // Each wait is a dispatch (answered as the webhook would) or a review.
    let mut waits = vec![
        (
            "Dispatch",
            "segment",
            json!({"key": "jobs/J/segment/run-0001.json"}),
        ),
        ("Gate", "segment", json!({"action": "rerun"})),
        (
            "Dispatch",
            "segment",
            json!({"key": "jobs/J/segment/run-0002.json"}),
        ),
        ("Gate", "segment", json!({"action": "approve"})),
        ("Gate", "outline", json!({"action": "approve"})),
        (
            "Dispatch",
            "questions",
            json!({"key": "jobs/J/questions/run-0001.json"}),
        ),
        ("Gate", "questions", json!({"action": "approve"})),
        ("Gate", "videos", json!({"action": "approve"})),
    ];
    waits.reverse();
    while ex.drive().await.unwrap() == Drive::AwaitingTokens {
        let (function, stage, answer) = waits.pop().expect("no more waits expected");
        let call = steps.called(function).last().cloned().unwrap();
        assert_eq!(call["stage"], stage);
        if function == "Dispatch" {
            assert_eq!(call["step"], "dispatch");
        }
        ex.send_task_success(call["token"].as_str().unwrap(), answer)
            .await
            .unwrap();
    }
    assert!(waits.is_empty());
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    assert!(steps.called("Segment").is_empty());
    assert!(steps.called("Questions").is_empty());
    assert_eq!(steps.called("Ingest").len(), 1, "ingest stayed here");
    assert_eq!(steps.called("Dispatch").len(), 3);
    let output = exec.output.unwrap();
    assert_eq!(
        output["steps"]["questions"]["output"]["key"],
        "jobs/J/questions/run-0001.json"
    );
}

#[tokio::test]
async fn a_worker_failure_is_caught_and_recorded() {
    let steps = Arc::new(Steps {
        suitable: true,
        ..Steps::default()
    });
    let ex = start_with(steps.clone(), false, json!({"ingest": true}));
    assert_eq!(ex.drive().await.unwrap(), Drive::AwaitingTokens);
    let call = steps.called("Dispatch").last().cloned().unwrap();
    assert_eq!(call["stage"], "ingest");
    ex.send_task_failure(
        call["token"].as_str().unwrap(),
        "AiServerFailed",
        "AI server: cannot extract audio",
    )
    .await
    .unwrap();
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Failed);
    assert_eq!(
        steps.called("RecordFailure")[0]["failure"]["Error"],
        "AiServerFailed"
    );
    assert!(steps.called("Ingest").is_empty());
}

#[tokio::test]
async fn unsuitable_material_is_recorded_and_fails() {
    let steps = Arc::new(Steps {
        suitable: false,
        ..Steps::default()
    });
    let ex = start(steps.clone(), false);
    ex.drive().await.unwrap();
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Failed);
    assert_eq!(
        exec.error,
        Some(("Unsuitable".into(), "the material is song lyrics".into()))
    );
    assert_eq!(
        exec.entered_states(),
        vec![
            "RendersOnly?",
            "IngestEngine?",
            "Ingest",
            "Validate",
            "Suitable?",
            "Unsuitable",
            "RecordFailure",
            "Failed"
        ]
    );
    assert_eq!(
        steps.called("RecordFailure")[0]["failure"]["Error"],
        "Unsuitable"
    );
}

#[tokio::test]
async fn a_failed_step_is_caught_recorded_and_fails_the_job() {
    let steps = Arc::new(Steps {
        suitable: true,
        failing: Some("Outline"),
        ..Steps::default()
    });
    let ex = start(steps.clone(), false);
    ex.drive().await.unwrap();
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Failed);
    assert_eq!(
        exec.error.as_ref().map(|e| e.0.as_str()),
        Some("EngineUnavailable")
    );
    assert_eq!(steps.called("RecordFailure").len(), 1);
    assert!(steps.called("PlanLessons").is_empty());
}

#[test]
fn every_placeholder_needs_a_value() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../statemachine/course.asl.json"),
    )
    .unwrap();
    let err = substitute(&text, &BTreeMap::new()).unwrap_err();
    assert!(
        err.to_string().contains("no value for the substitution ${"),
        "{err}"
    );
}

#[tokio::test]
async fn a_script_job_storyboards_draws_animates_and_films_with_its_reviews() {
    let steps = Arc::new(Steps {
        suitable: true,
        ..Steps::default()
    });
    let machine = definition();
    let gates = json!({"storyboard": true, "prompts": true, "images": true, "clips": true});
    let input = json!({"job_id": "J", "gates": gates, "force": false, "storyboard": true});
    let ex = Executor::new(
        machine.clone(),
        steps.clone(),
        Execution::new("e".into(), "J".into(), &machine, input, 0),
    );
    let mut decisions = vec![
        ("storyboard", "rerun"),
        ("storyboard", "approve"),
        ("prompts", "approve"),
        ("images", "rerun"),
        ("images", "approve"),
        ("clips", "approve"),
    ];
    decisions.reverse();
    while ex.drive().await.unwrap() == Drive::AwaitingTokens {
        let gate = steps.called("Gate").last().cloned().unwrap();
        let (stage, action) = decisions.pop().expect("no more gates expected");
        assert_eq!(gate["stage"], stage);
        ex.send_task_success(gate["token"].as_str().unwrap(), json!({"action": action}))
            .await
            .unwrap();
    }
    assert!(decisions.is_empty());
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    let count = |f: &str| steps.called(f).len();
    assert_eq!(
        count("Storyboard"),
        2,
        "the rerun wrote the storyboard again"
    );
    assert_eq!(count("Prompts"), 1);
    assert_eq!(count("Images"), 6, "three calls a pass, two passes");
    assert_eq!((count("Clips"), count("Film")), (3, 3));
    assert_eq!(count("Finish"), 1);
    for course_step in ["Segment", "Outline", "PlanLessons", "Assemble"] {
        assert_eq!(count(course_step), 0, "{course_step} is not a script job's");
    }
    let entered = exec.entered_states();
    let waits = entered.iter().filter(|s| *s == "WaitForClips").count();
    assert_eq!(waits, 2, "the workflow waited between the clips' calls");
    assert_eq!(
        steps.called("Clips")[0],
        json!({"job_id": "J", "step": "clips"})
    );
}
