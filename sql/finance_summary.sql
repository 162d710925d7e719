-- One row per candidacy with any finance data: income and assets declared in the hoja de vida (items in review
-- left out of the sums), the campaign income ONPE Claridad reports for the candidate, the expenses the
-- candidate reported, and their ratios to the declared income. Campaign money is the larger of campaign income
-- and expenses (empty when ONPE reports neither: unknown, not zero). Claridad reports per person and process: a person with two candidacies in one process shows the
-- same campaign amounts on both. Ratios are empty when no income is declared (zero or in review).
CREATE OR REPLACE TABLE finance_summary AS
WITH income AS (
    SELECT process_code, id_hoja_vida, max(year) AS income_year,
        sum(total) FILTER (WHERE review_reasons IS NULL) AS declared_income,
        count(*) FILTER (WHERE review_reasons IS NOT NULL) AS in_review,
        any_value(source_url) AS source_url, any_value(archive_sha256) AS archive_sha256
    FROM declared_income GROUP BY ALL
), assets AS (
    SELECT process_code, id_hoja_vida,
        sum(value) FILTER (WHERE review_reasons IS NULL) AS declared_assets,
        count(*) FILTER (WHERE review_reasons IS NULL) AS assets_declared,
        count(*) FILTER (WHERE review_reasons IS NOT NULL) AS in_review
    FROM declared_assets GROUP BY ALL
), expenses AS (
    SELECT process_code, dni,
        sum(amount) FILTER (WHERE review_reasons IS NULL) AS campaign_expenses,
        count(*) FILTER (WHERE review_reasons IS NOT NULL) AS in_review,
        any_value(source_url) AS source_url, any_value(archive_sha256) AS archive_sha256
    FROM campaign_expenses GROUP BY ALL
), joined AS (
    SELECT c.candidacy_id, c.process_code, c.office, c.district, c.id_hoja_vida, c.dni, c.full_name,
        c.party_name, i.income_year, i.declared_income, a.declared_assets, coalesce(a.assets_declared, 0)
        AS assets_declared, r.total_income AS campaign_income, e.campaign_expenses,
        greatest(r.total_income, e.campaign_expenses) AS campaign_money,
        coalesce(i.in_review, 0) + coalesce(a.in_review, 0) + coalesce(e.in_review, 0) AS items_in_review,
        i.source_url AS income_source_url, i.archive_sha256 AS income_archive_sha256,
        coalesce(r.source_url, e.source_url) AS claridad_source_url,
        coalesce(r.archive_sha256, e.archive_sha256) AS claridad_archive_sha256
    FROM candidates c
    LEFT JOIN income i ON i.process_code = c.process_code AND i.id_hoja_vida = c.id_hoja_vida
    LEFT JOIN assets a ON a.process_code = c.process_code AND a.id_hoja_vida = c.id_hoja_vida
    LEFT JOIN stg_candidate_finance r ON r.process_code = c.process_code AND r.dni = c.dni
    LEFT JOIN expenses e ON e.process_code = c.process_code AND e.dni = c.dni
    WHERE i.id_hoja_vida IS NOT NULL OR a.id_hoja_vida IS NOT NULL OR r.dni IS NOT NULL OR e.dni IS NOT NULL
)
SELECT
    candidacy_id, process_code, office, district, id_hoja_vida, dni, full_name, party_name, income_year,
    declared_income, declared_assets, assets_declared, campaign_income, campaign_expenses, campaign_money,
    round(campaign_income / nullif(declared_income, 0), 2)::DECIMAL(18, 2) AS campaign_income_ratio,
    round(campaign_expenses / nullif(declared_income, 0), 2)::DECIMAL(18, 2) AS expenses_ratio,
    round(campaign_money / nullif(declared_income, 0), 2)::DECIMAL(18, 2) AS campaign_money_ratio,
    items_in_review, income_source_url, income_archive_sha256, claridad_source_url, claridad_archive_sha256
FROM joined;
