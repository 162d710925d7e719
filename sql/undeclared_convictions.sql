-- Firm convictions for intentional crimes known from court rulings that the candidate's hoja de vida for a
-- later process does not declare (Ley 28094 art. 23.3). A declared record matches on case number, or on
-- crime category when the case number is missing.
CREATE OR REPLACE TABLE undeclared_convictions AS
SELECT
    c.candidacy_id, c.process_code, c.office, c.dni, c.full_name, c.party_name, c.id_hoja_vida,
    r.ruling_id, r.case_number, r.court, r.ruling_date, r.crime, r.crime_category, r.instance,
    'disclosure_ley28094_art23' AS rule_id,
    (SELECT citation FROM rules WHERE id = 'disclosure_ley28094_art23') AS rule_citation,
    format('Condena firme del {} por {} ({}, expediente {}) que no figura en la hoja de vida presentada al JNE '
           || 'para {}.', fecha_es(r.ruling_date), r.crime, r.court, r.case_number, p.name) AS finding_es,
    r.evidence_url, r.source_url, r.archive_sha256
FROM court_rulings r
JOIN candidates c ON c.dni = r.dni
JOIN processes p ON p.process_code = c.process_code
WHERE r.outcome = 'convicted' AND r.firm AND NOT r.crime_negligent AND r.review_reasons IS NULL
  AND r.ruling_date < p.election_date
  AND NOT EXISTS (
      SELECT 1 FROM criminal_records d
      WHERE d.process_code = c.process_code AND d.id_hoja_vida = c.id_hoja_vida
        AND (case_key(d.case_number) = case_key(r.case_number)
             OR (case_key(d.case_number) = '' AND d.crime_category = r.crime_category)));
