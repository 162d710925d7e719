-- The legal rules behind every flag (pipeline/rules/legal_rules.yaml), with citation and dates in force.
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
    status               VARCHAR NOT NULL
);
