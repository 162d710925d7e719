-- Election processes (pipeline/config/processes.yaml): election date and the term of the Congress elected.
CREATE OR REPLACE TABLE processes (
    process_code         VARCHAR PRIMARY KEY,
    id_proceso_electoral INTEGER NOT NULL,
    name                 VARCHAR NOT NULL,
    election_date        DATE NOT NULL,
    term_start           DATE NOT NULL,
    term_end             DATE NOT NULL
);
