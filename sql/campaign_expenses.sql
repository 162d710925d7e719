-- One row per expense a candidate reported to ONPE (Formato 8). An amount at or above the review threshold
-- (finance_parameters.review_above_pen) goes to review_queue and out of the candidate's sums.
CREATE OR REPLACE TABLE campaign_expenses AS
WITH threshold AS (
    SELECT any_value(value) AS review_above FROM finance_parameters WHERE name = 'review_above_pen'
)
SELECT
    md5(concat_ws('|', e.process_code, e.dni, coalesce(e.provider_document, ''), coalesce(e.receipt_type, ''),
        coalesce(e.receipt_number, ''), e.expense_date, e.amount, coalesce(e.concept, ''))) AS expense_id,
    e.process_code, e.dni, e.candidate_name, e.party_name, e.expense_date, e.platform, e.provider_document,
    e.receipt_type, e.receipt_number, e.amount, e.concept,
    CASE WHEN e.amount >= t.review_above THEN format(
        'gasto de {} alcanza el umbral de revisión ({}): posible error de unidades',
        soles(e.amount), soles(t.review_above)) END AS review_reasons,
    e.source_url, e.archive_sha256
FROM stg_campaign_expenses e CROSS JOIN threshold t;
