-- One row per criminal sentence declared in a hoja de vida, read from all its fields. Declared sentences are
-- firm by definition (the form asks for the date of the "sentencia firme"). A record declared twice, or whose
-- fields disagree, carries review reasons and is kept out of every flag.
CREATE OR REPLACE TABLE criminal_records AS
WITH people AS (
    SELECT process_code, id_hoja_vida, any_value(dni) AS dni, any_value(full_name) AS full_name
    FROM stg_candidates GROUP BY ALL
), marked AS (
    SELECT s.*,
        count(*) OVER (PARTITION BY s.process_code, s.id_hoja_vida, case_key(s.case_number),
                       norm_text(s.crime_text), s.sentence_date) AS times_declared
    FROM stg_criminal_sentences s
)
SELECT
    concat('hv-', m.process_code, '-', m.item_id) AS record_id,
    m.process_code, m.id_hoja_vida, p.dni, p.full_name,
    m.case_number, m.sentence_date, m.court, m.crime_text, m.crime_category, m.crime_negligent,
    m.ruling_text, m.outcome, m.modality, m.other_modality, m.prison_modality, m.compliance, m.served,
    m.rehabilitated, m.comment, TRUE AS firm,
    nullif(concat_ws('; ', nullif(m.review_reasons, ''),
        CASE WHEN m.times_declared > 1 THEN format('declarada {} veces en la misma hoja de vida', m.times_declared) END
    ), '') AS review_reasons,
    m.source_url, m.archive_sha256
FROM marked m LEFT JOIN people p USING (process_code, id_hoja_vida);
