//! The `coursegen` binary, run as a user would run it.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{Duration, Utc};
use coursegen_core::ids::JobId;
use coursegen_core::job::CourseRef;
use coursegen_core::lifecycle::{self, Command as JobCommand, NewJob};
use coursegen_core::options::Options;
use coursegen_core::ports::JobStore;
use coursegen_core::source::Source;
use coursegen_core::stage::Stage;
use coursegen_local::{DataDir, dev_auth};

fn coursegen(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coursegen"))
        .args(args)
        .env("COURSEGEN_DATA", data)
        .env_remove("COURSEGEN_JWT_SECRET")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

async fn seed(data: &Path, owner: &str, n: usize) -> Vec<JobId> {
    let store = DataDir::new(data).open_store().unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let new = NewJob {
            id: JobId::new(),
            owner: owner.parse().unwrap(),
            course: CourseRef {
                course_id: "c1".parse().unwrap(),
                version_id: "v1".parse().unwrap(),
                module_id: None,
                section_id: None,
            },
            source: Source::Youtube {
                video_id: "henIVlCPVIY".parse().unwrap(),
            },
            options: Options::default(),
        };
        let now = Utc::now() + Duration::seconds(i as i64);
        let (job, events) = lifecycle::create(new, now).unwrap();
        store.create(&job, &events).await.unwrap();
        let (next, events) = lifecycle::apply(
            &job,
            JobCommand::StartStage {
                stage: Stage::Ingest,
            },
            now,
        )
        .unwrap();
        store.update(&next, job.version, &events).await.unwrap();
        ids.push(job.id);
    }
    ids
}

#[test]
fn version_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let out = coursegen(dir.path(), &["--version"]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out).trim(),
        format!("coursegen {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn listing_an_empty_or_missing_data_dir_says_so_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    let out = coursegen(&missing, &["jobs", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("no jobs in"), "{}", stdout(&out));
    assert!(
        !missing.exists(),
        "a read-only command must not create the data directory"
    );
}

#[tokio::test]
async fn jobs_list_and_show() {
    let dir = tempfile::tempdir().unwrap();
    let ids = seed(dir.path(), "alice", 3).await;
    seed(dir.path(), "bob", 1).await;

    let out = coursegen(dir.path(), &["jobs", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("ID"), "{text}");
    assert_eq!(text.lines().count(), 5, "header + 4 jobs: {text}");
    assert!(
        text.contains("running") && text.contains("youtube henIVlCPVIY"),
        "{text}"
    );

    let out = coursegen(
        dir.path(),
        &["jobs", "list", "--owner", "alice", "--limit", "2", "--json"],
    );
    let page: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed: Vec<&str> = page["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        vec![ids[2].to_string(), ids[1].to_string()],
        "newest first"
    );
    let next = page["next"].as_str().expect("a second page");
    let out = coursegen(
        dir.path(),
        &[
            "jobs", "list", "--owner", "alice", "--json", "--cursor", next,
        ],
    );
    let page: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(page["jobs"][0]["id"], ids[0].to_string());
    assert!(page["next"].is_null());

    let id = ids[0].to_string();
    let out = coursegen(dir.path(), &["jobs", "show", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("job      {id}")) && text.contains("ingest      running"),
        "{text}"
    );

    let out = coursegen(dir.path(), &["jobs", "show", &id, "--json"]);
    let job: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (job["id"].as_str(), job["version"].as_u64()),
        (Some(id.as_str()), Some(2))
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path(), "alice", 1).await;
    let unknown = JobId::new().to_string();
    let out = coursegen(dir.path(), &["jobs", "show", &unknown]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("no job {unknown}")),
        "{}",
        stderr(&out)
    );

    let out = coursegen(dir.path(), &["jobs", "show", "not-an-id"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a ULID"), "{}", stderr(&out));

    let out = coursegen(dir.path(), &["jobs", "list", "--cursor", "garbage"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--cursor is not a cursor"),
        "{}",
        stderr(&out)
    );

    let out = coursegen(
        dir.path(),
        &["token", "--sub", "bob", "--role", "instructor"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("needs --course"), "{}", stderr(&out));

    let out = coursegen(dir.path(), &["token", "--sub", "bob", "--role", "root"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown role"), "{}", stderr(&out));
}

#[test]
fn tokens_verify_with_the_data_dirs_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = coursegen(
        dir.path(),
        &[
            "token", "--sub", "tina", "--role", "ta", "--course", "c1", "--course", "c2",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let token = stdout(&out).trim().to_owned();
    let secret = DataDir::new(dir.path()).jwt_secret(None).unwrap();
    let principal = dev_auth::verify(&secret, &token).unwrap();
    assert_eq!(principal.user.as_str(), "tina");
    assert_eq!(principal.role, coursegen_core::auth::Role::Ta);
    assert_eq!(principal.courses.len(), 2);

    // COURSEGEN_JWT_SECRET wins over the data directory's secret.
    let out = Command::new(env!("CARGO_BIN_EXE_coursegen"))
        .args(["token", "--sub", "ann", "--data"])
        .arg(dir.path())
        .env("COURSEGEN_JWT_SECRET", "x".repeat(40))
        .output()
        .unwrap();
    let token = stdout(&out).trim().to_owned();
    assert!(dev_auth::verify(&secret, &token).is_err());
    let env_secret = dev_auth::JwtSecret::from_bytes("x".repeat(40).into_bytes()).unwrap();
    assert_eq!(
        dev_auth::verify(&env_secret, &token).unwrap().role,
        coursegen_core::auth::Role::Admin
    );
}
