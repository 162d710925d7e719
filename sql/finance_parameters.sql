-- The configured finance review thresholds the models read (not legal limits: those are rows of `rules`),
-- with the environment variable each comes from, so every review reason and flag can be traced to them.
CREATE OR REPLACE TABLE finance_parameters (
    name        VARCHAR PRIMARY KEY,
    value       DECIMAL(18, 2) NOT NULL,
    unit        VARCHAR NOT NULL,
    setting     VARCHAR NOT NULL,
    description VARCHAR NOT NULL
);
