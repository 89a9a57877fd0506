-- The offline advisory database (OSV) and the dependency audits of runs.
-- Advisories are imported data, not derived from the store: a rebuild of
-- the catalog keeps them. Each import replaces the advisories of the
-- ecosystems it holds (an OSV export is a full snapshot of an ecosystem).

CREATE TABLE advisory_imports (
    ecosystem  TEXT    NOT NULL PRIMARY KEY,
    source     TEXT    NOT NULL,
    digest     TEXT    NOT NULL,
    imported   BIGINT  NOT NULL,
    advisories INTEGER NOT NULL
);

-- One row per advisory and affected package name: the advisory's JSON is
-- repeated for each package it names (rarely more than one).
CREATE TABLE advisories (
    ecosystem TEXT   NOT NULL,
    package   TEXT   NOT NULL,
    id        TEXT   NOT NULL,
    modified  BIGINT NOT NULL,
    data      TEXT   NOT NULL,
    PRIMARY KEY (ecosystem, package, id)
);

CREATE TABLE dependency_audits (
    run     TEXT   NOT NULL,
    report  TEXT   NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (run, report)
);
