-- One row per contribution a party reported to ONPE Claridad. An amount at or above the review threshold
-- (finance_parameters.review_above_pen) goes to review_queue: it raises no flag until a person has looked at it.
CREATE OR REPLACE TABLE contributions AS
WITH threshold AS (
    SELECT any_value(value) AS review_above FROM finance_parameters WHERE name = 'review_above_pen'
)
SELECT
    md5(concat_ws('|', c.process_code, c.party_ruc, coalesce(c.contributor_document, ''),
        coalesce(c.contributor_name, ''), c.contribution_type, c.contribution_date, c.amount)) AS contribution_id,
    c.process_code, c.party_ruc, c.party_name, c.contributor_document, c.contributor_name, c.contributor_kind,
    c.contribution_type,
    CASE c.contribution_type WHEN 'F' THEN 'en efectivo' WHEN 'E' THEN 'en especie'
                             WHEN 'A' THEN 'por actividades' ELSE 'de otro tipo' END AS contribution_type_es,
    c.contribution_date, c.amount, c.election_year,
    CASE WHEN c.amount >= t.review_above THEN format(
        'aporte de {} alcanza el umbral de revisión ({}): posible error de unidades',
        soles(c.amount), soles(t.review_above)) END AS review_reasons,
    c.source_url, c.archive_sha256
FROM stg_contributions c CROSS JOIN threshold t;
