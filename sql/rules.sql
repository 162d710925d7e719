-- The legal rules behind every flag (pipeline/rules/legal_rules.yaml), with citation and dates in force, and
-- for finance limits their value (1 UIT) and the reference values that convert them (the UIT of each year).
CREATE OR REPLACE TABLE rules (
    id                   VARCHAR PRIMARY KEY,
    kind                 VARCHAR NOT NULL,
    title_es             VARCHAR NOT NULL,
    citation             VARCHAR NOT NULL,
    valid_from           DATE NOT NULL,
    valid_from_precision VARCHAR NOT NULL,
    valid_to             DATE,
    requires_firm        BOOLEAN NOT NULL,
    summary_es           VARCHAR NOT NULL,
    status               VARCHAR NOT NULL,
    value                DECIMAL(18, 2),  -- a limit or reference value (finance rules), in value_unit
    value_unit           VARCHAR          -- UIT or PEN
);
