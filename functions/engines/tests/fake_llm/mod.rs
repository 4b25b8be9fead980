//! An OpenAI-compatible chat completions server for tests and benchmarks.
//! It checks every request (key, model, a strict JSON Schema), answers each
//! kind of call the LLM engine makes with work done by the offline engine on
//! exactly what the request showed it, bills every answered call in a
//! ledger, and — when asked — fails 30% of calls: 429 with Retry-After,
//! 500, a stall past the client's timeout, a body that is not JSON, a reply
//! that breaks the schema, or (lessons) a question with a repeated option.
//! No request fails more than twice, so retries stay bounded.
#![allow(dead_code)] // each test file uses its own subset

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
use coursegen_core::course::{BloomLevel, Question, QuestionType};
use coursegen_core::material::{Material, Sentence};
use coursegen_core::options::Options;
use coursegen_engines::offline::knowledge::Knowledge;
use coursegen_engines::offline::notes::{flashcards, glossary};
use coursegen_engines::offline::questions::{Scope, generate};
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

    /// The lecture, or the notes of the topic course's chapters.
    fn all_material(&self) -> Vec<Sentence> {
        if self.material.is_empty() {
            course_notes().0
        } else {
            self.material.clone()
        }
    }

    /// Questions on `statements`: where they are a stretch of the lecture
    /// (or of the topic course's notes), on that stretch; else on them alone.
    fn statement_questions(
        &self,
        statements: &[&str],
        mix: BTreeMap<QuestionType, u8>,
    ) -> Vec<Question> {
        let material = if self.material.is_empty() {
            course_notes().0
        } else {
            self.material.clone()
        };
        let at: Option<Vec<usize>> = statements
            .iter()
            .map(|t| material.iter().position(|s| s.text == *t))
            .collect();
        match at {
            Some(at) if !at.is_empty() => {
                let (first, last) = (*at.iter().min().unwrap(), *at.iter().max().unwrap());
                questions_in(material, first..last + 1, mix)
            }
            _ => {
                let sentences = statements
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Sentence {
                        start_ms: i as u64 * 1000,
                        end_ms: i as u64 * 1000 + 900,
                        text: (*t).to_owned(),
                    })
                    .collect();
                questions(sentences, mix)
            }
        }
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
        _ => answer(&fake, &task, &messages, fault == Some("repeated-option")).to_string(),
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

/// Numbered lines (`12. [03:45] …`) of a prompt: how many there are.
fn numbered_lines(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            let digits: String = l.chars().take_while(char::is_ascii_digit).collect();
            !digits.is_empty() && l[digits.len()..].starts_with(". [")
        })
        .count()
}

/// Segments every 4 blocks (or where fixed), two per lesson, three lessons
/// per module.
fn plan(user: &str) -> Value {
    let blocks = numbered_lines(user);
    let starts: Vec<usize> = match user.split_once("starting at blocks ") {
        Some((_, rest)) => rest
            .split('.')
            .next()
            .unwrap()
            .split(", ")
            .map(|n| n.trim().parse().unwrap())
            .collect(),
        None => (1..=blocks).step_by(4).collect(),
    };
    let mut v = outline(starts.len());
    v["segments"] = starts
        .iter()
        .enumerate()
        .map(|(i, b)| json!({"first_block": b, "title": format!("Segment {}", i + 1),
                             "summary": format!("Part {} of the lecture.", i + 1), "keyphrases": []}))
        .collect();
    v
}

fn outline(segments: usize) -> Value {
    let lessons: Vec<Vec<usize>> = (1..=segments)
        .collect::<Vec<_>>()
        .chunks(2)
        .map(<[usize]>::to_vec)
        .collect();
    let modules: Vec<Value> = lessons
        .chunks(3)
        .enumerate()
        .map(|(m, ls)| {
            json!({"title": format!("Module {}", m + 1), "summary": "A module.",
                   "lessons": ls.iter().map(|segs| json!({
                       "title": format!("Lesson {}", segs[0].div_ceil(2)),
                       "segments": segs, "objectives": ["Explain the part"]})).collect::<Vec<_>>()})
        })
        .collect();
    json!({"title": "The Course", "description": "A course.", "modules": modules})
}

/// Where `text` is in the material, as a run of its sentences.
fn run_of(material: &[Sentence], text: &str) -> Option<std::ops::Range<usize>> {
    let first = material.iter().position(|s| text.starts_with(&s.text))?;
    let mut end = first;
    let mut rest = text;
    for s in &material[first..] {
        match rest.strip_prefix(&s.text) {
            Some(r) => {
                end += 1;
                rest = r.trim_start();
            }
            None => break,
        }
    }
    rest.is_empty().then_some(first..end)
}

