-- Real estate and vehicles declared in each hoja de vida, one row per item, with its declared value in soles.
-- The address of a property is personal data and is never loaded.
CREATE TABLE IF NOT EXISTS stg_declared_assets (
    process_code   VARCHAR NOT NULL,
    id_hoja_vida   BIGINT NOT NULL,
    item_id        BIGINT NOT NULL,
    asset_kind     VARCHAR NOT NULL,
    asset_type     VARCHAR,
    registry_entry VARCHAR,
    plate          VARCHAR,
    description    VARCHAR,
    value          DECIMAL(18, 2) NOT NULL,
    comment        VARCHAR,
    source_url     VARCHAR NOT NULL,
    archive_sha256 VARCHAR NOT NULL
);
