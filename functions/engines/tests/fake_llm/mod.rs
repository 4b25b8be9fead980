//! An OpenAI-compatible chat completions server for tests and benchmarks.
//! It checks every request (key, model, a strict JSON Schema), answers each
//! kind of call the LLM engine makes with work done by the offline engine on
//! exactly what the request showed it, bills every answered call in a
//! ledger, and — when asked — fails 30% of calls: 429 with Retry-After,
//! 500, a stall past the client's timeout, a body that is not JSON, a reply
//! that breaks the schema, or (lessons) a question with a repeated option.
//! No request fails more than twice, so retries stay bounded.
#![allow(dead_code)] // each test file uses its own subset

mod answers;

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use coursegen_core::material::Sentence;
use serde_json::{Value, json};

pub const KEY: &str = "test-key";

/// How long an answer takes: `base` plus a time per prompt and per
/// completion token (a model reads fast and writes slowly).
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    pub base: Duration,
    pub per_prompt_token: Duration,
    pub per_completion_token: Duration,
}

impl Latency {
    pub fn of(&self, prompt: u64, completion: u64) -> Duration {
        self.base
            + self.per_prompt_token * u32::try_from(prompt).unwrap_or(u32::MAX)
            + self.per_completion_token * u32::try_from(completion).unwrap_or(u32::MAX)
    }
}

#[derive(Debug, Clone)]
pub struct Call {
    pub task: String,
    pub model: String,
    pub status: u16,
    pub fault: Option<&'static str>,
    /// Every message's text, in order.
    pub messages: Vec<String>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub started: Instant,
    pub finished: Instant,
}

/// What a faulty call does, in turn: an HTTP failure, a stall past the
/// client's timeout, a body that is not JSON, a reply off its schema, a
/// reply cut at the token limit.
pub const FAULTS: [&str; 6] = ["429", "500", "stall", "not-json", "schema", "cut"];

pub struct Fake {
    pub material: Vec<Sentence>,
    /// The model each task must name; others `default_model`.
    pub models: HashMap<String, String>,
    pub default_model: String,
    pub faults: bool,
    /// Plans like a weak model's: segments out of order, lessons that skip
    /// segments, however often it is asked.
    pub weak: bool,
    /// How long a stalled call stalls (past the client's timeout).
    pub stall: Duration,
    pub latency: Option<Latency>,
    pub calls: Mutex<Vec<Call>>,
    /// What a request must not do, as found.
    pub problems: Mutex<Vec<String>>,
    attempts: Mutex<HashMap<u64, (u32, Option<Instant>)>>,
    seq: AtomicUsize,
    faulted: AtomicUsize,
    /// Which of `FAULTS` the first fault is.
    pub first_fault: usize,
    /// How many of the assessment's replies (its follow-ups included) come
    /// without a question, as a weak model's may.
    pub blank_assessments: AtomicUsize,
    /// How many of the assessment's replies (its follow-ups included) ask
    /// only labels ("q1"), with a glossary and flashcards that are sound.
    pub labelled_assessments: AtomicUsize,
    /// The model's context in tokens, as llama.cpp's server holds it: a
    /// request whose prompt and completion budget exceed it is refused.
    pub context: Option<u64>,
    /// Replies cut short at the token limit, with the last message of
    /// their request: never sent back, and their repair must say so.
    cut: Mutex<Vec<(String, String)>>,
    /// The notes written for each chapter of a topic course, by title.
    pub chapters: Mutex<BTreeMap<String, Vec<Sentence>>>,
}

pub struct Server {
    pub url: String,
    pub fake: Arc<Fake>,
}

impl Fake {
    pub fn new(material: Vec<Sentence>, faults: bool) -> Self {
        Fake {
            material,
            models: HashMap::new(),
            default_model: "test-model".into(),
            faults,
            weak: false,
            stall: Duration::from_millis(1500),
            latency: None,
            calls: Mutex::new(Vec::new()),
            problems: Mutex::new(Vec::new()),
            attempts: Mutex::new(HashMap::new()),
            seq: AtomicUsize::new(0),
            faulted: AtomicUsize::new(0),
            first_fault: 0,
            cut: Mutex::new(Vec::new()),
            blank_assessments: AtomicUsize::new(0),
            labelled_assessments: AtomicUsize::new(0),
            context: None,
            chapters: Mutex::new(BTreeMap::new()),
        }
    }

