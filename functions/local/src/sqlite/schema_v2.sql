-- Version 2: workflow executions of the embedded interpreter, saved after
-- every step. Names are unique: starting an execution is idempotent by name,
-- as in Step Functions.
CREATE TABLE executions (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL,
    snapshot    TEXT NOT NULL,
    updated_ms  INTEGER NOT NULL
);
CREATE INDEX executions_by_status ON executions (status);
