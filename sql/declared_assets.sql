-- One row per real estate or vehicle declared in a hoja de vida, with the candidate it belongs to. A value at or
-- above the review threshold (finance_parameters.review_above_pen) goes to review_queue and out of every sum.
CREATE OR REPLACE TABLE declared_assets AS
WITH people AS (
    SELECT process_code, id_hoja_vida, any_value(dni) AS dni, any_value(full_name) AS full_name
    FROM stg_candidates GROUP BY ALL
), threshold AS (
    SELECT any_value(value) AS review_above FROM finance_parameters WHERE name = 'review_above_pen'
)
SELECT
    concat('asset-', a.process_code, '-', a.id_hoja_vida, '-', a.asset_kind, '-', a.item_id) AS record_id,
    a.process_code, a.id_hoja_vida, p.dni, p.full_name, a.asset_kind, a.asset_type, a.registry_entry, a.plate,
    a.description, a.value, a.comment,
    CASE WHEN a.value >= t.review_above THEN format(
        'valor declarado ({}) alcanza el umbral de revisión ({}): posible error de unidades',
        soles(a.value), soles(t.review_above)) END AS review_reasons,
    a.source_url, a.archive_sha256
FROM stg_declared_assets a CROSS JOIN threshold t
LEFT JOIN people p ON p.process_code = a.process_code AND p.id_hoja_vida = a.id_hoja_vida;
