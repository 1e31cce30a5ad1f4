-- Feature flags: one definition per app, environment and key (variants,
-- rules and default as JSON), the groups their rules target, and the keys
-- apps evaluate them with over OFREP (only the SHA-256 of a key is kept).
CREATE TABLE flags (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps (id),
    environment TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    enabled     INTEGER NOT NULL,
    definition  TEXT    NOT NULL,
    killed_by   TEXT    NOT NULL,
    kill_reason TEXT    NOT NULL,
    killed_at   INTEGER,
    version     INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (app_id, environment, key)
);

CREATE TABLE flag_groups (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps (id),
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    definition  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (app_id, name)
);

CREATE TABLE flag_keys (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps (id),
    environment TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    hash        TEXT    NOT NULL UNIQUE,
    hint        TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX flag_keys_app ON flag_keys (app_id, id);
