-- Promotion requests, the approvals they collect, the deployments they
-- start, time-limited elevated access and replay keys.
CREATE TABLE promotions (
    id               INTEGER PRIMARY KEY,
    app_id           INTEGER NOT NULL REFERENCES apps (id),
    environment      TEXT    NOT NULL,
    candidate        INTEGER NOT NULL,
    tier             INTEGER NOT NULL,
    candidate_digest TEXT    NOT NULL,
    decision_digest  TEXT    NOT NULL,
    sbom_digest      TEXT    NOT NULL,
    submitted_by     TEXT    NOT NULL,
    requested_by     TEXT    NOT NULL,
    note             TEXT    NOT NULL,
    break_glass      INTEGER NOT NULL,
    state            TEXT    NOT NULL,
    requirements     TEXT    NOT NULL,
    why              TEXT    NOT NULL,
    outcome          TEXT    NOT NULL,
    scheduled_for    INTEGER,
    expires_at       INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    decided_at       INTEGER,
    auto_approved    INTEGER NOT NULL,
    reminders_sent   INTEGER NOT NULL,
    deployment_id    INTEGER
);
CREATE INDEX promotions_app ON promotions (app_id, id);
CREATE INDEX promotions_state ON promotions (state, id);

CREATE TABLE approvals (
    id               INTEGER PRIMARY KEY,
    promotion_id     INTEGER NOT NULL REFERENCES promotions (id),
    by_actor         TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    role             TEXT    NOT NULL,
    verdict          TEXT    NOT NULL,
    reason           TEXT    NOT NULL,
    via              TEXT    NOT NULL,
    candidate_digest TEXT    NOT NULL,
    decision_digest  TEXT    NOT NULL,
    sbom_digest      TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    voided_at        INTEGER,
    void_reason      TEXT    NOT NULL
);
CREATE INDEX approvals_promotion ON approvals (promotion_id, id);

CREATE TABLE deployments (
    id               INTEGER PRIMARY KEY,
    app_id           INTEGER NOT NULL REFERENCES apps (id),
    environment      TEXT    NOT NULL,
    candidate        INTEGER NOT NULL,
    candidate_digest TEXT    NOT NULL,
    promotion_id     INTEGER,
    state            TEXT    NOT NULL,
    break_glass      INTEGER NOT NULL,
    started_by       TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX deployments_app ON deployments (app_id, environment, id);

CREATE TABLE access_grants (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    role        TEXT    NOT NULL,
    team        TEXT    NOT NULL,
    app         TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    duration_s  INTEGER NOT NULL,
    state       TEXT    NOT NULL,
    decided_by  TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER,
    expires_at  INTEGER
);
CREATE INDEX access_grants_user ON access_grants (user_id, state, expires_at);
CREATE INDEX access_grants_state ON access_grants (state, expires_at);

-- Keys of requests seen once (signed Slack requests), kept until they could
-- no longer be replayed.
CREATE TABLE nonces (
    key        TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
