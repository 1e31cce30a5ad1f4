-- Teams, apps, release candidates and the hash-chained audit trail.
-- Times are Unix microseconds (UTC); JSON is stored as text.
CREATE TABLE teams (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    display_name TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);

CREATE TABLE apps (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    team_id    INTEGER NOT NULL REFERENCES teams (id),
    manifest   TEXT    NOT NULL,
    tier       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX apps_team ON apps (team_id, id);

CREATE TABLE candidates (
    id            INTEGER PRIMARY KEY,
    app_id        INTEGER NOT NULL REFERENCES apps (id),
    number        INTEGER NOT NULL,
    source_digest TEXT    NOT NULL,
    decision      TEXT    NOT NULL,
    tier          INTEGER NOT NULL,
    submitted_by  TEXT    NOT NULL,
    report        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (app_id, number)
);
CREATE INDEX candidates_decision ON candidates (decision, id);

CREATE TABLE audit_entries (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    data      TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
CREATE INDEX audit_entries_subject ON audit_entries (subject, seq);

-- One row: the last entry of the chain. Appending locks it, which orders
-- writers, and comparing it with the chain reveals truncation.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
