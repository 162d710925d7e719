-- Records a person must look at before anything is published about them: contradictory or placeholder
-- sentence fields, sentences declared twice, rulings that match no candidacy, ambiguous or weak legislator
-- matches, convictions that could bar a candidacy but whose compliance is unknown, and declared or reported
-- amounts so large they are most likely unit errors (kept out of every finance sum until reviewed).
CREATE OR REPLACE TABLE review_queue AS
SELECT 'criminal_record' AS item_kind, record_id AS item_id, process_code, dni, full_name,
       review_reasons AS reasons, source_url, archive_sha256
FROM criminal_records WHERE review_reasons IS NOT NULL
UNION ALL
SELECT 'court_ruling', ruling_id, NULL, dni, person_name, review_reasons, source_url, archive_sha256
FROM court_rulings WHERE review_reasons IS NOT NULL
UNION ALL
SELECT 'legislator_match', legislator_id, process_code, dni, full_name,
       CASE match_method WHEN 'ambiguous' THEN 'el nombre coincide con varias candidaturas'
                         ELSE 'coincide solo por nombre, no por partido' END,
       source_url, archive_sha256
FROM legislators WHERE match_method IN ('ambiguous', 'name_only')
UNION ALL
SELECT 'possible_candidacy_ban', v.record_id, c.process_code, c.dni, c.full_name,
       'condena por delito doloso que podría impedir la candidatura; no consta si la pena fue cumplida',
       v.source_url, v.archive_sha256
FROM candidates c JOIN processes p USING (process_code)
JOIN convictions v ON v.dni = c.dni AND v.ruling_date <= p.election_date
WHERE v.served IS NULL AND NOT v.crime_negligent
UNION ALL
SELECT 'finance_amount', record_id, process_code, dni, full_name, review_reasons, source_url, archive_sha256
FROM declared_income WHERE review_reasons IS NOT NULL
UNION ALL
SELECT 'finance_amount', record_id, process_code, dni, full_name, review_reasons, source_url, archive_sha256
FROM declared_assets WHERE review_reasons IS NOT NULL
UNION ALL
SELECT 'finance_amount', contribution_id, process_code, contributor_document, contributor_name, review_reasons,
       source_url, archive_sha256
FROM contributions WHERE review_reasons IS NOT NULL
UNION ALL
SELECT 'finance_amount', expense_id, process_code, dni, candidate_name, review_reasons, source_url, archive_sha256
FROM campaign_expenses WHERE review_reasons IS NOT NULL;
