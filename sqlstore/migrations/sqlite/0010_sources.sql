-- Source archives of candidates (sourcepack), stored once per digest: what
-- the platform builds.
CREATE TABLE sources (
    digest     TEXT    PRIMARY KEY,
    archive    BLOB    NOT NULL,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