/// "2 single_choice, 1 true_false" (with optional Bloom notes) → counts.
fn wanted(list: &str) -> BTreeMap<QuestionType, u8> {
    let mut mix = BTreeMap::new();
    for item in list.split(", ") {
        let mut words = item.split_whitespace();
        let (Some(n), Some(ty)) = (words.next(), words.next()) else {
            continue;
        };
        let ty = ty.trim_end_matches('.');
        if let (Ok(n), Ok(ty)) = (n.parse::<u8>(), serde_json::from_value(json!(ty))) {
            *mix.entry(ty).or_default() += n;
        }
    }
    mix
}

fn questions(sentences: Vec<Sentence>, mix: BTreeMap<QuestionType, u8>) -> Vec<Question> {
    let n = sentences.len();
    questions_in(sentences, 0..n, mix)
}

/// Questions on the `range` of `sentences` (the rest is what distractors
/// may come from).
fn questions_in(
    sentences: Vec<Sentence>,
    range: std::ops::Range<usize>,
    mix: BTreeMap<QuestionType, u8>,
) -> Vec<Question> {
    let knowledge = Knowledge::new(Material::from(sentences));
    let s = &knowledge.sentences;
    let (start_ms, end_ms) = (s[range.start].start_ms, s[range.end - 1].end_ms);
    let scope = Scope {
        knowledge: &knowledge,
        range,
        start_ms,
        end_ms,
        title: "",
        id_prefix: "q".into(),
    };
    generate(
        &scope,
        &Options {
            question_mix: mix,
            ..Options::default()
        },
    )
}

/// Every chapter's notes of the fake's topic course, and where each is.
fn course_notes() -> (Vec<Sentence>, Vec<(String, std::ops::Range<usize>)>) {
    let mut all = Vec::new();
    let mut chapters = Vec::new();
    for k in 0..4 {
        let title = format!("Chapter {}: {}", k + 1, TERMS[4 * k]);
        let notes = chapter_notes(&title, &TERMS[4 * k..4 * k + 3].join("; "));
        let start = all.len();
        all.extend(notes.into_iter().map(|mut s| {
            s.start_ms += start as u64 * 1000;
            s.end_ms += start as u64 * 1000;
            s
        }));
        chapters.push((title, start..all.len()));
    }
    (all, chapters)
}

/// Questions of a chapter of the fake's topic course: the offline
/// engine's, and a multiple choice on the chapter's terms (which that
/// engine cannot make from notes this short).
fn chapter_questions(title: &str, mix: BTreeMap<QuestionType, u8>) -> Vec<Question> {
    let (all, chapters) = course_notes();
    let k = chapters.iter().position(|(t, _)| t == title).unwrap_or(0);
    let mut qs = questions_in(all, chapters[k].1.clone(), mix.clone());
    let multi = mix.get(&QuestionType::MultiChoice).copied().unwrap_or(0);
    if multi > 0
        && qs
            .iter()
            .all(|q| q.question_type() != QuestionType::MultiChoice)
    {
        let other = (k + 1) % 4;
        let option = |t: &str, correct| {
            let bare = t.trim_start_matches("a ").trim_start_matches("an ");
            json!({"text": capitalise(bare), "correct": correct})
        };
        qs.push(
            serde_json::from_value(json!({
                "id": "q-multi", "type": "multi_choice", "bloom": "remember", "difficulty": "easy",
                "points": 1, "prompt": "Which of these does the chapter define?",
                "options": [option(TERMS[4 * k], true), option(TERMS[4 * other], false),
                            option(TERMS[4 * k + 1], true), option(TERMS[4 * other + 1], false)]
            }))
            .unwrap(),
        );
    }
    qs
}

/// The fake's topic course's questions: `mix` of them, from its chapters.
fn topic_questions(mix: BTreeMap<QuestionType, u8>) -> Vec<Question> {
    let (_, chapters) = course_notes();
    let pool: Vec<Question> = chapters
        .iter()
        .flat_map(|(t, _)| chapter_questions(t, mix.clone()))
        .collect();
    let mut taken: BTreeMap<QuestionType, u8> = BTreeMap::new();
    pool.into_iter()
        .filter(|q| {
            let n = taken.entry(q.question_type()).or_default();
            *n += 1;
            *n <= mix.get(&q.question_type()).copied().unwrap_or(0)
        })
        .collect()
}

/// "1 single_choice at Bloom level apply, 1 true_false" → the requests.
fn requested(list: &str) -> Vec<(QuestionType, Option<BloomLevel>)> {
    list.split(", ")
        .filter_map(|item| {
            let (head, level) = match item.split_once(" at Bloom level ") {
                Some((h, l)) => (
                    h,
                    serde_json::from_value(json!(l.trim_end_matches('.'))).ok(),
                ),
                None => (item, None),
            };
            let ty = serde_json::from_value(json!(
                head.split_whitespace().nth(1)?.trim_end_matches('.')
            ))
            .ok()?;
            Some((ty, level))
        })
        .collect()
}

