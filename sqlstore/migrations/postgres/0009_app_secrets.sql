-- App secrets: each value sealed with AES-256-GCM under a data key of its
-- own, the data key sealed under a master key kept outside the database
-- (key_id names it; rotation re-seals wrapped_key only). The database never
-- holds a value or a master key in clear. env '' is the app's default for
-- every environment. Deleting an app deletes its secrets.
CREATE TABLE app_secrets (
    app_id      BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    env         TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    version     BIGINT  NOT NULL,
    key_id      TEXT    NOT NULL,
    wrapped_key BYTEA   NOT NULL,
    ciphertext  BYTEA   NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    updated_by  TEXT    NOT NULL,
    PRIMARY KEY (app_id, env, name)
);
-- Rotation looks for secrets not yet under the new key.
CREATE INDEX app_secrets_key ON app_secrets (key_id);