    pub async fn serve(self) -> Server {
        let fake = Arc::new(self);
        let app = Router::new()
            .route("/v1/chat/completions", post(complete))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { url, fake }
    }

    /// Tokens billed for answered calls: (prompt, completion).
    pub fn billed(&self) -> (u64, u64) {
        let calls = self.calls.lock().unwrap();
        calls.iter().fold((0, 0), |(p, c), call| {
            (p + call.prompt_tokens, c + call.completion_tokens)
        })
    }

    /// How many calls of `task` were answered whose request contains `about`.
    pub fn asked(&self, task: &str, about: &str) -> usize {
        let calls = self.calls.lock().unwrap();
        calls
            .iter()
            .filter(|c| c.task == task && c.messages[1].contains(about))
            .count()
    }

    fn problem(&self, p: String) {
        eprintln!("fake LLM: {p}");
        self.problems.lock().unwrap().push(p);
    }
}

/// The fake's tokenizer: whitespace-separated pieces.
pub fn tokens(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

fn hash(x: impl Hash) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

/// Every object closed and fully required, no oneOf/allOf: strict mode.
fn strict_problems(schema: &Value, path: &str, out: &mut Vec<String>) {
    match schema {
        Value::Object(m) => {
            for banned in ["oneOf", "allOf", "format"] {
                if m.contains_key(banned) {
                    out.push(format!("{path}: {banned} is not allowed in strict mode"));
                }
            }
            if let Some(Value::Object(props)) = m.get("properties") {
                if m.get("additionalProperties") != Some(&Value::Bool(false)) {
                    out.push(format!("{path}: an object is not closed"));
                }
                let required = m
                    .get("required")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                if required != props.len() {
                    out.push(format!("{path}: not every property is required"));
                }
            }
            for (k, v) in m {
                strict_problems(v, &format!("{path}/{k}"), out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| strict_problems(v, path, out)),
        _ => {}
    }
}

async fn complete(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Instant::now();
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        fake.problem("a request body is not JSON".into());
        return StatusCode::BAD_REQUEST.into_response();
    };
    let task = request["response_format"]["json_schema"]["name"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let model = request["model"].as_str().unwrap_or("").to_owned();
    let messages: Vec<String> = request["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|m| m["content"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    // The checks every request passes.
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {KEY}"))
    {
        fake.problem(format!("{task}: no bearer key"));
    }
    let want = fake.models.get(&task).unwrap_or(&fake.default_model);
    if &model != want {
        fake.problem(format!("{task}: model {model:?}, not {want:?}"));
    }
    if request["response_format"]["type"] != "json_schema"
        || request["response_format"]["json_schema"]["strict"] != true
    {
        fake.problem(format!("{task}: not a strict json_schema response format"));
    }
    let schema = &request["response_format"]["json_schema"]["schema"];
    if jsonschema::validator_for(schema).is_err() {
        fake.problem(format!("{task}: the schema does not compile"));
    }
    let mut strict = Vec::new();
    strict_problems(schema, &task, &mut strict);
    fake.problems.lock().unwrap().extend(strict);
    let Some(limit) = request["max_completion_tokens"].as_u64().filter(|n| *n > 0) else {
        fake.problem(format!("{task}: no max_completion_tokens"));
        return StatusCode::BAD_REQUEST.into_response();
    };
    // A reply cut at the limit is not sent back; the request again says
    // it was cut off and asks for a shorter one.
    for (request, reply) in fake.cut.lock().unwrap().iter() {
        if messages.contains(reply) {
            fake.problem(format!("{task}: a cut reply was sent back"));
        }
        if let Some(last) = messages.last()
            && last.starts_with(request.as_str())
            && last != request
            && !last.contains("cut off at the limit")
        {
            fake.problem(format!(
                "{task}: a cut reply's repair does not say it was cut"
            ));
        }
    }
    let prompt_tokens: u64 = messages.iter().map(|m| tokens(m)).sum();

    // Faults: decided by the request and its attempt number, never past the
    // second attempt; a retry before the Retry-After is a problem.
    let key = hash(&body[..]);
    let attempt = {
        let mut attempts = fake.attempts.lock().unwrap();
        let entry = attempts.entry(key).or_insert((0, None));
        if let Some(not_before) = entry.1
            && Instant::now() < not_before
        {
            fake.problems
                .lock()
                .unwrap()
                .push(format!("{task}: retried before its Retry-After"));
        }
        entry.0 += 1;
        entry.0
    };
    // Three calls in ten fail, the kinds taken in turn from `first_fault`;
    // a lesson's invalid reply is a multiple choice with a repeated option.
    let seq = fake.seq.fetch_add(1, Ordering::Relaxed);
    let faulty = [0, 2, 5].contains(&(seq % 10)) && fake.faults && attempt <= 2;
    let fault = faulty.then(|| {
        let n = fake.faulted.fetch_add(1, Ordering::Relaxed) + fake.first_fault;
        match FAULTS[n % FAULTS.len()] {
            "schema" if task == "lesson" => "repeated-option",
            kind => kind,
        }
    });
    let record = |status: u16, completion_tokens: u64, billed: bool| Call {
        task: task.clone(),
        model: model.clone(),
        status,
        fault,
        messages: messages.clone(),
        prompt_tokens: if billed { prompt_tokens } else { 0 },
        completion_tokens: if billed { completion_tokens } else { 0 },
        started,
        finished: Instant::now(),
    };
    let unbilled = |status: StatusCode, headers: Vec<(&'static str, String)>, body: String| {
        fake.calls
            .lock()
            .unwrap()
            .push(record(status.as_u16(), 0, false));
        let mut response = (status, body).into_response();
        for (k, v) in headers {
            response.headers_mut().insert(k, v.parse().unwrap());
        }
        response
    };
    if let Some(context) = fake.context
        && prompt_tokens + limit > context
    {
        // llama.cpp's answer, whose numeric `code` async-openai cannot read.
        let message = format!(
            "request ({} tokens) exceeds the available context size ({context} tokens), try increasing it",
            prompt_tokens + limit
        );
        return unbilled(
            StatusCode::BAD_REQUEST,
            vec![],
            json!({"error": {"code": 400, "message": message, "type": "exceed_context_size_error"}})
                .to_string(),
        );
    }
    match fault {
        Some("429") => {
            fake.attempts.lock().unwrap().get_mut(&key).unwrap().1 =
                Some(Instant::now() + Duration::from_secs(1));
            return unbilled(
                StatusCode::TOO_MANY_REQUESTS,
                vec![("retry-after", "1".into())],
                json!({"error": {"message": "slow down", "type": "rate_limit_error", "param": null, "code": null}}).to_string(),
            );
        }
        Some("500") => return unbilled(StatusCode::INTERNAL_SERVER_ERROR, vec![], "boom".into()),
        Some("stall") => {
            // Recorded before the stall: the client gives up first.
            let response = unbilled(StatusCode::GATEWAY_TIMEOUT, vec![], "stalled".into());
            tokio::time::sleep(fake.stall).await;
            return response;
        }
        Some("not-json") => return unbilled(StatusCode::OK, vec![], "{\"id\": \"cmpl".into()),
        _ => {}
    }
    let mut content = match fault {
        Some("schema") => json!({"unexpected": true}).to_string(),
        _ => answers::answer(&fake, &task, &messages, fault == Some("repeated-option")).to_string(),
    };
    // Our answers fit their task's budget; one cut short is a fault.
    if tokens(&content) > limit {
        fake.problem(format!(
            "{task}: a {}-token answer is over the {limit}-token limit",
            tokens(&content)
        ));
    }
    let cut = fault == Some("cut");
    if cut {
        content = content.chars().take(content.chars().count() / 2).collect();
        let request = messages.last().cloned().unwrap_or_default();
        fake.cut.lock().unwrap().push((request, content.clone()));
    }
    let completion_tokens = tokens(&content);
    if let Some(latency) = fake.latency {
        tokio::time::sleep(latency.of(prompt_tokens, completion_tokens)).await;
    }
    fake.calls
        .lock()
        .unwrap()
        .push(record(200, completion_tokens, true));
    axum::Json(json!({
        "id": "cmpl-1", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "finish_reason": if cut { "length" } else { "stop" },
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens}
    }))
    .into_response()
}