/// For each request, a question of its type from `pool` — of its Bloom
/// level where the pool has one — each used once.
fn pick(mut pool: Vec<Question>, requests: &[(QuestionType, Option<BloomLevel>)]) -> Vec<Question> {
    let mut out = Vec::new();
    for (ty, level) in requests {
        let exact = pool
            .iter()
            .position(|q| q.question_type() == *ty && Some(q.bloom) == *level);
        if let Some(i) = exact.or_else(|| pool.iter().position(|q| q.question_type() == *ty)) {
            out.push(pool.remove(i));
        }
    }
    out
}

/// Plenty of each requested type to pick from.
fn pool_mix(requests: &[(QuestionType, Option<BloomLevel>)]) -> BTreeMap<QuestionType, u8> {
    requests.iter().map(|(t, _)| (*t, 4)).collect()
}

fn between<'a>(text: &'a str, a: &str, b: &str) -> &'a str {
    let start = text.find(a).map_or(0, |i| i + a.len());
    let end = text[start..].find(b).map_or(text.len(), |i| start + i);
    &text[start..end]
}

fn answer(fake: &Fake, task: &str, messages: &[String], repeat_option: bool) -> Value {
    let user = messages.get(1).map_or("", String::as_str);
    // The follow-up's request (a repair turn may come after it).
    let last = messages
        .iter()
        .rev()
        .find(|m| m.contains("to replace them: "))
        .or(messages.last())
        .map_or("", String::as_str);
    match task {
        "verdict" => json!({"suitable": true, "confidence": 0.9,
                            "reason": "It explains its topics step by step.", "category": "instructional"}),
        "plan" if fake.weak => {
            let mut v = plan(user);
            let segments = v["segments"].as_array_mut().unwrap();
            segments.reverse();
            v["modules"] = outline(1)["modules"].clone();
            v["modules"][0]["lessons"][0]["segments"] = json!([2]);
            v
        }
        "plan" => plan(user),
        "outline" => outline(numbered_lines(user)),
        "topic_outline" => topic_outline(between(user, "level:\n\n", "\n\n")),
        "chapter" => {
            let title = between(user, "the chapter \"", "\"").to_owned();
            let sentences = chapter_notes(&title, between(user, "covering these topics: ", ".\n"));
            fake.chapters
                .lock()
                .unwrap()
                .insert(title.clone(), sentences.clone());
            let mix = wanted(between(user, "exercises: exactly ", ". Bloom"));
            let text: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
            let content = format!(
                "## {title}\n\n```rust\nfn main() {{}}\n```\n\n{}",
                text.join(" ")
            );
            json!({"title": title, "objectives": [], "content_md": content,
                   "key_concepts": ["the topic"], "exercises": chapter_questions(&title, mix)})
        }
        "replacements" if user.starts_with("Some exercises for") => {
            // A follow-up quoting the material's central statements.
            let statements: Vec<&str> = between(user, "<<<\n", "\n>>>").lines().collect();
            let wanted = requested(between(user, "new exercises: ", ". Each must"));
            json!({"exercises": pick(fake.statement_questions(&statements, pool_mix(&wanted)), &wanted)})
        }
        "replacements" if user.contains("Write the detailed notes of the chapter") => {
            let title = between(user, "the chapter \"", "\"");
            let wanted = requested(between(last, "to replace them: ", ". Same rules"));
            json!({"exercises": pick(chapter_questions(title, pool_mix(&wanted)), &wanted)})
        }
        "assessment" | "replacements"
            if !user.contains("<<<")
                && fake
                    .blank_assessments
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                    .is_ok() =>
        {
            json!({"questions": [], "exercises": [], "glossary": [], "flashcards": []})
        }
        "assessment" | "replacements"
            if !user.contains("<<<")
                && fake
                    .labelled_assessments
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                    .is_ok() =>
        {
            let mut qs = serde_json::to_value(topic_questions(pool_mix(&requested(between(
                user,
                "of these types: ",
                ". Bloom",
            )))))
            .unwrap();
            for (i, q) in qs.as_array_mut().unwrap().iter_mut().enumerate() {
                q["prompt"] = json!(format!("q{}", i + 1));
            }
            let knowledge = Knowledge::new(Material::from(fake.all_material()));
            json!({"questions": qs, "exercises": qs, "glossary": glossary(&knowledge),
                   "flashcards": flashcards(&knowledge)})
        }
        "replacements" if !user.contains("<<<") => {
            // The assessment's follow-up: questions from the whole lecture
            // (or every chapter's notes).
            let wanted = requested(between(last, "to replace them: ", ". Same rules"));
            let pool = if fake.material.is_empty() {
                topic_questions(pool_mix(&wanted))
            } else {
                questions(fake.material.clone(), pool_mix(&wanted))
            };
            json!({"exercises": pick(pool, &wanted)})
        }
        "lesson" | "replacements" => {
            let span = between(user, "<<<\n", "\n>>>");
            let Some(range) = run_of(&fake.material, span) else {
                fake.problem(format!(
                    "{task}: the span is not a run of the material: {} messages, {:.300?}",
                    messages.len(),
                    span
                ));
                return json!({});
            };
            if task == "replacements" {
                let wanted = requested(between(last, "to replace them: ", ". Same rules"));
                let pool = questions_in(fake.material.clone(), range, pool_mix(&wanted));
                return json!({"exercises": pick(pool, &wanted)});
            }
            let mix = wanted(between(user, "exercises: exactly ", ". Bloom"));
            let title = between(user, "Write the lesson \"", "\"").to_owned();
            let content: Vec<&str> = fake.material[range.clone()]
                .iter()
                .take(3)
                .map(|s| s.text.as_str())
                .collect();
            let written = questions_in(fake.material.clone(), range, mix);
            let mut exercises = serde_json::to_value(written).unwrap();
            if repeat_option
                && let Some(q) = exercises
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|q| q["type"] == "single_choice")
            {
                let first = q["options"][0].clone();
                q["options"][1]["text"] = first["text"].clone();
            }
            json!({"title": title, "objectives": ["Explain the part"], "content_md": content.join(" "),
                   "key_concepts": ["the part"], "exercises": exercises})
        }
        "assessment" => {
            let count: usize = between(user, "exactly ", " questions").parse().unwrap_or(0);
            let mix = wanted(between(user, "of these types: ", ". Bloom"));
            let knowledge = Knowledge::new(Material::from(fake.all_material()));
            let mut qs = if fake.material.is_empty() {
                topic_questions(mix)
            } else {
                questions(fake.material.clone(), mix)
            };
            qs.truncate(count);
            json!({"questions": qs, "glossary": glossary(&knowledge), "flashcards": flashcards(&knowledge)})
        }
        "notes" => {
            let knowledge = Knowledge::new(Material::from(fake.all_material()));
            json!({"glossary": glossary(&knowledge), "flashcards": flashcards(&knowledge)})
        }
        other => {
            fake.problem(format!("an unknown task {other:?}"));
            json!({})
        }
    }
}

