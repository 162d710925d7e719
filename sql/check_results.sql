-- The last result of each blocking schema check (issue 6), keyed by the checked table's content fingerprint,
-- the parser/schema version and the day (a date check depends on today). A matching key reuses the result,
-- a failure as much as a pass.
CREATE TABLE IF NOT EXISTS check_results (
    check_name VARCHAR NOT NULL,
    key        VARCHAR NOT NULL,
    passed     BOOLEAN NOT NULL,
    metadata   JSON NOT NULL,
    checked_at TIMESTAMPTZ NOT NULL
);
