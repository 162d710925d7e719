-- One row per publication: when, where its release lives, and the hash of its manifest.
CREATE TABLE IF NOT EXISTS publications (
    published_at    TIMESTAMPTZ NOT NULL,
    release_dir     VARCHAR NOT NULL,
    manifest_sha256 VARCHAR NOT NULL,
    tables          INTEGER NOT NULL,
    changes         INTEGER NOT NULL
);
