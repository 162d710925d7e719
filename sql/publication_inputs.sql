-- What the current release was built from (issue 6): the content of every published table and the
-- publication code. A run with the same fingerprint keeps that release instead of writing an identical one.
CREATE TABLE IF NOT EXISTS publication_inputs (
    release_dir  VARCHAR NOT NULL,
    fingerprint  VARCHAR NOT NULL,
    published_at TIMESTAMPTZ NOT NULL
);
