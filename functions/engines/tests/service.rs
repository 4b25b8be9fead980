//! The service layer on the embedded stack with the offline engine and the
//! local workflow host: who may create, read, review and abort, racing
//! reviewers, stale edits, and decisions after the end.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{example, stack};
use coursegen_core::auth::{Principal, Role};
use coursegen_core::ids::JobId;
use coursegen_core::job::{CourseRef, Job, JobStatus};
use coursegen_core::options::Options;
use coursegen_core::ports::PageRequest;
use coursegen_core::service::{Decision, JobRequest, Service, ServiceError};
use coursegen_core::source::{Source, TranscriptFormat};
use coursegen_core::stage::{Stage, StageStatus};
use coursegen_core::upload::{UploadRequest, uploads_of};
use coursegen_local::workflow::{InProcess, LocalWorkflow, course_machine};

fn who(user: &str, role: Role, courses: &[&str]) -> Principal {
    Principal {
        user: user.parse().unwrap(),
        role,
        courses: courses.iter().map(|c| c.parse().unwrap()).collect(),
    }
}

struct World {
    service: Service,
    _stack: common::Stack,
}

async fn world() -> World {
    let stack = stack().await;
    let steps = Arc::new(stack.steps.clone());
    let workflow = Arc::new(LocalWorkflow::new(
        Arc::new(course_machine().unwrap()),
        Arc::new(InProcess::new(steps.clone())),
        stack.jobs.clone(),
    ));
    World {
        service: Service {
            steps,
            workflow,
            quota: Default::default(),
        },
        _stack: stack,
    }
}

/// The sample lecture stored as `who`'s upload (students may not upload
/// themselves), as the job to make from it.
async fn request(world: &World, who: &Principal) -> JobRequest {
    let bytes = example("lecture/lecture.srt");
    let upload = UploadRequest::Transcript {
        format: TranscriptFormat::Srt,
        size: bytes.len() as u64,
    };
    // Stored as the API stores `who`'s uploads: under `who`'s own prefix.
    let key = format!(
        "{}{}/source.srt",
        uploads_of(&who.user),
        ulid::Ulid::generate()
    )
    .parse()
    .unwrap();
    world
        .service
        .steps
        .artifacts
        .put(&key, bytes, upload.content_type())
        .await
        .unwrap();
    JobRequest {
        course: CourseRef {
            course_id: "c1".parse().unwrap(),
            version_id: "v1".parse().unwrap(),
            module_id: None,
            section_id: None,
        },
        source: Source::Transcript {
            upload_key: key,
            format: TranscriptFormat::Srt,
        },
        // Every gate on (the default).
        options: Options::default(),
    }
}

/// Waits until `stage` awaits review (or the job ends).
async fn awaiting(world: &World, id: JobId, stage: Stage) -> Job {
    for _ in 0..1000 {
        let job = world.service.steps.jobs.get(id).await.unwrap();
        if job.stage(stage).status == StageStatus::AwaitingApproval || job.status.is_terminal() {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("stage {stage} never awaited review");
}

#[tokio::test(flavor = "multi_thread")]
async fn reviews_race_edits_check_versions_and_roles_apply() {
    let world = world().await;
    let service = &world.service;
    let ta = who("tom", Role::Ta, &["c1/v1"]);
    let instructor = who("ines", Role::Instructor, &["c1"]);
    let stranger = who("sam", Role::Instructor, &["c2"]);
    let student = who("stu", Role::Student, &[]);

    let upload = UploadRequest::Transcript {
        format: TranscriptFormat::Srt,
        size: 10,
    };
    let err = service.grant_upload(&student, upload).await.unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    let err = service
        .create_job(&student, request(&world, &student).await)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    let job = service
        .create_job(&ta, request(&world, &ta).await)
        .await
        .unwrap();
    let id = job.id;

    let job = awaiting(&world, id, Stage::Segment).await;
    assert_eq!(job.status, JobStatus::AwaitingApproval);
    assert!(matches!(
        service.job(&stranger, id).await,
        Err(ServiceError::NotFound(_))
    ));
    let listed = service
        .list(&ta, None, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(
        listed.items.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![id]
    );

    // A stale If-Match is refused; the right one makes run 2.
    let run1 = service
        .steps
        .artifacts
        .get(
            job.stage(Stage::Segment)
                .latest_run()
                .unwrap()
                .output_key
                .as_ref()
                .unwrap(),
        )
        .await
        .unwrap();
    let text = String::from_utf8(run1.bytes).unwrap();
    let stale = service
        .edit(&ta, id, Stage::Segment, job.version - 1, &text)
        .await
        .unwrap_err();
    assert!(
        matches!(stale, ServiceError::VersionMismatch { .. }),
        "{stale:?}"
    );
    let bad = service
        .edit(
            &ta,
            id,
            Stage::Segment,
            job.version,
            "{\"not\": \"segments\"}",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&bad, ServiceError::Invalid(v) if v.field == "output"),
        "{bad:?}"
    );
    let edited = service
        .edit(&ta, id, Stage::Segment, job.version, &text)
        .await
        .unwrap();
    assert_eq!(edited.stage(Stage::Segment).runs.len(), 2);

    // Two reviewers approve at once: one wins, the other is told.
    let approve = Decision::Approve { run: Some(1) };
    let (a, b) = tokio::join!(
        service.decide(&ta, id, Stage::Segment, approve.clone()),
        service.decide(&instructor, id, Stage::Segment, approve.clone()),
    );
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
    let loser = a.err().or(b.err()).unwrap();
    assert!(matches!(loser, ServiceError::Conflict(_)), "{loser:?}");
    let job = service.job(&ta, id).await.unwrap();
    assert_eq!(job.stage(Stage::Segment).approved_run, Some(1));

    // The outline gate: a student owner may read but not review; a TA may
    // not abort someone else's job; the instructor may.
    awaiting(&world, id, Stage::Outline).await;
    let tom_job_as_student = who("tom", Role::Student, &[]);
    assert!(service.job(&tom_job_as_student, id).await.is_ok());
    assert!(matches!(
        service
            .decide(&tom_job_as_student, id, Stage::Outline, approve.clone())
            .await,
        Err(ServiceError::Forbidden(_))
    ));
    let other_ta = who("tia", Role::Ta, &["c1/v1"]);
    assert!(matches!(
        service.abort(&other_ta, id, None).await,
        Err(ServiceError::Forbidden(_))
    ));
    let aborted = service
        .abort(&instructor, id, Some("wrong lecture".into()))
        .await
        .unwrap();
    assert_eq!(aborted.status, JobStatus::Aborted);
    assert!(matches!(
        service.decide(&ta, id, Stage::Outline, approve).await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        service.abort(&instructor, id, None).await,
        Err(ServiceError::Conflict(_))
    ));
}
