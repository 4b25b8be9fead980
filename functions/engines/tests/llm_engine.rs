//! The LLM engine through the whole local pipeline, against a fake
//! OpenAI-compatible server that checks every request and fails 30% of
//! them: jobs still succeed, retries stay bounded, each lesson call sees
//! only its own span, and the tokens recorded on the job's runs are exactly
//! the tokens the server billed.

use crate::common;
use crate::fake_llm;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use common::{Stack, lecture, new_job_with, stack_with};
use coursegen_core::course::{Course, QuestionBody};
use coursegen_core::ids::JobId;
use coursegen_core::job::JobStatus;
use coursegen_core::options::{Approvals, EngineKind, Options};
use coursegen_core::source::{Source, TranscriptFormat};
use coursegen_core::stage::{Stage, Usage};
use coursegen_engines::llm::{LlmConfig, RetryPolicy};
use coursegen_local::asl::{Drive, ExecutionStatus, Executor};
use coursegen_local::workflow::{InProcess, course_machine, job_execution};
use fake_llm::{Fake, KEY};

const LECTURE: &str = "lecture/lecture.en.vtt";

fn config(url: &str) -> LlmConfig {
    let mut config = LlmConfig::new(url, Some(KEY.into()), "test-model");
    config.retry = RetryPolicy {
        attempts: 4,
        timeout: Duration::from_millis(1000),
        base: Duration::from_millis(50),
        cap: Duration::from_millis(400),
    };
    config.concurrency = 4;
    config
}

fn llm_options() -> Options {
    Options {
        approvals: Approvals::none(),
        default_engine: EngineKind::Openai,
        models: BTreeMap::from([(Stage::Segment, "planner-model".to_owned())]),
        ..Options::default()
    }
}

fn transcript(k: coursegen_core::artifact::ArtifactKey) -> Source {
    Source::Transcript {
        upload_key: k,
        format: TranscriptFormat::Vtt,
    }
}

async fn run(stack: &Stack, options: Options) -> JobId {
    run_from(stack, transcript, options).await
}

/// A job on `source` run to success by the workflow.
async fn run_from(
    stack: &Stack,
    source: impl FnOnce(coursegen_core::artifact::ArtifactKey) -> Source,
    options: Options,
) -> JobId {
    let (id, exec) = run_to_end(stack, source, options).await;
    assert_eq!(exec.status, ExecutionStatus::Succeeded, "{:?}", exec.error);
    id
}

/// A job on `source` run by the workflow to its end, whatever it is.
async fn run_to_end(
    stack: &Stack,
    source: impl FnOnce(coursegen_core::artifact::ArtifactKey) -> Source,
    options: Options,
) -> (JobId, coursegen_local::asl::Execution) {
    let id = new_job_with(stack, LECTURE, source, options).await;
    let job = stack.steps.jobs.get(id).await.unwrap();
    let machine = Arc::new(course_machine().unwrap());
    let ex = Executor::new(
        machine.clone(),
        Arc::new(InProcess::new(Arc::new(stack.steps.clone()))),
        job_execution(&machine, &job),
    );
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    (id, ex.snapshot())
}

async fn course(stack: &Stack, id: JobId) -> Course {
    let key = format!("jobs/{id}/course.json").parse().unwrap();
    serde_json::from_slice(&stack.steps.artifacts.get(&key).await.unwrap().bytes).unwrap()
}

