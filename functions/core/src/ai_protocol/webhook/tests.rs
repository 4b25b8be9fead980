use serde_json::json;

use super::*;

fn body(v: Value) -> Vec<u8> {
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn the_protocols_segmentation_example_reads() {
    let d = parse(&body(json!({
        "task": "SEGMENTATION", "status": "COMPLETED", "jobId": "abc",
        "data": {"status": "COMPLETED", "segmentationMap": [142.6, 318.04, 505.9],
                 "transcriptFileUrl": "https://files.example/t.json",
                 "parameters": {"lam": 4.5, "runs": 25, "noiseId": -1}}
    })))
    .unwrap();
    assert_eq!(d.task, AiTask::Segmentation);
    assert_eq!(d.task.stage(), Stage::Segment);
    assert_eq!(d.job_id, "abc");
    let Report::Completed(TaskOutput::Segmentation {
        segment_ends_s,
        parameters,
        ..
    }) = d.report
    else {
        panic!("{:?}", d.report)
    };
    assert_eq!(segment_ends_s, vec![142.6, 318.04, 505.9]);
    assert_eq!(parameters["lam"], json!(4.5));
}

#[test]
fn data_status_is_authoritative_and_running_carries_nothing_else() {
    let d = parse(&body(json!({
        "task": "QUESTION_GENERATION", "status": "RUNNING", "jobId": "j",
        "data": {"status": "FAILED", "error": "CUDA out of memory"}
    })))
    .unwrap();
    assert_eq!(
        d.report,
        Report::Failed {
            error: "CUDA out of memory".into()
        }
    );
    let d = parse(&body(
        json!({"task": "SEGMENTATION", "status": "RUNNING", "jobId": "j"}),
    ))
    .unwrap();
    assert_eq!(d.report, Report::Running);
    let d = parse(&body(
        json!({"task": "SEGMENTATION", "jobId": "j", "data": {"status": "ABORTED"}}),
    ))
    .unwrap();
    assert_eq!(d.report, Report::Other(TaskStatus::Aborted));
}

#[test]
fn every_completed_task_reads_its_files() {
    let d = parse(&body(
        json!({"task": "QUESTION_GENERATION", "jobId": "j", "data": {
        "status": "COMPLETED", "fileName": "q.json", "fileUrl": "http://127.0.0.1:9/q.json",
        "segmentMapUsed": [10, 20.5], "parameters": {"SOL": 2}}}),
    ))
    .unwrap();
    assert!(
        matches!(d.report, Report::Completed(TaskOutput::Questions { ref segment_map_used, .. }) if segment_map_used == &[10.0, 20.5])
    );
    let d = parse(&body(
        json!({"task": "TRANSCRIPT_GENERATION", "jobId": "j", "data": {
        "status": "COMPLETED", "fileName": "t.json", "fileUrl": "https://x/t.json"}}),
    ))
    .unwrap();
    assert!(
        matches!(d.report, Report::Completed(TaskOutput::Transcript { ref parameters, .. }) if parameters.is_empty())
    );
    let d = parse(&body(
        json!({"task": "AUDIO_EXTRACTION", "jobId": "j", "data": {
        "status": "COMPLETED", "fileName": "a.wav", "fileUrl": "https://x/a.wav"}}),
    ))
    .unwrap();
    assert!(matches!(
        d.report,
        Report::Completed(TaskOutput::Audio { .. })
    ));
}

#[test]
fn malformed_bodies_name_the_field() {
    let seg = |data: Value| body(json!({"task": "SEGMENTATION", "jobId": "j", "data": data}));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not json".to_vec(), "body"),
        (b"[1]".to_vec(), "body"),
        (body(json!({"jobId": "j", "status": "RUNNING"})), "task"),
        (
            body(json!({"task": "DANCING", "jobId": "j", "status": "RUNNING"})),
            "task",
        ),
        (
            body(json!({"task": "SEGMENTATION", "status": "RUNNING"})),
            "jobId",
        ),
        (
            body(json!({"task": "SEGMENTATION", "jobId": 7, "status": "RUNNING"})),
            "jobId",
        ),
        (
            body(json!({"task": "SEGMENTATION", "jobId": "j"})),
            "status",
        ),
        (
            body(json!({"task": "SEGMENTATION", "jobId": "j", "data": []})),
            "data",
        ),
        (seg(json!({"status": "DONE"})), "data.status"),
        (
            seg(json!({"status": "COMPLETED", "transcriptFileUrl": "https://x"})),
            "data.segmentationMap",
        ),
        (
            seg(
                json!({"status": "COMPLETED", "segmentationMap": [], "transcriptFileUrl": "https://x"}),
            ),
            "data.segmentationMap",
        ),
        (
            seg(
                json!({"status": "COMPLETED", "segmentationMap": [5, 3], "transcriptFileUrl": "https://x"}),
            ),
            "data.segmentationMap[1]",
        ),
        (
            seg(
                json!({"status": "COMPLETED", "segmentationMap": [5, "x"], "transcriptFileUrl": "https://x"}),
            ),
            "data.segmentationMap[1]",
        ),
        (
            seg(
                json!({"status": "COMPLETED", "segmentationMap": [-1], "transcriptFileUrl": "https://x"}),
            ),
            "data.segmentationMap[0]",
        ),
        (
            seg(json!({"status": "COMPLETED", "segmentationMap": [5]})),
            "data.transcriptFileUrl",
        ),
        (
            seg(
                json!({"status": "COMPLETED", "segmentationMap": [5], "transcriptFileUrl": "file:///etc/passwd"}),
            ),
            "data.transcriptFileUrl",
        ),
        (
            seg(
                json!({"status": "COMPLETED", "segmentationMap": [5], "transcriptFileUrl": "https://x", "parameters": 3}),
            ),
            "data.parameters",
        ),
    ];
    for (body, field) in cases {
        let err = parse(&body).unwrap_err();
        assert_eq!(
            err.field,
            field,
            "{}: {err}",
            String::from_utf8_lossy(&body)
        );
    }
}
