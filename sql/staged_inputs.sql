-- The answers (and parser version) each fully reloaded staged table was last built from, per process: when
-- a run's answers are byte-for-byte the same, the table is kept as it is instead of parsed again (issue 6).
CREATE TABLE IF NOT EXISTS staged_inputs (
    table_name   VARCHAR NOT NULL,
    process_code VARCHAR,
    fingerprint  VARCHAR NOT NULL,  -- sha256 over the parser version and each request with its body's sha256
    loaded_at    TIMESTAMPTZ NOT NULL
);
