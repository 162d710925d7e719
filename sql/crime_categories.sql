-- The crime-name mapping (pipeline/rules/crime_categories.csv): normalised phrase -> category.
CREATE OR REPLACE TABLE crime_categories (
    pattern               VARCHAR PRIMARY KEY,
    category              VARCHAR NOT NULL,
    negligent             BOOLEAN NOT NULL,
    codigo_penal_articles VARCHAR,
    note                  VARCHAR
);
