-- job_runs gains 'abandoned' (a run left 'running' by a process that died, closed when the daemon next starts) and
-- the pid of the process that ran it. Widening a CHECK on a STRICT table needs a rebuild: nothing references
-- job_runs by foreign key, so the table is copied, swapped and its index recreated in this one transaction.

CREATE TABLE job_runs_rebuilt (
    id           INTEGER NOT NULL PRIMARY KEY,
    job          TEXT    NOT NULL,
    fire_time    TEXT    NOT NULL,
    started_at   TEXT    NOT NULL,
    finished_at  TEXT    NULL,
    status       TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed', 'cancelled', 'abandoned')),
    items        INTEGER NOT NULL DEFAULT 0,
    error        TEXT    NULL,
    pid          INTEGER NULL                        -- the process that ran it; NULL for rows from before this column
) STRICT;

INSERT INTO job_runs_rebuilt (id, job, fire_time, started_at, finished_at, status, items, error)
    SELECT id, job, fire_time, started_at, finished_at, status, items, error FROM job_runs;

DROP TABLE job_runs;
ALTER TABLE job_runs_rebuilt RENAME TO job_runs;
CREATE INDEX ix_job_runs_job_started ON job_runs (job, started_at);
