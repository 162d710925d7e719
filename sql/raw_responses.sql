-- Manifest of every fetched response: what was asked, what came back, and where its bytes are archived
-- (archive/<sha256[:2]>/<sha256>.gz). Append-only: each run adds its rows, so history is kept.
CREATE TABLE IF NOT EXISTS raw_responses (
    run_id              VARCHAR NOT NULL,
    asset               VARCHAR NOT NULL,
    process_code        VARCHAR,
    source              VARCHAR NOT NULL,
    method              VARCHAR NOT NULL,
    url                 VARCHAR NOT NULL,
    request_body_sha256 VARCHAR,
    request_body        VARCHAR,
    status              INTEGER,
    content_type        VARCHAR,
    bytes               BIGINT,
    sha256              VARCHAR,
    fetched_at          TIMESTAMPTZ NOT NULL,
    elapsed_ms          INTEGER,
    error               VARCHAR
);
