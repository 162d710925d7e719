-- One row per income item declared in a hoja de vida (annual gross pay, individual rent and other income, public
-- and private), with the candidate it belongs to and its total. An item with any amount at or above the review
-- threshold (finance_parameters.review_above_pen) is most likely a unit error, such as céntimos typed as soles:
-- it carries review reasons, goes to review_queue and is left out of every sum.
CREATE OR REPLACE TABLE declared_income AS
WITH people AS (
    SELECT process_code, id_hoja_vida, any_value(dni) AS dni, any_value(full_name) AS full_name
    FROM stg_candidates GROUP BY ALL
), threshold AS (
    SELECT any_value(value) AS review_above FROM finance_parameters WHERE name = 'review_above_pen'
), items AS (
    SELECT *,
        public_salary + private_salary + public_rent + private_rent + public_other + private_other AS total,
        greatest(public_salary, private_salary, public_rent, private_rent, public_other, private_other) AS largest
    FROM stg_declared_income
)
SELECT
    concat('inc-', i.process_code, '-', i.id_hoja_vida, '-', i.item_id) AS record_id,
    i.process_code, i.id_hoja_vida, p.dni, p.full_name, i.year,
    i.public_salary, i.private_salary, i.public_rent, i.private_rent, i.public_other, i.private_other, i.total,
    CASE WHEN i.largest >= t.review_above THEN format(
        'un importe declarado ({}) alcanza el umbral de revisión ({}): posible error de unidades',
        soles(i.largest), soles(t.review_above)) END AS review_reasons,
    i.source_url, i.archive_sha256
FROM items i CROSS JOIN threshold t
LEFT JOIN people p ON p.process_code = i.process_code AND p.id_hoja_vida = i.id_hoja_vida;
