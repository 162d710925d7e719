-- ONPE Claridad's own contribution totals per party and process (consult/org/find), by contribution type.
CREATE TABLE IF NOT EXISTS stg_party_finance (
    process_code   VARCHAR NOT NULL,
    party_ruc      VARCHAR NOT NULL,
    party_name     VARCHAR NOT NULL,
    cash           DECIMAL(18, 2) NOT NULL,
    in_kind        DECIMAL(18, 2) NOT NULL,
    activities     DECIMAL(18, 2) NOT NULL,
    other          DECIMAL(18, 2) NOT NULL,
    total          DECIMAL(18, 2) NOT NULL,
    source_url     VARCHAR NOT NULL,
    archive_sha256 VARCHAR NOT NULL
);
