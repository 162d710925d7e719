-- The ONPE Claridad candidate roll (consult/candidate/find-lastname): each candidate's reported campaign income.
CREATE TABLE IF NOT EXISTS stg_candidate_finance (
    process_code   VARCHAR NOT NULL,
    dni            VARCHAR NOT NULL,
    full_name      VARCHAR NOT NULL,
    party_name     VARCHAR,
    department     VARCHAR,
    total_income   DECIMAL(18, 2) NOT NULL,
    source_url     VARCHAR NOT NULL,
    archive_sha256 VARCHAR NOT NULL
);
