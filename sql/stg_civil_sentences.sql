-- Judgments on obligations (alimony, contract, labour, family violence) declared in each hoja de vida.
CREATE TABLE IF NOT EXISTS stg_civil_sentences (
    process_code   VARCHAR NOT NULL,
    id_hoja_vida   BIGINT NOT NULL,
    item_id        BIGINT NOT NULL,
    item_number    INTEGER,
    subject        VARCHAR NOT NULL,
    case_number    VARCHAR,
    court          VARCHAR,
    ruling_text    VARCHAR,
    comment        VARCHAR,
    source_url     VARCHAR NOT NULL,
    archive_sha256 VARCHAR NOT NULL
);
