-- Keys the server makes for itself (the web session key), shared by every
-- `runway up` process on this database.
CREATE TABLE server_secrets (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
