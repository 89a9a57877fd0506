-- The first catalog schema. Plain types only (TEXT, INTEGER, BIGINT) so the
-- same file applies to PostgreSQL. Times are Unix nanoseconds in UTC and NULL
-- means "not yet". Digests are "sha256:<hex>" text and '' means none.

CREATE TABLE runs (
    id           TEXT    NOT NULL PRIMARY KEY,
    flow         TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    error        TEXT    NOT NULL DEFAULT '',
    record       TEXT    NOT NULL DEFAULT '',
    started      BIGINT  NOT NULL,
    finished     BIGINT,
    host         TEXT    NOT NULL DEFAULT '',
    pid          INTEGER NOT NULL DEFAULT 0,
    code         TEXT    NOT NULL DEFAULT '',
    seed         BIGINT  NOT NULL DEFAULT 0,
    resumed_from TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_started ON runs (started);
CREATE INDEX runs_by_status ON runs (status);

-- Tasks carry no foreign key to runs: a rebuild may index a task record
-- before (or without) the record of its run.
CREATE TABLE tasks (
    run       TEXT    NOT NULL,
    step      TEXT    NOT NULL,
    status    TEXT    NOT NULL,
    record    TEXT    NOT NULL,
    cache_key TEXT    NOT NULL DEFAULT '',
    exit_code INTEGER NOT NULL DEFAULT 0,
    started   BIGINT,
    finished  BIGINT,
    PRIMARY KEY (run, step)
);
CREATE INDEX tasks_by_cache_key ON tasks (cache_key, status);

CREATE TABLE task_outputs (
    run    TEXT NOT NULL,
    step   TEXT NOT NULL,
    name   TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (run, step, name),
    FOREIGN KEY (run, step) REFERENCES tasks (run, step) ON DELETE CASCADE
);
CREATE INDEX task_outputs_by_digest ON task_outputs (digest);

CREATE TABLE names (
    kind   TEXT NOT NULL,
    name   TEXT NOT NULL,
    digest TEXT NOT NULL,
    meta   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, name)
);

CREATE TABLE attestations (
    bundle         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    subject_name   TEXT NOT NULL DEFAULT '',
    predicate_type TEXT NOT NULL,
    run            TEXT NOT NULL DEFAULT '',
    signer         TEXT NOT NULL DEFAULT '',
    created        BIGINT,
    PRIMARY KEY (bundle, subject)
);
CREATE INDEX attestations_by_subject ON attestations (subject);
CREATE INDEX attestations_by_run ON attestations (run);
