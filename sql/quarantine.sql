-- Rows that failed validation (or responses that could not be parsed), with the failing check, the value,
-- the source URL and the archive reference of the bytes they came from. Replaced per table and process.
CREATE TABLE IF NOT EXISTS quarantine (
    table_name     VARCHAR NOT NULL,
    process_code   VARCHAR,
    check_name     VARCHAR NOT NULL,
    column_name    VARCHAR,
    failure_value  VARCHAR,
    source_url     VARCHAR,
    archive_sha256 VARCHAR,
    record         VARCHAR,
    quarantined_at TIMESTAMPTZ NOT NULL
);