/// Terms a topic course's chapters teach, four to a chapter.
const TERMS: [&str; 16] = [
    "ownership",
    "borrowing",
    "a lifetime",
    "a trait",
    "a generic",
    "a closure",
    "an iterator",
    "a module",
    "a macro",
    "a result",
    "a thread",
    "a channel",
    "a slice",
    "a vector",
    "a string",
    "an enum",
];
const KINDS: [&str; 4] = ["rule", "feature", "construct", "tool"];
const PURPOSES: [&str; 4] = [
    "decides which part of a program frees each value",
    "lets code use a value without taking it over",
    "describes how long a reference stays valid",
    "groups behaviour that many types can share",
];

/// Two modules of two chapters, each with three topics.
fn topic_outline(topic: &str) -> Value {
    let chapter = |k: usize| {
        let topics: Vec<String> = TERMS[4 * k..4 * k + 3]
            .iter()
            .map(|t| (*t).to_owned())
            .collect();
        json!({"title": format!("Chapter {}: {}", k + 1, TERMS[4 * k]), "topics": topics})
    };
    json!({"title": format!("Learning {topic}"), "description": "A course.",
           "modules": [
               {"title": "Foundations", "summary": "The basics.", "chapters": [chapter(0), chapter(1)]},
               {"title": "Practice", "summary": "Using them.", "chapters": [chapter(2), chapter(3)]}]})
}

/// A chapter's notes: for each topic a definition, a figure and an order
/// of steps, so every kind of question has something to ask about.
fn chapter_notes(title: &str, topics: &str) -> Vec<Sentence> {
    let mut texts = vec![format!("This chapter, {title}, explains {topics}.")];
    for (i, topic) in topics.split("; ").enumerate() {
        let term = topic.trim();
        let bare = term.trim_start_matches("a ").trim_start_matches("an ");
        texts.push(format!(
            "{} is a {} that {}.",
            capitalise(term),
            KINDS[i % 4],
            PURPOSES[i % 4]
        ));
        texts.push(format!("About {} of every 10 programs use {bare}.", 3 + i));
        texts.push(format!(
            "First you declare the {bare}, then you use the {bare}, and finally the compiler checks the {bare}."
        ));
    }
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Sentence {
            start_ms: i as u64 * 1000,
            end_ms: i as u64 * 1000 + 900,
            text,
        })
        .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}
