-- Users, their roles and their API tokens (only hashes are stored).
CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    email      TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- team is '' for organisation roles, so that the key is simple.
CREATE TABLE role_grants (
    user_id INTEGER NOT NULL REFERENCES users (id),
    role    TEXT    NOT NULL,
    team    TEXT    NOT NULL,
    PRIMARY KEY (user_id, role, team)
);

CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT    NOT NULL,
    hash         TEXT    NOT NULL UNIQUE,
    scopes       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);
CREATE INDEX tokens_user ON tokens (user_id, id);
