-- Version 3: an execution's history in its own append-only table, so saving
-- after a step writes that step's events instead of the whole history again.
-- Histories saved by version 2 inside the snapshot move here.
CREATE TABLE execution_history (
    execution_id  TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    event         TEXT NOT NULL,
    PRIMARY KEY (execution_id, seq)
) WITHOUT ROWID;
INSERT INTO execution_history (execution_id, seq, event)
    SELECT e.id, CAST(h.key AS INTEGER), h.value
    FROM executions AS e, json_each(e.snapshot, '$.history') AS h;
UPDATE executions SET snapshot = json_set(snapshot, '$.history', json('[]'));
