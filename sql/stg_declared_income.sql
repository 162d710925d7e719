-- Income declared in each hoja de vida, one row per declared item: annual gross pay, individual rent and other
-- income, each public and private, in soles (exact decimals).
CREATE TABLE IF NOT EXISTS stg_declared_income (
    process_code   VARCHAR NOT NULL,
    id_hoja_vida   BIGINT NOT NULL,
    item_id        BIGINT NOT NULL,
    year           INTEGER NOT NULL,
    public_salary  DECIMAL(18, 2) NOT NULL,
    private_salary DECIMAL(18, 2) NOT NULL,
    public_rent    DECIMAL(18, 2) NOT NULL,
    private_rent   DECIMAL(18, 2) NOT NULL,
    public_other   DECIMAL(18, 2) NOT NULL,
    private_other  DECIMAL(18, 2) NOT NULL,
    source_url     VARCHAR NOT NULL,
    archive_sha256 VARCHAR NOT NULL
);
