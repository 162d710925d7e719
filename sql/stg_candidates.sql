-- Candidacies as listed by the JNE (one row per person x process x office x district).
CREATE TABLE IF NOT EXISTS stg_candidates (
    process_code     VARCHAR NOT NULL,
    office           VARCHAR NOT NULL,
    district         VARCHAR,
    id_hoja_vida     BIGINT NOT NULL,
    dni              VARCHAR NOT NULL,
    nombres          VARCHAR,
    apellido_paterno VARCHAR,
    apellido_materno VARCHAR,
    full_name        VARCHAR NOT NULL,
    party_id         BIGINT,
    party_name       VARCHAR,
    list_position    INTEGER,
    status           VARCHAR NOT NULL,
    source_url       VARCHAR NOT NULL,
    archive_sha256   VARCHAR NOT NULL
);
