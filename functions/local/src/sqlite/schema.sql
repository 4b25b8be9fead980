-- Version 1. Mirrors the DynamoDB table's shape: a job row (its state without
-- runs), one row per run, one row per event, callback handles and webhook
-- deliveries with expiry times (DynamoDB's TTL).

CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    course_id   TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX jobs_by_owner   ON jobs (owner, created_ms DESC, id DESC);
CREATE INDEX jobs_by_course  ON jobs (course_id, created_ms DESC, id DESC);
CREATE INDEX jobs_by_created ON jobs (created_ms DESC, id DESC);

CREATE TABLE runs (
    job_id  TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    stage   INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    body    TEXT NOT NULL,
    PRIMARY KEY (job_id, stage, n)
) WITHOUT ROWID;

CREATE TABLE events (
    job_id  TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    body    TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;

CREATE TABLE callbacks (
    id          TEXT PRIMARY KEY,
    token       TEXT NOT NULL,
    job_id      TEXT NOT NULL,
    stage       TEXT NOT NULL,
    expires_ms  INTEGER NOT NULL
);

CREATE TABLE deliveries (
    id          TEXT PRIMARY KEY,
    lease_ms    INTEGER,
    answer      TEXT,
    expires_ms  INTEGER NOT NULL
);
