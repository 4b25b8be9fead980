//! `coursegen generate RECORDING`: a lecture spoken by espeak-ng becomes a
//! course and the transcript it was made from; a recording that is not one
//! is a clear error. Needs the `speech` build and the set-up's model
//! (scripts/setup-speech; scripts/test sets COURSEGEN_ASR_MODEL).

use std::path::Path;
use std::process::Output;

use crate::generate::stderr;

#[cfg(feature = "speech")]
pub(crate) const LECTURE: [&str; 4] = [
    "Today we look at how the heart moves blood through the body. The heart has four chambers: \
     two atria at the top and two ventricles below. Blood that has given up its oxygen returns \
     through the veins into the right atrium, and passes into the right ventricle.",
    "The right ventricle pumps this blood to the lungs. In the lungs, the blood releases carbon \
     dioxide and takes up fresh oxygen. It then flows back to the left atrium, and down into the \
     left ventricle, the strongest chamber of the heart.",
    "The left ventricle pushes oxygen rich blood into the aorta, and from there through the \
     arteries to every organ. Valves between the chambers stop the blood from flowing backwards. \
     This double loop, through the lungs and through the body, is called the double circulation.",
    "A healthy heart beats about seventy times a minute at rest. Each beat starts with an electric \
     signal from a small group of cells called the pacemaker. The signal spreads across the atria, \
     which contract first, and then reaches the ventricles, which contract a moment later.",
];

/// `coursegen generate` with nothing on stdin.
fn generate(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    crate::generate::generate(dir, args, "", env)
}

#[test]
fn a_recording_without_a_model_is_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let audio = dir.path().join("talk.mp3");
    std::fs::write(&audio, b"ID3").unwrap();
    let missing = dir.path().join("no-model.bin");
    let out = generate(
        dir.path(),
        &[audio.to_str().unwrap()],
        &[("COURSEGEN_ASR_MODEL", missing.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    let log = stderr(&out);
    assert!(
        log.contains("talk.mp3 is audio and cannot be transcribed: "),
        "{log}"
    );
    assert!(log.contains("--engine ai-server"), "{log}");
}

/// `text` spoken by espeak-ng in `voice`, as `dir/name`.
#[cfg(feature = "speech")]
pub(crate) fn speak(dir: &Path, name: &str, voice: &str, text: &str) -> std::path::PathBuf {
    let wav = dir.join(name);
    let spoken = std::process::Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&wav)
        .arg(text)
        .status()
        .unwrap();
    assert!(spoken.success());
    wav
}

/// The model README's set-up writes, or COURSEGEN_ASR_MODEL's.
#[cfg(feature = "speech")]
pub(crate) fn model() -> std::path::PathBuf {
    use std::path::PathBuf;
    std::env::var_os("COURSEGEN_ASR_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/tools/models/ggml-base-q8_0.bin")
        })
}

#[cfg(feature = "speech")]
#[test]
fn a_spoken_lecture_becomes_a_course_and_its_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let wav = speak(dir.path(), "lecture.wav", "en-us", &LECTURE.join("\n\n"));
    let model = model();
    let out = generate(
        dir.path(),
        &[wav.to_str().unwrap(), "--auto-approve"],
        &[("COURSEGEN_ASR_MODEL", model.to_str().unwrap())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("transcript.vtt"), "{printed}");

    let vtt = std::fs::read_to_string(dir.path().join("out/transcript.vtt")).unwrap();
    assert!(vtt.starts_with("WEBVTT\n"), "{vtt}");
    let text = vtt.to_lowercase();
    for word in ["heart", "chambers", "lungs", "oxygen", "circulation"] {
        assert!(text.contains(word), "{word} in {vtt}");
    }
    let course: coursegen_core::course::Course =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/course.json")).unwrap())
            .unwrap();
    let lessons: Vec<_> = course.modules.iter().flat_map(|m| &m.lessons).collect();
    assert!(!lessons.is_empty());
    let content = lessons
        .iter()
        .map(|l| l.content_md.to_lowercase())
        .collect::<String>();
    assert!(content.contains("oxygen"), "{content}");
}

#[cfg(feature = "speech")]
#[test]
fn a_file_that_is_not_a_recording_fails_the_job_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("lecture.wav");
    std::fs::write(&fake, "not sound at all\n").unwrap();
    let model = model();
    let out = generate(
        dir.path(),
        &[fake.to_str().unwrap(), "--auto-approve"],
        &[("COURSEGEN_ASR_MODEL", model.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    let log = stderr(&out);
    assert!(log.contains("not a recording ffmpeg can read"), "{log}");
    assert!(!dir.path().join("out/transcript.vtt").exists());
}

/// The reference AI server transcribes with the same engine: a recording
/// sent for TRANSCRIPTION comes back as the transcript the course is made of.
#[cfg(feature = "speech")]
#[test]
fn the_reference_ai_server_transcribes_a_recording_too() {
    use std::process::Stdio;
    const SECRET: &str = "a recording's webhook secret";
    let dir = tempfile::tempdir().unwrap();
    let wav = speak(dir.path(), "lecture.wav", "en-us", &LECTURE.join("\n\n"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let webhook = format!("http://127.0.0.1:{port}/v1/webhooks/ai-server");
    let model = model();
    let mut worker = crate::common::coursegen()
        .args([
            "ai-server",
            "--addr",
            "127.0.0.1:0",
            "--webhook-url",
            &webhook,
            "--secret",
            SECRET,
        ])
        .env("COURSEGEN_ASR_MODEL", &model)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let worker_url = crate::common::announced(&mut worker, "listening on ");
    let out = generate(
        dir.path(),
        &[
            wav.to_str().unwrap(),
            "--engine",
            "ai-server",
            "--auto-approve",
            "--webhook-addr",
            &format!("127.0.0.1:{port}"),
        ],
        &[
            ("COURSEGEN_AI_SERVER_URL", worker_url.as_str()),
            ("COURSEGEN_WEBHOOK_SECRET", SECRET),
            // generate itself has no model: the AI server transcribes.
            ("COURSEGEN_ASR_MODEL", "/nonexistent/model.bin"),
        ],
    );
    let _ = worker.kill();
    let _ = worker.wait();
    assert!(out.status.success(), "{}", stderr(&out));
    let vtt = std::fs::read_to_string(dir.path().join("out/transcript.vtt")).unwrap();
    for word in ["heart", "lungs", "oxygen"] {
        assert!(vtt.to_lowercase().contains(word), "{word} in {vtt}");
    }
}

/// A course of a German recording is German: the language heard is the
/// course's when no option says otherwise.
#[cfg(feature = "speech")]
#[test]
fn the_language_heard_is_the_courses() {
    let dir = tempfile::tempdir().unwrap();
    let wav = speak(
        dir.path(),
        "vortrag.wav",
        "de",
        "Heute sprechen wir über das Herz. Das Herz hat vier Kammern. Das Blut fließt aus den \
         Venen in den rechten Vorhof und dann in die rechte Kammer. Von dort wird es in die Lunge \
         gepumpt, wo es Sauerstoff aufnimmt. Danach fließt es in die linke Kammer, die es durch \
         die Aorta in den ganzen Körper drückt.",
    );
    let model = model();
    let out = generate(
        dir.path(),
        &[
            wav.to_str().unwrap(),
            "--auto-approve",
            "--option",
            "force=true",
        ],
        &[("COURSEGEN_ASR_MODEL", model.to_str().unwrap())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let course: coursegen_core::course::Course =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/course.json")).unwrap())
            .unwrap();
    assert_eq!(course.language, "de");
}
