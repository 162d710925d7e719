-- Each contribution a party reported to ONPE Claridad (consult/org/find-detail): contributor (DNI or RUC and
-- name, both possibly missing), type (F efectivo, E especie, A actividad, O otros), date and amount.
CREATE TABLE IF NOT EXISTS stg_contributions (
    process_code         VARCHAR NOT NULL,
    party_ruc            VARCHAR NOT NULL,
    party_name           VARCHAR NOT NULL,
    contributor_document VARCHAR,
    contributor_name     VARCHAR,
    contributor_kind     VARCHAR,
    contribution_type    VARCHAR NOT NULL,
    contribution_date    DATE NOT NULL,
    amount               DECIMAL(18, 2) NOT NULL,
    election_year        INTEGER,
    source_url           VARCHAR NOT NULL,
    archive_sha256       VARCHAR NOT NULL
);
