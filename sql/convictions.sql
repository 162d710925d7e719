-- Every conviction known for a person, from both evidence sources, in one shape: sentences declared in a
-- hoja de vida and curated court rulings. Records in review are left out (they go to review_queue).
-- Used by candidacy_bans; not published on its own.
CREATE OR REPLACE VIEW convictions AS
SELECT record_id, 'hoja_de_vida' AS evidence_kind, dni, crime_text AS crime, crime_category, crime_negligent,
       firm, 'final' AS instance, prison_modality AS modality, served, sentence_date AS ruling_date,
       case_number, court, source_url AS evidence_url, source_url, archive_sha256
FROM criminal_records WHERE outcome = 'convicted' AND review_reasons IS NULL
UNION ALL
SELECT ruling_id, 'court_ruling', dni, crime, crime_category, crime_negligent,
       firm, instance, modality, served, ruling_date, case_number, court, evidence_url, source_url, archive_sha256
FROM court_rulings WHERE outcome = 'convicted' AND review_reasons IS NULL;
