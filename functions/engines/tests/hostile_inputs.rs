//! Inputs that crashed the server or held its CPU for minutes (issue 19),
//! kept as regression tests: each now makes a course, or is refused, at a
//! cost linear in its size.

use crate::common;

use common::{clock, example, executor, new_job_from, stack};
use coursegen_core::course::{Course, course_schema};
use coursegen_core::job::JobStatus;
use coursegen_core::options::{Approvals, Options};
use coursegen_core::outputs::SegmentParams;
use coursegen_core::source::{Source, TranscriptFormat};
use coursegen_engines::ingest::{sentences, transcript};
use coursegen_engines::offline::course::generate;
use coursegen_engines::work::measure;
use coursegen_local::asl::{Drive, ExecutionStatus};

/// `vtt` with cues saying `lines`, one every three seconds from `from_ms`.
fn with_cues(mut vtt: String, from_ms: u64, lines: &[String]) -> Vec<u8> {
    for (i, line) in lines.iter().enumerate() {
        let start = from_ms + i as u64 * 3000;
        vtt.push_str(&format!(
            "\n\n{} --> {}\n{line}",
            clock(start, '.'),
            clock(start + 2800, '.')
        ));
    }
    vtt.push('\n');
    vtt.into_bytes()
}

/// Runs an auto-approved job on the uploaded WebVTT `bytes` to its end
/// and returns the course it made.
async fn course_from_vtt(bytes: Vec<u8>) -> Course {
    let stack = stack().await;
    let options = Options {
        approvals: Approvals::none(),
        ..Options::default()
    };
    let source = |upload_key| Source::Transcript {
        upload_key,
        format: TranscriptFormat::Vtt,
    };
    let id = new_job_from(&stack, "hostile.vtt", bytes, source, options).await;
    let ex = executor(&stack, id).await;
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Succeeded, "{:?}", exec.error);
    let job = stack.steps.jobs.get(id).await.unwrap();
    assert_eq!(job.status, JobStatus::Succeeded);
    let key = format!("jobs/{id}/course.json").parse().unwrap();
    let bytes = stack.steps.artifacts.get(&key).await.unwrap().bytes;
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let validator = jsonschema::validator_for(&course_schema()).unwrap();
    assert!(validator.is_valid(&value));
    serde_json::from_value(value).unwrap()
}

#[tokio::test]
async fn the_sample_lecture_with_turkish_cues_becomes_a_course() {
    // "İ" is 2 bytes and its lower case 3: the offline engine cut these
    // sentences at offsets of their lower case and panicked, which took the
    // whole server down (issue 19).
    let lecture = String::from_utf8(example("lecture/lecture.en.vtt")).unwrap();
    let lines = [
        "Tea grows on the green hills above the Black Sea.",
        "In İzmir we call this çay.",
        "First, İİİİİİİİİİ is what the guests shout.",
    ]
    .map(str::to_owned);
    let course = course_from_vtt(with_cues(lecture, 30 * 60 * 1000, &lines)).await;
    assert!(course.modules.iter().all(|m| !m.lessons.is_empty()));
    assert!(
        course.glossary.iter().any(|g| g.term == "çay"),
        "{:?}",
        course.glossary
    );
}

#[tokio::test]
async fn a_definition_every_fifth_cue_becomes_a_course() {
    // Each definition compared with every other for each question: 103 s
    // at 5,000 such cues, 599 s at 10,000, before wrong options came from
    // the nearest terms.
    let term = |i: usize| {
        let letters = b"bcdfghjklmnpqrstvwxz";
        let mut w = String::from("k");
        let mut x = i;
        for _ in 0..4 {
            w.push(letters[x % letters.len()] as char);
            x /= letters.len();
        }
        w
    };
    // Made-up words everywhere, so the material does not repeat itself
    // like song lyrics.
    let lines: Vec<String> = (0..1000)
        .map(|i| {
            let [t, u, v, w] = [0, 1, 2, 3].map(|k| term(i * 4 + k));
            match i % 5 {
                0 => format!(
                    "A {} is a {u} that carries {v} between the {w}.",
                    term(i / 5)
                ),
                1 => format!("The {} changes the {t} when {u} rises.", term(i / 5)),
                2 => format!("Researchers measured how the {t} responds to {u} in {v}."),
                3 => format!("Some {t} surprised the {u} because they contradicted {v}."),
                _ => format!("Without the {} the {t} would slow the {u}.", term(i / 5)),
            }
        })
        .collect();
    let course = course_from_vtt(with_cues("WEBVTT".into(), 0, &lines)).await;
    assert_eq!(course.glossary.len(), 200);
    assert!(course.assessment.is_some_and(|a| !a.questions.is_empty()));
}

/// Steps of work per byte of input that reading and the whole offline
/// engine may take: linear, where these floods once took ~bytes²/2.
const STEPS_PER_BYTE: u64 = 40;

#[test]
fn caption_floods_are_read_or_refused_in_linear_work() {
    // 1.2 MB captions of one character: the clean-up searched to the end of
    // the text for every unmatched bracket or entity, minutes of CPU.
    for flood in ["(", "[", "&", "(&["] {
        let text = flood.repeat(600_000 / flood.len());
        let vtt = with_cues("WEBVTT".into(), 0, &[text.clone(), text]);
        let (outcome, steps) = measure(|| {
            transcript(&vtt, TranscriptFormat::Vtt).map(|t| {
                let material = sentences(&t).into();
                generate(
                    material,
                    None,
                    None,
                    &SegmentParams::default(),
                    &Options::default(),
                )
            })
        });
        if let Ok(generated) = outcome {
            assert!(
                !generated.validation.suitable,
                "{flood:?}: no words to teach"
            );
        }
        assert!(
            steps <= STEPS_PER_BYTE * vtt.len() as u64,
            "{flood:?}: {steps} steps for {} bytes",
            vtt.len()
        );
    }
}
