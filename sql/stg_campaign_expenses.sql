-- Expenses candidates reported to ONPE (Formato 8), one row per receipt: date, platform, provider, receipt,
-- amount and concept.
CREATE TABLE IF NOT EXISTS stg_campaign_expenses (
    process_code      VARCHAR NOT NULL,
    dni               VARCHAR NOT NULL,
    candidate_name    VARCHAR,
    party_name        VARCHAR,
    expense_date      DATE NOT NULL,
    platform          VARCHAR,
    provider_document VARCHAR,
    receipt_type      VARCHAR,
    receipt_number    VARCHAR,
    amount            DECIMAL(18, 2) NOT NULL,
    concept           VARCHAR,
    source_url        VARCHAR NOT NULL,
    archive_sha256    VARCHAR NOT NULL
);
