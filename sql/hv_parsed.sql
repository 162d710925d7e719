-- Which body of each hoja de vida the staged tables hold rows from, per staging asset (issue 6), and by which
-- version of the parsers and rules: a body already parsed by the same version is not parsed or loaded again.
-- Written by `stg_sentences` and `stg_declarations`.
CREATE TABLE IF NOT EXISTS hv_parsed (
    asset        VARCHAR NOT NULL,
    process_code VARCHAR NOT NULL,
    id_hoja_vida BIGINT NOT NULL,
    sha256       VARCHAR NOT NULL,
    parser       VARCHAR NOT NULL  -- pipeline.incremental.parser_fingerprint()
);
