//! A scenario: the execution input, what each Lambda invocation answers (in
//! invocation order) and what the reviewer decides at each gate. Both
//! interpreters get exactly this, and each run is reduced to a [`Run`].

use std::collections::BTreeSet;

use serde_json::{Value, json};

/// Lambda's error for a response over its 6 MB limit: the one way moto's
/// Docker-less Lambda can fail an invocation, so the scripted failure.
pub const TOO_LARGE: &str = "Function.ResponseSizeTooLarge";
pub const TOO_LARGE_CAUSE: &str = "{\"errorMessage\":\"Response payload size exceeded maximum allowed payload size (6291556 bytes).\",\"errorType\":\"Function.ResponseSizeTooLarge\"}";

#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Return(Value),
    /// The function fails with [`TOO_LARGE`].
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Rerun,
    /// The AI server's result, as the webhook completes a dispatch.
    Delivered(&'static str),
}

impl Decision {
    pub fn output(self) -> Value {
        match self {
            Decision::Approve => json!({"action": "approve"}),
            Decision::Rerun => json!({"action": "rerun"}),
            Decision::Delivered(stage) => json!({"key": format!("jobs/j/{stage}/run-0001.json")}),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: &'static str,
    /// Each scenario has a region of its own in moto, so its Lambda answer
    /// queue is its own and scenarios run side by side.
    pub region: &'static str,
    pub input: Value,
    /// (function, answer) in the order the functions are invoked.
    pub invocations: Vec<(&'static str, Answer)>,
    pub decisions: Vec<Decision>,
}

impl Scenario {
    pub fn new(name: &'static str, region: &'static str, gates: bool) -> Self {
        Scenario {
            name,
            region,
            input: json!({
                "job_id": format!("job-{name}"),
                "gates": {"segment": gates, "outline": gates, "questions": gates, "videos": gates},
                "force": false,
                "render_videos": false,
                "max_concurrency": 2,
                "video_concurrency": 2,
            }),
            invocations: Vec::new(),
            decisions: Vec::new(),
        }
    }

    pub fn with(mut self, field: &str, value: Value) -> Self {
        self.input[field] = value;
        self
    }

    pub fn step(mut self, function: &'static str, output: Value) -> Self {
        self.invocations.push((function, Answer::Return(output)));
        self
    }

    pub fn fails(mut self, function: &'static str) -> Self {
        self.invocations.push((function, Answer::Fail));
        self
    }

    /// The gate function is invoked (its answer is ignored: the task waits
    /// for its token), then the reviewer decides.
    pub fn gate(mut self, decision: Decision) -> Self {
        self.invocations
            .push(("Gate", Answer::Return(json!({"handed_over": true}))));
        self.decisions.push(decision);
        self
    }

    /// The dispatch of `stage` to the AI server (its answer is ignored: the
    /// task waits for its token), then the server's result arrives.
    pub fn dispatch(mut self, stage: &'static str) -> Self {
        self.invocations
            .push(("Dispatch", Answer::Return(json!({"callback": "handle"}))));
        self.decisions.push(Decision::Delivered(stage));
        self
    }

    /// The Parallel of lesson planning, `lessons` lessons and the
    /// assessment. Their order varies from run to run, so they all answer
    /// the same: the plan, which the assessment's output may carry too.
    pub fn write(mut self, lessons: usize) -> Self {
        let plan = plan(lessons);
        self = self
            .step("PlanLessons", plan.clone())
            .step("Assessment", plan.clone());
        for _ in 0..lessons {
            self = self.step("Lesson", plan.clone());
        }
        self
    }

    /// The narrations (the videos stage), then the renders.
    pub fn videos(self, lessons: usize) -> Self {
        self.narrations().renders(lessons)
    }

    pub fn narrations(self) -> Self {
        self.step("PlanVideos", json!({"key": "jobs/j/videos/run-0001.json"}))
    }

    /// The renders' plan, then the video Map; its items too run in any
    /// order, so answer alike.
    pub fn renders(mut self, lessons: usize) -> Self {
        let items: Vec<Value> = (0..lessons)
            .map(|i| json!({"module": i / 2, "lesson": i % 2, "attempt": 1}))
            .collect();
        self = self.step("PlanRenders", json!({ "videos": items }));
        for _ in 0..lessons {
            self = self.step("Video", json!({"status": "completed"}));
        }
        self
    }
}

fn plan(lessons: usize) -> Value {
    let refs: Vec<Value> = (0..lessons)
        .map(|i| json!({"chapter": i / 2, "lesson": i % 2, "title": format!("Lesson {i}")}))
        .collect();
    json!({"lessons": refs})
}

/// What an interpreter did with a scenario, in a form both produce alike.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// SUCCEEDED, FAILED or ABORTED.
    pub status: String,
    /// Entered states in order; states inside a Parallel or Map (whose
    /// branches interleave differently on every run) as one sorted group.
    pub entered: Vec<String>,
    /// Every invocation's function and payload (tokens blanked), sorted.
    pub invocations: Vec<String>,
    pub output: Option<Value>,
    pub error: Option<(String, String)>,
}

/// Groups the entered states nested in a Parallel or Map: `top` is the set
/// of the definition's top-level state names.
pub fn canonical_entered(entered: &[String], top: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut group: Vec<&str> = Vec::new();
    let flush = |group: &mut Vec<&str>, out: &mut Vec<String>| {
        if !group.is_empty() {
            group.sort_unstable();
            out.push(format!("[{}]", group.join(", ")));
            group.clear();
        }
    };
    for name in entered {
        if top.contains(name) {
            flush(&mut group, &mut out);
            out.push(name.clone());
        } else {
            group.push(name);
        }
    }
    flush(&mut group, &mut out);
    out
}

/// An invocation's parameters as one comparable line: the function's name
/// without its ARN prefix and the payload with any task token blanked.
pub fn invocation_line(parameters: &Value) -> String {
    let function = parameters["FunctionName"].as_str().unwrap_or_default();
    let function = function.rsplit(':').next().unwrap_or(function);
    let mut payload = parameters["Payload"].clone();
    if payload.get("token").is_some() {
        payload["token"] = json!("<token>");
    }
    format!("{function} {payload}")
}
