-- Source archives of candidates (sourcepack), stored once per digest: what
-- the platform builds.
CREATE TABLE sources (
    digest     TEXT    PRIMARY KEY,
    archive    BYTEA   NOT NULL,
    size       BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL
);