async fn usage(stack: &Stack, id: JobId) -> Usage {
    let job = stack.steps.jobs.get(id).await.unwrap();
    let mut total = Usage::default();
    for run in job.stages.iter().flat_map(|s| &s.runs) {
        total += run.usage;
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lecture_becomes_a_course_through_a_faulty_llm() {
    // Two runs, so that every kind of fault is met.
    let mut kinds = std::collections::BTreeSet::new();
    for first_fault in [0, 3] {
        kinds.extend(faulty_run(first_fault).await);
    }
    let kinds: Vec<_> = kinds
        .into_iter()
        .map(|k| if k == "repeated-option" { "schema" } else { k })
        .collect();
    for kind in fake_llm::FAULTS {
        assert!(kinds.contains(&kind), "no {kind} fault in {kinds:?}");
    }
}

/// A lecture through an LLM failing 30% of calls: the fault kinds met.
async fn faulty_run(first_fault: usize) -> Vec<&'static str> {
    let material = lecture(LECTURE);
    let mut fake = Fake::new(material.clone(), true);
    fake.first_fault = first_fault;
    fake.models.insert("plan".into(), "planner-model".into());
    let server = fake.serve().await;
    let stack = stack_with(Some(config(&server.url))).await;
    let id = run(&stack, llm_options()).await;
    let fake = &server.fake;
    let problems = fake.problems.lock().unwrap().clone();
    assert!(problems.is_empty(), "{problems:#?}");

    let job = stack.steps.jobs.get(id).await.unwrap();
    assert_eq!(job.status, JobStatus::Succeeded);
    let course = course(&stack, id).await;
    course.validate().unwrap();
    let calls = fake.calls.lock().unwrap().clone();

    // Faults were injected on about 30% of calls, of several kinds, and
    // no request was sent more than three times.
    let faulty = calls.iter().filter(|c| c.fault.is_some()).count();
    let share = faulty as f64 / calls.len() as f64;
    assert!(
        (0.15..=0.5).contains(&share),
        "{faulty} of {} calls failed",
        calls.len()
    );
    let kinds: Vec<_> = calls.iter().filter_map(|c| c.fault).collect();
    if kinds.contains(&"cut") {
        assert!(
            calls.iter().any(|c| c
                .messages
                .last()
                .is_some_and(|m| m.contains("cut off at the limit"))),
            "a cut reply was not asked for again, more briefly"
        );
    }
    let mut sent: HashMap<&Vec<String>, usize> = HashMap::new();
    for c in &calls {
        *sent.entry(&c.messages).or_default() += 1;
    }
    assert!(
        sent.values().all(|n| *n <= 3),
        "a request was sent more than three times"
    );

    // Every token the server billed is on the job's runs, and no more.
    let (prompt, completion) = fake.billed();
    let recorded = usage(&stack, id).await;
    assert_eq!(
        (recorded.prompt_tokens, recorded.completion_tokens),
        (prompt, completion)
    );
    assert!(prompt > 0);

    // Each lesson call saw its own span and nothing of the others'.
    let lessons: Vec<_> = course.modules.iter().flat_map(|m| &m.lessons).collect();
    assert!(lessons.len() >= 2);
    for lesson in &lessons {
        let own: Vec<&str> = material
            .iter()
            .filter(|s| s.start_ms >= lesson.start_ms && s.start_ms < lesson.end_ms)
            .map(|s| s.text.as_str())
            .collect();
        let call = calls
            .iter()
            .find(|c| {
                c.task == "lesson" && c.messages[1].contains(&format!("\"{}\"", lesson.title))
            })
            .unwrap_or_else(|| panic!("no call for {}", lesson.title));
        assert!(
            call.messages[1].contains(&own.join(" ")),
            "{} misses its span",
            lesson.title
        );
        for other in lessons.iter().filter(|l| l.start_ms != lesson.start_ms) {
            for s in material
                .iter()
                .filter(|s| s.start_ms >= other.start_ms && s.start_ms < other.end_ms)
            {
                let unique = material.iter().filter(|m| m.text == s.text).count() == 1;
                let long = s.text.split_whitespace().count() >= 6;
                if unique && long && !own.iter().any(|o| o.contains(&s.text)) {
                    assert!(
                        !call.messages[1].contains(&s.text),
                        "{} saw {:?}",
                        lesson.title,
                        s.text
                    );
                }
            }
        }
        // The guards held: the asked-for exercises, each answer stated in the lesson's span.
        assert_eq!(
            lesson.exercises.len(),
            asked_per_lesson(),
            "{}",
            lesson.title
        );
        for q in &lesson.exercises {
            let source = q.source.expect("a source span");
            assert!(
                source.start_ms >= lesson.start_ms && source.end_ms <= lesson.end_ms,
                "{q:?}"
            );
        }
    }
    let assessment = course.assessment.expect("an assessment");
    assert_eq!(assessment.questions.len(), 10);
    assert!(!course.glossary.is_empty() && !course.flashcards.is_empty());
    // The outline came from the segmentation call's plan: no outline call.
    assert!(calls.iter().all(|c| c.task != "outline"));
    assert!(
        calls
            .iter()
            .any(|c| c.task == "plan" && c.model == "planner-model")
    );
    kinds
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_input_again_is_answered_from_the_cache_at_no_cost() {
    let material = lecture(LECTURE);
    let mut fake = Fake::new(material, false);
    fake.models.insert("plan".into(), "planner-model".into());
    let server = fake.serve().await;
    let stack = stack_with(Some(config(&server.url))).await;
    let first = run(&stack, llm_options()).await;
    let calls = server.fake.calls.lock().unwrap().len();
    assert!(!usage(&stack, first).await.is_zero());
    let second = run(&stack, llm_options()).await;
    assert_eq!(
        server.fake.calls.lock().unwrap().len(),
        calls,
        "no new calls"
    );
    assert!(usage(&stack, second).await.is_zero());
    let (a, b) = (course(&stack, first).await, course(&stack, second).await);
    assert_eq!(a.modules, b.modules);

    // Unless fresh replies are asked for: then every call is made again.
    let fresh = Options {
        fresh: true,
        ..llm_options()
    };
    let third = run(&stack, fresh).await;
    assert_eq!(server.fake.calls.lock().unwrap().len(), 2 * calls);
    assert_eq!(usage(&stack, third).await, usage(&stack, first).await);
}

/// A topic course through `server`'s model: the job's id once it succeeded.
async fn topic_course(stack: &Stack) -> JobId {
    let topic = |_| Source::Topic {
        topic: "Rust for Python programmers".into(),
        course_type: "programming".into(),
        difficulty: coursegen_core::course::Difficulty::Medium,
    };
    let options = Options {
        models: BTreeMap::new(),
        ..llm_options()
    };
    run_from(stack, topic, options).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_topic_becomes_a_course_chapter_by_chapter() {
    let server = Fake::new(Vec::new(), true).serve().await;
    let stack = stack_with(Some(config(&server.url))).await;
    let id = topic_course(&stack).await;
    let problems = server.fake.problems.lock().unwrap().clone();
    assert!(problems.is_empty(), "{problems:#?}");

    let course = course(&stack, id).await;
    course.validate().unwrap();
    assert_eq!(course.title, "Learning Rust for Python programmers");
    // Four chapters, each with the notes written for it (code included),
    // its topics as objectives, and exercises answered in its own notes.
    let chapters: Vec<_> = course.modules.iter().flat_map(|m| &m.lessons).collect();
    assert_eq!(chapters.len(), 4);
    let written = server.fake.chapters.lock().unwrap().clone();
    for chapter in &chapters {
        let notes = &written[&chapter.title];
        assert!(
            chapter.content_md.contains(&notes[1].text),
            "{}",
            chapter.title
        );
        assert!(chapter.content_md.contains("```rust"));
        assert_eq!(chapter.objectives.len(), 3);
        assert_eq!(
            chapter.exercises.len(),
            asked_per_lesson(),
            "{}",
            chapter.title
        );
        assert!(chapter.exercises.iter().all(|q| q.source.is_none()));
    }
    let calls = server.fake.calls.lock().unwrap().clone();
    // No material: no validation, segmentation or lecture calls.
    assert!(calls.iter().all(|c| {
        [
            "topic_outline",
            "chapter",
            "replacements",
            "assessment",
            "notes",
        ]
        .contains(&c.task.as_str())
    }));
    // Every chapter's call was a call of its own.
    for chapter in &chapters {
        assert!(calls.iter().any(|c| c.task == "chapter"
            && c.messages[1].contains(&format!("the chapter \"{}\"", chapter.title))));
    }
    assert_eq!(
        course.assessment.expect("an assessment").questions.len(),
        10
    );
    assert!(!course.flashcards.is_empty() && !course.glossary.is_empty());
    let (prompt, completion) = server.fake.billed();
    let recorded = usage(&stack, id).await;
    assert_eq!(
        (recorded.prompt_tokens, recorded.completion_tokens),
        (prompt, completion)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_plan_the_model_cannot_get_right_is_put_right_by_the_engine() {
    let material = lecture(LECTURE);
    let mut fake = Fake::new(material.clone(), false);
    fake.weak = true;
    let server = fake.serve().await;
    let stack = stack_with(Some(config(&server.url))).await;
    let options = Options {
        models: BTreeMap::new(),
        ..llm_options()
    };
    let id = run(&stack, options).await;
    let problems = server.fake.problems.lock().unwrap().clone();
    assert!(problems.is_empty(), "{problems:#?}");
    // Two attempts, each with its repair turn; then the engine's mend.
    let calls = server.fake.calls.lock().unwrap().clone();
    let plans = calls.iter().filter(|c| c.task == "plan").count();
    assert_eq!(plans, 4);
    assert!(calls.iter().any(|c| {
        c.task == "plan"
            && c.messages
                .iter()
                .any(|m| m.contains("must start at block 1"))
    }));
    let course = course(&stack, id).await;
    course.validate().unwrap();
    let lessons: Vec<_> = course.modules.iter().flat_map(|m| &m.lessons).collect();
    assert!(lessons.len() >= 2);
    assert_eq!(lessons[0].start_ms, material[0].start_ms);
    for pair in lessons.windows(2) {
        assert!(
            pair[0].end_ms <= pair[1].start_ms,
            "lessons in order, none overlapping"
        );
    }
    // The segments keep the titles the model gave them.
    assert!(
        lessons.iter().all(|l| l.title.starts_with("Segment ")),
        "{lessons:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reply_with_nothing_usable_is_not_served_again_from_the_cache() {
    // The assessment's reply and its follow-up have no question: the step
    // fails, and its retry asks the model again rather than the cache.
    let fake = Fake::new(Vec::new(), false);
    fake.blank_assessments
        .store(2, std::sync::atomic::Ordering::Relaxed);
    let server = fake.serve().await;
    let stack = stack_with(Some(config(&server.url))).await;
    let id = topic_course(&stack).await;
    assert_eq!(
        server
            .fake
            .asked("assessment", "Write the final assessment"),
        2
    );
    let course = course(&stack, id).await;
    assert_eq!(
        course.assessment.expect("an assessment").questions.len(),
        10
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_topic_assessment_the_model_cannot_write_is_filled_from_its_own_notes() {
    // Every question of the assessment and of its follow-up is only a
    // label, as a small model's may be; its glossary and flashcards are
    // sound, and the offline engine asks about them instead.
    let fake = Fake::new(Vec::new(), false);
    fake.labelled_assessments
        .store(2, std::sync::atomic::Ordering::Relaxed);
    let server = fake.serve().await;
    let stack = stack_with(Some(config(&server.url))).await;
    let id = topic_course(&stack).await;
    // One assessment call and its one follow-up (the request again, not
    // the reply): no step retry.
    let asked = |task| server.fake.asked(task, "Write the final assessment");
    assert_eq!((asked("assessment"), asked("replacements")), (1, 1));
    let calls = server.fake.calls.lock().unwrap().clone();
    let follow_up = calls
        .iter()
        .find(|c| c.task == "replacements" && c.messages[1].contains("Write the final assessment"))
        .unwrap();
    assert_eq!(follow_up.messages.len(), 2);
    let course = course(&stack, id).await;
    course.validate().unwrap();
    let questions = course.assessment.expect("an assessment").questions;
    assert!(!questions.is_empty());
    let notes: Vec<String> = course
        .glossary
        .iter()
        .map(|g| g.definition.clone())
        .chain(course.flashcards.iter().map(|f| f.back.clone()))
        .collect();
    for q in &questions {
        assert!(q.prompt.split_whitespace().count() > 2, "{}", q.prompt);
        assert!(q.source.is_none());
        // Asked about what the notes say, in its prompt or its options.
        let options = match &q.body {
            QuestionBody::SingleChoice { options } | QuestionBody::MultiChoice { options } => {
                options
                    .iter()
                    .map(|o| o.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            QuestionBody::Ordering { items } => items.join(" "),
            _ => String::new(),
        };
        let asked = format!("{} {options}", q.prompt);
        let words: Vec<&str> = asked.split_whitespace().filter(|w| w.len() > 4).collect();
        assert!(
            words.iter().any(|w| notes
                .iter()
                .any(|n| n.contains(w.trim_matches(|c: char| !c.is_alphanumeric())))),
            "{}",
            q.prompt
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_the_server_refuses_fails_the_job_with_its_reason() {
    // A context too small for even the first call: llama.cpp's refusal
    // (a 400 whose error object async-openai cannot read) is the job's
    // error, and it is not asked again.
    let mut fake = Fake::new(Vec::new(), false);
    fake.context = Some(200);
    let server = fake.serve().await;
    let stack = stack_with(Some(config(&server.url))).await;
    let topic = |_| Source::Topic {
        topic: "Rust for Python programmers".into(),
        course_type: "programming".into(),
        difficulty: coursegen_core::course::Difficulty::Medium,
    };
    let (id, exec) = run_to_end(&stack, topic, llm_options()).await;
    assert_eq!(exec.status, ExecutionStatus::Failed);
    let calls = server.fake.calls.lock().unwrap().clone();
    assert_eq!(
        calls.len(),
        1,
        "{:?}",
        calls.iter().map(|c| &c.task).collect::<Vec<_>>()
    );
    let job = stack.steps.jobs.get(id).await.unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    let error = format!("{:?}", job.error);
    assert!(
        error.contains("refused the request (400 Bad Request)")
            && error.contains("exceeds the available context size"),
        "{error}"
    );
}

/// The exercises the default question mix asks of each lesson.
fn asked_per_lesson() -> usize {
    Options::default()
        .question_mix
        .values()
        .map(|n| usize::from(*n))
        .sum()
}
