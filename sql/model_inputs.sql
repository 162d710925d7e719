-- What each model was last built from (issue 6): sha256 over its SQL, the macros and the content of every
-- table it reads. A run whose fingerprint matches keeps the model as built; written in the build's transaction.
CREATE TABLE IF NOT EXISTS model_inputs (
    model       VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    built_at    TIMESTAMPTZ NOT NULL
);
