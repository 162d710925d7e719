-- Curated court rulings after the election, one row per ruling, each with its evidence URL.
CREATE TABLE IF NOT EXISTS stg_court_rulings (
    ruling_id       VARCHAR NOT NULL,
    dni             VARCHAR NOT NULL,
    person_name     VARCHAR NOT NULL,
    case_number     VARCHAR NOT NULL,
    court           VARCHAR NOT NULL,
    ruling_date     DATE NOT NULL,
    crime           VARCHAR NOT NULL,
    crime_category  VARCHAR NOT NULL,
    crime_negligent BOOLEAN NOT NULL,
    crime_also_named VARCHAR,
    instance        VARCHAR NOT NULL,
    firm            BOOLEAN NOT NULL,
    outcome         VARCHAR NOT NULL,
    sentence_text   VARCHAR,
    modality        VARCHAR,
    sentence_served VARCHAR NOT NULL,
    evidence_url    VARCHAR NOT NULL,
    retrieved_date  DATE NOT NULL,
    notes           VARCHAR,
    source_url      VARCHAR NOT NULL,
    archive_sha256  VARCHAR NOT NULL
);
