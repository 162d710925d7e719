-- Congress roster rows as published (no DNI; matched to candidacies in `legislators`).
CREATE TABLE IF NOT EXISTS stg_legislators (
    process_code        VARCHAR NOT NULL,
    chamber             VARCHAR NOT NULL,
    office              VARCHAR NOT NULL,
    period              VARCHAR NOT NULL,
    full_name           VARCHAR NOT NULL,
    party               VARCHAR,
    parliamentary_group VARCHAR,
    district            VARCHAR,
    condition           VARCHAR,
    profile_url         VARCHAR,
    source_url          VARCHAR NOT NULL,
    archive_sha256      VARCHAR NOT NULL
);
