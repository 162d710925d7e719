-- One row per judgment on obligations declared in a hoja de vida (alimony, contract, labour, family violence).
CREATE OR REPLACE TABLE civil_records AS
WITH people AS (
    SELECT process_code, id_hoja_vida, any_value(dni) AS dni, any_value(full_name) AS full_name
    FROM stg_candidates GROUP BY ALL
)
SELECT
    concat('hv-', s.process_code, '-', s.item_id) AS record_id,
    s.process_code, s.id_hoja_vida, p.dni, p.full_name, s.subject, s.case_number, s.court, s.ruling_text,
    s.comment, s.source_url, s.archive_sha256
FROM stg_civil_sentences s LEFT JOIN people p USING (process_code, id_hoja_vida);
